import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { homeDir } from '../../config/xdg';
import { withFileLock } from '../../fs/file-lock';
import { writeFileAtomic } from '../../fs/atomic-write';
import { InfrakeyError } from '../../errors';
import { Secret, unsafeUnwrap } from '../../secret';
import { invalidNameError, nameProblem, str, type IdentityConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import type { Chain } from '../chain';
import { ensurePrivateDir, fileFailure } from '../credential-files';
import type { Credentials } from '../credentials';
import type { CloudSessions, PrincipalInfo, SessionLocation } from '../kinds/kind';
import type { AzureCredentials } from './azure-credentials';
import { readJsonFile, removeAccessTokens, updateAzureCliFiles } from './azure-cli-files';
import { azureCloud, httpsJson, jwtClaims, managementOrigin, tokenUsername } from './azure-entra';

/**
 * Where an Azure identity's session lives and what points a tool at it (Atmos
 * `pkg/auth/cloud/azure`): the Atmos copy `~/.azure/atmos/{realm}/{provider}/credentials.json`
 * (home folder, not XDG, as Atmos), the CLI's files updated as Atmos updates them, and the
 * variables a child process needs. The non-path fields come from the chain's config (tenant,
 * subscription, location, OIDC client), so `auth env` needs no login.
 */
export interface AzureSessionLocation extends SessionLocation {
  /** `~/.azure/atmos/{realm}`. */
  readonly realmDir: string;
  /** `~/.azure`. */
  readonly azureDir: string;
  /** `{realmDir}/{provider}/credentials.json` (one per provider, as Atmos). */
  readonly credentialsFile: string;
  /** `{realmDir}/msal_token_cache.json`: the MSAL cache of device-code logins (refresh tokens). */
  readonly msalCache: string;
  /** The identity name, lower-cased (Atmos's `profile` of the Azure auth context). */
  readonly profile: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly cloudEnvironment: string;
  /** `true` for azure/oidc chains (service principal: `ARM_USE_OIDC`), else empty. */
  readonly useOidc: string;
  readonly clientId: string;
  readonly tokenFilePath: string;
}

/** Atmos's `problematicAzureEnvVars`: removed from a child's environment (they would override the session). */
export const STRIPPED_AZURE_VARS = [
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_USERNAME',
  'AZURE_PASSWORD',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_TENANT_ID',
  'AZURE_LOCATION',
  'AZURE_REGION',
  'AZURE_CONFIG_DIR',
  'ARM_CLIENT_ID',
  'ARM_CLIENT_SECRET',
  'ARM_CLIENT_CERTIFICATE_PATH',
  'ARM_SUBSCRIPTION_ID',
  'ARM_TENANT_ID',
  'ARM_USE_MSI',
  'ARM_USE_CLI',
  'ARM_USE_OIDC',
] as const;

function azure(c: Credentials, what: string, where: string): AzureCredentials {
  if (c.type !== 'azure') throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `${what}: the session is ${c.type} credentials, not Azure credentials`, where, 'use an azure/* identity');
  return c;
}

/** The config of `identity` in `chain` (the target, or an earlier step of it). */
function stepOf(chain: Chain | undefined, identity: string): IdentityConfig | undefined {
  return chain?.identities.find((i) => i.name === identity);
}

/** `~/.azure/atmos/{realm}/msal_token_cache.json`: MSAL's cache of infrakey's Azure user logins (refresh tokens). */
export function realmMsalCache(env: NodeJS.ProcessEnv, realm: string): string {
  return path.join(homeDir(env), '.azure', 'atmos', realm, 'msal_token_cache.json');
}

