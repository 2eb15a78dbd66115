import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import type { SpecReport } from '../kinds/kind';
import type { AuthContext } from '../step-context';
import { Secret } from '../../secret';
import type { AzureCredentials } from './azure-credentials';

/**
 * What every Azure kind shares (Atmos `pkg/auth/cloud/azure/cloud_environments.go` and the
 * providers' common spec): the sovereign clouds and their scopes, the provider spec, the one
 * HTTPS client MSAL is given, and MSAL's authority settings. One helper for the Azure kinds; the
 * kinds themselves are one module each in `kinds/`.
 */

/** One Azure cloud (Atmos `CloudEnvironment`). */
export interface AzureCloud {
  readonly name: 'public' | 'usgovernment' | 'china';
  /** Entra ID host (the MSAL cache's `environment`). */
  readonly loginEndpoint: string;
  readonly managementScope: string;
  /** The `management.core.*` audiences az itself requests (ARM accepts both). */
  readonly legacyManagementScopes: readonly string[];
  readonly graphScope: string;
  readonly keyVaultScope: string;
  readonly managementUrl: string;
  readonly portalUrl: string;
  /** `environmentName` in azureProfile.json. */
  readonly profileEnvironment: string;
}

const CLOUDS: Readonly<Record<AzureCloud['name'], AzureCloud>> = {
  public: {
    name: 'public',
    loginEndpoint: 'login.microsoftonline.com',
    managementScope: 'https://management.azure.com/.default',
    legacyManagementScopes: ['https://management.core.windows.net/.default', 'https://management.core.windows.net//.default'],
    graphScope: 'https://graph.microsoft.com/.default',
    keyVaultScope: 'https://vault.azure.net/.default',
    managementUrl: 'https://management.azure.com',
    portalUrl: 'https://portal.azure.com/',
    profileEnvironment: 'AzureCloud',
  },
  usgovernment: {
    name: 'usgovernment',
    loginEndpoint: 'login.microsoftonline.us',
    managementScope: 'https://management.usgovcloudapi.net/.default',
    legacyManagementScopes: ['https://management.core.usgovcloudapi.net/.default', 'https://management.core.usgovcloudapi.net//.default'],
    graphScope: 'https://graph.microsoft.us/.default',
    keyVaultScope: 'https://vault.usgovcloudapi.net/.default',
    managementUrl: 'https://management.usgovcloudapi.net',
    portalUrl: 'https://portal.azure.us/',
    profileEnvironment: 'AzureUSGovernment',
  },
  china: {
    name: 'china',
    loginEndpoint: 'login.chinacloudapi.cn',
    managementScope: 'https://management.chinacloudapi.cn/.default',
    legacyManagementScopes: ['https://management.core.chinacloudapi.cn/.default', 'https://management.core.chinacloudapi.cn//.default'],
    graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    keyVaultScope: 'https://vault.azure.cn/.default',
    managementUrl: 'https://management.chinacloudapi.cn',
    portalUrl: 'https://portal.azure.cn/',
    profileEnvironment: 'AzureChinaCloud',
  },
};

/** The Azure CLI's public client id; Atmos's device-code and interactive logins use it too. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/** The cloud named `name` (empty: public); undefined for an unknown name. */
export function azureCloud(name: string | undefined): AzureCloud | undefined {
  if (!name) return CLOUDS.public;
  return Object.prototype.hasOwnProperty.call(CLOUDS, name) ? CLOUDS[name as AzureCloud['name']] : undefined;
}

/**
 * Test-only override of the Entra ID and ARM hosts: `INFRAKEY_TEST_AZURE_ENDPOINT=https://127.0.0.1:PORT`
 * sends every Azure login, token and ARM call of every Azure kind there (the fakes in
 * `test/fakes/`). Only loopback https URLs are accepted, so the variable cannot send a
 * token anywhere but this machine.
 */
export const TEST_ENDPOINT_VARIABLE = 'INFRAKEY_TEST_AZURE_ENDPOINT';

/** The test endpoint (origin) when set and valid; an error names a bad value. */
export function testEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const raw = str(env[TEST_ENDPOINT_VARIABLE]);
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid://');
  }
  if (url.protocol !== 'https:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw authError(AUTH_ERROR_CODES.CONFIG_INVALID, `${TEST_ENDPOINT_VARIABLE} must be an https URL on 127.0.0.1, localhost or [::1] (it is for tests only)`, TEST_ENDPOINT_VARIABLE, `unset ${TEST_ENDPOINT_VARIABLE}`);
  }
  return url.origin;
}

/** `https://<login host>` of a cloud (or the test endpoint). */
export function loginOrigin(cloud: AzureCloud, env: NodeJS.ProcessEnv): string {
  return testEndpoint(env) ?? `https://${cloud.loginEndpoint}`;
}

