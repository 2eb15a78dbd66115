/**
 * Secrets kept secret on the azure/keyvault and gcp/secretmanager kinds (named FAKEs of Key Vault
 * and Secret Manager): Pulumi's `getSecret` works unchanged and gives secret Outputs; values
 * travel only in request bodies (never in a URL or header, which proxies and logs keep); a backend
 * failure message carries neither the value nor the backend's own text.
 */
import * as pulumi from '@pulumi/pulumi';
import { randomUUID } from 'node:crypto';
import { setSecret, Workspace } from '../../core/internal';
import { getSecret, resetWorkspaces } from '../../pulumi/index';
import { cloudStoreProject, gsmFakeOptions, kvFakeOptions, type CloudStoreProject } from '../support/cloud-store-project';
import { useMocks, valueOf } from '../pulumi/pulumi-project';

const values = { KV_PW: `kv-${randomUUID()}`, GSM_PW: `gsm-${randomUUID()}` };
let project: CloudStoreProject;
let dir: string;
let kv: CloudStoreProject['kv'];
let gsm: CloudStoreProject['gsm'];

beforeAll(async () => {
  project = await cloudStoreProject(
    (k, g) => [`kv: { kind: azure/keyvault, secret: true, options: { ${kvFakeOptions(k)} } }`, `gsm: { kind: gcp/secretmanager, secret: true, options: { ${gsmFakeOptions(g, 'p1')} } }`],
    ['components:', '  terraform:', '    api:', '      secrets:', '        vars:', '          KV_PW: { store: kv }', '          GSM_PW: { store: gsm }'],
  );
  ({ dir, kv, gsm } = project);
  const ws = await Workspace.load({ cwd: dir, env: { HOME: dir } });
  for (const [name, value] of Object.entries(values)) await setSecret(ws.secretsLayer(), { stack: 'dev', component: 'api' }, name, value);
  await useMocks('web-app', 'prod');
  pulumi.runtime.setConfig('infrakey:stack', 'dev');
  pulumi.runtime.setConfig('infrakey:component', 'api');
  resetWorkspaces();
});

afterAll(async () => {
  await project.stop();
});

describe('azure/keyvault and gcp/secretmanager: secrets stay secret', () => {
  it('Pulumi getSecret reads both unchanged, as secret Outputs', async () => {
    const outs = Object.keys(values).map((n) => getSecret(n, { cwd: dir }));
    expect(await Promise.all(outs.map(valueOf))).toEqual(Object.values(values));
    for (const o of outs) expect(await pulumi.isSecret(o)).toBe(true);
  });

  it('values never travel in a URL or a header', () => {
    const seen = JSON.stringify([kv.calls, gsm.calls]);
    expect(seen).not.toContain(values.KV_PW);
    expect(seen).not.toContain(values.GSM_PW);
    // They did reach the backends, JSON-encoded, in request bodies.
    expect(kv.stored('dev-api-KV-PW')).toBe(JSON.stringify(values.KV_PW));
    expect(gsm.stored('p1', 'dev_api_GSM_PW')).toBe(JSON.stringify(values.GSM_PW));
  });

  it('a refused write names the store and key, not the value or the backend text', async () => {
    const ws = await Workspace.load({ cwd: dir, env: { HOME: dir } });
    // Soft-deleted name: Key Vault refuses the write with 409.
    await fetch(`${kv.url}/secrets/dev-api-KV-PW?api-version=7.6`, { method: 'DELETE', headers: { authorization: 'Bearer t' } });
    const e = (await setSecret(ws.secretsLayer(), { stack: 'dev', component: 'api' }, 'KV_PW', values.KV_PW).catch((x: unknown) => x)) as Error & { fix?: string };
    expect(e).toMatchObject({ code: 'STORE_REQUEST_FAILED' });
    expect(`${e.message} ${e.fix} ${String(e.stack)}`).not.toContain(values.KV_PW);
    expect(e.message).not.toContain('currently in a deleted');
    expect(e.message).toContain('dev-api-KV-PW');
  });
});