/** The paths and chain-derived fields of an Azure identity's session. */
export function azureLocation(env: NodeJS.ProcessEnv, realm: string, root: string, identity: string, chain?: Chain): AzureSessionLocation {
  const azureDir = path.join(homeDir(env), '.azure');
  const atmosDir = path.join(azureDir, 'atmos');
  const realmDir = path.join(atmosDir, realm);
  const dir = path.join(realmDir, root);
  const problem = nameProblem(identity);
  if (problem) throw invalidNameError('identity', identity, problem, dir);
  if (path.dirname(dir) !== realmDir || path.dirname(realmDir) !== atmosDir) {
    throw authError(AUTH_ERROR_CODES.NAME_INVALID, `the Azure session of "${identity}" would be written to ${dir}, outside the realm folder ${realmDir}`, dir, 'rename the provider to a name without path separators or ".."');
  }
  const id = stepOf(chain, identity);
  const spec = chain?.provider?.spec ?? {};
  const principal = id?.principal ?? {};
  const oidc = chain?.provider?.kind === 'azure/oidc';
  return {
    realmDir,
    azureDir,
    credentialsFile: path.join(dir, 'credentials.json'),
    msalCache: realmMsalCache(env, realm),
    profile: identity.toLowerCase(),
    tenantId: str(spec.tenant_id) ?? '',
    subscriptionId: str(principal.subscription_id) ?? str(spec.subscription_id) ?? '',
    location: str(principal.location) ?? str(spec.location) ?? '',
    resourceGroup: str(principal.resource_group) ?? '',
    cloudEnvironment: str(spec.cloud_environment) ?? '',
    useOidc: oidc ? 'true' : '',
    clientId: oidc ? str(spec.client_id) ?? '' : '',
    tokenFilePath: oidc ? str(spec.token_file_path) ?? str(env.AZURE_FEDERATED_TOKEN_FILE) ?? '' : '',
  };
}

/** Atmos's `credentials.json` shape (Go struct order, `omitempty`; RFC 3339 times). */
function toFileJson(c: AzureCredentials): Record<string, unknown> {
  const t = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);
  const out: Record<string, unknown> = {
    access_token: unsafeUnwrap(c.accessToken),
    token_type: 'Bearer',
    expiration: t(c.expiration),
    tenant_id: c.tenantId,
    subscription_id: c.subscriptionId,
    location: c.location,
    graph_api_token: c.graphToken ? unsafeUnwrap(c.graphToken) : undefined,
    graph_api_expiration: t(c.graphExpiration),
    key_vault_token: c.keyVaultToken ? unsafeUnwrap(c.keyVaultToken) : undefined,
    key_vault_expiration: t(c.keyVaultExpiration),
    client_id: c.clientId,
    is_service_principal: c.isServicePrincipal ? true : undefined,
    token_file_path: c.tokenFilePath,
    cloud_environment: c.cloudEnvironment,
    // Atmos spells the device-code method with an underscore.
    auth_method: c.authMethod === 'device-code' ? 'device_code' : c.authMethod,
    home_account_id: c.homeAccountId,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined || out[k] === '') delete out[k];
  return out;
}

function date(v: unknown): Date | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const d = new Date(v);
  // Atmos: an expiry that does not parse counts as expired.
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
}

function fromFileJson(j: Record<string, unknown>, label: string, loc: AzureSessionLocation): AzureCredentials | undefined {
  const access = str(j.access_token);
  if (!access) return undefined;
  const method = str(j.auth_method);
  const authMethod = method === 'device_code' ? 'device-code' : method === 'cli' || method === 'oidc' || method === 'interactive' ? method : undefined;
  const sub = loc.subscriptionId || str(j.subscription_id);
  const location = loc.location || str(j.location);
  const exp = date(j.expiration);
  const graphExp = date(j.graph_api_expiration);
  const kvExp = date(j.key_vault_expiration);
  const graph = str(j.graph_api_token);
  const kv = str(j.key_vault_token);
  return {
    type: 'azure',
    accessToken: Secret.of(access, `${label}:azure_access_token`),
    tenantId: str(j.tenant_id) ?? loc.tenantId,
    ...(exp ? { expiration: exp } : {}),
    // Atmos keys the file by provider; the identity's own subscription and location win on load.
    ...(sub ? { subscriptionId: sub } : {}),
    ...(location ? { location } : {}),
    ...(graph ? { graphToken: Secret.of(graph, `${label}:azure_graph_token`), ...(graphExp ? { graphExpiration: graphExp } : {}) } : {}),
    ...(kv ? { keyVaultToken: Secret.of(kv, `${label}:azure_key_vault_token`), ...(kvExp ? { keyVaultExpiration: kvExp } : {}) } : {}),
    ...(str(j.client_id) ? { clientId: str(j.client_id) } : {}),
    ...(j.is_service_principal === true ? { isServicePrincipal: true } : {}),
    ...(str(j.token_file_path) ? { tokenFilePath: str(j.token_file_path) } : {}),
    ...(str(j.cloud_environment) ? { cloudEnvironment: str(j.cloud_environment) } : {}),
    ...(authMethod ? { authMethod } : {}),
    ...(str(j.home_account_id) ? { homeAccountId: str(j.home_account_id) } : {}),
  };
}

