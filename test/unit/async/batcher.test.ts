import { Batcher } from '../../../core/async/batcher';

describe('Batcher', () => {
  it('runs the items added in one tick (promise callbacks included) as one batch per group', async () => {
    const runs: string[] = [];
    const batcher = new Batcher<string, string, string>({
      group: (s) => s[0],
      run: (items, group) => {
        runs.push(`${group}:${items.join(',')}`);
        return items.map((s) => s.toUpperCase());
      },
    });
    const results = await Promise.all([
      batcher.add('a1'),
      batcher.add('b1'),
      batcher.add('a2'),
      // Added from a promise callback of the same tick: still the same batch.
      Promise.resolve().then(() => batcher.add('a3')),
    ]);
    expect(results).toEqual(['A1', 'B1', 'A2', 'A3']);
    expect(runs.sort()).toEqual(['a:a1,a2,a3', 'b:b1']);
    expect(batcher.stats).toEqual({ batches: 2, items: 4 });
    // A later tick is a new batch.
    await batcher.add('a4');
    expect(runs).toHaveLength(3);
  });

  it('settles each item on its own entry: a rejected entry fails only its item', async () => {
    const batcher = new Batcher<number, number>({
      run: (items) => items.map((n) => (n < 0 ? Promise.reject(new Error(`bad ${n}`)) : n * 2)),
    });
    const settled = await Promise.allSettled([batcher.add(1), batcher.add(-1), batcher.add(3)]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([2, 'bad -1', 6]);
  });

  it('a failed run fails every item of its group, not the other groups', async () => {
    const batcher = new Batcher<string, string, string>({
      group: (s) => s,
      run: async (items, group) => {
        if (group === 'x') throw new Error('backend down');
        return items;
      },
    });
    const settled = await Promise.allSettled([batcher.add('x'), batcher.add('x'), batcher.add('y')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('a short result fails the items it has no entry for', async () => {
    const batcher = new Batcher<number, number>({ run: (items) => items.slice(1) });
    const settled = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(settled[1].status).toBe('rejected');
  });
});
