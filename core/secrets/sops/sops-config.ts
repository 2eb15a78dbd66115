import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { ensureParentDir, withSopsFileLock, writeFileAtomic } from './atomic-write';
import { splitRecipients } from './key-types/age';
import type { SopsKmsRecipient } from './key-types/aws-kms';
import { SOPS_KEY_TYPES } from './key-types/index';
import { sopsError } from './sops-error';
import { goRegExp } from './go-regexp';

/** sops' config file name. */
export const SOPS_CONFIG_FILE = '.sops.yaml';

/** Where the recipients of a new file came from. */
export interface ResolvedRecipients {
  /** Recipients of each key type, by type name (`age`, `aws-kms`); types without any are absent. */
  byType: Record<string, unknown[]>;
  /** age recipients (`byType.age`). */
  recipients: string[];
  /** AWS KMS keys (`byType['aws-kms']`, `.sops.yaml` `kms:`). */
  kms: SopsKmsRecipient[];
  /** `spec.age_recipients` or `<.sops.yaml path> creation_rules[i]`. */
  source: string;
}

type RawRule = Record<string, unknown> & { path_regex?: unknown; filename_regex?: unknown; key_groups?: unknown };

async function exists(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** A rule's recipients: `key_groups` when given (sops ignores the flat fields then), else the flat fields. */
function ruleRecipients(rule: RawRule): Record<string, unknown[]> {
  const groups = Array.isArray(rule.key_groups) && rule.key_groups.length > 0 ? (rule.key_groups as unknown[]).map((g) => (g && typeof g === 'object' ? (g as Record<string, unknown>) : {})) : undefined;
  const out: Record<string, unknown[]> = {};
  for (const type of SOPS_KEY_TYPES) {
    const found = groups ? groups.flatMap((g) => type.recipientsFromGroup(g)) : type.recipientsFromRule(rule);
    if (found.length > 0) out[type.name] = found;
  }
  return out;
}

function resolved(byType: Record<string, unknown[]>, source: string): ResolvedRecipients {
  return { byType, recipients: (byType.age ?? []) as string[], kms: (byType['aws-kms'] ?? []) as SopsKmsRecipient[], source };
}

/**
 * sops matches `path_regex` against the file's path relative to the config file's folder
 * (absolute when the file lies elsewhere); the first matching rule wins, and a rule without
 * `path_regex`/`filename_regex` matches everything.
 */
function matchRule(rules: RawRule[], configDir: string, file: string, config: string): number {
  const abs = resolve(file);
  const rel = abs.startsWith(configDir + sep) ? relative(configDir, abs) : abs;
  const subject = rel.split(sep).join('/');
  return rules.findIndex((r, i) => {
    if (typeof r.path_regex === 'string' && r.path_regex !== '') return goRegExp(r.path_regex, `${config} creation_rules[${i}].path_regex`).test(subject);
    if (typeof r.filename_regex === 'string' && r.filename_regex !== '') return subject.includes(r.filename_regex);
    return true;
  });
}

/**
 * Recipients for a new file: `spec.age_recipients` (comma-separated or a list), else the first
 * matching creation rule of the nearest `.sops.yaml` searched upward from the file's folder.
 */
export async function resolveSopsRecipients(file: string, spec: Readonly<Record<string, unknown>> = {}, specPath = 'spec'): Promise<ResolvedRecipients> {
  const fromSpec: Record<string, unknown[]> = {};
  const specFields: string[] = [];
  for (const type of SOPS_KEY_TYPES) {
    const found = type.spec ? type.spec.recipients(spec[type.spec.field]) : [];
    if (found.length > 0 && type.spec) {
      fromSpec[type.name] = found;
      specFields.push(`${specPath}.${type.spec.field}`);
    }
  }
  if (specFields.length > 0) return resolved(fromSpec, specFields.join(', '));
  const looked: string[] = [];
  let dir = dirname(resolve(file));
  for (;;) {
    const candidate = join(dir, SOPS_CONFIG_FILE);
    if (await exists(candidate)) {
      looked.push(candidate);
      const text = await readFile(candidate, 'utf8');
      const doc = parseDocument(text, { prettyErrors: false });
      const err = doc.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        throw sopsError('SOPS_CONFIG_INVALID', `invalid YAML (${err.code})`, pos ? `${candidate}:${pos.line}:${pos.col}` : candidate, 'fix the .sops.yaml syntax');
      }
      const conf = (doc.toJS() ?? {}) as { creation_rules?: unknown };
      const rules = Array.isArray(conf.creation_rules) ? (conf.creation_rules as RawRule[]) : [];
      const idx = matchRule(rules, dir, file, candidate);
      if (idx !== -1) {
        const found = ruleRecipients(rules[idx] ?? {});
        if (Object.keys(found).length === 0) {
          throw sopsError('SOPS_NO_RECIPIENTS', `the matching creation rule has no ${SOPS_KEY_TYPES.map((t) => t.field).join(' or ')} recipients`, `${candidate} creation_rules[${idx}]`, 'add `age: age1...`, `pgp: <fingerprint>`, `kms: arn:aws:kms:...` or `gcp_kms: projects/.../cryptoKeys/...` to that rule, or set spec.age_recipients or spec.pgp_fingerprints');
        }
        return resolved(found, `${candidate} creation_rules[${idx}]`);
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw sopsError(
    'SOPS_NO_RECIPIENTS',
    `failed to resolve SOPS recipients for a new file: no spec.age_recipients and ${looked.length === 0 ? 'no .sops.yaml above it' : `no matching creation rule in ${looked.join(', ')}`}`,
    file,
    `set ${SOPS_KEY_TYPES.flatMap((t) => (t.spec ? [`spec.${t.spec.field}`] : [])).join(' or ')}, or add a .sops.yaml creation rule whose path_regex matches the file (\`infrakey secret keygen\` writes one for age)`,
  );
}

/**
 * Adds `recipient` to the creation rule with this exact `path_regex` in `<dir>/.sops.yaml`,
 * creating the file or the rule as needed. Comments and other rules are kept. A new rule goes
 * before the first catch-all rule (one without a regex), since sops stops at the first match.
 * The file is public (recipients only) and written 0644.
 */
export async function upsertSopsYamlRecipient(dir: string, pathRegex: string, recipient: string): Promise<string> {
  const file = join(dir, SOPS_CONFIG_FILE);
  await ensureParentDir(file, 0o755);
  // Two keygens at once must not drop each other's rule.
  await withSopsFileLock(file, async (lock) => {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors[0]) {
      const pos = doc.errors[0].linePos?.[0];
      throw sopsError('SOPS_CONFIG_INVALID', `invalid YAML (${doc.errors[0].code})`, pos ? `${file}:${pos.line}:${pos.col}` : file, 'fix the .sops.yaml syntax');
    }
    const plainDoc = doc as unknown as Document;
    if (!isMap(plainDoc.contents)) plainDoc.contents = new YAMLMap();
    const root = plainDoc.contents as YAMLMap;
    let seq = root.get('creation_rules', true) as unknown;
    if (!isSeq(seq)) {
      seq = new YAMLSeq();
      root.set('creation_rules', seq);
    }
    const rules = seq as YAMLSeq;
    const existing = rules.items.find((r) => isMap(r) && r.get('path_regex') === pathRegex) as YAMLMap | undefined;
    if (existing) {
      const list = splitRecipients(existing.get('age'));
      if (!list.includes(recipient)) list.push(recipient);
      existing.set('age', list.join(','));
    } else {
      const rule = doc.createNode({ path_regex: pathRegex, age: recipient }) as YAMLMap;
      const catchAll = rules.items.findIndex((r) => isMap(r) && !r.get('path_regex') && !r.get('filename_regex'));
      if (catchAll === -1) rules.items.push(rule);
      else rules.items.splice(catchAll, 0, rule);
    }
    await writeFileAtomic(file, doc.toString({ lineWidth: 0 }), 0o644, 0o755, lock);
  });
  return file;
}

/** Atmos' keygen regex for a file template: each `{{...}}` becomes `.*`, the rest is quoted, `$` appended. */
export function pathRegexForTemplate(template: string): string {
  return (
    template
      .split(/\{\{.*?\}\}/)
      .map((part) => part.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'))
      .join('.*') + '$'
  );
}
