import type { AuthManager, AuthResult } from './auth-manager';
import type { CredentialFilePaths } from './credential-files';
import type { GcpCredentials } from './clouds/gcp-credentials';
import type { GcpSessionLocation } from './clouds/gcp-files';
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

/** What `gcpSession()` returns: a GCP identity's files and context. Never a token. */
export interface IdentityGcpSession {
  /** The ADC JSON (`application_default_credentials.json`); absent for gcp/project, which writes none. */
  readonly credentialsFile?: string;
  readonly accessTokenFile?: string;
  /** `CLOUDSDK_CONFIG` of the identity (`auth exec` sets it; the adapters check it). */
  readonly configDir: string;
  readonly project?: string;
  readonly region?: string;
  readonly zone?: string;
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
    const s = this.manager.sessionLocation(this.name);
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

  /** The session's GCP credentials (the token a Secret); logs in as needed. */
  async gcpCredentials(): Promise<GcpCredentials> {
    const r = await this.login();
    if (r.credentials.type !== 'gcp') {
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${this.name}" does not produce GCP credentials`, this.manager.where(r.chain.target.path), 'use a gcp/* identity');
    }
    return r.credentials;
  }

  /** Files and project/region/zone of a gcp/* identity (nothing is created, no login). */
  gcpSession(): IdentityGcpSession {
    const { cloud, location } = this.manager.sessionLocation(this.name);
    if (cloud !== 'gcp') {
      const chain = this.manager.chain(this.name);
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${chain.target.name}" (${chain.target.kind}) is not a GCP identity`, this.manager.where(chain.target.path), 'use a gcp/* identity');
    }
    const l = location as GcpSessionLocation;
    return {
      ...(l.persists === 'true' ? { credentialsFile: l.adcFile, accessTokenFile: l.accessTokenFile } : {}),
      configDir: l.configDir,
      ...(l.project ? { project: l.project } : {}),
      ...(l.region ? { region: l.region } : {}),
      ...(l.zone ? { zone: l.zone } : {}),
    };
  }

  /**
   * Checks that `env` (a Pulumi program's, which its provider plugins share) was prepared by
   * `infrakey auth exec -i <this identity>`: its `CLOUDSDK_CONFIG` is the identity's and a token
   * is set. An identity that writes no session (gcp/project) needs nothing. AUTH_GCP_ENV_MISSING
   * otherwise, with the command to run.
   */
  assertGcpEnvironment(env: NodeJS.ProcessEnv): void {
    const s = this.gcpSession();
    if (!s.credentialsFile) return;
    if (env.CLOUDSDK_CONFIG === s.configDir && (env.GOOGLE_OAUTH_ACCESS_TOKEN ?? '') !== '') return;
    const chain = this.manager.chain(this.name);
    throw authError(
      AUTH_ERROR_CODES.GCP_ENV_MISSING,
      `the GCP provider of identity "${chain.target.name}" reads the identity's token from its environment, and this program was not started by \`infrakey auth exec -i ${chain.target.name}\`${env.CLOUDSDK_CONFIG ? ` (CLOUDSDK_CONFIG is ${env.CLOUDSDK_CONFIG})` : ''}`,
      this.manager.where(chain.target.path),
      `run \`infrakey auth exec -i ${chain.target.name} -- pulumi up\`, or pass token: 'secret-input' to put the token in the provider's inputs as a Pulumi secret`,
    );
  }
}
