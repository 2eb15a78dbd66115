import { sopsError } from '../sops-error';
import type { SopsLeaf, SopsMap, SopsNode } from '../tree';
import type { ParsedSopsText, SopsStore } from './store';

/**
 * JSON as sops writes it: a top-level object, tab indentation, keys in document order (a small
 * parser keeps the order; JSON.parse would move integer-like keys first and break the MAC).
 */
export const jsonStore: SopsStore = {
  format: 'json',
  numbersAreFloats: true,
  emptyList: null,
  parse(text: string, file: string): ParsedSopsText {
    const root = new JsonReader(text, file).document();
    if (root.kind !== 'map') {
      throw sopsError('SOPS_FORMAT_INVALID', 'a sops JSON file must hold an object at the top level', file, 'wrap the data in an object');
    }
    const sopsEntry = root.entries.find((e) => e.key === 'sops');
    const branch: SopsMap = { kind: 'map', entries: root.entries.filter((e) => e.key !== 'sops') };
    return { branch, metadata: sopsEntry ? nodeToJs(sopsEntry.value) : undefined };
  },
  emit(branch: SopsMap, metadata: Array<[string, unknown]>): string {
    const lines = ['{'];
    const all: Array<[string, string]> = branch.entries.map((e) => [e.key, writeNode(e.value, 1)]);
    all.push(['sops', writeJs(Object.fromEntries(metadata), 1)]);
    all.forEach(([k, v], i) => lines.push(`\t${JSON.stringify(k)}: ${v}${i < all.length - 1 ? ',' : ''}`));
    lines.push('}');
    return lines.join('\n') + '\n';
  },
};

function indent(n: number): string {
  return '\t'.repeat(n);
}

function writeLeaf(leaf: SopsLeaf): string {
  const v = leaf.value;
  if (Buffer.isBuffer(v)) return JSON.stringify(v.toString('utf8'));
  if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
  return JSON.stringify(v);
}

function writeNode(node: SopsNode, depth: number): string {
  if (node.kind === 'leaf') return writeLeaf(node);
  if (node.kind === 'list') {
    if (node.items.length === 0) return '[]';
    return `[\n${node.items.map((i) => indent(depth + 1) + writeNode(i, depth + 1)).join(',\n')}\n${indent(depth)}]`;
  }
  if (node.entries.length === 0) return '{}';
  return `{\n${node.entries.map((e) => `${indent(depth + 1)}${JSON.stringify(e.key)}: ${writeNode(e.value, depth + 1)}`).join(',\n')}\n${indent(depth)}}`;
}

function writeJs(v: unknown, depth: number): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((i) => indent(depth + 1) + writeJs(i, depth + 1)).join(',\n')}\n${indent(depth)}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${indent(depth + 1)}${JSON.stringify(k)}: ${writeJs(x, depth + 1)}`).join(',\n')}\n${indent(depth)}}`;
  }
  return JSON.stringify(v ?? null);
}

function nodeToJs(node: SopsNode): unknown {
  if (node.kind === 'leaf') return Buffer.isBuffer(node.value) ? node.value.toString('utf8') : node.value;
  if (node.kind === 'list') return node.items.map(nodeToJs);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = nodeToJs(e.value);
  return out;
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A strict JSON reader producing the ordered model. Errors give line:column, never content. */
class JsonReader {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  document(): SopsNode {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    const v = this.value();
    this.ws();
    if (this.pos < this.text.length) this.fail('unexpected content after the top-level value');
    return v;
  }

  private fail(what: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw sopsError('SOPS_FORMAT_INVALID', `invalid JSON: ${what}`, `${this.file}:${line}:${column}`, 'fix the JSON syntax (or restore the file from version control)');
  }

  private ws(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos])) this.pos++;
  }

  private value(): SopsNode {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'leaf', value: this.string() };
    if (this.text.startsWith('true', this.pos)) return this.word('true', true);
    if (this.text.startsWith('false', this.pos)) return this.word('false', false);
    if (this.text.startsWith('null', this.pos)) return this.word('null', null);
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'leaf', value: Number(m[0]) };
    }
    return this.fail(c === undefined ? 'unexpected end of input' : 'unexpected character');
  }

  private word(w: string, value: boolean | null): SopsLeaf {
    this.pos += w.length;
    return { kind: 'leaf', value };
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        try {
          return JSON.parse(this.text.slice(start, this.pos)) as string;
        } catch {
          this.pos = start;
          this.fail('invalid string');
        }
      } else if (c < ' ') {
        this.fail('control character in string');
      } else this.pos++;
    }
    this.pos = start;
    return this.fail('unterminated string');
  }

  private object(): SopsMap {
    this.pos++;
    const entries: SopsMap['entries'] = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'map', entries };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('expected a key');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      entries.push({ key, value: this.value() });
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return { kind: 'map', entries };
      } else this.fail('expected "," or "}"');
    }
  }

  private array(): SopsNode {
    this.pos++;
    const items: SopsNode[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'list', items };
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return { kind: 'list', items };
      } else this.fail('expected "," or "]"');
    }
  }
}
