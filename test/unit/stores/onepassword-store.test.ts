/**
 * The onepassword kind against FAKE 1Password Connect, with Atmos's tables
 * (`pkg/store/providers/onepassword_store_test.go`): reference rendering, reference parsing,
 * client selection by mode and credentials, and full CRUD (set creates the item, delete removes
 * the field then the empty item). The service-account mode runs the real 1Password SDK, which
 * reaches only 1Password's servers: here it is tested for mode selection and for refusing a
 * malformed token without echoing it.
 */
import { parseOpReference, renderOpReference } from '../../../core/stores/kinds/onepassword';
import { evaluateStore } from '../../../core/stores/store-function';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import type { Store } from '../../../core/stores/store';
import { FakeOnePasswordConnect } from '../../fakes/fake-onepassword-connect';
import { rejection, thrown } from '../../support/errors';

const fake = new FakeOnePasswordConnect();
let url = '';
beforeAll(async () => {
  fake.addVault('Shared');
  fake.addVault('Production');
  fake.addVault('prod-ue1');
  url = await fake.start();
});
afterAll(() => fake.stop());

const connect = (extra: Record<string, unknown> = {}): Store =>
  buildStoreRegistry({ op: { kind: 'onepassword', options: { connect_host: url, connect_token: fake.token, ...extra } } }, { env: {} }).get('op');

describe('references (Atmos renderReference / parseOPReference tables)', () => {
  it('renders templates, keeps op:// references and makes vault-relative ones full', () => {
    expect(renderOpReference('op://{{ .atmos_stack }}/{{ .atmos_component }}/password', 'prod-ue1', 'api', '')).toBe('op://prod-ue1/api/password');
    expect(renderOpReference('op://Shared/Datadog/api_key', 'prod', 'api', '')).toBe('op://Shared/Datadog/api_key');
    expect(renderOpReference('Datadog/api_key', 'prod', 'api', 'Production')).toBe('op://Production/Datadog/api_key');
    expect(renderOpReference('/Datadog/api_key', 'prod', 'api', 'Production')).toBe('op://Production/Datadog/api_key');
  });

  it.each([
    ['no vault', 'Datadog/api_key', /not an `op:\/\/vault\/item\/field` reference and no default `vault`/],
    ['bad template', 'op://{{ .atmos_stack ', /invalid 1Password reference template/],
    ['unknown template var (missingkey=error)', 'op://{{ .nope }}/item/field', /invalid 1Password reference template/],
    ['empty key', '', /key cannot be empty/],
  ])('%s → STORE_KEY_INVALID', (_name, key, message) => {
    const e = thrown(() => connect().keyPath('prod', 'api', key));
    expect(e).toMatchObject({ code: 'STORE_KEY_INVALID', where: 'stores.op' });
    expect(e.message).toMatch(message);
  });

  it.each([
    ['vault/item/field', 'op://Prod/db/password', { vault: 'Prod', item: 'db', field: 'password' }],
    ['with section', 'op://Prod/db/conn/password', { vault: 'Prod', item: 'db', field: 'password' }],
    ['too few parts', 'op://Prod/db', undefined],
    ['too many parts', 'op://a/b/c/d/e', undefined],
    ['empty segment', 'op://Prod//password', undefined],
  ])('parses %s', (_name, reference, want) => {
    expect(parseOpReference(reference)).toEqual(want);
  });

  it('getKey renders with an empty stack and component; !store refuses the secret-by-default store', async () => {
    const store = connect({ vault: 'Shared' });
    expect(store.secret).toBe(true);
    expect(store.rawKeyPath('Datadog/api_key')).toBe('op://Shared/Datadog/api_key');
    expect(store.rawKeyPath('op://x/{{ .atmos_stack }}missing/f')).toBe('op://x/missing/f');
    const registry = buildStoreRegistry({ op: { kind: 'onepassword', options: { connect_host: url, connect_token: fake.token } } }, { env: {} });
    await expect(evaluateStore(registry, { store: 'op', component: 'api', key: 'op://Shared/x/y' }, { stack: 'prod' })).rejects.toMatchObject({ code: 'STORE_IS_SECRET' });
  });
});

