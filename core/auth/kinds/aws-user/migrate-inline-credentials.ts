import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../../../fs/atomic-write';
import { basename } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode, type Pair, type ScalarTag, type YAMLMap } from 'yaml';
import { parseAuthConfig } from '../../auth-config';
import { AuthError, InfrakeyError } from '../../../errors';
import { Secret } from '../../../secret';
import { YAML_FUNCTION_TAGS } from '../../../yaml/yaml-function';
import { AUTH_USER_ERROR_CODES, readExisting, verifyStored, type UserPromptIO } from './configure-user';
import { CredentialStore, type AwsKeyringCredentials } from '../../../keyring/credential-store';
import type { Keyring, KeyringType } from '../../../keyring/keyring';

/**
 * `infrakey auth user migrate`: moves the inline `credentials.access_key_id` and
 * `credentials.secret_access_key` of aws/user identities from atmos.yaml into the keyring (the
 * entry `atmos_<realm>_<identity>` Atmos reads), then deletes them from the file.
 *
 * Order of work, so that a failure at any step loses nothing:
 * 1. plan from the `yaml` Document (refuse incomplete or aliased credentials: nothing changed);
 * 2. compute the edited text and check it re-reads as the original minus those keys, and that no
 *    migrated value is still anywhere in it;
 * 3. write every keyring entry and read each back;
 * 4. only then replace the file atomically (temp file, fsync, rename), keeping its mode.
 *
 * The edit removes only the lines of the moved keys (and a `credentials:` line left empty), so
 * every other byte, comment and anchor of the file stays as it was. When the keys are not on
 * lines of their own (flow style `{ ... }`), the Document API rewrites the file instead: comments
 * survive, but the layout may be normalised (reported as `layoutPreserved: false`).
 */

/** Options of {@link migrateInlineCredentials}. */
export interface MigrateInlineCredentialsOptions {
  /** The YAML file to edit (normally the atmos.yaml in use). Symlinks are followed. */
  file: string;
  /** The loaded configuration, for identity kinds (an identity's kind may come from another file). */
  config?: { auth: Record<string, unknown> };
  /** The keyring, or a function opening it: called only when there is something to move. */
  keyring: Keyring | (() => Promise<Keyring>);
  /** The realm from `resolveRealm`. */
  realm: string;
  /** Plan and check only; write nothing. */
  dryRun?: boolean;
  io?: Pick<UserPromptIO, 'notice'>;
  /** How the file is named in messages (default: its base name). */
  displayName?: string;
}

/** One identity moved (or to be moved, in a dry run). No values. */
export interface MigratedIdentity {
  /** Lower-cased name (the keyring alias). */
  identity: string;
  /** The name as written in the file. */
  displayName: string;
  /** `atmos.yaml:LINE` of its `credentials:`. */
  where: string;
  /** Keyring key, `atmos_<realm>_<identity>`. */
  key: string;
  /** Fields removed from the file. */
  removed: string[];
  /** Fields stored in the keyring. */
  stored: string[];
  /** True when the keyring held an entry before. */
  replaced: boolean;
}

/** An identity left alone, and why. */
export interface SkippedIdentity {
  identity: string;
  where: string;
  reason: string;
}

/** What {@link migrateInlineCredentials} did. */
export interface MigrateInlineCredentialsResult {
  /** The file edited (after following symlinks). */
  file: string;
  migrated: MigratedIdentity[];
  skipped: SkippedIdentity[];
  /** The keyring used; undefined when nothing had to move. */
  keyringType?: KeyringType;
  /** True when the file was rewritten. */
  written: boolean;
  /** False when the Document API re-serialised the file (flow-style credentials). */
  layoutPreserved: boolean;
}

type FieldState =
  | { kind: 'absent' }
  | { kind: 'inline'; pair: Pair<YamlNode, YamlNode>; value: string }
  | { kind: 'reference'; tag: string }
  | { kind: 'unsupported'; why: string; node?: YamlNode };

interface Plan {
  name: string;
  displayName: string;
  where: string;
  map: YAMLMap;
  /** The identity map holding `credentials:` when the credentials map is its own (not an alias). */
  owner?: YAMLMap;
  accessKeyId: string;
  secretAccessKey: string;
  mfaArn?: string;
  /** Source ranges of the two moved values (to tell them from other copies). */
  valueRanges: [number, number][];
}

const FIELDS = ['access_key_id', 'secret_access_key'] as const;

