import { createServer } from 'node:net';
import { StoreError } from '../../../core/errors';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import { motoCredentials } from './aws-helpers';

/** A 127.0.0.1 port nothing listens on: bound by the kernel, then released. */
async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('an unreachable backend fails with STORE_UNREACHABLE naming the endpoint', () => {
  let port: number;
  beforeAll(async () => {
    port = await unusedPort();
  });

  it.each(['aws/ssm', 'aws/asm'])('%s', async (kind) => {
    const endpoint = `http://127.0.0.1:${port}`;
    const reg = buildStoreRegistry({ s: { kind, options: { region: 'us-east-1', endpoint_url: endpoint } } }, { env: {}, awsCredentials: motoCredentials });
    try {
      const err = (await reg.get('s').get('dev', 'app', 'k').catch((e: unknown) => e)) as StoreError;
      expect(err).toBeInstanceOf(StoreError);
      expect(err.code).toBe('STORE_UNREACHABLE');
      expect(err.message).toContain(endpoint);
      // Batched reads reject as a whole rather than reporting N identical errors.
      await expect(reg.get('s').getMany([{ stack: 'a', component: 'b', key: 'c' }, { rawKey: 'd' }])).rejects.toMatchObject({ code: 'STORE_UNREACHABLE' });
    } finally {
      await reg.close();
    }
  });

  it('AWS_ENDPOINT_URL from the environment is honoured (and named)', async () => {
    const endpoint = `http://127.0.0.1:${port}`;
    const reg = buildStoreRegistry({ s: { kind: 'aws/ssm', options: { region: 'us-east-1' } } }, { env: { AWS_ENDPOINT_URL: endpoint }, awsCredentials: motoCredentials });
    try {
      await expect(reg.get('s').get('dev', 'app', 'k')).rejects.toMatchObject({ code: 'STORE_UNREACHABLE', message: expect.stringContaining(endpoint) });
    } finally {
      await reg.close();
    }
  });

  it('redis', async () => {
    const reg = buildStoreRegistry({ r: { kind: 'redis', options: { url: `redis://:pw-not-shown@127.0.0.1:${port}/0` } } }, { env: {} });
    try {
      const err = (await reg.get('r').get('dev', 'app', 'k').catch((e: unknown) => e)) as StoreError;
      expect(err.code).toBe('STORE_UNREACHABLE');
      expect(err.message).toContain(`redis://127.0.0.1:${port}/0`);
      expect(err.message).not.toContain('pw-not-shown');
    } finally {
      await reg.close();
    }
  });
});
