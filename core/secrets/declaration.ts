/**
 * Secret declarations (`secrets.vars`, semantics §6.2): what a component says it needs, where the
 * value lives (exactly one of `store:` or `sops:`), and the scope that decides who shares it.
 *
 * Differences from Atmos, on purpose (documented in docs/atmos-differences.md): a declaration with both `store:`
 * and `sops:` is an error (Atmos silently lets `sops` win), and so is a declaration with neither, as
 * soon as the component is loaded (Atmos fails only when the secret is used). Unknown `scope`
 * strings are an error (Atmos treats them as `instance`).
 */
import type { SourceLocation } from '../errors';
import type { DeclarationError } from '../errors';
import { declarationError, SECRET_ERROR_CODES, type DeclWhere } from './secret-errors';

/** Where a secret's value lives relative to (stack, component) (§6.4). */
export type SecretScope = 'instance' | 'stack' | 'global';

/** The scopes, in the order the docs list them. */
export const SECRET_SCOPES: readonly SecretScope[] = ['instance', 'stack', 'global'];

/** One declared secret of a component. */
export interface SecretDeclaration {
  /** The key under `secrets.vars` (case preserved). */
  readonly name: string;
  readonly description?: string;
  /** Name of a `secret: true` store (track 1). Exactly one of `store`/`sops` is set. */
  readonly store?: string;
  /** Name of a `secrets.providers` SOPS provider (track 2). */
  readonly sops?: string;
  /** Backend-specific address (1Password `op://...`); replaces the name as the key. */
  readonly reference?: string;
  /** `secret validate` fails while a required secret has no value. */
  readonly required: boolean;
  readonly scope: SecretScope;
  /** Where it was declared (the highest-priority layer), for messages. */
  readonly where?: string;
}

/** Where one declaration came from, as the stack engine reports it. */
export interface SecretDeclarationSourceLike {
  readonly scope?: SecretScope;
  readonly file: string;
  readonly line?: number;
}

/** Where each declaration came from (`secretSources` of the merge). */
export type DeclarationSources = Readonly<Record<string, SecretDeclarationSourceLike>>;

/** Options of {@link parseDeclarations}. */
export interface ParseDeclarationsOptions {
  /** Per-declaration origin from the stack engine. */
  sources?: DeclarationSources;
  /** Fallback location for messages (e.g. `stacks/dev.yaml` or `components.terraform.api.secrets`). */
  where?: string;
  /**
   * The scope a declaration without an explicit (or stamped) scope gets. The stack engine stamps
   * every declaration, so this matters only for hand-built sections. Default `instance`.
   */
  defaultScope?: SecretScope;
  /**
   * Names of {@link isUnsafeEnvName} that are allowed anyway (from
   * {@link ALLOW_UNSAFE_SECRET_NAMES_ENV}, see {@link allowedUnsafeNames}).
   */
  allowUnsafeNames?: ReadonlySet<string>;
}

/**
 * Declared names become environment variables of `secret exec`/`shell` children and of
 * `auth exec`, so each must be a portable variable name (POSIX: letters, digits, `_`, not
 * starting with a digit); `A=B` would set another variable, `a-b` cannot be read by a shell.
 */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Variables that change how a child process loads or runs code: the dynamic loaders' (`LD_*`,
 * `DYLD_*`), the search path, and the start-up hooks of the shells and runtimes infrakey's
 * children usually are (Node, Python, Perl, Ruby, Java, bash, git). A secret under one of these
 * names would let whoever writes its value run code in every child. Compared without case
 * (Windows names are case-insensitive).
 */
const UNSAFE_PREFIXES = ['LD_', 'DYLD_'];
const UNSAFE_NAMES = new Set([
  'PATH', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONINSPECT',
  'PERL5LIB', 'PERL5OPT', 'PERLLIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS',
  'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'IFS', 'PS4', 'PROMPT_COMMAND', 'GCONV_PATH', 'HOSTALIASES',
  'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_CONFIG_PARAMETERS', 'GIT_ASKPASS', 'SSH_ASKPASS',
]);

/** The variable that lists the unsafe names a user allows (comma-separated, exact names). */
export const ALLOW_UNSAFE_SECRET_NAMES_ENV = 'INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES';

