/**
 * Issue 10 #1 at the command line: every `secret` verb (and `describe`) that talks to an SSM
 * store whose endpoint accepts connections and never answers ends within the documented bound,
 * exit 1, with STORE_UNREACHABLE naming the endpoint. Runs the built CLI as separate processes,
 * all at once, each with its own silent endpoint: the bound is measured from the process's first
 * connection to its exit, so a slow cold start on a loaded machine does not count against it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AWS_CALL_BOUND_MS } from '../../core/aws/client-options';
import { silentListener, type SilentListener } from '../support/silent-listener';

const CLI = resolve(__dirname, '../../dist/cli/infrakey.js');
/** Timer and scheduling slack on a shared 2-core machine. */
const SLACK_MS = 2500;

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

/** A workspace whose secret SSM store points at `url`. */
function workspace(url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ik-silent-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'atmos.yaml'),
    [
      'base_path: "./"',
      'components: { terraform: { base_path: components/terraform } }',
      'stacks: { base_path: stacks, included_paths: ["deploy/**/*"], name_template: "{{ .vars.stage }}" }',
      'stores:',
      `  ssm: { kind: aws/ssm, secret: true, options: { region: us-east-1, endpoint_url: "${url}" } }`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'stacks/deploy'), { recursive: true });
  mkdirSync(join(dir, 'components/terraform/api'), { recursive: true });
  writeFileSync(
    join(dir, 'stacks/deploy/dev.yaml'),
    ['vars: { stage: dev }', 'components:', '  terraform:', '    api:', '      vars:', '        token: !secret TOKEN', '      secrets:', '        vars:', '          TOKEN: { store: ssm, required: true }', ''].join('\n'),
  );
  return dir;
}

interface Run {
  argv: string;
  code: number | null;
  stdout: string;
  stderr: string;
  url: string;
  /** From the first connection to the endpoint to the process's exit. */
  afterConnectMs?: number;
}

async function cli(argv: string[], stdin = ''): Promise<Run> {
  const listener: SilentListener = await silentListener();
  cleanup.push(() => listener.close());
  const dir = workspace(listener.url);
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, '.xdg'),
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'testing-secret-access-key',
        AWS_EC2_METADATA_DISABLED: 'true',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    child.on('close', (code) => {
      const first = listener.firstAcceptedAt();
      done({ argv: argv.join(' '), code, stdout, stderr, url: listener.url, ...(first !== undefined ? { afterConnectMs: performance.now() - first } : {}) });
    });
  });
}

it(`every store-reading command against a silent SSM endpoint fails within ${AWS_CALL_BOUND_MS} ms of connecting`, async () => {
  const t = ['-s', 'dev', '-c', 'api'];
  const runs = await Promise.all([
    cli(['secret', 'get', 'TOKEN', ...t]),
    cli(['secret', 'set', 'TOKEN', ...t, '--stdin'], 'new-value-xyz'),
    cli(['secret', 'delete', 'TOKEN', ...t, '--force']),
    cli(['secret', 'validate', '-s', 'dev']),
    cli(['secret', 'exec', ...t, '--', 'true']),
  ]);
  for (const r of runs) {
    expect([r.argv, r.code]).toEqual([r.argv, 1]);
    expect([r.argv, r.stderr]).toEqual([r.argv, expect.stringContaining('STORE_UNREACHABLE')]);
    expect([r.argv, r.stderr]).toEqual([r.argv, expect.stringContaining(r.url)]);
    expect(r.stderr + r.stdout).not.toContain('new-value-xyz');
    expect([r.argv, r.afterConnectMs]).toEqual([r.argv, expect.any(Number)]);
    expect([r.argv, r.afterConnectMs! <= AWS_CALL_BOUND_MS + SLACK_MS]).toEqual([r.argv, true]);
  }
}, 120_000);
