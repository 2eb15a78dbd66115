import type { CredentialFilePaths } from './credential-files';

/** Ambient AWS variables removed from a child's environment (§2.4, §11.4). */
export const STRIPPED_AWS_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
] as const;

/**
 * The variables that point a tool at an identity (Atmos `Environment()`, used by `auth env`):
 * file paths, profile and region. Never key material.
 */
export function identityEnvironment(paths: CredentialFilePaths, region: string | undefined, extra: readonly { key: string; value: string }[] = []): Record<string, string> {
  const vars: Record<string, string> = {
    AWS_SHARED_CREDENTIALS_FILE: paths.credentialsFile,
    AWS_CONFIG_FILE: paths.configFile,
    AWS_PROFILE: paths.profile,
  };
  if (region) {
    vars.AWS_REGION = region;
    vars.AWS_DEFAULT_REGION = region;
  }
  for (const e of extra) vars[e.key] = e.value;
  return vars;
}

/**
 * The environment of a child run as an identity (Atmos `PrepareEnvironment`, used by `auth exec`
 * and `auth shell`): a copy of `base` without ambient AWS keys and web-identity variables, with
 * the files, profile and region set, `AWS_SDK_LOAD_CONFIG=1` and `AWS_EC2_METADATA_DISABLED=true`
 * so that nothing falls back to another credential source.
 */
export function prepareChildEnvironment(base: NodeJS.ProcessEnv, paths: CredentialFilePaths, region: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of STRIPPED_AWS_VARS) delete env[k];
  env.AWS_SHARED_CREDENTIALS_FILE = paths.credentialsFile;
  env.AWS_CONFIG_FILE = paths.configFile;
  env.AWS_PROFILE = paths.profile;
  delete env.AWS_DEFAULT_PROFILE;
  env.AWS_SDK_LOAD_CONFIG = '1';
  env.AWS_EC2_METADATA_DISABLED = 'true';
  if (region) {
    env.AWS_REGION = region;
    env.AWS_DEFAULT_REGION = region;
  }
  return env;
}