async function withCredentialsLock<T>(loc: AzureSessionLocation, fn: () => Promise<T>): Promise<T> {
  const dir = path.dirname(loc.credentialsFile);
  await ensurePrivateDir(dir, path.dirname(loc.realmDir));
  return withFileLock(
    {
      lockPath: `${loc.credentialsFile}.lock`,
      subject: `the Azure credentials in ${dir}`,
      toError: (f) => authError(f.reason === 'io' ? AUTH_ERROR_CODES.FILES_FAILED : AUTH_ERROR_CODES.FILE_LOCK_TIMEOUT, f.message, f.where, f.fix, f.cause),
    },
    fn,
  );
}

/** The variables Atmos's Azure `PrepareEnvironment` sets for the session (never a token). */
function sessionVariables(loc: AzureSessionLocation): Record<string, string> {
  const vars: Record<string, string> = {};
  if (loc.subscriptionId) vars.AZURE_SUBSCRIPTION_ID = vars.ARM_SUBSCRIPTION_ID = loc.subscriptionId;
  // The tenant only for OIDC: with it set, the azurerm backend's CLI credential runs
  // `az account get-access-token --subscription S --tenant T`, which az rejects (Atmos's reason).
  if (loc.tenantId && loc.useOidc) vars.AZURE_TENANT_ID = vars.ARM_TENANT_ID = loc.tenantId;
  if (loc.location) vars.AZURE_LOCATION = vars.ARM_LOCATION = loc.location;
  if (loc.cloudEnvironment && loc.cloudEnvironment !== 'public') vars.ARM_ENVIRONMENT = vars.AZURE_ENVIRONMENT = loc.cloudEnvironment;
  if (loc.useOidc) {
    vars.ARM_USE_OIDC = 'true';
    if (loc.clientId) vars.ARM_CLIENT_ID = vars.AZURE_CLIENT_ID = loc.clientId;
    if (loc.tokenFilePath) vars.AZURE_FEDERATED_TOKEN_FILE = vars.ARM_OIDC_TOKEN_FILE_PATH = loc.tokenFilePath;
  } else {
    vars.ARM_USE_CLI = 'true';
  }
  if (loc.resourceGroup) vars.AZURE_RESOURCE_GROUP = loc.resourceGroup;
  return vars;
}

/**
 * What a tool's Azure provider needs to act as the identity (the Pulumi azure-native provider,
 * Terraform's azurerm provider): never a token. CLI-style logins (device code, cli, interactive)
 * use the Azure CLI's files infrakey updated (`useCli`, as `ARM_USE_CLI`); azure/oidc uses the
 * federated token (`useOidc` with the client id, tenant and token file, as `ARM_USE_OIDC`).
 */
export interface IdentityAzureSettings {
  readonly subscriptionId?: string;
  readonly tenantId?: string;
  readonly location?: string;
  /** `public`, `usgovernment` or `china`. */
  readonly environment: 'public' | 'usgovernment' | 'china';
  readonly useCli: boolean;
  readonly useOidc: boolean;
  readonly clientId?: string;
  /** The federated token file (azure/oidc with a file; in GitHub Actions the providers fetch the token themselves). */
  readonly oidcTokenFilePath?: string;
  readonly resourceGroup?: string;
}

/** The {@link IdentityAzureSettings} of a session location (config only). */
export function azureSettings(loc: AzureSessionLocation): IdentityAzureSettings {
  const oidc = loc.useOidc === 'true';
  return {
    environment: azureCloud(loc.cloudEnvironment)?.name ?? 'public',
    useCli: !oidc,
    useOidc: oidc,
    ...(loc.subscriptionId ? { subscriptionId: loc.subscriptionId } : {}),
    ...(loc.tenantId ? { tenantId: loc.tenantId } : {}),
    ...(loc.location ? { location: loc.location } : {}),
    ...(oidc && loc.clientId ? { clientId: loc.clientId } : {}),
    ...(oidc && loc.tokenFilePath ? { oidcTokenFilePath: loc.tokenFilePath } : {}),
    ...(loc.resourceGroup ? { resourceGroup: loc.resourceGroup } : {}),
  };
}

