/**
 * A `hashicorp/vault`-backed DeclaredSecret on both engines: a `vault_kv_secret_v2` data source
 * (an ephemeral block in ephemeral mode) on the mount and name the store composes, the value
 * decoded from `data_json` inside Terraform, and no plaintext in cdk.tf.json, with the value
 * really written to the Vault dev server and read by infrakey in the same process (so the synth
 * guard knows it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setSecret, unsafeUnwrap, Workspace } from '../../core/internal';
import { DeclaredSecret, infrakeyContext } from '../../cdktf/index';
import { vaultAddr, vaultToken } from '../support/services';
import { vaultApi, vaultProject } from '../support/vault';
import { ENGINES, type TfJson } from './support/engines';

const TOFU = resolve(__dirname, '../../.cache/engines/bin/tofu');

/** What OpenTofu (`tofu console`) makes of `expression` with the data source's data_json replaced by `dataJson`. */
function evaluate(expression: string, dataSourceRef: string, dataJson: string): string {
  if (!existsSync(TOFU)) throw new Error(`${TOFU} is missing: run scripts/install-test-deps.sh (it builds OpenTofu from its Go module)`);
  const tf = mkdtempSync(join(tmpdir(), 'ik-tofu-console-'));
  try {
    writeFileSync(join(tf, 'main.tf'), `locals {\n  dj = ${JSON.stringify(dataJson)}\n}\n`);
    const hcl = expression.replace(/^\$\{([\s\S]*)\}$/, '$1').split(dataSourceRef).join('local.dj');
    const r = spawnSync(TOFU, ['console'], { cwd: tf, input: hcl, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TF_IN_AUTOMATION: '1' } });
    if (r.status !== 0) throw new Error(`tofu console failed: ${r.stderr}`);
    return r.stdout.trim();
  } finally {
    rmSync(tf, { recursive: true, force: true });
  }
}

const prefix = `ikcv-${process.pid}-${Date.now().toString(36)}`;
const VALUE = `vault-cdktf-value-${Math.random().toString(36).slice(2)}`;
let dir: string;
let workspace: Workspace;

beforeAll(async () => {
  dir = vaultProject('cdktf-vault', {
    options: `address: "${vaultAddr()}", token: "${vaultToken()}", mount: /kv-team/, prefix: ${prefix}`,
    declarations: ['DB_PASSWORD: { store: vault }', 'API_USER: { store: vault }'],
  });
  // The dev server has KV v2 at secret/ only; this store's mount is a second KV v2 engine.
  const mount = await vaultApi('POST', 'sys/mounts/kv-team', { type: 'kv', options: { version: '2' } });
  expect([204, 400]).toContain(mount.status); // 400: mounted by an earlier run against the same server
  workspace = await Workspace.load({ cwd: dir });
  await setSecret(workspace.secretsLayer(), { stack: 'dev', component: 'api' }, 'DB_PASSWORD', VALUE);
  // Read back through infrakey: the value is now known to the Redactor, as in a real synth.
  expect(unsafeUnwrap(await workspace.secret('DB_PASSWORD', { stack: 'dev', component: 'api' }))).toBe(VALUE);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(ENGINES)('DeclaredSecret over hashicorp/vault ($name)', ({ lib }) => {
  const { Testing, TerraformStack, TerraformOutput } = lib;
  const stack = () => {
    const s = new TerraformStack(Testing.app(), 'api-dev');
    infrakeyContext(s, { workspace, stack: 'dev', component: 'api' });
    return s;
  };

  it('is a vault_kv_secret_v2 data source on the exact mount and name; the value comes from data_json', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD' });
    const user = new DeclaredSecret(s, 'user', { name: 'API_USER', path: '.user' });
    new TerraformOutput(s, 'db_out', { value: db.value, sensitive: true });
    new TerraformOutput(s, 'user_out', { value: user.value, sensitive: true });
    const text = Testing.synth(s);
    const json = JSON.parse(text) as TfJson;
    expect(db.source).toBe('vault-kv-secret-v2');
    expect(db.storage).toMatchObject({ kind: 'hashicorp/vault', mount: 'kv-team', keyPath: `${prefix}/dev/api/DB_PASSWORD` });
    const blocks = Object.entries(json.data!.vault_kv_secret_v2);
    expect(blocks.map(([, b]) => b).sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { mount: 'kv-team', name: `${prefix}/dev/api/API_USER` },
      { mount: 'kv-team', name: `${prefix}/dev/api/DB_PASSWORD` },
    ]);
    const dbId = blocks.find(([, b]) => b.name === `${prefix}/dev/api/DB_PASSWORD`)![0];
    const t = `jsonencode(try(jsondecode(data.vault_kv_secret_v2.${dbId}.data_json).value, jsondecode(data.vault_kv_secret_v2.${dbId}.data_json)))`;
    expect(json.output!.db_out.value).toBe(`\${try(startswith(${t}, "\\"") ? jsondecode(${t}) : ${t}, ${t})}`);
    // OpenTofu evaluates it to what infrakey reads: the `value` field (a string as it is, even one
    // holding quotes or JSON; anything else as JSON), or the whole map of a secret without one.
    const ref = `data.vault_kv_secret_v2.${dbId}.data_json`;
    const cases: [string, string][] = [
      ['{"value":"abc"}', '"abc"'],
      ['{"value":"\\"quoted\\""}', '"\\"quoted\\""'],
      ['{"value":{"a":1}}', '"{\\"a\\":1}"'],
      ['{"value":42}', '"42"'],
      ['{"username":"x","password":"p"}', '"{\\"password\\":\\"p\\",\\"username\\":\\"x\\"}"'],
    ];
    for (const [dataJson, shown] of cases) expect([dataJson, evaluate(String(json.output!.db_out.value), ref, dataJson)]).toEqual([dataJson, shown]);
    // A path indexes the decoded value inside Terraform.
    expect(String(json.output!.user_out.value)).toMatch(/^\$\{jsondecode\(jsonencode\(try\(.*\)\)\)\.user\}$/);
    expect(text).not.toContain(VALUE);
  });

  it('ephemeral mode: an ephemeral vault_kv_secret_v2 block with the same mount and name; no data source', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD', ephemeral: true });
    expect(db.ephemeral).toBe(true);
    const text = Testing.synth(s);
    const json = JSON.parse(text) as TfJson & { ephemeral?: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.values(json.ephemeral!.vault_kv_secret_v2)).toEqual([{ mount: 'kv-team', name: `${prefix}/dev/api/DB_PASSWORD` }]);
    expect(json.data?.vault_kv_secret_v2).toBeUndefined();
    expect(text).not.toContain(VALUE);
  });
});
