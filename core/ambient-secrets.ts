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

/** Shapes of well-known credentials, masked wherever they appear. */
export const AMBIENT_SECRET_PATTERNS: readonly RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/, // GitLab
  /\bsk-[A-Za-z0-9_-]{40,}\b/, // API keys of the sk- family
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key IDs
  /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/, // age identities
  /(?<=AWS_SECRET_ACCESS_KEY\s*[=:]\s*["']?)[A-Za-z0-9/+]{40}\b/,
];

/**
 * Registers the values of {@link AMBIENT_SECRET_VARIABLES} (plus the variable named by
 * `ATMOS_KEYRING_PASSWORD_ENV`) and {@link AMBIENT_SECRET_PATTERNS} with the Redactor.
 */
export function registerAmbientSecrets(env: NodeJS.ProcessEnv = process.env, target: Redactor = redactor): void {
  const names: string[] = [...AMBIENT_SECRET_VARIABLES];
  if (env.ATMOS_KEYRING_PASSWORD_ENV) names.push(env.ATMOS_KEYRING_PASSWORD_ENV);
  for (const name of names) {
    const value = env[name];
    if (value) target.register(value);
  }
  for (const pattern of AMBIENT_SECRET_PATTERNS) target.registerPattern(pattern);
}
