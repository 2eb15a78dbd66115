/**
 * Every verb on the azure/keyvault and gcp/secretmanager kinds through the command line and
 * `describe` (`!store`, `!store.get`, `!secret`): `secret set|get|list|validate|import|delete`
 * against the named FAKEs of Key Vault (plain HTTP with `insecure_allow_credential_with_http`,
 * an Atmos option) and Secret Manager (REST v1), through the vendors' SDKs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureIO } from '../../../cli/io';
import { run } from '../../../cli/program';
import { cloudStoreProject, gsmFakeOptions, kvFakeOptions, type CloudStoreProject } from '../../support/cloud-store-project';

const VALUE = 'cloud-pw-Zq81-do-not-print';
let project: CloudStoreProject;
let dir: string;
let kv: CloudStoreProject['kv'];
let gsm: CloudStoreProject['gsm'];

beforeAll(async () => {
  project = await cloudStoreProject(
    (k, g) => [
      `kv: { kind: azure/keyvault, secret: true, options: { ${kvFakeOptions(k)}, prefix: atmos } }`,
      `kv-plain: { type: azure-key-vault, options: { ${kvFakeOptions(k)} } }`,
      `gsm: { kind: gcp/secretmanager, secret: true, options: { ${gsmFakeOptions(g, 'proj-1')}, prefix: atmos, locations: [us-east1, us-central1] } }`,
      `gsm-plain: { type: gsm, options: { ${gsmFakeOptions(g, 'proj-1')} } }`,
    ],
    [
      'components:',
      '  terraform:',
      '    api/main:',
      '      vars:',
      '        kv_token: !secret KV_TOKEN',
      '        gsm_token: !secret GSM_TOKEN',
      '        kv_plain: !store kv-plain dev net/vpc vpc_id',
      '        kv_raw: !store.get kv-plain shared_flag',
      '        gsm_plain: !store gsm-plain dev net/vpc vpc_id',
      '        gsm_raw: !store.get gsm-plain shared_flag',
      '      secrets:',
      '        vars:',
      '          KV_TOKEN: { store: kv, required: true }',
      '          GSM_TOKEN: { store: gsm, required: true }',
    ],
  );
  ({ dir, kv, gsm } = project);
  mkdirSync(join(dir, 'components/terraform/api'), { recursive: true });
});

afterAll(async () => {
  await project.stop();
});

async function cli(argv: string[], stdin?: string) {
  const io = captureIO({ stdin: Readable.from(stdin !== undefined ? [stdin] : []) });
  const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), NO_COLOR: '1' };
  const code = await run(argv, { io, env, cwd: dir });
  return { code, out: io.stdout, err: io.stderr };
}

describe('azure/keyvault and gcp/secretmanager at the command line', () => {
  it('secret list shows the exact backend names before anything is set; validate fails naming them', async () => {
    const list = await cli(['secret', 'list', '-s', 'dev', '-c', 'api/main', '--format', 'json', '--verify']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { name: string; status: string; location: string; backend: string }[];
    expect(rows.map((r) => [r.name, r.status, r.location])).toEqual([
      ['GSM_TOKEN', 'missing', 'atmos_dev_api_main_GSM_TOKEN'],
      ['KV_TOKEN', 'missing', 'atmos-dev-api-main-KV-TOKEN'],
    ]);
    const v = await cli(['secret', 'validate', '-s', 'dev']);
    expect(v.code).toBe(1);
    expect(v.err).toContain('atmos-dev-api-main-KV-TOKEN');
  });

  it('set → get round-trips on both; the value is stored JSON-encoded under the Atmos name and never printed', async () => {
    for (const name of ['KV_TOKEN', 'GSM_TOKEN']) {
      const set = await cli(['secret', 'set', name, '-s', 'dev', '-c', 'api/main'], `${VALUE}\n`);
      expect([name, set.code]).toEqual([name, 0]);
      expect(set.out + set.err).not.toContain(VALUE);
      const masked = await cli(['secret', 'get', name, '-s', 'dev', '-c', 'api/main']);
      expect(masked.out).toBe('<MASKED>\n');
      const plain = await cli(['--mask=false', 'secret', 'get', name, '-s', 'dev', '-c', 'api/main']);
      expect(plain.out).toBe(`${VALUE}\n`);
    }
    expect(kv.stored('atmos-dev-api-main-KV-TOKEN')).toBe(JSON.stringify(VALUE));
    expect(gsm.stored('proj-1', 'atmos_dev_api_main_GSM_TOKEN')).toBe(JSON.stringify(VALUE));
    // options.locations → user-managed replication (Atmos createReplicationFromLocations).
    expect(gsm.replication('proj-1', 'atmos_dev_api_main_GSM_TOKEN')).toEqual({ userManaged: { replicas: [{ location: 'us-east1' }, { location: 'us-central1' }] } });
    const v = await cli(['secret', 'validate', '-s', 'dev']);
    expect(v.code).toBe(0);
  });

  it('!store and !store.get read non-secret stores; !secret stays masked in describe', async () => {
    await cli(['secret', 'list', '-s', 'dev', '-c', 'api/main']);
    // Written as Atmos would (JSON-encoded values under the composed names).
    const seedKv = await fetch(`${kv.url}/secrets/dev-net-vpc-vpc-id?api-version=7.6`, { method: 'PUT', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ value: '"vpc-123"' }) });
    expect(seedKv.status).toBe(200);
    await fetch(`${kv.url}/secrets/shared-flag?api-version=7.6`, { method: 'PUT', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ value: 'true' }) });
    for (const [id, data] of [['dev_net_vpc_vpc_id', '"vpc-456"'], ['shared_flag', '{"on":true}']]) {
      await fetch(`${gsm.url}/v1/projects/proj-1/secrets?secretId=${id}`, { method: 'POST', body: JSON.stringify({ replication: { automatic: {} } }) });
      await fetch(`${gsm.url}/v1/projects/proj-1/secrets/${id}:addVersion`, { method: 'POST', body: JSON.stringify({ payload: { data: Buffer.from(data).toString('base64') } }) });
    }
    const r = await cli(['describe', 'component', 'api/main', '-s', 'dev', '--format', 'json']);
    expect(r.code).toBe(0);
    const vars = (JSON.parse(r.out) as { vars: Record<string, unknown> }).vars;
    expect(vars).toMatchObject({ kv_token: '<MASKED>', gsm_token: '<MASKED>', kv_plain: 'vpc-123', kv_raw: true, gsm_plain: 'vpc-456', gsm_raw: { on: true } });
    expect(r.out).not.toContain(VALUE);
  });

  it('import copies a value from another scope; delete removes it (then list says missing)', async () => {
    const imp = await cli(['secret', 'import', 'KV_TOKEN', '-s', 'dev', '-c', 'api/main', '--from-store', 'kv-plain', '--from-stack', 'dev', '--from-component', 'net/vpc', '--from-key', 'vpc_id']);
    expect(imp.code).toBe(0);
    const got = await cli(['--mask=false', 'secret', 'get', 'KV_TOKEN', '-s', 'dev', '-c', 'api/main']);
    expect(got.out).toBe('vpc-123\n');
    for (const name of ['KV_TOKEN', 'GSM_TOKEN']) {
      const del = await cli(['secret', 'delete', name, '-s', 'dev', '-c', 'api/main', '--force']);
      expect([name, del.code]).toEqual([name, 0]);
    }
    const list = await cli(['secret', 'list', '-s', 'dev', '-c', 'api/main', '--format', 'json', '--verify']);
    expect((JSON.parse(list.out) as { status: string }[]).map((x) => x.status)).toEqual(['missing', 'missing']);
    // Key Vault deletes softly: writing the name again fails with the recover/purge fix, not the backend's text.
    const again = await cli(['secret', 'set', 'KV_TOKEN', '-s', 'dev', '-c', 'api/main'], 'x\n');
    expect(again.code).toBe(1);
    expect(again.err).toContain('deleted but recoverable');
    expect(again.err).toContain('az keyvault secret purge');
    expect(again.err).not.toContain('currently in a deleted');
  });
});
