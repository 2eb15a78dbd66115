import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write';
import { withFileLock, type HeldLock } from '../../fs/file-lock';
import { InfrakeyError } from '../../errors';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { fileFailure } from '../credential-files';
import { unsafeUnwrap } from '../../secret';
import type { AzureCredentials } from './azure-credentials';
import { AZURE_CLI_CLIENT_ID, azureCloud, jwtClaims, tokenUsername, type AzureCloud } from './azure-entra';

/**
 * The Azure CLI's own files, updated after an Azure login exactly as Atmos updates them
 * (`pkg/auth/cloud/azure/setup.go`, `refresh_token.go`), so that `az`, Terraform's azurerm /
 * azuread / azapi providers and the Azure SDKs' CLI credential see the session:
 * `~/.azure/msal_token_cache.json` (MSAL's unified cache: Account, AccessToken, AppMetadata and
 * the refresh tokens copied from the realm cache), `~/.azure/azureProfile.json` (the
 * subscription made default) and, for service-principal (OIDC) logins,
 * `~/.azure/service_principal_entries.json`. Files are read and rewritten under the one file
 * lock, atomically, mode 0600, in a 0700 folder; keys are sorted as Go's JSON encoder writes maps.
 */

/** A JSON file of the CLI (or the realm's MSAL cache) and the folder it lives in. */
export interface CliFiles {
  /** `~/.azure` (Atmos ignores AZURE_CONFIG_DIR, and clears it for children). */
  readonly azureDir: string;
  /** `~/.azure/atmos/{realm}/msal_token_cache.json`: the MSAL cache of infrakey's own logins (refresh tokens). */
  readonly realmMsalCache: string;
}

const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Sorts object keys at every level (Go's `json.Marshal` of a map does). */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sorted((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** Reads a JSON file (a UTF-8 BOM, which the CLI may write, is dropped); undefined when absent. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    const st = await fs.stat(file);
    if (st.size > MAX_FILE_BYTES) throw authError(AUTH_ERROR_CODES.FILES_FAILED, `${file} is larger than ${MAX_FILE_BYTES} bytes`, file, `inspect ${file}; move it away if it is not the Azure CLI's`);
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof InfrakeyError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileFailure(e, 'read', file);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw authError(AUTH_ERROR_CODES.FILES_FAILED, `${file} is not valid JSON`, file, `repair ${file} or move it away (the Azure CLI recreates it at its next login)`);
  }
}

