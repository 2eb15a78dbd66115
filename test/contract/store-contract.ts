/**
 * The store contract: one set of behaviours every store backend must have, run against the real
 * thing. The runners are `store.contract.ts` (moto's SSM and Secrets Manager, redis-server),
 * `store-local.contract.ts` (the keychain store over the memory and file keyrings, no service) and
 * `store-saas-local.contract.ts` (1Password, Artifactory and GitHub Actions against their named
 * fakes, where no real server can run here).
 * A backend's config is a function, read in `beforeAll`: loading this module reads no service
 * endpoint, so the local runner works without moto or redis.
 */
import { FileKeyring } from '../../core/keyring/file-keyring';
import { MemoryKeyring } from '../../core/keyring/memory-keyring';
import type { Store } from '../../core/stores/store';
import { buildStoreRegistry, type StoreRegistry, type StoreRegistryOptions } from '../../core/stores/store-registry';

/** One backend under contract. */
export interface ContractBackend {
  name: string;
  /** The `stores.<name>` entry; called when the suite starts, not when the module loads. */
  config: () => Record<string, unknown>;
  /** Numbers and booleans come back typed (a secret SSM store returns their raw text instead). */
  typedScalars: boolean;
  /** The raw key (`getKey`) that addresses a composed path; undefined when none can (redis). */
  rawKeyFor: (path: string) => string | undefined;
  /** A string holding a JSON object reads back decoded (ASM stores it verbatim, secret SSM raw). */
  jsonTextDecodes: boolean;
  /** The longest ASCII string the backend takes once encoded; undefined: no limit worth testing. */
  maxStringChars?: number;
  /** Extra registry options (kind hooks), read when the suite starts. */
  registryOptions?: () => Partial<StoreRegistryOptions>;
  /**
   * What `list` gives for the listing test when the backend flattens names (Azure Key Vault
   * turns `/` into `-`, and its `-` joins cannot tell a sibling component apart, as Atmos).
   */
  listed?: string[];
  /** The registry's environment (a GitHub runner's variables); default none. */
  env?: () => NodeJS.ProcessEnv;
  /**
   * How the backend lists: `scoped` (keys under stack and component, default), `flat` (every
   * name of the backend, stack and component ignored: GitHub Actions, as Atmos), `none` (no
   * listing: 1Password, as Atmos).
   */
  listing?: 'scoped' | 'flat' | 'none';
  /**
   * The key the backend is addressed with for a contract key (reference-based backends: a
   * 1Password `op://` template); default the key itself.
   */
  keyFor?: (key: string) => string;
}

/** A unique run id, so runs against one server never see each other's data. */
export const run = `c${process.pid}x${Date.now().toString(36)}`;

/** `path` relative to `prefix/`, or undefined. */
export const strip = (prefix: string) => (path: string) => (path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined);

/**
 * The store with every non-empty contract key passed through `keyFor` (reference-based
 * backends); the store itself when there is none.
 */
function keyed(store: Store, keyFor: ((key: string) => string) | undefined): Store {
  if (!keyFor) return store;
  const k = (key: string): string => (key === '' ? key : keyFor(key));
  return Object.assign(Object.create(store) as Store, {
    keyPath: (stack: string, component: string, key: string) => store.keyPath(stack, component, k(key)),
    get: (stack: string, component: string, key: string) => store.get(stack, component, k(key)),
    getMany: (requests: Parameters<Store['getMany']>[0]) => store.getMany(requests.map((r) => ('key' in r ? { ...r, key: k(r.key) } : r))),
    ...(store.set ? { set: (stack: string, component: string, key: string, value: unknown) => store.set!(stack, component, k(key), value) } : {}),
    ...(store.delete ? { delete: (stack: string, component: string, key: string) => store.delete!(stack, component, k(key)) } : {}),
    ...(store.has ? { has: (stack: string, component: string, key: string) => store.has!(stack, component, k(key)) } : {}),
  });
}

