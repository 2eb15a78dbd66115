import { inspect } from 'node:util';
import { fixedTextSpans, recordFixedText } from './masking/fixed-text';
import { LiteralIndex, mergeSpans, patternSpans, replaceSpans, type Span } from './masking/literal-search';
import { MaskStream } from './masking/mask-stream';

/**
 * Secret values and the process-wide Redactor.
 *
 * A {@link Secret} hides its value from every ordinary way of printing it: `String()`, template
 * literals, `JSON.stringify`, `util.inspect`/`console.log`, `Object.keys`, structured clone.
 * The value lives in a module-private WeakMap, not on the object, so no reflection reaches it.
 * {@link unsafeUnwrap} is the only way out, and it registers the value with the Redactor so that
 * any text the toolkit prints or writes afterwards is masked.
 */

const values = new WeakMap<object, unknown>();

/** An opaque value. Printing it in any way gives `[secret:<label>]`. */
export class Secret<T = string> {
  /** A name for humans (a secret's declared name, a keyring key); never the value. */
  readonly label: string;

  private constructor(value: T, label: string) {
    this.label = label;
    values.set(this, value);
    registerValue(value);
    Object.freeze(this);
  }

  /** Wraps a value. Strings (and string leaves of objects) are registered with the Redactor. */
  static of<T>(value: T, label = 'value'): Secret<T> {
    return new Secret(value, label);
  }

  /** True for values made by {@link Secret.of}. */
  static isSecret(value: unknown): value is Secret<unknown> {
    return typeof value === 'object' && value !== null && values.has(value);
  }

  /** Applies `fn` to the value and wraps the result, without exposing it to the caller. */
  map<U>(fn: (value: T) => U, label = this.label): Secret<U> {
    return new Secret(fn(values.get(this) as T), label);
  }

