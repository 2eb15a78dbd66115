import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH_USER_ERROR_CODES } from '../../../core/auth/kinds/aws-user/configure-user';
import { FileKeyring } from '../../../core/keyring/file-keyring';
import type { Keyring } from '../../../core/keyring/keyring';
import { MemoryKeyring } from '../../../core/keyring/memory-keyring';
import { migrateInlineCredentials } from '../../../core/auth/kinds/aws-user/migrate-inline-credentials';
import { unsafeUnwrap } from '../../../core/secret';

const A1 = 'AKIAMIGRATEUNIT00001';
const S1 = 'migrateSecretOne0123456789abcdefGHIJKLMN';
const A2 = 'AKIAMIGRATEUNIT00002';
const S2 = 'migrateSecretTwo0123456789abcdefGHIJKLMN';

// A file full of comments, anchors, aliases, other identities and odd spacing. The lines marked
// `# MOVED` are exactly the ones the migration must delete; every other byte must survive.
const RICH = `# atmos.yaml of the platform team
base_path: "./"      # relative to this file

x-region: &region us-east-2   # shared anchor

stacks:
  base_path: stacks
  included_paths:
    - "orgs/**/*"   # all orgs

auth:
  realm: unit-realm
  providers:
    sso:
      kind: aws/iam-identity-center
      region: *region
      start_url: https://example.awsapps.com/start

  identities:
    # Break-glass user. Keys rotate every 90 days.
    Emergency-User:
      kind: aws/user
      default: true
      credentials:
        # Long-lived keys (to be moved):
        access_key_id: ${A1}     # MOVED
        secret_access_key: "${S1}" # MOVED
        mfa_arn: arn:aws:iam::123456789012:mfa/emergency
        region: *region

    ci-user:
      kind: aws/user
      credentials:
        access_key_id: !env CI_ACCESS_KEY_ID
        secret_access_key: !env CI_SECRET_ACCESS_KEY

    flow-user:
      kind: aws/user
      credentials: { access_key_id: ${A2}, secret_access_key: '${S2}' } # MOVED

    admin:
      kind: aws/permission-set
      via: { provider: sso }
      principal:
        name: AdministratorAccess   # keep
        account: { id: "111111111111" }

# trailing comment
`;

function expectedAfter(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.includes('# MOVED'))
    .join('\n');
}

