import { StackError, type SourceLocation } from '../errors';

/**
 * Quote-aware argument parsing for YAML functions.
 *
 * Words are separated by whitespace. A word that starts with `"` or `'` runs to the matching quote;
 * inside, a doubled quote (`""` or `''`) is a literal quote and a `\"` in double quotes is a quote
 * too. A quote inside a word (`don't`) is literal, except that a closed `"..."` inside a word still
 * hides its `|` (`| path .a["k | v"]`). An unquoted `|` separates options; a quoted one
 * (`| default "a | b"`) does not.
 *
 * Differences from Atmos, on purpose: `!secret` splits on every `|`, even quoted ones (so
 * `| default "a | b"` breaks there); here it is quote-aware. For `!store`, a `|` not followed by
 * `default`/`query` silently joins the head in Atmos; here it is an error naming the bad option.
 * Parse errors are errors (Atmos substitutes the string `invalid YAML function: ...`).
 *
 * Messages never repeat the argument text: a default may be sensitive.
 */

export const SECRET_SYNTAX = '!secret NAME [| path <.a.b>] [| default <value>]';
export const STORE_SYNTAX = '!store <store> [<stack>] <component> <key> [| default <value>] [| query <.a.b>]';
export const STORE_GET_SYNTAX = '!store.get <store> <key> [| default <value>] [| query <.a.b>]';
export const ENV_SYNTAX = '!env NAME [default]';

/** Parsed `!secret` arguments. */
export interface SecretArgs {
  name: string;
  /** yq-style path applied to the resolved value (`| path .a.b`). */
  path?: string;
  /** Returned (as a string) when the backend has no value. */
  default?: string;
}

/** Parsed `!store` arguments. `stack` is absent when the current stack is meant. */
export interface StoreArgs {
  store: string;
  stack?: string;
  component: string;
  key: string;
  default?: string;
  query?: string;
}

/** Parsed `!store.get` arguments. */
export interface StoreGetArgs {
  store: string;
  key: string;
  default?: string;
  query?: string;
}

/** Parsed `!env` arguments. */
export interface EnvArgs {
  name: string;
  default?: string;
}

function argsError(message: string, source: SourceLocation | undefined, syntax: string): StackError {
  return new StackError({
    code: 'YAML_FUNCTION_ARGS',
    message,
    where: source,
    fix: `write it as \`${syntax}\`; quote values that contain spaces or "|"`,
  });
}

class UnterminatedQuote extends Error {}

/** Reads a quoted word starting at `i` (on the quote). Returns [text, index after the quote]. */
function readQuoted(text: string, i: number): [string, number] {
  const q = text[i];
  let out = '';
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === q) {
      if (text[j + 1] === q) {
        out += q;
        j += 2;
        continue;
      }
      return [out, j + 1];
    }
    if (c === '\\' && q === '"' && text[j + 1] === '"') {
      out += '"';
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
  throw new UnterminatedQuote();
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Splits on whitespace honouring quotes; quotes are removed. With `pipes`, an unquoted `|` is
 * returned as its own token `{ pipe: true }`. Throws on an unterminated quote.
 */
function tokenize(text: string, pipes: boolean): { word: string; pipe: boolean; quoted: boolean }[] {
  const out: { word: string; pipe: boolean; quoted: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (pipes && c === '|') {
      out.push({ word: '|', pipe: true, quoted: false });
      i++;
      continue;
    }
    let word = '';
    let quoted = false;
    if (c === '"' || c === "'") {
      const [w, next] = readQuoted(text, i);
      word = w;
      quoted = true;
      i = next;
    }
    while (i < text.length && !isSpace(text[i]) && !(pipes && text[i] === '|')) {
      word += text[i];
      i++;
    }
    out.push({ word, pipe: false, quoted });
  }
  return out;
}

/**
 * Splits arguments into words, honouring quotes (used by `!env`, `!include`). `|` is an ordinary
 * character here. Throws a plain Error on an unterminated quote.
 */
export function splitWords(text: string): string[] {
  try {
    return tokenize(text, false).map((t) => t.word);
  } catch (e) {
    if (e instanceof UnterminatedQuote) throw new Error('unterminated quote');
    throw e;
  }
}

/** Splits raw text on unquoted `|`, keeping each segment's raw text. */
function splitPipes(text: string): string[] {
  const segments: string[] = [];
  let start = 0;
  let i = 0;
  let atWordStart = true;
  while (i < text.length) {
    const c = text[i];
    // A word-initial quote always quotes. A `"` inside a word quotes too when it is closed later
    // (path expressions such as `.a["k | v"]`); a `'` inside a word is an apostrophe (`don't`).
    if ((c === '"' || c === "'") && (atWordStart || (c === '"' && text.indexOf('"', i + 1) > 0))) {
      i = readQuoted(text, i)[1];
      atWordStart = false;
      continue;
    }
    if (c === '|') {
      segments.push(text.slice(start, i));
      start = i + 1;
      atWordStart = true;
      i++;
      continue;
    }
    atWordStart = isSpace(c);
    i++;
  }
  segments.push(text.slice(start));
  return segments;
}

/** `"x"` / `'x'` (one whole quoted word) → `x`; anything else unchanged (trimmed). */
export function unquoteWhole(raw: string): string {
  const t = raw.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'")) {
    try {
      const [w, next] = readQuoted(t, 0);
      if (next === t.length) return w;
    } catch {
      /* not a whole quoted word */
    }
  }
  return t;
}

function splitKeyword(segment: string): [string, string] {
  const t = segment.trim();
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(t);
  if (!m) return ['', ''];
  return [m[1], (m[2] ?? '').trim()];
}

