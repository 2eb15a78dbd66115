import { StoreError } from '../../../core/errors';
import { StoreBatchReader } from '../../../core/stores/batch-reader';
import { backendError, describeFailure } from '../../../core/stores/store-errors';
import { evaluateStore, evaluateStoreGet } from '../../../core/stores/store-function';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import type { Store } from '../../../core/stores/store';
import { parseStoreArgs, parseStoreGetArgs } from '../../../core/yaml/function-args';

describe('store functions without a network', () => {
  const registry = buildStoreRegistry({ local: { kind: 'keychain', options: { backend: 'memory' } } }, { env: {} });

  it('refuse a keychain store (secret by default) with STORE_IS_SECRET', async () => {
    await expect(evaluateStore(registry, parseStoreArgs('local app k'), { stack: 'dev' })).rejects.toMatchObject({ code: 'STORE_IS_SECRET' });
    await expect(evaluateStoreGet(registry, parseStoreGetArgs('local atmos/dev/app/k'), {})).rejects.toMatchObject({
      code: 'STORE_IS_SECRET',
      message: expect.stringContaining('use !secret instead of !store.get: store "local"'),
    });
  });
});

describe('StoreBatchReader', () => {
  it('turns reads started in the same tick into one getMany per store', async () => {
    const registry = buildStoreRegistry({ a: { kind: 'keychain', options: { backend: 'memory' } }, b: { kind: 'keychain', options: { backend: 'memory' } } }, { env: {} });
    const a = registry.get('a');
    const b = registry.get('b');
    await a.set!('dev', 'app', 'x', 'ax');
    await b.set!('dev', 'app', 'x', 'bx');
    const calls: string[] = [];
    const spy = (s: Store): void => {
      const original = s.getMany.bind(s);
      s.getMany = async (reqs) => {
        calls.push(`${s.name}:${reqs.length}`);
        return original(reqs);
      };
    };
    spy(a);
    spy(b);
    const reader = new StoreBatchReader();
    const results = await Promise.all([
      reader.read(a, { stack: 'dev', component: 'app', key: 'x' }),
      reader.read(b, { stack: 'dev', component: 'app', key: 'x' }),
      reader.read(a, { stack: 'dev', component: 'app', key: 'y' }),
      Promise.resolve().then(() => reader.read(a, { rawKey: 'atmos/dev/app/x' })),
    ]);
    expect(results.map((r) => (r.status === 'found' ? r.value : r.status))).toEqual(['ax', 'bx', 'missing', 'ax']);
    expect(calls.sort()).toEqual(['a:3', 'b:1']);
  });
});

describe('backend error wrapping', () => {
  it('keeps the error name and status, never the text or the original error', () => {
    const sdkError = Object.assign(new Error('Value hunter2-in-message at value failed to satisfy constraint'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const e = backendError('s', 'PutParameter', '/p/k', 'http://127.0.0.1:1', sdkError);
    expect(e).toBeInstanceOf(StoreError);
    expect(e.code).toBe('STORE_REQUEST_FAILED');
    expect(e.message).toContain('ValidationException, HTTP 400');
    expect(e.message).not.toContain('hunter2');
    expect(e.cause).toBeUndefined();
  });

  it('classifies network, permission and credential failures', () => {
    expect(describeFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).unreachable).toBe(true);
    expect(describeFailure(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1')).unreachable).toBe(true);
    expect(describeFailure(Object.assign(new Error('x'), { name: 'TimeoutError' })).unreachable).toBe(true);
    expect(backendError('s', 'op', 'k', 'e', Object.assign(new Error('x'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } })).code).toBe('STORE_ACCESS_DENIED');
    expect(backendError('s', 'op', 'k', 'e', Object.assign(new Error('x'), { name: 'CredentialsProviderError' })).code).toBe('STORE_AUTH_FAILED');
    expect(backendError('s', 'op', 'k', 'e', Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).code).toBe('STORE_UNREACHABLE');
  });
});
