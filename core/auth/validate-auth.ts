import type { AuthConfig, IdentityConfig, ParsedAuthConfig } from './auth-config';
import { AUTH_ERROR_CODES, locateWhere } from './auth-errors';
import type { SpecReport } from './kinds/kind';
import { ATMOS_ONLY_PROVIDER_KINDS, identityKind, identityKindStatus, implementedIdentityKinds, implementedIntegrationKinds, implementedProviderKinds, integrationKind, integrationKindStatus, isStandaloneIdentityKind, providerKind, providerKindStatus } from './kinds/registry';
import { realmProblem } from './realm';
import { AuthError } from '../errors';

/** Everything `auth validate` found: errors fail validation, warnings do not. */
export interface AuthValidation {
  readonly errors: AuthError[];
  readonly warnings: AuthError[];
}

/**
 * Validates the whole `auth:` section and reports every problem at once (§1.6, plus the checks
 * Atmos defers to login time: required principal fields, two defaults, unknown kinds).
 */
export function validateAuthConfig(parsed: ParsedAuthConfig): AuthValidation {
  const { config } = parsed;
  const errors: AuthError[] = [...parsed.problems];
  const warnings: AuthError[] = [];
  const where = (p: string) => locateWhere(p, config.locate);
  const err = (code: string, p: string, message: string, fix: string) => errors.push(new AuthError({ code, message, where: where(p), fix }));
  const report: SpecReport = { config, error: err };

  if (config.realm !== undefined) {
    const problem = realmProblem(config.realm);
    if (problem) {
      err(AUTH_ERROR_CODES.REALM_INVALID, 'auth.realm', `invalid realm value: auth.realm configuration: ${problem}`, 'use 1-64 characters from a-z, 0-9, "-" and "_"');
    }
  }

  for (const p of config.providers.values()) {
    if (p.kind === '') {
      err(AUTH_ERROR_CODES.FIELD_MISSING, p.path, `provider "${p.displayName}" has no kind`, `set ${p.path}.kind to one of ${implementedProviderKinds().join(', ')}`);
      continue;
    }
    const status = providerKindStatus(p.kind);
    if (status === 'unknown') {
      err(AUTH_ERROR_CODES.KIND_UNKNOWN, `${p.path}.kind`, `invalid provider kind: unsupported provider kind: ${p.kind} (provider "${p.displayName}")`, `use one of ${[...implementedProviderKinds(), ...ATMOS_ONLY_PROVIDER_KINDS].join(', ')}`);
      continue;
    }
    if (status === 'atmos-only') {
      warnings.push(new AuthError({ code: AUTH_ERROR_CODES.KIND_UNSUPPORTED, message: `provider "${p.displayName}": kind ${p.kind} is not implemented by infrakey; identities through it cannot log in`, where: where(`${p.path}.kind`), fix: `use Atmos for this provider, or a provider of kind ${implementedProviderKinds().join(', ')}` }));
      continue;
    }
    providerKind(p.kind)?.validate(p, report);
  }

  for (const id of config.identities.values()) validateIdentity(config, id, err, warnings, where, report);
  for (const i of config.integrations.values()) {
    const status = i.kind === '' ? 'unknown' : integrationKindStatus(i.kind);
    if (status === 'unknown') {
      err(AUTH_ERROR_CODES.INTEGRATION_KIND_UNSUPPORTED, i.kind === '' ? i.path : `${i.path}.kind`, `integration "${i.displayName}": unknown integration kind ${i.kind || '(none)'}`, `use one of ${implementedIntegrationKinds().join(', ')}`);
      continue;
    }
    if (status === 'atmos-only') {
      warnings.push(new AuthError({ code: AUTH_ERROR_CODES.INTEGRATION_KIND_UNSUPPORTED, message: `integration "${i.displayName}": kind ${i.kind} is not implemented by infrakey; it is skipped at login`, where: where(`${i.path}.kind`), fix: `use Atmos for this integration, or one of ${implementedIntegrationKinds().join(', ')}` }));
    }
    const via = i.via;
    if (!via || (!via.identity && !via.provider) || (via.identity && via.provider)) {
      err(AUTH_ERROR_CODES.VIA_INVALID, `${i.path}${via ? '.via' : ''}`, `integration "${i.displayName}": exactly one of via.identity or via.provider must be set`, `write ${i.path}.via: {identity: NAME}`);
    } else if (via.identity && !config.identities.has(via.identity)) {
      err(AUTH_ERROR_CODES.VIA_UNKNOWN, `${i.path}.via.identity`, `integration "${i.displayName}": referenced identity "${via.identity}" does not exist`, `define auth.identities.${via.identity} or fix the name`);
    } else if (via.provider && !config.providers.has(via.provider)) {
      err(AUTH_ERROR_CODES.VIA_UNKNOWN, `${i.path}.via.provider`, `integration "${i.displayName}": referenced provider "${via.provider}" does not exist`, `define auth.providers.${via.provider} or fix the name`);
    }
    integrationKind(i.kind)?.validate(i, report);
  }

  // Cycles: each reported once, members in walk order.
  const reported = new Set<string>();
  for (const start of config.identities.values()) {
    const path: string[] = [];
    let cur: IdentityConfig | undefined = start;
    while (cur && cur.via?.identity && !cur.via.provider) {
      const i = path.indexOf(cur.name);
      if (i >= 0) {
        const members = path.slice(i);
        const key = [...members].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          err(AUTH_ERROR_CODES.CYCLE, `auth.identities.${members[0]}.via.identity`, `identity cycle detected: ${[...members, members[0]].join(' -> ')}`, `make one of ${members.map((m) => `"${m}"`).join(', ')} use via.provider so the chain ends`);
        }
        break;
      }
      path.push(cur.name);
      cur = config.identities.get(cur.via.identity);
    }
  }

  const defaults = [...config.identities.values()].filter((i) => i.default);
  if (defaults.length > 1) {
    err(AUTH_ERROR_CODES.DEFAULT_MULTIPLE, defaults[1].path + '.default', `multiple default identities found: [${defaults.map((d) => d.name).join(' ')}]`, `keep default: true on one identity only (${defaults.map((d) => d.path).join(', ')})`);
  }
  return { errors, warnings };
}

