/**
 * The built `infrakey` (dist/, a child process with plain Node, not jest) sets and gets secrets in
 * azure/keyvault and gcp/secretmanager stores (named FAKEs): the SDKs stay outside the CLI bundle
 * and load on first use, and their own lazy imports work outside jest's module system.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { cloudStoreProject, gsmFakeOptions, kvFakeOptions, type CloudStoreProject } from '../../support/cloud-store-project';

const CLI = resolve(__dirname, '../../../dist/cli/infrakey.js');
let project: CloudStoreProject;
let dir: string;

beforeAll(async () => {
  project = await cloudStoreProject(
    (kv, gsm) => [`kv: { kind: azure/keyvault, secret: true, options: { ${kvFakeOptions(kv)} } }`, `gsm: { kind: gcp/secretmanager, secret: true, options: { ${gsmFakeOptions(gsm, 'p1')} } }`],
    ['components:', '  terraform:', '    api:', '      secrets:', '        vars:', '          KV_VALUE: { store: kv }', '          GSM_VALUE: { store: gsm }'],
  );
  dir = project.dir;
});

afterAll(async () => {
  await project.stop();
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
  expect(project.kv.count('PUT secrets/{name}')).toBe(1);
  expect(project.gsm.count('addVersion')).toBe(1);
}, 60_000);
