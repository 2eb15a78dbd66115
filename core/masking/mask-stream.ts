/**
 * Masks a text stream (a child's stdout or stderr) whose chunks may cut a secret anywhere: in the
 * middle of a line, across lines (a multi-line value written a line at a time, 0.2 s apart), or in
 * the middle of a 25,000-character value. Cutting at the last newline, as before, never saw a
 * multi-line value whole (issue 10, item 8).
 *
 * After each chunk it emits everything except the shortest tail that could still grow into a
 * registered form (the tail that is a proper prefix of one): output that cannot be a secret is
 * never delayed, so prompts and progress lines appear at once. Pattern shapes (tokens such as
 * `ghp_…`) have no fixed text to wait for; a trailing run of token characters is held until the
 * next chunk or {@link MaskStream.idle}, which the caller invokes after a short quiet period.
 */
import { mergeSpans, pendingPrefixStart, replaceSpans, type Span } from './literal-search';

/** What a stream masker needs from the Redactor. */
export interface SpanSource {
  /** Registered literal forms (values and their encodings). */
  forms(): Iterable<string>;
  /** Unmerged spans of registered forms and patterns in `text`. */
  spans(text: string): Span[];
  /** Whether any credential pattern is registered. */
  hasPatterns(): boolean;
  readonly replacement: string;
}

/** Longest token a pattern can match that is held back at the end of a chunk. */
const TOKEN_HOLD = 512;
const TOKEN_TAIL = /[A-Za-z0-9_+/=-]+$/;

/** Incremental masker for one stream. */
export class MaskStream {
  private buffer = '';

  constructor(private readonly source: SpanSource) {}

  /** Adds a chunk; returns the masked text that can be written now. */
  push(chunk: string): string {
    this.buffer += chunk;
    return this.emit(false);
  }

  /** Nothing arrived for a while: releases a held token tail, never a possible value prefix. */
  idle(): string {
    return this.emit(true);
  }

  /** The stream ended: everything left, masked. */
  end(): string {
    const out = this.mask(this.buffer, this.buffer.length);
    this.buffer = '';
    return out;
  }

  /** Whether text is being held back. */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  private emit(idle: boolean): string {
    const text = this.buffer;
    const spans = mergeSpans(this.source.spans(text));
    let hold = pendingPrefixStart(text, this.source.forms());
    if (!idle && this.source.hasPatterns()) {
      const tail = TOKEN_TAIL.exec(text.slice(-TOKEN_HOLD));
      if (tail) hold = Math.min(hold, text.length - tail[0].length);
    }
    // A whole match that starts before the cut is complete (anything longer would make its start
    // a pending prefix), so the cut moves past it rather than splitting it.
    for (const s of spans) {
      if (s.start < hold && s.end > hold) hold = Math.max(s.end, pendingPrefixStart(text, this.source.forms(), s.end));
    }
    const out = this.mask(text, hold, spans);
    this.buffer = text.slice(hold);
    return out;
  }

  private mask(text: string, upTo: number, spans = mergeSpans(this.source.spans(text))): string {
    const inside = spans.filter((s) => s.end <= upTo);
    return replaceSpans(text.slice(0, upTo), inside, this.source.replacement);
  }
}
