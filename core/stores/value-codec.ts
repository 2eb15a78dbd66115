/**
 * Value encoding per backend (semantics §5.4). Atmos writes with Go's `encoding/json`, so
 * {@link goJson} reproduces its output byte for byte for JSON-like data (sorted object keys,
 * `<`, `>`, `&`, U+2028 and U+2029 escaped): a value infrakey writes reads back identically in Atmos
 * and in tools that compare the stored text.
 */
import type { StoreKind } from './store';

/** How one store encodes values. */
export interface ValueCodec {
  encode(value: unknown): string;
  decode(raw: string): unknown;
}

/** Go `json.Marshal` of JSON-like data. Throws TypeError for values JSON cannot represent. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(sortKeys(value, 0));
  if (text === undefined) throw new TypeError('value cannot be encoded as JSON');
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(value: unknown, depth: number): unknown {
  if (depth > 100) throw new TypeError('value is nested too deeply');
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k], depth + 1);
    return out;
  }
  return value;
}

/** JSON-decode, else the raw text (Atmos's read rule for most backends). */
export function decodeJsonOrRaw(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Plain JSON both ways: redis, keychain, Azure, GCP, Vault, Artifactory. */
export const jsonCodec: ValueCodec = { encode: goJson, decode: decodeJsonOrRaw };

/**
 * SSM. Non-secret stores JSON-encode everything. Secret stores (SecureString) keep non-empty
 * strings byte-exact so AWS-native consumers read the plain value; SSM rejects empty values, so
 * `""` stays JSON. On read a secret store keeps only decoded maps, lists and strings: a raw secret
 * such as `1e5` must not come back as the number 100000.
 */
export function ssmCodec(secret: boolean): ValueCodec {
  return {
    encode(value) {
      if (secret && typeof value === 'string' && value !== '') return value;
      return goJson(value);
    },
    decode(raw) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return raw;
      }
      if (!secret) return parsed;
      return typeof parsed === 'string' || (parsed !== null && typeof parsed === 'object') ? parsed : raw;
    },
  };
}

/**
 * Secrets Manager. A string that trims to a valid JSON object or array is stored verbatim
 * (trimmed), so structured secrets stay key/value pairs in the console. Everything else is
 * JSON-encoded: plain strings are stored with quotes, as Atmos does (§11.13).
 */
export const asmCodec: ValueCodec = {
  encode(value) {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && isValidJson(trimmed)) return trimmed;
    }
    return goJson(value);
  },
  decode: decodeJsonOrRaw,
};

function isValidJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** The codec of a kind. */
export function codecFor(kind: StoreKind, secret: boolean): ValueCodec {
  switch (kind) {
    case 'aws/ssm':
      return ssmCodec(secret);
    case 'aws/asm':
      return asmCodec;
    default:
      return jsonCodec;
  }
}
