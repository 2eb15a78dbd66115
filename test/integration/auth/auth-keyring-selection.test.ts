/**
 * Auth's keyring goes through the keyring layer's selector: an unusable system keyring is never a
 * silent no-op. Identities that read no keyring entry still work without one (the keyring opens
 * lazily); those that need an entry get KEYRING_UNAVAILABLE with the fix; `auth.keyring.fallback:
 * file` uses the file keyring with one notice. The system keyring here is "unavailable" because
 * there is no D-Bus session at all (DBUS_SESSION_BUS_ADDRESS unset), as in a bare CI container.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthManager } from '../../../core/auth/auth-manager';
import { openAuthKeyring } from '../../../core/auth/auth-keyring';
import { CredentialStore } from '../../../core/keyring/credential-store';
import { FileKeyring } from '../../../core/keyring/file-keyring';
import { motoEndpoint } from '../../support/services';
import { failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const ACCESS = 'AKIAKEYRINGSELECT001';
const SECRET = 'keyringSelectionSecret0123456789abcdefgh';

function noBusEnv(t: AuthTestEnv): NodeJS.ProcessEnv {
  const env = { ...t.env };
  delete env.ATMOS_KEYRING_TYPE;
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return env;
}

describe('auth keyring selection (system keyring unavailable)', () => {
  let t: AuthTestEnv;
  let moto: string;
  beforeEach(() => {
    moto = motoEndpoint();
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  function manager(auth: Record<string, unknown>, env: NodeJS.ProcessEnv, notices: string[] = []): AuthManager {
    return new AuthManager(auth, { env, keyring: () => openAuthKeyring(auth.keyring as Record<string, unknown> | undefined, { env, isTTY: false, notice: (l) => notices.push(l) }) });
  }

  test('an identity that needs no keyring entry (inline keys → assume-role) works; logout --all does not touch the keyring', async () => {
    const env = { ...noBusEnv(t), BASE_KEY: ACCESS, BASE_SECRET: SECRET };
    const m = manager(
      {
        realm: 'kr-select',
        identities: {
          base: { kind: 'aws/user', credentials: { access_key_id: env.BASE_KEY, secret_access_key: env.BASE_SECRET, region: 'us-east-1' }, spec: { endpoint_url: moto } },
          deployer: { kind: 'aws/assume-role', default: true, via: { identity: 'base' }, principal: { assume_role: 'arn:aws:iam::333333333333:role/deployer' } },
        },
      },
      env,
    );
    const r = await m.authenticate('deployer');
    expect(r.credentials.type).toBe('aws');
    expect((await m.whoami('deployer')).account).toBe('333333333333');
    const out = await m.logout({ all: true });
    expect(out.providers).toEqual([]);
  });

  test('an aws/user whose keys live in the keyring: KEYRING_UNAVAILABLE naming the identity, with the fix', async () => {
    const env = noBusEnv(t);
    const m = manager({ realm: 'kr-select', identities: { dev: { kind: 'aws/user', default: true, spec: { endpoint_url: moto } } } }, env);
    const err = await failure(m.authenticate('dev'));
    expect(err.code).toBe('KEYRING_UNAVAILABLE');
    expect(err.message).toContain('"dev"');
    expect(err.message).toContain('auth.identities.dev');
    expect(err.message).toMatch(/fallback: file|ATMOS_KEYRING_TYPE=file/);
  });

  test('an SSO provider token cache in an unavailable keyring is an error, not a silent re-login', async () => {
    const env = noBusEnv(t);
    const m = manager(
      {
        realm: 'kr-select',
        providers: { corp: { kind: 'aws/iam-identity-center', start_url: 'https://example.awsapps.com/start', region: 'us-east-1' } },
        identities: { dev: { kind: 'aws/permission-set', default: true, via: { provider: 'corp' }, principal: { name: 'Dev', account: { id: '123456789012' } } } },
      },
      env,
    );
    const err = await failure(m.authenticate('dev'));
    expect(err.code).toBe('KEYRING_UNAVAILABLE');
    expect(err.message).toContain('"corp"');
  });

  test('auth.keyring.fallback: file uses the file keyring with one notice, and reads the stored keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ik-kr-fallback-'));
    try {
      const env = { ...noBusEnv(t), ATMOS_KEYRING_PASSWORD: 'fallback-password-123' };
      const file = new FileKeyring({ dir, env, isTTY: false });
      await new CredentialStore(file, 'kr-select').setAws('dev', { access_key_id: ACCESS, secret_access_key: SECRET, region: 'us-east-1' });
      const notices: string[] = [];
      const auth = { realm: 'kr-select', keyring: { fallback: 'file', spec: { path: dir } }, identities: { dev: { kind: 'aws/user', default: true, spec: { endpoint_url: moto } } } };
      const m = manager(auth, env, notices);
      const r = await m.authenticate('dev');
      expect(r.credentials.type).toBe('aws');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain('system keyring is unavailable');
      expect(notices[0]).toContain(dir);
      // A second manager in the same process: no second notice.
      await manager(auth, env, notices).authenticate('dev');
      expect(notices).toHaveLength(1);
      expect(notices.join('\n')).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad auth.keyring is reported when the keyring is needed, and not cached', async () => {
    const env = noBusEnv(t);
    const m = manager({ realm: 'kr-select', keyring: { type: 'vault' }, identities: { dev: { kind: 'aws/user', default: true } } }, env);
    const err = await failure(m.authenticate('dev'));
    expect(err.code).toBe('KEYRING_CONFIG_INVALID');
    expect((await failure(m.authenticate('dev'))).code).toBe('KEYRING_CONFIG_INVALID');
  });
});
