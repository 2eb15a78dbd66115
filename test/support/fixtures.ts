import { resolve } from 'node:path';

/** Real Atmos repositories (cloudposse/atmos tests, Apache-2.0), copied unchanged. */
export const ATMOS_SCENARIOS = resolve(__dirname, '../fixtures/atmos-scenarios');

/** Files written by the real sops 3.8.1 with age, and their test key (humphd/sops-age, MIT). */
export const SOPS_REAL = resolve(__dirname, '../fixtures/sops-real');
