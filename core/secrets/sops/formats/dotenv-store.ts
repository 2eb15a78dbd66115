import { sopsError } from '../sops-error';
import type { SopsMap } from '../tree';
import type { ParsedSopsText, SopsStore } from './store';

const SOPS_PREFIX = 'sops_';
const MAP_SEP = '__map_';
const LIST_SEP = '__list_';

/** Line items of a dotenv file, kept so a rewrite can put comments back where they were. */
type DotenvItem = { comment: string } | { key: string };

/**
 * dotenv as sops writes it: `KEY=VALUE` lines, newlines escaped as `\n`, string values only,
 * and the metadata flattened into `sops_*` keys (`sops_age__list_0__map_enc`), sorted.
 */
export const dotenvStore: SopsStore = {
  format: 'dotenv',
  numbersAreFloats: false,
  emptyList: null,
  parse(text: string, file: string): ParsedSopsText {
    const items: DotenvItem[] = [];
    const branch: SopsMap = { kind: 'map', entries: [] };
    const meta: Record<string, string> = {};
    text.split('\n').forEach((line, i) => {
      if (line.length === 0) return;
      if (line.startsWith('#')) {
        items.push({ comment: line.slice(1) });
        return;
      }
      const eq = line.indexOf('=');
      if (eq === -1) {
        throw sopsError('SOPS_FORMAT_INVALID', 'invalid dotenv line (no "=")', `${file}:${i + 1}`, 'write every line as KEY=VALUE or as a # comment');
      }
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).replace(/\\n/g, '\n');
      if (key.startsWith(SOPS_PREFIX)) meta[key.slice(SOPS_PREFIX.length)] = value;
      else {
        items.push({ key });
        branch.entries.push({ key, value: { kind: 'leaf', value } });
      }
    });
    return { branch, metadata: Object.keys(meta).length > 0 ? unflatten(meta) : undefined, context: items };
  },
  emit(branch: SopsMap, metadata: Array<[string, unknown]>, context?: unknown): string {
    const lines: string[] = [];
    const byKey = new Map(branch.entries.map((e) => [e.key, e]));
    const written = new Set<string>();
    const push = (key: string): void => {
      const entry = byKey.get(key);
      if (!entry || written.has(key)) return;
      const v = entry.value;
      if (v.kind !== 'leaf') {
        throw sopsError('SOPS_FORMAT_UNSUPPORTED', `dotenv files hold only scalar values; "${key}" is a ${v.kind}`, undefined, 'store nested data in a YAML or JSON sops file');
      }
      const text = v.value === null ? '' : Buffer.isBuffer(v.value) ? v.value.toString('utf8') : String(v.value);
      lines.push(`${key}=${text.replace(/\n/g, '\\n')}`);
      written.add(key);
    };
    for (const item of Array.isArray(context) ? (context as DotenvItem[]) : []) {
      if ('comment' in item) lines.push(`#${item.comment}`);
      else push(item.key);
    }
    for (const e of branch.entries) push(e.key);
    const flat = flatten(Object.fromEntries(metadata));
    for (const k of Object.keys(flat).sort()) lines.push(`${SOPS_PREFIX}${k}=${flat[k].replace(/\n/g, '\\n')}`);
    return lines.join('\n') + '\n';
  },
};

/** sops `Flatten` of the metadata; empty lists and nulls disappear, booleans become strings. */
export function flatten(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (prefix: string, v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach((item, i) => visit(`${prefix}${LIST_SEP}${i}`, item));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(`${prefix}${MAP_SEP}${k}`, x);
    else out[prefix] = String(v);
  };
  for (const [k, v] of Object.entries(value)) visit(k, v);
  return out;
}

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  const re = /(__map_|__list_)/g;
  let last = 0;
  let kind: 'map' | 'list' = 'map';
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    const text = path.slice(last, m.index);
    tokens.push(kind === 'map' ? { map: text } : { list: Number(text) });
    kind = m[1] === MAP_SEP ? 'map' : 'list';
    last = m.index + m[1].length;
  }
  const text = path.slice(last);
  tokens.push(kind === 'map' ? { map: text } : { list: Number(text) });
  return tokens;
}

/** sops `Unflatten`. */
export function unflatten(flat: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const tokens = tokenize(path);
    let node: Record<string, unknown> | unknown[] = root;
    tokens.forEach((tok, i) => {
      const next = tokens[i + 1];
      const slot = 'map' in tok ? tok.map : tok.list;
      const container = node as Record<string | number, unknown>;
      if (next === undefined) {
        container[slot] = value;
        return;
      }
      if (container[slot] === undefined) container[slot] = 'map' in next ? {} : [];
      node = container[slot] as Record<string, unknown> | unknown[];
    });
  }
  return root;
}
