/**
 * A list of strings from a GCP spec field (`scopes`, `delegates`, `allowed_hosts`): undefined when
 * absent, null when it is not a list of non-empty strings (the caller reports it).
 */
export function gcpStringList(value: unknown): string[] | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) return null;
  return value.map((v: string) => v.trim());
}
