/**
 * What the `secret` commands do, as core functions: set, delete, list (names, backends, scopes
 * and whether a value exists — never a value, no decryption), validate (required secrets have
 * values) and import (copy a legacy `!store` value to a declaration's coordinate).
 */
import type { InfrakeyError } from '../errors';
import { safeText, Secret, unsafeUnwrap } from '../secret';
import { declaredNames, type ComponentSecrets } from './component-secrets';
import { coordinateFor, scopeDescription } from './coordinates';
import { backendLabel, type SecretScope } from './declaration';
import { backendFailure, declarationError, SECRET_ERROR_CODES } from './secret-errors';
import type { ComponentTarget } from '../component-target';
import type { SecretsService } from './secrets-service';
import { throwProblems } from './secrets-service';

/** Result of {@link setSecret} / {@link deleteSecret}: what was changed, never the value. */
export interface SecretChange {
  name: string;
  scope: SecretScope;
  backend: string;
  location: string;
  /** One line for humans, scope-aware ("Set stack-scoped secret ..."). */
  message: string;
}

/** Writes a declared secret's value to its backend. */
export async function setSecret(service: SecretsService, target: ComponentTarget, name: string, value: unknown | Secret<unknown>): Promise<SecretChange> {
  const cs = service.forComponent(target);
  const plain = Secret.isSecret(value) ? unsafeUnwrap(value) : value;
  if (plain === undefined || plain === null) {
    throw declarationError(SECRET_ERROR_CODES.VALUE_MISSING, `no value given for secret ${JSON.stringify(name)}`, undefined, 'pass the value on stdin or at the prompt');
  }
  const { decl, backend, location } = await service.resolver.write(cs, name, plain);
  return {
    name,
    scope: decl.scope,
    backend: backend.label,
    location,
    message: safeText`Set ${scopeDescription(decl.scope, cs.stack, cs.component)} \`${name}\` in ${backend.label}`,
  };
}

/** Deletes a declared secret's value. */
export async function deleteSecret(service: SecretsService, target: ComponentTarget, name: string): Promise<SecretChange> {
  const cs = service.forComponent(target);
  const { decl, backend, location } = await service.resolver.remove(cs, name);
  return {
    name,
    scope: decl.scope,
    backend: backend.label,
    location,
    message: safeText`Deleted ${scopeDescription(decl.scope, cs.stack, cs.component)} \`${name}\` from ${backend.label}`,
  };
}

/** Status of one declaration in a listing. */
export type SecretStatus = 'initialized' | 'missing' | 'unknown' | 'invalid' | 'error';

/** One row of {@link listSecrets}. */
export interface SecretListEntry {
  name: string;
  description?: string;
  backend: string;
  scope: SecretScope | '';
  required: boolean;
  status: SecretStatus;
  /** Backend key path or SOPS `file#key` (a name, not a value). */
  location?: string;
  /** For `invalid`/`error`: the problem's code and summary (no value). */
  problem?: string;
}

/**
 * Lists a component's declarations with their status, using `has` (existence without reading or
 * decrypting). Without `verify`, remote backends are not contacted (status `unknown`); local
 * ones (SOPS files, keychain) are always checked.
 */
export async function listSecrets(service: SecretsService, target: ComponentTarget, opts: { verify?: boolean } = {}): Promise<SecretListEntry[]> {
  const cs = service.forComponent(target);
  return Promise.all(declaredNames(cs).map((name) => entryFor(service, cs, name, opts.verify ?? false)));
}

async function entryFor(service: SecretsService, cs: ComponentSecrets, name: string, verify: boolean): Promise<SecretListEntry> {
  const decl = cs.declarations.get(name);
  if (!decl) {
    const p = cs.invalid.get(name) as InfrakeyError;
    return { name, backend: '', scope: '', required: false, status: 'invalid', problem: `${p.code}: ${p.summary}` };
  }
  const base = {
    name,
    ...(decl.description !== undefined ? { description: decl.description } : {}),
    backend: backendLabel(decl),
    scope: decl.scope,
    required: decl.required,
  };
  try {
    const backend = service.resolver.backends.for(decl, cs.providers);
    const coord = coordinateFor(decl, cs.stack, cs.component);
    const location = backend.location(coord);
    if (!backend.local && !verify) return { ...base, status: 'unknown', location };
    const has = await backend.has(coord);
    return { ...base, status: has === undefined ? 'unknown' : has ? 'initialized' : 'missing', location };
  } catch (e) {
    const err = backendFailure(name, backendLabel(decl), e, decl.where);
    return { ...base, status: 'error', problem: `${err.code}: ${err.summary}` };
  }
}

