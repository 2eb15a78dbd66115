import { AsyncCache, memoizeAsync } from '../../../core/async/memoize-async';

describe('memoizeAsync', () => {
  it('runs the loader once for concurrent and later callers', async () => {
    let runs = 0;
    const memo = memoizeAsync(async () => ++runs);
    const [a, b] = await Promise.all([memo(), memo()]);
    expect([a, b, await memo()]).toEqual([1, 1, 1]);
    expect(runs).toBe(1);
  });

  it('does not keep a rejection: every waiting caller sees it, the next call loads again', async () => {
    let runs = 0;
    const memo = memoizeAsync(async () => {
      runs++;
      if (runs === 1) throw new Error('first fails');
      return runs;
    });
    const waiting = [memo(), memo()];
    await expect(Promise.all(waiting)).rejects.toThrow('first fails');
    expect(runs).toBe(1);
    await expect(memo()).resolves.toBe(2);
    await expect(memo()).resolves.toBe(2);
  });

  it('turns a synchronous throw into a rejection that is not kept', async () => {
    let runs = 0;
    const memo = memoizeAsync((): Promise<number> => {
      runs++;
      if (runs === 1) throw new Error('sync');
      return Promise.resolve(runs);
    });
    await expect(memo()).rejects.toThrow('sync');
    await expect(memo()).resolves.toBe(2);
  });

  it('clear() forgets a fulfilled value; peek() shows the current one', async () => {
    let runs = 0;
    const memo = memoizeAsync(async () => ++runs);
    expect(memo.peek()).toBeUndefined();
    await memo();
    await expect(memo.peek()).resolves.toBe(1);
    memo.clear();
    expect(memo.peek()).toBeUndefined();
    await expect(memo()).resolves.toBe(2);
  });
});

describe('AsyncCache', () => {
  it('a late rejection of a replaced entry does not evict the newer entry', async () => {
    const cache = new AsyncCache<string, string>();
    let failFirst!: (e: Error) => void;
    const first = cache.get('k', () => new Promise<string>((_, reject) => (failFirst = reject)));
    cache.delete('k'); // e.g. a write invalidated the value while the read was in flight
    const second = cache.get('k', async () => 'fresh');
    failFirst(new Error('stale read failed'));
    await expect(first).rejects.toThrow('stale read failed');
    await expect(second).resolves.toBe('fresh');
    expect(cache.peek('k')).toBe(second);
  });

  it('keys are independent', async () => {
    const cache = new AsyncCache<string, string>();
    await expect(cache.get('a', async () => { throw new Error('a fails'); })).rejects.toThrow('a fails');
    await expect(cache.get('b', async () => 'b')).resolves.toBe('b');
    expect(cache.peek('a')).toBeUndefined();
    await expect(cache.get('b', async () => 'other')).resolves.toBe('b');
  });
});
