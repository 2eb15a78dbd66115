import type { SopsKeyType } from '../key-type';
import { ageKeyType } from './age';
import { awsKmsKeyType } from './aws-kms';
import { gcpKmsKeyType } from './gcp-kms';
import { pgpKeyType } from './pgp';

/**
 * The SOPS key types this build opens and writes, by name. Adding one (`pgp`, `gcp-kms`) is one
 * module in this folder implementing {@link SopsKeyType} plus one line here (and, when it needs
 * credentials or local keys, one field in `SopsKeyOptions`). Local types go first: a file that
 * an age key opens never calls the network.
 */
export const SOPS_KEY_TYPES: readonly SopsKeyType[] = [ageKeyType as SopsKeyType, pgpKeyType as SopsKeyType, awsKmsKeyType as SopsKeyType, gcpKmsKeyType as SopsKeyType];

/** The type of `name` (`age`, `aws-kms`, or an alias such as `gpg`), or undefined. */
export function sopsKeyType(name: string): SopsKeyType | undefined {
  return SOPS_KEY_TYPES.find((t) => t.name === name || (t.aliases ?? []).includes(name));
}

/** Human list of the registered types: `age, PGP, AWS KMS or GCP KMS`. */
export function keyTypeLabels(join = 'or'): string {
  const labels = SOPS_KEY_TYPES.map((t) => t.label);
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} ${join} ${labels[labels.length - 1]}`;
}

/** Provider kinds (`sops/age`, `sops/aws-kms`): one per key type (aliases are not listed). */
export function sopsProviderKinds(): string[] {
  return SOPS_KEY_TYPES.map((t) => `sops/${t.name}`);
}

/** The canonical provider kind of `sops/<alias>` (`sops/gpg` → `sops/pgp`); other kinds as given. */
export function canonicalSopsKind(kind: string): string {
  if (!kind.startsWith('sops/')) return kind;
  const type = sopsKeyType(kind.slice(5));
  return type ? `sops/${type.name}` : kind;
}
