import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCases, runCase, type CaseResult } from './atmos-cases';

// Atmos's own CLI test cases for the commands infrakey implements, read in place from
// ../shared/reference/atmos-tests. The pass rate is reported and must not fall below MIN_PASS_RATE; every
// case that does not pass must be listed, with its reason, in docs/atmos-conformance.md.
const DOC = join(__dirname, '../../docs/atmos-conformance.md');
const README = join(__dirname, '../../README.md');
// The floor this branch reaches (81/88 measured, 92.0 %; issue 15's goal is 0.9). Raise it as
// cases are fixed, never lower it. Every case that does not pass is listed with its reason in the doc.
const MIN_PASS_RATE = 0.92;

describe('Atmos CLI test cases (conformance)', () => {
  const cases = loadCases();
  const enabled = cases.filter((c) => c.enabled);
  const results: CaseResult[] = [];

  it('finds the cases for the implemented commands', () => {
    expect(enabled.length).toBeGreaterThan(60);
  });

  it('runs every enabled case', async () => {
    for (const c of enabled) results.push(await runCase(c));
    const failed = results.filter((r) => !r.passed);
    const passed = results.length - failed.length;
    // The report: how many pass, and why the others do not.
    process.stdout.write(
      `Atmos conformance: ${passed}/${results.length} cases pass (${((100 * passed) / results.length).toFixed(1)}%); ` +
        `${cases.length - enabled.length} disabled by Atmos not run\n` +
        failed.map((f) => `  FAIL ${f.id}\n    ${f.reasons.join('\n    ')}\n`).join(''),
    );
    expect(passed / results.length).toBeGreaterThanOrEqual(MIN_PASS_RATE);
  }, 300_000);

  it('lists every case that does not pass in the docs and the README, with a reason, and states the measured count', () => {
    const passed = results.filter((r) => r.passed).length;
    for (const file of [DOC, README]) {
      const text = readFileSync(file, 'utf8');
      const missing = results.filter((r) => !r.passed && !text.includes(r.id)).map((r) => r.id);
      expect([file, missing]).toEqual([file, []]);
      expect([file, text.includes(`${passed} of ${results.length}`)]).toEqual([file, true]);
    }
  });
});