const CUSTOM_TAGS: ScalarTag[] = YAML_FUNCTION_TAGS.map((tag) => ({ tag, resolve: (s: string) => s }));
// As core/yaml/load-yaml.ts parses atmos.yaml (YAML 1.2 core schema, Atmos tags, merge keys).
const PARSE = { version: '1.2' as const, schema: 'core', customTags: CUSTOM_TAGS, merge: true, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false };

/** Moves inline aws/user keys from `file` into the keyring. See the module comment for the order. */
export async function migrateInlineCredentials(opts: MigrateInlineCredentialsOptions): Promise<MigrateInlineCredentialsResult> {
  const notice = opts.io?.notice ?? (() => undefined);
  const file = await realFile(opts.file);
  const shown = opts.displayName ?? basename(opts.file);
  const { text, mode } = await readFile(file, shown);
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.MIGRATE_NO_FILE,
      message: `${shown} is not valid YAML (${doc.errors[0].code} at line ${doc.errors[0].linePos?.[0].line ?? '?'})`,
      where: `${shown}:${doc.errors[0].linePos?.[0].line ?? 1}`,
      fix: 'correct the file first (infrakey validate config names the problem)',
    });
  }
  const at = (node: YamlNode | undefined) => `${shown}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  const kinds = identityKinds(opts.config?.auth);

  const plans: Plan[] = [];
  const skipped: SkippedIdentity[] = [];
  const problems: AuthError[] = [];
  const identities = getIn(doc, ['auth', 'identities']);
  for (const pair of isMap(identities) ? identities.items : []) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
    const displayName = pair.key.value;
    const name = displayName.toLowerCase();
    const body = deref(doc, pair.value as YamlNode | null);
    if (!isMap(body)) continue;
    const kind = kinds.get(name) ?? scalarString(deref(doc, body.get('kind', true) as YamlNode | null));
    if (kind !== 'aws/user') continue;
    const credPair = body.items.find((p) => isScalar(p.key) && p.key.value === 'credentials') as Pair<YamlNode, YamlNode> | undefined;
    if (!credPair) continue;
    const credNode = credPair.value as YamlNode | null;
    const map = deref(doc, credNode);
    if (!isMap(map)) continue;
    const where = at(credPair.key);
    const states = FIELDS.map((f) => fieldState(doc, map, f));
    const [id, secret] = states;
    const label = `identity "${displayName}"`;
    const unsupported = states.find((s): s is Extract<FieldState, { kind: 'unsupported' }> => s.kind === 'unsupported');
    if (unsupported) {
      if (states.some((s) => s.kind === 'inline') || unsupported.why.includes('merge')) {
        problems.push(refusal(AUTH_USER_ERROR_CODES.MIGRATE_UNSUPPORTED, `${label}: ${unsupported.why}`, unsupported.node ? at(unsupported.node) : where, 'write both keys as plain values under credentials: (no anchors, aliases or << merges), or move them by hand'));
      }
      continue;
    }
    if (id.kind === 'inline' && secret.kind === 'inline') {
      plans.push({
        name,
        displayName,
        where,
        map,
        owner: isAlias(credNode) ? undefined : body,
        accessKeyId: id.value,
        secretAccessKey: secret.value,
        mfaArn: inlineString(doc, map, 'mfa_arn'),
        valueRanges: [id, secret].map((f) => [f.pair.value?.range?.[0] ?? -1, f.pair.value?.range?.[1] ?? -1] as [number, number]),
      });
      continue;
    }
    if (secret.kind === 'inline') {
      problems.push(refusal(AUTH_USER_ERROR_CODES.MIGRATE_INCOMPLETE, `${label}: credentials.secret_access_key is written in the file but credentials.access_key_id is ${id.kind === 'absent' ? 'missing' : `not (${id.kind === 'reference' ? id.tag : 'unsupported'})`}; incomplete inline credentials are not moved`, at(secret.pair.key), `write credentials.access_key_id next to it (both are moved), or delete both and run \`infrakey auth user configure --identity ${name}\``));
      continue;
    }
    if (id.kind === 'inline' && secret.kind === 'absent') {
      problems.push(refusal(AUTH_USER_ERROR_CODES.MIGRATE_INCOMPLETE, `${label}: credentials.access_key_id is set but credentials.secret_access_key is missing; incomplete inline credentials are not moved`, at(id.pair.key), `add credentials.secret_access_key (both are moved), or delete access_key_id and run \`infrakey auth user configure --identity ${name}\``));
      continue;
    }
    if (secret.kind === 'reference') skipped.push({ identity: name, where, reason: `secret_access_key is read with ${secret.tag}, not written in the file` });
  }

  if (problems.length > 0) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.MIGRATE_REFUSED,
      message: `migration refused: ${problems.length} identit${problems.length === 1 ? 'y has' : 'ies have'} inline credentials that cannot be moved; nothing was changed`,
      where: shown,
      problems,
      fix: 'correct each identity listed, then run `infrakey auth user migrate` again',
    });
  }
  const base = { file, skipped, written: false, layoutPreserved: true };
  if (plans.length === 0) return { ...base, migrated: [] };
  // Registered with the redactor before anything can print.
  for (const p of plans) Secret.of([p.accessKeyId, p.secretAccessKey], `credentials:${p.name}`);

  const edit = editText(doc, text, plans);
  checkEdit(text, edit.text, doc, plans, shown, lines);

  const keyring = typeof opts.keyring === 'function' ? await opts.keyring() : opts.keyring;
  const store = new CredentialStore(keyring, opts.realm);
  const migrated: MigratedIdentity[] = [];
  for (const p of plans) {
    const key = store.keyFor(p.name);
    const { existing, existed } = opts.dryRun ? { existing: undefined, existed: false } : await readExisting(store, p.name, key, { notice });
    const data: AwsKeyringCredentials = { ...keep(existing), access_key_id: p.accessKeyId, secret_access_key: p.secretAccessKey, ...(p.mfaArn ? { mfa_arn: p.mfaArn } : {}) };
    if (!opts.dryRun) {
      await store.setAws(p.name, Secret.of(data, key));
      await verifyStored(store, p.name, key, data, keyring.type);
    }
    const stored = (['access_key_id', 'secret_access_key', 'mfa_arn', 'session_duration'] as const).filter((f) => data[f]);
    migrated.push({ identity: p.name, displayName: p.displayName, where: p.where, key, removed: [...FIELDS], stored, replaced: existed });
  }
  if (opts.dryRun) return { ...base, migrated, keyringType: keyring.type, layoutPreserved: edit.layoutPreserved };

  await writeAtomically(file, shown, text, edit.text, mode);
  return { ...base, migrated, keyringType: keyring.type, written: true, layoutPreserved: edit.layoutPreserved };
}

