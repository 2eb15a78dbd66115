import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unsafeUnwrap, type Secret } from '../../../secret';
import { sopsError } from '../sops-error';

/**
 * The Cloud KMS key service of SOPS files: wraps and unwraps data keys with Google Cloud KMS
 * through its REST API (`projects.locations.keyRings.cryptoKeys.encrypt|decrypt`, the calls
 * sops' gcpkms keysource makes; sops speaks gRPC by default and REST with
 * `SOPS_GCP_KMS_CLIENT_TYPE=rest`). Two JSON calls need no gRPC stack, and the time bound stays
 * ours. Tokens: the caller's GCP credentials (an identity, core/auth), else sops' own variables
 * (`GOOGLE_OAUTH_ACCESS_TOKEN`, `GOOGLE_CREDENTIALS`), else Application Default Credentials through
 * google-auth-library, loaded only then.
 */

/** One Cloud KMS master key of a file (`sops.gcp_kms[]`, sops' field names). */
export interface SopsGcpKmsEntry {
  resource_id: string;
  /** base64 of the KMS ciphertext. */
  enc: string;
  created_at?: string;
}

/** Wraps and unwraps sops data keys with Cloud KMS. */
export interface SopsGcpKmsService {
  /** Who the calls run as, for messages. */
  readonly who?: string;
  decryptDataKey(entry: SopsGcpKmsEntry): Promise<Buffer>;
  /** base64 of the ciphertext of `dataKey` under `resourceId`. */
  encryptDataKey(resourceId: string, dataKey: Buffer): Promise<string>;
}

/** A service, or a function that builds it on first need (authentication happens there). */
export type SopsGcpKmsServiceSource = SopsGcpKmsService | (() => Promise<SopsGcpKmsService>);

/**
 * Where an access token comes from: the shape of core/auth's `GcpCredentials` (which satisfies
 * it), declared here so that the SOPS code does not reach into core/auth.
 */
export type GcpAccessTokenSource = () => Promise<{ readonly accessToken: Secret<string> }>;

/** Connection of a Cloud KMS key service. */
export interface GcpKmsConnection {
  /** GCP credentials of an identity; absent: sops' variables, else ADC. */
  readonly credentials?: GcpAccessTokenSource;
  /** API root (default `SOPS_GCP_KMS_ENDPOINT`, else https://cloudkms.googleapis.com). */
  readonly endpoint?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The identity, for messages. */
  readonly identity?: string;
  /** Bound of one call in ms (default {@link GCP_KMS_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** Bound of one Cloud KMS call (token fetch included). */
export const GCP_KMS_TIMEOUT_MS = 15_000;

/** sops' check of a key's resource ID (gcpkms/keysource.go newKMSClient). */
const RESOURCE_ID = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/** True when `id` is a Cloud KMS CryptoKey resource name. */
export function isGcpKmsResourceId(id: string): boolean {
  return RESOURCE_ID.test(id);
}

/** The API root: an endpoint without a scheme (sops' gRPC form `host:443`) gets https. */
function apiRoot(endpoint: string): string {
  const e = endpoint.replace(/\/+$/, '');
  return /^https?:\/\//.test(e) ? e : `https://${e.replace(/:443$/, '')}`;
}

/** A credentials file's JSON; undefined when the file does not exist. */
async function readJsonFile(path: string, what: string): Promise<Record<string, unknown> | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

/**
 * The credentials JSON ADC would use, read from the caller's environment (which need not be
 * process.env): sops' GOOGLE_CREDENTIALS (a file or the JSON itself), GOOGLE_APPLICATION_CREDENTIALS,
 * then gcloud's well-known file. Undefined: only the metadata server is left.
 */
async function credentialsJson(env: NodeJS.ProcessEnv): Promise<Record<string, unknown> | undefined> {
  const sopsCreds = env.GOOGLE_CREDENTIALS;
  if (sopsCreds) {
    if (await stat(sopsCreds).then((s) => s.isFile()).catch(() => false)) return readJsonFile(sopsCreds, 'the file GOOGLE_CREDENTIALS names');
    try {
      return JSON.parse(sopsCreds) as Record<string, unknown>;
    } catch {
      throw new Error('GOOGLE_CREDENTIALS is neither a credentials file nor credentials JSON');
    }
  }
  if (env.GOOGLE_APPLICATION_CREDENTIALS) {
    const json = await readJsonFile(env.GOOGLE_APPLICATION_CREDENTIALS, 'the file GOOGLE_APPLICATION_CREDENTIALS names');
    if (!json) throw new Error(`GOOGLE_APPLICATION_CREDENTIALS names ${env.GOOGLE_APPLICATION_CREDENTIALS}, which does not exist`);
    return json;
  }
  const home = env.HOME ?? env.USERPROFILE;
  const dir = env.CLOUDSDK_CONFIG ?? (process.platform === 'win32' ? (env.APPDATA ? join(env.APPDATA, 'gcloud') : undefined) : home ? join(home, '.config', 'gcloud') : undefined);
  return dir ? readJsonFile(join(dir, 'application_default_credentials.json'), 'gcloud\'s application_default_credentials.json') : undefined;
}

/** An access token from sops' GOOGLE_OAUTH_ACCESS_TOKEN, else ADC (google-auth-library, loaded only then). */
async function ambientToken(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.GOOGLE_OAUTH_ACCESS_TOKEN) return env.GOOGLE_OAUTH_ACCESS_TOKEN;
  const json = await credentialsJson(env);
  const { GoogleAuth } = await import('google-auth-library');
  // Node's own fetch: gaxios would otherwise import node-fetch (ESM) for every token request.
  const clientOptions = { transporterOptions: { fetchImplementation: fetch } };
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloudkms'], clientOptions });
  // From the JSON directly: GoogleAuth's own discovery would read process.env and look up a project.
  const token = json ? (await auth.fromJSON(json, clientOptions).getAccessToken()).token : await auth.getAccessToken();
  if (!token) throw new Error('Application Default Credentials gave no access token');
  return token;
}

