import { inspect } from 'node:util';

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
 * every value the toolkit resolves; all output passes through it.
 */
export class Redactor {
  /** Values shorter than this are not masked in free text: masking "a" would destroy output. */
  static readonly MIN_LENGTH = 4;
  private readonly forms = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private pattern: RegExp | undefined;

  /** Registers a value and its encoded forms (base64, base64url, URL-encoded, JSON-escaped). */
  register(value: string): void {
    if (typeof value !== 'string' || value.length < Redactor.MIN_LENGTH) return;
    const before = this.forms.size;
    for (const form of encodedForms(value)) {
      if (form.length >= Redactor.MIN_LENGTH) this.forms.add(form);
    }
    if (this.forms.size !== before) this.pattern = undefined;
  }

  /**
   * Registers a pattern of secret-looking text (e.g. `AKIA[0-9A-Z]{16}`), masked wherever it
   * appears even when the value itself was never seen by this process.
   */
  registerPattern(pattern: RegExp): void {
    const source = pattern.source;
    if (this.patterns.some((p) => p.source === source)) return;
    this.patterns.push(new RegExp(source, 'g'));
  }

  /** True when `text` contains any registered value, form or pattern. */
  contains(text: string): boolean {
    const re = this.regex();
    if (re) {
      re.lastIndex = 0;
      if (re.test(text)) return true;
    }
    return this.patterns.some((p) => {
      p.lastIndex = 0;
      return p.test(text);
    });
  }

  /** Replaces every registered value, form or pattern in `text` by `replacement`. */
  mask(text: string, replacement = MASK): string {
    if (typeof text !== 'string') return text;
    const re = this.regex();
    let out = re ? text.replace(re, replacement) : text;
    for (const p of this.patterns) out = out.replace(p, replacement);
    return out;
  }

  /** Masks every string inside a JSON-like structure, returning a copy. */
  maskDeep<T>(value: T, replacement = MASK): T {
    if (typeof value === 'string') return this.mask(value, replacement) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v, replacement)) as T;
    if (Secret.isSecret(value)) return replacement as T;
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.maskDeep(v, replacement);
      return out as T;
    }
    return value;
  }

  /** Number of registered forms (for tests and diagnostics; never the values). */
  get size(): number {
    return this.forms.size;
  }

  /** Forgets every value and pattern. Tests only. */
  clear(): void {
    this.forms.clear();
    this.patterns.length = 0;
    this.pattern = undefined;
  }

  private regex(): RegExp | undefined {
    if (this.forms.size === 0) return undefined;
    if (!this.pattern) {
      // Longest first so that a value is masked whole rather than around a shorter one.
      const alternatives = [...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.pattern;
  }
}

function encodedForms(value: string): string[] {
  const buf = Buffer.from(value, 'utf8');
  const b64 = buf.toString('base64');
  const b64url = buf.toString('base64url');
  return [
    value,
    b64,
    b64.replace(/=+$/, ''),
    b64url,
    b64url + '='.repeat((4 - (b64url.length % 4)) % 4),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The process-wide Redactor. */
export const redactor = new Redactor();

function registerValue(value: unknown, depth = 0): void {
  if (typeof value === 'string') redactor.register(value);
  else if (depth < 8 && value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) registerValue(v, depth + 1);
  }
}
