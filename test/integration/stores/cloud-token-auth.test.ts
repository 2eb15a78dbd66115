/**
 * Identity auth, failure mapping and time bounds of the token-based cloud stores
 * (azure/keyvault, gcp/secretmanager), against the named FAKEs of Key Vault (HTTPS, trusted
 * through an agent) and Secret Manager (REST v1):
 * - a store's identity (or the default identity it adopts) gives the SDK that identity's token;
 * - refused tokens, missing resolvers and failing logins map to stable codes, without the
 *   backend's own text;
 * - an endpoint that accepts connections and never answers fails every verb with
 *   STORE_UNREACHABLE within the documented bound.
 */
import { Secret } from '../../../core/secret';
import type { Store, StoreAuthResolver } from '../../../core/stores/store';
import { buildStoreRegistry, type StoreRegistry } from '../../../core/stores/store-registry';
import { TOKEN_STORE_LIMITS } from '../../../core/stores/token-connector';
import { FakeKeyVault } from '../../fakes/fake-keyvault';
import { FakeSecretManager } from '../../fakes/fake-secret-manager';
import { silentListener, timed, type SilentListener } from '../../support/silent-listener';
import { trustingAgent } from '../../support/tls-cert';

const kv = new FakeKeyVault({ acceptTokens: ['kv-token-of-azid'] });
const gsm = new FakeSecretManager({ acceptTokens: ['gcp-token-of-gcpid'] });
const registries: StoreRegistry[] = [];
const listeners: SilentListener[] = [];

beforeAll(async () => {
  await kv.start();
  await gsm.start();
});
afterAll(async () => {
  for (const r of registries) await r.close();
  for (const l of listeners) await l.close();
  await kv.stop();
  await gsm.stop();
});

/** A resolver that records its calls and hands out one token per identity. */
function resolver(tokens: Record<string, string>): StoreAuthResolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (identity: string, store: { cloud: string }) => {
    calls.push(`${identity}:${store.cloud}`);
    const t = tokens[identity];
    if (t === undefined) throw new Error(`no session for ${identity}`);
    return { token: async () => ({ token: Secret.of(t, 'token'), expiresOn: new Date(Date.now() + 3600_000) }) };
  };
  return Object.assign(fn, { calls });
}

function registry(stores: Record<string, unknown>, auth?: { resolver: StoreAuthResolver; defaultIdentity?: string }): StoreRegistry {
  const r = buildStoreRegistry(stores, { env: {}, kindHooks: { 'azure/keyvault': { clientOptions: { agent: trustingAgent(kv.ca()) } } }, ...(auth ? { auth } : {}) });
  registries.push(r);
  return r;
}

const kvStore = (extra: Record<string, unknown> = {}) => ({ kind: 'azure/keyvault', options: { vault_url: kv.url, disable_challenge_resource_verification: true }, ...extra });
const gsmStore = (extra: Record<string, unknown> = {}) => ({ kind: 'gcp/secretmanager', options: { project_id: 'p1', endpoint: gsm.url }, ...extra });

describe('identity tokens', () => {
  it("azure/keyvault sends the store identity's Key Vault token; gcp/secretmanager its access token", async () => {
    const res = resolver({ azid: 'kv-token-of-azid', gcpid: 'gcp-token-of-gcpid' });
    const reg = registry({ kv: kvStore({ identity: 'azid' }), gsm: gsmStore({ identity: 'gcpid' }) }, { resolver: res });
    await reg.get('kv').set!('dev', 'app', 'k', 'v1');
    await reg.get('gsm').set!('dev', 'app', 'k', 'v2');
    expect(await reg.get('kv').get('dev', 'app', 'k')).toBe('v1');
    expect(await reg.get('gsm').get('dev', 'app', 'k')).toBe('v2');
    expect(res.calls.sort()).toEqual(['azid:azure', 'gcpid:gcp']);
    expect(new Set(kv.calls.filter((c) => c.op !== 'challenge').map((c) => c.auth))).toEqual(new Set(['kv-token-of-azid']));
    expect(new Set(gsm.calls.map((c) => c.auth))).toEqual(new Set(['gcp-token-of-gcpid']));
  });

  it('a store without identity adopts the default identity (Atmos SetAuthContext)', async () => {
    const res = resolver({ azid: 'kv-token-of-azid', gcpid: 'gcp-token-of-gcpid' });
    const reg = registry({ kv: kvStore() }, { resolver: res, defaultIdentity: 'azid' });
    await reg.get('kv').set!('dev', 'app', 'adopted', 1);
    expect(res.calls).toEqual(['azid:azure']);
  });

  it('a refused token is STORE_ACCESS_DENIED, without the backend text', async () => {
    const reg = registry({ kv: kvStore({ identity: 'other' }), gsm: gsmStore({ identity: 'other' }) }, { resolver: resolver({ other: 'stale-token' }) });
    for (const name of ['kv', 'gsm']) {
      const e = (await reg.get(name).get('dev', 'app', 'k').catch((x: unknown) => x)) as { code: string; message: string };
      expect([name, e.code]).toEqual([name, 'STORE_ACCESS_DENIED']);
      expect(e.message).not.toMatch(/AKV10032|Invalid issuer|secretmanager\.versions/);
      expect(e.message).not.toContain('stale-token');
    }
  });

  it('an identity without a resolver, or whose login fails, is STORE_AUTH_FAILED naming the identity', async () => {
    const bare = registry({ kv: kvStore({ identity: 'azid' }), gsm: gsmStore({ identity: 'gcpid' }) });
    for (const name of ['kv', 'gsm']) {
      await expect(bare.get(name).get('dev', 'app', 'k')).rejects.toMatchObject({ code: 'STORE_AUTH_FAILED', message: expect.stringMatching(/requires identity "(azid|gcpid)" but no auth resolver/) });
    }
    const failing = registry({ kv: kvStore({ identity: 'gone' }), gsm: gsmStore({ identity: 'gone' }) }, { resolver: resolver({}) });
    for (const name of ['kv', 'gsm']) {
      await expect(failing.get(name).get('dev', 'app', 'k')).rejects.toMatchObject({ code: 'STORE_AUTH_FAILED', message: expect.stringContaining('identity "gone"'), fix: expect.stringContaining('infrakey auth login -i gone') });
    }
  });
});

