/**
 * The built `infrakey` (dist/, a child process with plain Node, not jest) sets and gets secrets in
 * azure/keyvault and gcp/secretmanager stores (named FAKEs): the SDKs stay outside the CLI bundle
 * and load on first use, and their own lazy imports work outside jest's module system.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeKeyVault } from '../../fakes/fake-keyvault';
import { FakeSecretManager } from '../../fakes/fake-secret-manager';

const CLI = resolve(__dirname, '../../../dist/cli/infrakey.js');
const kv = new FakeKeyVault({ http: true });
const gsm = new FakeSecretManager({ anonymous: true });
let dir: string;

beforeAll(async () => {
  await kv.start();
  await gsm.start();
  dir = mkdtempSync(join(tmpdir(), 'ik-cloud-dist-'));
  writeFileSync(
    join(dir, 'atmos.yaml'),
    [
      'base_path: "./"',
      'stacks: { base_path: stacks, included_paths: ["deploy/**/*"], name_template: "{{ .vars.stage }}" }',
      'stores:',
      `  kv: { kind: azure/keyvault, secret: true, options: { vault_url: "${kv.url}", without_authentication: true, insecure_allow_credential_with_http: true, disable_challenge_resource_verification: true } }`,
      `  gsm: { kind: gcp/secretmanager, secret: true, options: { project_id: p1, endpoint: "${gsm.url}", without_authentication: true } }`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'stacks/deploy'), { recursive: true });
  writeFileSync(join(dir, 'stacks/deploy/dev.yaml'), ['vars: { stage: dev }', 'components:', '  terraform:', '    api:', '      secrets:', '        vars:', '          KV_VALUE: { store: kv }', '          GSM_VALUE: { store: gsm }', ''].join('\n'));
});

afterAll(async () => {
  await kv.stop();
  await gsm.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], input = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => done({ code, out, err }));
    child.stdin.end(input);
  });
}

it('secret set → get round-trips on both kinds through the built CLI', async () => {
  for (const [name, value] of [['KV_VALUE', 'kv-dist-value'], ['GSM_VALUE', 'gsm-dist-value']]) {
    const set = await cli(['secret', 'set', name, '-s', 'dev', '-c', 'api'], `${value}\n`);
    expect([name, set.code, set.err]).toEqual([name, 0, expect.stringContaining(name)]);
    const get = await cli(['--mask=false', 'secret', 'get', name, '-s', 'dev', '-c', 'api']);
    expect([name, get.code, get.out]).toEqual([name, 0, `${value}\n`]);
  }
  expect(kv.count('PUT secrets/{name}')).toBe(1);
  expect(gsm.count('addVersion')).toBe(1);
}, 60_000);
