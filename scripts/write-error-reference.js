#!/usr/bin/env node
// Writes docs/errors.md from core/error-reference.ts (the error registry), which has no imports:
// it is transpiled with @swc/core (a dev dependency) and evaluated on its own.
//   npm run docs:errors
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'core/error-reference.ts');
const { code } = transformSync(fs.readFileSync(source, 'utf8'), { filename: source, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
const mod = new Module(source);
mod._compile(code, source);
fs.writeFileSync(path.join(root, 'docs/errors.md'), mod.exports.renderErrorReference());
console.log('docs/errors.md written from core/error-reference.ts');