/** Result of {@link validateSecrets}. */
export interface ValidationReport {
  ok: boolean;
  /** Every component checked (`stack/component`). */
  checked: string[];
  /** Required secrets without a value. */
  missing: { stack: string; component: string; name: string; location?: string }[];
  /** Declaration and backend problems (each names the declaration and file). */
  problems: InfrakeyError[];
}

/**
 * Checks that every required secret of the components has a value (contacting backends, without
 * reading values) and that every declaration is valid.
 */
export async function validateSecrets(service: SecretsService, targets: readonly ComponentTarget[]): Promise<ValidationReport> {
  const report: ValidationReport = { ok: true, checked: [], missing: [], problems: [] };
  for (const target of targets) {
    report.checked.push(`${target.stack}/${target.component}`);
    const cs = service.forComponent(target);
    report.problems.push(...cs.problems);
    const entries = await listSecrets(service, target, { verify: true });
    for (const e of entries) {
      if (e.status === 'error') {
        report.problems.push(declarationError(SECRET_ERROR_CODES.VALIDATION_FAILED, `secret ${JSON.stringify(e.name)} of component "${target.component}" in stack "${target.stack}" could not be checked: ${e.problem ?? ''}`, cs.declarations.get(e.name)?.where, 'check that the backend is reachable and your credentials'));
      }
      if (e.required && e.status === 'missing') report.missing.push({ stack: target.stack, component: target.component, name: e.name, location: e.location });
    }
  }
  report.ok = report.missing.length === 0 && report.problems.length === 0;
  return report;
}

/** Options of {@link importSecret} (Atmos `secret import NAME --from-*`). */
export interface ImportFrom {
  /** Source store; default the declaration's store. */
  store?: string;
  stack?: string;
  component?: string;
  /** Source key; default the declaration's name. */
  key?: string;
}

/** Copies a value from a (legacy `!store`) location to the declaration's coordinate. The source is not changed. */
export async function importSecret(service: SecretsService, target: ComponentTarget, name: string, from: ImportFrom): Promise<SecretChange> {
  const cs = service.forComponent(target);
  const decl = service.resolver.declaration(cs, name);
  const storeName = from.store ?? decl.store;
  if (!storeName) {
    throw declarationError(SECRET_ERROR_CODES.NO_BACKEND, `import source store is required (the declaration ${JSON.stringify(name)} has no \`store:\` to default to)`, decl.where, 'pass --from-store <store>');
  }
  const store = service.registry.get(storeName);
  const [r] = await store.getMany([{ stack: from.stack ?? '', component: from.component ?? '', key: from.key ?? name }]);
  if (!r || r.status === 'missing') {
    throw declarationError(SECRET_ERROR_CODES.NOT_INITIALIZED, `failed to read import source value: store "${storeName}" has no key "${r?.location ? store.locate(r.location) : ''}"`, `stores.${storeName}`, 'check --from-stack, --from-component and --from-key');
  }
  if (r.status === 'error') throw backendFailure(name, `store ${storeName}`, r.error, `stores.${storeName}`);
  const change = await setSecret(service, target, name, r.value);
  return { ...change, message: safeText`Imported ${store.locate(r.location)} from store ${storeName} into ${change.message.replace(/^Set /, '')}` };
}

/** Throws the component's declaration problems (for commands that need a valid component). */
export function assertValid(service: SecretsService, target: ComponentTarget): ComponentSecrets {
  const cs = service.forComponent(target);
  throwProblems(cs);
  return cs;
}
