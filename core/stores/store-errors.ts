/**
 * Store error codes and factories. Messages name the store (`stores.<name>`) and the key path,
 * never a value. Backend (SDK, redis) errors are reduced to their error name and status: their
 * own text can echo request data, so it is neither copied nor attached as `cause`.
 */
import { StoreError } from '../errors';

/** Stable codes of store errors. */
export const STORE_ERROR_CODES = {
  /** A `!store`, declaration or command names a store that is not in `stores:`. */
  NOT_CONFIGURED: 'STORE_NOT_CONFIGURED',
  /** `kind`/`type` is not a known store kind. */
  KIND_UNKNOWN: 'STORE_KIND_UNKNOWN',
  /** The kind is known but this build has no backend for it. */
  KIND_UNSUPPORTED: 'STORE_KIND_UNSUPPORTED',
  /** `secret: true` on a backend that does not encrypt at rest (redis, artifactory). */
  CANNOT_BE_SECRET: 'STORE_CANNOT_BE_SECRET',
  /** `!store`/`!store.get` on a `secret: true` store: use `!secret`. */
  IS_SECRET: 'STORE_IS_SECRET',
  /** The key does not exist in the backend. */
  KEY_NOT_FOUND: 'STORE_KEY_NOT_FOUND',
  /** Empty key, or empty stack/component where the backend needs them. */
  KEY_INVALID: 'STORE_KEY_INVALID',
  /** A value that cannot be stored (null, undefined, not JSON-encodable). */
  VALUE_INVALID: 'STORE_VALUE_INVALID',
  /** The encoded value is larger than the backend accepts (SSM 4 KiB, Secrets Manager 64 KiB, ...). */
  VALUE_TOO_LARGE: 'STORE_VALUE_TOO_LARGE',
  /** The backend could not be reached (connection refused, timeout, DNS). */
  UNREACHABLE: 'STORE_UNREACHABLE',
  /** `options` of the store are missing or malformed. */
  OPTION_INVALID: 'STORE_OPTION_INVALID',
  /** The operation (delete, list, set) is not available for this store. */
  UNSUPPORTED: 'STORE_UNSUPPORTED',
  /** The backend refused the request for lack of permission or credentials. */
  ACCESS_DENIED: 'STORE_ACCESS_DENIED',
  /** Credentials for the store (identity, SDK chain) could not be obtained. */
  AUTH_FAILED: 'STORE_AUTH_FAILED',
  /** Any other backend failure. */
  REQUEST_FAILED: 'STORE_REQUEST_FAILED',
  /** The backend does not give values back here (GitHub Actions secrets outside a runner). */
  VALUE_UNREADABLE: 'STORE_VALUE_UNREADABLE',
  /** `!store`/`!store.get` arguments or `| query` are malformed. */
} as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/** Config path of a store, e.g. `stores.secrets/ssm`. */
export function storeWhere(name: string): string {
  return `stores.${name}`;
}

/** The key was not found at `path`. */
export function keyNotFound(store: string, path: string): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.KEY_NOT_FOUND,
    message: `store "${store}": key "${path}" not found`,
    where: storeWhere(store),
    fix: `write the value first (infrakey store set / secret set), or check the stack, component and key that compose "${path}"`,
  });
}

/** An operation the store does not support. */
export function unsupported(store: string, operation: string, kind: string): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.UNSUPPORTED,
    message: `${operation} is not supported by this store: store "${store}" uses backend "${kind}"`,
    where: storeWhere(store),
    fix: `use a store kind that supports ${operation}`,
  });
}

/** An empty key or scope. */
export function keyInvalid(store: string, what: string): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.KEY_INVALID,
    message: `store "${store}": ${what}`,
    where: storeWhere(store),
    fix: 'pass a non-empty key (and stack/component where the backend requires them)',
  });
}

/** A value that cannot be stored. */
export function valueInvalid(store: string, path: string, why: string): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.VALUE_INVALID,
    message: `store "${store}": cannot store value for key "${path}": ${why}`,
    where: storeWhere(store),
    fix: 'store a string, number, boolean, list or map',
  });
}

/** A value larger than the backend accepts; the message gives sizes, never the value. */
export function valueTooLarge(store: string, kind: string, path: string, size: number, max: number): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.VALUE_TOO_LARGE,
    message: `store "${store}": the value for key "${path}" is ${size} bytes encoded; backend "${kind}" accepts at most ${max}`,
    where: storeWhere(store),
    fix: `store a smaller value (split it, or keep large files in SOPS), or use a backend that takes ${size} bytes`,
  });
}