function identityKinds(auth: Record<string, unknown> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!auth) return out;
  for (const i of parseAuthConfig(auth).config.identities.values()) out.set(i.name, i.kind);
  return out;
}

function getIn(doc: Document, path: string[]): YamlNode | null {
  let node = deref(doc, doc.contents as YamlNode | null);
  for (const k of path) {
    if (!isMap(node)) return null;
    node = deref(doc, node.get(k, true) as YamlNode | null);
  }
  return node;
}

function deref(doc: Document, node: YamlNode | null | undefined | false): YamlNode | null {
  if (!node) return null;
  if (isAlias(node)) return (node.resolve(doc) as YamlNode | undefined) ?? null;
  return node;
}

function scalarString(node: YamlNode | null): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function inlineString(doc: Document, map: YAMLMap, field: string): string | undefined {
  const s = fieldState(doc, map, field);
  return s.kind === 'inline' ? s.value : undefined;
}

function fieldState(doc: Document, map: YAMLMap, field: string): FieldState {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === field) as Pair<YamlNode, YamlNode> | undefined;
  if (!pair) {
    const merges = map.items.some((p) => isScalar(p.key) && (p.key.value === '<<' || typeof p.key.value === 'symbol'));
    if (merges && hasField(map.toJS(doc), field)) {
      return { kind: 'unsupported', why: `credentials.${field} comes from a << merge key`, node: map };
    }
    return { kind: 'absent' };
  }
  const value = pair.value;
  if (value === null || (isScalar(value) && (value.value === null || value.value === ''))) return { kind: 'absent' };
  if (isAlias(value)) return { kind: 'unsupported', why: `credentials.${field} is an alias (*${value.source}); the anchored value would stay in the file`, node: pair.key as YamlNode };
  if (!isScalar(value)) return { kind: 'unsupported', why: `credentials.${field} is not a string`, node: pair.key as YamlNode };
  if (value.tag && value.tag.startsWith('!') && !value.tag.startsWith('!!')) return { kind: 'reference', tag: value.tag };
  if (value.tag && value.tag !== 'tag:yaml.org,2002:str') return { kind: 'unsupported', why: `credentials.${field} has the tag ${value.tag}`, node: pair.key as YamlNode };
  if (value.anchor) return { kind: 'unsupported', why: `credentials.${field} carries the anchor &${value.anchor}; other parts of the file may use it`, node: pair.key as YamlNode };
  if (typeof value.value !== 'string') return { kind: 'unsupported', why: `credentials.${field} is not a string`, node: pair.key as YamlNode };
  return { kind: 'inline', pair, value: value.value };
}