describe('migrateInlineCredentials', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'infrakey-migrate-'));
    file = join(dir, 'atmos.yaml');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(text: string, mode = 0o640): void {
    writeFileSync(file, text);
    chmodSync(file, mode);
  }

  it('moves the keys, deletes exactly their lines (comments, anchors, layout kept), keeps the file mode', async () => {
    write(RICH);
    const kr = new MemoryKeyring();
    const r = await migrateInlineCredentials({ file, keyring: kr, realm: 'unit-realm' });
    expect(readFileSync(file, 'utf8')).toBe(expectedAfter(RICH));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(r).toMatchObject({ written: true, layoutPreserved: true, keyringType: 'memory' });
    expect(r.migrated.map((m) => [m.displayName, m.identity, m.where, m.key, m.stored])).toEqual([
      ['Emergency-User', 'emergency-user', 'atmos.yaml:24', 'atmos_unit-realm_emergency-user', ['access_key_id', 'secret_access_key', 'mfa_arn']],
      ['flow-user', 'flow-user', 'atmos.yaml:39', 'atmos_unit-realm_flow-user', ['access_key_id', 'secret_access_key']],
    ]);
    expect(r.skipped).toEqual([{ identity: 'ci-user', where: 'atmos.yaml:33', reason: 'secret_access_key is read with !env, not written in the file' }]);
    const e1 = await kr.get('atmos_unit-realm_emergency-user');
    expect(e1 && unsafeUnwrap(e1)).toBe(`{"type":"aws","data":{"access_key_id":"${A1}","secret_access_key":"${S1}","mfa_arn":"arn:aws:iam::123456789012:mfa/emergency"}}`);
    const e2 = await kr.get('atmos_unit-realm_flow-user');
    expect(e2 && unsafeUnwrap(e2)).toBe(`{"type":"aws","data":{"access_key_id":"${A2}","secret_access_key":"${S2}"}}`);
    expect(readdirSync(dir)).toEqual(['atmos.yaml']); // no temp file left behind
  });

  it('is idempotent: the second run has nothing to migrate and does not open the keyring', async () => {
    write(RICH);
    await migrateInlineCredentials({ file, keyring: new MemoryKeyring(), realm: 'r' });
    const after = readFileSync(file, 'utf8');
    let opened = false;
    const again = await migrateInlineCredentials({
      file,
      realm: 'r',
      keyring: async () => {
        opened = true;
        return new MemoryKeyring();
      },
    });
    expect(again).toMatchObject({ migrated: [], written: false });
    expect(opened).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('removes a credentials: block left empty, and only that', async () => {
    const text = `auth:\n  identities:\n    u:\n      kind: aws/user\n      credentials:\n        access_key_id: ${A1}\n        secret_access_key: ${S1}\n      session:\n        duration: 4h\n`;
    write(text);
    await migrateInlineCredentials({ file, keyring: new MemoryKeyring(), realm: 'r' });
    expect(readFileSync(file, 'utf8')).toBe('auth:\n  identities:\n    u:\n      kind: aws/user\n      session:\n        duration: 4h\n');
  });

  it('uses the loaded config for the kind (an identity typed in another file)', async () => {
    write(`auth:\n  identities:\n    u:\n      credentials:\n        access_key_id: ${A1}\n        secret_access_key: ${S1}\n        region: us-east-1\n`);
    const kr = new MemoryKeyring();
    const none = await migrateInlineCredentials({ file, keyring: kr, realm: 'r' });
    expect(none.migrated).toEqual([]);
    const r = await migrateInlineCredentials({ file, keyring: kr, realm: 'r', config: { auth: { identities: { U: { kind: 'aws/user' } } } } });
    expect(r.migrated.map((m) => m.identity)).toEqual(['u']);
    expect(readFileSync(file, 'utf8')).toBe('auth:\n  identities:\n    u:\n      credentials:\n        region: us-east-1\n');
  });

  it('refuses incomplete inline credentials: nothing changed, keyring not opened, file:line and fix named', async () => {
    const text = `auth:\n  identities:\n    good:\n      kind: aws/user\n      credentials:\n        access_key_id: ${A1}\n        secret_access_key: ${S1}\n    half:\n      kind: aws/user\n      credentials:\n        secret_access_key: ${S2}\n    other-half:\n      kind: aws/user\n      credentials:\n        access_key_id: !env KEY_ID\n        secret_access_key: ${S2}\n`;
    write(text);
    let opened = false;
    const err = await migrateInlineCredentials({
      file,
      realm: 'r',
      keyring: async () => {
        opened = true;
        return new MemoryKeyring();
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: AUTH_USER_ERROR_CODES.MIGRATE_REFUSED });
    const problems = (err as { problems: { code: string; where?: string; message: string }[] }).problems;
    expect(problems.map((p) => [p.code, p.where])).toEqual([
      [AUTH_USER_ERROR_CODES.MIGRATE_INCOMPLETE, 'atmos.yaml:11'],
      [AUTH_USER_ERROR_CODES.MIGRATE_INCOMPLETE, 'atmos.yaml:16'],
    ]);
    expect(problems[1].message).toContain('access_key_id is not (!env)');
    expect((err as Error).message).toContain('nothing was changed');
    expect((err as Error).message).not.toContain(S2);
    expect(opened).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses values behind aliases or merge keys, and a value that also sits elsewhere in the file', async () => {
    const aliased = `keys: &k ${S1}\nauth:\n  identities:\n    u:\n      kind: aws/user\n      credentials:\n        access_key_id: ${A1}\n        secret_access_key: *k\n`;
    write(aliased);
    const e1 = await migrateInlineCredentials({ file, keyring: new MemoryKeyring(), realm: 'r' }).catch((e: unknown) => e);
    expect((e1 as { problems: { code: string; message: string }[] }).problems[0]).toMatchObject({ code: AUTH_USER_ERROR_CODES.MIGRATE_UNSUPPORTED, message: expect.stringContaining('alias (*k)') });
    expect(readFileSync(file, 'utf8')).toBe(aliased);

    const merged = `base: &b\n  access_key_id: ${A1}\n  secret_access_key: ${S1}\nauth:\n  identities:\n    u:\n      kind: aws/user\n      credentials:\n        <<: *b\n        region: us-east-1\n`;
    write(merged);
    const e2 = await migrateInlineCredentials({ file, keyring: new MemoryKeyring(), realm: 'r' }).catch((e: unknown) => e);
    expect((e2 as { problems: { message: string }[] }).problems[0].message).toContain('<< merge key');

    const copied = `# old key was ${S1}\nauth:\n  identities:\n    u:\n      kind: aws/user\n      credentials:\n        access_key_id: ${A1}\n        secret_access_key: ${S1}\n`;
    write(copied);
    const kr = new MemoryKeyring();
    const e3 = await migrateInlineCredentials({ file, keyring: kr, realm: 'r' }).catch((e: unknown) => e);
    const p3 = (e3 as { problems: { code: string; where?: string; message: string }[] }).problems;
    expect(p3[0]).toMatchObject({ code: AUTH_USER_ERROR_CODES.MIGRATE_UNSUPPORTED, where: 'atmos.yaml:1' });
    expect(JSON.stringify(p3)).not.toContain(S1);
    expect(await kr.list()).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(copied);
  });

  it('a credentials map shared through an anchor is moved once and both identities get their entry', async () => {
    const text = `auth:\n  identities:\n    a:\n      kind: aws/user\n      credentials: &shared\n        access_key_id: ${A1}\n        secret_access_key: ${S1}\n    b:\n      kind: aws/user\n      credentials: *shared\n`;
    write(text);
    const kr = new MemoryKeyring();
    const r = await migrateInlineCredentials({ file, keyring: kr, realm: 'r' });
    expect(r.migrated.map((m) => m.identity)).toEqual(['a', 'b']);
    expect(await kr.list()).toEqual(['atmos_r_a', 'atmos_r_b']);
    const out = readFileSync(file, 'utf8');
    expect(out).not.toContain(S1);
    expect(out).toContain('credentials: &shared {}');
    expect(out).toContain('credentials: *shared');
    expect(r.layoutPreserved).toBe(false);
  });

  it('a keyring failure loses nothing: the file is unchanged', async () => {
    write(RICH);
    const krDir = join(dir, 'kr');
    await new FileKeyring({ dir: krDir, password: 'first-password-1', env: {}, unsafeLowIterationsForTests: 1000 }).set('existing', 'x');
    const wrong: Keyring = new FileKeyring({ dir: krDir, password: 'other-password-2', env: {}, unsafeLowIterationsForTests: 1000 });
    const err = await migrateInlineCredentials({ file, keyring: wrong, realm: 'r' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KEYRING_PASSWORD_INVALID' });
    expect(readFileSync(file, 'utf8')).toBe(RICH);
    expect(readdirSync(dir).sort()).toEqual(['atmos.yaml', 'kr']);
  });

  it('dry run: plans, writes nothing', async () => {
    write(RICH);
    const kr = new MemoryKeyring();
    const r = await migrateInlineCredentials({ file, keyring: kr, realm: 'r', dryRun: true });
    expect(r.migrated).toHaveLength(2);
    expect(r.written).toBe(false);
    expect(await kr.list()).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(RICH);
  });

  it('follows a symlinked atmos.yaml: the target is edited, the link stays; CRLF files keep CRLF', async () => {
    const target = join(dir, 'real.yaml');
    const text = `auth:\r\n  identities:\r\n    u:\r\n      kind: aws/user\r\n      credentials:\r\n        access_key_id: ${A1}\r\n        secret_access_key: ${S1}\r\n        region: us-east-1\r\n`;
    writeFileSync(target, text);
    symlinkSync(target, file);
    await migrateInlineCredentials({ file, keyring: new MemoryKeyring(), realm: 'r' });
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('auth:\r\n  identities:\r\n    u:\r\n      kind: aws/user\r\n      credentials:\r\n        region: us-east-1\r\n');
  });
});
