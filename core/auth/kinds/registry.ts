import { ambientSessions } from '../clouds/ambient-sessions';
import { awsAmbientSessions } from '../clouds/aws-ambient-sessions';
import { awsSessions } from '../clouds/aws-sessions';
import { mockSessions } from '../clouds/mock-sessions';
import { ambientKind } from './ambient';
import { azureSessions } from '../clouds/azure-sessions';
import { gcpSessions } from '../clouds/gcp-sessions';
import { assumeRoleKind } from './assume-role';
import { assumeRootKind } from './assume-root';
import { awsAmbientKind } from './aws-ambient';
import { awsEcrIntegration } from './aws-ecr';
import { awsEksIntegration } from './aws-eks';
import { awsSamlProviderKind } from './aws-saml';
import { awsUserKind } from './aws-user/aws-user';
import { azureCliProviderKind } from './azure-cli';
import { azureDeviceCodeProviderKind } from './azure-device-code';
import { azureInteractiveProviderKind } from './azure-interactive';
import { azureOidcProviderKind } from './azure-oidc';
import { azureSubscriptionKind } from './azure-subscription';
import { gcpAdcProviderKind } from './gcp-adc';
import { gcpProjectKind } from './gcp-project';
import { gcpServiceAccountKind } from './gcp-service-account';
import { gcpWifProviderKind } from './gcp-wif';
import { githubOidcProviderKind } from './github-oidc';
import type { CloudSessions, IdentityKind, IntegrationKind, ProviderKind, SessionLocation } from './kind';
import { mockIdentityKind, mockProviderKind } from './mock';
import { permissionSetKind } from './permission-set';
import { ssoProviderKind } from './sso-provider';

/**
 * The one registry of auth kinds: provider and identity kinds by their `kind:` names (and
 * aliases), and the clouds whose sessions they write. Adding a kind is one module plus one line
 * in the lists below. The kinds Atmos has but infrakey does not implement are listed too, so that
 * an Atmos config with Azure identities still loads (they fail when used, with the reason).
 */

const PROVIDER_KINDS: readonly ProviderKind[] = [
  ssoProviderKind,
  githubOidcProviderKind,
  awsSamlProviderKind,
  azureDeviceCodeProviderKind,
  azureOidcProviderKind,
  azureCliProviderKind,
  azureInteractiveProviderKind,
  gcpAdcProviderKind,
  gcpWifProviderKind,
  mockProviderKind,
];

const IDENTITY_KINDS: readonly IdentityKind[] = [
  awsUserKind,
  assumeRoleKind,
  permissionSetKind,
  assumeRootKind,
  awsAmbientKind,
  ambientKind,
  azureSubscriptionKind,
  gcpServiceAccountKind,
  gcpProjectKind,
  mockIdentityKind,
];

const INTEGRATION_KINDS: readonly IntegrationKind[] = [
  awsEcrIntegration,
  awsEksIntegration,
];

/** Integration kinds of Atmos (§1.4) that infrakey does not implement (`github/sts` is Atmos Pro's). */
const ATMOS_ONLY_INTEGRATION_KINDS = ['aws/ecr-public', 'azure/acr', 'azure/aks', 'gcp/gke', 'github/sts'] as const;

const CLOUDS: readonly CloudSessions<never>[] = [awsSessions, awsAmbientSessions, ambientSessions, azureSessions, gcpSessions, mockSessions] as CloudSessions<never>[];

/** Provider kinds of Atmos (§1.2) that infrakey does not implement. */
export const ATMOS_ONLY_PROVIDER_KINDS = [
  'atmos/pro',
] as const;

/** Identity kinds of Atmos (§1.3) that infrakey does not implement; `true`: standalone (no `via`). */
const ATMOS_ONLY_IDENTITY_KINDS: Readonly<Record<string, boolean>> = {
  'atmos/pro': false,
  'aws/emulator': true,
  'gcp/emulator': true,
  'azure/emulator': true,
  'kubernetes/emulator': true,
};

function byName<K extends { kind: string; aliases?: readonly string[] }>(kinds: readonly K[]): ReadonlyMap<string, K> {
  const map = new Map<string, K>();
  for (const k of kinds) for (const name of [k.kind, ...(k.aliases ?? [])]) map.set(name, k);
  return map;
}

const providers = byName(PROVIDER_KINDS);
const identities = byName(IDENTITY_KINDS);
const integrations = byName(INTEGRATION_KINDS);
const clouds = new Map(CLOUDS.map((c) => [c.cloud, c as unknown as CloudSessions]));

/** The provider kind registered under `name` (or an alias). */
export function providerKind(name: string): ProviderKind | undefined {
  return providers.get(name);
}

/** The identity kind registered under `name` (or an alias). */
export function identityKind(name: string): IdentityKind | undefined {
  return identities.get(name);
}

/** The sessions module of `cloud`. */
export function cloudSessions(cloud: string): CloudSessions<SessionLocation> | undefined {
  return clouds.get(cloud);
}

/** Names of the implemented provider kinds (for fixes and listings). */
export function implementedProviderKinds(): string[] {
  return PROVIDER_KINDS.map((k) => k.kind);
}

/** Names of the implemented identity kinds. */
export function implementedIdentityKinds(): string[] {
  return IDENTITY_KINDS.map((k) => k.kind);
}

/** True when an identity of `kind` ends a chain by itself (no `via`). */
export function isStandaloneIdentityKind(kind: string): boolean {
  return identityKind(kind)?.standalone ?? ATMOS_ONLY_IDENTITY_KINDS[kind] === true;
}

export type KindStatus = 'implemented' | 'atmos-only' | 'unknown';

export function providerKindStatus(kind: string): KindStatus {
  if (providers.has(kind)) return 'implemented';
  if ((ATMOS_ONLY_PROVIDER_KINDS as readonly string[]).includes(kind)) return 'atmos-only';
  return 'unknown';
}

export function identityKindStatus(kind: string): KindStatus {
  if (identities.has(kind)) return 'implemented';
  if (Object.prototype.hasOwnProperty.call(ATMOS_ONLY_IDENTITY_KINDS, kind)) return 'atmos-only';
  return 'unknown';
}

/** The integration kind registered under `name`. */
export function integrationKind(name: string): IntegrationKind | undefined {
  return integrations.get(name);
}

/** Names of the implemented integration kinds. */
export function implementedIntegrationKinds(): string[] {
  return INTEGRATION_KINDS.map((k) => k.kind);
}

export function integrationKindStatus(kind: string): KindStatus {
  if (integrations.has(kind)) return 'implemented';
  if ((ATMOS_ONLY_INTEGRATION_KINDS as readonly string[]).includes(kind)) return 'atmos-only';
  return 'unknown';
}
