import type { SopsKeyType } from '../key-type';
import { ageKeyType } from './age';
import { awsKmsKeyType } from './aws-kms';

/**
 * The SOPS key types this build opens and writes, by name. Adding one (`pgp`, `gcp-kms`) is one
 * module in this folder implementing {@link SopsKeyType} plus one line here (and, when it needs
 * credentials or local keys, one field in `SopsKeyOptions`). Local types go first: a file that
 * an age key opens never calls the network.
 */
export const SOPS_KEY_TYPES: readonly SopsKeyType[] = [ageKeyType as SopsKeyType, awsKmsKeyType as SopsKeyType];

/** The type of `name` (`age`, `aws-kms`), or undefined. */
export function sopsKeyType(name: string): SopsKeyType | undefined {
  return SOPS_KEY_TYPES.find((t) => t.name === name);
}

/** Human list of the registered types: `age or AWS KMS`. */
export function keyTypeLabels(join = 'or'): string {
  const labels = SOPS_KEY_TYPES.map((t) => t.label);
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} ${join} ${labels[labels.length - 1]}`;
}

/** Provider kinds (`sops/age`, `sops/aws-kms`): one per key type. */
export function sopsProviderKinds(): string[] {
  return SOPS_KEY_TYPES.map((t) => `sops/${t.name}`);
}
