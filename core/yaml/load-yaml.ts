import { readFileSync } from 'node:fs';
import { isFile } from '../fs/path-kind';
import { dirname, extname, isAbsolute, resolve as resolvePath } from 'node:path';
import {
  Document,
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Node as YamlNode,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
  type ScalarTag,
  type CollectionTag,
  YAMLSeq,
} from 'yaml';
import { ConfigError, InfrakeyError, StackError, type ErrorDetails, type SourceLocation } from '../errors';
import { splitWords, unquoteWhole } from './function-args';
import { queryPath } from './query-path';
import { displayUrl, fetchRemoteText, HTTP_URL_RE } from './remote-include';
import { AppendList, YAML_FUNCTION_TAGS, YamlFunction, type YamlFunctionTag } from './yaml-function';

/**
 * YAML loading with Atmos's tags and source positions.
 *
 * One pass over the `yaml` package's Document turns mappings into plain objects and sequences into
 * arrays, replaces `!env`/`!exec`/`!store`/`!store.get`/`!secret`/`!template` scalars by
 * {@link YamlFunction} nodes (resolved later, after the stack merge), and resolves `!include` and
 * `!include.raw` at load time, as Atmos does (§7.6). Positions are looked up lazily through
 * {@link LoadedYaml.locate}, so loading thousands of stack files costs one parse and one walk each.
 *
 * Values built here may share sub-objects (YAML aliases, a file included twice through the same
 * cache): treat them as immutable and copy when merging.
 */

/** A YAML file (or string) after loading. */
export interface LoadedYaml {
  /** The content: plain objects, arrays, scalars and YamlFunction nodes. `null` for an empty file. */
  value: unknown;
  /** The parsed document, for tools that need the syntax tree. */
  document: Document;
  /** The file name used in messages (absolute when loaded from disk). */
  file: string;
  /**
   * The source location of the value (for a map key, the key) at `path`, or undefined if absent.
   * With `nearest`, the deepest existing ancestor's location instead of undefined (useful for a
   * path that continues inside an included file or a value added by a merge). With `value`, the
   * location of the value itself (a block map or list starts at its first entry), as Atmos's
   * provenance view numbers lines.
   */
  locate(path: readonly (string | number)[], opts?: { nearest?: boolean; value?: boolean }): SourceLocation | undefined;
}

/** Options for {@link loadYamlFile} and {@link parseYaml}. */
export interface LoadYamlOptions {
  /**
   * Base folder for `!include` paths that are neither absolute nor start with `./` or `../`
   * (Atmos resolves those against its base path; the stack engine passes the stacks base path).
   * When the file is not found there, the including file's folder is tried next.
   */
  includeBase?: string;
  /** Which error class to throw: stack manifests (default) or atmos.yaml (`config`). */
  errorKind?: 'stack' | 'config';
  /**
   * The Atmos base path: a relative `!include` path that does not start with `./` or `../` is
   * looked up there first (see includeCandidates).
   */
  projectBase?: string;
  /**
   * Cache of included files by absolute path, shared across many loads (the stack engine passes
   * one Map for a whole run so a catalog file included a thousand times is parsed once).
   */
  includeCache?: Map<string, unknown>;
  /** Files currently being included, to detect cycles. Internal. */
  includeChain?: readonly string[];
}

/** Tags kept as {@link YamlFunction} nodes (resolved after merge). */
const DEFERRED_TAGS: ReadonlySet<string> = new Set(YAML_FUNCTION_TAGS.filter((t) => t !== '!include' && t !== '!include.raw' && t !== '!append'));
const KNOWN_TAGS: ReadonlySet<string> = new Set(YAML_FUNCTION_TAGS);
const STANDARD_TAG_PREFIX = 'tag:yaml.org,2002:';

// Declaring our tags keeps the `yaml` package from warning about them; the walk below turns them
// into typed nodes. The scalar's source text is kept as the argument string.
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = [
  ...YAML_FUNCTION_TAGS.map((tag) => ({
    tag,
    resolve: (str: string) => str,
  })),
  // `!append [a, b]`: a list; the walker turns it into an AppendList.
  { tag: '!append', collection: 'seq', nodeClass: YAMLSeq, resolve: (seq: unknown) => seq } as unknown as CollectionTag,
];

