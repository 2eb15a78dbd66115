/**
 * Nothing hangs: a Vault store against an endpoint that accepts and never answers, and against one
 * that sends its answer one byte at a time (the case an idle-socket time-out, as node-vault's,
 * never ends), fails every verb with STORE_UNREACHABLE within VAULT_CALL_BOUND_MS.
 */
import { createServer, type Server } from 'node:http';
import { VAULT_CALL_BOUND_MS, VAULT_LIMITS } from '../../../core/stores/kinds/hashicorp-vault';
import type { Store } from '../../../core/stores/store';
import { buildStoreRegistry, type StoreRegistry } from '../../../core/stores/store-registry';
import { silentListener, STORE_VERBS, timed, type SilentListener } from '../../support/silent-listener';

/** Scheduling slack on a shared 2-core machine (the bound itself is the product's promise). */
const SLACK_MS = 2500;

const verbs = STORE_VERBS;

const registries: StoreRegistry[] = [];
const vaultStore = (address: string, name: string): Store => {
  const registry = buildStoreRegistry({ [name]: { kind: 'hashicorp/vault', options: { address, token: 'tok-never-shown', mount: 'secret' } } }, { env: {} });
  registries.push(registry);
  return registry.get(name);
};
afterAll(async () => {
  for (const r of registries) await r.close();
});

describe('hashicorp/vault against a listener that never answers', () => {
  const listeners: SilentListener[] = [];
  afterAll(async () => {
    for (const l of listeners) await l.close();
  });

  it(`every verb fails with STORE_UNREACHABLE naming the address within ${VAULT_CALL_BOUND_MS} ms of connecting`, async () => {
    const results = await Promise.all(
      verbs.map(async ([verb, fn]) => {
        const endpoint = await silentListener();
        listeners.push(endpoint);
        const r = await timed(() => fn(vaultStore(endpoint.url, verb)));
        const first = endpoint.firstAcceptedAt();
        return { verb, error: r.error, url: endpoint.url, accepted: endpoint.accepted(), afterConnectMs: first === undefined ? undefined : performance.now() - first };
      }),
    );
    for (const r of results) {
      expect([r.verb, r.error]).toEqual([r.verb, expect.objectContaining({ code: 'STORE_UNREACHABLE', message: expect.stringContaining(r.url) })]);
      expect([r.verb, (r.error as Error).message]).toEqual([r.verb, expect.stringContaining('ETIMEDOUT')]);
      expect((r.error as Error).message).not.toContain('tok-never-shown');
      // Every attempt really connected and waited for the request time limit, and no longer than the
      // bound. (getMany reads its two keys side by side: KV v2 has no batch read. Node 24's fetch
      // sometimes opens one spare connection, so the count has a range; the time bound does not.)
      const attempts = VAULT_LIMITS.maxAttempts * (r.verb === 'getMany' ? 2 : 1);
      expect([r.verb, r.accepted >= attempts && r.accepted <= 2 * attempts]).toEqual([r.verb, true]);
      expect([r.verb, r.afterConnectMs! >= VAULT_LIMITS.requestTimeoutMs]).toEqual([r.verb, true]);
      expect([r.verb, r.afterConnectMs! <= VAULT_CALL_BOUND_MS + SLACK_MS]).toEqual([r.verb, true]);
    }
  }, 60_000);
});

describe('hashicorp/vault: 200 reads against a dead server', () => {
  it('a getMany of 200 keys stops at the first unreachable answer: one call bound, not 200 / concurrency of them', async () => {
    const endpoint = await silentListener();
    try {
      const s = vaultStore(endpoint.url, 'many');
      const r = await timed(() => s.getMany(Array.from({ length: 200 }, (_, i) => ({ stack: 'dev', component: 'app', key: `k${i}` }))));
      expect(r.error).toMatchObject({ code: 'STORE_UNREACHABLE' });
      expect(r.ms).toBeLessThanOrEqual(VAULT_CALL_BOUND_MS + SLACK_MS);
      // Only the reads in flight were sent (fetch may open a spare connection), never one per key.
      expect(endpoint.accepted()).toBeLessThan(4 * VAULT_LIMITS.readConcurrency * VAULT_LIMITS.maxAttempts);
    } finally {
      await endpoint.close();
    }
  }, 60_000);
});

describe('hashicorp/vault against a server that answers one byte at a time', () => {
  let server: Server;
  let url: string;
  const timers = new Set<NodeJS.Timeout>();
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // A byte every 100 ms, forever: the socket is never idle, the answer never ends.
      const t = setInterval(() => res.write(' '), 100);
      timers.add(t);
      res.on('close', () => {
        clearInterval(t);
        timers.delete(t);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it(`get, set and list fail with STORE_UNREACHABLE within ${VAULT_CALL_BOUND_MS} ms`, async () => {
    const results = await Promise.all(verbs.filter(([v]) => ['get', 'set', 'list'].includes(v)).map(async ([verb, fn]) => ({ verb, ...(await timed(() => fn(vaultStore(url, `drip-${verb}`)))) })));
    for (const r of results) {
      expect([r.verb, r.error]).toEqual([r.verb, expect.objectContaining({ code: 'STORE_UNREACHABLE' })]);
      expect([r.verb, r.ms <= VAULT_CALL_BOUND_MS + SLACK_MS]).toEqual([r.verb, true]);
    }
  }, 60_000);
});

describe('hashicorp/vault against a server that redirects', () => {
  it('refuses the redirect: the token never reaches the other address', async () => {
    const seen: (string | undefined)[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers['x-vault-token'] as string | undefined);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"data":{"value":"x"}}}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const target = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    const redirecting = createServer((req, res) => res.writeHead(307, { location: `${target}${req.url}` }).end());
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', () => r()));
    try {
      const s = vaultStore(`http://127.0.0.1:${(redirecting.address() as { port: number }).port}`, 'redirect');
      await expect(s.get('dev', 'app', 'k')).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_/) });
      expect(seen).toEqual([]);
    } finally {
      await new Promise<void>((r) => redirecting.close(() => r()));
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});