/** Parses `!env NAME [default]` (quote-aware; exactly one or two words). */
export function parseEnvArgs(args: string, source?: SourceLocation): EnvArgs {
  let words: string[];
  try {
    words = splitWords(args);
  } catch {
    throw argsError('!env arguments have an unterminated quote', source, ENV_SYNTAX);
  }
  if (words.length === 0 || words[0] === '') throw argsError('!env needs a variable name', source, ENV_SYNTAX);
  if (words.length > 2) {
    throw argsError(`!env takes one or two arguments, got ${words.length}`, source, ENV_SYNTAX);
  }
  return words.length === 2 ? { name: words[0], default: words[1] } : { name: words[0] };
}

/**
 * Parses `!secret NAME [| path <yq>] [| default <value>]`. Modifier values run to the next
 * unquoted `|`; a value that is one quoted word is unquoted (`| default "a | b"` → `a | b`),
 * otherwise it is taken as written, trimmed (as Atmos trims it).
 */
export function parseSecretArgs(args: string, source?: SourceLocation): SecretArgs {
  let segments: string[];
  try {
    segments = splitPipes(args);
  } catch {
    throw argsError('!secret arguments have an unterminated quote', source, SECRET_SYNTAX);
  }
  let headWords: string[];
  try {
    headWords = splitWords(segments[0]);
  } catch {
    throw argsError('!secret arguments have an unterminated quote', source, SECRET_SYNTAX);
  }
  if (headWords.length === 0 || headWords[0] === '') {
    throw argsError('!secret needs a secret name (secret name cannot be empty)', source, SECRET_SYNTAX);
  }
  if (headWords.length > 1) {
    throw argsError(`!secret takes one secret name before the first "|", got ${headWords.length} words`, source, SECRET_SYNTAX);
  }
  const out: SecretArgs = { name: headWords[0] };
  for (const seg of segments.slice(1)) {
    const [keyword, rest] = splitKeyword(seg);
    if (keyword !== 'path' && keyword !== 'default') {
      throw argsError(
        keyword === '' ? 'invalid !secret arguments: empty modifier after "|"' : `invalid !secret arguments: unknown modifier ${JSON.stringify(keyword)} (only path and default)`,
        source,
        SECRET_SYNTAX,
      );
    }
    if (out[keyword] !== undefined) throw argsError(`invalid !secret arguments: "${keyword}" given twice`, source, SECRET_SYNTAX);
    if (rest === '') throw argsError(`invalid !secret arguments: "${keyword}" needs a value`, source, SECRET_SYNTAX);
    out[keyword] = unquoteWhole(rest);
  }
  return out;
}

interface PipeOptions {
  head: string[];
  default?: string;
  query?: string;
}

function parsePipeOptions(args: string, source: SourceLocation | undefined, fn: string, syntax: string): PipeOptions {
  let segments: string[];
  try {
    segments = splitPipes(args);
  } catch {
    throw argsError(`${fn} arguments have an unterminated quote`, source, syntax);
  }
  const words = (s: string): string[] => {
    try {
      return splitWords(s);
    } catch {
      throw argsError(`${fn} arguments have an unterminated quote`, source, syntax);
    }
  };
  const out: PipeOptions = { head: words(segments[0]) };
  let last: 'default' | 'query' | undefined;
  for (const seg of segments.slice(1)) {
    const [keyword, rest] = splitKeyword(seg);
    if (keyword === 'default') {
      if (out.default !== undefined) throw argsError(`${fn}: "default" given twice`, source, syntax);
      const w = words(rest);
      if (w.length !== 1) {
        throw argsError(`${fn}: "default" takes exactly one value, got ${w.length} (quote a value with spaces)`, source, syntax);
      }
      out.default = w[0];
      last = 'default';
    } else if (keyword === 'query') {
      if (out.query !== undefined) throw argsError(`${fn}: "query" given twice`, source, syntax);
      if (rest === '') throw argsError(`${fn}: "query" needs an expression`, source, syntax);
      out.query = rest;
      last = 'query';
    } else if (last === 'query') {
      // A yq pipe inside the query expression (`| query .a | .b`).
      out.query = `${out.query} | ${seg.trim()}`;
    } else {
      throw argsError(
        keyword === '' ? `${fn}: empty option after "|"` : `${fn}: unknown option ${JSON.stringify(keyword)} after "|" (only default and query)`,
        source,
        syntax,
      );
    }
  }
  return out;
}

/** Parses `!store <store> [<stack>] <component> <key> [| default <v>] [| query <expr>]`. */
export function parseStoreArgs(args: string, source?: SourceLocation): StoreArgs {
  const o = parsePipeOptions(args, source, '!store', STORE_SYNTAX);
  const h = o.head;
  if (h.length !== 3 && h.length !== 4) {
    throw argsError(`!store requires 3 or 4 parameters before any "|", got ${h.length}`, source, STORE_SYNTAX);
  }
  const out: StoreArgs =
    h.length === 3 ? { store: h[0], component: h[1], key: h[2] } : { store: h[0], stack: h[1], component: h[2], key: h[3] };
  if (o.default !== undefined) out.default = o.default;
  if (o.query !== undefined) out.query = o.query;
  return out;
}

/** Parses `!store.get <store> <key> [| default <v>] [| query <expr>]`. */
export function parseStoreGetArgs(args: string, source?: SourceLocation): StoreGetArgs {
  const o = parsePipeOptions(args, source, '!store.get', STORE_GET_SYNTAX);
  if (o.head.length !== 2) {
    throw argsError(`!store.get requires 2 parameters before any "|", got ${o.head.length}`, source, STORE_GET_SYNTAX);
  }
  const out: StoreGetArgs = { store: o.head[0], key: o.head[1] };
  if (o.default !== undefined) out.default = o.default;
  if (o.query !== undefined) out.query = o.query;
  return out;
}
