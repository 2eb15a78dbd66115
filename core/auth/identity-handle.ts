import type { AuthManager, AuthResult } from './auth-manager';
import type { CredentialFilePaths } from './credential-files';
import type { AwsCredentials } from './credentials';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { azureSettings, type AzureSessionLocation, type IdentityAzureSettings } from './clouds/azure-sessions';

/** What `credentialFiles()` returns: where tools find the identity's session. */
export interface IdentityCredentialFiles {
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly profile: string;
  readonly region?: string;
}

/**
 * One identity as the Pulumi and CDKTF adapters use it (`Workspace.identity(name)`). Logging in
 * is lazy: `credentialFiles()` and `env()` only compute paths; `login()` and `credentials()`
 * authenticate through the chain (reusing cached sessions).
 */
export class IdentityHandle {
  constructor(private readonly manager: AuthManager, readonly name: string) {}

  /** Authenticates through the chain (cached sessions with >15 min left are reused). */
  async login(opts: { force?: boolean } = {}): Promise<AuthResult> {
    return this.manager.authenticate(this.name, opts);
  }

  /** The session's AWS credentials; every key field is a Secret. */
  async credentials(): Promise<AwsCredentials> {
    const r = await this.login();
    if (r.credentials.type !== 'aws') {
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${this.name}" does not produce AWS credentials`, this.manager.where(r.chain.target.path), 'use an aws/* identity');
    }
    return r.credentials;
  }

  /** Variables that point tools at the identity (files, profile, region). Never keys. */
  env(): Record<string, string> {
    return this.manager.environment(this.name);
  }

  /** The environment for a child process run as this identity (ambient keys removed). */
  childEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return this.manager.childEnvironment(this.name, base);
  }

  /**
   * What an Azure provider (Pulumi azure-native, Terraform azurerm) needs to act as this Azure
   * identity: subscription, tenant, cloud, and CLI or OIDC authentication. Config only, never a token.
   */
  azureSettings(): IdentityAzureSettings {
    const s = this.manager.session(this.name);
    if (s.cloud !== 'azure') {
      const chain = this.manager.chain(this.name);
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${this.name}" (${chain.target.kind}) is not an Azure identity`, this.manager.where(chain.target.path), 'use an azure/subscription identity');
    }
    return azureSettings(s.location as AzureSessionLocation);
  }

  /** Paths and profile of the realm-scoped credential files (nothing is created). */
  credentialFiles(): IdentityCredentialFiles {
    const p: CredentialFilePaths = this.manager.paths(this.name);
    const region = this.manager.region(this.name);
    return { credentialsFile: p.credentialsFile, configFile: p.configFile, profile: p.profile, ...(region ? { region } : {}) };
  }
}
