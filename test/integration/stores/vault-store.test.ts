/**
 * The `hashicorp/vault` store against a real Vault dev server (scripts/services.sh): Atmos's
 * key composition (its `hashicorp_vault_store_test.go` cases, checked at the paths the server
 * really holds), the `value` field and the whole-map fallback, soft delete, options, and errors
 * mapped to store codes without Vault's text. The time bounds against endpoints that never answer
 * or answer one byte at a time are in vault-limits.test.ts.
 */
import { createServer, type Server } from 'node:net';
import { VAULT_MAX_VALUE_BYTES } from '../../../core/stores/kinds/hashicorp-vault';
import type { Store } from '../../../core/stores/store';
import { evaluateStore, evaluateStoreGet } from '../../../core/stores/store-function';
import { buildStoreRegistry, type StoreRegistry } from '../../../core/stores/store-registry';
import { vaultAddr, vaultToken } from '../../support/services';
import { vaultApi } from '../../support/vault';

const run = `vs${process.pid}x${Date.now().toString(36)}`;


const registries: StoreRegistry[] = [];
function store(options: Record<string, unknown>, extra: Record<string, unknown> = {}): Store {
  const registry = buildStoreRegistry({ v: { kind: 'hashicorp/vault', options: { address: vaultAddr(), token: vaultToken(), mount: 'secret', ...options }, ...extra } }, { env: {} });
  registries.push(registry);
  return registry.get('v');
}
afterAll(async () => {
  for (const r of registries) await r.close();
});