const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // YAML 1.2 core schema, as go-yaml v3 decodes into interface{} (yes/no stay strings).
  version: '1.2',
  schema: 'core',
  customTags: CUSTOM_TAGS,
  // go-yaml v3 supports `<<` merge keys; Atmos manifests use them with anchors.
  merge: true,
  // Duplicate keys are an error as in go-yaml v3, but checked by the walker with a hash lookup:
  // the package's own check compares every key with every earlier one (quadratic; a 100,000-key
  // file took minutes).
  uniqueKeys: false,
  // prettyErrors would embed a snippet of the source (which may hold a value) in the message.
  prettyErrors: false,
  keepSourceTokens: false,
};

/** Reads and parses a YAML file. Throws `YAML_READ`, `YAML_PARSE`, `YAML_UNKNOWN_TAG`, include errors. */
export function loadYamlFile(file: string, opts: LoadYamlOptions = {}): LoadedYaml {
  const abs = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw makeError(opts, {
      code: code === 'ENOENT' ? 'YAML_FILE_NOT_FOUND' : 'YAML_READ',
      message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`,
      where: abs,
      fix: code === 'ENOENT' ? 'check the path, or create the file' : 'check the file permissions',
      cause: e,
    });
  }
  return parseYaml(text, abs, opts);
}

/** Parses YAML text; `file` is used for messages and to resolve relative `!include` paths. */
export function parseYaml(text: string, file: string, opts: LoadYamlOptions = {}): LoadedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { ...PARSE_OPTIONS, lineCounter });
  if (document.errors.length > 0) {
    const err = document.errors[0];
    const pos = lineCounter.linePos(err.pos[0]);
    const more = document.errors.length > 1 ? ` (and ${document.errors.length - 1} more problem(s) after it)` : '';
    throw makeError(opts, {
      code: 'YAML_PARSE',
      message: `malformed YAML: ${firstLine(err.message)}${more}`,
      where: { file, line: pos.line, column: pos.col },
      fix: 'correct the YAML syntax at that position (indentation, quotes, `key: value` pairs)',
    });
  }
  const walker = new Walker(text, document, lineCounter, file, opts);
  const value = walker.toValue(document.contents as YamlNode | null);
  return {
    value,
    document,
    file,
    locate: (path, o) => locateIn(document, lineCounter, file, path, o?.nearest === true, o?.value === true),
  };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).replace(/:$/, '');
}

function makeError(opts: LoadYamlOptions, details: ErrorDetails): InfrakeyError {
  return opts.errorKind === 'config' ? new ConfigError(details) : new StackError(details);
}

/**
 * The most nodes a document may expand to once every alias is followed. Aliases are converted
 * once and shared, but the stack merge copies values, so a 500-byte "billion laughs" document
 * (nine levels of ten aliases) would expand to 10^9 nodes there. A stack file with 100,000 keys is
 * 200,000 nodes; real files with anchors stay far below the bound.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

class Walker {
  private readonly aliasValues = new Map<YamlNode, unknown>();
  /** Expanded size of each shared value (objects only), so each is counted once. */
  private readonly weights = new WeakMap<object, number>();
  /** Nodes in the document with every alias expanded, so far. */
  private expanded = 0;

  constructor(
    private readonly text: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
    private readonly opts: LoadYamlOptions,
  ) {}

  /** Where a node starts; for a tagged node, where its tag is written (it precedes the range). */
  private loc(node: YamlNode): SourceLocation {
    let offset = node.range?.[0] ?? 0;
    if (node.tag && !node.tag.startsWith(STANDARD_TAG_PREFIX)) {
      const at = this.text.lastIndexOf(node.tag, offset);
      if (at >= 0 && !/[^\s]/.test(this.text.slice(at + node.tag.length, offset).replace(/#[^\n]*|&\S+|[|>][0-9+-]*/g, ''))) offset = at;
    }
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  private checkTag(node: YamlNode, onScalar: boolean): void {
    const tag = node.tag;
    if (!tag || tag.startsWith(STANDARD_TAG_PREFIX) || tag === '!') return;
    if (KNOWN_TAGS.has(tag)) {
      if (onScalar ? tag !== '!append' : tag === '!append' && isSeq(node)) return;
      throw makeError(this.opts, {
        code: 'YAML_FUNCTION_ARGS',
        message: tag === '!append' ? '!append takes a list' : `${tag} takes a string argument, not a ${isMap(node) ? 'map' : 'list'}`,
        where: this.loc(node),
        fix: tag === '!append' ? 'write `key: !append [a, b]` or a block list after `!append`' : `write it on one line, e.g. \`key: ${tag} <arguments>\``,
      });
    }
    throw makeError(this.opts, {
      code: 'YAML_UNKNOWN_TAG',
      message: `unknown YAML tag ${tag}`,
      where: this.loc(node),
      fix: `use one of the supported tags: ${YAML_FUNCTION_TAGS.join(', ')}; quote the value if it is a plain string starting with "!"`,
    });
  }

  toValue(node: YamlNode | null | undefined): unknown {
    if (node === null || node === undefined) return null;
    if (!isAlias(node)) this.count(1, node);
    if (isScalar(node)) {
      if (node.tag) {
        this.checkTag(node, true);
        if (KNOWN_TAGS.has(node.tag)) return this.tagged(node.tag as YamlFunctionTag, node);
      }
      const v = node.value;
      return v === undefined ? null : v;
    }
    if (isMap(node)) {
      if (node.tag) this.checkTag(node, false);
      const out: Record<string, unknown> = {};
      // Keys that came from a `<<` merge: an explicit key may override them once.
      const merged = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          for (const k of this.mergeInto(out, pair.value as YamlNode | null)) merged.add(k);
          continue;
        }
        const key = keyString(keyNode, this);
        if (Object.prototype.hasOwnProperty.call(out, key) && !merged.has(key)) {
          throw makeError(this.opts, {
            code: 'YAML_PARSE',
            message: `duplicate key ${JSON.stringify(key)} in a map (keys must be unique)`,
            where: this.loc(keyNode ?? node),
            fix: 'remove or rename one of the two keys',
          });
        }
        merged.delete(key);
        setKey(out, key, this.toValue(pair.value as YamlNode | null));
      }
      return out;
    }
    if (isSeq(node)) {
      if (node.tag) this.checkTag(node, false);
      const out: unknown[] = node.tag === '!append' ? new AppendList(node.items.length) : new Array(node.items.length);
      for (let i = 0; i < node.items.length; i++) out[i] = this.toValue(node.items[i] as YamlNode | null);
      return out;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc) as YamlNode | undefined;
      if (!target) {
        throw makeError(this.opts, {
          code: 'YAML_PARSE',
          message: `unknown alias *${node.source}`,
          where: this.loc(node),
          fix: `define the anchor &${node.source} before using it`,
        });
      }
      // Converted once and shared; the expanded size is counted so that a later copy cannot blow
      // up exponentially (billion laughs).
      if (this.aliasValues.has(target)) {
        const v = this.aliasValues.get(target);
        this.count(this.weight(v), node);
        return v;
      }
      const v = this.toValue(target);
      this.aliasValues.set(target, v);
      return v;
    }
    return null;
  }

  private count(n: number, node: YamlNode): void {
    this.expanded += n;
    if (this.expanded > MAX_EXPANDED_NODES) {
      throw makeError(this.opts, {
        code: 'YAML_PARSE',
        message: `the document expands to more than ${MAX_EXPANDED_NODES} nodes through aliases (an alias bomb?)`,
        where: this.loc(node),
        fix: 'reference smaller anchors, or fewer times; nested aliases multiply (ten references to an anchor that itself holds ten references is 100 copies)',
      });
    }
  }

  /** Nodes in a converted value with shared parts expanded, memoised per object. */
  private weight(v: unknown): number {
    if (v === null || typeof v !== 'object' || v instanceof YamlFunction) return 1;
    const hit = this.weights.get(v);
    if (hit !== undefined) return hit;
    let w = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) w += this.weight(child);
    this.weights.set(v, w);
    return w;
  }

  /** `<<: *a` or `<<: [*a, *b]`: keys not already present are added; earlier sources win. */
  private mergeInto(out: Record<string, unknown>, source: YamlNode | null): string[] {
    const added: string[] = [];
    const resolved = isAlias(source) ? (source.resolve(this.doc) as YamlNode) : source;
    const sources = isSeq(resolved) ? (resolved.items as YamlNode[]) : [source as YamlNode];
    for (const s of sources) {
      const v = this.toValue(s);
      if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof YamlFunction) {
        throw makeError(this.opts, {
          code: 'YAML_PARSE',
          message: 'merge key `<<` needs a map or a list of maps',
          where: this.loc(s ?? (source as YamlNode)),
          fix: 'point `<<:` at an anchored map, e.g. `<<: *defaults`',
        });
      }
      for (const [k, val] of Object.entries(v)) {
        if (!Object.prototype.hasOwnProperty.call(out, k)) {
          setKey(out, k, val);
          added.push(k);
        }
      }
    }
    return added;
  }

  private tagged(tag: YamlFunctionTag, node: YamlNode): unknown {
    const raw = isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : '';
    const args = raw.trim();
    const source = this.loc(node);
    if (DEFERRED_TAGS.has(tag)) return new YamlFunction(tag, args, source);
    return resolveInclude(tag === '!include.raw', args, source, this.file, this.opts);
  }
}

