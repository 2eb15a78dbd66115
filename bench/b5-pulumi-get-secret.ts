/**
 * Benchmark B5 (DESIGN.md §8): a Pulumi program (Pulumi's mock engine) that calls getSecret 200
 * times for 200 SSM-declared secrets of one component. Target: ≤ 20 backend calls. Calls are
 * counted on the wire, by an HTTP proxy between the store and moto. For comparison, the same 200
 * reads made one after another (each awaited before the next call) cost one call each.
 * Needs moto: `scripts/services.sh start && source .cache/services/env`, then `npm run bench:b5`.
 * Writes bench/results/b5.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as pulumi from '@pulumi/pulumi';
import { setSecret, Workspace } from '../core/internal';
import { getSecret, resetWorkspaces } from '../pulumi/index';

const N = 200;
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

async function main(): Promise<void> {
  const endpoint = process.env.INFRAKEY_TEST_MOTO_ENDPOINT;
  if (!endpoint) throw new Error('INFRAKEY_TEST_MOTO_ENDPOINT is not set: start moto with scripts/services.sh start and source .cache/services/env');
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const upstream = new URL(endpoint);
  const calls: string[] = [];
  const proxy = createServer((req, res) => {
    calls.push(String(req.headers['x-amz-target'] ?? '?').split('.').pop() ?? '?');
    const fwd = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), 'ik-b5-'));
  const prefix = `/b5-${randomUUID().slice(0, 8)}`;
  const names = Array.from({ length: N }, (_, i) => `SECRET_${i}`);
  writeFileSync(join(dir, 'atmos.yaml'), `stacks:\n  base_path: stacks\n  included_paths: ["*.yaml"]\n  name_template: "{{ .vars.stage }}"\nstores:\n  ssm:\n    kind: aws/ssm\n    secret: true\n    options: { region: us-east-1, prefix: "${prefix}", endpoint: "${proxyUrl}" }\n`);
  mkdirSync(join(dir, 'stacks'));
  writeFileSync(join(dir, 'stacks', 'dev.yaml'), `vars: { stage: dev }\ncomponents:\n  terraform:\n    api:\n      secrets:\n        vars:\n${names.map((n) => `          ${n}: { store: ssm }`).join('\n')}\n`);

  const ws = await Workspace.load({ cwd: dir });
  for (let i = 0; i < N; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((n) => setSecret(ws.secretsLayer(), { stack: 'dev', component: 'api' }, n, `value-${n}-${randomUUID()}`)));
  }
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, 'api', 'dev', false);

  const batched: { ms: number; calls: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    resetWorkspaces(); // a fresh workspace and resolver: nothing cached from the last round
    calls.length = 0;
    const t0 = performance.now();
    const outs = names.map((n) => getSecret(n, { cwd: dir }));
    const values = await Promise.all(outs.map(valueOf));
    const ms = performance.now() - t0;
    if (values.length !== N || !values.every((v, i) => v.startsWith(`value-${names[i]}-`))) throw new Error('wrong values');
    batched.push({ ms, calls: calls.length });
  }

  resetWorkspaces();
  calls.length = 0;
  const t1 = performance.now();
  for (const n of names) await valueOf(getSecret(n, { cwd: dir }));
  const sequential = { ms: performance.now() - t1, calls: calls.length };

  proxy.close();
  rmSync(dir, { recursive: true, force: true });
  const maxCalls = Math.max(...batched.map((b) => b.calls));
  const result = {
    id: 'B5',
    work: `a Pulumi program (mock engine) with ${N} getSecret calls, SSM on moto`,
    target: '<= 20 backend calls',
    node: process.version,
    rounds: ROUNDS,
    batched: { backendCalls: maxCalls, medianMs: Math.round(median(batched.map((b) => b.ms)) * 10) / 10, perRound: batched.map((b) => ({ calls: b.calls, ms: Math.round(b.ms * 10) / 10 })) },
    oneAfterAnother: { backendCalls: sequential.calls, ms: Math.round(sequential.ms * 10) / 10 },
    speedup: Math.round((sequential.ms / median(batched.map((b) => b.ms))) * 10) / 10,
    pass: maxCalls <= 20,
  };
  const out = resolve(__dirname, '../../../bench/results/b5.json');
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  if (!result.pass) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
