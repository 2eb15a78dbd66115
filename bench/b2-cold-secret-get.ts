/**
 * Benchmark B2 (DESIGN.md §8): a cold `infrakey secret get` of a SOPS secret (a new Node process
 * each time) against `node -e 0`. Target: ≤ 2.5× the wall time of `node -e 0`. Uses the built CLI
 * (`npm run build`) on a temp copy of examples/quickstart. Writes bench/results/b2-node<major>.json (run it with each Node you ship for).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli/infrakey.js');
const RUNS = 15;

function time(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'infrakey-b2-'));
  cpSync(join(ROOT, 'examples/quickstart'), dir, { recursive: true });
  // The bin's V8 code cache (scripts/cli-launcher.js) goes to a folder of this run.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, ".xdg"), NODE_COMPILE_CACHE: join(dir, '.compile-cache'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  delete env.SOPS_AGE_KEY_FILE;
  delete env.SOPS_AGE_KEY;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  // The first run of a command on a machine has no code cache yet: measured with the cache off.
  const noCacheEnv: NodeJS.ProcessEnv = { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
  execFileSync(process.execPath, [CLI, 'secret', 'keygen'], { cwd: dir, env, stdio: 'ignore' });
  execFileSync(process.execPath, [CLI, 'secret', 'set', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'], { cwd: dir, env, input: 'b2-benchmark-value\n', stdio: ['pipe', 'ignore', 'ignore'] });
  const get = [CLI, 'secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'];
  // Warm the OS file cache for both commands (the first `get` also writes its code cache), then
  // alternate the measurements.
  time(['-e', '0'], dir, env);
  time(get, dir, env);
  const baseline: number[] = [];
  const secretGet: number[] = [];
  const noCache: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(time(['-e', '0'], dir, env));
    secretGet.push(time(get, dir, env));
    noCache.push(time(get, dir, noCacheEnv));
  }
  const ratio = median(secretGet) / median(baseline);
  const result = {
    benchmark: 'B2',
    work: '`infrakey secret get` of a SOPS (age) secret in a cold process vs `node -e 0`',
    runs: RUNS,
    nodeE0: { medianMs: Math.round(median(baseline) * 10) / 10, runsMs: baseline.map((x) => Math.round(x)) },
    secretGet: { medianMs: Math.round(median(secretGet) * 10) / 10, runsMs: secretGet.map((x) => Math.round(x)) },
    ratio: Math.round(ratio * 100) / 100,
    // The first run of the command on a machine (no code cache yet), for comparison.
    withoutCodeCache: {
      medianMs: Math.round(median(noCache) * 10) / 10,
      runsMs: noCache.map((x) => Math.round(x)),
      ratio: Math.round((median(noCache) / median(baseline)) * 100) / 100,
    },
    target: { maxRatio: 2.5 },
    pass: ratio <= 2.5,
    node: process.version,
  };
  const out = join(ROOT, `bench/results/b2-node${process.versions.node.split('.')[0]}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main();
