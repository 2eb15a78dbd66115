import { createAuthManager, headlessInteraction, openAuthKeyring, type AuthManager, type Workspace } from '../core/index';

/** Where an identity's session is, as the AWS SDK and Terraform providers read it. Never keys. */
export interface IdentityFiles {
  credentialsFile: string;
  configFile: string;
  profile: string;
  region?: string;
}

/** The face `Workspace.identity(name)` gives (auth layer, issue #5). */
interface IdentityHandle {
  login(): Promise<unknown>;
  credentialFiles(): IdentityFiles | Promise<IdentityFiles>;
}

type WithIdentity = Workspace & { identity?: (name: string) => IdentityHandle };

const managers = new WeakMap<Workspace, AuthManager>();

/**
 * Authenticates `identity` (reusing a cached session with time left, logging in through its chain
 * otherwise) and returns its realm-scoped credential files. Headless: a program run by Pulumi
 * never prompts; what would need a prompt fails with the auth layer's error instead.
 */
export async function loginAndLocate(ws: Workspace, identity: string): Promise<IdentityFiles> {
  const w = ws as WithIdentity;
  if (typeof w.identity === 'function') {
    const handle = w.identity(identity);
    await handle.login();
    return handle.credentialFiles();
  }
  // Until Workspace.identity() exists: the same wiring as `infrakey auth login`, non-interactive.
  let manager = managers.get(ws);
  if (!manager) {
    const env = process.env;
    manager = createAuthManager(ws.config, {
      env,
      interaction: headlessInteraction(),
      keyring: () => openAuthKeyring(ws.config.auth.keyring as Record<string, unknown> | undefined, { env, cwd: ws.config.dir, isTTY: false }),
      credentialProcessCommand: env.INFRAKEY_CREDENTIAL_PROCESS_COMMAND || 'infrakey',
    });
    managers.set(ws, manager);
  }
  const r = await manager.authenticate(identity);
  return { credentialsFile: r.paths.credentialsFile, configFile: r.paths.configFile, profile: r.paths.profile, ...(r.region !== undefined ? { region: r.region } : {}) };
}