/** The HTTP status names Cloud KMS uses for a rejected or expired token. */
const UNAUTHENTICATED = new Set(['UNAUTHENTICATED']);

/** A Cloud KMS key service over the REST API. */
export function gcpKmsService(conn: GcpKmsConnection = {}): SopsGcpKmsService {
  const env = conn.env ?? process.env;
  const root = apiRoot(conn.endpoint ?? (env.SOPS_GCP_KMS_ENDPOINT || 'https://cloudkms.googleapis.com'));
  const who = conn.identity ? `identity "${conn.identity}"` : env.GOOGLE_OAUTH_ACCESS_TOKEN ? 'GOOGLE_OAUTH_ACCESS_TOKEN' : env.GOOGLE_CREDENTIALS ? 'GOOGLE_CREDENTIALS' : 'Application Default Credentials';
  const timeoutMs = conn.timeoutMs ?? GCP_KMS_TIMEOUT_MS;

  const call = async (resourceId: string, action: 'encrypt' | 'decrypt', body: Record<string, string>): Promise<Record<string, unknown>> => {
    const code = action === 'encrypt' ? 'SOPS_ENCRYPT_FAILED' : 'SOPS_DECRYPT_FAILED';
    if (!isGcpKmsResourceId(resourceId)) {
      throw sopsError(code, `"${resourceId}" is not a Cloud KMS key resource ID`, resourceId, 'use projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>');
    }
    const signal = AbortSignal.timeout(timeoutMs);
    const timedOut = (): Error =>
      sopsError('SOPS_KEY_TIMEOUT', `Cloud KMS ${action} with key ${resourceId} did not answer within ${Math.round(timeoutMs / 1000)} s (${root})`, undefined, 'check the network path to Cloud KMS (or SOPS_GCP_KMS_ENDPOINT) and retry');
    let token: string;
    try {
      const tokenP = conn.credentials ? conn.credentials().then((c) => unsafeUnwrap(c.accessToken)) : ambientToken(env);
      token = await Promise.race([tokenP, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(timedOut()), { once: true }))]);
    } catch (e) {
      if ((e as { code?: string }).code === 'SOPS_KEY_TIMEOUT') throw e;
      // An infrakey error (the identity's own) keeps its summary and fix; the rest get ours.
      const inner = e as { summary?: unknown; fix?: unknown; where?: unknown };
      const text = typeof inner.summary === 'string' ? `${inner.summary}${typeof inner.where === 'string' ? ` (${inner.where})` : ''}` : e instanceof Error ? e.message : String(e);
      throw sopsError(
        code,
        `getting a Google access token for Cloud KMS key ${resourceId} as ${who} failed: ${text}`,
        resourceId,
        typeof inner.fix === 'string' && inner.fix !== ''
          ? inner.fix
          : conn.identity
            ? `run \`infrakey auth login --identity ${conn.identity}\``
            : 'run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or set the provider\'s identity to a GCP identity',
        e,
      );
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${root}/v1/${resourceId}:${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      text = await res.text();
    } catch (e) {
      if (signal.aborted) throw timedOut();
      throw sopsError(code, `Cloud KMS ${action} with key ${resourceId} failed: cannot reach ${root} (${(e as { cause?: { code?: string } }).cause?.code ?? (e instanceof Error ? e.message : 'error')})`, resourceId, 'check the network path to Cloud KMS (or SOPS_GCP_KMS_ENDPOINT)', e);
    }
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    if (!res.ok) {
      const err = (json.error ?? {}) as { status?: string; message?: string };
      const status = err.status ?? `HTTP ${res.status}`;
      const expired = UNAUTHENTICATED.has(status) || res.status === 401;
      throw sopsError(
        code,
        `Cloud KMS ${action} with key ${resourceId} as ${who} failed (${status}: ${(err.message ?? '').slice(0, 300) || 'no message'})`,
        resourceId,
        expired && conn.identity
          ? `run \`infrakey auth login --identity ${conn.identity}\``
          : `check that ${who} has roles/cloudkms.cryptoKeyEncrypterDecrypter on the key, that the key exists and is enabled, and restore the file if its gcp_kms "enc" was altered`,
      );
    }
    return json;
  };

  return {
    who,
    async decryptDataKey(entry) {
      const out = await call(entry.resource_id, 'decrypt', { ciphertext: entry.enc });
      if (typeof out.plaintext !== 'string') throw sopsError('SOPS_DECRYPT_FAILED', `Cloud KMS returned no plaintext for key ${entry.resource_id}`, entry.resource_id, 'retry; restore the file if its gcp_kms "enc" was altered');
      return Buffer.from(out.plaintext, 'base64');
    },
    async encryptDataKey(resourceId, dataKey) {
      const out = await call(resourceId, 'encrypt', { plaintext: dataKey.toString('base64') });
      if (typeof out.ciphertext !== 'string') throw sopsError('SOPS_ENCRYPT_FAILED', `Cloud KMS returned no ciphertext for key ${resourceId}`, resourceId, 'retry');
      return out.ciphertext;
    },
  };
}

/** The key service of a source: given, built by the caller's function, else ADC. */
export async function gcpKmsServiceOf(source: SopsGcpKmsServiceSource | undefined, timeoutMs?: number): Promise<SopsGcpKmsService> {
  if (source === undefined) return gcpKmsService(timeoutMs !== undefined ? { timeoutMs } : {});
  return typeof source === 'function' ? source() : source;
}
