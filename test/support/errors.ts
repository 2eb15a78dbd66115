import { InfrakeyError } from '../../core/errors';

/** The InfrakeyError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): InfrakeyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InfrakeyError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

/** The InfrakeyError `p` rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejection(p: Promise<unknown>): Promise<InfrakeyError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InfrakeyError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}