describe("Atmos's key composition (hashicorp_vault_store_test.go), at the paths the server holds", () => {
  it('TestVaultStore_KeyBuilding: prefix atmos, delimiter "-": stack split on "-", component on "/"', async () => {
    const s = store({ prefix: `${run}/atmos`, stack_delimiter: '-' });
    await s.set!('plat-prod-ue1', 'vpc/flow-logs', 'API_KEY', 'v');
    const r = await vaultApi('GET', `secret/data/${run}/atmos/plat/prod/ue1/vpc/flow-logs/API_KEY`);
    expect(r.status).toBe(200);
    expect(r.body.data.data).toEqual({ value: 'v' });
    expect(s.keyPath('plat-prod-ue1', 'vpc/flow-logs', 'API_KEY')).toBe(`${run}/atmos/plat/prod/ue1/vpc/flow-logs/API_KEY`);
  });

  it('TestVaultStore_HTTPKVv2Integration: {value: ...} under mount/data, GetKey under the prefix, Has and Delete', async () => {
    const s = store({ prefix: `${run}/i/atmos`, stack_delimiter: '-' });
    await s.set!('plat-prod', 'api', 'API_KEY', 'secret-value');
    expect((await vaultApi('GET', `secret/data/${run}/i/atmos/plat/prod/api/API_KEY`)).body.data.data).toEqual({ value: 'secret-value' });
    expect(await s.get('plat-prod', 'api', 'API_KEY')).toBe('secret-value');
    await vaultApi('POST', `secret/data/${run}/i/atmos/shared/token`, { data: { value: 'shared-token' } });
    expect(await s.getKey('shared/token')).toBe('shared-token');
    expect(await s.getKey('/shared/token')).toBe('shared-token');
    expect(await s.has!('plat-prod', 'api', 'API_KEY')).toBe(true);
    await s.delete!('plat-prod', 'api', 'API_KEY');
    expect(await s.has!('plat-prod', 'api', 'API_KEY')).toBe(false);
    await expect(s.get('plat-prod', 'api', 'API_KEY')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND' });
  });

  it('default delimiter "/": an empty prefix composes stack/component/key under the mount', async () => {
    const s = store({});
    expect(s.keyPath(`${run}-prod`, 'api', 'API_KEY')).toBe(`${run}-prod/api/API_KEY`);
    await s.set!(`${run}-prod`, 'api', 'API_KEY', 'no-prefix');
    expect((await vaultApi('GET', `secret/data/${run}-prod/api/API_KEY`)).body.data.data).toEqual({ value: 'no-prefix' });
    expect(s.rawKeyPath('x/y')).toBe('x/y');
  });

  it('TestVaultStore_GetByPath_FallbackWholeMap: a secret without a `value` field reads as its data map', async () => {
    await vaultApi('POST', `secret/data/${run}/external`, { data: { username: 'admin', password: 'p' } });
    expect(await store({ prefix: run }).getKey('external')).toEqual({ username: 'admin', password: 'p' });
  });

  it('TestVaultStore_Keys: list gives the keys of one component, not of its siblings', async () => {
    const s = store({ prefix: `${run}/k` });
    await s.set!('prod', 'vpc', 'image_tag', 'sha256:abc');
    await s.set!('prod', 'vpc', 'region', 'us-east-1');
    await s.set!('prod', 'ecs', 'image_tag', 'sha256:def');
    expect(await s.list!('prod', 'vpc')).toEqual(['image_tag', 'region']);
  });

  it('Set/Get/Delete validation: empty stack, component or key and a nil value are refused before any request', async () => {
    const s = store({ address: 'http://127.0.0.1:9' });
    await expect(s.set!('', 'api', 'k', 'v')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.set!('prod', '', 'k', 'v')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.set!('prod', 'api', '', 'v')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.set!('prod', 'api', 'k', null)).rejects.toMatchObject({ code: 'STORE_VALUE_INVALID' });
    await expect(s.get('', 'api', 'k')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.delete!('prod', '', 'k')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
  });
});

describe('values and versions', () => {
  it('every JSON type sits in the field `value` as itself (not as JSON text), and reads back typed', async () => {
    const s = store({ prefix: `${run}/types` });
    const values: Record<string, unknown> = { s: 'text', n: 42, f: 1.5, b: false, l: [1, 'a'], m: { x: { y: [true] } }, j: '{"a":1}', e: '' };
    for (const [k, v] of Object.entries(values)) await s.set!('dev', 'app', k, v);
    for (const [k, v] of Object.entries(values)) {
      expect((await vaultApi('GET', `secret/data/${run}/types/dev/app/${k}`)).body.data.data).toEqual({ value: v });
      expect(await s.get('dev', 'app', k)).toEqual(v);
    }
  });

  it('delete is a soft delete of the latest version (recoverable), and has/list treat the key as absent', async () => {
    const s = store({ prefix: `${run}/soft` });
    await s.set!('dev', 'app', 'gone', 'v1');
    await s.set!('dev', 'app', 'kept', 'k');
    await s.delete!('dev', 'app', 'gone');
    const meta = await vaultApi('GET', `secret/metadata/${run}/soft/dev/app/gone`);
    expect(meta.status).toBe(200);
    expect(meta.body.data.versions['1'].deletion_time).not.toBe('');
    expect(await s.has!('dev', 'app', 'gone')).toBe(false);
    expect(await s.list!('dev', 'app')).toEqual(['kept']);
    // `vault kv undelete` brings it back.
    expect((await vaultApi('POST', `secret/undelete/${run}/soft/dev/app/gone`, { versions: [1] })).status).toBe(204);
    expect(await s.get('dev', 'app', 'gone')).toBe('v1');
    expect(await s.list!('dev', 'app')).toEqual(['gone', 'kept']);
    // Writing again after a delete makes a new live version.
    await s.delete!('dev', 'app', 'gone');
    await s.set!('dev', 'app', 'gone', 'v2');
    expect(await s.get('dev', 'app', 'gone')).toBe('v2');
    expect(await s.has!('dev', 'app', 'gone')).toBe(true);
  });

  it(`size: ${VAULT_MAX_VALUE_BYTES} bytes of value JSON are taken, one more is refused without a request`, async () => {
    const s = store({ prefix: `${run}/size` });
    await s.set!('dev', 'app', 'big', 'x'.repeat(VAULT_MAX_VALUE_BYTES - 2));
    const err = await s.set!('dev', 'app', 'big', 'y'.repeat(VAULT_MAX_VALUE_BYTES - 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_VALUE_TOO_LARGE' });
    expect(await s.get('dev', 'app', 'big')).toBe('x'.repeat(VAULT_MAX_VALUE_BYTES - 2));
  });

  it('!store and !store.get read a plain Vault store; a secret one is refused (use !secret)', async () => {
    const registry = buildStoreRegistry(
      {
        plain: { kind: 'hashicorp/vault', options: { address: vaultAddr(), token: vaultToken(), mount: 'secret', prefix: `${run}/fn` } },
        sec: { kind: 'hashicorp/vault', secret: true, options: { address: vaultAddr(), token: vaultToken(), mount: 'secret', prefix: `${run}/fn` } },
      },
      { env: {} },
    );
    registries.push(registry);
    await registry.get('plain').set!('dev', 'vpc', 'vpc_id', 'vpc-123');
    expect(await evaluateStore(registry, { store: 'plain', component: 'vpc', key: 'vpc_id' }, { stack: 'dev' })).toBe('vpc-123');
    expect(await evaluateStoreGet(registry, { store: 'plain', key: 'dev/vpc/vpc_id' }, {})).toBe('vpc-123');
    await expect(evaluateStore(registry, { store: 'sec', component: 'vpc', key: 'vpc_id' }, { stack: 'dev' })).rejects.toMatchObject({ code: 'STORE_IS_SECRET' });
  });
});

describe('options (Atmos names and messages)', () => {
  const problems = (stores: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    try {
      buildStoreRegistry(stores, { env });
      return [];
    } catch (e) {
      const err = e as { code: string; message: string; where?: string; problems?: { code: string; message: string; where?: string }[] };
      return (err.problems?.length ? err.problems : [err]).map((p) => ({ code: p.code, message: p.message, where: p.where }));
    }
  };

  it('address (or url, or VAULT_ADDR) and mount (or legacy path) are required', () => {
    expect(problems({ v: { kind: 'hashicorp/vault', options: { mount: 'secret' } } })).toEqual([
      expect.objectContaining({ code: 'STORE_OPTION_INVALID', message: expect.stringContaining('address is required in hashicorp vault store configuration'), where: expect.stringContaining('stores.v.options.address') }),
    ]);
    expect(problems({ v: { kind: 'hashicorp/vault', options: { address: 'http://127.0.0.1:8200' } } })).toEqual([
      expect.objectContaining({ code: 'STORE_OPTION_INVALID', message: expect.stringContaining('mount is required in hashicorp vault store configuration'), where: expect.stringContaining('stores.v.options.mount') }),
    ]);
    expect(problems({ v: { kind: 'hashicorp/vault', options: { mount: 'secret' } } }, { VAULT_ADDR: 'http://127.0.0.1:8200' })).toEqual([]);
    expect(problems({ v: { kind: 'hashicorp-vault', options: { url: 'http://127.0.0.1:8200', path: 'kv' } } })).toEqual([]);
  });

  it('a malformed address and a mount with ".." are refused at load', () => {
    expect(problems({ v: { kind: 'hashicorp/vault', options: { address: 'vault.example.com', mount: 'secret' } } })).toEqual([expect.objectContaining({ where: expect.stringContaining('options.address') })]);
    expect(problems({ v: { kind: 'hashicorp/vault', options: { address: 'http://127.0.0.1:8200', mount: 'secret/../sys' } } })).toEqual([expect.objectContaining({ where: expect.stringContaining('options.mount') })]);
  });

  it('the token comes from options.token, else VAULT_TOKEN; the address from VAULT_ADDR', async () => {
    const registry = buildStoreRegistry({ v: { kind: 'hashicorp/vault', options: { mount: 'secret', prefix: `${run}/env` } } }, { env: { VAULT_ADDR: vaultAddr(), VAULT_TOKEN: vaultToken() } });
    registries.push(registry);
    await registry.get('v').set!('dev', 'app', 'k', 'from-env');
    expect(await registry.get('v').get('dev', 'app', 'k')).toBe('from-env');
  });

  it('a path segment "." or ".." in a key is refused (it would reach another Vault endpoint)', async () => {
    const s = store({ prefix: `${run}/trav` });
    await expect(s.get('dev', 'app', '../../../sys/seal')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.getKey('..')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.set!('dev', 'app', '%2e%2e', 'x')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
  });
});

describe('errors: store codes, no Vault text, no token', () => {
  it('a wrong token: STORE_ACCESS_DENIED (HTTP 403), the token in no message', async () => {
    const s = store({ prefix: run, token: 'not-a-real-token-Zq81' });
    const err = (await s.get('dev', 'app', 'k').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('STORE_ACCESS_DENIED');
    expect(err.message).toContain('HTTP 403');
    expect(err.message).not.toContain('Zq81');
    // Vault's own text ("permission denied") is not copied.
    expect(err.message).not.toContain('permission denied');
  });

  it('no token at all: STORE_AUTH_FAILED naming VAULT_TOKEN', async () => {
    const registry = buildStoreRegistry({ v: { kind: 'hashicorp/vault', options: { address: vaultAddr(), mount: 'secret' } } }, { env: {} });
    registries.push(registry);
    const err = (await registry.get('v').set!('dev', 'app', 'k', 'v').catch((e: unknown) => e)) as Error & { code: string; fix: string };
    expect(err.code).toBe('STORE_AUTH_FAILED');
    expect(`${err.message} ${err.fix}`).toContain('VAULT_TOKEN');
  });

  it('a mount that is not there: STORE_REQUEST_FAILED or ACCESS_DENIED with the status only', async () => {
    const s = store({ mount: `no-such-mount-${run}` });
    const err = (await s.set!('dev', 'app', 'k', 'v').catch((e: unknown) => e)) as Error & { code: string };
    expect(['STORE_REQUEST_FAILED', 'STORE_ACCESS_DENIED']).toContain(err.code);
    expect(err.message).toMatch(/HTTP \d{3}/);
    expect(err.message).not.toContain('no handler');
  });

  it('a refused port: STORE_UNREACHABLE naming the address', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    const s = store({ address: `http://127.0.0.1:${port}` });
    const err = (await s.get('dev', 'app', 'k').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('STORE_UNREACHABLE');
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
  });
});
