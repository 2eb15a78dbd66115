/**
 * The artifactory kind against FAKE Artifactory, with Atmos's tables
 * (`pkg/store/providers/artifactory_store_test.go`): key composition (`repo/prefix/stack/
 * component/key`), `set` deploying to exactly those paths, `GetKey` appending `.json`, the data
 * variants of a raw read, empty stack/component refused, listing under a scope, and the token
 * order (options, ARTIFACTORY_ACCESS_TOKEN, JFROG_ACCESS_TOKEN, `anonymous`).
 */
import { ARTIFACTORY_MAX_VALUE_BYTES } from '../../../core/stores/kinds/artifactory';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import type { Store } from '../../../core/stores/store';
import { FakeArtifactory } from '../../fakes/fake-artifactory';
import { rejection, thrown } from '../../support/errors';

const fake = new FakeArtifactory(['repo', 'r']);
let url = '';
beforeAll(async () => {
  url = await fake.start();
});
afterAll(() => fake.stop());

const store = (options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Store =>
  buildStoreRegistry({ art: { kind: 'artifactory', options: { url, repo_name: 'repo', prefix: 'prefix', access_token: fake.token, ...options } } }, { env }).get('art');
const file = (repo: string, path: string) => fake.repos.get(repo)!.get(path)?.toString('utf8');

describe('key composition and set (Atmos getKey / Set tables)', () => {
  it.each([
    ['simple path', 'dev', 'app', 'config.json', 'repo/prefix/dev/app/config.json'],
    ['nested component', 'dev', 'app/service', 'config.json', 'repo/prefix/dev/app/service/config.json'],
    ['multi-level stack', 'dev/us-west-2', 'app', 'config.json', 'repo/prefix/dev/us-west-2/app/config.json'],
    ['slice value', 'dev', 'app', '[]string{"a","b"}', 'repo/prefix/dev/app/[]string{"a","b"}'],
    ['map value', 'dev', 'app', 'map[string]string{"key":"value"}', 'repo/prefix/dev/app/map[string]string{"key":"value"}'],
    ['nested map value', 'dev', 'app', 'map[string]map[string]int{"outer":{"inner":42}}', 'repo/prefix/dev/app/map[string]map[string]int{"outer":{"inner":42}}'],
  ])('%s → %s, deployed there', async (_name, stack, component, key, expected) => {
    const s = store();
    expect(s.keyPath(stack, component, key)).toBe(expected);
    await s.set!(stack, component, key, 'test data');
    expect(file('repo', expected.slice('repo/'.length))).toBe('"test data"');
    expect(await s.get(stack, component, key)).toBe('test data');
  });

  it('an empty prefix composes repo/stack/component/key (the `//` collapsed, as Atmos)', () => {
    expect(store({ prefix: '' }).keyPath('dev', 'app', 'k')).toBe('repo/dev/app/k');
  });

  it.each([
    ['empty stack', '', 'app', 'k', 'stack cannot be empty'],
    ['empty component', 'dev', '', 'k', 'component cannot be empty'],
    ['empty key', 'dev', 'app', '', 'key cannot be empty'],
  ])('%s is refused (STORE_KEY_INVALID) for get and set', async (_name, stack, component, key, message) => {
    const s = store();
    await expect(s.get(stack, component, key)).rejects.toMatchObject({ code: 'STORE_KEY_INVALID', message: expect.stringContaining(message) });
    await expect(s.set!(stack, component, key, 'v')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
  });

  it('a "." or ".." segment is refused before any request (it would leave repo_name)', async () => {
    const s = store();
    const before = fake.http.log.length;
    await expect(s.set!('dev', 'app', '../../r/escape', 'v')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(s.getKey('../r/escape')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    expect(fake.http.log.length).toBe(before);
  });
});

describe('GetKey (Atmos GetKey tables)', () => {
  it('appends .json and reads repo/prefix/<raw>.json; set/get do not append it', async () => {
    fake.repos.get('repo')!.set('prefix/config.json', Buffer.from('{"test":"value"}'));
    const s = store();
    expect(s.rawKeyPath('config')).toBe('repo/prefix/config.json');
    expect(s.rawKeyPath('config.json')).toBe('repo/prefix/config.json');
    expect(await s.getKey('config')).toEqual({ test: 'value' });
    expect(store({ prefix: '' }).rawKeyPath('config')).toBe('repo/config.json');
  });

  it('empty data returns "", non-JSON data the text', async () => {
    fake.repos.get('repo')!.set('prefix/empty.json', Buffer.alloc(0));
    fake.repos.get('repo')!.set('prefix/plain.json', Buffer.from('plain text'));
    expect(await store().getKey('empty')).toBe('');
    expect(await store().getKey('plain')).toBe('plain text');
    await expect(store().getKey('absent')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND', message: expect.stringContaining('repo/prefix/absent.json') });
  });

  it(`a file larger than infrakey's bound (${ARTIFACTORY_MAX_VALUE_BYTES} bytes) is refused instead of read into memory`, async () => {
    fake.repos.get('repo')!.set('prefix/huge.json', Buffer.alloc(ARTIFACTORY_MAX_VALUE_BYTES + 1, 0x61));
    await expect(store().getKey('huge')).rejects.toMatchObject({ code: 'STORE_REQUEST_FAILED', message: expect.stringContaining('ResponseTooLarge') });
    fake.repos.get('repo')!.delete('prefix/huge.json');
  });
});

describe('listing, has and delete', () => {
  it('lists the keys under a stack/component scope (Atmos Keys table, stack delimiter "-")', async () => {
    const files = fake.repos.get('r')!;
    files.set('p/prod/vpc/image_tag', Buffer.from('"1"'));
    files.set('p/prod/vpc/region', Buffer.from('"us"'));
    files.set('p/dev/vpc/image_tag', Buffer.from('"2"'));
    const s = buildStoreRegistry({ art: { kind: 'artifactory', options: { url, repo_name: 'r', prefix: 'p', stack_delimiter: '-', access_token: fake.token } } }, { env: {} }).get('art');
    expect(await s.list!('prod', 'vpc')).toEqual(['image_tag', 'region']);
    expect(await s.list!('prod', 'none')).toEqual([]);
  });

  it('has and delete (infrakey additions over File Info and Delete Item); delete of a missing file is no error', async () => {
    const s = store();
    await s.set!('dev', 'app', 'gone', 1);
    expect(await s.has!('dev', 'app', 'gone')).toBe(true);
    expect(await s.has!('dev', 'app', 'never')).toBe(false);
    expect(await s.has!('dev', 'app', 'service')).toBe(false);
    await s.delete!('dev', 'app', 'gone');
    await s.delete!('dev', 'app', 'gone');
    expect(await s.has!('dev', 'app', 'gone')).toBe(false);
  });
});

describe('options and auth (Atmos getAccessKey)', () => {
  it('token order: options.access_token, then ARTIFACTORY_ACCESS_TOKEN, then JFROG_ACCESS_TOKEN', async () => {
    await store().set!('dev', 'app', 'auth', 'x');
    const noToken = { url, repo_name: 'repo', prefix: 'prefix' };
    const by = (env: NodeJS.ProcessEnv, options: Record<string, unknown> = noToken) => buildStoreRegistry({ art: { kind: 'artifactory', options } }, { env }).get('art');
    expect(await by({ ARTIFACTORY_ACCESS_TOKEN: fake.token, JFROG_ACCESS_TOKEN: 'wrong' }).get('dev', 'app', 'auth')).toBe('x');
    expect(await by({ JFROG_ACCESS_TOKEN: fake.token }).get('dev', 'app', 'auth')).toBe('x');
    await expect(by({ ARTIFACTORY_ACCESS_TOKEN: fake.token }, { ...noToken, access_token: 'explicit-wrong' }).get('dev', 'app', 'auth')).rejects.toMatchObject({ code: 'STORE_ACCESS_DENIED' });
  });

  it('no token at all refuses the config (as Atmos), naming the option', () => {
    const e = thrown(() => buildStoreRegistry({ art: { kind: 'artifactory', options: { url, repo_name: 'repo' } } }, { env: {} }));
    expect(e).toMatchObject({ code: 'STORE_OPTION_INVALID', where: 'stores.art.options.access_token' });
  });

  it('`anonymous` sends no token: reads work where the server allows them, writes are refused without the server text', async () => {
    fake.anonymousRead = true;
    try {
      const s = store({ access_token: 'anonymous' });
      expect(await s.get('dev', 'app', 'auth')).toBe('x');
      const e = await rejection(s.set!('dev', 'app', 'auth', 'y'));
      expect(e).toMatchObject({ code: 'STORE_ACCESS_DENIED', message: expect.stringContaining('HTTP 401') });
      expect(e.message).not.toContain('Bad credentials');
    } finally {
      fake.anonymousRead = false;
    }
  });

  it('url and repo_name are required; secret: true is refused (Artifactory does not encrypt at rest)', () => {
    const e = thrown(() => buildStoreRegistry({ art: { kind: 'artifactory', options: { access_token: 't' } } }, { env: {} }));
    expect(e.code).toBe('STORES_INVALID');
    expect((e as unknown as { problems: { where: string }[] }).problems.map((p) => p.where)).toEqual(['stores.art.options.url', 'stores.art.options.repo_name']);
    const s = thrown(() => buildStoreRegistry({ art: { kind: 'artifactory', secret: true, options: { url, repo_name: 'repo', access_token: 't' } } }, { env: {} }));
    expect(s).toMatchObject({ code: 'STORE_CANNOT_BE_SECRET', message: expect.stringContaining('backend does not encrypt values at rest') });
  });
});