function keyString(node: YamlNode | null, walker: Walker): string {
  if (node === null || node === undefined) return '';
  if (isScalar(node)) {
    const v = node.value;
    return v === null || v === undefined ? '' : String(v);
  }
  // Complex keys are rare; Atmos (go-yaml into map[string]any) stringifies them too.
  return JSON.stringify(walker.toValue(node));
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

const REMOTE_RE = /^(https?:\/\/|github:\/\/|git::|s3::|gcs::|file:\/\/|github\.com\/|git@)/i;
/** Extensions `!include` parses (Atmos's ParseByExtension); anything else is included as text. */
const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);
const HCL_EXTENSIONS = new Set(['.hcl', '.tf', '.tfvars']);

function resolveInclude(raw: boolean, args: string, source: SourceLocation, file: string, opts: LoadYamlOptions): unknown {
  const tag = raw ? '!include.raw' : '!include';
  const usage = `${tag} <path> [<path expression such as .a.b[0]>]`;
  let words: string[];
  try {
    words = splitWords(args);
  } catch {
    words = [];
  }
  if (words.length === 0) {
    throw makeError(opts, {
      code: 'YAML_FUNCTION_ARGS',
      message: `${tag} needs a file path`,
      where: source,
      fix: `write \`${usage}\``,
    });
  }
  const target = words[0];
  const queryText = words.length > 1 ? unquoteWhole(restAfterFirstWord(args)) : undefined;
  if (HTTP_URL_RE.test(target)) return queryIncluded(remoteIncluded(target, raw, source, opts), raw, queryText, target, source, opts);
  if (REMOTE_RE.test(target)) {
    throw makeError(opts, {
      code: 'YAML_INCLUDE_REMOTE',
      message: `${tag} of a remote source other than http(s) is not supported: ${target}`,
      where: source,
      fix: 'use an https:// URL, or vendor the file into the repository and include it by a local path',
    });
  }
  const candidates = includeCandidates(target, file, opts.includeBase, opts.projectBase);
  const found = candidates.find((c) => isFile(c));
  if (!found) {
    throw makeError(opts, {
      code: 'YAML_INCLUDE_NOT_FOUND',
      message: `${tag} file not found: ${target} (looked in ${candidates.join(', ')})`,
      where: source,
      fix: 'create the file or fix the path: `./` and `../` are relative to this file, other relative paths to the Atmos base path (or the stacks folder)',
    });
  }
  const chain = opts.includeChain ?? [file];
  if (chain.includes(found)) {
    throw makeError(opts, {
      code: 'YAML_INCLUDE_CYCLE',
      message: `${tag} cycle: ${[...chain, found].join(' -> ')}`,
      where: source,
      fix: 'remove one of the includes so that no file includes itself',
    });
  }
  const cacheKey = (raw ? 'raw:' : 'parsed:') + found;
  let value: unknown;
  if (opts.includeCache?.has(cacheKey)) {
    value = opts.includeCache.get(cacheKey);
  } else {
    value = readIncluded(found, raw, source, opts, [...chain, found]);
    opts.includeCache?.set(cacheKey, value);
  }
  return queryIncluded(value, raw, queryText, target, source, opts);
}