/** Azure Portal deep links by alias (Atmos `azurePortalDestinations`). */
const PORTAL_DESTINATIONS: Readonly<Record<string, string>> = (() => {
  const browse = (t: string) => `/blade/HubsExtension/BrowseResource/resourceType/${t}`;
  const table: [string[], string][] = [
    [['resourcegroups', 'rg'], '/blade/HubsExtension/BrowseResourceGroups'],
    [['vm', 'virtualmachines'], browse('Microsoft.Compute%2FVirtualMachines')],
    [['storage', 'storageaccounts'], browse('Microsoft.Storage%2FStorageAccounts')],
    [['network', 'vnet', 'virtualnetworks'], browse('Microsoft.Network%2FVirtualNetworks')],
    [['cosmosdb', 'cosmos'], browse('Microsoft.DocumentDb%2FDatabaseAccounts')],
    [['sql', 'sqldatabases'], browse('Microsoft.Sql%2FServers')],
    [['keyvault', 'kv'], browse('Microsoft.KeyVault%2FVaults')],
    [['monitor', 'monitoring'], '/blade/Microsoft_Azure_Monitoring/AzureMonitoringBrowseBlade'],
    [['aks', 'kubernetes'], browse('Microsoft.ContainerService%2FManagedClusters')],
    [['functions', 'functionapps'], `${browse('Microsoft.Web%2FSites')}/kind/functionapp`],
    [['appservice', 'webapps'], browse('Microsoft.Web%2FSites')],
    [['containers', 'containerinstances'], browse('Microsoft.ContainerInstance%2FContainerGroups')],
  ];
  const out: Record<string, string> = {};
  for (const [names, p] of table) for (const n of names) out[n] = p;
  return out;
})();

/** The Azure Portal URL of a session (Atmos `ResolveDestination`): tenant home, an alias, or an https URL. */
export function azurePortalUrl(c: AzureCredentials, destination: string | undefined, where: string): string {
  const portal = (azureCloud(c.cloudEnvironment) ?? azureCloud('public')!).portalUrl;
  const base = `${portal}#@${c.tenantId}`;
  if (!destination || destination === 'home') return base;
  if (/^[a-z][a-z0-9+.-]*:/i.test(destination)) {
    // Atmos passes any URL through; only https is accepted here (a console link is opened in a browser).
    if (!destination.startsWith('https://')) throw authError(AUTH_ERROR_CODES.CONSOLE_FAILED, `the console destination ${destination} is not an https URL`, where, 'give an https:// URL or an alias (rg, vm, storage, keyvault, subscription, ...)');
    return destination;
  }
  if (destination === 'subscription' || destination === 'sub') {
    if (!c.subscriptionId) throw authError(AUTH_ERROR_CODES.CONSOLE_FAILED, `subscription_id required for '${destination}' destination`, where, 'set principal.subscription_id on the azure/subscription identity');
    return `${base}/resource/subscriptions/${c.subscriptionId}/overview`;
  }
  const p = PORTAL_DESTINATIONS[destination];
  if (!p) throw authError(AUTH_ERROR_CODES.CONSOLE_FAILED, `unsupported destination alias: ${destination}`, where, `use one of home, subscription, ${Object.keys(PORTAL_DESTINATIONS).join(', ')}, or an https URL`);
  return base + p;
}

/** ARM's subscriptions API version used for whoami (Atmos: the armsubscriptions client). */
const ARM_SUBSCRIPTIONS_API = '2022-12-01';

