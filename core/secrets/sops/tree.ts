import { createHash } from 'node:crypto';
import { decryptBytes, encryptBytes, parseEncryptedValue, type SopsValueType } from './aes-value';
import { goRegExp } from './go-regexp';
import { goFormatFloat, goParseBool, macBool } from './go-values';

/**
 * The ordered document model shared by the YAML, JSON and dotenv stores. Order matters: the MAC
 * hashes values in document order, and JS objects reorder integer-like keys, so the model keeps
 * entries in arrays.
 */
export type SopsNode = SopsMap | SopsList | SopsLeaf;
/** A mapping with keys in document order. */
export interface SopsMap {
  kind: 'map';
  entries: SopsEntry[];
}
/** One key of a mapping. */
export interface SopsEntry {
  key: string;
  value: SopsNode;
}
/** A sequence. Its items share the key path of the sequence itself (as in sops). */
export interface SopsList {
  kind: 'list';
  items: SopsNode[];
}
/** A scalar. `int` marks integers of formats that distinguish them (YAML). `bytes` is raw data. */
export interface SopsLeaf {
  kind: 'leaf';
  value: string | number | boolean | null | Buffer;
  int?: boolean;
}

/** Which values are encrypted (the sops metadata rules; at most one is set). */
export interface SopsRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  macOnlyEncrypted?: boolean;
}

/** The default when a file names no rule (sops `DefaultUnencryptedSuffix`). */
export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

// First bytes of the hash when `mac_only_encrypted` is set: sha256("sops"), as sops defines it.
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

function compileRules(rules: SopsRules): (path: readonly string[]) => boolean {
  // Checked with the file's name when the metadata was parsed; these calls hit the cache.
  const unRe = rules.unencryptedRegex ? goRegExp(rules.unencryptedRegex, 'sops.unencrypted_regex', 'SOPS_FORMAT_INVALID') : undefined;
  const enRe = rules.encryptedRegex ? goRegExp(rules.encryptedRegex, 'sops.encrypted_regex', 'SOPS_FORMAT_INVALID') : undefined;
  return (path) => {
    let encrypted = true;
    if (rules.unencryptedSuffix && path.some((p) => p.endsWith(rules.unencryptedSuffix as string))) encrypted = false;
    if (rules.encryptedSuffix) encrypted = path.some((p) => p.endsWith(rules.encryptedSuffix as string));
    if (unRe && path.some((p) => unRe.test(p))) encrypted = false;
    if (enRe) encrypted = path.some((p) => enRe.test(p));
    return encrypted;
  };
}

/** The bytes sops hashes for a plaintext leaf (`sops.ToBytes`). */
export function macBytes(leaf: SopsLeaf): Buffer {
  const v = leaf.value;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'boolean') return Buffer.from(macBool(v), 'utf8');
  if (typeof v === 'number') return Buffer.from(leaf.int ? integerText(v) : goFormatFloat(v), 'utf8');
  return Buffer.alloc(0);
}

function integerText(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : goFormatFloat(v);
}

/** Plaintext bytes and type tag of a leaf as sops' AES cipher encodes them. */
function plainForm(leaf: SopsLeaf, numbersAreFloats: boolean): { bytes: Buffer; type: SopsValueType } {
  const v = leaf.value;
  if (Buffer.isBuffer(v)) return { bytes: v, type: 'bytes' };
  if (typeof v === 'string') return { bytes: Buffer.from(v, 'utf8'), type: 'str' };
  // sops' cipher titlecases booleans ("True"); ParseBool reads either case back.
  if (typeof v === 'boolean') return { bytes: Buffer.from(macBool(v), 'utf8'), type: 'bool' };
  if (typeof v === 'number') {
    const isInt = !numbersAreFloats && (leaf.int ?? Number.isInteger(v)) && Number.isSafeInteger(v);
    return isInt ? { bytes: Buffer.from(String(v), 'utf8'), type: 'int' } : { bytes: Buffer.from(goFormatFloat(v), 'utf8'), type: 'float' };
  }
  throw new Error('null has no plaintext form');
}

/** Raised by the walkers; the caller turns it into a SopsError that names the file. */
export class TreeIntegrityError extends Error {
  constructor(
    readonly kind: 'value' | 'format',
    readonly keyPath: string,
  ) {
    super(kind === 'value' ? `value at "${keyPath}" failed authentication` : `value at "${keyPath}" is not a sops encrypted value`);
  }
}

/** Remembers IVs of decrypted values so that re-encrypting an unchanged value gives the same text. */
export type IvStash = Map<string, Buffer>;

function stashKey(aad: string, type: string, bytes: Buffer): string {
  return `${aad}\u0000${type}\u0000${bytes.toString('base64')}`;
}

function isEmptyValue(v: SopsLeaf['value']): boolean {
  return v === '' || (Buffer.isBuffer(v) && v.length === 0);
}

/** Decrypted document and the MAC sops would compute for it (uppercase hex of SHA-512). */
export interface DecryptedTree {
  tree: SopsMap;
  mac: string;
  stash: IvStash;
}

