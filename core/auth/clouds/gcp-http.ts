import { AUTH_ERROR_CODES, authError } from '../auth-errors';

/**
 * The Google endpoints the GCP kinds call, and the one way they call them (JSON or form POST with
 * a time limit and bounded answers). Endpoints are Google's; the `INFRAKEY_GCP_*_URL` variables
 * replace them for tests against the fakes in `test/fakes/` only (documented in docs/auth.md).
 */

/** Time limit of one Google token call (Atmos: 10 s for the WIF calls). */
export const GCP_REQUEST_TIMEOUT_MS = 10_000;
/** Largest answer read from a token endpoint. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export const GCP_ENDPOINTS = {
  /** Security Token Service token exchange (RFC 8693). */
  sts: { env: 'INFRAKEY_GCP_STS_URL', url: 'https://sts.googleapis.com/v1/token' },
  /** IAM Service Account Credentials API root (`v1/projects/-/serviceAccounts/{email}:generateAccessToken`). */
  iamCredentials: { env: 'INFRAKEY_GCP_IAMCREDENTIALS_URL', url: 'https://iamcredentials.googleapis.com' },
  /** OAuth2 token information (whoami of a token without a service account). */
  tokeninfo: { env: 'INFRAKEY_GCP_TOKENINFO_URL', url: 'https://oauth2.googleapis.com/tokeninfo' },
} as const;

/** The URL of `endpoint`, or its test override from `env`. */
export function gcpEndpoint(endpoint: keyof typeof GCP_ENDPOINTS, env: NodeJS.ProcessEnv): string {
  const e = GCP_ENDPOINTS[endpoint];
  const override = env[e.env]?.trim();
  return override ? override : e.url;
}

/** A failed Google call: the HTTP status and Google's error code/message (never a token). */
export class GcpHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`HTTP ${status}${reason ? `: ${reason}` : ''}`);
  }
}

/**
 * POSTs `body` (an object as JSON, or URLSearchParams as a form) and returns the JSON answer.
 * Google's error (`error.message`/`error.status` or OAuth `error`/`error_description`) becomes a
 * {@link GcpHttpError}; a time-out an `AUTH_TIMEOUT` error naming the host.
 */
export async function gcpPost(url: string, body: Record<string, unknown> | URLSearchParams, headers: Record<string, string>, what: { call: string; where: string }): Promise<Record<string, unknown>> {
  const form = body instanceof URLSearchParams;
  let res: Response;
  const send = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', accept: 'application/json', ...headers },
      body: form ? body.toString() : JSON.stringify(body),
      signal: AbortSignal.timeout(GCP_REQUEST_TIMEOUT_MS),
    });
  try {
    try {
      res = await send();
    } catch (e) {
      // A pooled keep-alive connection the server closed meanwhile: no answer was read, so the
      // one retry on a fresh connection cannot repeat an effect.
      const code = (e as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET' && code !== 'EPIPE') throw e;
      res = await send();
    }
  } catch (e) {
    const host = safeHost(url);
    if ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError') {
      throw authError(AUTH_ERROR_CODES.TIMEOUT, `${what.call}: ${host} did not answer within ${GCP_REQUEST_TIMEOUT_MS / 1000}s`, what.where, `check the network path to ${host}`, e);
    }
    throw authError(AUTH_ERROR_CODES.GCP_FAILED, `${what.call}: cannot reach ${host} (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message})`, what.where, `check the network path to ${host}`, e);
  }
  const text = await readBounded(res);
  let json: Record<string, unknown> = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    if (res.ok) throw new GcpHttpError(res.status, 'the answer is not JSON');
  }
  if (!res.ok) throw new GcpHttpError(res.status, googleReason(json));
  return json;
}

/** Google's error text: `{error: {status, message}}` (APIs) or `{error, error_description}` (OAuth/STS). */
function googleReason(json: Record<string, unknown>): string {
  const e = json.error;
  if (e && typeof e === 'object') {
    const o = e as { status?: unknown; message?: unknown };
    return [o.status, o.message].filter((x) => typeof x === 'string' && x !== '').join(': ').slice(0, 300);
  }
  return [e, json.error_description].filter((x) => typeof x === 'string' && x !== '').join(': ').slice(0, 300);
}

async function readBounded(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new GcpHttpError(res.status, `the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * A Google call's failure as an auth error: 401/403 and `invalid_grant` (expired or revoked base
 * token) say to log in again; anything else is `AUTH_GCP_FAILED` with Google's reason.
 */
export function gcpCallError(e: unknown, call: string, where: string, loginAs: string, fix: string): Error {
  if (!(e instanceof GcpHttpError)) return e as Error;
  if (e.status === 401 || /invalid_grant|invalid_token|UNAUTHENTICATED/.test(e.reason)) {
    return authError(AUTH_ERROR_CODES.CREDENTIALS_EXPIRED, `${call} refused the base credentials (${e.message})`, where, `run infrakey auth login --identity ${loginAs}`, e);
  }
  return authError(AUTH_ERROR_CODES.GCP_FAILED, `${call} failed (${e.message})`, where, fix, e);
}
