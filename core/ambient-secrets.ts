import { redactor, type Redactor } from './secret';

/**
 * Secrets a process may hold before infrakey reads anything: tokens and keys in the environment
 * of a CI job or a developer's shell. Atmos registers the same names and patterns at start-up
 * (atmos-semantics §11.5) so that an error or a child's output quoting them is masked too.
 */
export const AMBIENT_SECRET_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITLAB_TOKEN',
  'CI_JOB_TOKEN',
  'DATADOG_API_KEY',
  'DD_API_KEY',
  'ANTHROPIC_API_KEY',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ATMOS_KEYRING_PASSWORD',
  'SOPS_AGE_KEY',
] as const;

/**
 * Where a credential shape may start: after a character that is not part of a word, or right after
 * a `\n`/`\r`/`\t` escape, as inside a JSON string (`"# key\nAGE-SECRET-KEY-1…"`), where `\b`
 * fails because the character before is the `n` of the escape (issue 10, item 10).
 */
const START = String.raw`(?:(?<=\\[nrt])|(?<![A-Za-z0-9_]))`;
const shape = (body: string, flags = '') => new RegExp(START + body, flags);

/** Shapes of well-known credentials, masked wherever they appear. */
export const AMBIENT_SECRET_PATTERNS: readonly RegExp[] = [
  shape(String.raw`(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b`), // GitHub tokens
  shape(String.raw`github_pat_[A-Za-z0-9_]{22,}\b`),
  shape(String.raw`glpat-[A-Za-z0-9_-]{20,}\b`), // GitLab
  shape(String.raw`sk-[A-Za-z0-9_-]{40,}\b`), // API keys of the sk- family
  shape(String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}\b`), // AWS access key IDs
  shape(String.raw`AGE-SECRET-KEY-1[0-9A-Z]{58}\b`), // age identities
  // The secret parts of AWS credential and config files (the realm's, `!include.raw`'d or cat'd),
  // of `KEY=value` lines and of JSON/YAML maps, also JSON-escaped (`\"aws_session_token\": \"…\"`).
  /(?<=aws_(?:secret_access_key|session_token|security_token)\\?["']?[ \t]*[=:][ \t]*\\?["']?)[A-Za-z0-9/+=]{16,}/i,
];

/**
 * Ambient values shorter than this are not registered: they are too short to be credentials
 * (`AWS_ACCESS_KEY_ID=test` for a local emulator) and masking them rewrote unrelated text such as
 * `https://shop.example.test` (issue 10, item 12). Declared secrets keep {@link Redactor.MIN_LENGTH}.
 */
export const AMBIENT_MIN_LENGTH = 8;

/** Per-variable minimum where the credential's format is known (an AWS key id is 16–128 characters). */
const MIN_LENGTH_OF: Readonly<Record<string, number>> = { AWS_ACCESS_KEY_ID: 16, AWS_SECRET_ACCESS_KEY: 16 };

/** Placeholders seen in examples and emulator setups; never credentials. */
const PLACEHOLDERS = new Set(['changeme', 'password', 'example', 'testing', 'localstack', 'minioadmin', 'undefined', 'placeholder', 'dummy-token', 'test-token']);

/** Whether an ambient value looks like it could be a credential (long enough, not a placeholder). */
export function isCredentialLike(name: string, value: string): boolean {
  if (value.length < (MIN_LENGTH_OF[name] ?? AMBIENT_MIN_LENGTH)) return false;
  if (PLACEHOLDERS.has(value.toLowerCase())) return false;
  return new Set(value).size > 2;
}

/**
 * Registers the values of {@link AMBIENT_SECRET_VARIABLES} (plus the variable named by
 * `ATMOS_KEYRING_PASSWORD_ENV`) that look like credentials, and {@link AMBIENT_SECRET_PATTERNS},
 * with the Redactor.
 */
export function registerAmbientSecrets(env: NodeJS.ProcessEnv = process.env, target: Redactor = redactor): void {
  const names: string[] = [...AMBIENT_SECRET_VARIABLES];
  if (env.ATMOS_KEYRING_PASSWORD_ENV) names.push(env.ATMOS_KEYRING_PASSWORD_ENV);
  for (const name of names) {
    const value = env[name];
    if (value && isCredentialLike(name, value)) target.register(value);
  }
  for (const pattern of AMBIENT_SECRET_PATTERNS) target.registerPattern(pattern);
}