function hasField(js: unknown, field: string): boolean {
  return typeof js === 'object' && js !== null && field in js && (js as Record<string, unknown>)[field] !== null;
}

function refusal(code: string, message: string, where: string, fix: string): AuthError {
  return new AuthError({ code, message, where, fix });
}

function keep(existing: AwsKeyringCredentials | undefined): AwsKeyringCredentials {
  // Fields of a previous entry that the file does not set (mfa_arn, session_duration, region).
  if (!existing) return {};
  const { mfa_arn, session_duration, region } = existing;
  return { ...(mfa_arn ? { mfa_arn } : {}), ...(session_duration ? { session_duration } : {}), ...(region ? { region } : {}) };
}

/**
 * The edited text: by deleting whole lines when every moved pair sits on lines of its own, else
 * through the Document API. Either way `doc` ends up holding the expected content.
 */
function editText(doc: Document, text: string, plans: Plan[]): { text: string; layoutPreserved: boolean } {
  const cuts: [number, number][] = [];
  let spliceable = true;
  const maps = new Map<YAMLMap, Plan>();
  // One edit per credentials map (aliases share it); prefer the identity that owns the map.
  for (const p of plans) if (!maps.get(p.map)?.owner) maps.set(p.map, p);
  for (const [map, plan] of maps) {
    const emptied = map.items.length === FIELDS.length;
    const credPair = plan.owner?.items.find((it) => isScalar(it.key) && it.key.value === 'credentials') as Pair<YamlNode, YamlNode> | undefined;
    if (map.flow) {
      // `credentials: { access_key_id: ..., secret_access_key: ... }` alone on its lines: drop them.
      const cut = emptied && !map.anchor ? flowLines(text, credPair, map) : undefined;
      if (cut) cuts.push(cut);
      else spliceable = false;
      continue;
    }
    for (const f of FIELDS) {
      const pair = map.items.find((it) => isScalar(it.key) && it.key.value === f) as Pair<YamlNode, YamlNode>;
      const cut = pairLines(text, pair);
      if (cut) cuts.push(cut);
      else spliceable = false;
    }
    if (emptied) {
      // An anchored (or borrowed) map must stay, as `{}`: only the Document API can write that.
      const cut = plan.owner && !map.anchor ? keyLine(text, credPair) : undefined;
      if (cut) cuts.push(cut);
      else spliceable = false;
    }
  }
  // Apply to the Document too: it is the reference the edited text is checked against.
  for (const [map, plan] of maps) {
    for (const f of FIELDS) map.delete(f);
    if (map.items.length === 0 && plan.owner && !map.anchor) plan.owner.delete('credentials');
  }
  if (spliceable) {
    let out = text;
    for (const [s, e] of mergeRanges(cuts).reverse()) out = out.slice(0, s) + out.slice(e);
    return { text: out, layoutPreserved: true };
  }
  return { text: doc.toString({ lineWidth: 0 }), layoutPreserved: false };
}