/** The ARM origin of a cloud (or the test endpoint). */
export function managementOrigin(cloud: AzureCloud, env: NodeJS.ProcessEnv): string {
  return testEndpoint(env) ?? cloud.managementUrl;
}

/** The Azure fields of a provider's `spec` (Atmos reads them all from `spec`). */
export interface AzureProviderSpec {
  readonly tenantId: string;
  readonly subscriptionId?: string;
  readonly location?: string;
  readonly clientId?: string;
  readonly audience?: string;
  readonly tokenFilePath?: string;
  readonly cloud: AzureCloud;
}

/** Reads the provider's spec; fails with the first problem (validate lists them all). */
export function azureProviderSpec(p: ProviderConfig, ctx: Pick<AuthContext, 'where'>, opts: { clientIdRequired?: boolean } = {}): AzureProviderSpec {
  const problems: { code: string; path: string; message: string; fix: string }[] = [];
  checkAzureProviderSpec(p, { error: (code, path, message, fix) => problems.push({ code, path, message, fix }) }, opts);
  if (problems.length > 0) {
    const first = problems[0];
    throw authError(first.code, first.message, ctx.where(first.path), first.fix);
  }
  const s = p.spec;
  const opt = (k: string) => str(s[k]);
  return {
    tenantId: str(s.tenant_id)!,
    cloud: azureCloud(opt('cloud_environment'))!,
    ...(opt('subscription_id') ? { subscriptionId: opt('subscription_id') } : {}),
    ...(opt('location') ? { location: opt('location') } : {}),
    ...(opt('client_id') ? { clientId: opt('client_id') } : {}),
    ...(opt('audience') ? { audience: opt('audience') } : {}),
    ...(opt('token_file_path') ? { tokenFilePath: opt('token_file_path') } : {}),
  };
}