describe('CRUD against FAKE 1Password Connect (Atmos connectClient)', () => {
  it('set creates the item (API Credential, a Concealed field named after the reference) and get reads it', async () => {
    const store = connect();
    await store.set!('prod-ue1', 'api', 'op://{{ .atmos_stack }}/postgres/password', 'p@ss');
    const item = fake.item('prod-ue1', 'postgres')!;
    expect(item).toMatchObject({ title: 'postgres', category: 'API_CREDENTIAL', fields: [{ label: 'password', type: 'CONCEALED', value: 'p@ss' }] });
    expect(await store.get('prod-ue1', 'api', 'op://{{ .atmos_stack }}/postgres/password')).toBe('p@ss');
    expect(await store.getKey('op://prod-ue1/postgres/password')).toBe('p@ss');
  });

  it('set adds a field to an existing item and updates a field matched by label or id, case-insensitively; sections are ignored', async () => {
    const store = connect({ vault: 'Shared' });
    await store.set!('', '', 'db/user', 'admin');
    await store.set!('', '', 'db/conn/PASSWORD', 'first');
    await store.set!('', '', 'db/password', 'second');
    const item = fake.item('Shared', 'db')!;
    expect(item.fields.map((f) => [f.label, f.value])).toEqual([
      ['user', 'admin'],
      ['PASSWORD', 'second'],
    ]);
    expect(await store.get('', '', `db/${item.fields[0].id}`)).toBe('admin');
  });

  it('writes strings as they are and other values as JSON; reads decode only maps and lists (Atmos opStringValue)', async () => {
    const store = connect({ vault: 'Shared' });
    await store.set!('', '', 'types/map', { a: 1 });
    await store.set!('', '', 'types/num', 42);
    await store.set!('', '', 'types/text', '{"b":2}');
    const fields = Object.fromEntries(fake.item('Shared', 'types')!.fields.map((f) => [f.label, f.value]));
    expect(fields).toEqual({ map: '{"a":1}', num: '42', text: '{"b":2}' });
    expect(await store.get('', '', 'types/map')).toEqual({ a: 1 });
    expect(await store.get('', '', 'types/num')).toBe('42');
  });

  it('has reports the field without reading it elsewhere; delete removes the field, then the empty item; a missing vault, item or field is no error', async () => {
    const store = connect({ vault: 'Shared' });
    await store.set!('', '', 'pair/a', '1');
    await store.set!('', '', 'pair/b', '2');
    expect(await store.has!('', '', 'pair/a')).toBe(true);
    expect(await store.has!('', '', 'pair/zzz')).toBe(false);
    expect(await store.has!('', '', 'op://NoSuchVault/pair/a')).toBe(false);
    await store.delete!('', '', 'pair/a');
    expect(fake.item('Shared', 'pair')!.fields.map((f) => f.label)).toEqual(['b']);
    await store.delete!('', '', 'pair/b');
    expect(fake.item('Shared', 'pair')).toBeUndefined();
    await store.delete!('', '', 'pair/b');
    await store.delete!('', '', 'op://NoSuchVault/x/y');
    await expect(store.get('', '', 'pair/b')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND', message: expect.stringContaining('op://Shared/pair/b') });
  });

  it('batched reads fetch each vault once per store and each item once per batch, whatever the number of fields', async () => {
    const store = connect({ vault: 'Production' });
    for (let i = 0; i < 10; i++) await store.set!('', '', `app-a/f${i}`, `a${i}`);
    for (let i = 0; i < 5; i++) await store.set!('', '', `app-b/f${i}`, `b${i}`);
    const requests = [...Array.from({ length: 10 }, (_, i) => `app-a/f${i}`), ...Array.from({ length: 5 }, (_, i) => `app-b/f${i}`), 'app-a/none', 'app-c/none'];
    const fresh = connect({ vault: 'Production' });
    const before = fake.http.log.length;
    const results = await fresh.getMany(requests.map((key) => ({ stack: '', component: '', key })));
    expect(results.map((r) => (r.status === 'found' ? r.value : r.status))).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i}`), ...Array.from({ length: 5 }, (_, i) => `b${i}`), 'missing', 'missing']);
    const calls = fake.http.log.slice(before);
    // One vault lookup; per item one title search and one fetch (app-c: the search only).
    expect(calls.filter((c) => c.path === '/v1/vaults/').length).toBe(1);
    expect(calls.length).toBe(1 + 2 + 2 + 1);
    const again = fake.http.log.length;
    await fresh.getMany([{ stack: '', component: '', key: 'app-b/f1' }]);
    expect(fake.http.log.slice(again).filter((c) => c.path === '/v1/vaults/')).toEqual([]);
  });

  it('200 declared secrets in 20 items (benchmark B1\'s shape): one batch, 41 Connect requests', async () => {
    const writer = connect({ vault: 'Production' });
    const keys = Array.from({ length: 200 }, (_, i) => `b1-item-${i % 20}/field-${i}`);
    for (const k of keys) await writer.set!('', '', k, `v-${k}`);
    const reader = connect({ vault: 'Production' });
    const before = fake.http.log.length;
    const results = await reader.getMany(keys.map((key) => ({ stack: '', component: '', key })));
    expect(results.every((r, i) => r.status === 'found' && r.value === `v-${keys[i]}`)).toBe(true);
    expect(fake.http.log.length - before).toBe(1 + 20 * 2);
  }, 60_000);

  it('a malformed reference is refused before any request; set into a missing vault fails as not found', async () => {
    const store = connect();
    const before = fake.http.log.length;
    const [r] = await store.getMany([{ stack: 'prod', component: 'api', key: 'op://Shared/only-two' }]);
    expect(r).toMatchObject({ status: 'error', error: { code: 'STORE_KEY_INVALID' } });
    expect(fake.http.log.length).toBe(before);
    await expect(store.set!('', '', 'op://NoSuchVault/item/field', 'v')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND', message: expect.stringContaining('1Password vault "NoSuchVault" not found') });
  });

  it('a refused token is STORE_ACCESS_DENIED, without the server text or the token', async () => {
    const store = buildStoreRegistry({ op: { kind: 'onepassword', options: { mode: 'connect', connect_host: url, connect_token: 'wrong-token-abc' } } }, { env: {} }).get('op');
    const e = await rejection(store.get('', '', 'op://Shared/x/y'));
    expect(e.code).toBe('STORE_ACCESS_DENIED');
    expect(e.message).toContain('HTTP 401');
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toMatch(/Invalid token signature|wrong-token-abc/);
  });
});

describe('mode selection (Atmos newOnePasswordClient table)', () => {
  const registry = (options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => buildStoreRegistry({ op: { kind: 'onepassword', options } }, { env });

  it('no credentials → STORE_AUTH_FAILED on first use, not at load', async () => {
    const store = registry({}).get('op');
    const e = await rejection(store.get('', '', 'op://Shared/x/y'));
    expect(e).toMatchObject({ code: 'STORE_AUTH_FAILED' });
    expect(e.message).toContain('no 1Password credentials found');
  });

  it('auto prefers Connect when host and token are both set (even with a service-account token)', async () => {
    await connect().set!('', '', 'op://Shared/auto/f', 'v');
    const store = registry({ connect_host: url, connect_token: fake.token, token: 'ops_not-used' }).get('op');
    expect(await store.get('', '', 'op://Shared/auto/f')).toBe('v');
  });

  it('Connect settings come from OP_CONNECT_HOST / OP_CONNECT_TOKEN', async () => {
    const store = registry({ mode: 'connect' }, { OP_CONNECT_HOST: url, OP_CONNECT_TOKEN: fake.token }).get('op');
    expect(await store.get('', '', 'op://Shared/auto/f')).toBe('v');
  });

  it('explicit connect without Connect settings does not fall back to the service account', async () => {
    const store = registry({ mode: 'connect' }, { OP_SERVICE_ACCOUNT_TOKEN: 'ops_env' }).get('op');
    await expect(store.get('', '', 'op://Shared/x/y')).rejects.toMatchObject({ code: 'STORE_AUTH_FAILED', message: expect.stringContaining('connect mode needs') });
  });

  it('a Connect host that is not an http(s) URL is STORE_OPTION_INVALID on first use', async () => {
    const store = registry({ mode: 'connect' }, { OP_CONNECT_HOST: 'op-connect:8080', OP_CONNECT_TOKEN: 't' }).get('op');
    await expect(store.get('', '', 'op://Shared/x/y')).rejects.toMatchObject({ code: 'STORE_OPTION_INVALID', where: 'stores.op.options.connect_host' });
  });

  it('an unknown mode is refused at load, naming the option', () => {
    const e = thrown(() => registry({ mode: 'bogus', token: 'sa' }));
    expect(e).toMatchObject({ code: 'STORE_OPTION_INVALID', where: 'stores.op.options.mode' });
  });

  it.each([
    ['auto falls back to the service account', { token: 'ops_malformed-token-xyz' }, {}],
    ['explicit service-account', { mode: 'service-account', token: 'ops_malformed-token-xyz' }, {}],
    ['service account token from OP_SERVICE_ACCOUNT_TOKEN', { mode: 'service-account' }, { OP_SERVICE_ACCOUNT_TOKEN: 'ops_malformed-token-xyz' }],
  ])('%s: the real 1Password SDK is used and refuses a malformed token without echoing it', async (_name, options, env) => {
    const store = registry(options, env).get('op');
    const started = Date.now();
    const e = await rejection(store.get('', '', 'op://Shared/x/y'));
    expect(e.code).toBe('STORE_AUTH_FAILED');
    expect(e.message).toContain('the 1Password SDK refused the service account token');
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toMatch(/malformed-token-xyz|invalid format|deserialization/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