/** True when a declared name would change how a child process loads or runs ({@link UNSAFE_NAMES}). */
export function isUnsafeEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return UNSAFE_NAMES.has(upper) || UNSAFE_PREFIXES.some((p) => upper.startsWith(p));
}

/** The names {@link ALLOW_UNSAFE_SECRET_NAMES_ENV} allows (upper-cased). */
export function allowedUnsafeNames(env: NodeJS.ProcessEnv): ReadonlySet<string> {
  const raw = env[ALLOW_UNSAFE_SECRET_NAMES_ENV] ?? '';
  return new Set(raw.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''));
}

/** Declarations by name, plus every problem found (all of them, not just the first). */
export interface ParsedDeclarations {
  readonly declarations: ReadonlyMap<string, SecretDeclaration>;
  /** Every problem, in declaration order. */
  readonly problems: readonly DeclarationError[];
  /** The problem of each invalid declaration, by name (reported when the name is used). */
  readonly invalid: ReadonlyMap<string, DeclarationError>;
}

const FIELDS = new Set(['description', 'store', 'sops', 'reference', 'required', 'scope']);

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function whereOf(name: string, opts: ParseDeclarationsOptions): string | undefined {
  const src = opts.sources?.[name];
  if (src) return formatWhere({ file: src.file, line: src.line });
  return opts.where ? `${opts.where} (secrets.vars.${name})` : `secrets.vars.${name}`;
}

function formatWhere(loc: SourceLocation): string {
  return loc.line !== undefined ? `${loc.file}:${loc.line}` : loc.file;
}

/**
 * Reads `secrets.vars` of a merged component section. Each problem names the declaration and the
 * file; a declaration with a problem is left out of `declarations`. `vars` may be undefined.
 */
export function parseDeclarations(vars: unknown, opts: ParseDeclarationsOptions = {}): ParsedDeclarations {
  const declarations = new Map<string, SecretDeclaration>();
  const problems: DeclarationError[] = [];
  const invalid = new Map<string, DeclarationError>();
  if (vars === undefined || vars === null) return { declarations, problems, invalid };
  if (!isMap(vars)) {
    problems.push(
      declarationError(
        SECRET_ERROR_CODES.DECLARATION_INVALID,
        'invalid component secrets section: `secrets.vars` must be a map of declarations',
        opts.where,
        'write `secrets: { vars: { NAME: { store: <secret store> } } }`',
      ),
    );
    return { declarations, problems, invalid };
  }
  for (const name of Object.keys(vars)) {
    const where = whereOf(name, opts);
    const result = parseOne(name, vars[name], where, opts);
    if ('problem' in result) {
      problems.push(result.problem);
      invalid.set(name, result.problem);
    } else declarations.set(name, result.declaration);
  }
  return { declarations, problems, invalid };
}

