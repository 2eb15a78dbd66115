import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';

let dir: string;
let home: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ik-completion-'));
  home = join(dir, 'home');
  const files: Record<string, string> = {
    '.git/HEAD': '',
    'atmos.yaml': [
      'stacks: { base_path: stacks, included_paths: ["deploy/*"], name_pattern: "{stage}" }',
      'auth:',
      '  providers: { sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://example.invalid/start" } }',
      '  identities:',
      '    dev-admin: { kind: aws/permission-set, via: { provider: sso }, principal: { name: Admin, account: { id: "111111111111" } } }',
      '    deployer: { kind: aws/assume-role, via: { identity: dev-admin }, principal: { assume_role: "arn:aws:iam::222222222222:role/d" } }',
    ].join('\n'),
    'stacks/deploy/dev.yaml': 'vars: { stage: dev }\ncomponents: { terraform: { api: { vars: {} }, worker: { vars: {} } } }\n',
    'stacks/deploy/prod.yaml': 'vars: { stage: prod }\ncomponents: { terraform: { api: { vars: {} }, db: { vars: {} } } }\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(home);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function complete(...words: string[]): Promise<string[]> {
  const io = captureIO();
  const code = await run(['__complete', '--', ...words], { io, env: { HOME: home, PATH: process.env.PATH }, cwd: dir });
  expect([code, io.stderr]).toEqual([0, '']);
  return io.stdout.split('\n').filter((l) => l !== '');
}

describe('infrakey __complete (what the completion scripts ask)', () => {
  it('completes commands and subcommands from the command tree (hidden ones left out)', async () => {
    expect(await complete('')).toEqual(expect.arrayContaining(['auth', 'completion', 'describe', 'list', 'secret', 'validate']));
    expect(await complete('')).not.toContain('__complete');
    expect(await complete('se')).toEqual(['secret']);
    expect(await complete('secret', 'g')).toEqual(['get']);
  });

  it('completes flags of the command and the global ones', async () => {
    const flags = await complete('secret', 'get', '--');
    expect(flags).toEqual(expect.arrayContaining(['--stack', '--component', '--identity', '--profile', '--config']));
    expect(await complete('secret', 'get', '--st')).toEqual(['--stack']);
  });

  it('completes stack and component names from the workspace, narrowed by what was typed', async () => {
    expect(await complete('secret', 'get', 'X', '-s', '')).toEqual(['dev', 'prod']);
    expect(await complete('secret', 'get', 'X', '--stack', 'p')).toEqual(['prod']);
    expect(await complete('secret', 'get', 'X', '-c', 'db', '-s', '')).toEqual(['prod']);
    expect(await complete('secret', 'get', 'X', '-s', 'dev', '-c', '')).toEqual(['api', 'worker']);
    expect(await complete('secret', 'list', '--component', '')).toEqual(['api', 'db', 'worker']);
    expect(await complete('describe', 'component', '')).toEqual(['api', 'db', 'worker']);
    expect(await complete('describe', 'component', 'api', '-s=')).toEqual(['-s=dev', '-s=prod']);
  });

  it('completes identities from auth:, and choices of flags that have them', async () => {
    expect(await complete('auth', 'whoami', '--identity', '')).toEqual(['deployer', 'dev-admin']);
    expect(await complete('auth', 'login', '-i', 'dep')).toEqual(['deployer']);
    expect(await complete('completion', '')).toEqual([]);
  });

  it('gives commands and flags but no names when the project does not load (never an error)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ik-completion-none-'));
    try {
      const io = captureIO();
      const code = await run(['__complete', '--', 'secret', 'get', 'X', '-s', ''], { io, env: { HOME: empty }, cwd: empty });
      expect([code, io.stdout, io.stderr]).toEqual([0, '', '']);
      expect(await run(['__complete', '--', 'secret', 'get', 'X', '--st'], { io, env: { HOME: empty }, cwd: empty })).toBe(0);
      expect(io.stdout).toBe('--stack\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('infrakey completion bash|zsh|fish', () => {
  it('prints a script for each shell; an unknown shell is a usage error', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const io = captureIO();
      expect(await run(['completion', shell], { io, env: {} })).toBe(0);
      expect(io.stdout).toContain('__complete --');
    }
    expect(await run(['completion', 'tcsh'], { io: captureIO(), env: {} })).toBe(2);
  });
});
