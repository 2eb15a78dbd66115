import { InfrakeyError, StackError, type SourceLocation } from '../errors';

/**
 * A small jq/yq-style path, enough for `!include file.yaml .a.b[0]`, `!secret X | path .a` and
 * `!store ... | query .a.b`:
 *
 * - `.` identity
 * - `.a`, `.a.b` member access (`.a-b` and other bare words up to `.`/`[` are accepted)
 * - `["key with space"]`, `.["k"]`, `."k"` quoted member access
 * - `[0]`, `.[0]`, `[-1]` index access (negative counts from the end)
 *
 * Errors never contain the value being queried, only the path and the failing segment.
 */

export type PathSegment = string | number;

/** Parses a path expression into segments. Throws `YAML_QUERY_SYNTAX`. */
export function parseQueryPath(expr: string, source?: SourceLocation): PathSegment[] {
  const text = expr.trim();
  if (text === '' || text === '.') return [];
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new StackError({
      code: 'YAML_QUERY_SYNTAX',
      message: `invalid path expression ${JSON.stringify(text)}: ${why} at character ${i + 1}`,
      where: source,
      fix: 'write the path as `.a.b[0]` or `.["key with space"]`; only member and index access are supported',
    });
  };
  if (text[0] !== '.' && text[0] !== '[') fail('a path starts with `.` or `[`');
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
      if (i >= text.length) fail('a `.` must be followed by a key');
      if (text[i] === '[') continue;
      if (text[i] === '"' || text[i] === "'") {
        const [key, next] = readQuoted(text, i, fail);
        segments.push(key);
        i = next;
        continue;
      }
      const start = i;
      while (i < text.length && text[i] !== '.' && text[i] !== '[') i++;
      const key = text.slice(start, i);
      if (key === '' || /\s/.test(key)) fail('keys with spaces must be quoted: `["key with space"]`');
      segments.push(key);
    } else if (c === '[') {
      i++;
      if (text[i] === '"' || text[i] === "'") {
        const [key, next] = readQuoted(text, i, fail);
        i = next;
        if (text[i] !== ']') fail('expected `]`');
        i++;
        segments.push(key);
        continue;
      }
      const close = text.indexOf(']', i);
      if (close < 0) fail('missing `]`');
      const inner = text.slice(i, close).trim();
      if (!/^-?\d+$/.test(inner)) fail('an index must be an integer or a quoted key');
      segments.push(Number(inner));
      i = close + 1;
    } else {
      fail(`unexpected ${JSON.stringify(c)}`);
    }
  }
  return segments;
}

function readQuoted(text: string, start: number, fail: (why: string) => never): [string, number] {
  const q = text[start];
  let i = start + 1;
  let out = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && q === '"' && i + 1 < text.length) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (c === q) return [out, i + 1];
    out += c;
    i++;
  }
  return fail('unterminated quoted key');
}

/** Options for {@link queryPath}. */
export interface QueryPathOptions {
  /** Where the expression was written, for error messages. */
  source?: SourceLocation;
  /** What the value is, for error messages (e.g. `included file stacks/x.yaml`). Never the value. */
  subject?: string;
}

/**
 * Selects a sub-value. `queryPath(v, '.')` returns `v` itself. A string holding a JSON object or
 * list is decoded before a segment is applied to it. A missing key or index, or a segment applied
 * to a scalar or non-JSON string, throws `YAML_QUERY_MISSING` naming the path walked so far (never
 * the value).
 */
export function queryPath(value: unknown, expr: string | readonly PathSegment[], opts: QueryPathOptions = {}): unknown {
  const segments = typeof expr === 'string' ? parseQueryPath(expr, opts.source) : expr;
  const shown = typeof expr === 'string' ? expr.trim() : formatPath(expr);
  let cur = value;
  for (let n = 0; n < segments.length; n++) {
    const seg = segments[n];
    const walked = formatPath(segments.slice(0, n)) || '.';
    const subject = opts.subject ? ` in ${opts.subject}` : '';
    if (typeof cur === 'string') {
      // Store and secret values often arrive as JSON text; a path applies to the decoded value.
      const decoded = decodeJson(cur);
      if (decoded === NOT_JSON) {
        throw missing(`path ${shown}: ${walked} is a string that is not JSON, so ${typeof seg === 'number' ? `[${seg}]` : JSON.stringify(seg)} cannot be applied${subject}`, opts);
      }
      cur = decoded;
    }
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) {
        throw missing(`path ${shown}: ${walked} is ${kindOf(cur)}, not a list, so [${seg}] cannot be applied${subject}`, opts);
      }
      const idx = seg < 0 ? cur.length + seg : seg;
      if (idx < 0 || idx >= cur.length) {
        throw missing(`path ${shown}: index [${seg}] is out of range at ${walked} (the list has ${cur.length} items)${subject}`, opts);
      }
      cur = cur[idx];
    } else {
      if (!isPlainObject(cur)) {
        throw missing(`path ${shown}: ${walked} is ${kindOf(cur)}, not a map, so key ${JSON.stringify(seg)} cannot be applied${subject}`, opts);
      }
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) {
        throw missing(`path ${shown}: key ${JSON.stringify(seg)} not found at ${walked}${subject}`, opts);
      }
      cur = cur[seg];
    }
  }
  return cur;
}

const NOT_JSON = Symbol('not-json');

function decodeJson(text: string): unknown {
  const t = text.trim();
  if (t[0] !== '{' && t[0] !== '[') return NOT_JSON;
  try {
    return JSON.parse(t);
  } catch {
    return NOT_JSON;
  }
}

function missing(message: string, opts: QueryPathOptions): InfrakeyError {
  return new StackError({
    code: 'YAML_QUERY_MISSING',
    message,
    where: opts.source,
    fix: 'check the path against the structure of the value (keys are case-sensitive; lists are indexed from 0)',
  });
}

/** Formats segments back as a path, e.g. `.a["b c"][0]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) s += `.${seg}`;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