function parseOne(name: string, raw: unknown, where: DeclWhere, opts: ParseDeclarationsOptions): { declaration: SecretDeclaration } | { problem: DeclarationError } {
  const fail = (code: (typeof SECRET_ERROR_CODES)[keyof typeof SECRET_ERROR_CODES], message: string, fix: string) => ({
    problem: declarationError(code, message, where, fix),
  });
  if (name.trim() === '') return fail(SECRET_ERROR_CODES.DECLARATION_INVALID, 'secret name cannot be empty', 'give the declaration a name under secrets.vars');
  if (!ENV_NAME.test(name)) {
    return fail(
      SECRET_ERROR_CODES.NAME_INVALID,
      `secret name ${JSON.stringify(name)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`,
      `rename it, e.g. ${JSON.stringify(name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_') || 'NAME')}`,
    );
  }
  if (isUnsafeEnvName(name) && !opts.allowUnsafeNames?.has(name.toUpperCase())) {
    return fail(
      SECRET_ERROR_CODES.NAME_UNSAFE,
      `secret name ${JSON.stringify(name)} would change how child processes load or run code when it is set in their environment`,
      `rename it (e.g. ${JSON.stringify(`APP_${name}`)}); if the child really needs this variable from a secret, allow it by name with ${ALLOW_UNSAFE_SECRET_NAMES_ENV}=${name}`,
    );
  }
  if (!isMap(raw)) {
    return fail(
      SECRET_ERROR_CODES.NO_BACKEND,
      `secret declaration ${JSON.stringify(name)} has no backend (set \`store:\` or \`sops:\`)`,
      `write \`${name}: { store: <secret store> }\` or \`${name}: { sops: <sops provider> }\``,
    );
  }
  const unknown = Object.keys(raw).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) {
    return fail(
      SECRET_ERROR_CODES.DECLARATION_INVALID,
      `secret declaration ${JSON.stringify(name)} has unknown field(s): ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
      'use only description, store, sops, reference, required and scope',
    );
  }
  for (const field of ['description', 'store', 'sops', 'reference'] as const) {
    const v = raw[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return fail(SECRET_ERROR_CODES.DECLARATION_INVALID, `secret declaration ${JSON.stringify(name)}: \`${field}\` must be a string`, `write \`${field}: <text>\``);
    }
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const store = str(raw.store);
  const sops = str(raw.sops);
  if (store !== undefined && sops !== undefined) {
    return fail(
      SECRET_ERROR_CODES.BACKEND_AMBIGUOUS,
      `secret declaration ${JSON.stringify(name)} sets both \`store: ${store}\` and \`sops: ${sops}\``,
      'keep exactly one of `store:` (a secret store) or `sops:` (a SOPS provider)',
    );
  }
  if (store === undefined && sops === undefined) {
    return fail(
      SECRET_ERROR_CODES.NO_BACKEND,
      `secret declaration ${JSON.stringify(name)} has no backend (set \`store:\` or \`sops:\`)`,
      `add \`store: <secret store>\` or \`sops: <sops provider>\` to ${name}`,
    );
  }
  const required = raw.required;
  if (required !== undefined && required !== null && typeof required !== 'boolean') {
    return fail(SECRET_ERROR_CODES.DECLARATION_INVALID, `secret declaration ${JSON.stringify(name)}: \`required\` must be true or false`, 'write `required: true` or `required: false`');
  }
  const rawScope = raw.scope ?? opts.sources?.[name]?.scope;
  let scope: SecretScope = opts.defaultScope ?? 'instance';
  if (rawScope !== undefined && rawScope !== null && rawScope !== '') {
    if (typeof rawScope !== 'string' || !(SECRET_SCOPES as readonly string[]).includes(rawScope)) {
      return fail(
        SECRET_ERROR_CODES.DECLARATION_INVALID,
        `secret declaration ${JSON.stringify(name)}: unknown scope ${JSON.stringify(String(rawScope))}`,
        'use `scope: instance`, `scope: stack` or `scope: global` (or leave it out: the position decides)',
      );
    }
    scope = rawScope as SecretScope;
  }
  const out: SecretDeclaration = {
    name,
    ...(str(raw.description) !== undefined ? { description: str(raw.description) } : {}),
    ...(store !== undefined ? { store } : {}),
    ...(sops !== undefined ? { sops } : {}),
    ...(str(raw.reference) !== undefined ? { reference: str(raw.reference) } : {}),
    required: required === true,
    scope,
    ...(typeof where === 'string' ? { where } : {}),
  };
  return { declaration: out };
}

/**
 * The scope a declaration gets at a position (§6.3): an explicit scope equal to the position, or
 * `global`, is kept; anything else is SECRET_SCOPE_CONFLICT. Used for hand-built layers; the stack
 * engine applies the same rule while merging.
 */
export function scopeForPosition(name: string, explicit: unknown, position: 'stack' | 'instance', where?: DeclWhere): SecretScope {
  if (explicit === undefined || explicit === null || explicit === '') return position;
  if (explicit === 'global') return 'global';
  if (explicit === position) return position;
  throw declarationError(
    SECRET_ERROR_CODES.SCOPE_CONFLICT,
    `secret scope conflicts with declaration position: secret ${JSON.stringify(name)} declares scope ${JSON.stringify(String(explicit))} but its position implies ${JSON.stringify(position)}`,
    where,
    position === 'instance'
      ? 'declare stack-scoped secrets in the stack top-level `secrets:` section, or remove `scope:` (use `scope: global` for one value shared everywhere)'
      : 'remove `scope:` (stack top-level declarations are stack-scoped) or use `scope: global`',
  );
}

/** A short backend label for messages and listings: `store secrets/ssm` or `sops dev-sops`. */
export function backendLabel(decl: SecretDeclaration): string {
  return decl.store !== undefined ? `store ${decl.store}` : `sops ${decl.sops ?? ''}`;
}
