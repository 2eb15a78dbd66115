/**
 * The one HTTP request helper of the store kinds that speak REST themselves (Artifactory, Vault) or hand
 * a `fetch` to their vendor client (GitHub's Octokit): every request is bounded in time
 * ({@link STORE_HTTP_LIMITS}) and in the size of the answer it reads, so a server that accepts and
 * never answers, or answers without end, fails instead of holding a command. Failures are reduced
 * to what {@link describeFailure} reads (network code, HTTP status); the server's own text is
 * never kept.
 */

/** True for an absolute `http://` or `https://` URL (a store's address or endpoint option). */
export function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** Time limits of one store HTTP request. */
export const STORE_HTTP_LIMITS = {
  /** One request, from sending to the last byte of the answer. */
  requestTimeoutMs: 8000,
} as const;

/** A non-2xx answer, reduced to its status (the body can echo request data: never kept). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpError';
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.$metadata = { httpStatusCode: status };
  }
}

/** The answer of {@link storeFetch}. */
export interface StoreHttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** What a request sends. */
export interface StoreHttpRequest {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Largest answer body read; a longer one fails with {@link ResponseTooLargeError}. */
  readonly maxResponseBytes: number;
  /** Default {@link STORE_HTTP_LIMITS}.requestTimeoutMs. */
  readonly timeoutMs?: number;
}

/** An answer longer than the caller accepts. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLarge';

  constructor(readonly limit: number) {
    super(`answer larger than ${limit} bytes`);
  }
}

/**
 * Sends one request and reads its whole answer within the time limit. Resolves for every HTTP
 * status (the caller decides what a 404 means); rejects on network failure, time-out or an answer
 * larger than `maxResponseBytes`.
 */
export async function storeFetch(url: string, req: StoreHttpRequest): Promise<StoreHttpResponse> {
  const signal = AbortSignal.timeout(req.timeoutMs ?? STORE_HTTP_LIMITS.requestTimeoutMs);
  const res = await fetch(url, { method: req.method, headers: req.headers, body: req.body, signal, redirect: 'error' });
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > req.maxResponseBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(req.maxResponseBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > req.maxResponseBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ResponseTooLargeError(req.maxResponseBytes);
      }
      chunks.push(Buffer.from(value));
    }
  }
  return { status: res.status, body: Buffer.concat(chunks) };
}

/**
 * A `fetch` with the store time limit, for vendor clients that take one (Octokit): the caller's
 * own signal, when given, still aborts.
 */
export function boundedFetch(timeoutMs: number = STORE_HTTP_LIMITS.requestTimeoutMs): typeof fetch {
  return (input, init) => {
    // Not `AbortSignal.any([AbortSignal.timeout(ms), init.signal])`: on Node 20 the combined
    // signal holds its sources weakly, so the timeout signal can be garbage-collected before it
    // fires and the request then waits forever (seen: Octokit against a silent listener). The
    // timer below holds the controller; it covers the body too and is unref'd, so it never keeps
    // a process alive.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`request timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    timer.unref();
    const outer = init?.signal;
    if (outer) {
      if (outer.aborted) controller.abort(outer.reason);
      else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
    }
    return fetch(input, { ...init, redirect: 'error', signal: controller.signal });
  };
}

const NETWORK_CODE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ECONNABORTED|UND_ERR_[A-Z_]+)\b/;

/**
 * Reduces an HTTP client's failure (fetch, undici, Octokit, axios) to the shape
 * {@link describeFailure} classifies: `{ code }` for a network failure or time-out found anywhere
 * in the cause chain, else `{ name, $metadata.httpStatusCode }` for an HTTP status. Nothing of the
 * server's text is kept.
 */
export function httpFailure(err: unknown): { name: string; code?: string; $metadata?: { httpStatusCode: number } } {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { name?: unknown; code?: unknown; message?: unknown };
    if (x.name === 'TimeoutError' || x.name === 'AbortError' || x.code === 'ECONNABORTED' || x.code === 'UND_ERR_CONNECT_TIMEOUT' || x.code === 'UND_ERR_HEADERS_TIMEOUT' || x.code === 'UND_ERR_BODY_TIMEOUT') {
      return { name: 'TimeoutError', code: 'ETIMEDOUT' };
    }
    const code = typeof x.code === 'string' && NETWORK_CODE.test(x.code) ? x.code : typeof x.message === 'string' ? NETWORK_CODE.exec(x.message)?.[1] : undefined;
    if (code !== undefined) return { name: code, code: code.startsWith('UND_ERR_') ? 'ECONNRESET' : code };
  }
  const e = err as { status?: unknown; name?: unknown; response?: { status?: unknown } } | undefined;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.response?.status === 'number' ? e.response.status : undefined;
  if (err instanceof ResponseTooLargeError) return { name: err.name };
  if (status !== undefined && status > 0) return { name: 'HttpError', $metadata: { httpStatusCode: status } };
  return { name: typeof e?.name === 'string' ? e.name : 'Error' };
}