/** Read-modify-write of a JSON file under its lock; `update` returns the new content (or undefined: leave it). */
export async function updateJsonFile(file: string, update: (current: unknown) => unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch((e: unknown) => {
    throw fileFailure(e, 'create', path.dirname(file));
  });
  await withFileLock(
    {
      lockPath: `${file}.lock`,
      subject: `the Azure file ${file}`,
      toError: (f) => authError(f.reason === 'io' ? AUTH_ERROR_CODES.FILES_FAILED : AUTH_ERROR_CODES.FILE_LOCK_TIMEOUT, f.message, f.where, f.fix, f.cause),
    },
    async (lock: HeldLock) => {
      const next = update(await readJsonFile(file));
      if (next === undefined) return;
      try {
        await writeFileAtomic(file, JSON.stringify(sorted(next), null, 2), { mode: 0o600, beforeRename: async () => lock.assertHeld() });
      } catch (e) {
        if (e instanceof InfrakeyError) throw e;
        throw fileFailure(e, 'write', file);
      }
    },
  );
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** A section of an MSAL cache (created when missing). */
function section(cache: Json, name: string): Json {
  const s = obj(cache[name]);
  cache[name] = s;
  return s;
}

function accessTokenEntry(token: string, expiresOn: Date | undefined, scope: string, ids: { homeAccountId: string; environment: string; clientId: string; realm: string }, now: number): [string, Json] | undefined {
  // Atmos skips a token whose expiry does not parse; ours always have one unless absent.
  if (!expiresOn) return undefined;
  const key = `${ids.homeAccountId}-${ids.environment}-accesstoken-${ids.clientId}-${ids.realm}-${scope}`;
  const exp = String(Math.floor(expiresOn.getTime() / 1000));
  return [
    key,
    {
      credential_type: 'AccessToken',
      secret: token,
      home_account_id: ids.homeAccountId,
      environment: ids.environment,
      client_id: ids.clientId,
      target: scope,
      realm: ids.realm,
      token_type: 'Bearer',
      cached_at: String(Math.floor(now / 1000)),
      expires_on: exp,
      extended_expires_on: exp,
    },
  ];
}

/**
 * The entries Atmos adds to the CLI's MSAL cache for `creds` (user: an Account plus the ARM,
 * Graph and Key Vault tokens under the Azure CLI's client id; service principal: AppMetadata plus
 * the tokens under the application's id, with an empty home account id).
 */
export function msalEntries(creds: AzureCredentials, cloud: AzureCloud, now: number): { account?: [string, Json]; appMetadata?: [string, Json]; accessTokens: [string, Json][]; homeAccountId: string } | undefined {
  const tenant = creds.tenantId;
  const access = unsafeUnwrap(creds.accessToken);
  const oid = jwtClaims(access).oid;
  // Atmos: no `oid` claim in the token, no CLI cache update (it cannot name the account).
  if (typeof oid !== 'string' || oid === '') return undefined;
  const sp = creds.isServicePrincipal === true;
  const homeAccountId = sp ? '' : creds.homeAccountId || `${oid}.${tenant}`;
  const ids = { homeAccountId, environment: cloud.loginEndpoint, clientId: sp ? creds.clientId ?? '' : AZURE_CLI_CLIENT_ID, realm: tenant };
  const tokens: [string, Json][] = [];
  const add = (t: AzureCredentials['accessToken'] | undefined, exp: Date | undefined, scope: string) => {
    if (!t) return;
    const e = accessTokenEntry(unsafeUnwrap(t), exp, scope, ids, now);
    if (e) tokens.push(e);
  };
  add(creds.accessToken, creds.expiration, [cloud.managementScope, ...cloud.legacyManagementScopes].join(' '));
  add(creds.graphToken, creds.graphExpiration, cloud.graphScope);
  add(creds.keyVaultToken, creds.keyVaultExpiration, cloud.keyVaultScope);
  if (sp) {
    const clientId = creds.clientId ?? '';
    return {
      appMetadata: [`appmetadata-${cloud.loginEndpoint}-${clientId}`.toLowerCase(), { environment: cloud.loginEndpoint, client_id: clientId, family_id: '' }],
      accessTokens: tokens,
      homeAccountId,
    };
  }
  return {
    account: [
      `${homeAccountId}-${cloud.loginEndpoint}-${tenant}`,
      {
        home_account_id: homeAccountId,
        environment: cloud.loginEndpoint,
        realm: tenant,
        local_account_id: oid,
        username: tokenUsername(access) ?? 'user@unknown',
        authority_type: 'MSSTS',
        account_source: creds.authMethod === 'interactive' ? 'authorization_code' : 'device_code',
      },
    ],
    accessTokens: tokens,
    homeAccountId,
  };
}

/**
 * Updates the Azure CLI's files for `creds` as the identity's session (Atmos `UpdateAzureCLIFiles`).
 * Credentials minted by the Azure CLI itself (`azure/cli`) are never written back: the CLI already
 * holds the authoritative entry, and a second Account entry breaks `az` for guest users.
 */
export async function updateAzureCliFiles(files: CliFiles, creds: AzureCredentials, subscriptionId: string | undefined, now: number): Promise<void> {
  if (creds.authMethod === 'cli') return;
  const cloud = azureCloud(creds.cloudEnvironment) ?? azureCloud('public')!;
  const entries = msalEntries(creds, cloud, now);
  if (!entries) return;
  const refreshTokens = !entries.account || !creds.homeAccountId ? {} : await realmRefreshTokens(files.realmMsalCache, creds.homeAccountId);
  await updateJsonFile(path.join(files.azureDir, 'msal_token_cache.json'), (current) => {
    const cache = obj(current);
    const at = section(cache, 'AccessToken');
    const acc = section(cache, 'Account');
    const meta = section(cache, 'AppMetadata');
    if (entries.account) acc[entries.account[0]] = entries.account[1];
    if (entries.appMetadata) meta[entries.appMetadata[0]] = entries.appMetadata[1];
    for (const [k, v] of entries.accessTokens) at[k] = v;
    if (Object.keys(refreshTokens).length > 0) Object.assign(section(cache, 'RefreshToken'), refreshTokens);
    return cache;
  });
  const username = tokenUsername(unsafeUnwrap(creds.accessToken)) ?? (creds.isServicePrincipal && creds.clientId ? creds.clientId : 'user@unknown');
  await updateJsonFile(path.join(files.azureDir, 'azureProfile.json'), (current) => {
    const profile = current === undefined ? { installationId: '', subscriptions: [] } : obj(current);
    profile.subscriptions = updatedSubscriptions(profile.subscriptions, {
      username,
      tenantId: creds.tenantId,
      subscriptionId,
      servicePrincipal: creds.isServicePrincipal === true,
      environmentName: cloud.profileEnvironment,
    });
    return profile;
  });
  if (creds.isServicePrincipal && creds.clientId && creds.federatedToken) {
    const entry = { client_id: creds.clientId, tenant: creds.tenantId, client_assertion: unsafeUnwrap(creds.federatedToken) };
    await updateJsonFile(path.join(files.azureDir, 'service_principal_entries.json'), (current) => {
      const list = Array.isArray(current) ? (current as Json[]) : [];
      const i = list.findIndex((e) => obj(e).client_id === creds.clientId);
      if (i >= 0) list[i] = entry;
      else list.push(entry);
      return list;
    });
  }
}

/** Atmos `UpdateSubscriptionsInProfile`: the subscription becomes the only default. */
export function updatedSubscriptions(raw: unknown, p: { username: string; tenantId: string; subscriptionId: string | undefined; servicePrincipal: boolean; environmentName: string }): unknown[] {
  const subs = Array.isArray(raw) ? [...raw] : [];
  const user = { name: p.username, type: p.servicePrincipal ? 'servicePrincipal' : 'user' };
  let found = false;
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i];
    if (!s || typeof s !== 'object' || Array.isArray(s)) continue;
    const sub = s as Json;
    if (p.subscriptionId !== undefined && sub.id === p.subscriptionId) {
      Object.assign(sub, { tenantId: p.tenantId, isDefault: true, state: 'Enabled', user, environmentName: p.environmentName });
      found = true;
    } else {
      sub.isDefault = false;
    }
  }
  if (!found && p.subscriptionId) {
    subs.push({ id: p.subscriptionId, name: p.subscriptionId, tenantId: p.tenantId, isDefault: true, state: 'Enabled', environmentName: p.environmentName, user });
  }
  return subs;
}

