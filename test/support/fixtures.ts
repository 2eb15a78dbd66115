import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Data from public repositories is read in place from `../shared` (beside the clone, in CI too),
 * never copied into the project. A missing folder fails loudly instead of skipping tests.
 */
export const SHARED = resolve(__dirname, '../../../shared');

function shared(path: string): string {
  const abs = resolve(SHARED, path);
  if (!existsSync(abs)) {
    throw new Error(`test data ${abs} is missing: check out the shared reference data beside the repository (../shared)`);
  }
  return abs;
}

/** Real Atmos repositories (cloudposse/atmos tests, Apache-2.0). */
export const ATMOS_SCENARIOS = shared('fixtures/atmos-scenarios');

/** Files written by the real sops 3.8.1 with age, and their test key (humphd/sops-age, MIT). */
export const SOPS_REAL = shared('fixtures/sops-real');

/** Atmos's own CLI test cases, their fixtures, examples and golden snapshots (Apache-2.0). */
export const ATMOS_TESTS = shared('reference/atmos-tests');
