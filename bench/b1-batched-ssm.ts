/**
 * Benchmark B1 (DESIGN.md §8): resolve 200 declared SSM secrets of one component against moto.
 * Target: ≤ 20 backend calls and ≥ 5× faster than one GetParameter per secret. Backend calls are
 * counted by AWS SDK middleware on the clients the stores create. Needs moto:
 * `scripts/services.sh start && source .cache/services/env`, then `npm run bench:b1`.
 * Writes bench/results/b1.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { buildComponentSecrets, buildStoreRegistry, SecretBackends, SecretResolver } from '../core/internal';

const N = 200;
const ROUNDS = 5;

interface Countable {
  middlewareStack: { add(mw: (next: (a: unknown) => Promise<unknown>) => (a: unknown) => Promise<unknown>, o: { step: 'initialize'; name: string }): void };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const endpoint = process.env.INFRAKEY_TEST_MOTO_ENDPOINT;
  if (!endpoint) throw new Error('INFRAKEY_TEST_MOTO_ENDPOINT is not set: start moto with scripts/services.sh start and source .cache/services/env');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const prefix = `/b1-${randomUUID().slice(0, 8)}`;
  const calls = { n: 0 };
  const count = (client: unknown): void =>
    (client as Countable).middlewareStack.add(
      (next) => async (args) => {
        calls.n++;
        return next(args);
      },
      { step: 'initialize', name: 'b1Count' },
    );
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const registryFor = () =>
    buildStoreRegistry(
      { ssm: { kind: 'aws/ssm', secret: true, options: { region: 'us-east-1', prefix, endpoint } } },
      { awsCredentials: () => async () => credentials, onAwsClient: count },
    );
  const vars: Record<string, unknown> = {};
  for (let i = 0; i < N; i++) vars[`SECRET_${i}`] = { store: 'ssm', scope: 'instance' };

  // Seed the values.
  const seed = registryFor();
  const store = seed.get('ssm');
  for (let i = 0; i < N; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, j) => store.set?.('plat-ue2-dev', 'api', `SECRET_${i + j}`, `value-${i + j}-${randomUUID()}`)));
  }

  const batched: number[] = [];
  let batchedCalls = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const reg = registryFor(); // a fresh process-like resolver and client each round
    const cs = buildComponentSecrets({ stack: 'plat-ue2-dev', component: 'api', section: { vars }, stores: reg });
    const resolver = new SecretResolver(new SecretBackends({ stores: reg, basePath: process.cwd() }));
    calls.n = 0;
    const t0 = performance.now();
    const { values, missing } = await resolver.resolveAll(cs);
    batched.push(performance.now() - t0);
    if (values.size !== N || missing.length !== 0) throw new Error(`resolved ${values.size} of ${N}`);
    batchedCalls = calls.n;
  }

  const naive: number[] = [];
  let naiveCalls = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const client = new SSMClient({ endpoint, region: 'us-east-1', credentials });
    count(client);
    calls.n = 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await client.send(new GetParameterCommand({ Name: store.keyPath('plat-ue2-dev', 'api', `SECRET_${i}`), WithDecryption: true }));
    }
    naive.push(performance.now() - t0);
    naiveCalls = calls.n;
    client.destroy();
  }

  const result = {
    benchmark: 'B1',
    work: `resolve ${N} declared SSM secrets of one component (moto)`,
    backend: endpoint,
    rounds: ROUNDS,
    batched: { backendCalls: batchedCalls, medianMs: Math.round(median(batched) * 10) / 10, runsMs: batched.map((x) => Math.round(x)) },
    oneGetParameterPerSecret: { backendCalls: naiveCalls, medianMs: Math.round(median(naive) * 10) / 10, runsMs: naive.map((x) => Math.round(x)) },
    speedup: Math.round((median(naive) / median(batched)) * 10) / 10,
    targets: { maxBackendCalls: 20, minSpeedup: 5 },
    pass: batchedCalls <= 20 && median(naive) / median(batched) >= 5,
    node: process.version,
  };
  const out = resolve(__dirname, '../../../bench/results/b1.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`B1 failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
