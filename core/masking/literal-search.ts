/**
 * Literal multi-pattern search for the masker. Registered forms are plain strings, so each one is
 * found with `String.prototype.indexOf` (native, no backtracking, no size limit) instead of one
 * alternation RegExp: V8 refuses a RegExp above a few tens of thousands of characters, and a
 * refused RegExp used to print its source — the raw values — in the error (issue 10, item 6).
 * Cost: one native scan of the text per form, i.e. O(forms × text), with no per-value limit.
 */

/** A half-open span `[start, end)` of text to hide. */
export interface Span {
  start: number;
  end: number;
}

/** Every occurrence of every form in `text`, overlapping ones included. */
export function literalSpans(text: string, forms: Iterable<string>, out: Span[] = []): Span[] {
  for (const form of forms) {
    if (form.length === 0 || form.length > text.length) continue;
    for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) out.push({ start: i, end: i + form.length });
  }
  return out;
}

/** Up to this many forms, one native `indexOf` scan per form is fastest. */
const SCAN_PER_FORM_LIMIT = 16;

/**
 * An index of registered forms by a hash of their first four UTF-16 code units (every form has at
 * least four), for many forms: the text is scanned once and each position is checked only against
 * the forms whose first four characters hash alike (a literal multi-pattern search, linear in the
 * text unless many forms share their first four characters).
 */
export class LiteralIndex {
  private readonly buckets = new Map<number, string[]>();
  private readonly forms: string[];
  /** Forms shorter than the key (none from the Redactor, whose minimum is four): scanned one by one. */
  private readonly short: string[] = [];

  constructor(forms: Iterable<string>) {
    this.forms = [...forms].filter((f) => f.length > 0);
    if (this.forms.length <= SCAN_PER_FORM_LIMIT) return;
    for (const f of this.forms) {
      if (f.length < KEY_LENGTH) {
        this.short.push(f);
        continue;
      }
      const key = prefixKey(f, 0);
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(f);
      else this.buckets.set(key, [f]);
    }
  }

  /** Every occurrence of every form in `text` (overlapping ones included). */
  spans(text: string, out: Span[] = []): Span[] {
    if (this.forms.length <= SCAN_PER_FORM_LIMIT) return literalSpans(text, this.forms, out);
    const last = text.length - KEY_LENGTH;
    for (let i = 0; i <= last; i++) {
      const bucket = this.buckets.get(prefixKey(text, i));
      if (bucket === undefined) continue;
      for (const f of bucket) if (text.startsWith(f, i)) out.push({ start: i, end: i + f.length });
    }
    return this.short.length > 0 ? literalSpans(text, this.short, out) : out;
  }
}

const KEY_LENGTH = 4;

function prefixKey(s: string, i: number): number {
  return (((s.charCodeAt(i) * 31 + s.charCodeAt(i + 1)) * 31 + s.charCodeAt(i + 2)) * 31 + s.charCodeAt(i + 3)) | 0;
}

/** Every match of every pattern (global RegExps) in `text`. */
export function patternSpans(text: string, patterns: readonly RegExp[], out: Span[] = []): Span[] {
  for (const p of patterns) {
    p.lastIndex = 0;
    for (let m = p.exec(text); m; m = p.exec(text)) {
      if (m[0].length === 0) {
        p.lastIndex++;
        continue;
      }
      out.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

/**
 * Sorts and merges overlapping spans, so that two overlapping occurrences hide every character
 * either covers (choosing one of them would leave part of the other visible).
 */
export function mergeSpans(spans: Span[]): Span[] {
  if (spans.length <= 1) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [{ ...spans[0] }];
  for (let i = 1; i < spans.length; i++) {
    const last = out[out.length - 1];
    const s = spans[i];
    if (s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** `text` with each (merged, sorted) span replaced by `replacement`. */
export function replaceSpans(text: string, spans: readonly Span[], replacement: string): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + replacement;
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * The earliest index `p` (from `from` on) such that `text.slice(p)` is a proper, non-empty prefix
 * of one of `forms`, or `text.length` when there is none. A stream masker holds back exactly that
 * tail: it may become a whole value when the next chunk arrives.
 */
export function pendingPrefixStart(text: string, forms: Iterable<string>, from = 0): number {
  const length = text.length;
  let best = length;
  for (const form of forms) {
    if (form.length < 2) continue;
    const first = form[0];
    for (let p = text.indexOf(first, Math.max(from, length - form.length + 1)); p !== -1 && p < best; p = text.indexOf(first, p + 1)) {
      if (form.startsWith(text.slice(p))) {
        best = p;
        break;
      }
    }
  }
  return best;
}
