/**
 * Tries to leak a Vault-held value, and the Vault token, through the built `infrakey` command run
 * as a child process against the real Vault dev server, with every debug switch a user might set
 * (`DEBUG=*`, which makes node-vault print request bodies; `NODE_DEBUG` for Node's HTTP and fetch
 * internals). Only `secret get --mask=false` may print the value; nothing may print the token,
 * including the error paths (wrong token, a path the token may not read, an unreachable server).
 * Needs `npm run build` (dist/).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { vaultAddr, vaultToken } from '../support/services';
import { vaultProject } from '../support/vault';

const BIN = resolve(__dirname, '../../dist/cli/infrakey.js');
const VALUE = 'vault-leak-canary-Hw27pQ';
const B64 = Buffer.from(VALUE).toString('base64').replace(/=+$/, '');
const prefix = `ik-leak-${process.pid}-${Date.now().toString(36)}`;

let dir: string;
let closedPort: number;
const outputs: string[] = [];
function cli(argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd: dir,
    input: opts.stdin ?? '',
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), DEBUG: '*', NODE_DEBUG: 'http,https,net,fetch,undici', VAULT_TOKEN: vaultToken(), VAULT_ADDR: vaultAddr(), ...opts.env },
  });
  outputs.push(r.stdout, r.stderr);
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  // A port nothing listens on (fetch refuses a few well-known ones, such as 9, outright).
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  dir = vaultProject('vault-leak', { options: `mount: secret, prefix: ${prefix}`, vars: ['db: !secret DB_PASSWORD'], declarations: ['DB_PASSWORD: { store: vault }'] });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const T = ['-s', 'dev', '-c', 'api'];

it('no verb, debug output or error prints the value (or its base64) or the token', () => {
  expect(cli(['secret', 'set', 'DB_PASSWORD', ...T], { stdin: VALUE })).toMatchObject({ code: 0 });
  const runs = [
    cli(['secret', 'get', 'DB_PASSWORD', ...T]),
    cli(['secret', 'get', 'DB_PASSWORD', ...T, '--format', 'json']),
    cli(['secret', 'list', ...T, '--format', 'json', '--verify']),
    cli(['secret', 'validate', ...T]),
    cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']),
    cli(['secret', 'exec', ...T, '--mask', '--', 'sh', '-c', 'echo "$DB_PASSWORD"; echo "$DB_PASSWORD" >&2']),
    // Error paths: a wrong token, a token that may not read the path, a server that is not there.
    cli(['secret', 'get', 'DB_PASSWORD', ...T], { env: { VAULT_TOKEN: 'wrong-token-Pz55' } }),
    cli(['secret', 'set', 'DB_PASSWORD', ...T], { stdin: VALUE, env: { VAULT_TOKEN: 'wrong-token-Pz55' } }),
    cli(['secret', 'get', 'DB_PASSWORD', ...T], { env: { VAULT_ADDR: `http://127.0.0.1:${closedPort}` } }),
  ];
  for (const r of runs) {
    const text = r.out + r.err;
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain(B64);
    expect(text).not.toContain(vaultToken());
    expect(text).not.toContain('Pz55');
  }
  expect(runs[0].out).toBe('<MASKED>\n');
  expect(runs[6].err).toContain('STORE_ACCESS_DENIED');
  expect(runs[8].err).toContain('STORE_UNREACHABLE');
  // The one deliberate reveal.
  const shown = cli(['--mask=false', 'secret', 'get', 'DB_PASSWORD', ...T, '--raw']);
  expect(shown.out).toBe(VALUE);
  expect(shown.err).not.toContain(vaultToken());
}, 120_000);
