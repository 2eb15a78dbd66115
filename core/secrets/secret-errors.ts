/**
 * Secret error codes and factories. Messages name the declaration, the store or provider and the
 * file that declared it — never a value, never a default; a backend's own error text only masked and cut to one line (`causeSummary`).
 */
import { causeSummary } from '../masking/cause-summary';
import { DeclarationError, InfrakeyError, type SourceLocation } from '../errors';

/** Stable codes of the secrets layer. */
export const SECRET_ERROR_CODES = {
  /** A declaration sets both `store:` and `sops:`. */
  BACKEND_AMBIGUOUS: 'SECRET_BACKEND_AMBIGUOUS',
  /** A declaration sets neither `store:` nor `sops:` (or is not a map). */
  NO_BACKEND: 'SECRET_NO_BACKEND',
  /** `store:` names a store that is not in `stores:`. */
  STORE_UNKNOWN: 'SECRET_STORE_UNKNOWN',
  /** `store:` names a store without `secret: true`. */
  STORE_NOT_SECRET: 'SECRET_STORE_NOT_SECRET',
  /** `sops:` names a provider found neither in the stack/component nor in atmos.yaml. */
  PROVIDER_UNKNOWN: 'SECRET_PROVIDER_UNKNOWN',
  /** A provider's `kind` is not one this build can use. */
  PROVIDER_UNSUPPORTED: 'SECRET_PROVIDER_UNSUPPORTED',
  /** An explicit `scope:` that contradicts the declaration's position. */
  SCOPE_CONFLICT: 'SECRET_SCOPE_CONFLICT',
  /** A scope the backend cannot store (SOPS and `global`, stores that need stack and component). */
  SCOPE_UNSUPPORTED: 'SECRET_SCOPE_UNSUPPORTED',
  /** A declared name that is not a valid environment variable name (`A=B`, `1X`, `db-password`). */
  NAME_INVALID: 'SECRET_NAME_INVALID',
  /** A declared name that changes how a child process loads or runs (`LD_PRELOAD`, `PATH`, …), not allowed by INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES. */
  NAME_UNSAFE: 'SECRET_NAME_UNSAFE',
  /** A declaration field of the wrong type (`required: "yes"`, `scope: bogus`). */
  DECLARATION_INVALID: 'SECRET_DECLARATION_INVALID',
  /** `!secret NAME` or a CLI NAME that the component does not declare. */
  NOT_DECLARED: 'SECRET_NOT_DECLARED',
  /** The backend has no value for the declaration. */
  NOT_INITIALIZED: 'SECRET_NOT_INITIALIZED',
  /** `| path` (or `--path`) applied to a value that is not a JSON map or list. */
  PATH_NOT_JSON: 'SECRET_PATH_NOT_JSON',
  /** `| path` does not lead anywhere in the value. */
  PATH_MISSING: 'SECRET_PATH_MISSING',
  /** The backend cannot do this operation (delete on a store without delete). */
  /** Required secrets are missing (`secret validate`). */
  VALIDATION_FAILED: 'SECRET_VALIDATION_FAILED',
  /** `secret set` was given no value. */
  VALUE_MISSING: 'SECRET_VALUE_MISSING',
  /** The value is larger than its backend accepts (SOPS: `SOPS_MAX_VALUE_BYTES`; stores check their own). */
  VALUE_TOO_LARGE: 'SECRET_VALUE_TOO_LARGE',
  /** `secret keygen` cannot pick or use a provider. */
  KEYGEN_FAILED: 'SECRET_KEYGEN_FAILED',
} as const;
export type SecretErrorCode = (typeof SECRET_ERROR_CODES)[keyof typeof SECRET_ERROR_CODES];

/** Where a declaration was written, for messages. */
export type DeclWhere = string | SourceLocation | undefined;

/** A declaration problem (config path or file:line of the declaration). */
export function declarationError(code: SecretErrorCode, message: string, where: DeclWhere, fix: string, cause?: unknown): DeclarationError {
  return new DeclarationError({ code, message, where, fix, cause });
}

/** `secret is not declared` for (stack, component). */
export function notDeclared(name: string, stack: string, component: string, where?: DeclWhere, declared: readonly string[] = []): DeclarationError {
  const known = declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ' (the component declares no secrets)';
  return declarationError(
    SECRET_ERROR_CODES.NOT_DECLARED,
    `secret is not declared: ${JSON.stringify(name)} in component "${component}" of stack "${stack}"${known}`,
    where,
    `declare it under the component's secrets.vars, e.g. \`secrets: { vars: { ${name}: { store: <secret store> } } }\``,
  );
}

/** `secret is not initialized in its backend`. */
export function notInitialized(name: string, backend: string, location: string, where: DeclWhere, stack: string, component: string): DeclarationError {
  return declarationError(
    SECRET_ERROR_CODES.NOT_INITIALIZED,
    `secret is not initialized in its backend: ${JSON.stringify(name)} (${backend}, ${location})`,
    where,
    `set it with \`infrakey secret set ${name} -s ${stack} -c ${component}\` (the value is read from stdin or a hidden prompt)`,
  );
}

/** Wraps a backend failure for one declaration, keeping the backend's own (value-free) error. */
export function backendFailure(name: string, backend: string, cause: unknown, where: DeclWhere): InfrakeyError {
  if (cause instanceof InfrakeyError) {
    return new DeclarationError({
      code: cause.code,
      message: `secret ${JSON.stringify(name)} (${backend}): ${cause.summary}`,
      where: cause.where ?? where,
      fix: cause.fix,
      cause,
    });
  }
  return new DeclarationError({
    code: 'SECRET_BACKEND_FAILED',
    message: `secret ${JSON.stringify(name)} (${backend}): the backend failed (${causeSummary(cause)})`,
    where,
    fix: 'check that the backend is reachable and that your credentials can read it; run with --debug for details',
    cause,
  });
}
