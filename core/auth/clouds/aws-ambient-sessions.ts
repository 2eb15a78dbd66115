import type { CloudSessions } from '../kinds/kind';
import { ambientSessions } from './ambient-sessions';
import { awsSessions } from './aws-sessions';

/**
 * Sessions of `aws/ambient` identities (Atmos: no files, `Environment()` empty, `PrepareEnvironment`
 * passes the caller's environment through with `principal.region`): nothing on disk, and whoami,
 * console and credential_process are AWS's, from the credentials found in the environment.
 */
export const awsAmbientSessions: CloudSessions = {
  ...ambientSessions,
  cloud: 'aws-ambient',
  environment: (l, region) => ({ ...(region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {}), ...ambientSessions.environment(l, region) }),
  prepareEnvironment: (base, _l, region) => ({ ...base, ...(region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {}) }),
  whoami: (c, ctx) => awsSessions.whoami(c, ctx),
  consoleUrl: (c, opts) => awsSessions.consoleUrl!(c, opts),
  processJson: (c) => awsSessions.processJson!(c),
};
