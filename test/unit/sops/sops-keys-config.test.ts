import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  decryptSopsFile,
  defaultAgeKeysPath,
  encryptSopsDocument,
  generateAgeKeyFile,
  pathRegexForTemplate,
  renderSopsPath,
  resolveAgeIdentities,
  resolveSopsRecipients,
  sopsFilePath,
  upsertSopsYamlRecipient,
} from '../../../core/secrets/sops';
import { goFormatFloat } from '../../../core/secrets/sops/go-values';
import { containedSopsFilePath } from '../../../core/secrets/sops/path-template';
import { Secret, unsafeUnwrap } from '../../../core/secret';
import { expectCode, FIXTURE_IDENTITY, FIXTURE_KEY_FILE, FIXTURE_RECIPIENT } from './fixture-keys';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infrakey-sopskeys-'));
const OTHER = 'AGE-SECRET-KEY-12Q8DW095Z72FRP0MHZZKK9FXPN8A874C27DJVE2K9XXP7J3KMXLQY4Z5MZ';
const ids = (r: { identities: Secret<string>[] }): string[] => r.identities.map((s) => unsafeUnwrap(s));

describe('age key resolution', () => {
  const home = '/home/tester';
  const noEnv = { XDG_CONFIG_HOME: '/nonexistent-infrakey' };

  test('inline value wins over everything', async () => {
    const r = await resolveAgeIdentities({ age_key: { value: FIXTURE_IDENTITY, path: '/nope' }, age_key_file: '/nope' }, { env: { SOPS_AGE_KEY: OTHER } });
    expect(ids(r)).toEqual([FIXTURE_IDENTITY]);
    expect(r.sources).toEqual(['spec.age_key.value (inline value)']);
    expect(ids(await resolveAgeIdentities({ age_key: FIXTURE_IDENTITY }))).toEqual([FIXTURE_IDENTITY]);
  });

  test('store comes before file; the store key defaults to the provider name', async () => {
    const calls: string[] = [];
    const r = await resolveAgeIdentities(
      { age_key: { store: 'keychain' }, age_key_file: '/nope' },
      { providerName: 'dev-sops', readFromStore: async (s, k) => (calls.push(`${s}/${k}`), Secret.of(FIXTURE_IDENTITY)) },
    );
    expect(calls).toEqual(['keychain/dev-sops']);
    expect(ids(r)).toEqual([FIXTURE_IDENTITY]);
    const err = await expectCode(resolveAgeIdentities({ age_key: { store: 'keychain', path: 'k1' } }, { readFromStore: async () => undefined }), 'SOPS_AGE_KEY_MISSING');
    expect(err.message).toContain('store "keychain" key "k1"');
  });

  test('age_key_file expands ~ and $ENV and beats SOPS_AGE_KEY_FILE / SOPS_AGE_KEY', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'k.txt'), `# comment\n\n${FIXTURE_IDENTITY}\n`);
    const r = await resolveAgeIdentities({ age_key_file: '$KEYDIR/k.txt' }, { env: { KEYDIR: dir, SOPS_AGE_KEY: OTHER } });
    expect(ids(r)).toEqual([FIXTURE_IDENTITY]);
    const r2 = await resolveAgeIdentities({ age_key: { store: 'file', path: '~/k.txt' } }, { homedir: dir, env: {} });
    expect(r2.sources[0]).toContain(join(dir, 'k.txt'));
  });

  test('defaults merge SOPS_AGE_KEY_FILE, SOPS_AGE_KEY and the default keys.txt, in that order', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'sops', 'age'), { recursive: true });
    writeFileSync(join(dir, 'sops', 'age', 'keys.txt'), `${OTHER}\n`);
    const r = await resolveAgeIdentities({}, { env: { SOPS_AGE_KEY_FILE: FIXTURE_KEY_FILE, SOPS_AGE_KEY: OTHER, XDG_CONFIG_HOME: dir }, platform: 'linux' });
    expect(ids(r)).toEqual([FIXTURE_IDENTITY, OTHER, OTHER]);
    expect(r.sources).toEqual([`SOPS_AGE_KEY_FILE (${FIXTURE_KEY_FILE})`, 'SOPS_AGE_KEY', `default keys file (${join(dir, 'sops/age/keys.txt')})`]);
  });

  test('a missing SOPS_AGE_KEY_FILE is an error naming the path (as in sops)', async () => {
    const err = await expectCode(resolveAgeIdentities({}, { env: { SOPS_AGE_KEY_FILE: '/no/such/keys.txt', ...noEnv } }), 'SOPS_AGE_KEY_MISSING');
    expect(err.message).toContain('/no/such/keys.txt');
    expect(err.message).toContain('SOPS_AGE_KEY_FILE');
  });

  test('invalid key material → SOPS_AGE_KEY_INVALID naming the source, never the text', async () => {
    const garbage = 'AGE-SECRET-KEY-1THISISNOTAREALKEYATALLXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';
    const err = await expectCode(resolveAgeIdentities({}, { env: { SOPS_AGE_KEY: garbage, ...noEnv } }), 'SOPS_AGE_KEY_INVALID');
    expect(err.message).toContain('SOPS_AGE_KEY, line 1');
    expect(err.message).not.toContain(garbage);
    const rec = await expectCode(resolveAgeIdentities({ age_key: FIXTURE_RECIPIENT }), 'SOPS_AGE_KEY_INVALID');
    expect(rec.message).toContain('recipient (public key)');
    await expectCode(resolveAgeIdentities({ age_key: '# only a comment\n' }), 'SOPS_AGE_KEY_INVALID');
  });

  test('default keys.txt location per platform', () => {
    expect(defaultAgeKeysPath({ env: {}, platform: 'linux', homedir: home })).toBe('/home/tester/.config/sops/age/keys.txt');
    expect(defaultAgeKeysPath({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', homedir: home })).toBe('/x/sops/age/keys.txt');
    expect(defaultAgeKeysPath({ env: {}, platform: 'darwin', homedir: home })).toBe('/home/tester/Library/Application Support/sops/age/keys.txt');
    expect(defaultAgeKeysPath({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'darwin', homedir: home })).toBe('/x/sops/age/keys.txt');
  });
});

describe('generateAgeKeyFile', () => {
  test('writes age-keygen format, 0600 in a new 0700 folder, appends without losing old keys', async () => {
    const dir = tmp();
    const file = join(dir, 'sops', 'age', 'keys.txt');
    const one = await generateAgeKeyFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sops', 'age')).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)\n# public key: age1[0-9a-z]{58}\nAGE-SECRET-KEY-1[0-9A-Z]{58}\n$/);
    expect(text).toContain(`# public key: ${one.recipient}`);
    const two = await generateAgeKeyFile(file);
    const r = await resolveAgeIdentities({ age_key_file: file });
    expect(r.identities).toHaveLength(2);
    expect(two.recipient).not.toBe(one.recipient);
  });
});

describe('.sops.yaml', () => {
  test('the nearest matching creation rule, searched upward, matched relative to the config folder', async () => {
    const root = tmp();
    writeFileSync(join(root, '.sops.yaml'), `creation_rules:\n  - path_regex: ^secrets/prod\\..*$\n    age: ${FIXTURE_RECIPIENT}\n`);
    mkdirSync(join(root, 'secrets', 'sub'), { recursive: true });
    writeFileSync(join(root, 'secrets', 'sub', '.sops.yaml'), 'creation_rules:\n  - path_regex: nomatch$\n    age: age1x\n');
    const r = await resolveSopsRecipients(join(root, 'secrets', 'prod.enc.yaml'));
    expect(r.recipients).toEqual([FIXTURE_RECIPIENT]);
    expect(r.source).toBe(`${join(root, '.sops.yaml')} creation_rules[0]`);
    // The nested .sops.yaml has no matching rule, so the search continues upward and then fails.
    const err = await expectCode(resolveSopsRecipients(join(root, 'secrets', 'sub', 'dev.enc.yaml')), 'SOPS_NO_RECIPIENTS');
    expect(err.message).toContain(join(root, 'secrets', 'sub', '.sops.yaml'));
    expect((await resolveSopsRecipients('/x/y.yaml', { age_recipients: ' a1 , b2 ' })).recipients).toEqual(['a1', 'b2']);
  });

  test('upsert creates, keeps comments and other rules, adds before a catch-all, dedupes; 0644', async () => {
    const dir = tmp();
    writeFileSync(join(dir, '.sops.yaml'), `# team config\ncreation_rules:\n  # catch-all\n  - age: age1catchall\n`);
    const file = await upsertSopsYamlRecipient(dir, 'secrets/.*\\.enc\\.yaml$', 'age1first');
    await upsertSopsYamlRecipient(dir, 'secrets/.*\\.enc\\.yaml$', 'age1second');
    await upsertSopsYamlRecipient(dir, 'secrets/.*\\.enc\\.yaml$', 'age1first');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# team config');
    expect(text).toContain('# catch-all');
    expect(parseYaml(text).creation_rules).toEqual([{ path_regex: 'secrets/.*\\.enc\\.yaml$', age: 'age1first,age1second' }, { age: 'age1catchall' }]);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const fresh = tmp();
    await upsertSopsYamlRecipient(fresh, 'x$', 'age1z');
    expect(parseYaml(readFileSync(join(fresh, '.sops.yaml'), 'utf8'))).toEqual({ creation_rules: [{ path_regex: 'x$', age: 'age1z' }] });
  });

  // Issue 10 item 5: sops matches with Go's linear-time RE2; JavaScript's backtracking engine took
  // 5 s on `(x+x+)+y` with a 27-character stack name, doubling per character.
  test('path_regex is matched in linear time (RE2 semantics), a long name against (x+x+)+y', async () => {
    const root = tmp();
    writeFileSync(join(root, '.sops.yaml'), `creation_rules:\n  - path_regex: (x+x+)+y\n    age: age1never\n  - path_regex: (?i)^SECRETS/\n    age: ${FIXTURE_RECIPIENT}\n`);
    const name = 'x'.repeat(200);
    const t0 = Date.now();
    const r = await resolveSopsRecipients(join(root, 'secrets', `${name}.enc.yaml`));
    expect(Date.now() - t0).toBeLessThan(1_000);
    // The first rule does not match (no "y" right after the x's); the inline (?i) flag works as in Go.
    expect(r.recipients).toEqual([FIXTURE_RECIPIENT]);
    expect(r.source).toBe(`${join(root, '.sops.yaml')} creation_rules[1]`);
  });

  test('a path_regex RE2 cannot compile (lookahead) → SOPS_CONFIG_INVALID naming the rule', async () => {
    const root = tmp();
    writeFileSync(join(root, '.sops.yaml'), `creation_rules:\n  - path_regex: ^(?=secrets)\n    age: ${FIXTURE_RECIPIENT}\n`);
    const err = await expectCode(resolveSopsRecipients(join(root, 'secrets', 'dev.enc.yaml')), 'SOPS_CONFIG_INVALID');
    expect(err.message).toContain(`${join(root, '.sops.yaml')} creation_rules[0].path_regex`);
  });

  test('a file\'s encrypted_regex is matched in linear time too (the file may come from anyone)', async () => {
    const key = `${'x'.repeat(5_000)}`;
    const t0 = Date.now();
    const text = await encryptSopsDocument({ [key]: 'v-1', plain: 'p' }, { format: 'yaml', recipients: [FIXTURE_RECIPIENT], rules: { encryptedRegex: '(x+x+)+y' } });
    expect(await decryptSopsFile({ text, format: 'yaml' }, { ageIdentities: [FIXTURE_IDENTITY] })).toEqual({ [key]: 'v-1', plain: 'p' });
    expect(Date.now() - t0).toBeLessThan(3_000);
    // Nothing matched the rule, so nothing is encrypted (sops' encrypted_regex semantics).
    expect(text).toContain('v-1');
    const bad = text.replace('encrypted_regex: (x+x+)+y', 'encrypted_regex: (?<=x)y');
    await expectCode(decryptSopsFile({ text: bad, format: 'yaml', name: 'bad.enc.yaml' }, { ageIdentities: [FIXTURE_IDENTITY] }), 'SOPS_FORMAT_INVALID');
  });

  test('keygen regex of a file template (Atmos)', () => {
    expect(pathRegexForTemplate('secrets/{{ .atmos_stack }}.enc.yaml')).toBe('secrets/.*\\.enc\\.yaml$');
  });
});

describe('file path templates', () => {
  test('renders the two fields, with trimming markers', () => {
    expect(renderSopsPath('secrets/{{ .atmos_stack }}/{{.atmos_component}}.enc.yaml', { atmos_stack: 'plat-ue2-dev', atmos_component: 'vpc' })).toBe('secrets/plat-ue2-dev/vpc.enc.yaml');
    expect(renderSopsPath('s/x  {{- .atmos_stack -}}  .yaml', { atmos_stack: 'dev' })).toBe('s/xdev.yaml');
    expect(renderSopsPath('s/{{ .atmos_component }}x', { atmos_stack: 'dev' })).toBe('s/x');
  });

  test('an unknown field or any other expression → SOPS_PATH_TEMPLATE', () => {
    expect(() => renderSopsPath('s/{{ .stage }}.yaml', { atmos_stack: 'a' })).toThrow(expect.objectContaining({ code: 'SOPS_PATH_TEMPLATE', message: expect.stringContaining('.stage') }));
    expect(() => renderSopsPath('s/{{ .atmos_stack | upper }}.yaml', { atmos_stack: 'a' })).toThrow(expect.objectContaining({ code: 'SOPS_PATH_TEMPLATE' }));
    expect(() => renderSopsPath('s/{{ .atmos_stack.yaml', { atmos_stack: 'a' })).toThrow(expect.objectContaining({ code: 'SOPS_PATH_TEMPLATE' }));
  });

  // Issue 10 item 18: names from config never become paths outside their folder.
  test('a stack or component name with ".." cannot move the file out of the template\'s folder', () => {
    const base = '/repo';
    const t = { file: 'secrets/{{ .atmos_stack }}/{{ .atmos_component }}.enc.yaml' };
    expect(containedSopsFilePath(t, { atmos_stack: 'orgs/acme/dev', atmos_component: 'infra/vpc' }, base)).toBe('/repo/secrets/orgs/acme/dev/infra/vpc.enc.yaml');
    expect(containedSopsFilePath(t, { atmos_stack: 'a/../b', atmos_component: 'c' }, base)).toBe('/repo/secrets/b/c.enc.yaml');
    for (const [stack, component] of [['../../../../tmp/x', 'c'], ['dev', '../../../etc/cron.d/x'], ['..', '..']]) {
      expect(() => containedSopsFilePath(t, { atmos_stack: stack, atmos_component: component }, base)).toThrow(
        expect.objectContaining({ code: 'SOPS_PATH_TEMPLATE', where: 'spec.file', message: expect.stringContaining('outside /repo/secrets') }),
      );
    }
    // The default layout (spec.path) is confined the same way.
    expect(() => containedSopsFilePath({}, { atmos_stack: '../../x' }, base)).toThrow(expect.objectContaining({ code: 'SOPS_PATH_TEMPLATE', where: 'spec.path' }));
    expect(containedSopsFilePath({ path: 'sec' }, { atmos_stack: 'dev' }, base)).toBe('/repo/sec/dev.enc.yaml');
    // A template whose own text points elsewhere is the user's choice.
    expect(containedSopsFilePath({ file: '../shared/{{ .atmos_stack }}.enc.yaml' }, { atmos_stack: 'dev' }, base)).toBe('/shared/dev.enc.yaml');
    expect(containedSopsFilePath({ file: '/srv/s/{{ .atmos_stack }}.yaml' }, { atmos_stack: 'dev' }, base)).toBe('/srv/s/dev.yaml');
    expect(() => containedSopsFilePath({ file: '/srv/s/{{ .atmos_stack }}.yaml' }, { atmos_stack: '../x' }, base)).toThrow(expect.objectContaining({ code: 'SOPS_PATH_TEMPLATE' }));
    expect(containedSopsFilePath({ file: '../fixed.enc.yaml' }, { atmos_stack: '../x' }, base)).toBe('/fixed.enc.yaml');
  });

  test('default paths when spec.file is empty', () => {
    expect(sopsFilePath({}, { atmos_stack: 'dev' })).toBe('secrets/dev.enc.yaml');
    expect(sopsFilePath({ path: 'sec' }, { atmos_stack: 'dev', atmos_component: 'api' })).toBe('sec/dev.api.enc.yaml');
  });
});

describe('Go number formatting (MAC and plaintext forms)', () => {
  test.each([
    [3.14, '3.14'],
    [7, '7'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000'],
    [-0, '-0'],
    [123456.789, '123456.789'],
  ])('%p → %s', (v, s) => expect(goFormatFloat(v)).toBe(s));
});
