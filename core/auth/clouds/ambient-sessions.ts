import * as path from 'node:path';
import { xdgConfigHome } from '../../config/xdg';
import type { CredentialsBase } from '../credentials';
import type { CloudSessions } from '../kinds/kind';

/**
 * The credentials of the generic `ambient` identity: none. Atmos's `ambient` kind returns no
 * credentials; the tools run with whatever the environment gives them.
 */
export interface AmbientCredentials extends CredentialsBase {
  readonly type: 'ambient';
}

declare module '../credentials' {
  interface CredentialTypes {
    ambient: AmbientCredentials;
  }
}

/**
 * Sessions of identities that take their credentials from the environment each time (Atmos
 * `ambient`): nothing is written, read back or removed, and a child's environment passes through
 * unchanged (plus the identity's `env:`). `region` is set when the identity names one.
 */
export const ambientSessions: CloudSessions = {
  cloud: 'ambient',
  location: (env, realm) => ({ realmDir: path.join(xdgConfigHome(env), realm) }),
  persist: async () => undefined,
  load: async () => undefined,
  remove: async () => false,
  environment: () => ({}),
  prepareEnvironment: (base) => ({ ...base }),
  describe: () => ({}),
  whoami: async () => ({}),
};