/** Refresh tokens of `homeAccountId` in the realm cache (Atmos `CopyAtmosRefreshTokensInto`). */
async function realmRefreshTokens(file: string, homeAccountId: string): Promise<Json> {
  let cache: unknown;
  try {
    cache = await readJsonFile(file);
  } catch {
    return {}; // Atmos: a missing or unreadable realm cache is not an error here.
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(obj(obj(cache).RefreshToken))) if (obj(v).home_account_id === homeAccountId) out[k] = v;
  return out;
}

/**
 * Removes, from the CLI's MSAL cache, the access tokens whose value is one of `secrets` (the ones
 * infrakey wrote for a session being logged out); the CLI's own entries stay. True when any went.
 */
export async function removeAccessTokens(files: CliFiles, secrets: ReadonlySet<string>): Promise<boolean> {
  if (secrets.size === 0) return false;
  const file = path.join(files.azureDir, 'msal_token_cache.json');
  let removed = false;
  if ((await readJsonFile(file)) === undefined) return false;
  await updateJsonFile(file, (current) => {
    const cache = obj(current);
    const at = obj(cache.AccessToken);
    for (const [k, v] of Object.entries(at)) {
      if (typeof obj(v).secret === 'string' && secrets.has(obj(v).secret as string)) {
        delete at[k];
        removed = true;
      }
    }
    return removed ? cache : undefined;
  });
  return removed;
}

/**
 * Removes a tenant's accounts and everything MSAL keeps for them (tokens, refresh tokens, id
 * tokens) from an MSAL cache file: the realm cache on `auth logout --all`. True when any went.
 */
export async function forgetTenant(file: string, tenantId: string): Promise<boolean> {
  if ((await readJsonFile(file)) === undefined) return false;
  let removed = false;
  await updateJsonFile(file, (current) => {
    const cache = obj(current);
    const accounts = obj(cache.Account);
    const homes = new Set<string>();
    for (const [k, v] of Object.entries(accounts)) {
      if (obj(v).realm === tenantId) {
        homes.add(String(obj(v).home_account_id));
        delete accounts[k];
        removed = true;
      }
    }
    for (const name of ['AccessToken', 'RefreshToken', 'IdToken']) {
      const s = obj(cache[name]);
      for (const [k, v] of Object.entries(s)) {
        if (homes.has(String(obj(v).home_account_id)) || obj(v).realm === tenantId) {
          delete s[k];
          removed = true;
        }
      }
    }
    return removed ? cache : undefined;
  });
  return removed;
}