function validateIdentity(
  config: AuthConfig,
  id: IdentityConfig,
  err: (code: string, p: string, m: string, f: string) => void,
  warnings: AuthError[],
  where: (p: string) => string,
  report: SpecReport,
): void {
  const p = id.path;
  if (id.kind === '') {
    err(AUTH_ERROR_CODES.FIELD_MISSING, p, `identity "${id.displayName}" is not configured (it has no kind). Did you forget to specify a profile?`, `set ${p}.kind (${implementedIdentityKinds().join(', ')}) or activate the profile that defines it (--profile)`);
    return;
  }
  const status = identityKindStatus(id.kind);
  if (status === 'unknown') {
    err(AUTH_ERROR_CODES.KIND_UNKNOWN, `${p}.kind`, `invalid identity kind: unsupported identity kind: ${id.kind} (identity "${id.displayName}")`, `use one of ${implementedIdentityKinds().join(', ')}`);
    return;
  }
  if (status === 'atmos-only') {
    warnings.push(new AuthError({ code: AUTH_ERROR_CODES.KIND_UNSUPPORTED, message: `identity "${id.displayName}": kind ${id.kind} is not implemented by infrakey; it cannot log in`, where: where(`${p}.kind`), fix: `use Atmos for this identity, or an identity of kind ${implementedIdentityKinds().join(', ')}` }));
  }
  const via = id.via;
  const standalone = isStandaloneIdentityKind(id.kind);
  if (!standalone) {
    if (!via || (!via.provider && !via.identity)) {
      err(AUTH_ERROR_CODES.VIA_INVALID, p, `identity "${id.displayName}": exactly one of via.provider or via.identity must be set`, `add via: {provider: NAME} or via: {identity: NAME} to ${p}`);
    } else if (via.provider && via.identity) {
      err(AUTH_ERROR_CODES.VIA_INVALID, `${p}.via`, `identity "${id.displayName}": via.provider and via.identity are mutually exclusive; only one can be set`, `remove one of ${p}.via.provider / ${p}.via.identity`);
    } else if (via.provider && !config.providers.has(via.provider)) {
      err(AUTH_ERROR_CODES.VIA_UNKNOWN, `${p}.via.provider`, `identity "${id.displayName}": referenced provider "${via.provider}" does not exist`, `define auth.providers.${via.provider} or fix the name`);
    } else if (via.identity && !config.identities.has(via.identity)) {
      err(AUTH_ERROR_CODES.VIA_UNKNOWN, `${p}.via.identity`, `identity "${id.displayName}": referenced identity "${via.identity}" does not exist`, `define auth.identities.${via.identity} or fix the name`);
    }
  }
  identityKind(id.kind)?.validate(id, report);
}
