import { redisUrl } from '../../support/services';
import { buildStoreRegistry } from '../../../core/stores/store-registry';

describe('redis store against redis-server', () => {
  const prefix = `infrakey-${process.pid}-${Date.now().toString(36)}`;
  const registry = buildStoreRegistry({ cache: { kind: 'redis', options: { url: redisUrl(), prefix } } }, { env: {} });
  const redis = registry.get('cache');
  afterAll(() => registry.close());

  it('writes JSON and reads it back; reads non-JSON values raw', async () => {
    await redis.set!('org/dev', 'vpc', 'id', 'vpc-1');
    await redis.set!('org/dev', 'vpc', 'subnets', ['a', 'b']);
    expect(await redis.get('org/dev', 'vpc', 'id')).toBe('vpc-1');
    expect(await redis.get('org/dev', 'vpc', 'subnets')).toEqual(['a', 'b']);
    const { Redis } = await import('ioredis');
    const raw = new Redis(redisUrl());
    try {
      expect(await raw.get(`${prefix}/org/dev/vpc/id`)).toBe('"vpc-1"');
      await raw.set(`${prefix}:legacy`, 'not json');
    } finally {
      raw.disconnect();
    }
    // Atmos quirk kept: GetKey joins the prefix with ":".
    expect(await redis.getKey('legacy')).toBe('not json');
  });

  it('reads a batch with MGET, missing keys as missing', async () => {
    const r = await redis.getMany([
      { stack: 'org/dev', component: 'vpc', key: 'id' },
      { stack: 'org/dev', component: 'vpc', key: 'nope' },
    ]);
    expect(r.map((x) => x.status)).toEqual(['found', 'missing']);
  });

  it('needs a stack and a component (Atmos: empty stack/component refused)', async () => {
    await expect(redis.get('', 'vpc', 'id')).rejects.toMatchObject({ code: 'STORE_KEY_INVALID', message: expect.stringContaining('stack cannot be empty') });
    await expect(redis.set!('dev', '', 'id', 1)).rejects.toMatchObject({ code: 'STORE_KEY_INVALID', message: expect.stringContaining('component cannot be empty') });
  });

  it('has, list (SCAN) and delete', async () => {
    await redis.set!('org/prod', 'app', 'a', 1);
    await redis.set!('org/prod', 'app/sub', 'b', 2);
    expect(await redis.has!('org/prod', 'app', 'a')).toBe(true);
    expect(await redis.list!('org/prod', 'app')).toEqual(['a', 'sub/b']);
    await redis.delete!('org/prod', 'app', 'a');
    expect(await redis.has!('org/prod', 'app', 'a')).toBe(false);
  });
});