/** The Azure cloud's sessions (registered as `azure`). */
export const azureSessions: CloudSessions<AzureSessionLocation> = {
  cloud: 'azure',

  location: (env, realm, root, identity, step) => azureLocation(env, realm, root, identity, step?.chain),

  async persist(loc, credentials) {
    const creds = azure(credentials, `writing the session of "${loc.profile}"`, loc.credentialsFile);
    await withCredentialsLock(loc, async () => {
      try {
        await writeFileAtomic(loc.credentialsFile, JSON.stringify(toFileJson(creds), null, 2), { mode: 0o600 });
      } catch (e) {
        if (e instanceof InfrakeyError) throw e;
        throw fileFailure(e, 'write', loc.credentialsFile);
      }
    });
    await updateAzureCliFiles({ azureDir: loc.azureDir, realmMsalCache: loc.msalCache }, creds, loc.subscriptionId || creds.subscriptionId, Date.now());
  },

  async load(loc, label) {
    const j = await readJsonFile(loc.credentialsFile);
    if (!j || typeof j !== 'object' || Array.isArray(j)) return undefined;
    return fromFileJson(j as Record<string, unknown>, label, loc);
  },

  async remove(loc) {
    const j = (await readJsonFile(loc.credentialsFile)) as Record<string, unknown> | undefined;
    if (!j) return false;
    const secrets = new Set(['access_token', 'graph_api_token', 'key_vault_token'].map((k) => str(j[k])).filter((v): v is string => !!v));
    await withCredentialsLock(loc, async () => {
      await fs.rm(loc.credentialsFile, { force: true }).catch((e: unknown) => {
        throw fileFailure(e, 'write', loc.credentialsFile);
      });
    });
    // The tokens infrakey seeded into the CLI's cache for this session go too (the CLI's own stay).
    await removeAccessTokens({ azureDir: loc.azureDir, realmMsalCache: loc.msalCache }, secrets);
    return true;
  },

  environment: (loc) => sessionVariables(loc),

  prepareEnvironment(base, loc) {
    const env: NodeJS.ProcessEnv = { ...base };
    for (const k of STRIPPED_AZURE_VARS) delete env[k];
    return { ...env, ...sessionVariables(loc) };
  },

  describe: (loc) => ({ credentials_file: loc.credentialsFile, profile: loc.profile, msal_cache: path.join(loc.azureDir, 'msal_token_cache.json'), azure_profile: path.join(loc.azureDir, 'azureProfile.json') }),

  async whoami(credentials, ctx): Promise<PrincipalInfo> {
    const c = azure(credentials, `whoami of identity "${ctx.chain.target.name}"`, ctx.where);
    const claims = jwtClaims(unsafeUnwrap(c.accessToken));
    const user = tokenUsername(unsafeUnwrap(c.accessToken)) ?? (typeof claims.appid === 'string' ? claims.appid : undefined);
    const info = { account: c.tenantId, ...(user ? { userId: user } : {}) };
    // Atmos validates by reading the subscription from ARM; without one there is nothing to ask.
    if (!c.subscriptionId) return info;
    const cloud = azureCloud(c.cloudEnvironment) ?? azureCloud('public')!;
    const url = `${managementOrigin(cloud, ctx.env)}/subscriptions/${encodeURIComponent(c.subscriptionId)}?api-version=${ARM_SUBSCRIPTIONS_API}`;
    let r;
    try {
      r = await httpsJson(url, { method: 'GET', headers: { Authorization: `Bearer ${unsafeUnwrap(c.accessToken)}`, Accept: 'application/json' }, ...(ctx.httpsCa ? { ca: ctx.httpsCa } : {}) });
    } catch (e) {
      throw authError(AUTH_ERROR_CODES.TIMEOUT, `whoami of identity "${ctx.chain.target.name}": no answer from Azure Resource Manager (${e instanceof Error ? e.message : String(e)})`, ctx.where, 'check the network, then run the command again', e);
    }
    if (r.status === 401) throw authError(AUTH_ERROR_CODES.CREDENTIALS_EXPIRED, `whoami of identity "${ctx.chain.target.name}": Azure Resource Manager refused the session's token (HTTP 401)`, ctx.where, `run \`infrakey auth login --identity ${ctx.chain.target.name}\``);
    if (r.status !== 200) {
      const code = String((r.body as { error?: { code?: unknown } }).error?.code ?? `HTTP ${r.status}`);
      throw authError(AUTH_ERROR_CODES.AZURE_FAILED, `whoami of identity "${ctx.chain.target.name}": reading subscription ${c.subscriptionId} failed (${code})`, ctx.where, 'check principal.subscription_id and that the account has access to the subscription');
    }
    const id = (r.body as { id?: unknown }).id;
    return { ...info, ...(typeof id === 'string' ? { principal: id } : {}) };
  },

  consoleUrl: async (credentials, opts) => azurePortalUrl(azure(credentials, `the console of identity "${opts.identity}"`, opts.where), opts.destination, opts.where),
};
