import { StoreError } from '../../../core/errors';
import { evaluateStore, evaluateStoreGet, storeFunctionResolver } from '../../../core/stores/store-function';
import { parseYaml } from '../../../core/yaml/load-yaml';
import { resolveYamlFunctions } from '../../../core/yaml/resolve-functions';
import { parseStoreArgs, parseStoreGetArgs } from '../../../core/yaml/function-args';
import { motoEndpoint, redisUrl } from '../../support/services';
import { buildStoreRegistry, callCounter, motoCredentials, uniquePrefix } from './aws-helpers';

describe('!store and !store.get', () => {
  const counter = callCounter();
  const ssmPrefix = `/${uniquePrefix('infrakey-fn')}`;
  const registry = buildStoreRegistry(
    {
      outputs: { kind: 'aws/ssm', options: { region: 'us-east-1', prefix: ssmPrefix, endpoint_url: motoEndpoint() } },
      cache: { kind: 'redis', options: { url: redisUrl(), prefix: uniquePrefix('infrakey-fn') } },
      'secrets/ssm': { kind: 'aws/ssm', secret: true, options: { region: 'us-east-1', prefix: `${ssmPrefix}/s`, endpoint_url: motoEndpoint() } },
      local: { kind: 'keychain', options: { backend: 'memory' } },
    },
    { env: {}, awsCredentials: motoCredentials, onAwsClient: counter.onAwsClient },
  );
  afterAll(() => registry.close());

  beforeAll(async () => {
    const outputs = registry.get('outputs');
    await outputs.set!('plat-ue2-dev', 'vpc', 'vpc_id', 'vpc-dev');
    await outputs.set!('plat-ue2-prod', 'vpc', 'vpc_id', 'vpc-prod');
    await outputs.set!('plat-ue2-dev', 'vpc', 'subnets', { private: ['subnet-a', 'subnet-b'] });
    await registry.get('cache').set!('plat-ue2-dev', 'eks', 'cluster', { name: 'dev-eks', null_field: null });
  });

  const stack = 'plat-ue2-dev';

  it('3 words read from the current stack, 4 words from the named stack', async () => {
    expect(await evaluateStore(registry, parseStoreArgs('outputs vpc vpc_id'), { stack })).toBe('vpc-dev');
    expect(await evaluateStore(registry, parseStoreArgs('outputs plat-ue2-prod vpc vpc_id'), { stack })).toBe('vpc-prod');
  });

  it('| query selects with a small jq/yq path; | default answers a missing key (as a string)', async () => {
    expect(await evaluateStore(registry, parseStoreArgs('outputs vpc subnets | query .private[1]'), { stack })).toBe('subnet-b');
    expect(await evaluateStore(registry, parseStoreArgs('outputs vpc nope | default fallback'), { stack })).toBe('fallback');
    expect(await evaluateStore(registry, parseStoreArgs('cache eks cluster | query .name'), { stack })).toBe('dev-eks');
  });

  it('!store.get reads a raw key; null values and missing keys give the default', async () => {
    expect(await evaluateStoreGet(registry, parseStoreGetArgs('outputs plat/ue2/dev/vpc/vpc_id'), {})).toBe('vpc-dev');
    expect(await evaluateStoreGet(registry, parseStoreGetArgs('outputs plat/ue2/dev/vpc/subnets | query .private[0]'), {})).toBe('subnet-a');
    expect(await evaluateStoreGet(registry, parseStoreGetArgs('outputs no/such/key | default "x y"'), {})).toBe('x y');
  });

  it('a missing key without default fails with STORE_KEY_NOT_FOUND naming function and path', async () => {
    const source = { file: 'stacks/dev.yaml', line: 12 };
    const err = (await evaluateStore(registry, parseStoreArgs('outputs vpc nope'), { stack, source }).catch((e: unknown) => e)) as StoreError;
    expect(err.code).toBe('STORE_KEY_NOT_FOUND');
    expect(err.message).toContain('stacks/dev.yaml:12');
    expect(err.message).toContain('!store outputs plat-ue2-dev vpc nope');
    expect(err.message).toContain(`${ssmPrefix}/plat/ue2/dev/vpc/nope`);
  });

  it('refuses secret stores with STORE_IS_SECRET ("use !secret"), for !store and !store.get, never showing the default', async () => {
    for (const run of [
      () => evaluateStore(registry, parseStoreArgs('secrets/ssm app TOKEN | default hunter2-default'), { stack }),
      () => evaluateStoreGet(registry, parseStoreGetArgs('secrets/ssm some/key | default hunter2-default'), {}),
      () => evaluateStore(registry, parseStoreArgs('local app TOKEN'), { stack }),
    ]) {
      const err = (await run().catch((e: unknown) => e)) as StoreError;
      expect(err).toBeInstanceOf(StoreError);
      expect(err.code).toBe('STORE_IS_SECRET');
      expect(err.message).toContain('store is a secret store; use !secret instead of');
      expect(err.message).not.toContain('hunter2-default');
    }
  });

  it('an unknown store is STORE_NOT_CONFIGURED even with a default', async () => {
    await expect(evaluateStore(registry, parseStoreArgs('nope app k | default d'), { stack })).rejects.toMatchObject({ code: 'STORE_NOT_CONFIGURED' });
  });

  it('resolves a manifest through resolveYamlFunctions, batching 26 !store reads (14 distinct names) into 2 GetParameters calls', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `  v${i}: !store outputs vpc ${i % 2 === 0 ? 'vpc_id' : `missing_${i} | default d${i}`}`);
    const doc = parseYaml(`vars:\n${lines.join('\n')}\n  sub: !store outputs vpc subnets | query .private[0]\n`, 'stacks/dev.yaml');
    counter.calls.length = 0;
    const out = (await resolveYamlFunctions(doc.value, storeFunctionResolver(registry, stack))) as { vars: Record<string, unknown> };
    expect(out.vars.v0).toBe('vpc-dev');
    expect(out.vars.v1).toBe('d1');
    expect(out.vars.sub).toBe('subnet-a');
    // 14 distinct names (vpc_id, subnets, 12 missing) → 2 calls of at most 10.
    expect(counter.calls).toEqual(['GetParametersCommand', 'GetParametersCommand']);
  });
});
