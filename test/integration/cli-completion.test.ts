/**
 * The completion scripts in the real shells (bash, zsh, fish from apt; scripts/install-test-deps.sh),
 * calling the built CLI (`npm run build`; scripts/test.sh builds before jest) as `infrakey` on PATH.
 * zsh's `compadd`/`compdef` exist only inside its completion system, so they are replaced by
 * functions that print what they receive; bash and fish run their own completion machinery.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist/cli/infrakey.js');
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/cli/infrakey.js is missing: run `npm run build` first (./scripts/test.sh does it before jest)');
  dir = mkdtempSync(join(tmpdir(), 'ik-completion-shells-'));
  const files: Record<string, string> = {
    '.git/HEAD': '',
    'atmos.yaml': 'stacks: { base_path: stacks, included_paths: ["*.yaml"], name_pattern: "{stage}" }\n',
    'stacks/dev.yaml': 'vars: { stage: dev }\ncomponents: { terraform: { api: { vars: {} } } }\n',
    'stacks/prod.yaml': 'vars: { stage: prod }\ncomponents: { terraform: { api: { vars: {} }, db: { vars: {} } } }\n',
    'bin/infrakey': `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  chmodSync(join(dir, 'bin/infrakey'), 0o755);
  env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), XDG_DATA_HOME: join(dir, '.xdg-data') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shell(cmd: string, args: string[]): string[] {
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} did not run (${r.error.message}): scripts/install-test-deps.sh installs it`);
  expect([cmd, r.status, r.stderr]).toEqual([cmd, 0, '']);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('the completion scripts in real shells', () => {
  it('bash: `infrakey secret get X -s <TAB>` lists the stacks; `infrakey au<TAB>` the command', () => {
    const script = `eval "$(infrakey completion bash)"
COMP_WORDS=(infrakey secret get X -s ""); COMP_CWORD=5; _infrakey_complete; printf '%s\\n' "\${COMPREPLY[@]}"
COMP_WORDS=(infrakey au); COMP_CWORD=1; _infrakey_complete; printf '%s\\n' "\${COMPREPLY[@]}"
complete -p infrakey`;
    expect(shell('bash', ['--norc', '--noprofile', '-c', script])).toEqual(['dev', 'prod', 'auth', 'complete -o default -F _infrakey_complete infrakey']);
  });

  it('zsh: the words up to the cursor reach the CLI; compdef registers the function', () => {
    const script = `compdef() { print -r -- "compdef $*"; }
compadd() { [ "$1" = -a ] && print -rl -- "\${(@P)2}"; }
source <(infrakey completion zsh)
words=(infrakey describe component api -s p); CURRENT=6; _infrakey
words=(infrakey list stacks -c ""); CURRENT=5; _infrakey`;
    expect(shell('zsh', ['-f', '-c', script])).toEqual(['compdef _infrakey infrakey', 'prod', 'api', 'db']);
  });

  it('fish: `complete -C` (fish\'s own completion engine) gives the components of the stack', () => {
    const script = `infrakey completion fish | source
complete -C 'infrakey secret list -s dev -c '
complete -C 'infrakey val'`;
    expect(shell('fish', ['--no-config', '-c', script])).toEqual(['api', 'validate']);
  });
});
