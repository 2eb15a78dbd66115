/**
 * Issue 10 item 21: a full disk and a read-only folder under the credential files give AUTH_*
 * codes with the fix, not `error [INTERNAL]: ENOSPC|EROFS`. Real file systems: a 64 KiB tmpfs
 * (filled) and a read-only tmpfs, mounted in a private mount namespace (`unshare --mount`, as
 * root; `--map-root-user` otherwise), with the built CLI logging in against moto.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { motoEndpoint } from '../../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const CLI = resolve(__dirname, '../../../dist/cli/infrakey.js');
const SECRET = 'diskTestSecret00000000000000000000000001';

/** Runs `script` (sh) in a private mount namespace; fails the test when none can be made here. */
function inMountNamespace(script: string, env: NodeJS.ProcessEnv, cwd: string) {
  const asRoot = process.getuid?.() === 0;
  const args = [...(asRoot ? [] : ['--map-root-user']), '--mount', '--propagation', 'private', 'sh', '-ec', script];
  const r = spawnSync('unshare', args, { env, cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error || /unshare: /.test(r.stderr)) {
    throw new Error(`cannot create a mount namespace here (${r.error?.message ?? r.stderr.trim()}): this test needs unshare (util-linux) and root or user namespaces`);
  }
  return r;
}

describe('credential files on a full or read-only file system', () => {
  let t: AuthTestEnv;
  let repo: string;
  beforeEach(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (scripts/test.sh does)`);
    t = makeAuthTestEnv();
    repo = join(t.root, 'repo');
    mkdirSync(repo);
    mkdirSync(t.env.ATMOS_XDG_CONFIG_HOME!, { recursive: true });
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: disk
  identities:
    dev:
      kind: aws/user
      default: true
      credentials: { access_key_id: AKIADISKTEST00000001, secret_access_key: ${SECRET}, region: us-east-1 }
      spec: { endpoint_url: "${motoEndpoint()}" }
`);
  });
  afterEach(() => t.cleanup());

  const login = `"${process.execPath}" "${CLI}" auth login`;

  test('disk full: AUTH_FILES_NO_SPACE with "free disk space"', () => {
    const r = inMountNamespace(
      `mount -t tmpfs -o size=64k tmpfs "$ATMOS_XDG_CONFIG_HOME"
       head -c 1048576 /dev/zero > "$ATMOS_XDG_CONFIG_HOME/fill" 2>/dev/null || true
       ${login}`,
      t.env,
      repo,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[AUTH_FILES_NO_SPACE]');
    expect(r.stderr).toContain('free disk space');
    expect(r.stderr).not.toContain('INTERNAL');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  test('read-only folder: AUTH_FILES_PERMISSION naming the read-only file system and the fix', () => {
    const r = inMountNamespace(
      `mount -t tmpfs tmpfs "$ATMOS_XDG_CONFIG_HOME"
       mount -o remount,ro "$ATMOS_XDG_CONFIG_HOME"
       ${login}`,
      t.env,
      repo,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[AUTH_FILES_PERMISSION]');
    expect(r.stderr).toContain('read-only');
    expect(r.stderr).toContain('ATMOS_XDG_CONFIG_HOME');
    expect(r.stderr).not.toContain('INTERNAL');
  });
});
