/**
 * Benchmark B7, cloud half (DESIGN.md §8): resolve 200 declared secrets of one component from an
 * emulated cloud store: Azure Key Vault (the named FAKE of test/fakes/fake-keyvault.ts over HTTPS,
 * Lowkey Vault not being served by the reachable Maven Central) and, alongside, Google Secret
 * Manager (test/fakes/fake-secret-manager.ts, REST v1). Neither API has a batch read, so the
 * resolver's batching is bounded parallelism (8 reads in flight) and the backend calls stay one
 * per secret; measured against one SDK call per secret in sequence. Calls are counted by the
 * fakes. Writes bench/results/b7-cloud.json. Run: `npm run bench:b7-cloud`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildComponentSecrets, buildStoreRegistry, SecretBackends, SecretResolver } from '../core/internal';
import type { StoreRegistry } from '../core/stores/store-registry';
import { trustingAgent } from '../test/support/tls-cert';

const N = 200;
const ROUNDS = 5;
const STACK = 'plat-ue2-dev';
const COMPONENT = 'api';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const round1 = (x: number): number => Math.round(x * 10) / 10;

interface Case {
  name: string;
  kind: string;
  registry: () => StoreRegistry;
  /** Backend reads so far (challenges and auth probes excluded), counted by the fake. */
  calls: () => Promise<number>;
  /** One SDK read of `path`, the naive way. */
  naiveClient: () => Promise<{ read: (path: string) => Promise<unknown>; close: () => Promise<void> }>;
}

async function measure(c: Case): Promise<Record<string, unknown>> {
  const vars: Record<string, unknown> = {};
  for (let i = 0; i < N; i++) vars[`SECRET_${i}`] = { store: 'cloud', scope: 'instance' };
  const seed = c.registry();
  const store = seed.get('cloud');
  for (let i = 0; i < N; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, j) => store.set?.(STACK, COMPONENT, `SECRET_${i + j}`, `value-${i + j}-${randomUUID()}`)));
  }
  await seed.close();

  const batched: number[] = [];
  let batchedCalls = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const reg = c.registry(); // a fresh resolver and SDK client each round, as a new process
    const cs = buildComponentSecrets({ stack: STACK, component: COMPONENT, section: { vars }, stores: reg });
    const resolver = new SecretResolver(new SecretBackends({ stores: reg, basePath: process.cwd() }));
    const before = await c.calls();
    const t0 = performance.now();
    const { values, missing } = await resolver.resolveAll(cs);
    batched.push(performance.now() - t0);
    if (values.size !== N || missing.length !== 0) throw new Error(`${c.name}: resolved ${values.size} of ${N}`);
    batchedCalls = (await c.calls()) - before;
    await reg.close();
  }

  const naive: number[] = [];
  let naiveCalls = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const client = await c.naiveClient();
    const before = await c.calls();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await client.read(store.keyPath(STACK, COMPONENT, `SECRET_${i}`));
    naive.push(performance.now() - t0);
    naiveCalls = (await c.calls()) - before;
    await client.close();
  }
  return {
    kind: c.kind,
    backend: c.name,
    resolver: { backendCalls: batchedCalls, medianMs: round1(median(batched)), runsMs: batched.map((x) => Math.round(x)) },
    oneCallPerSecretInSequence: { backendCalls: naiveCalls, medianMs: round1(median(naive)), runsMs: naive.map((x) => Math.round(x)) },
    speedup: round1(median(naive) / median(batched)),
    batchApi: false,
  };
}

/** One answer of the fake host to `message`. */
function ask<T>(host: ChildProcess, message?: string): Promise<T> {
  return new Promise((resolve) => {
    host.once('message', (m) => resolve(m as T));
    if (message) host.send(message);
  });
}

async function main(): Promise<void> {
  // The fakes run in their own process: the client's event loop is not the server's.
  const host = fork(join(__dirname, 'fake-host.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await ask<{ kv: string; gsm: string; ca: string }>(host);
  const kv = { url: urls.kv };
  const gsm = { url: urls.gsm };
  const counts = () => ask<{ kv: number; gsm: number }>(host, 'calls');
  const agent = trustingAgent(urls.ca, true); // keep-alive, as the SDK's own agent
  const kvOptions = { vault_url: kv.url, without_authentication: true, disable_challenge_resource_verification: true, prefix: `b7-${randomUUID().slice(0, 8)}` };
  const gsmOptions = { project_id: 'b7', endpoint: gsm.url, without_authentication: true, prefix: `b7_${randomUUID().slice(0, 8)}` };
  const kvReads = async () => (await counts()).kv;
  const gsmReads = async () => (await counts()).gsm;
  try {
    const cases: Case[] = [
      {
        name: 'FAKE Azure Key Vault (test/fakes/fake-keyvault.ts, HTTPS on 127.0.0.1, own process)',
        kind: 'azure/keyvault',
        registry: () => buildStoreRegistry({ cloud: { kind: 'azure/keyvault', secret: true, options: kvOptions } }, { env: {}, kindHooks: { 'azure/keyvault': { clientOptions: { agent } } } }),
        calls: kvReads,
        naiveClient: async () => {
          const { SecretClient } = await import('@azure/keyvault-secrets');
          const client = new SecretClient(kv.url, { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }) }, { disableChallengeResourceVerification: true, agent });
          return { read: (p) => client.getSecret(p), close: async () => undefined };
        },
      },
      {
        name: 'FAKE Google Secret Manager (test/fakes/fake-secret-manager.ts, REST v1 on 127.0.0.1, own process)',
        kind: 'gcp/secretmanager',
        registry: () => buildStoreRegistry({ cloud: { kind: 'gcp/secretmanager', secret: true, options: gsmOptions } }, { env: {} }),
        calls: gsmReads,
        naiveClient: async () => {
          const [{ SecretManagerServiceClient }, gax, auth] = await Promise.all([import('@google-cloud/secret-manager'), import('google-gax/fallback'), import('google-auth-library')]);
          const port = Number(new URL(gsm.url).port);
          const client = new SecretManagerServiceClient({ fallback: true, apiEndpoint: '127.0.0.1', port, protocol: 'http', authClient: new auth.PassThroughClient() } as never, gax as never);
          return { read: (p) => client.accessSecretVersion({ name: `projects/b7/secrets/${p}/versions/latest` }), close: () => client.close() };
        },
      },
    ];
    const results = [];
    for (const c of cases) results.push(await measure(c));
    const result = {
      benchmark: 'B7 (cloud store)',
      work: `resolve ${N} declared secrets of one component from an emulated cloud store`,
      rounds: ROUNDS,
      results,
      note: 'Neither Key Vault nor Secret Manager has a batch read: one call per secret either way; the resolver reads 8 at a time.',
      node: process.version,
    };
    const out = resolve(__dirname, '../../../bench/results/b7-cloud.json');
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    agent.destroy();
    host.send('stop');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`B7 failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
