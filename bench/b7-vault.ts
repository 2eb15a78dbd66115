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
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildComponentSecrets, buildStoreRegistry, SecretBackends, SecretResolver } from '../core/internal';
import { VAULT_LIMITS } from '../core/stores/kinds/hashicorp-vault';

const N = 200;
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Counts every request to `address` made through the global fetch, and the most in flight at once. */
function countFetch(address: string): { calls: number; inFlight: number; maxInFlight: number; reset(): void } {
  const stats = {
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
    if (!url.startsWith(address)) return original(input, init);
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

async function main(): Promise<void> {
  const address = process.env.INFRAKEY_TEST_VAULT_ADDR;
  const token = process.env.INFRAKEY_TEST_VAULT_TOKEN;
  if (!address || !token) throw new Error('INFRAKEY_TEST_VAULT_ADDR/TOKEN are not set: start the Vault dev server with scripts/services.sh start and source .cache/services/env');
  const prefix = `b7-${randomUUID().slice(0, 8)}`;
  const stats = countFetch(address);
  const registryFor = () => buildStoreRegistry({ vault: { kind: 'hashicorp/vault', secret: true, options: { address, token, mount: 'secret', prefix } } }, { env: {} });
  const vars: Record<string, unknown> = {};
  for (let i = 0; i < N; i++) vars[`SECRET_${i}`] = { store: 'vault', scope: 'instance' };

  const seed = registryFor().get('vault');
  for (let i = 0; i < N; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, j) => seed.set?.('plat-ue2-dev', 'api', `SECRET_${i + j}`, `value-${i + j}-${randomUUID()}`)));
  }

  const infrakey: number[] = [];
  let infrakeyCalls = 0;
  let infrakeyMaxInFlight = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const reg = registryFor();
    const cs = buildComponentSecrets({ stack: 'plat-ue2-dev', component: 'api', section: { vars }, stores: reg });
    const resolver = new SecretResolver(new SecretBackends({ stores: reg, basePath: process.cwd() }));
    stats.reset();
    const t0 = performance.now();
    const { values, missing } = await resolver.resolveAll(cs);
    infrakey.push(performance.now() - t0);
    if (values.size !== N || missing.length !== 0) throw new Error(`resolved ${values.size} of ${N}`);
    infrakeyCalls = stats.calls;
    infrakeyMaxInFlight = Math.max(infrakeyMaxInFlight, stats.maxInFlight);
  }

  // A naive client: one GET per secret, each awaited before the next (what a loop over
  // `vault kv get` or a one-at-a-time SDK call does).
  const naive: number[] = [];
  let naiveCalls = 0;
  for (let r = 0; r < ROUNDS; r++) {
    stats.reset();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${address}/v1/secret/data/${seed.keyPath('plat-ue2-dev', 'api', `SECRET_${i}`)}`, { headers: { 'x-vault-token': token }, signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`naive read ${i}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    naive.push(performance.now() - t0);
    naiveCalls = stats.calls;
  }

  const result = {
    benchmark: 'B7',
    work: `resolve ${N} declared secrets of one component from Vault KV v2 (real dev server, ${address})`,
    batchRead: 'none: KV v2 reads one secret per request (GET /v1/<mount>/data/<path>); infrakey bounds concurrency instead',
    rounds: ROUNDS,
    infrakey: {
      backendCalls: infrakeyCalls,
      concurrencyLimit: VAULT_LIMITS.readConcurrency,
      maxInFlight: infrakeyMaxInFlight,
      medianMs: Math.round(median(infrakey) * 10) / 10,
      runsMs: infrakey.map((x) => Math.round(x)),
    },
    naiveOneByOne: { backendCalls: naiveCalls, maxInFlight: 1, medianMs: Math.round(median(naive) * 10) / 10, runsMs: naive.map((x) => Math.round(x)) },
    speedup: Math.round((median(naive) / median(infrakey)) * 10) / 10,
    targets: { backendCalls: `= ${N} (no batch call exists)`, maxInFlight: `<= ${VAULT_LIMITS.readConcurrency}`, notSlowerThanNaive: true },
    pass: infrakeyCalls === N && infrakeyMaxInFlight <= VAULT_LIMITS.readConcurrency && median(infrakey) <= median(naive),
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
