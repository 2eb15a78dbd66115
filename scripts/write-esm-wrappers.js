#!/usr/bin/env node
// Writes dist/esm/<entry>.mjs for each subpath export so that `import { x } from 'infrakey/core'`
// gets real named exports. Node's CommonJS export detection misses TypeScript's re-export
// getters in some cases; listing the names at build time is exact.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const entries = { core: 'core/index.js', pulumi: 'pulumi/index.js', cdktf: 'cdktf/index.js' };
fs.mkdirSync(path.join(dist, 'esm'), { recursive: true });
for (const [name, rel] of Object.entries(entries)) {
  const file = path.join(dist, rel);
  if (!fs.existsSync(file)) continue;
  let names;
  try {
    names = Object.keys(require(file)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
  } catch (error) {
    // An adapter whose optional peer (Pulumi, cdktf) is not installed cannot be introspected.
    console.error(`write-esm-wrappers: skipped ${name}: ${error.message.split('\n')[0]}`);
    continue;
  }
  const body = [
    `import cjs from '../${rel}';`,
    names.length ? `export const { ${names.join(', ')} } = cjs;` : '',
    'export default cjs;',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dist, 'esm', `${name}.mjs`), body);
}
