import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureIO } from '../../../cli/io';
import { run } from '../../../cli/program';
import { FIXTURE_KEY_FILE, FIXTURE_RECIPIENT } from '../../unit/sops/fixture-keys';
import { writeSopsProject } from './helpers/sops-project';

// Issue 10 items 18 and 19 through the real CLI: names from stack manifests never become paths
// outside the SOPS provider's folder, and declared names are safe environment variable names.
function project(): { root: string; repo: string } {
  const root = mkdtempSync(join(tmpdir(), 'ik-sops-names-'));
  const repo = join(root, 'a', 'b', 'repo');
  mkdirSync(repo, { recursive: true });
  writeSopsProject(repo, {
    keyFile: FIXTURE_KEY_FILE,
    recipient: FIXTURE_RECIPIENT,
    stacks: { dev: { stage: 'dev', names: ['DB_PASSWORD', 'LD_PRELOAD'] }, evil: { stage: '../../../escaped', names: ['DB_PASSWORD'] } },
  });
  return { root, repo };
}

async function cli(repo: string, argv: string[], stdin: string, env: NodeJS.ProcessEnv = {}) {
  const io = captureIO({ stdin: Readable.from([stdin]) });
  const code = await run(argv, { io, env: { ...process.env, HOME: repo, XDG_CONFIG_HOME: join(repo, '.xdg'), SOPS_AGE_KEY_FILE: '', SOPS_AGE_KEY: '', ATMOS_IDENTITY: 'false', ...env }, cwd: repo });
  return { code, out: io.stdout, err: io.stderr };
}

describe('names from stack manifests (CLI, sops/age)', () => {
  const { root, repo } = project();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a stack named "../../../escaped" cannot make secret set write outside the provider folder', async () => {
    const r = await cli(repo, ['secret', 'set', 'DB_PASSWORD', '-s', '../../../escaped', '-c', 'api'], 'value-1');
    expect(r.err).toContain('SOPS_PATH_TEMPLATE');
    expect(r.err).toContain('secrets.providers.local-sops.spec.file');
    expect(r.code).toBe(1);
    // Nothing was written anywhere above the repository (the file would be <root>/a/escaped.enc.yaml).
    expect(existsSync(join(root, 'a', 'escaped.enc.yaml'))).toBe(false);
    expect(readdirSync(join(root, 'a')).sort()).toEqual(['b']);
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['repo']);
  });

  it('a declared LD_PRELOAD is refused unless INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES names it', async () => {
    const refused = await cli(repo, ['secret', 'set', 'LD_PRELOAD', '-s', 'dev', '-c', 'api'], '/tmp/x.so');
    expect(refused.err).toContain('SECRET_NAME_UNSAFE');
    expect(refused.err).toContain('INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES=LD_PRELOAD');
    expect(refused.code).toBe(1);
    expect(existsSync(join(repo, 'secrets', 'dev.enc.yaml'))).toBe(false);
    // The other declaration of the component still works.
    const ok = await cli(repo, ['secret', 'set', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'], 'value-2');
    expect(ok.code).toBe(0);
    const allowed = await cli(repo, ['secret', 'set', 'LD_PRELOAD', '-s', 'dev', '-c', 'api'], '/tmp/x.so', { INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES: 'LD_PRELOAD' });
    expect(allowed.err).not.toContain('SECRET_NAME_UNSAFE');
    expect(allowed.code).toBe(0);
  });
  it('secret exec refuses a component that declares LD_PRELOAD before starting the child', async () => {
    const marker = join(root, 'child-ran');
    const r = await cli(repo, ['secret', 'exec', '-s', 'dev', '-c', 'api', '--', 'sh', '-c', `touch ${marker}`], '');
    expect(r.err).toContain('SECRET_NAME_UNSAFE');
    expect(r.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });
});
