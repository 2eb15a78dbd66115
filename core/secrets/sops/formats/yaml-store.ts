import { Document, isAlias, isMap, isScalar, isSeq, Pair, parseAllDocuments, Scalar, YAMLMap, YAMLSeq, type Node as YamlNode } from 'yaml';
import { sopsError } from '../sops-error';
import type { SopsLeaf, SopsMap, SopsNode } from '../tree';
import type { ParsedSopsText, SopsStore } from './store';

const INT_SOURCE = /^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/;

/**
 * YAML as sops writes it. Rewrites patch the document that was read, so comments (sops keeps
 * them, encrypted, as `#ENC[...]` lines) and key order survive `set` and `delete`.
 */
export const yamlStore: SopsStore = {
  format: 'yaml',
  numbersAreFloats: false,
  emptyList: [],
  parse(text: string, file: string): ParsedSopsText {
    const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
    if (!Array.isArray(docs)) return { branch: { kind: 'map', entries: [] }, metadata: undefined };
    if (docs.length > 1) {
      throw sopsError('SOPS_FORMAT_UNSUPPORTED', `the file holds ${docs.length} YAML documents; infrakey supports one per sops file`, file, 'split the documents into separate files');
    }
    const doc = docs[0] ?? new Document();
    const err = doc.errors[0];
    if (err) {
      // Only the position: the parser's message quotes the offending line, which may hold a value.
      const pos = err.linePos?.[0];
      throw sopsError('SOPS_FORMAT_INVALID', `invalid YAML (${err.code})`, pos ? `${file}:${pos.line}:${pos.col}` : file, 'fix the YAML syntax (or restore the file from version control)');
    }
    const contents = doc.contents;
    if (contents === null || contents === undefined) return { branch: { kind: 'map', entries: [] }, metadata: undefined, context: doc };
    if (!isMap(contents)) {
      throw sopsError('SOPS_FORMAT_INVALID', 'a sops YAML file must hold a mapping at the top level', file, 'wrap the data in a mapping');
    }
    const root = toModel(contents, doc, file) as SopsMap;
    const sopsNode = contents.get('sops', true) as YamlNode | undefined;
    return {
      branch: { kind: 'map', entries: root.entries.filter((e) => e.key !== 'sops') },
      metadata: sopsNode === undefined ? undefined : (sopsNode.toJS(doc) as unknown),
      context: doc,
    };
  },
  emit(branch: SopsMap, metadata: Array<[string, unknown]>, context?: unknown): string {
    const doc = context instanceof Document ? context : new Document();
    if (isMap(doc.contents)) {
      (doc.contents as YAMLMap).delete('sops');
      patchMap(doc, doc.contents as YAMLMap, branch);
    } else {
      doc.contents = toYaml(doc, branch);
    }
    (doc.contents as YAMLMap).items.push(new Pair(new Scalar('sops'), metadataNode(doc, metadata)));
    return doc.toString({ lineWidth: 0 });
  },
};

function keyText(key: unknown, file: string): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  throw sopsError('SOPS_FORMAT_INVALID', 'the file has a mapping key that is not a scalar; sops supports string keys only', file, 'use plain string keys');
}

function toModel(node: unknown, doc: Document, file: string): SopsNode {
  if (isAlias(node)) return toModel(node.resolve(doc), doc, file);
  if (isMap(node)) return { kind: 'map', entries: node.items.map((p) => ({ key: keyText(p.key, file), value: toModel(p.value, doc, file) })) };
  if (isSeq(node)) return { kind: 'list', items: node.items.map((i) => toModel(i, doc, file)) };
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') return { kind: 'leaf', value: v, int: INT_SOURCE.test(node.source ?? String(v)) };
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return { kind: 'leaf', value: v };
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { kind: 'leaf', value: Buffer.from(v) };
    return { kind: 'leaf', value: String(v) };
  }
  return { kind: 'leaf', value: null };
}

function leafScalar(leaf: SopsLeaf): Scalar {
  const v = leaf.value;
  return new Scalar(Buffer.isBuffer(v) ? v.toString('utf8') : v);
}

function toYaml(doc: Document, node: SopsNode): YamlNode {
  if (node.kind === 'leaf') return leafScalar(node);
  if (node.kind === 'list') {
    const seq = new YAMLSeq();
    seq.items = node.items.map((i) => toYaml(doc, i));
    return seq;
  }
  const map = new YAMLMap();
  map.items = node.entries.map((e) => new Pair(new Scalar(e.key), toYaml(doc, e.value)));
  return map;
}

function patchMap(doc: Document, target: YAMLMap, model: SopsMap): void {
  const wanted = new Set(model.entries.map((e) => e.key));
  target.items = target.items.filter((p) => isScalar(p.key) && wanted.has(String(p.key.value)));
  for (const entry of model.entries) {
    const pair = target.items.find((p) => isScalar(p.key) && String(p.key.value) === entry.key);
    if (pair) pair.value = patchNode(doc, pair.value, entry.value);
    else target.items.push(new Pair(new Scalar(entry.key), toYaml(doc, entry.value)));
  }
}

function patchNode(doc: Document, old: unknown, model: SopsNode): YamlNode {
  if (model.kind === 'leaf' && isScalar(old)) {
    const v = Buffer.isBuffer(model.value) ? model.value.toString('utf8') : model.value;
    if (old.value !== v) {
      old.value = v;
      old.type = undefined;
    }
    return old;
  }
  if (model.kind === 'map' && isMap(old)) {
    patchMap(doc, old as YAMLMap, model);
    return old;
  }
  if (model.kind === 'list' && isSeq(old)) {
    old.items = model.items.map((m, i) => (i < old.items.length ? patchNode(doc, old.items[i], m) : toYaml(doc, m)));
    return old;
  }
  return toYaml(doc, model);
}

function metadataNode(doc: Document, entries: Array<[string, unknown]>): YAMLMap {
  const map = new YAMLMap();
  for (const [k, v] of entries) {
    let node: YamlNode;
    if (k === 'lastmodified') {
      // Quoted like sops writes it, so YAML 1.1 readers do not turn it into a timestamp.
      const s = new Scalar(v);
      s.type = Scalar.QUOTE_DOUBLE;
      node = s;
    } else {
      node = doc.createNode(v) as YamlNode;
    }
    map.items.push(new Pair(new Scalar(k), node));
  }
  // Armored data keys as literal blocks, as sops writes them.
  for (const pair of map.items) literalBlocks(pair.value);
  quoteTimestamps(map);
  return map;
}

/**
 * Strings that read as YAML timestamps (`created_at` of kms/pgp entries) quoted, as Go's
 * yaml.v3 writes them: unquoted, sops itself fails to decode its metadata ("'kms[0].created_at'
 * expected type 'string', got unconvertible type 'time.Time'").
 */
function quoteTimestamps(node: unknown): void {
  if (isScalar(node) && typeof node.value === 'string' && /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]|$)/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
  else if (isMap(node)) for (const p of node.items) quoteTimestamps(p.value);
  else if (isSeq(node)) for (const i of node.items) quoteTimestamps(i);
}

function literalBlocks(node: unknown): void {
  if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
  else if (isMap(node)) for (const p of node.items) literalBlocks(p.value);
  else if (isSeq(node)) for (const i of node.items) literalBlocks(i);
}
