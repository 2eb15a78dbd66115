/**
 * The real engines built by scripts/build-engines.sh into .cache/engines/bin. A missing binary
 * fails the test that needs it (never a skip), naming the command that builds it.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const ENGINES_BIN = join(REPO_ROOT, '.cache', 'engines', 'bin');

/** Names build-engines.sh produces. */
export type EngineName = 'pulumi' | 'pulumi-resource-pulumi-nodejs' | 'sops' | 'tofu' | 'atmos';

/** Absolute path of an engine binary; throws (test failure) when it was not built. */
export function engine(name: EngineName): string {
  const p = join(ENGINES_BIN, name);
  if (!existsSync(p)) {
    throw new Error(`${p} is missing: build it with scripts/build-engines.sh (scripts/test.sh and scripts/engine-e2e.sh run it first)`);
  }
  return p;
}

/** Runs an engine binary with `env` (nothing inherited), stdin from `input`, a time limit. */
export function run(
  bin: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number },
): SpawnSyncReturns<string> & { out: string } {
  const r = spawnSync(bin, args, {
    env: opts.env,
    cwd: opts.cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return Object.assign(r, { out: `${r.stdout ?? ''}${r.stderr ?? ''}` });
}

/** `run` that throws with the command's output when it does not exit 0. */
export function ok(bin: string, args: string[], opts: Parameters<typeof run>[2]): string {
  const r = run(bin, args, opts);
  if (r.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}:\n${r.out}`);
  }
  return r.stdout;
}

/** The built infrakey CLI (npm run build), as users run it. */
export function infrakeyCli(): string {
  const p = join(REPO_ROOT, 'dist', 'cli', 'infrakey.js');
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build first`);
  return p;
}

/**
 * `run` without blocking this process: needed when the child talks to a server in this process
 * (the AWS recorder), which a synchronous spawn would starve.
 */
export function runAsync(
  bin: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number },
): Promise<{ status: number | null; stdout: string; stderr: string; out: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ status: code, stdout, stderr, out: stdout + stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** `runAsync` that rejects with the command's output when it does not exit 0. */
export async function okAsync(bin: string, args: string[], opts: Parameters<typeof runAsync>[2]): Promise<string> {
  const r = await runAsync(bin, args, opts);
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.status}:\n${r.out}`);
  return r.stdout;
}
