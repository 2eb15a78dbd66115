/**
 * The batched resolver against real backends: moto (SSM, Secrets Manager) and redis-server.
 * Backend calls are counted by AWS SDK middleware on the store's own client.
 */
import { randomUUID } from 'node:crypto';
import { buildComponentSecrets } from '../../../core/secrets/component-secrets';
import { SecretBackends, SecretResolver } from '../../../core/secrets/secret-resolver';
import { secretFunction } from '../../../core/secrets/secret-function';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import { unsafeUnwrap } from '../../../core/secret';
import { resolveYamlFunctions } from '../../../core/yaml/resolve-functions';
import { YamlFunction } from '../../../core/yaml/yaml-function';
import { motoEndpoint, redisUrl } from '../../support/services';

interface Countable {
  middlewareStack: { add(mw: (next: (a: unknown) => Promise<unknown>) => (a: unknown) => Promise<unknown>, o: { step: string; name: string }): void };
}

function registry(prefix: string, calls: { n: number }) {
  const endpoint = motoEndpoint();
  return buildStoreRegistry(
    {
      ssm: { kind: 'aws/ssm', secret: true, options: { region: 'us-east-1', prefix: `/${prefix}`, endpoint } },
      asm: { kind: 'aws/asm', secret: true, options: { region: 'us-east-1', prefix, endpoint } },
      cache: { kind: 'redis', options: { url: redisUrl(), prefix } },
      bad: { kind: 'redis', options: { url: redisUrl() } },
    },
    {
      awsCredentials: () => async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
      onAwsClient: (client) =>
        (client as Countable).middlewareStack.add(
          (next) => async (args) => {
            calls.n++;
            return next(args);
          },
          { step: 'initialize', name: 'countCalls' },
        ),
    },
  );
}

describe('batched resolver against moto', () => {
  it('resolves 45 SSM and 25 Secrets Manager secrets of one component in ≤ 7 backend calls, once per process', async () => {
    const prefix = `ik-${randomUUID().slice(0, 8)}`;
    const calls = { n: 0 };
    const reg = registry(prefix, calls);
    const vars: Record<string, unknown> = {};
    const section: Record<string, YamlFunction> = {};
    for (let i = 0; i < 45; i++) {
      vars[`S${i}`] = { store: 'ssm', scope: 'instance' };
      section[`s${i}`] = new YamlFunction('!secret', `S${i}`, { file: 'stacks/dev.yaml', line: i + 1 });
    }
    for (let i = 0; i < 25; i++) {
      vars[`A${i}`] = { store: 'asm', scope: 'instance' };
      section[`a${i}`] = new YamlFunction('!secret', `A${i} | path .pw`, { file: 'stacks/dev.yaml', line: 100 + i });
    }
    const cs = buildComponentSecrets({ stack: 'plat-ue2-dev', component: 'api', section: { vars }, stores: reg });
    const ssm = reg.get('ssm');
    const asm = reg.get('asm');
    await Promise.all([
      ...Array.from({ length: 45 }, (_, i) => ssm.set?.('plat-ue2-dev', 'api', `S${i}`, `ssm-value-${i}-x`)),
      ...Array.from({ length: 25 }, (_, i) => asm.set?.('plat-ue2-dev', 'api', `A${i}`, { pw: `asm-value-${i}-y` })),
    ]);
    calls.n = 0;
    const resolver = new SecretResolver(new SecretBackends({ stores: reg, basePath: '/tmp' }));
    const out = (await resolveYamlFunctions(section, { secret: secretFunction(cs, resolver, { unwrap: true }) })) as Record<string, string>;
    expect(out.s0).toBe('ssm-value-0-x');
    expect(out.s44).toBe('ssm-value-44-x');
    expect(out.a24).toBe('asm-value-24-y');
    // SSM: 5 GetParameters of 10; ASM: 2 BatchGetSecretValue of 20.
    expect(calls.n).toBeLessThanOrEqual(7);
    const before = calls.n;
    await resolver.resolveAll(cs);
    expect(calls.n).toBe(before);
    await reg.close();
  });

  it('redis: refuses secret: true at load, naming the store', () => {
    expect(() => buildStoreRegistry({ r: { kind: 'redis', secret: true, options: { url: redisUrl() } } })).toThrow(/store "r".*cannot be marked secret.*redis/s);
  });

  it('a declaration on a plaintext (redis) store is refused as not secret, naming declaration and store', () => {
    const reg = registry('x', { n: 0 });
    const cs = buildComponentSecrets({ stack: 'dev', component: 'api', section: { vars: { TOKEN: { store: 'cache' } } }, stores: reg, where: 'stacks/dev.yaml' });
    expect(cs.problems[0]).toMatchObject({ code: 'SECRET_STORE_NOT_SECRET' });
    expect(cs.problems[0].message).toMatch(/"cache".*"TOKEN"/);
  });

  it('writes and reads a stack-scoped SSM secret at {prefix}/{stack parts}/{NAME}', async () => {
    const prefix = `ik-${randomUUID().slice(0, 8)}`;
    const reg = registry(prefix, { n: 0 });
    const cs = buildComponentSecrets({ stack: 'plat-ue2-dev', component: 'api', section: { vars: { T: { store: 'ssm', scope: 'stack' } } }, stores: reg });
    const resolver = new SecretResolver(new SecretBackends({ stores: reg, basePath: '/tmp' }));
    const w = await resolver.write(cs, 'T', 'stack-token-value');
    expect(w.location).toBe(`/${prefix}/plat/ue2/dev/T`);
    const other = buildComponentSecrets({ stack: 'plat-ue2-dev', component: 'web', section: { vars: { T: { store: 'ssm', scope: 'stack' } } }, stores: reg });
    expect(unsafeUnwrap(await new SecretResolver(new SecretBackends({ stores: reg, basePath: '/tmp' })).resolve(other, 'T'))).toBe('stack-token-value');
    await reg.close();
  });
});