/** The included value, or the part a path expression (`.a.b[0]`) selects. */
function queryIncluded(included: unknown, raw: boolean, queryText: string | undefined, target: string, source: SourceLocation, opts: LoadYamlOptions): unknown {
  let value = included;
  if (queryText !== undefined && queryText !== '') {
    if (raw) {
      throw makeError(opts, {
        code: 'YAML_FUNCTION_ARGS',
        message: '!include.raw does not take a path expression (the content is a string)',
        where: source,
        fix: 'use `!include` for structured files, or drop the expression',
      });
    }
    try {
      value = queryPath(value, queryText, { source, subject: `included file ${target}` });
    } catch (e) {
      if (e instanceof InfrakeyError && opts.errorKind === 'config') {
        throw new ConfigError({ code: e.code, message: e.summary, where: source, fix: e.fix });
      }
      throw e;
    }
  }
  return value;
}

function restAfterFirstWord(args: string): string {
  const t = args.trim();
  let i = 0;
  const q = t[0];
  if (q === '"' || q === "'") {
    i = 1;
    while (i < t.length) {
      if (t[i] === q) {
        if (t[i + 1] === q) {
          i += 2;
          continue;
        }
        i++;
        break;
      }
      i++;
    }
  } else {
    while (i < t.length && !/\s/.test(t[i])) i++;
  }
  return t.slice(i).trim();
}