/** Decrypts every encrypted leaf, hashing plaintext values in document order. */
export function decryptTree(branch: SopsMap, key: Buffer, rules: SopsRules): DecryptedTree {
  const shouldEncrypt = compileRules(rules);
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const stash: IvStash = new Map();
  const tree = walkMap(branch, [], (leaf, path) => {
    if (leaf.value === null) return leaf;
    const encrypted = shouldEncrypt(path);
    let out = leaf;
    if (encrypted) {
      const aad = path.join(':') + ':';
      if (typeof leaf.value !== 'string') throw new TreeIntegrityError('format', aad);
      if (leaf.value !== '') {
        const parsed = parseEncryptedValue(leaf.value);
        if (!parsed) throw new TreeIntegrityError('format', aad);
        let bytes: Buffer;
        try {
          bytes = decryptBytes(parsed, key, aad);
        } catch {
          throw new TreeIntegrityError('value', aad);
        }
        out = typedLeaf(bytes, parsed.type, aad);
        stash.set(stashKey(aad, parsed.type, bytes), parsed.iv);
      }
    }
    if (!rules.macOnlyEncrypted || encrypted) hash.update(macBytes(out));
    return out;
  });
  return { tree, mac: hash.digest('hex').toUpperCase(), stash };
}

function typedLeaf(bytes: Buffer, type: string, aad: string): SopsLeaf {
  const text = bytes.toString('utf8');
  switch (type) {
    case 'str':
      return { kind: 'leaf', value: text };
    case 'int':
    case 'int64': {
      if (!/^[+-]?\d+$/.test(text)) throw new TreeIntegrityError('format', aad);
      return { kind: 'leaf', value: Number(text), int: true };
    }
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || (Number.isNaN(n) && text !== 'NaN')) throw new TreeIntegrityError('format', aad);
      return { kind: 'leaf', value: n };
    }
    case 'bool': {
      const b = goParseBool(text);
      if (b === undefined) throw new TreeIntegrityError('format', aad);
      return { kind: 'leaf', value: b };
    }
    case 'bytes':
      return { kind: 'leaf', value: Buffer.from(bytes) };
    default:
      throw new TreeIntegrityError('format', aad);
  }
}

/** Encrypts a plaintext document; returns the encrypted document and the MAC of the plaintext. */
export function encryptTree(
  branch: SopsMap,
  key: Buffer,
  rules: SopsRules,
  opts: { numbersAreFloats?: boolean; stash?: IvStash } = {},
): { tree: SopsMap; mac: string } {
  const shouldEncrypt = compileRules(rules);
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const tree = walkMap(branch, [], (leaf, path) => {
    if (leaf.value === null) return leaf;
    const encrypted = shouldEncrypt(path);
    if (!rules.macOnlyEncrypted || encrypted) hash.update(macBytes(leaf));
    if (!encrypted) return leaf;
    if (isEmptyValue(leaf.value)) return { kind: 'leaf', value: '' };
    const aad = path.join(':') + ':';
    const { bytes, type } = plainForm(leaf, opts.numbersAreFloats ?? false);
    const iv = opts.stash?.get(stashKey(aad, type, bytes));
    return { kind: 'leaf', value: encryptBytes(bytes, key, aad, type, iv) };
  });
  return { tree, mac: hash.digest('hex').toUpperCase() };
}

/** Encrypts the MAC with the data key; `lastModified` (RFC 3339) is the additional data. */
export function encryptMac(mac: string, key: Buffer, lastModified: string, iv?: Buffer): string {
  return encryptBytes(Buffer.from(mac, 'utf8'), key, lastModified, 'str', iv);
}

type LeafFn = (leaf: SopsLeaf, path: readonly string[]) => SopsLeaf;

function walkNode(node: SopsNode, path: string[], fn: LeafFn): SopsNode {
  if (node.kind === 'map') return walkMap(node, path, fn);
  if (node.kind === 'list') return { kind: 'list', items: node.items.map((item) => walkNode(item, path, fn)) };
  return fn(node, path);
}

function walkMap(node: SopsMap, path: string[], fn: LeafFn): SopsMap {
  return { kind: 'map', entries: node.entries.map((e) => ({ key: e.key, value: walkNode(e.value, [...path, e.key], fn) })) };
}

/** Converts the model to plain JS (what callers of decrypt receive). */
export function toPlain(node: SopsNode): unknown {
  if (node.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const e of node.entries) out[e.key] = toPlain(e.value);
    return out;
  }
  if (node.kind === 'list') return node.items.map(toPlain);
  return Buffer.isBuffer(node.value) ? node.value.toString('utf8') : node.value;
}

/** Converts plain JS to the model. Keys keep their insertion order. */
export function fromPlain(value: unknown, where = '(root)'): SopsNode {
  if (value === null || value === undefined) return { kind: 'leaf', value: null };
  if (Array.isArray(value)) return { kind: 'list', items: value.map((v, i) => fromPlain(v, `${where}[${i}]`)) };
  if (Buffer.isBuffer(value)) return { kind: 'leaf', value: Buffer.from(value) };
  if (value instanceof Map) {
    return { kind: 'map', entries: [...value.entries()].map(([k, v]) => ({ key: String(k), value: fromPlain(v, `${where}.${String(k)}`) })) };
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return { kind: 'leaf', value };
    case 'number':
      return { kind: 'leaf', value, int: Number.isInteger(value) };
    case 'bigint':
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new TypeError(`value at ${where} is an integer beyond 2^53, which cannot be stored exactly`);
      }
      return { kind: 'leaf', value: Number(value), int: true };
    case 'object':
      return { kind: 'map', entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ key: k, value: fromPlain(v, `${where}.${k}`) })) };
    default:
      throw new TypeError(`value at ${where} has type ${typeof value}, which sops cannot store`);
  }
}
