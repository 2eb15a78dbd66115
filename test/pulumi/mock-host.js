/**
 * Runs one Pulumi program under Pulumi's mock engine in its own process, the way the Pulumi
 * language host runs a program: TypeScript compiled on load (swc), an `unhandledRejection`
 * handler that prints a RunError's message once as `error: <message>` and fails the run.
 * (There is no Pulumi CLI here; see DESIGN.md §7.)
 *
 *   node test/pulumi/mock-host.js <program.ts> '<{"project","stack","config","cwd"}>'
 *
 * stdout: one JSON line {"resources":[{type,name,inputs(raw wire form),additionalSecretOutputs}],"outputs":{...}}
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

// Programs import the adapter by its package name, as users do; here that is this source tree.
const Module = require('node:module');
const adapterEntry = path.resolve(__dirname, '../../pulumi/index.ts');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'infrakey/pulumi' ? adapterEntry : resolveFilename.call(this, request, ...rest);
};

const [programFile, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson || '{}');
const pulumi = require('@pulumi/pulumi');
const settings = require('@pulumi/pulumi/runtime/settings');

const reported = new Set();
process.on('unhandledRejection', (err) => {
  if (reported.has(err)) return;
  reported.add(err);
  process.stderr.write(`error: ${pulumi.RunError.isInstance(err) ? err.message : (err && err.stack) || String(err)}\n`);
  process.exitCode = 1;
});

(async () => {
  const resources = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }),
      call: (a) => a.inputs,
    },
    opts.project || 'project',
    opts.stack || 'stack',
    false,
  );
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    resources.push({
      type: req.getType(),
      name: req.getName(),
      inputs: req.getObject() ? req.getObject().toJavaScript() : {},
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    });
    return register(req, cb);
  };
  for (const [k, v] of Object.entries(opts.config || {})) pulumi.runtime.setConfig(k, v);
  if (opts.cwd) process.chdir(opts.cwd);
  let exported = require(path.resolve(programFile));
  if (exported && typeof exported.default === 'function') exported = exported.default;
  if (typeof exported === 'function') exported = await exported();
  const outputs = exported && typeof exported === 'object' ? await pulumi.output(exported).promise() : {};
  await settings.waitForRPCs();
  process.stdout.write(JSON.stringify({ resources, outputs: Object.keys(outputs || {}) }) + '\n');
})().catch((err) => {
  if (!reported.has(err)) {
    reported.add(err);
    process.stderr.write(`error: ${pulumi.RunError.isInstance(err) ? err.message : (err && err.stack) || String(err)}\n`);
  }
  process.exitCode = 1;
});
