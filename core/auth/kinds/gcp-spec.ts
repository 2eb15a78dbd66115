/**
 * A list of strings from a GCP spec field (`scopes`, `delegates`, `allowed_hosts`): undefined when
 * absent, null when it is not a list of non-empty strings (the caller reports it).
 */
export function gcpStringList(value: unknown): string[] | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) return null;
  return value.map((v: string) => v.trim());
}

const EMAIL_SUFFIX = '.iam.gserviceaccount.com';

/** The project of a service account email (`name@PROJECT.iam.gserviceaccount.com`), as Atmos. */
export function projectOfServiceAccount(email: string): string | undefined {
  const parts = email.split('@');
  if (parts.length !== 2 || !parts[1].endsWith(EMAIL_SUFFIX)) return undefined;
  return parts[1].slice(0, -EMAIL_SUFFIX.length) || undefined;
}

/** True for an email Atmos accepts as a service account (`...@...iam.gserviceaccount.com`). */
export function isServiceAccountEmail(email: string): boolean {
  return email.includes('@') && email.endsWith(EMAIL_SUFFIX);
}
