/**
 * infrakey's own message text. The literal parts of messages built with `safeText` are recorded
 * here, so that the masker can leave them alone: a secret whose value is `component` must not
 * turn "Set secret for component api" into "Set secret for <MASKED> api", which shows the value
 * by what it replaced (issue 10, item 12). Only source-code literals are recorded, so the set is
 * bounded by the program text.
 */
import { literalSpans, type Span } from './literal-search';

const seen = new WeakSet<TemplateStringsArray>();
const fragments = new Set<string>();

/** Records the literal parts of a tagged template (once per call site). */
export function recordFixedText(strings: TemplateStringsArray, minLength: number): void {
  if (seen.has(strings)) return;
  seen.add(strings);
  for (const s of strings) if (s.length >= minLength) fragments.add(s);
}

/** Spans of `text` that are recorded fixed text. */
export function fixedTextSpans(text: string): Span[] {
  return literalSpans(text, fragments);
}
