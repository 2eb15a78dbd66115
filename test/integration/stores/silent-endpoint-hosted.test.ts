/**
 * Nothing hangs (issue 10 #1): 1Password Connect, Artifactory and GitHub's API behind a listener
 * that accepts the connection and never answers. Every verb that reaches the network fails with
 * STORE_UNREACHABLE naming the endpoint, within one request time limit
 * (STORE_HTTP_LIMITS.requestTimeoutMs) of connecting. GitHub reads come from the runner's
 * environment and never reach the network.
 */
import type { Store } from '../../../core/stores/store';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import { STORE_HTTP_LIMITS } from '../../../core/stores/store-http';
import { silentListener, timed, type SilentListener } from '../../support/silent-listener';

/** Scheduling slack on a shared 2-core machine (the bound itself is the product's promise). */
const SLACK_MS = 2500;

type Verb = [string, (s: Store) => Promise<unknown>];
const reads: Verb[] = [
  ['get', (s) => s.get('dev', 'app', 'op://V/item/field')],
  ['getMany', (s) => s.getMany([{ stack: 'dev', component: 'app', key: 'op://V/item/a' }, { rawKey: 'op://V/item/b' }])],
  ['getKey', (s) => s.getKey('op://V/item/field')],
];
const writes: Verb[] = [
  ['set', (s) => s.set!('dev', 'app', 'op://V/item/field', 'v')],
  ['delete', (s) => s.delete!('dev', 'app', 'op://V/item/field')],
  ['has', (s) => s.has!('dev', 'app', 'op://V/item/field')],
];
const list: Verb = ['list', (s) => s.list!('dev', 'app')];

const cases: { kind: string; verbs: Verb[]; config: (url: string) => Record<string, unknown>; label: (url: string) => string }[] = [
  { kind: 'onepassword', verbs: [...reads, ...writes], config: (url) => ({ kind: 'onepassword', options: { mode: 'connect', connect_host: url, connect_token: 'tok-not-shown' } }), label: (url) => url },
  { kind: 'artifactory', verbs: [...reads, ...writes, list], config: (url) => ({ kind: 'artifactory', options: { url: `${url}/artifactory`, repo_name: 'r', access_token: 'tok-not-shown' } }), label: (url) => `${url}/artifactory` },
  { kind: 'github/actions', verbs: [...writes, list], config: (url) => ({ kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: 'tok-not-shown', api_url: url } }), label: (url) => url },
];

describe.each(cases)('$kind against a listener that never answers', ({ verbs, config, label }) => {
  const listeners: SilentListener[] = [];
  afterAll(async () => {
    for (const l of listeners) await l.close();
  });

  it(`every verb that reaches the network fails with STORE_UNREACHABLE within ${STORE_HTTP_LIMITS.requestTimeoutMs} ms of connecting`, async () => {
    const results = await Promise.all(
      verbs.map(async ([verb, fn]) => {
        const endpoint = await silentListener();
        listeners.push(endpoint);
        const registry = buildStoreRegistry({ [verb]: config(endpoint.url) }, { env: {} });
        const r = await timed(() => fn(registry.get(verb)));
        const first = endpoint.firstAcceptedAt();
        const error = verb === 'getMany' ? ((r.value as { error?: unknown }[] | undefined)?.[0]?.error ?? r.error) : r.error;
        return { verb, error, url: endpoint.url, accepted: endpoint.accepted(), afterConnectMs: first === undefined ? undefined : performance.now() - first };
      }),
    );
    for (const r of results) {
      expect([r.verb, r.error]).toEqual([r.verb, expect.objectContaining({ code: 'STORE_UNREACHABLE', message: expect.stringContaining(label(r.url)) })]);
      expect([r.verb, (r.error as Error).message]).toEqual([r.verb, expect.stringContaining('ETIMEDOUT')]);
      expect((r.error as Error).message).not.toContain('tok-not-shown');
      expect([r.verb, r.accepted >= 1]).toEqual([r.verb, true]);
      // It waited for the time limit (the limit's clock starts when the request starts, a little before the connection).
      expect([r.verb, r.afterConnectMs! >= STORE_HTTP_LIMITS.requestTimeoutMs - 1000]).toEqual([r.verb, true]);
      expect([r.verb, r.afterConnectMs! <= STORE_HTTP_LIMITS.requestTimeoutMs + SLACK_MS]).toEqual([r.verb, true]);
    }
  }, 60_000);
});

it('GitHub Actions reads never reach the network (they come from the runner environment)', async () => {
  const endpoint = await silentListener();
  try {
    const registry = buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: 't', api_url: endpoint.url } } }, { env: { GITHUB_ACTIONS: 'true', TOKEN_X: 'x' } });
    expect(await registry.get('gh').get('dev', 'app', 'token_x')).toBe('x');
    expect(endpoint.accepted()).toBe(0);
  } finally {
    await endpoint.close();
  }
});
