import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { isMap } from './deep-merge';

/**
 * The functions Go templates in stack manifests may call: Go's built-ins, the Sprig functions and
 * the Gomplate namespaces that real Atmos repositories use. Each behaves as its Go original for
 * the values YAML produces (strings, numbers, booleans, lists, maps, null). A function not listed
 * here is refused by the renderer, naming it, rather than rendered differently.
 */

/** What a function may read besides its arguments. */
export interface TemplateFunctionContext {
  env: NodeJS.ProcessEnv;
}

/** A failure inside a function (`required`, `fail`, bad argument); the renderer adds file and line. */
export class TemplateFunctionError extends Error {
  constructor(
    message: string,
    readonly code: string = 'STACK_TEMPLATE_FUNCTION_FAILED',
    readonly fix: string = 'check the arguments of the template function',
  ) {
    super(message);
  }
}

type Fn = (ctx: TemplateFunctionContext, ...args: unknown[]) => unknown;

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** How Go's fmt prints a value with %v (maps as `map[k:v]` with sorted keys, lists as `[a b]`). */
export function formatGoValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatGoValue).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${formatGoValue(v[k])}`).join(' ')}]`;
  return String(v);
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Go's %v for float64 is %g with the shortest representation; exponents from 1e21 up.
  const s = String(n);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : formatGoValue(v);
}

function num(v: unknown, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined || v === '') return 0;
  const n = Number(v);
  if (Number.isNaN(n)) throw new TemplateFunctionError(`${JSON.stringify(v)} is not a number`, 'STACK_TEMPLATE_FUNCTION_FAILED', `pass a number to ${fn}`);
  return n;
}

function int(v: unknown, fn: string): number {
  return Math.trunc(num(v, fn));
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  throw new TemplateFunctionError(`expected a list, got ${formatGoValue(v)}`);
}

function map(v: unknown): Record<string, unknown> {
  if (isMap(v)) return v;
  if (v === null || v === undefined) return {};
  throw new TemplateFunctionError(`expected a map, got ${formatGoValue(v)}`);
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: unknown, b: unknown, fn: string): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = num(a, fn);
  const y = num(b, fn);
  return x < y ? -1 : x > y ? 1 : 0;
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  if (v === null || v === undefined) return 0;
  throw new TemplateFunctionError(`len of ${formatGoValue(v)}`);
}

/** Go's fmt verbs that templates use: %s %v %d %f %q %t %x %%, with width/precision. */
function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([svdfqtxXeEg%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'd':
        s = String(int(a, 'printf'));
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'g':
        s = verb === 'f' ? num(a, 'printf').toFixed(prec === undefined ? 6 : Number(prec)) : verb === 'g' ? String(num(a, 'printf')) : num(a, 'printf').toExponential(prec === undefined ? 6 : Number(prec));
        break;
      case 'q':
        s = JSON.stringify(str(a));
        break;
      case 't':
        s = String(Boolean(a));
        break;
      case 'x':
      case 'X':
        s = typeof a === 'number' ? a.toString(16) : Buffer.from(str(a)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      default:
        s = str(a);
        if (prec !== undefined) s = s.slice(0, Number(prec));
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(Number(width) - s.length);
      s = flags.includes('-') ? s + pad : pad + s;
    }
    return s;
  });
}

function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '');
}

/** JSON as Go's encoding/json writes it: map keys sorted. */
function goJson(v: unknown, indent?: string): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (isMap(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted(x[k])]));
    return x === undefined ? null : x;
  };
  return JSON.stringify(sorted(v), null, indent);
}

function toYaml(v: unknown): string {
  return YAML.stringify(v, { lineWidth: 0 }).replace(/\n$/, '');
}

function indent(n: unknown, s: unknown): string {
  const pad = ' '.repeat(int(n, 'indent'));
  return pad + str(s).replace(/\n/g, `\n${pad}`);
}

function fromJson(s: unknown): unknown {
  try {
    return JSON.parse(str(s));
  } catch {
    throw new TemplateFunctionError('the argument is not valid JSON', 'STACK_TEMPLATE_FUNCTION_FAILED', 'pass a JSON document');
  }
}

function envValue(ctx: TemplateFunctionContext, name: unknown, fallback?: unknown): string {
  const v = ctx.env[str(name)];
  return v === undefined || v === '' ? (fallback === undefined ? '' : str(fallback)) : v;
}

