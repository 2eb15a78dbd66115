/**
 * Runs a real `pulumi` CLI command against a Node.js program, with the program served by the
 * @pulumi/pulumi SDK's own language runtime server: the path the Automation API takes for inline
 * programs (`pulumi <cmd> --client=<addr> --exec-kind auto.inline`). Used because the Go
 * launcher `pulumi-language-nodejs` is not served by the Go module proxy (docs: engines).
 * The engine, the state backend, the secrets provider, the dynamic-provider plugin and the
 * program's runtime are all Pulumi's own.
 *
 *   node pulumi-inline-host.js <pulumi binary> <program.ts|.js> <pulumi args...>
 *
 * The program module exports the program function (`export = async () => {...}`), as a
 * `runtime: nodejs` project's index does. TypeScript is compiled on load with the project's
 * `typescript`. Exit code: the CLI's.
 */
'use strict';
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const [pulumiBin, programFile, ...pulumiArgs] = process.argv.slice(2);
if (!pulumiBin || !programFile) {
  process.stderr.write('usage: pulumi-inline-host.js <pulumi> <program> <args...>\n');
  process.exit(2);
}

require.extensions['.ts'] = (module, filename) => {
  const ts = require('typescript');
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

(async () => {
  const grpc = require('@grpc/grpc-js');
  const langrpc = require('@pulumi/pulumi/proto/language_grpc_pb');
  const { LanguageServer } = require('@pulumi/pulumi/automation/server');
  const { grpcChannelOptions } = require('@pulumi/pulumi/runtime/settings');

  // Loaded lazily, inside the run: the program reads Pulumi config at construction time.
  let loaded;
  const program = async () => {
    loaded = loaded ?? require(require('node:path').resolve(programFile));
    const fn = typeof loaded === 'function' ? loaded : loaded.default;
    return typeof fn === 'function' ? fn() : loaded;
  };

  const server = new grpc.Server(grpcChannelOptions);
  const languageServer = new LanguageServer(program);
  server.addService(langrpc.LanguageRuntimeService, languageServer);
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const child = spawn(pulumiBin, [...pulumiArgs, `--client=127.0.0.1:${port}`, '--exec-kind', 'auto.inline'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  server.forceShutdown();
  process.exit(code);
})().catch((e) => {
  process.stderr.write(`pulumi-inline-host: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