  toString(): string {
    return `[secret:${this.label}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.toPrimitive](): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Returns the plaintext of a Secret. Named after AWS CDK's `SecretValue.unsafeUnwrap`: every call
 * site is a place where the value leaves the protection of the type, so keep them few and obvious.
 */
export function unsafeUnwrap<T>(secret: Secret<T>): T {
  if (!values.has(secret)) throw new TypeError('unsafeUnwrap expects a Secret');
  const value = values.get(secret) as T;
  registerValue(value);
  return value;
}

/** The mask the toolkit prints instead of a secret value (as Atmos does). */
export const MASK = '<MASKED>';

/**
 * Masks registered secret values in text. One process-wide instance, {@link redactor}, receives
 * every value the toolkit resolves.
 *
 * What it is for: untrusted output — a child's stdout/stderr, backend text, user data (describe
 * output, secret values). Values are found by a literal search (no RegExp is built from a value,
 * so no size limit and no value in an error), credential shapes by fixed RegExps. infrakey's own
 * message text goes through {@link Redactor.maskMessage}, which keeps the literal parts of
 * {@link safeText} messages intact.
 */
export class Redactor {
  /** Values shorter than this are not masked in free text: masking "a" would destroy output. */
  static readonly MIN_LENGTH = 4;
  private readonly formSet = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private longest = 0;
  private index: LiteralIndex | undefined;

  /**
   * Registers a value and its encoded forms: base64 (padded, unpadded, URL-safe), URL- and
   * form-encoded, JSON-escaped, and single-quoted for a POSIX shell.
   */
  register(value: string): void {
    if (typeof value !== 'string' || value.length < Redactor.MIN_LENGTH) return;
    for (const form of encodedForms(value)) {
      if (form.length < Redactor.MIN_LENGTH || this.formSet.has(form)) continue;
      this.formSet.add(form);
      this.index = undefined;
      this.longest = Math.max(this.longest, form.length);
    }
  }

  /**
   * Registers a pattern of secret-looking text (e.g. `AKIA[0-9A-Z]{16}`), masked wherever it
   * appears even when the value itself was never seen by this process. Its flags are kept.
   */
  registerPattern(pattern: RegExp): void {
    const flags = pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g';
    if (this.patterns.some((p) => p.source === pattern.source && p.flags === flags)) return;
    this.patterns.push(new RegExp(pattern.source, flags));
  }

  /** True when `text` contains any registered value, form or pattern. */
  contains(text: string): boolean {
    return typeof text === 'string' && this.spans(text).length > 0;
  }

  /** Replaces every registered value, form or pattern in untrusted `text` by `replacement`. */
  mask(text: string, replacement = MASK): string {
    if (typeof text !== 'string') return text;
    return replaceSpans(text, mergeSpans(this.spans(text)), replacement);
  }

  /**
   * Masks one of infrakey's own messages: like {@link mask}, except inside the literal text of
   * messages built with {@link safeText} (their interpolations were masked when built).
   */
  maskMessage(text: string, replacement = MASK): string {
    if (typeof text !== 'string') return text;
    let spans = mergeSpans(this.spans(text));
    if (spans.length === 0) return text;
    const fixed = fixedTextSpans(text);
    spans = spans.filter((s) => !fixed.some((f) => f.start <= s.start && s.end <= f.end));
    return replaceSpans(text, spans, replacement);
  }

  /**
   * Masks every string inside a JSON-like structure, returning a copy that stays valid JSON: a
   * string leaf keeps its masked text; a number that contains a registered form and a Secret
   * become the string `"<MASKED>"` (never a bare `<MASKED>` token). Keys are masked as strings.
   */
  maskDeep<T>(value: T, replacement = MASK): T {
    if (typeof value === 'string') return this.mask(value, replacement) as T;
    if (typeof value === 'number' || typeof value === 'bigint') return (this.contains(String(value)) ? replacement : value) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v, replacement)) as T;
    if (Secret.isSecret(value)) return replacement as T;
    if (value && typeof value === 'object' && isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.mask(k, replacement)] = this.maskDeep(v, replacement);
      return out as T;
    }
    return value;
  }

  /** A masker for a stream whose chunks may cut a value anywhere (a child's output). */
  maskStream(replacement = MASK): MaskStream {
    return new MaskStream({
      forms: () => this.formSet,
      spans: (text) => this.spans(text),
      hasPatterns: () => this.patterns.length > 0,
      replacement,
    });
  }

  /** Number of registered forms (for tests and diagnostics; never the values). */
  get size(): number {
    return this.formSet.size;
  }

  /** Length of the longest registered form (what a stream may have to hold back). */
  get longestForm(): number {
    return this.longest;
  }

  /** Forgets every value and pattern. Tests only. */
  clear(): void {
    this.formSet.clear();
    this.patterns.length = 0;
    this.longest = 0;
    this.index = undefined;
  }

  private spans(text: string): Span[] {
    this.index ??= new LiteralIndex(this.formSet);
    return patternSpans(text, this.patterns, this.index.spans(text));
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function encodedForms(value: string): string[] {
  const buf = Buffer.from(value, 'utf8');
  const b64 = buf.toString('base64');
  const b64url = buf.toString('base64url');
  const forms = [
    value,
    b64,
    b64.replace(/=+$/, ''),
    b64url,
    b64url + '='.repeat((4 - (b64url.length % 4)) % 4),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ];
  // How `shellQuote` writes a value with a quote inside: 'it'\''s' (issue 10, item 7).
  if (value.includes("'")) forms.push(value.replace(/'/g, `'\\''`));
  return forms;
}

/** The process-wide Redactor. */
export const redactor = new Redactor();

/**
 * Builds one of infrakey's own messages: each interpolation (a name, a path, backend text) is
 * masked now, and the literal text is recorded as fixed, so that {@link Redactor.maskMessage}
 * never rewrites it.
 *
 * ```ts
 * io.err(safeText`Set secret ${name} for component ${component}\n`);
 * ```
 */
export function safeText(strings: TemplateStringsArray, ...values: unknown[]): string {
  recordFixedText(strings, Redactor.MIN_LENGTH);
  let out = strings[0];
  // maskMessage, not mask: an interpolation may itself be a safeText message (nested fixed text).
  for (let i = 0; i < values.length; i++) out += redactor.maskMessage(String(values[i])) + strings[i + 1];
  return out;
}

/**
 * Keys whose values describe a credential rather than being one (`Secret.of` on an envelope such
 * as `{access_key_id, region, expiration}`): registering them masked a region in `auth login`'s
 * summary (issue 10, item 12).
 */
const METADATA_KEYS = new Set(['type', 'region', 'expiration', 'expires_at', 'expiresAt', 'mfa_arn', 'mfaArn', 'session_duration', 'sessionDuration', 'start_url', 'startUrl', 'label']);

function registerValue(value: unknown, depth = 0): void {
  if (typeof value === 'string') redactor.register(value);
  else if (depth < 8 && value && typeof value === 'object') {
    const array = Array.isArray(value);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (array || !METADATA_KEYS.has(k)) registerValue(v, depth + 1);
  }
}