const verbs: [string, (s: Store) => Promise<unknown>][] = [
  ['get', (s) => s.get('dev', 'app', 'k')],
  ['getMany', (s) => s.getMany([{ stack: 'dev', component: 'app', key: 'a' }, { rawKey: 'b' }])],
  ['set', (s) => s.set!('dev', 'app', 'k', 'v')],
  ['delete', (s) => s.delete!('dev', 'app', 'k')],
  ['has', (s) => s.has!('dev', 'app', 'k')],
  ['list', (s) => s.list!('dev', 'app')],
];
/** Scheduling slack on a shared 2-core machine (the bound itself is the product's promise). */
const SLACK_MS = 2500;

describe.each([
  ['azure/keyvault', (port: number) => ({ kind: 'azure/keyvault', options: { vault_url: `https://127.0.0.1:${port}`, without_authentication: true, disable_challenge_resource_verification: true } })],
  ['gcp/secretmanager', (port: number) => ({ kind: 'gcp/secretmanager', options: { project_id: 'p1', endpoint: `http://127.0.0.1:${port}`, without_authentication: true } })],
])('%s against a listener that never answers', (_kind, config) => {
  it(`every verb fails with STORE_UNREACHABLE naming the endpoint within ${TOKEN_STORE_LIMITS.callBoundMs} ms`, async () => {
    const results = await Promise.all(
      verbs.map(async ([verb, fn]) => {
        const endpoint = await silentListener();
        listeners.push(endpoint);
        const reg = registry({ [verb]: config(endpoint.port) });
        const r = await timed(() => fn(reg.get(verb)));
        return { verb, error: r.error, ms: r.ms, port: endpoint.port, accepted: endpoint.accepted() };
      }),
    );
    for (const r of results) {
      expect([r.verb, r.error]).toEqual([r.verb, expect.objectContaining({ code: 'STORE_UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${r.port}`) })]);
      expect([r.verb, r.accepted > 0]).toEqual([r.verb, true]);
      expect([r.verb, r.ms <= TOKEN_STORE_LIMITS.callBoundMs + SLACK_MS]).toEqual([r.verb, true]);
    }
  }, 60_000);
});

describe('a refused port (nothing listening)', () => {
  it('fails get and set with STORE_UNREACHABLE naming the endpoint, at once', async () => {
    const gone = await silentListener();
    const port = gone.port;
    await gone.close();
    const reg = registry({
      kv: { kind: 'azure/keyvault', options: { vault_url: `https://127.0.0.1:${port}`, without_authentication: true, disable_challenge_resource_verification: true } },
      gsm: { kind: 'gcp/secretmanager', options: { project_id: 'p1', endpoint: `http://127.0.0.1:${port}`, without_authentication: true } },
    });
    for (const name of ['kv', 'gsm']) {
      for (const [verb, fn] of verbs.filter(([v]) => v === 'get' || v === 'set')) {
        const r = await timed(() => fn(reg.get(name)));
        expect([name, verb, r.error]).toEqual([name, verb, expect.objectContaining({ code: 'STORE_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') })]);
        expect([name, verb, r.ms < TOKEN_STORE_LIMITS.callBoundMs]).toEqual([name, verb, true]);
      }
    }
  }, 60_000);
});

describe('azure/keyvault: concurrent first writes', () => {
  it('all land with their values when a later request completes the auth challenge first', async () => {
    const slow = new FakeKeyVault({ firstChallengeDelayMs: 300 });
    await slow.start();
    try {
      const reg = buildStoreRegistry(
        { kv: { kind: 'azure/keyvault', options: { vault_url: slow.url, without_authentication: true, disable_challenge_resource_verification: true } } },
        { env: {}, kindHooks: { 'azure/keyvault': { clientOptions: { agent: trustingAgent(slow.ca()) } } } },
      );
      registries.push(reg);
      const keys = ['a', 'b', 'c', 'd', 'e'];
      // Before the fix the first write went out without its body (HTTP 400, STORE_REQUEST_FAILED).
      await Promise.all(keys.map((k) => reg.get('kv').set!('dev', 'app', k, `value-${k}`)));
      expect(keys.map((k) => slow.stored(`dev-app-${k}`))).toEqual(keys.map((k) => JSON.stringify(`value-${k}`)));
    } finally {
      await slow.stop();
    }
  });
});