/** Reports every problem of an Azure provider's spec (Atmos: tenant_id; client_id for azure/oidc; a known cloud_environment). */
export function checkAzureProviderSpec(p: ProviderConfig, report: Pick<SpecReport, 'error'>, opts: { clientIdRequired?: boolean } = {}): void {
  const name = p.displayName;
  if (!str(p.spec.tenant_id)) {
    report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p.path}.spec.tenant_id`, `invalid provider config: tenant_id is required in spec for Azure provider "${name}" (${p.kind})`, `set ${p.path}.spec.tenant_id to the Entra ID tenant (directory) id`);
  }
  if (opts.clientIdRequired && !str(p.spec.client_id)) {
    report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p.path}.spec.client_id`, `invalid provider config: client_id is required in spec for Azure OIDC provider "${name}"`, `set ${p.path}.spec.client_id to the application (client) id that trusts the federated token`);
  }
  const ce = p.spec.cloud_environment;
  if (ce !== undefined && ce !== '' && (typeof ce !== 'string' || !azureCloud(ce))) {
    report.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p.path}.spec.cloud_environment`, `invalid provider config: unknown cloud_environment ${JSON.stringify(ce)}; valid values are: china, public, usgovernment`, `set ${p.path}.spec.cloud_environment to public, usgovernment or china (or remove it for public)`);
  }
}

/** Claims of a JWT, read without verification (only to name the account; never trusted for access). */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) return {};
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The user name of an Entra token (`upn`, `unique_name`, `email`), as Atmos reads it. */
export function tokenUsername(token: string): string | undefined {
  const c = jwtClaims(token);
  for (const k of ['upn', 'unique_name', 'email']) if (typeof c[k] === 'string' && c[k] !== '') return c[k];
  return undefined;
}

/** Time limit of one Entra ID / ARM request (Atmos: 30 s). */
export const AZURE_HTTP_TIMEOUT_MS = 30_000;
/** Largest answer read from Entra ID or ARM. */
const MAX_BODY_BYTES = 1024 * 1024;

/** One HTTPS request; the answer's status, headers and parsed JSON body. Never logs. */
export async function httpsJson(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; ca?: readonly string[]; timeoutMs?: number },
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const https = await import('node:https');
  const tls = await import('node:tls');
  const timeout = init.timeoutMs ?? AZURE_HTTP_TIMEOUT_MS;
  const u = new URL(url);
  if (u.protocol !== 'https:') throw new Error(`refusing a non-https URL (${u.protocol}//${u.host})`);
  return new Promise((resolve, reject) => {
    const req = https.request(
      u,
      { method: init.method, headers: { ...(init.headers ?? {}), ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) }, timeout, ...(init.ca && init.ca.length > 0 ? { ca: [...tls.rootCertificates, ...init.ca] } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text === '' ? {} : JSON.parse(text);
          } catch {
            body = {};
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout / 1000}s`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** The network module MSAL is given: our HTTPS client (extra CAs, time limit, bounded body). */
export function msalNetworkClient(ca: readonly string[] | undefined) {
  return {
    async sendGetRequestAsync<T>(url: string, options?: { headers?: Record<string, string> }, timeout?: number) {
      const r = await httpsJson(url, { method: 'GET', headers: options?.headers ?? {}, ...(ca ? { ca } : {}), ...(timeout ? { timeoutMs: timeout } : {}) });
      return { status: r.status, headers: r.headers, body: r.body as T };
    },
    async sendPostRequestAsync<T>(url: string, options?: { headers?: Record<string, string>; body?: string }) {
      const r = await httpsJson(url, { method: 'POST', headers: options?.headers ?? {}, body: options?.body ?? '', ...(ca ? { ca } : {}) });
      return { status: r.status, headers: r.headers, body: r.body as T };
    },
  };
}

/**
 * MSAL's authority settings for `tenant`, with the cloud discovery and the OpenID metadata given
 * inline (they are fixed for Entra ID), so MSAL makes no instance-discovery or metadata request:
 * only the device-code and token endpoints are ever called.
 */
export function msalAuthority(cloud: AzureCloud, tenant: string, env: NodeJS.ProcessEnv): { authority: string; knownAuthorities: string[]; cloudDiscoveryMetadata: string; authorityMetadata: string } {
  const origin = loginOrigin(cloud, env);
  const host = new URL(origin).host;
  const base = `${origin}/${tenant}`;
  return {
    authority: base,
    knownAuthorities: [host],
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      // The cache names the cloud's real login host even when a test endpoint serves the calls,
      // so cache files look the same as in production and the CLI's entries match.
      metadata: [{ preferred_network: host, preferred_cache: cloud.loginEndpoint, aliases: [...new Set([host, cloud.loginEndpoint])] }],
    }),
    authorityMetadata: JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${origin}/${tenant}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
    }),
  };
}

/** A token minted for one scope. */
export interface ScopedToken {
  readonly token: string;
  readonly expiresOn: Date;
}

/** The tokens of one Azure login, turned into {@link AzureCredentials} (values wrapped, so masked). */
export function azureCredentials(
  label: string,
  fields: {
    management: ScopedToken;
    keyVault?: ScopedToken;
    graph?: ScopedToken;
    spec: AzureProviderSpec;
    authMethod: NonNullable<AzureCredentials['authMethod']>;
    subscriptionId?: string;
    clientId?: string;
    isServicePrincipal?: boolean;
    homeAccountId?: string;
    tokenFilePath?: string;
    federatedToken?: string;
  },
): AzureCredentials {
  const sub = fields.subscriptionId ?? fields.spec.subscriptionId;
  return {
    type: 'azure',
    accessToken: Secret.of(fields.management.token, `${label}:azure_access_token`),
    expiration: fields.management.expiresOn,
    tenantId: fields.spec.tenantId,
    cloudEnvironment: fields.spec.cloud.name,
    authMethod: fields.authMethod,
    ...(sub ? { subscriptionId: sub } : {}),
    ...(fields.spec.location ? { location: fields.spec.location } : {}),
    ...(fields.keyVault ? { keyVaultToken: Secret.of(fields.keyVault.token, `${label}:azure_key_vault_token`), keyVaultExpiration: fields.keyVault.expiresOn } : {}),
    ...(fields.graph ? { graphToken: Secret.of(fields.graph.token, `${label}:azure_graph_token`), graphExpiration: fields.graph.expiresOn } : {}),
    ...(fields.clientId ? { clientId: fields.clientId } : {}),
    ...(fields.isServicePrincipal ? { isServicePrincipal: true } : {}),
    ...(fields.homeAccountId ? { homeAccountId: fields.homeAccountId } : {}),
    ...(fields.tokenFilePath ? { tokenFilePath: fields.tokenFilePath } : {}),
    ...(fields.federatedToken ? { federatedToken: Secret.of(fields.federatedToken, `${label}:azure_federated_token`) } : {}),
  };
}

/** An Azure login failure (AUTH_AZURE_FAILED); the message never holds a token. */
export function azureFailure(provider: ProviderConfig, ctx: Pick<AuthContext, 'where'>, message: string, fix: string, cause?: unknown): Error {
  return authError(AUTH_ERROR_CODES.AZURE_FAILED, `provider "${provider.name}" (${provider.kind}): ${message}`, ctx.where(provider.path), fix, cause);
}

/** The Entra error code and first line of an MSAL error (no token is in either). */
export function msalErrorText(e: unknown): string {
  const err = e as { errorCode?: unknown; errorMessage?: unknown; message?: unknown };
  const code = typeof err.errorCode === 'string' ? err.errorCode : 'error';
  const msg = typeof err.errorMessage === 'string' ? err.errorMessage : typeof err.message === 'string' ? err.message : String(e);
  return `${code}: ${msg.split('\n')[0].slice(0, 300)}`;
}
