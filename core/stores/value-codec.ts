/**
 * Value encoding (semantics §5.4). Atmos writes with Go's `encoding/json`, so {@link goJson}
 * reproduces its output byte for byte for JSON-like data (sorted object keys, `<`, `>`, `&`,
 * U+2028 and U+2029 escaped): a value infrakey writes reads back identically in Atmos and in tools
 * that compare the stored text.
 *
 * Reading follows one rule for every backend, {@link decodeStored}: decode only what infrakey or
 * Atmos would have written. A stored text that JSON-encoding could not have produced is returned
 * as it is: `1e5`, `12345678901234567890` and `0.1000000000000000055511` stay text (Go and
 * JavaScript write those numbers as `100000`, `12345678901234567000` and `0.1`), so a value is
 * never silently changed on its way out. Each kind picks its codec in its own module.
 */
import type { StoredEncoding } from './store';

/** How one store encodes values. */
export interface ValueCodec {
  /** The name tools outside infrakey (CDKTF) use to decode what they read themselves. */
  readonly encoding: StoredEncoding;
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

/** Which decoded top-level shapes a store keeps; everything else comes back as the stored text. */
export interface DecodeRule {
  /**
   * `typed`: numbers (when the text is exactly how JSON writes that number), booleans and null
   * decode. `text`: they stay text (a secret SSM store writes scalars raw).
   */
  readonly scalars: 'typed' | 'text';
  /** `all`: JSON strings decode. `empty`: only `""` does (the one string written JSON-quoted). */
  readonly strings: 'all' | 'empty';
}

/** The one read rule of every backend (see the file comment). Maps and lists always decode. */
export function decodeStored(raw: string, rule: DecodeRule): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (parsed !== null && typeof parsed === 'object') return parsed;
  if (typeof parsed === 'string') return rule.strings === 'all' || parsed === '' ? parsed : raw;
  if (rule.scalars === 'text') return raw;
  // Only the canonical form decodes: `1e5` or a 20-digit integer would change on the way out.
  if (typeof parsed === 'number') return JSON.stringify(parsed) === raw ? parsed : raw;
  return parsed;
}

const TYPED: DecodeRule = { scalars: 'typed', strings: 'all' };

/** JSON-decode (by the one rule), else the raw text: Atmos's read rule for most backends. */
export function decodeJsonOrRaw(raw: string): unknown {
  return decodeStored(raw, TYPED);
}

/** Plain JSON both ways: redis, keychain, and most backends. */
export const jsonCodec: ValueCodec = { encoding: 'json-or-raw', encode: goJson, decode: decodeJsonOrRaw };