/** Runs the contract over `backends`, each in its own registry. */
export function describeStoreContract(backends: ContractBackend[]): void {
  describe.each(backends)('store contract: $name', (backend) => {
    let registry: StoreRegistry;
    let store: Store;
    beforeAll(() => {
      registry = buildStoreRegistry({ [backend.name]: backend.config() }, {
        env: backend.env?.() ?? {},
        awsCredentials: () => async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
        keyringFactory: (spec) =>
          spec.backend === 'file'
            ? new FileKeyring({ dir: spec.fileDir as string, password: 'contract-test-password', unsafeLowIterationsForTests: 1000 })
            : new MemoryKeyring(),
        ...backend.registryOptions?.(),
      });
      store = keyed(registry.get(backend.name), backend.keyFor);
    });
    afterAll(async () => {
      await registry?.close();
    });
    const stack = 'plat-ue2-dev';
    const component = 'app/api';

    it('round-trips strings, maps and lists', async () => {
      const values: Record<string, unknown> = { str: 'hello world', map: { user: 'u', nested: { list: [1, 'two'] } }, list: ['a', 'b'], json_text: '{"a":1}' };
      for (const [k, v] of Object.entries(values)) await store.set!(stack, component, k, v);
      expect(await store.get(stack, component, 'str')).toBe('hello world');
      expect(await store.get(stack, component, 'map')).toEqual({ user: 'u', nested: { list: [1, 'two'] } });
      expect(await store.get(stack, component, 'list')).toEqual(['a', 'b']);
      expect(await store.get(stack, component, 'json_text')).toEqual(backend.jsonTextDecodes ? { a: 1 } : '{"a":1}');
    });

    it('round-trips numbers and booleans (typed, or byte-exact text on secret SSM)', async () => {
      await store.set!(stack, component, 'num', 42);
      await store.set!(stack, component, 'flag', true);
      expect(await store.get(stack, component, 'num')).toBe(backend.typedScalars ? 42 : '42');
      expect(await store.get(stack, component, 'flag')).toBe(backend.typedScalars ? true : 'true');
    });

    it('overwrites on set', async () => {
      await store.set!(stack, component, 'over', 'v1');
      await store.set!(stack, component, 'over', 'v2');
      expect(await store.get(stack, component, 'over')).toBe('v2');
    });

    it('getMany returns results in request order, with missing keys as missing and composed paths', async () => {
      const results = await store.getMany([
        { stack, component, key: 'list' },
        { stack, component, key: 'never-written' },
        { stack, component, key: 'str' },
      ]);
      expect(results.map((r) => r.status)).toEqual(['found', 'missing', 'found']);
      expect(results.map((r) => r.location)).toEqual(['list', 'never-written', 'str'].map((k) => store.keyPath(stack, component, k)));
      expect(results[2].status === 'found' && results[2].value).toBe('hello world');
    });

    it('get of a missing key throws STORE_KEY_NOT_FOUND', async () => {
      await expect(store.get(stack, component, 'never-written')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND' });
    });

    it('getKey reads what rawKeyPath names', async () => {
      const path = store.keyPath(stack, component, 'str');
      const raw = backend.rawKeyFor(path);
      if (raw === undefined) {
        expect(store.rawKeyPath('x')).not.toBe(store.keyPath(stack, component, 'x'));
        return;
      }
      expect(store.rawKeyPath(raw)).toBe(path);
      expect(await store.getKey(raw)).toBe('hello world');
    });

    it('has tells existence; delete removes and is idempotent', async () => {
      await store.set!(stack, component, 'temp', 'x-value');
      expect(await store.has!(stack, component, 'temp')).toBe(true);
      await store.delete!(stack, component, 'temp');
      await store.delete!(stack, component, 'temp');
      expect(await store.has!(stack, component, 'temp')).toBe(false);
    });

    it('lists keys under (stack, component) relative to that scope', async () => {
      if (backend.listing === 'none') {
        expect(store.list).toBeUndefined();
        return;
      }
      await store.set!('plat-ue2-prod', 'lister', 'one', 1);
      await store.set!('plat-ue2-prod', 'lister', 'two', 2);
      await store.set!('plat-ue2-prod', 'lister/sub', 'three', 3);
      await store.set!('plat-ue2-prod', 'lister-sibling', 'x', 0);
      if (backend.listing === 'flat') {
        // One flat namespace: every name, whatever the stack and component.
        expect(await store.list!('another-stack', 'other')).toEqual(expect.arrayContaining(['ONE', 'THREE', 'TWO', 'X']));
        return;
      }
      expect(await store.list!('plat-ue2-prod', 'lister')).toEqual(backend.listed ?? ['one', 'sub/three', 'two']);
    });

    it('refuses an empty key and a nil value without touching the backend', async () => {
      await expect(store.get(stack, component, '')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
      await expect(store.set!(stack, component, 'k', undefined)).rejects.toMatchObject({ code: 'STORE_VALUE_INVALID' });
      const [r] = await store.getMany([{ rawKey: '' }]);
      expect(r.status === 'error' && (r.error as { code?: string }).code).toBe('STORE_KEY_INVALID');
    });

    it('stack and global scopes: allowed exactly where the capability says', async () => {
      if (store.emptyScope) {
        await store.set!(stack, '', 'STACK_WIDE', 's');
        await store.set!('', '', 'GLOBAL', 'g');
        expect(await store.get(stack, '', 'STACK_WIDE')).toBe('s');
        expect(await store.get('', '', 'GLOBAL')).toBe('g');
      } else {
        await expect(store.set!(stack, '', 'STACK_WIDE', 's')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
        await expect(store.get('', '', 'GLOBAL')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
      }
    });

    it('refuses a value larger than the backend accepts (STORE_VALUE_TOO_LARGE), and takes one at the limit', async () => {
      const max = backend.maxStringChars;
      if (max === undefined) {
        await store.set!(stack, component, 'big', 'x'.repeat(100_000));
        expect(await store.get(stack, component, 'big')).toBe('x'.repeat(100_000));
        return;
      }
      await store.set!(stack, component, 'big', 'x'.repeat(max));
      expect(await store.get(stack, component, 'big')).toBe('x'.repeat(max));
      const err = await store.set!(stack, component, 'big', 'y'.repeat(max + 1)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_VALUE_TOO_LARGE' });
      expect((err as Error).message).not.toContain('yyyy');
      expect(await store.get(stack, component, 'big')).toBe('x'.repeat(max));
    });
  });
}
