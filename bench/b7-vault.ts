/**
 * Benchmark B7 (DESIGN.md §8): resolve 200 declared secrets of one component from a real Vault dev
 * server (KV v2), side by side with a naive client that reads them one by one. KV v2 has no batch
 * read (one GET per secret, `GET /v1/<mount>/data/<path>`), so the backend call count cannot drop
 * below one per secret: infrakey's gain is bounded concurrency (VAULT_LIMITS.readConcurrency
 * requests in flight), measured here with the largest number in flight seen. Calls are counted on
 * `fetch`, which the store uses for every request. Needs the Vault dev server:
 * `scripts/services.sh start && source .cache/services/env`. Writes bench/results/b7.json.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildComponentSecrets, buildStoreRegistry, SecretBackends, SecretResolver } from '../core/internal';
import { VAULT_LIMITS } from '../core/stores/kinds/hashicorp-vault';

const N = 200;
const ROUNDS = 7;
/** The round trip the delaying proxy adds to each request. */
const LATENCY_MS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Counts every request made through the global fetch to an address in `watched`, and the most in flight at once. */
function countFetch(watched: string[]): Stats {
  const stats: Stats = {
    calls: 0,
    inFlight: 0,
    maxInFlight: 0,
    reset() {
      stats.calls = 0;
      stats.maxInFlight = 0;
    },
  };
  const original = globalThis.fetch;
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!watched.some((w) => url.startsWith(`${w}/`))) return original(input, init);
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      const response = await original(input, init);
      // The request is in flight until its body is read; buffer it here so the count is exact.
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, headers: response.headers });
    } finally {
      stats.inFlight--;
    }
  };
  return stats;
}

interface Stats {
  calls: number;
  inFlight: number;
  maxInFlight: number;
  reset(): void;
}

interface Measured {
  infrakey: { backendCalls: number; maxInFlight: number; medianMs: number; runsMs: number[] };
  naiveOneByOne: { backendCalls: number; maxInFlight: number; medianMs: number; runsMs: number[] };
  speedup: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function measure(address: string, token: string, prefix: string, stats: Stats, vars: Record<string, unknown>, keyPath: (stack: string, component: string, key: string) => string): Promise<Measured> {
  const registryFor = () => buildStoreRegistry({ vault: { kind: 'hashicorp/vault', secret: true, options: { address, token, mount: 'secret', prefix } } }, { env: {} });
  // Rounds alternate infrakey and the naive client, so load changes on a shared machine hit both.
  const infrakey: number[] = [];
  const naive: number[] = [];
  let infrakeyCalls = 0;
  let infrakeyMaxInFlight = 0;
  let naiveCalls = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const reg = registryFor();
    const cs = buildComponentSecrets({ stack: 'plat-ue2-dev', component: 'api', section: { vars }, stores: reg });
    const resolver = new SecretResolver(new SecretBackends({ stores: reg, basePath: process.cwd() }));
    stats.reset();
    let t0 = performance.now();
    const { values, missing } = await resolver.resolveAll(cs);
    infrakey.push(performance.now() - t0);
    if (values.size !== N || missing.length !== 0) throw new Error(`resolved ${values.size} of ${N}`);
    infrakeyCalls = stats.calls;
    infrakeyMaxInFlight = Math.max(infrakeyMaxInFlight, stats.maxInFlight);

    // A naive client: one GET per secret, each awaited before the next (what a loop over
    // `vault kv get` or a one-at-a-time SDK call does).
    stats.reset();
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${address}/v1/secret/data/${keyPath('plat-ue2-dev', 'api', `SECRET_${i}`)}`, { headers: { 'x-vault-token': token }, signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`naive read ${i}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    naive.push(performance.now() - t0);
    naiveCalls = stats.calls;
  }

  return {
    infrakey: { backendCalls: infrakeyCalls, maxInFlight: infrakeyMaxInFlight, medianMs: round1(median(infrakey)), runsMs: infrakey.map((x) => Math.round(x)) },
    naiveOneByOne: { backendCalls: naiveCalls, maxInFlight: 1, medianMs: round1(median(naive)), runsMs: naive.map((x) => Math.round(x)) },
    speedup: round1(median(naive) / median(infrakey)),
  };
}

/** An HTTP proxy on 127.0.0.1 that waits `ms` before forwarding each request to `target`. */
async function delayingProxy(target: string, ms: number): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const fwd = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        fwd.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        fwd.end(Buffer.concat(chunks));
      }, ms);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

async function main(): Promise<void> {
  const address = process.env.INFRAKEY_TEST_VAULT_ADDR;
  const token = process.env.INFRAKEY_TEST_VAULT_TOKEN;
  if (!address || !token) throw new Error('INFRAKEY_TEST_VAULT_ADDR/TOKEN are not set: start the Vault dev server with scripts/services.sh start and source .cache/services/env');
  const prefix = `b7-${randomUUID().slice(0, 8)}`;
  // The delaying proxy's address joins the watched list once it is known.
  const watched = [address];
  const stats = countFetch(watched);
  const vars: Record<string, unknown> = {};
  for (let i = 0; i < N; i++) vars[`SECRET_${i}`] = { store: 'vault', scope: 'instance' };

  const seed = buildStoreRegistry({ vault: { kind: 'hashicorp/vault', secret: true, options: { address, token, mount: 'secret', prefix } } }, { env: {} }).get('vault');
  for (let i = 0; i < N; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, j) => seed.set?.('plat-ue2-dev', 'api', `SECRET_${i + j}`, `value-${i + j}-${randomUUID()}`)));
  }
  const keyPath = seed.keyPath.bind(seed);

  const loopback = await measure(address, token, prefix, stats, vars, keyPath);
  // The same through a proxy on 127.0.0.1 that holds each request LATENCY_MS before passing it on:
  // the round trip to a Vault across a network, which bounded concurrency overlaps.
  const proxy = await delayingProxy(address, LATENCY_MS);
  let delayed: Measured;
  try {
    watched.push(proxy.url);
    delayed = await measure(proxy.url, token, prefix, stats, vars, keyPath);
  } finally {
    await proxy.close();
  }

  const ok = (m: Measured) => m.infrakey.backendCalls === N && m.infrakey.maxInFlight <= VAULT_LIMITS.readConcurrency;
  const result = {
    benchmark: 'B7',
    work: `resolve ${N} declared secrets of one component from Vault KV v2 (real dev server), infrakey against a naive one-by-one client`,
    server: `${process.env.INFRAKEY_TEST_VAULT_SERVER ?? 'unknown'} -dev on 127.0.0.1`,
    batchRead: 'none: KV v2 reads one secret per request (GET /v1/<mount>/data/<path>); infrakey bounds concurrency instead',
    concurrencyLimit: VAULT_LIMITS.readConcurrency,
    rounds: ROUNDS,
    loopback,
    [`withRoundTrip${LATENCY_MS}ms`]: delayed,
    // DESIGN §8 sets no time target for B7 (backend calls and time are reported): what infrakey
    // promises is one call per secret, each once, and never more than the limit in flight.
    targets: { backendCalls: `= ${N} (no batch call exists)`, maxInFlight: `<= ${VAULT_LIMITS.readConcurrency}` },
    pass: ok(loopback) && ok(delayed),
    node: process.version,
  };
  const out = resolve(__dirname, '../../../bench/results/b7.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`B7 failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
