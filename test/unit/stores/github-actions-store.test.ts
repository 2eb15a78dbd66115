/**
 * The github/actions kind against FAKE GitHub, with Atmos's tables
 * (`pkg/store/providers/github_actions_store_test.go`): secret names, values written sealed with
 * the repository's (or environment's) public key (the test opens each box with the fake's private
 * key), has/delete/list through the API, and reads only inside a runner or with
 * `options.ci.enabled`.
 */
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import type { Store } from '../../../core/stores/store';
import { evaluateStore } from '../../../core/stores/store-function';
import { FakeGithub } from '../../fakes/fake-github';
import { rejection, thrown } from '../../support/errors';

const fake = new FakeGithub('acme', 'infra', ['production']);
let url = '';
beforeAll(async () => {
  url = await fake.start();
});
afterAll(() => fake.stop());

const store = (options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Store =>
  buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: fake.token, api_url: url, ...options } } }, { env }).get('gh');

describe('secret names (Atmos TestGitHubSecretName)', () => {
  it.each([
    ['plain key uppercased', '', 'db_password', 'DB_PASSWORD'],
    ['with prefix', 'atmos', 'db_password', 'ATMOS_DB_PASSWORD'],
    ['sanitizes separators', '', 'api-key.v2', 'API_KEY_V2'],
  ])('%s', (_name, prefix, key, want) => {
    expect(store({ prefix }).keyPath('dev', 'vpc', key)).toBe(want);
    // Stack and component do not take part (one flat, repository-wide namespace).
    expect(store({ prefix }).keyPath('', '', key)).toBe(want);
    expect(store({ prefix }).rawKeyPath(key)).toBe(want);
  });

  it.each([
    ['empty key', '', '', /key cannot be empty/],
    ['github prefix rejected', 'github', 'token', /must not start with the GITHUB_ prefix/],
    ['leading digit rejected', '', '1password', /must match \[A-Z_\]\[A-Z0-9_\]\*/],
  ])('%s → STORE_KEY_INVALID', (_name, prefix, key, message) => {
    const e = thrown(() => store({ prefix }).keyPath('dev', 'vpc', key));
    expect(e).toMatchObject({ code: 'STORE_KEY_INVALID', where: 'stores.gh' });
    expect(e.message).toMatch(message);
  });
});

describe('writes through the API, sealed with the public key', () => {
  it('strings as they are, other values JSON; stack and component do not change the name; the box opens only with the private key', async () => {
    const s = store({ prefix: 'atmos' });
    await s.set!('dev', 'vpc', 'db_password', 's3cr3t');
    expect(fake.open('ATMOS_DB_PASSWORD')).toBe('s3cr3t');
    expect(Buffer.from(fake.sealed('ATMOS_DB_PASSWORD')!, 'base64').toString('latin1')).not.toContain('s3cr3t');
    await s.set!('dev', 'vpc', 'config', { a: 1 });
    expect(fake.open('ATMOS_CONFIG')).toBe('{"a":1}');
    await s.set!('prod', 'rds', 'db_password', 'other');
    expect(fake.open('ATMOS_DB_PASSWORD')).toBe('other');
    await expect(s.set!('dev', 'vpc', 'db_password', undefined)).rejects.toMatchObject({ code: 'STORE_VALUE_INVALID' });
  });

  it('the public key is fetched once per store, not once per write', async () => {
    const s = store();
    const before = fake.http.count('GET', /public-key$/);
    for (const k of ['k1', 'k2', 'k3']) await s.set!('dev', 'vpc', k, k);
    expect(fake.http.count('GET', /public-key$/) - before).toBe(1);
    expect(fake.http.count('PUT', /\/actions\/secrets\/K[123]$/)).toBe(3);
  });

  it('environment secrets go to the environment endpoints, sealed with its own key', async () => {
    const s = store({ environment: 'production' });
    await s.set!('', '', 'deploy_key', 'env-value');
    expect(fake.open('DEPLOY_KEY', 'production')).toBe('env-value');
    expect(fake.open('DEPLOY_KEY')).toBeUndefined();
    expect(await s.has!('', '', 'deploy_key')).toBe(true);
    expect(await s.list!('', '')).toContain('DEPLOY_KEY');
  });

  it('has, delete (idempotent) and list (prefix removed, other names left out)', async () => {
    const s = store({ prefix: 'app' });
    await s.set!('', '', 'one', '1');
    await store().set!('', '', 'unrelated', 'x');
    expect(await s.has!('', '', 'one')).toBe(true);
    expect(await s.has!('', '', 'missing')).toBe(false);
    const listed = await s.list!('any', 'thing');
    expect(listed).toContain('ONE');
    expect(listed).not.toContain('UNRELATED');
    await s.delete!('', '', 'one');
    await s.delete!('', '', 'one');
    expect(await s.has!('', '', 'one')).toBe(false);
  });

  it('a value over 48 KB is refused before any request', async () => {
    const before = fake.http.log.length;
    await expect(store().set!('', '', 'big', 'x'.repeat(48 * 1024 + 1))).rejects.toMatchObject({ code: 'STORE_VALUE_TOO_LARGE' });
    expect(fake.http.log.length).toBe(before);
  });
});

