import { ASM_BATCH_SIZE } from '../../../core/stores/kinds/aws-asm';
import { motoEndpoint } from '../../support/services';
import { buildStoreRegistry, callCounter, motoCredentials, uniquePrefix } from './aws-helpers';

describe('aws/asm store against moto', () => {
  const endpoint = motoEndpoint();
  const prefix = uniquePrefix('infrakey/asm');
  const counter = callCounter();
  const registry = buildStoreRegistry(
    { asm: { type: 'aws-secrets-manager', secret: true, options: { region: 'us-east-1', prefix, endpoint_url: endpoint } } },
    { env: {}, awsCredentials: motoCredentials, onAwsClient: counter.onAwsClient },
  );
  afterAll(() => registry.close());
  const asm = registry.get('asm');

  async function rawSecret(id: string): Promise<string | undefined> {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const res = await client.send(new GetSecretValueCommand({ SecretId: id }));
    client.destroy();
    return res.SecretString;
  }

  it('creates the secret on first set (CreateSecret after ResourceNotFound), then puts new versions', async () => {
    counter.calls.length = 0;
    await asm.set!('dev', 'api', 'TOKEN', 'first');
    expect(counter.calls).toEqual(['PutSecretValueCommand', 'CreateSecretCommand']);
    counter.calls.length = 0;
    await asm.set!('dev', 'api', 'TOKEN', 'second');
    expect(counter.calls).toEqual(['PutSecretValueCommand']);
    expect(await asm.get('dev', 'api', 'TOKEN')).toBe('second');
    // Plain strings are JSON-quoted at rest, as Atmos writes them.
    expect(await rawSecret(`${prefix}/dev/api/TOKEN`)).toBe('"second"');
  });

  it('stores JSON object strings verbatim and returns them decoded', async () => {
    await asm.set!('dev', 'db', 'CREDS', '{"username":"app","password":"pw-123"}');
    expect(await rawSecret(`${prefix}/dev/db/CREDS`)).toBe('{"username":"app","password":"pw-123"}');
    expect(await asm.get('dev', 'db', 'CREDS')).toEqual({ username: 'app', password: 'pw-123' });
    await asm.set!('dev', 'db', 'MAP', { b: [1, 2], a: 'x' });
    expect(await rawSecret(`${prefix}/dev/db/MAP`)).toBe('{"a":"x","b":[1,2]}');
  });

  it('reads 45 secrets with 3 BatchGetSecretValue calls (20 ids a call), missing ones as missing', async () => {
    for (let i = 0; i < 42; i++) await asm.set!('batch', 'c', `k${i}`, `v${i}`);
    counter.calls.length = 0;
    const results = await asm.getMany(Array.from({ length: 45 }, (_, i) => ({ stack: 'batch', component: 'c', key: `k${i}` })));
    expect(counter.calls).toEqual(Array(Math.ceil(45 / ASM_BATCH_SIZE)).fill('BatchGetSecretValueCommand'));
    expect(results.slice(0, 42).map((r) => (r.status === 'found' ? r.value : r.status))).toEqual(Array.from({ length: 42 }, (_, i) => `v${i}`));
    expect(results.slice(42).map((r) => r.status)).toEqual(['missing', 'missing', 'missing']);
  });

  it('getKey prefixes the raw key; missing keys throw STORE_KEY_NOT_FOUND', async () => {
    expect(await asm.getKey('dev/api/TOKEN')).toBe('second');
    await expect(asm.getKey('dev/api/NOPE')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND' });
  });

  it('has uses DescribeSecret (no value); list filters by segment; delete forces and is idempotent', async () => {
    await asm.set!('prod', 'api', 'A', 'a');
    await asm.set!('prod', 'api-backup', 'B', 'b');
    counter.calls.length = 0;
    expect(await asm.has!('prod', 'api', 'A')).toBe(true);
    expect(counter.calls).toEqual(['DescribeSecretCommand']);
    expect(await asm.list!('prod', 'api')).toEqual(['A']);
    await asm.delete!('prod', 'api', 'A');
    await asm.delete!('prod', 'api', 'A');
    expect(await asm.has!('prod', 'api', 'A')).toBe(false);
    expect((await asm.getMany([{ stack: 'prod', component: 'api', key: 'A' }]))[0].status).toBe('missing');
  });
});
