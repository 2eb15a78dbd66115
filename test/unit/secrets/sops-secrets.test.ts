import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildComponentSecrets } from '../../../core/secrets/component-secrets';
import { SecretBackends, SecretResolver } from '../../../core/secrets/secret-resolver';
import { sopsFileOps } from '../../../core/secrets/sops-ops';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import { unsafeUnwrap } from '../../../core/secret';
import type { StoreRegistry } from '../../../core/stores/store-registry';
import { SOPS_REAL } from '../../support/fixtures';

const FIX = SOPS_REAL;

function setup(spec: Record<string, unknown>, vars: Record<string, unknown>, registry: StoreRegistry = buildStoreRegistry({})) {
  const dir = mkdtempSync(join(tmpdir(), 'ik-sops-'));
  copyFileSync(join(FIX, 'secret.enc.yaml'), join(dir, 'dev.enc.yaml'));
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg') };
  const resolver = new SecretResolver(
    new SecretBackends({ stores: registry, basePath: dir, sops: (p) => sopsFileOps(p, { basePath: dir, env, registry: () => registry }) }),
  );
  const cs = buildComponentSecrets({
    stack: 'dev',
    component: 'api',
    section: { vars, providers: { vault: { kind: 'sops/age', spec } } },
    stores: registry,
    where: 'stacks/dev.yaml',
  });
  return { dir, resolver, cs };
}

const decl = (scope = 'stack') => ({ sops: 'vault', scope });

describe('SOPS-backed secrets (sops-real fixtures, written by sops 3.8.1)', () => {
  it('reads several keys of a real sops file with one decryption, path into a map', async () => {
    const { resolver, cs } = setup(
      { file: '{{ .atmos_stack }}.enc.yaml', age_key_file: join(FIX, 'key.txt') },
      { secret: decl(), string: decl(), complex: decl(), int: decl() },
    );
    const [a, b, c, d] = await Promise.all([
      resolver.resolve(cs, 'secret'),
      resolver.resolve(cs, 'string'),
      resolver.resolve(cs, 'complex', { path: '.array[1]' }),
      resolver.resolve(cs, 'int'),
    ]);
    expect(unsafeUnwrap(a)).toBe('this is a secret');
    expect(unsafeUnwrap(b)).toBe('string');
    expect(unsafeUnwrap(c)).toBe('two');
    expect(unsafeUnwrap(d)).toBe(7);
    expect(resolver.stats.batches).toBe(1);
  });

  it('refuses a tampered file with a MAC error that shows no value', async () => {
    const { dir, resolver, cs } = setup({ file: 'dev.enc.yaml', age_key_file: join(FIX, 'key.txt') }, { secret: decl() });
    const f = join(dir, 'dev.enc.yaml');
    const text = readFileSync(f, 'utf8');
    // A renamed key: every value still decrypts on its own, only the MAC can tell.
    writeFileSync(f, text.replace(/^string:/m, 'strinG:'));
    const err = (await resolver.resolve(cs, 'secret').catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toMatch(/SOPS_(MAC_MISMATCH|DECRYPT_FAILED)/);
    expect(err.message).toContain('"secret"');
    expect(err.message).not.toContain('this is a secret');
  });

  it('fails with a clear error for a wrong age key, naming where it looked', async () => {
    const dir0 = mkdtempSync(join(tmpdir(), 'ik-key-'));
    const wrong = join(dir0, 'wrong.txt');
    writeFileSync(wrong, 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n');
    const { resolver, cs } = setup({ file: 'dev.enc.yaml', age_key_file: wrong }, { secret: decl() });
    const err = (await resolver.resolve(cs, 'secret').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toMatch(/^SOPS_/);
    expect(err.message).toContain('"secret"');
  });

  it('fails with a clear error when the age key file is missing', async () => {
    const { resolver, cs } = setup({ file: 'dev.enc.yaml', age_key_file: '/nonexistent/keys.txt' }, { secret: decl() });
    const err = (await resolver.resolve(cs, 'secret').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SOPS_AGE_KEY_MISSING');
    expect(err.message).toContain('/nonexistent/keys.txt');
  });

  it('sets, reads back and deletes instance-scoped values in a new per-component file (0600)', async () => {
    const key = readFileSync(join(FIX, 'key.txt'), 'utf8');
    const recipient = /public key: (age1\w+)/.exec(key)?.[1] as string;
    const { dir, resolver, cs } = setup(
      { file: 'secrets/{{ .atmos_stack }}-{{ .atmos_component }}.enc.yaml', age_key_file: join(FIX, 'key.txt'), age_recipients: recipient },
      { API_KEY: decl('instance') },
    );
    await resolver.write(cs, 'API_KEY', 'fresh-api-key-value');
    const file = join(dir, 'secrets', 'dev-api.enc.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('fresh-api-key-value');
    expect(unsafeUnwrap(await resolver.resolve(cs, 'API_KEY'))).toBe('fresh-api-key-value');
    await resolver.remove(cs, 'API_KEY');
    await expect(resolver.resolve(cs, 'API_KEY')).rejects.toMatchObject({ code: 'SECRET_NOT_INITIALIZED' });
  });

  it('reads the age key from a keychain store (memory) at atmos/<provider>/age-key/<provider>', async () => {
    const registry = buildStoreRegistry({ keychain: { kind: 'keychain', options: { backend: 'memory' } } });
    const store = registry.get('keychain');
    const keyText = readFileSync(join(FIX, 'key.txt'), 'utf8');
    await store.set?.('vault', 'age-key', 'vault', keyText);
    expect(store.keyPath('vault', 'age-key', 'vault')).toBe('atmos/vault/age-key/vault');
    const { resolver, cs } = setup({ file: 'dev.enc.yaml', age_key: { store: 'keychain' } }, { secret: decl() }, registry);
    expect(unsafeUnwrap(await resolver.resolve(cs, 'secret'))).toBe('this is a secret');
  });
});