describe('reads (Atmos TestGitHubActionsStore_Get_CIGating)', () => {
  it('outside a runner: STORE_VALUE_UNREADABLE with the workflow fix', async () => {
    const e = await rejection(store({}, { DB_PASSWORD: 'from-env' }).get('dev', 'vpc', 'db_password'));
    expect(e).toMatchObject({ code: 'STORE_VALUE_UNREADABLE', message: expect.stringContaining('not readable outside a GitHub Actions runner') });
    expect(e.message).not.toContain('from-env');
    expect((await rejection(store({ environment: 'production' }).get('', '', 'x'))).fix).toContain('environment: production');
  });

  it('with options.ci.enabled, or inside a runner (GITHUB_ACTIONS=true), the value comes from the variable of the same name', async () => {
    expect(await store({ ci: { enabled: true } }, { DB_PASSWORD: 'from-env' }).get('dev', 'vpc', 'db_password')).toBe('from-env');
    expect(await store({}, { GITHUB_ACTIONS: 'true', DB_PASSWORD: 'from-env' }).get('dev', 'vpc', 'db_password')).toBe('from-env');
    expect(await store({}, { GITHUB_ACTIONS: 'true', CONFIG: '{"a":1}' }).get('dev', 'vpc', 'config')).toEqual({ a: 1 });
    await expect(store({}, { GITHUB_ACTIONS: 'true' }).get('dev', 'vpc', 'db_password')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND' });
  });

  it('inside a runner of another repository, one notice per store says whose secrets are read (as Atmos warns)', async () => {
    const notices: string[] = [];
    const make = (env: NodeJS.ProcessEnv) =>
      buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: fake.token, api_url: url } } }, { env, kindHooks: { 'github/actions': { notice: (l: string) => notices.push(l) } } }).get('gh');
    const other = make({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/other', A: '1', B: '2' });
    expect(await other.get('', '', 'a')).toBe(1);
    expect(await other.get('', '', 'b')).toBe(2);
    expect(notices).toEqual(['warning: store "gh" holds the secrets of acme/infra, but this job runs in acme/other: the values read come from acme/other\'s secrets']);
    await make({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'Acme/Infra', A: '1' }).get('', '', 'a');
    expect(notices.length).toBe(1);
  });

  it('!store refuses the secret-by-default store', async () => {
    const registry = buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra' } } }, { env: {} });
    await expect(evaluateStore(registry, { store: 'gh', component: 'api', key: 'x' }, { stack: 'dev' })).rejects.toMatchObject({ code: 'STORE_IS_SECRET' });
  });
});

describe('options and auth', () => {
  it('owner and repo are required at load (Atmos ErrGitHubOwnerRepoRequired)', () => {
    expect(thrown(() => buildStoreRegistry({ gh: { kind: 'github/actions', options: { repo: 'infra' } } }, { env: {} }))).toMatchObject({ code: 'STORE_OPTION_INVALID', where: 'stores.gh.options.owner' });
    expect(thrown(() => buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme' } } }, { env: {} }))).toMatchObject({ code: 'STORE_OPTION_INVALID', where: 'stores.gh.options.repo' });
  });

  it('token order: options.token, ATMOS_PRO_GITHUB_TOKEN, ATMOS_GITHUB_TOKEN, GITHUB_TOKEN; none → STORE_AUTH_FAILED', async () => {
    const by = (env: NodeJS.ProcessEnv) => buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', api_url: url } } }, { env }).get('gh');
    expect(await by({ ATMOS_PRO_GITHUB_TOKEN: fake.token, ATMOS_GITHUB_TOKEN: 'wrong', GITHUB_TOKEN: 'wrong' }).has!('', '', 'x')).toBe(false);
    expect(await by({ ATMOS_GITHUB_TOKEN: fake.token, GITHUB_TOKEN: 'wrong' }).has!('', '', 'x')).toBe(false);
    expect(await by({ GITHUB_TOKEN: fake.token }).has!('', '', 'x')).toBe(false);
    await expect(by({ GITHUB_TOKEN: 'wrong', ATMOS_GITHUB_TOKEN: '  ' }).has!('', '', 'x')).rejects.toMatchObject({ code: 'STORE_ACCESS_DENIED' });
    await expect(by({}).has!('', '', 'x')).rejects.toMatchObject({ code: 'STORE_AUTH_FAILED', message: expect.stringContaining('no GitHub token') });
  });

  it('a refused token is STORE_ACCESS_DENIED without GitHub\'s text or the token; the API URL defaults to GITHUB_API_URL', async () => {
    const s = buildStoreRegistry({ gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: 'ghp_wrongtoken123' } } }, { env: { GITHUB_API_URL: url } }).get('gh');
    const e = await rejection(s.set!('', '', 'x', 'value-xyz'));
    expect(e).toMatchObject({ code: 'STORE_ACCESS_DENIED', message: expect.stringContaining('HTTP 401') });
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toMatch(/Bad credentials|ghp_wrongtoken123|value-xyz/);
  });
});