/** Bad or missing store options. */
export function optionInvalid(store: string, message: string, fix: string, where?: string): StoreError {
  return new StoreError({ code: STORE_ERROR_CODES.OPTION_INVALID, message: `store "${store}": ${message}`, where: where ?? storeWhere(store), fix });
}

/** Connection-level failure. */
export function unreachable(store: string, endpoint: string, reason: string): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.UNREACHABLE,
    message: `store "${store}": cannot reach ${endpoint} (${reason})`,
    where: storeWhere(store),
    fix: `check that the backend at ${endpoint} is running and reachable, and the store's endpoint/url options`,
  });
}

/** Facts about a failed backend call that are safe to show. */
export interface BackendFailure {
  /** The error's class name (e.g. `AccessDeniedException`, `ECONNREFUSED`). */
  readonly name: string;
  readonly status?: number;
  readonly unreachable: boolean;
  readonly denied: boolean;
  readonly notFound: boolean;
  /** No credentials could be obtained at all (SDK default chain empty, credentials provider failed). */
  readonly noCredentials: boolean;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const DENIED_NAMES = /AccessDenied|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|ExpiredToken|InvalidClientTokenId|NOAUTH|WRONGPASS|NOPERM|Unauthorized|Forbidden/i;
const NOT_FOUND_NAMES = /ParameterNotFound|ResourceNotFound|NotFound/;

/** Classifies an error thrown by an SDK or client library without reading its message text. */
export function describeFailure(err: unknown): BackendFailure {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; errno?: unknown; $metadata?: { httpStatusCode?: unknown }; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const name = code ?? (typeof e.name === 'string' ? e.name : 'Error');
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const causeCode = (e.cause as { code?: unknown } | undefined)?.code;
  // The SDK wraps errors from another realm (jest's vm, a second copy of Node's http) as
  // "AWS SDK error wrapper for Error: connect ECONNREFUSED ...", dropping `code`: the code is
  // recovered from the text, and only the matched code is ever shown.
  const message = typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : '';
  const codeInText = /\b(E[A-Z_]+)\b/.exec(message)?.[1];
  const netCode = [code, typeof causeCode === 'string' ? causeCode : undefined, codeInText].find((c) => c !== undefined && NETWORK_CODES.has(c));
  const unreachable = netCode !== undefined || NETWORK_NAMES.has(name) || (err instanceof AggregateError && err.errors.some((x) => describeFailure(x).unreachable));
  return {
    name: netCode ?? name,
    status,
    unreachable,
    denied: !unreachable && (DENIED_NAMES.test(name) || status === 401 || status === 403),
    notFound: NOT_FOUND_NAMES.test(name),
    noCredentials: name === 'CredentialsProviderError' || name === 'ProviderError',
  };
}

/** True for failures that make every request to the backend fail (not one key's problem). */
export function isBackendWide(err: unknown): boolean {
  const f = describeFailure(err);
  return f.unreachable || f.noCredentials;
}

/** Wraps a backend failure into a StoreError (unreachable, denied or failed), without its text. */
export function backendError(store: string, operation: string, path: string | undefined, endpoint: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const f = describeFailure(err);
  const target = path !== undefined ? ` key "${path}"` : '';
  const detail = f.status !== undefined ? `${f.name}, HTTP ${f.status}` : f.name;
  if (f.unreachable) return unreachable(store, endpoint, `${operation}${target}: ${detail}`);
  if (f.noCredentials) {
    return new StoreError({
      code: STORE_ERROR_CODES.AUTH_FAILED,
      message: `store "${store}": no AWS credentials for ${operation}${target} (${detail})`,
      where: storeWhere(store),
      fix: "set the store's `identity` and log in, or provide credentials to the AWS SDK default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
    });
  }
  if (f.denied) {
    return new StoreError({
      code: STORE_ERROR_CODES.ACCESS_DENIED,
      message: `store "${store}": ${operation}${target} was refused (${detail})`,
      where: storeWhere(store),
      fix: "check the store's identity or credentials and their permissions on this key",
    });
  }
  return new StoreError({
    code: STORE_ERROR_CODES.REQUEST_FAILED,
    message: `store "${store}": ${operation}${target} failed (${detail})`,
    where: storeWhere(store),
    fix: `check the backend at ${endpoint} and the store's options`,
  });
}
