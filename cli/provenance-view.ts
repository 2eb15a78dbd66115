import YAML, { Scalar } from 'yaml';
import type { ComponentProvenance, ValueOrigin } from '../core/internal';

/** Where the provenance comments start (Atmos's column when stdout is not a terminal). */
const COMMENT_COLUMN = 50;
/** Single-line strings longer than this print as folded scalars, as Atmos (its comment column less 10). */
const FOLD_OVER = COMMENT_COLUMN - 10;

type Path = readonly (string | number)[];

/**
 * Renders a described component as Atmos's provenance view (`describe component --provenance`):
 * a legend, the stack manifest, then the sections a manifest of the stack writes, as YAML whose
 * lines carry `# ● [1] file:line` comments (● the stack manifest itself, ○ a manifest it imports
 * N-1 levels down, ∴ a value computed from a Go template or YAML function). Keys are sorted as
 * Atmos sorts them, `imports` reads `import`, and the text parses back to the same data.
 */
export function renderProvenanceView(section: Record<string, unknown>, provenance: ComponentProvenance, prefix: Path = []): string {
  const lines: string[] = [
    '# Provenance Legend:',
    '#   ● [1] Defined in parent stack',
    '#   ○ [N] Inherited/imported (N=2+ levels deep)',
    '#   ∴ Computed/templated',
    '',
    `# Stack: ${provenance.stackFile}`,
    '',
  ];
  const atTop = prefix.length === 0;
  const shown: Record<string, unknown> = {};
  for (const key of Object.keys(section)) {
    if (atTop && !provenance.sections.has(key)) continue;
    shown[key] = section[key];
  }
  const body: Line[] = [];
  emitMap(shown, 0, [...prefix], body, (path) => provenance.originOf(path), atTop);
  for (const l of body) lines.push(l.origin ? annotate(l.text, l.origin) : l.text);
  // Atmos annotates the lines of its YAML text, whose last line is empty: its view ends with a blank line.
  lines.push('');
  return lines.join('\n') + '\n';
}

interface Line {
  text: string;
  origin?: ValueOrigin;
}

type Lookup = (path: Path) => ValueOrigin | undefined;

function emitMap(map: Record<string, unknown>, indent: number, path: (string | number)[], out: Line[], origin: Lookup, renameImports = false): void {
  const pad = ' '.repeat(indent);
  for (const key of Object.keys(map).sort(goYamlKeyLess)) {
    const value = map[key];
    const here = [...path, key];
    const label = renderKey(renameImports && key === 'imports' ? 'import' : key);
    if (isNonEmptyMap(value)) {
      out.push({ text: `${pad}${label}:`, origin: origin(here) });
      emitMap(value, indent + 2, here, out, origin);
    } else if (Array.isArray(value) && value.length > 0) {
      out.push({ text: `${pad}${label}:`, origin: origin(here) });
      emitList(value, indent + 2, here, out, origin);
    } else {
      const [first, ...rest] = renderScalar(value);
      out.push({ text: `${pad}${label}: ${first}`, origin: origin(here) });
      for (const r of rest) out.push({ text: r === '' ? '' : `${pad}  ${r}` });
    }
  }
}

function emitList(list: unknown[], indent: number, path: (string | number)[], out: Line[], origin: Lookup): void {
  const pad = ' '.repeat(indent);
  list.forEach((item, i) => {
    const here = [...path, i];
    if (isNonEmptyMap(item) || (Array.isArray(item) && item.length > 0)) {
      // The item's first line carries `- ` in place of the indentation its entries have.
      const start = out.length;
      if (Array.isArray(item)) emitList(item, indent + 2, here, out, origin);
      else emitMap(item, indent + 2, here, out, origin);
      const first = out[start];
      out[start] = { text: `${pad}- ${first.text.slice(indent + 2)}`, origin: first.origin ?? origin(here) };
      return;
    }
    const [first, ...rest] = renderScalar(item);
    out.push({ text: `${pad}- ${first}`, origin: origin(here) });
    for (const r of rest) out.push({ text: r === '' ? '' : `${pad}  ${r}` });
  });
}

/**
 * A scalar (or empty map/list) as YAML: its first line, then the lines of a block scalar, which
 * the caller indents under its key. A block scalar that needs an indentation indicator (its text
 * starts with a space) is written double-quoted instead, which means the same at any depth.
 */
function renderScalar(value: unknown): string[] {
  // Keys and values repeat across components; a YAML Document per scalar is most of the cost.
  if ((value === null || typeof value !== 'object') && !Object.is(value, -0)) return memo(SCALARS, value, () => renderScalarOnce(value));
  return renderScalarOnce(value);
}

function renderScalarOnce(value: unknown): string[] {
  const doc = new YAML.Document(value);
  if (typeof value === 'string' && Buffer.byteLength(value) > FOLD_OVER && !value.includes('\n') && YAML.isScalar(doc.contents)) {
    (doc.contents as Scalar).type = 'BLOCK_FOLDED';
  }
  const lines = doc.toString({ lineWidth: 0, singleQuote: true, flowCollectionPadding: false }).replace(/\n$/, '').split('\n');
  if (/^[|>][+-]?[0-9]/.test(lines[0])) return [JSON.stringify(value)];
  return lines;
}

function renderKey(key: string): string {
  return memo(KEYS, key, () => new YAML.Document(key).toString({ lineWidth: 0 }).replace(/\n$/, ''));
}

const SCALARS = new Map<unknown, string[]>();
const KEYS = new Map<unknown, string>();
/** Bounded: a describe of thousands of components must not keep every distinct string. */
const MEMO_LIMIT = 10_000;

function memo<T>(cache: Map<unknown, T>, key: unknown, make: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = make();
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** The line with its comment at the comment column, or on the next line when the line reaches it. */
function annotate(text: string, origin: ValueOrigin): string {
  const symbol = origin.computed ? '∴' : origin.depth <= 1 ? '●' : '○';
  const comment = `# ${symbol} [${origin.depth}] ${origin.file}${origin.line ? `:${origin.line}` : ''}`;
  const width = Buffer.byteLength(text);
  if (width < COMMENT_COLUMN) return `${text}${' '.repeat(COMMENT_COLUMN - width)}${comment}`;
  return `${text}\n${' '.repeat(COMMENT_COLUMN)}${comment}`;
}

function isNonEmptyMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
}

/**
 * Key order of Go's yaml.v3 encoder (`keyList.Less`), which Atmos's output uses: letters compare
 * by code point, runs of digits by numeric value (`a2` before `a10`), a letter after a non-letter.
 */
export function goYamlKeyLess(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  const isDigit = (c: string) => c >= '0' && c <= '9';
  const isLetter = (c: string) => /\p{L}/u.test(c);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]);
      continue;
    }
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i] ? -1 : 1;
    if (al || bl) return (digits ? al : bl) ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ar[i] < br[i] ? -1 : 1;
  }
  return ar.length - br.length;
}