/**
 * Where an `!include` path is looked for, as Atmos (findLocalFile): `./` and `../` paths relative
 * to the including file; other relative paths against the Atmos base path. infrakey also tries the
 * stacks folder and the including file's folder after it (earlier infrakey versions resolved
 * there), and never the process's working directory (Atmos's quirk: the result would depend on
 * where the command runs).
 */
function includeCandidates(target: string, file: string, stacksBase: string | undefined, projectBase: string | undefined): string[] {
  if (isAbsolute(target)) return [target];
  const here = dirname(file);
  if (target.startsWith('./') || target.startsWith('../') || target === '.' || target === '..') return [resolvePath(here, target)];
  const out: string[] = [];
  for (const base of [projectBase, stacksBase, here]) {
    if (!base) continue;
    const p = resolvePath(base, target);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** Reads an included file and parses it by extension (Atmos's ParseByExtension). */
/**
 * `!include https://…`: downloaded (bounded, see remote-include.ts; once per URL and load) and
 * parsed by the extension of the URL's path, as Atmos does after go-getter fetches it.
 */
function remoteIncluded(url: string, raw: boolean, source: SourceLocation, opts: LoadYamlOptions): unknown {
  const tag = raw ? '!include.raw' : '!include';
  const chain = opts.includeChain ?? [];
  if (chain.includes(url)) {
    throw makeError(opts, { code: 'YAML_INCLUDE_CYCLE', message: `${tag} cycle: ${[...chain, url].map(displayUrl).join(' -> ')}`, where: source, fix: 'remove one of the includes so that no file includes itself' });
  }
  const cacheKey = (raw ? 'raw:' : 'parsed:') + url;
  if (opts.includeCache?.has(cacheKey)) return opts.includeCache.get(cacheKey);
  const got = fetchRemoteText(url);
  if (!got.ok) {
    throw makeError(opts, {
      code: 'YAML_INCLUDE_REMOTE_FAILED',
      message: `${tag} could not download ${displayUrl(url)}: ${got.reason}`,
      where: source,
      fix: 'check the URL and the network (a proxy is not used), or vendor the file into the repository and include it by a local path',
    });
  }
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a parsable URL: the extension comes from the text as written
  }
  const value = parseIncludedText(got.text, extname(path).toLowerCase(), url, raw, source, { ...opts, includeChain: [...chain, url] });
  opts.includeCache?.set(cacheKey, value);
  return value;
}

function readIncluded(found: string, raw: boolean, source: SourceLocation, opts: LoadYamlOptions, chain: string[]): unknown {
  const ext = extname(found).toLowerCase();
  if (!raw && YAML_EXTENSIONS.has(ext)) return loadYamlFile(found, { ...opts, includeChain: chain }).value;
  let text: string;
  try {
    text = readFileSync(found, 'utf8');
  } catch (e) {
    throw makeError(opts, {
      code: 'YAML_READ',
      message: `cannot read included file ${found}`,
      where: source,
      fix: 'check the file permissions',
      cause: e,
    });
  }
  return parseIncludedText(text, ext, found, raw, source, opts);
}

/** Included text parsed by extension (Atmos's ParseByExtension): YAML, JSON, HCL, dotenv, else the text. */
function parseIncludedText(text: string, ext: string, found: string, raw: boolean, source: SourceLocation, opts: LoadYamlOptions): unknown {
  if (raw) return text;
  if (YAML_EXTENSIONS.has(ext)) return parseYaml(text, found, opts).value;
  if (ext === '.json') return parseIncludedJson(text, found, source, opts);
  if (HCL_EXTENSIONS.has(ext)) return parseIncludedHcl(text, found, source, opts);
  if (ext === '.env') return parseDotenv(text);
  return text;
}

function parseIncludedJson(text: string, found: string, source: SourceLocation, opts: LoadYamlOptions): unknown {
  try {
    return text.trim() === '' ? null : JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let where: SourceLocation = { file: found };
    if (m) {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      where = { file: found, line, column: Number(m[1]) - before.lastIndexOf('\n') };
    }
    throw makeError(opts, {
      code: 'YAML_PARSE',
      message: `malformed JSON in file included from ${source.file}:${source.line}`,
      where,
      fix: 'correct the JSON syntax',
    });
  }
}

/**
 * `.tfvars`/`.hcl`/`.tf`: attributes with literal values, as Atmos reads them (its parser takes
 * only attributes and evaluates them without variables). Blocks and references (`var.x`,
 * `"${…}"`) are refused with YAML_INCLUDE_HCL instead of being passed on as text.
 */
function parseIncludedHcl(text: string, found: string, source: SourceLocation, opts: LoadYamlOptions): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseHcl, HclSyntaxError } = require('./hcl') as typeof import('./hcl');
  let value: Record<string, unknown>;
  try {
    value = parseHcl(found, text);
  } catch (e) {
    if (!(e instanceof HclSyntaxError)) throw e;
    throw makeError(opts, {
      code: 'YAML_PARSE',
      message: `malformed HCL in file included from ${source.file}:${source.line}: ${e.message}`,
      where: { file: found, line: e.line, column: e.column },
      fix: 'correct the HCL syntax',
    });
  }
  const block = /^[ \t]*([A-Za-z_][\w-]*)(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{/m.exec(text);
  if (block) {
    throw makeError(opts, {
      code: 'YAML_INCLUDE_HCL',
      message: `${found} has a block (${block[1]} { … }); !include reads only attributes (name = value), as Atmos`,
      where: { file: found, line: text.slice(0, block.index).split('\n').length + (text[block.index] === '\n' ? 1 : 0) },
      fix: 'include a .tfvars-style file of `name = value` attributes',
    });
  }
  const reference = findReference(value);
  if (reference !== undefined) {
    throw makeError(opts, {
      code: 'YAML_INCLUDE_HCL',
      message: `${found}: attribute ${reference} is an expression (a reference or interpolation), not a literal value; !include evaluates no variables, as Atmos`,
      where: { file: found },
      fix: 'write a literal value (string, number, bool, list or map) for that attribute',
    });
  }
  return value;
}

function findReference(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('${') ? path || '(value)' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = findReference(value[i], `${path}[${i}]`);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const r = findReference(v, path ? `${path}.${k}` : k);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** `.env` files: `KEY=value` lines (dotenv syntax), as Atmos parses them. */
function parseDotenv(text: string): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('dotenv') as typeof import('dotenv');
  return parse(text.replace(/^[ \t]*export[ \t]+/gm, ''));
}

function locateIn(
  doc: Document,
  lines: LineCounter,
  file: string,
  path: readonly (string | number)[],
  nearest: boolean,
  valueNode = false,
): SourceLocation | undefined {
  let node = doc.contents as YamlNode | null;
  let at: YamlNode | null = node;
  const here = (): SourceLocation => {
    const offset = at?.range?.[0];
    if (offset === undefined) return { file };
    const p = lines.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc) as YamlNode;
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as YamlNode | null;
        return isScalar(k) && k.value !== null && k.value !== undefined && typeof k.value !== 'symbol' && String(k.value) === String(seg);
      });
      if (!pair) return nearest ? here() : undefined;
      at = pair.key as YamlNode;
      node = pair.value as YamlNode | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) return nearest ? here() : undefined;
      at = item;
      node = item;
    } else {
      return nearest ? here() : undefined;
    }
  }
  // An empty value (`key:`) has no node of its own: its key is where it is written.
  if (valueNode && node?.range) at = node;
  return here();
}
