import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOPS_REAL } from '../../support/fixtures';

/** The sops-real fixtures (written by sops 3.8.1 with age; key.txt is the test identity). */
export const FIXTURES = SOPS_REAL;
export const FIXTURE_KEY_FILE = join(FIXTURES, 'key.txt');
export const FIXTURE_IDENTITY = readFileSync(FIXTURE_KEY_FILE, 'utf8')
  .split('\n')
  .find((l) => l.startsWith('AGE-SECRET-KEY-')) as string;
export const FIXTURE_RECIPIENT = 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr';
export const PLAINTEXT = JSON.parse(readFileSync(join(FIXTURES, 'secret.json'), 'utf8')) as Record<string, unknown>;
export const fixtureText = (ext: string): string => readFileSync(join(FIXTURES, `secret.enc.${ext}`), 'utf8');

/** Asserts an async call fails with an InfrakeyError of `code`; returns the error. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { code: string };
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code ?? 'no code'}: ${err.message}`);
    return err;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
