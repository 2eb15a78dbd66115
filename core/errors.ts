/**
 * Error model. Every failure the toolkit reports is an {@link InfrakeyError} with a stable `code`,
 * a message that says what failed, `where` (file:line or config path) and the exact `fix`.
 * Messages never contain secret values: callers pass names and paths, never values, and the CLI
 * still passes every message through the Redactor before printing it.
 */

/** A position in a source file, 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** Formats a location as `file:line:column` (omitting what is unknown). */
export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

/** What every error factory fills in. */
export interface ErrorDetails {
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`. Documented in docs/errors.md. */
  code: string;
  /** What failed, in one sentence, without any secret value. */
  message: string;
  /** Where: `file:line`, a config path such as `auth.identities.dev`, or both. */
  where?: string | SourceLocation;
  /** The exact fix the user should apply. */
  fix?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Further problems reported together with this one (e.g. every schema error of a file). */
  problems?: readonly InfrakeyError[];
}

/** Base class of all infrakey errors. */
export class InfrakeyError extends Error {
  readonly code: string;
  readonly where?: string;
  readonly fix?: string;
  readonly problems: readonly InfrakeyError[];
  /** The message without location and fix. */
  readonly summary: string;

  constructor(details: ErrorDetails) {
    const where = typeof details.where === 'object' ? formatLocation(details.where) : details.where;
    super(composeMessage(details.message, where, details.fix, details.problems), { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.summary = details.message;
    this.where = where;
    this.fix = details.fix;
    this.problems = details.problems ?? [];
  }
}

function composeMessage(message: string, where?: string, fix?: string, problems?: readonly InfrakeyError[]): string {
  let text = where ? `${where}: ${message}` : message;
  if (problems && problems.length > 0) {
    text += '\n' + problems.map((p) => `  - ${p.message.replace(/\n/g, '\n    ')}`).join('\n');
  }
  if (fix) text += `\n  fix: ${fix}`;
  return text;
}

/** Problems in atmos.yaml, profiles or ATMOS_* overrides. */
export class ConfigError extends InfrakeyError {}
/** Problems in stack manifests: imports, inheritance, names, YAML. */
export class StackError extends InfrakeyError {}
/** Problems in secret declarations or `!secret` usage. */
export class DeclarationError extends InfrakeyError {}
/** Authentication and identity failures. */
export class AuthError extends InfrakeyError {}
/** Store backends: configuration and I/O. */
export class StoreError extends InfrakeyError {}
/** Keyring backends. */
export class KeyringError extends InfrakeyError {}
/** A secret value was about to leave the process in plaintext. */
export class LeakError extends InfrakeyError {}
/** Bad command-line usage (exit code 2). */
export class UsageError extends InfrakeyError {}

/** Type guard usable across package copies (checks the shape, not the prototype). */
export function isInfrakeyError(e: unknown): e is InfrakeyError {
  return e instanceof InfrakeyError || (e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'summary' in e);
}
