import { StoreError } from '../../../core/errors';
import { SSM_BATCH_SIZE } from '../../../core/stores/kinds/aws-ssm';
import { motoEndpoint } from '../../support/services';
import { buildStoreRegistry, callCounter, motoCredentials, uniquePrefix } from './aws-helpers';

describe('aws/ssm store against moto', () => {
  const endpoint = motoEndpoint();
  const prefix = `/${uniquePrefix('infrakey-ssm')}`;
  const counter = callCounter();
  const registry = buildStoreRegistry(
    {
      plain: { kind: 'aws/ssm', options: { region: 'us-east-1', prefix, endpoint_url: endpoint } },
      secure: { type: 'aws-ssm-parameter-store', secret: true, options: { region: 'us-east-1', prefix: `${prefix}/sec`, endpoint } },
      // Names may not start with "ssm" or "aws": SSM (and moto) answer with a ValidationException.
      reserved: { kind: 'aws/ssm', options: { region: 'us-east-1', prefix: '/ssm-reserved', endpoint } },
    },
    { env: {}, awsCredentials: motoCredentials, onAwsClient: counter.onAwsClient },
  );
  afterAll(() => registry.close());
  const plain = registry.get('plain');
  const secure = registry.get('secure');

  async function rawParameter(name: string): Promise<{ type?: string; value?: string }> {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const res = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    client.destroy();
    return { type: res.Parameter?.Type, value: res.Parameter?.Value };
  }

  it('writes String with JSON values in a non-secret store and reads them back decoded', async () => {
    await plain.set!('plat-ue2-dev', 'vpc/main', 'vpc_id', 'vpc-0abc');
    await plain.set!('plat-ue2-dev', 'vpc/main', 'cidrs', ['10.0.0.0/16']);
    expect(await rawParameter(`${prefix}/plat/ue2/dev/vpc/main/vpc_id`)).toEqual({ type: 'String', value: '"vpc-0abc"' });
    expect(await plain.get('plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('vpc-0abc');
    expect(await plain.get('plat-ue2-dev', 'vpc/main', 'cidrs')).toEqual(['10.0.0.0/16']);
    expect(await plain.getKey('plat/ue2/dev/vpc/main/vpc_id')).toBe('vpc-0abc');
  });

  it('writes SecureString with raw strings in a secret store, and keeps JSON scalars byte-exact', async () => {
    await secure.set!('dev', 'api', 'TOKEN', 'tok-1e5');
    await secure.set!('dev', 'api', 'NUM', '1e5');
    await secure.set!('dev', 'api', 'CONF', { user: 'u' });
    expect(await rawParameter(`${prefix}/sec/dev/api/TOKEN`)).toEqual({ type: 'SecureString', value: 'tok-1e5' });
    expect(await secure.get('dev', 'api', 'TOKEN')).toBe('tok-1e5');
    expect(await secure.get('dev', 'api', 'NUM')).toBe('1e5');
    expect(await secure.get('dev', 'api', 'CONF')).toEqual({ user: 'u' });
  });

  it('reads 25 parameters with 3 GetParameters calls (10 names a call), missing ones as missing', async () => {
    for (let i = 0; i < 23; i++) await plain.set!('batch', 'c', `k${i}`, i);
    counter.calls.length = 0;
    const requests = Array.from({ length: 25 }, (_, i) => ({ stack: 'batch', component: 'c', key: `k${i}` }));
    const results = await plain.getMany(requests);
    expect(counter.calls).toEqual(Array(Math.ceil(25 / SSM_BATCH_SIZE)).fill('GetParametersCommand'));
    expect(results.slice(0, 23).map((r) => (r.status === 'found' ? r.value : r.status))).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(results.slice(23).map((r) => [r.status, r.location])).toEqual([
      ['missing', `${prefix}/batch/c/k23`],
      ['missing', `${prefix}/batch/c/k24`],
    ]);
  });

  it('de-duplicates repeated keys in one batch', async () => {
    counter.calls.length = 0;
    const r = await plain.getMany([{ stack: 'batch', component: 'c', key: 'k1' }, { stack: 'batch', component: 'c', key: 'k1' }, { rawKey: 'batch/c/k1' }]);
    expect(r.map((x) => (x.status === 'found' ? x.value : x.status))).toEqual([1, 1, 1]);
    expect(counter.calls).toEqual(['GetParametersCommand']);
  });

  it('get of a missing key throws STORE_KEY_NOT_FOUND naming the path', async () => {
    await expect(plain.get('dev', 'none', 'missing')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND', message: expect.stringContaining(`${prefix}/dev/none/missing`) });
  });

  it('has checks existence without decryption; delete is idempotent; list is recursive and relative', async () => {
    await secure.set!('prod', 'db', 'PASSWORD', 'pw-value-1');
    await secure.set!('prod', 'db/replica', 'PASSWORD', 'pw-value-2');
    counter.calls.length = 0;
    expect(await secure.has!('prod', 'db', 'PASSWORD')).toBe(true);
    expect(counter.calls).toEqual(['GetParameterCommand']);
    expect(await secure.has!('prod', 'db', 'NOPE')).toBe(false);
    expect(await secure.list!('prod', 'db')).toEqual(['PASSWORD', 'replica/PASSWORD']);
    await secure.delete!('prod', 'db', 'PASSWORD');
    await secure.delete!('prod', 'db', 'PASSWORD');
    expect(await secure.has!('prod', 'db', 'PASSWORD')).toBe(false);
  });

  it('allows empty stack and component (stack and global secret scopes)', async () => {
    await secure.set!('', '', 'GLOBAL', 'g-value');
    await secure.set!('dev', '', 'STACKWIDE', 's-value');
    expect(await secure.get('', '', 'GLOBAL')).toBe('g-value');
    expect(await secure.getKey('dev/STACKWIDE')).toBe('s-value');
  });

  it('refuses an empty key and a nil value', async () => {
    await expect(plain.get('a', 'b', '')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID' });
    await expect(plain.set!('a', 'b', 'k', null)).rejects.toMatchObject({ code: 'STORE_VALUE_INVALID' });
  });

  it('wraps SDK errors without their text', async () => {
    const err = (await registry.get('reserved').set!('a', 'b', 'k', 'sensitive-looking-value').catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('STORE_REQUEST_FAILED');
    expect(err.message).not.toContain('sensitive-looking-value');
    expect(err.cause).toBeUndefined();
  });

  it('adopts the default identity through the auth resolver; the store endpoint wins over the identity endpoint', async () => {
    const asked: string[] = [];
    const reg = buildStoreRegistry(
      {
        inherits: { kind: 'aws/ssm', options: { region: 'us-east-1', prefix, endpoint_url: endpoint } },
        own: { kind: 'aws/ssm', identity: 'reader', options: { region: 'us-east-1', prefix } },
      },
      {
        env: {},
        auth: {
          defaultIdentity: 'component-default',
          resolver: async (identity) => {
            asked.push(identity);
            // A wrong endpoint: the store's own endpoint_url must win for "inherits".
            return { credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }), endpointUrl: identity === 'reader' ? endpoint : 'http://127.0.0.1:9' };
          },
        },
      },
    );
    try {
      expect(await reg.get('inherits').get('plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('vpc-0abc');
      expect(await reg.get('own').get('plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('vpc-0abc');
      expect(asked.sort()).toEqual(['component-default', 'reader']);
    } finally {
      await reg.close();
    }
  });

  it('a failing identity is STORE_AUTH_FAILED naming the identity', async () => {
    const reg = buildStoreRegistry({ s: { kind: 'aws/ssm', identity: 'broken', options: { region: 'us-east-1', endpoint_url: endpoint } } }, {
      env: {},
      auth: { resolver: async () => Promise.reject(new Error('no session')) },
    });
    await expect(reg.get('s').get('a', 'b', 'c')).rejects.toMatchObject({ code: 'STORE_AUTH_FAILED', message: expect.stringContaining('"broken"') });
    await reg.close();
  });
});
