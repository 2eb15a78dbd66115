/**
 * The aws-secrets-floci scenario (a real Atmos repo): its atmos.yaml `stores:` section must load
 * unchanged and work against an AWS emulator (moto stands in for floci).
 */
import { join } from 'node:path';
import { formatLocation, InfrakeyError } from '../../../core/errors';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import type { StoreAuthResolver } from '../../../core/stores/store';
import { loadYamlFile, type LoadedYaml } from '../../../core/yaml/load-yaml';
import { resolveYamlFunctions } from '../../../core/yaml/resolve-functions';
import { motoEndpoint } from '../../support/services';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

const FIXTURE = join(ATMOS_SCENARIOS, 'aws-secrets-floci', 'atmos.yaml');

/** Maps `stores.<name>[.<field>[.<option>]]` to atmos.yaml:line, store names may contain "/". */
function locator(loaded: LoadedYaml, names: string[]): (configPath: string) => string | undefined {
  return (configPath) => {
    const name = names.find((n) => configPath === `stores.${n}` || configPath.startsWith(`stores.${n}.`));
    if (!name) return undefined;
    const rest = configPath.slice(`stores.${name}`.length).split('.').filter(Boolean);
    const loc = loaded.locate(['stores', name, ...rest]) ?? loaded.locate(['stores', name]);
    return loc ? formatLocation(loc) : undefined;
  };
}

describe('aws-secrets-floci atmos.yaml stores', () => {
  const endpoint = motoEndpoint();
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const env = { FLOCI_ENDPOINT_URL: endpoint, FLOCI_SECRETS_SSM_PREFIX: `/floci/${run}`, FLOCI_SECRETS_ASM_PREFIX: `floci/${run}` };
  const loaded = loadYamlFile(FIXTURE, { errorKind: 'config' });
  const config = loaded.value as { stores: Record<string, unknown>; auth: { identities: Record<string, { credentials: Record<string, string>; spec: { endpoint_url: unknown } }> } };

  async function resolved<T>(v: unknown): Promise<T> {
    return (await resolveYamlFunctions(v, {}, { env })) as T;
  }

  // What the auth layer hands a store for an aws/user identity: its credentials and its
  // spec.endpoint_url (which a store endpoint would override, §5.5). Read from the fixture itself.
  async function fixtureResolver(): Promise<StoreAuthResolver> {
    const identities = await resolved<typeof config.auth.identities>(config.auth.identities);
    return async (identity) => {
      const id = identities[identity];
      if (!id) throw new Error(`unknown identity ${identity}`);
      return {
        credentials: async () => ({ accessKeyId: id.credentials.access_key_id, secretAccessKey: id.credentials.secret_access_key }),
        region: id.credentials.region,
        endpointUrl: id.spec.endpoint_url as string,
      };
    };
  }

  it('builds the registry unchanged: two secret AWS stores with the floci-superuser identity', async () => {
    const stores = await resolved<Record<string, unknown>>(config.stores);
    const registry = buildStoreRegistry(stores, { env, locate: locator(loaded, Object.keys(stores)) });
    expect(registry.names()).toEqual(['secrets/asm', 'secrets/ssm']);
    const ssm = registry.get('secrets/ssm');
    const asm = registry.get('secrets/asm');
    expect([ssm.kind, ssm.secret, ssm.identity]).toEqual(['aws/ssm', true, 'floci-superuser']);
    expect([asm.kind, asm.secret, asm.identity]).toEqual(['aws/asm', true, 'floci-superuser']);
    expect(ssm.keyPath('dev', 'secret-consumer', 'API_KEY')).toBe(`/floci/${run}/dev/secret-consumer/API_KEY`);
    expect(asm.keyPath('', '', 'SHARED')).toBe(`floci/${run}/SHARED`);
  });

  it('reads and writes through the identity endpoint (FLOCI_ENDPOINT_URL → moto)', async () => {
    const stores = await resolved<Record<string, unknown>>(config.stores);
    const registry = buildStoreRegistry(stores, { env, auth: { resolver: await fixtureResolver() } });
    try {
      for (const name of ['secrets/ssm', 'secrets/asm']) {
        const s = registry.get(name);
        await s.set!('dev', 'secret-consumer', 'API_KEY', `value-of-${name}`);
        expect(await s.get('dev', 'secret-consumer', 'API_KEY')).toBe(`value-of-${name}`);
        expect(await s.has!('dev', 'secret-consumer', 'API_KEY')).toBe(true);
      }
    } finally {
      await registry.close();
    }
  });

  it('reports a broken copy with the atmos.yaml line of the offending field', async () => {
    const stores = await resolved<Record<string, { options: Record<string, unknown> }>>(config.stores);
    const broken = { ...stores, 'secrets/ssm': { ...stores['secrets/ssm'], options: { prefix: '/x' } } };
    let err: InfrakeyError | undefined;
    try {
      buildStoreRegistry(broken, { env, locate: locator(loaded, Object.keys(broken)) });
    } catch (e) {
      err = e as InfrakeyError;
    }
    expect(err?.code).toBe('STORE_OPTION_INVALID');
    expect(err?.message).toContain('region is required in ssm store configuration');
    expect(err?.where).toMatch(/atmos\.yaml:\d+:\d+ \(stores\.secrets\/ssm\.options\.region\)$/);
  });
});
