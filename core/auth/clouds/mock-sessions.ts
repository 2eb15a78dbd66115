import { identityEnvironment, prepareChildEnvironment } from '../child-env';
import { credentialFilePaths, type CredentialFilePaths } from '../credential-files';
import type { CloudSessions } from '../kinds/kind';

/** The region Atmos's mock kind always reports (`MockRegion`). */
const MOCK_REGION = 'us-east-1';

/**
 * The sessions of Atmos's test kinds (`mock`, `mock/aws`): nothing is written or read, and tools
 * are pointed at the fixed paths Atmos's mock identity prints (`/tmp/mock-credentials`,
 * `/tmp/mock-config`, region us-east-1, `MOCK_IDENTITY`), so that `auth env` of a mock identity
 * prints what Atmos prints. The identity name is still checked as for a real session.
 */
export const mockSessions: CloudSessions<CredentialFilePaths> = {
  cloud: 'mock',

  location(env, realm, root, identity) {
    const real = credentialFilePaths(env, realm, root, identity);
    return { ...real, credentialsFile: '/tmp/mock-credentials', configFile: '/tmp/mock-config', profile: identity };
  },

  persist: async () => undefined,
  load: async () => undefined,
  remove: async () => false,

  environment: (paths) => identityEnvironment(paths, MOCK_REGION, [{ key: 'MOCK_IDENTITY', value: paths.profile }]),

  prepareEnvironment: (base, paths) => ({ ...prepareChildEnvironment(base, paths, MOCK_REGION), ATMOS_IDENTITY: paths.profile }),

  describe: (paths) => ({ credentials_file: paths.credentialsFile, config_file: paths.configFile, profile: paths.profile }),

  whoami: async (credentials) => (credentials.type === 'mock' && credentials.account ? { account: credentials.account } : {}),
};
