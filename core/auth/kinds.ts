/**
 * Which provider and identity kinds exist in Atmos (§1.2, §1.3), which infrakey implements, and
 * which stand alone (no `via`). An unknown kind is a config error; a known but unimplemented kind
 * is reported when it is used, so that an Atmos config with Azure or GCP identities still loads.
 */

export const IMPLEMENTED_PROVIDER_KINDS = ['aws/iam-identity-center', 'github/oidc', 'mock', 'mock/aws'] as const;
export const ATMOS_ONLY_PROVIDER_KINDS = [
  'aws/saml',
  'azure/interactive',
  'azure/device-code',
  'azure/cli',
  'azure/oidc',
  'gcp/adc',
  'gcp/workload-identity-federation',
  'atmos/pro',
] as const;

export const IMPLEMENTED_IDENTITY_KINDS = ['aws/user', 'aws/assume-role', 'aws/permission-set', 'mock', 'mock/aws'] as const;
export const ATMOS_ONLY_IDENTITY_KINDS = [
  'aws/assume-root',
  'aws/ambient',
  'ambient',
  'azure/subscription',
  'gcp/service-account',
  'gcp/project',
  'atmos/pro',
  'aws/emulator',
  'gcp/emulator',
  'azure/emulator',
  'kubernetes/emulator',
] as const;

/** Identity kinds that end a chain by themselves (no `via`). */
export const STANDALONE_IDENTITY_KINDS = new Set([
  'aws/user',
  'aws/ambient',
  'ambient',
  'aws/emulator',
  'gcp/emulator',
  'azure/emulator',
  'kubernetes/emulator',
]);

/** Providers whose credentials come from the environment each time and are never persisted. */
export const AMBIENT_PROVIDER_KINDS = new Set(['github/oidc', 'gcp/adc', 'gcp/workload-identity-federation', 'azure/cli', 'azure/oidc']);

export type KindStatus = 'implemented' | 'atmos-only' | 'unknown';

export function providerKindStatus(kind: string): KindStatus {
  if ((IMPLEMENTED_PROVIDER_KINDS as readonly string[]).includes(kind)) return 'implemented';
  if ((ATMOS_ONLY_PROVIDER_KINDS as readonly string[]).includes(kind)) return 'atmos-only';
  return 'unknown';
}

export function identityKindStatus(kind: string): KindStatus {
  if ((IMPLEMENTED_IDENTITY_KINDS as readonly string[]).includes(kind)) return 'implemented';
  if ((ATMOS_ONLY_IDENTITY_KINDS as readonly string[]).includes(kind)) return 'atmos-only';
  return 'unknown';
}