function notInTemplates(name: string, why: string): Fn {
  return () => {
    throw new TemplateFunctionError(`${name} is not available in infrakey: ${why}`, 'STACK_TEMPLATE_UNSUPPORTED', 'replace it with a YAML function (!store, !secret, !env) or a plain value');
  };
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: unknown, flags = ''): RegExp {
  const key = `${flags}/${str(pattern)}`;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = new RegExp(str(pattern), flags);
    } catch {
      throw new TemplateFunctionError(`invalid regular expression ${JSON.stringify(str(pattern))}`);
    }
    regexCache.set(key, re);
  }
  return re;
}

/** Every supported function by name. */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, Fn>> = {
  // Go built-ins (and/or are evaluated lazily by the renderer).
  and: (_c, ...a) => a.find((x) => !isTruthy(x)) ?? a[a.length - 1],
  or: (_c, ...a) => a.find((x) => isTruthy(x)) ?? a[a.length - 1],
  not: (_c, a) => !isTruthy(a),
  len: (_c, a) => length(a),
  index: (_c, v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur)) cur = cur[int(k, 'index')];
      else if (isMap(cur)) cur = Object.prototype.hasOwnProperty.call(cur, str(k)) ? cur[str(k)] : undefined;
      else if (cur === null || cur === undefined) return undefined;
      else throw new TemplateFunctionError(`can't index item of type ${typeof cur}`);
    }
    return cur;
  },
  slice: (_c, v, ...idx) => (typeof v === 'string' ? v.slice(int(idx[0] ?? 0, 'slice'), idx[1] === undefined ? undefined : int(idx[1], 'slice')) : list(v).slice(int(idx[0] ?? 0, 'slice'), idx[1] === undefined ? undefined : int(idx[1], 'slice'))),
  print: (_c, ...a) => a.map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + str(x)).join(''),
  println: (_c, ...a) => `${a.map(str).join(' ')}\n`,
  printf: (_c, f, ...a) => sprintf(str(f), a),
  eq: (_c, a, ...bs) => bs.some((b) => equal(a, b)),
  ne: (_c, a, b) => !equal(a, b),
  lt: (_c, a, b) => compare(a, b, 'lt') < 0,
  le: (_c, a, b) => compare(a, b, 'le') <= 0,
  gt: (_c, a, b) => compare(a, b, 'gt') > 0,
  ge: (_c, a, b) => compare(a, b, 'ge') >= 0,
  urlquery: (_c, ...a) => encodeURIComponent(a.map(str).join('')),
  html: (_c, ...a) => a.map(str).join('').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  js: (_c, ...a) => JSON.stringify(a.map(str).join('')).slice(1, -1),

  // Sprig: defaults and flow.
  default: (_c, d, v) => (isTruthy(v) ? v : d),
  empty: (_c, v) => !isTruthy(v),
  coalesce: (_c, ...a) => a.find(isTruthy) ?? null,
  ternary: (_c, a, b, cond) => (isTruthy(cond) ? a : b),
  required: (_c, msg, v) => {
    if (v === undefined || v === null || v === '') throw new TemplateFunctionError(str(msg), 'STACK_TEMPLATE_REQUIRED', 'define the value the template requires');
    return v;
  },
  fail: (_c, msg) => {
    throw new TemplateFunctionError(str(msg), 'STACK_TEMPLATE_REQUIRED', 'fix the condition the template reports');
  },
  toString: (_c: TemplateFunctionContext, v: unknown) => str(v),
  toJson: (_c, v) => goJson(v),
  toRawJson: (_c, v) => goJson(v),
  toPrettyJson: (_c, v) => goJson(v, '  '),
  fromJson: (_c, s) => fromJson(s),
  toYaml: (_c, v) => toYaml(v),

  // Sprig: strings.
  upper: (_c, s) => str(s).toUpperCase(),
  lower: (_c, s) => str(s).toLowerCase(),
  title: (_c, s) => str(s).replace(/(^|[^A-Za-z0-9'])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  untitle: (_c, s) => str(s).replace(/(^|\s)([A-Z])/g, (_m, p: string, c: string) => p + c.toLowerCase()),
  trim: (_c, s) => str(s).trim(),
  trimAll: (_c, cut, s) => {
    const set = str(cut);
    let t = str(s);
    while (t !== '' && set.includes(t[0])) t = t.slice(1);
    while (t !== '' && set.includes(t[t.length - 1])) t = t.slice(0, -1);
    return t;
  },
  trimPrefix: (_c, p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimSuffix: (_c, p, s) => (str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s)),
  trunc: (_c, n, s) => {
    const k = int(n, 'trunc');
    return k >= 0 ? str(s).slice(0, k) : str(s).slice(k);
  },
  nospace: (_c, s) => str(s).replace(/\s+/g, ''),
  repeat: (_c, n, s) => str(s).repeat(Math.max(0, int(n, 'repeat'))),
  substr: (_c, a, b, s) => {
    const t = str(s);
    const start = int(a, 'substr');
    const end = int(b, 'substr');
    return start < 0 ? t.slice(0, end < 0 ? undefined : end) : t.slice(start, end < 0 || end > t.length ? undefined : end);
  },
  replace: (_c, old, nu, s) => str(s).split(str(old)).join(str(nu)),
  contains: (_c, sub, s) => str(s).includes(str(sub)),
  hasPrefix: (_c, p, s) => str(s).startsWith(str(p)),
  hasSuffix: (_c, p, s) => str(s).endsWith(str(p)),
  quote: (_c, ...a) => a.filter((x) => x !== null && x !== undefined).map((x) => JSON.stringify(str(x))).join(' '),
  squote: (_c, ...a) => a.filter((x) => x !== null && x !== undefined).map((x) => `'${str(x)}'`).join(' '),
  cat: (_c, ...a) => a.filter((x) => x !== null && x !== undefined).map(str).join(' '),
  indent: (_c, n, s) => indent(n, s),
  nindent: (_c, n, s) => `\n${indent(n, s)}`,
  snakecase: (_c, s) => words(str(s)).map((w) => w.toLowerCase()).join('_'),
  kebabcase: (_c, s) => words(str(s)).map((w) => w.toLowerCase()).join('-'),
  camelcase: (_c, s) => words(str(s)).map((w) => w[0].toUpperCase() + w.slice(1)).join(''),
  split: (_c, sep, s) => Object.fromEntries(str(s).split(str(sep)).map((p, i) => [`_${i}`, p])),
  splitList: (_c, sep, s) => str(s).split(str(sep)),
  join: (_c, sep, l) => list(l).map(str).join(str(sep)),
  sortAlpha: (_c, l) => list(l).map(str).sort(),
  regexMatch: (_c, re, s) => regex(re).test(str(s)),
  regexFind: (_c, re, s) => regex(re).exec(str(s))?.[0] ?? '',
  regexFindAll: (_c, re, s, n) => {
    const all = str(s).match(regex(re, 'g')) ?? [];
    const k = int(n, 'regexFindAll');
    return k < 0 ? all : all.slice(0, k);
  },
  regexReplaceAll: (_c, re, s, repl) => str(s).replace(regex(re, 'g'), str(repl).replace(/\$\{(\w+)\}/g, '$<$1>')),
  regexReplaceAllLiteral: (_c, re, s, repl) => str(s).replace(regex(re, 'g'), () => str(repl)),
  regexSplit: (_c, re, s, n) => {
    const parts = str(s).split(regex(re));
    const k = int(n, 'regexSplit');
    return k < 0 ? parts : parts.slice(0, k);
  },
  b64enc: (_c, s) => Buffer.from(str(s)).toString('base64'),
  b64dec: (_c, s) => Buffer.from(str(s), 'base64').toString('utf8'),
  sha1sum: (_c, s) => createHash('sha1').update(str(s)).digest('hex'),
  sha256sum: (_c, s) => createHash('sha256').update(str(s)).digest('hex'),
  env: (ctx, name) => envValue(ctx, name),
  expandenv: (ctx, s) => str(s).replace(/\$(\w+)|\$\{(\w+)\}/g, (_m, a: string | undefined, b: string | undefined) => envValue(ctx, a ?? b)),

  // Sprig: lists.
  list: (_c, ...a) => a,
  tuple: (_c, ...a) => a,
  first: (_c, l) => list(l)[0] ?? null,
  last: (_c, l) => list(l)[list(l).length - 1] ?? null,
  rest: (_c, l) => list(l).slice(1),
  initial: (_c, l) => list(l).slice(0, -1),
  append: (_c, l, v) => [...list(l), v],
  push: (_c, l, v) => [...list(l), v],
  prepend: (_c, l, v) => [v, ...list(l)],
  concat: (_c, ...ls) => ls.flatMap((l) => list(l)),
  uniq: (_c, l) => list(l).filter((x, i, all) => all.findIndex((y) => equal(x, y)) === i),
  without: (_c, l, ...drop) => list(l).filter((x) => !drop.some((d) => equal(x, d))),
  has: (_c, v, l) => list(l).some((x) => equal(x, v)),
  compact: (_c, l) => list(l).filter(isTruthy),
  reverse: (_c, l) => [...list(l)].reverse(),
  until: (_c, n) => Array.from({ length: Math.max(0, int(n, 'until')) }, (_, i) => i),
  seq: (_c, ...a) => {
    const n = a.map((x) => int(x, 'seq'));
    const [start, step, end] = n.length === 1 ? [1, 1, n[0]] : n.length === 2 ? [n[0], n[0] <= n[1] ? 1 : -1, n[1]] : [n[0], n[1], n[2]];
    const out: number[] = [];
    for (let i = start; step > 0 ? i <= end : i >= end; i += step) {
      out.push(i);
      if (out.length > 100_000) break;
    }
    return out.join(' ');
  },

  // Sprig: dicts.
  dict: (_c, ...a) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) out[str(a[i])] = a[i + 1] ?? '';
    return out;
  },
  get: (_c, m, k) => (Object.prototype.hasOwnProperty.call(map(m), str(k)) ? map(m)[str(k)] : ''),
  set: (_c, m, k, v) => {
    map(m)[str(k)] = v;
    return m;
  },
  unset: (_c, m, k) => {
    delete map(m)[str(k)];
    return m;
  },
  hasKey: (_c, m, k) => Object.prototype.hasOwnProperty.call(map(m), str(k)),
  keys: (_c, ...ms) => ms.flatMap((m) => Object.keys(map(m))).sort(),
  values: (_c, m) => Object.keys(map(m)).sort().map((k) => map(m)[k]),
  pick: (_c, m, ...ks) => Object.fromEntries(ks.map(str).filter((k) => Object.prototype.hasOwnProperty.call(map(m), k)).map((k) => [k, map(m)[k]])),
  omit: (_c, m, ...ks) => Object.fromEntries(Object.entries(map(m)).filter(([k]) => !ks.map(str).includes(k))),
  merge: (_c, dst, ...srcs) => {
    const out = map(dst);
    for (const s of srcs) for (const [k, v] of Object.entries(map(s))) if (!(k in out)) out[k] = v;
    return out;
  },
  mergeOverwrite: (_c, dst, ...srcs) => Object.assign(map(dst), ...srcs.map(map)),
  deepCopy: (_c, v) => (v === undefined ? null : JSON.parse(JSON.stringify(v))),

  // Sprig: math.
  add: (_c, ...a) => a.reduce<number>((s, x) => s + int(x, 'add'), 0),
  add1: (_c, a) => int(a, 'add1') + 1,
  sub: (_c, a, b) => int(a, 'sub') - int(b, 'sub'),
  mul: (_c, ...a) => a.reduce<number>((s, x) => s * int(x, 'mul'), 1),
  div: (_c, a, b) => {
    if (int(b, 'div') === 0) throw new TemplateFunctionError('integer divide by zero');
    return Math.trunc(int(a, 'div') / int(b, 'div'));
  },
  mod: (_c, a, b) => {
    if (int(b, 'mod') === 0) throw new TemplateFunctionError('integer divide by zero');
    return int(a, 'mod') % int(b, 'mod');
  },
  max: (_c, ...a) => Math.max(...a.map((x) => int(x, 'max'))),
  min: (_c, ...a) => Math.min(...a.map((x) => int(x, 'min'))),
  floor: (_c, a) => Math.floor(num(a, 'floor')),
  ceil: (_c, a) => Math.ceil(num(a, 'ceil')),
  round: (_c, a, p) => {
    const f = 10 ** int(p ?? 0, 'round');
    return Math.round(num(a, 'round') * f) / f;
  },
  atoi: (_c, a) => {
    const n = Number.parseInt(str(a), 10);
    return Number.isNaN(n) ? 0 : n;
  },
  int: (_c, a) => int(a, 'int'),
  int64: (_c, a) => int(a, 'int64'),
  float64: (_c, a) => num(a, 'float64'),
  toStrings: (_c, l) => list(l).map(str),
  kindIs: (_c, k, v) => kindOf(v) === str(k),
  kindOf: (_c, v) => kindOf(v),
  typeOf: (_c, v) => kindOf(v),

  // Gomplate namespaces.
  'env.Getenv': (ctx, name, fallback) => envValue(ctx, name, fallback),
  'env.ExpandEnv': (ctx, s) => str(s).replace(/\$(\w+)|\$\{(\w+)\}/g, (_m, a: string | undefined, b: string | undefined) => envValue(ctx, a ?? b)),
  'strings.ToUpper': (_c, s) => str(s).toUpperCase(),
  'strings.ToLower': (_c, s) => str(s).toLowerCase(),
  'strings.Title': (_c, s) => str(s).replace(/(^|[^A-Za-z0-9'])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  'strings.TrimSpace': (_c, s) => str(s).trim(),
  'strings.Trim': (_c, cut, s) => TEMPLATE_FUNCTIONS.trimAll(_c, cut, s),
  'strings.TrimPrefix': (_c, p, s) => TEMPLATE_FUNCTIONS.trimPrefix(_c, p, s),
  'strings.TrimSuffix': (_c, p, s) => TEMPLATE_FUNCTIONS.trimSuffix(_c, p, s),
  'strings.ReplaceAll': (_c, old, nu, s) => str(s).split(str(old)).join(str(nu)),
  'strings.Contains': (_c, sub, s) => str(s).includes(str(sub)),
  'strings.HasPrefix': (_c, p, s) => str(s).startsWith(str(p)),
  'strings.HasSuffix': (_c, p, s) => str(s).endsWith(str(p)),
  'strings.Split': (_c, sep, s) => str(s).split(str(sep)),
  'strings.Quote': (_c, s) => JSON.stringify(str(s)),
  'strings.Squote': (_c, s) => `'${str(s).replace(/'/g, "''")}'`,
  'strings.Indent': (_c, ...a) => (a.length === 2 ? indent(a[0], a[1]) : indent(a[0], a[a.length - 1])),
  'strings.Repeat': (_c, n, s) => str(s).repeat(Math.max(0, int(n, 'strings.Repeat'))),
  'strings.Join': (_c, l, sep) => list(l).map(str).join(str(sep)),
  'conv.ToString': (_c, v) => str(v),
  'conv.ToInt': (_c, v) => int(v, 'conv.ToInt'),
  'conv.ToInt64': (_c, v) => int(v, 'conv.ToInt64'),
  'conv.ToFloat64': (_c, v) => num(v, 'conv.ToFloat64'),
  'conv.ToBool': (_c, v) => ['1', 'true', 't', 'yes', 'y', 'on'].includes(str(v).toLowerCase()),
  'conv.Default': (_c, d, v) => (isTruthy(v) ? v : d),
  'conv.Join': (_c, l, sep) => list(l).map(str).join(str(sep)),
  'coll.Dict': (_c, ...a) => TEMPLATE_FUNCTIONS.dict(_c, ...a),
  'coll.Slice': (_c, ...a) => a,
  'coll.Has': (_c, c, k) => (Array.isArray(c) ? c.some((x) => equal(x, k)) : Object.prototype.hasOwnProperty.call(map(c), str(k))),
  'coll.Keys': (_c, ...ms) => ms.flatMap((m) => Object.keys(map(m))).sort(),
  'coll.Values': (_c, m) => Object.keys(map(m)).sort().map((k) => map(m)[k]),
  'data.ToJSON': (_c, v) => goJson(v),
  'data.ToJSONPretty': (_c, ind, v) => goJson(v, str(ind)),
  'data.ToYAML': (_c, v) => `${toYaml(v)}\n`,
  'data.JSON': (_c, s) => fromJson(s),
  'data.YAML': (_c, s) => YAML.parse(str(s)),
  'math.Add': (_c, ...a) => a.reduce<number>((s, x) => s + num(x, 'math.Add'), 0),
  'math.Sub': (_c, a, b) => num(a, 'math.Sub') - num(b, 'math.Sub'),
  'math.Mul': (_c, ...a) => a.reduce<number>((s, x) => s * num(x, 'math.Mul'), 1),

  // Atmos's own functions read other components, Terraform state or stores at render time.
  'atmos.Component': notInTemplates('atmos.Component', 'templates cannot read other components or Terraform state'),
  'atmos.Store': notInTemplates('atmos.Store', 'templates cannot read stores; use the !store YAML function'),
  'atmos.GomplateDatasource': notInTemplates('atmos.GomplateDatasource', 'Gomplate data sources are not read'),
  datasource: notInTemplates('datasource', 'Gomplate data sources are not read'),
  ds: notInTemplates('ds', 'Gomplate data sources are not read'),
};

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}
