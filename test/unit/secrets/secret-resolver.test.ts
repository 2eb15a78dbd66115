import { buildComponentSecrets } from '../../../core/secrets/component-secrets';
import { SecretBackends, SecretResolver } from '../../../core/secrets/secret-resolver';
import { secretFunction } from '../../../core/secrets/secret-function';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import { redactor, Secret, unsafeUnwrap } from '../../../core/secret';
import { resolveYamlFunctions } from '../../../core/yaml/resolve-functions';
import { YamlFunction } from '../../../core/yaml/yaml-function';
import type { Store } from '../../../core/stores/store';

function setup() {
  const registry = buildStoreRegistry({ vault: { kind: 'keychain', options: { backend: 'memory' } } });
  const store = registry.get('vault') as Store & Required<Pick<Store, 'set'>>;
  const resolver = new SecretResolver(new SecretBackends({ stores: registry, basePath: '/tmp' }));
  const cs = buildComponentSecrets({
    stack: 'plat-ue2-dev',
    component: 'api',
    section: {
      vars: {
        TOKEN: { store: 'vault', required: true, scope: 'instance' },
        SHARED: { store: 'vault', scope: 'stack' },
        GLOBAL: { store: 'vault', scope: 'global' },
        DB: { store: 'vault', scope: 'instance' },
        UNSET: { store: 'vault', scope: 'instance' },
      },
    },
    stores: registry,
    where: 'stacks/dev.yaml',
  });
  const getMany = jest.spyOn(store, 'getMany');
  return { registry, store, resolver, cs, getMany };
}

const fn = (args: string, line = 3) => new YamlFunction('!secret', args, { file: 'stacks/dev.yaml', line });

describe('SecretResolver', () => {
  it('resolves every !secret of a component in one batched read, as Secrets registered with the Redactor', async () => {
    const { store, resolver, cs, getMany } = setup();
    await store.set('plat-ue2-dev', 'api', 'TOKEN', 'tok-0123456789');
    await store.set('plat-ue2-dev', '', 'SHARED', 'shared-0123456789');
    await store.set('', '', 'GLOBAL', 'global-0123456789');
    await store.set('plat-ue2-dev', 'api', 'DB', { user: 'app', password: 'pw-0123456789' });
    getMany.mockClear();
    const section = {
      vars: { t: fn('TOKEN'), s: fn('SHARED'), g: fn('GLOBAL'), p: fn('DB | path .password'), d: fn('UNSET | default "a | b"') },
    };
    const out = (await resolveYamlFunctions(section, { secret: secretFunction(cs, resolver) })) as { vars: Record<string, Secret<unknown>> };
    expect(getMany).toHaveBeenCalledTimes(1);
    expect(getMany.mock.calls[0][0]).toHaveLength(5);
    expect(Object.values(out.vars).every((v) => Secret.isSecret(v))).toBe(true);
    expect(unsafeUnwrap(out.vars.t)).toBe('tok-0123456789');
    expect(unsafeUnwrap(out.vars.s)).toBe('shared-0123456789');
    expect(unsafeUnwrap(out.vars.g)).toBe('global-0123456789');
    expect(unsafeUnwrap(out.vars.p)).toBe('pw-0123456789');
    expect(unsafeUnwrap(out.vars.d)).toBe('a | b');
    expect(redactor.mask('x tok-0123456789 pw-0123456789')).toBe('x <MASKED> <MASKED>');
    expect(JSON.stringify(out)).not.toContain('0123456789');
  });

  it('reads each value once per process and again after a write through the resolver', async () => {
    const { store, resolver, cs, getMany } = setup();
    await store.set('plat-ue2-dev', 'api', 'TOKEN', 'first-value-1');
    getMany.mockClear();
    await resolver.resolve(cs, 'TOKEN');
    await resolver.resolve(cs, 'TOKEN');
    await resolver.resolveAll(cs, ['TOKEN']);
    expect(getMany).toHaveBeenCalledTimes(1);
    await resolver.write(cs, 'TOKEN', 'second-value-2');
    expect(unsafeUnwrap(await resolver.resolve(cs, 'TOKEN'))).toBe('second-value-2');
    expect(getMany).toHaveBeenCalledTimes(2);
    await resolver.remove(cs, 'TOKEN');
    await expect(resolver.resolve(cs, 'TOKEN')).rejects.toMatchObject({ code: 'SECRET_NOT_INITIALIZED' });
  });

  it('refuses an undeclared name, naming it, the component and the declared ones', async () => {
    const { resolver, cs } = setup();
    const err = await resolveYamlFunctions({ x: fn('NOPE', 9) }, { secret: secretFunction(cs, resolver) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SECRET_NOT_DECLARED' });
    expect((err as Error).message).toContain('"NOPE"');
    expect((err as Error).message).toContain('stacks/dev.yaml:9');
    expect((err as Error).message).toContain('TOKEN');
  });

  it('reports a missing value as not initialized with the backend path and the set command', async () => {
    const { resolver, cs } = setup();
    const err = (await resolver.resolve(cs, 'UNSET').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SECRET_NOT_INITIALIZED');
    expect(err.message).toContain('atmos/plat/ue2/dev/api/UNSET');
    expect(err.message).toContain('infrakey secret set UNSET -s plat-ue2-dev -c api');
  });

  it('refuses | path into a non-JSON value without showing the value', async () => {
    const { store, resolver, cs } = setup();
    await store.set('plat-ue2-dev', 'api', 'TOKEN', 'plain-text-value-xyz');
    const err = (await resolver.resolve(cs, 'TOKEN', { path: '.password' }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SECRET_PATH_NOT_JSON');
    expect(err.message).toContain('"TOKEN"');
    expect(err.message).not.toContain('plain-text-value-xyz');
  });

  it('reports a missing key under | path as SECRET_PATH_MISSING without the value', async () => {
    const { store, resolver, cs } = setup();
    await store.set('plat-ue2-dev', 'api', 'DB', { user: 'someone-secret' });
    const err = (await resolver.resolve(cs, 'DB', { path: '.password' }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SECRET_PATH_MISSING');
    expect(err.message).not.toContain('someone-secret');
  });

  it('reports an invalid declaration when its name is used', async () => {
    const registry = buildStoreRegistry({ vault: { kind: 'keychain', options: { backend: 'memory' } } });
    const resolver = new SecretResolver(new SecretBackends({ stores: registry, basePath: '/tmp' }));
    const cs = buildComponentSecrets({ stack: 'dev', component: 'api', section: { vars: { BAD: { store: 'vault', sops: 'x' } } }, stores: registry });
    await expect(resolver.resolve(cs, 'BAD')).rejects.toMatchObject({ code: 'SECRET_BACKEND_AMBIGUOUS' });
  });
});