/** The [start, end) of the lines holding `pair`, or undefined when they hold anything else. */
function pairLines(text: string, pair: Pair<YamlNode, YamlNode> | undefined): [number, number] | undefined {
  const k = pair?.key?.range;
  const v = pair?.value?.range;
  if (!k || !v) return undefined;
  const start = text.lastIndexOf('\n', k[0] - 1) + 1;
  if (text.slice(start, k[0]).trim() !== '') return undefined;
  let end = v[2];
  if (end > 0 && text[end - 1] !== '\n') end = lineEnd(text, end);
  if (!/^[ \t]*(#[^\n]*)?\r?\n?$/.test(text.slice(v[1], end))) return undefined;
  return [start, end];
}

/** The [start, end) of the line of a `credentials:` key whose block value starts on a later line. */
function keyLine(text: string, pair: Pair<YamlNode, YamlNode> | undefined): [number, number] | undefined {
  const k = pair?.key?.range;
  if (!k) return undefined;
  const start = text.lastIndexOf('\n', k[0] - 1) + 1;
  if (text.slice(start, k[0]).trim() !== '') return undefined;
  const end = lineEnd(text, k[1]);
  if (!/^[ \t]*:[ \t]*(#[^\n]*)?\r?\n?$/.test(text.slice(k[1], end))) return undefined;
  return [start, end];
}

/** The [start, end) of the lines of `credentials: {...}` when they hold nothing else. */
function flowLines(text: string, pair: Pair<YamlNode, YamlNode> | undefined, map: YAMLMap): [number, number] | undefined {
  const k = pair?.key?.range;
  const m = map.range;
  if (!k || !m) return undefined;
  const start = text.lastIndexOf('\n', k[0] - 1) + 1;
  if (text.slice(start, k[0]).trim() !== '') return undefined;
  if (!/^[ \t]*:[ \t]*$/.test(text.slice(k[1], m[0]))) return undefined;
  let end = m[2];
  if (end > 0 && text[end - 1] !== '\n') end = lineEnd(text, end);
  if (!/^[ \t]*(#[^\n]*)?\r?\n?$/.test(text.slice(m[1], end))) return undefined;
  return [start, end];
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl + 1;
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** The edited text must re-read as the expected content and hold none of the moved values. */
function checkEdit(original: string, edited: string, expectedDoc: Document, plans: Plan[], shown: string, lines: LineCounter): void {
  const after = parseDocument(edited, PARSE);
  if (after.errors.length > 0 || !isDeepStrictEqual(after.toJS({ maxAliasCount: -1 }), expectedDoc.toJS({ maxAliasCount: -1 }))) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.MIGRATE_VERIFY_FAILED,
      message: `removing the keys from ${shown} would change more than those keys${after.errors.length > 0 ? ` (${after.errors[0].code})` : ''}; nothing was changed`,
      where: shown,
      fix: 'move the keys by hand (infrakey auth user configure, then delete them from the file) and report this file layout as a bug',
    });
  }
  const problems: AuthError[] = [];
  for (const p of plans) {
    for (const [field, value] of [['access_key_id', p.accessKeyId], ['secret_access_key', p.secretAccessKey]] as const) {
      if (!edited.includes(value)) continue;
      // Name the line of the other copy in the original file (not the moved value itself).
      const moved = plans.flatMap((q) => q.valueRanges);
      let i = original.indexOf(value);
      while (i !== -1 && moved.some(([s, e]) => i >= s && i < e)) i = original.indexOf(value, i + 1);
      const line = i === -1 ? undefined : lines.linePos(i).line;
      problems.push(refusal(AUTH_USER_ERROR_CODES.MIGRATE_UNSUPPORTED, `identity "${p.displayName}": the value of credentials.${field} also appears elsewhere in the file, so it would stay there after the move`, line ? `${shown}:${line}` : shown, 'remove the other copy (a comment, another key) by hand, then run the migration again'));
    }
  }
  if (problems.length > 0) {
    throw new AuthError({ code: AUTH_USER_ERROR_CODES.MIGRATE_REFUSED, message: `migration refused: a moved value would remain in ${shown}; nothing was changed`, where: shown, problems, fix: 'correct each problem listed, then run `infrakey auth user migrate` again' });
  }
}

async function realFile(file: string): Promise<string> {
  try {
    return await fsp.realpath(file);
  } catch {
    return file;
  }
}

async function readFile(file: string, shown: string): Promise<{ text: string; mode: number }> {
  try {
    const [text, st] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file)]);
    return { text, mode: st.mode & 0o7777 };
  } catch (e) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.MIGRATE_NO_FILE,
      message: `cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      where: file,
      fix: 'run the command in the folder of atmos.yaml, or pass --config PATH',
      cause: e,
    });
  }
}

/**
 * Replaces `file` by `text` atomically: a temp file in the same folder with the original mode,
 * fsync, a check that nobody changed the file meanwhile, rename, fsync of the folder.
 */
async function writeAtomically(file: string, shown: string, original: string, text: string, mode: number): Promise<void> {
  try {
    await writeFileAtomic(file, text, {
      mode,
      // Last check before the rename: nobody changed the file while the keyring was written.
      beforeRename: async () => {
        const now = await fsp.readFile(file, 'utf8');
        if (now !== original) {
          throw new AuthError({
            code: AUTH_USER_ERROR_CODES.MIGRATE_CONFLICT,
            message: `${shown} changed while the migration ran; it was left as it is (the keys are already in the keyring)`,
            where: file,
            fix: 'run `infrakey auth user migrate` again',
          });
        }
      },
    });
  } catch (e) {
    if (e instanceof InfrakeyError) throw e;
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.MIGRATE_WRITE_FAILED,
      message: `cannot write ${shown}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; the file is unchanged (the keys are already in the keyring)`,
      where: file,
      fix: 'make the file and its folder writable, then run `infrakey auth user migrate` again',
      cause: e,
    });
  }
}

