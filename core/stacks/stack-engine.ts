import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { formatLocation, StackError, UsageError } from '../errors';
import { deprecatedFields, type DeprecatedField } from './deprecated-fields';
import { ComponentResolver, type ComponentMergeSettings, type ResolvedComponent } from './component-resolver';
import type { YamlMap } from './deep-merge';
import { ManifestCache } from './manifest-cache';
import type { ComponentProvenance } from './provenance';
import { discoverStackFiles } from './stack-files';
import { resolveStackName, type StackNaming } from './stack-name';
import { COMPONENT_TYPES, processStack, type ComponentType, type ProcessedStack } from './stack-processor';

/** What the stack engine needs from atmos.yaml. */
export interface StackEngineOptions extends StackNaming {
  /** Absolute stacks base path. */
  basePath: string;
  includedPaths: readonly string[];
  excludedPaths: readonly string[];
  merge: ComponentMergeSettings;
}

/** A stack as `list stacks` shows it. */
export interface StackSummary {
  /** Logical name (§7.1). */
  name: string;
  /** Path relative to the stacks base, without extension. */
  fileName: string;
  /** Absolute path of the manifest. */
  file: string;
  /** Component names by type, sorted. */
  components: Partial<Record<ComponentType, string[]>>;
}

/** Options of {@link StackEngine.resolveComponent}. */
export interface ResolveComponentOptions {
  /** Restrict the lookup to one component type (needed when a name exists under two types). */
  type?: ComponentType;
  /** Allow `metadata.type: abstract` components (inspection of bases); default false. */
  allowAbstract?: boolean;
}

interface StackEntry {
  summary: StackSummary;
  stack: ProcessedStack;
  resolver: ComponentResolver;
}

/**
 * The stacks of a project: discovery (`included_paths`/`excluded_paths`), import merge, names,
 * and component resolution. Everything is computed once and cached: one parse per manifest, one
 * import merge per stack, one merge per component definition.
 */
export class StackEngine {
  private readonly cache: ManifestCache;
  private all?: StackEntry[];
  private byName?: Map<string, StackEntry[]>;
  private byFile?: Map<string, StackEntry>;
  private readonly resolved = new Map<string, ResolvedComponent>();

  constructor(private readonly opts: StackEngineOptions) {
    this.cache = new ManifestCache(opts.basePath, opts.merge.projectBasePath);
  }

  /** Number of distinct manifest parses so far. */
  get parsedFiles(): number {
    return this.cache.size;
  }

  /** Stacks with at least one component (or every manifest with `includeEmpty`), sorted by name. */
  listStacks(opts: { includeEmpty?: boolean } = {}): StackSummary[] {
    this.load();
    const out: StackSummary[] = [];
    for (const [name, list] of this.byName ?? []) {
      const withComponents = list.filter((e) => hasComponents(e.summary));
      if (withComponents.length === 0) {
        if (opts.includeEmpty) out.push(list[0].summary);
        continue;
      }
      out.push(withComponents.length === 1 ? withComponents[0].summary : mergedSummary(name, withComponents));
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Deprecated fields written in the component blocks of every stack's manifests (Atmos warns
   * about them in `validate stacks`), each once even when several stacks import its manifest.
   */
  deprecatedFields(): DeprecatedField[] {
    const seen = new Set<string>();
    const out: DeprecatedField[] = [];
    for (const e of this.load()) {
      for (const f of deprecatedFields(e.stack)) {
        const key = `${formatLocation(f.where)}\0${f.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(f);
      }
    }
    return out;
  }

  /** Finds a stack by its logical name (as Atmos: not by file name when the stack has another name). Throws STACK_NOT_FOUND. */
  stack(name: string): StackSummary {
    return this.entry(name).summary;
  }

  /**
   * Merges a component of a stack. Throws STACK_NOT_FOUND, STACK_COMPONENT_NOT_FOUND,
   * STACK_COMPONENT_AMBIGUOUS, STACK_COMPONENT_ABSTRACT and the merge errors.
   */
  resolveComponent(component: string, stack: string, opts: ResolveComponentOptions = {}): ResolvedComponent {
    // Several manifests may produce the same stack name (Atmos merges nothing across them): the
    // component is taken from the manifests that define it; if they define it differently, that
    // is ambiguous.
    const candidates = this.entries(stack).filter((e) => (opts.type ? [opts.type] : COMPONENT_TYPES).some((t) => e.summary.components[t]?.includes(component)));
    if (candidates.length > 1) {
      const resolved = candidates.map((e) => this.resolveIn(e, component, opts));
      const shape = (r: ResolvedComponent) => JSON.stringify(r.section, (k, v: unknown) => (MANIFEST_KEYS.has(k) ? undefined : v));
      if (resolved.some((r) => shape(r) !== shape(resolved[0]))) {
        throw new StackError({
          code: 'STACK_NAME_DUPLICATE',
          message: `stack name ${JSON.stringify(stack)} is produced by several manifests that define component ${JSON.stringify(component)} differently: ${candidates.map((e) => e.summary.file).join(' and ')}`,
          where: this.opts.locateConfig?.(this.opts.nameTemplate ? 'stacks.name_template' : 'stacks.name_pattern') ?? candidates[0].summary.file,
          fix: 'give each manifest distinct vars for the name template/pattern, set a top-level `name:` in one of them, define the component in only one of them, or exclude one with stacks.excluded_paths',
        });
      }
      return resolved[0];
    }
    return this.resolveIn(candidates[0] ?? this.entry(stack), component, opts);
  }

  /**
   * Where each value of a resolved component comes from (`describe component --provenance`);
   * `section` is the resolved section, possibly evaluated and masked since.
   */
  provenance(resolved: ResolvedComponent, section: YamlMap): ComponentProvenance {
    const entry = this.load().find((e) => e.stack.file === resolved.stackFile);
    if (!entry) throw new Error(`internal: no stack for ${resolved.stackFile}`);
    return entry.resolver.provenance(resolved.type, resolved.component, section);
  }

  private resolveIn(entry: StackEntry, component: string, opts: ResolveComponentOptions): ResolvedComponent {
    const types = (opts.type ? [opts.type] : COMPONENT_TYPES).filter((t) => entry.summary.components[t]?.includes(component));
    if (types.length === 0) {
      const available = COMPONENT_TYPES.flatMap((t) => entry.summary.components[t] ?? []);
      throw new StackError({
        code: 'STACK_COMPONENT_NOT_FOUND',
        message: `component ${JSON.stringify(component)} is not defined in stack ${JSON.stringify(entry.summary.name)}${opts.type ? ` (type ${opts.type})` : ''}`,
        where: entry.stack.file,
        fix: available.length > 0 ? `use one of: ${[...new Set(available)].join(', ')}` : 'this stack defines no components; pick another stack (infrakey list stacks)',
      });
    }
    if (types.length > 1) {
      throw new StackError({
        code: 'STACK_COMPONENT_AMBIGUOUS',
        message: `component ${JSON.stringify(component)} is defined as ${types.join(' and ')} in stack ${JSON.stringify(entry.summary.name)}`,
        where: entry.stack.file,
        fix: 'name the component type (--type terraform|helmfile|packer|ansible)',
      });
    }
    const type = types[0];
    if (!opts.allowAbstract && entry.resolver.isAbstract(type, component)) {
      throw new StackError({
        code: 'STACK_COMPONENT_ABSTRACT',
        message: `component ${JSON.stringify(component)} in stack ${JSON.stringify(entry.summary.name)} is abstract (metadata.type: abstract) and cannot be deployed or described as an instance`,
        where: entry.stack.file,
        fix: 'describe a component that inherits from it (metadata.inherits), or remove `metadata.type: abstract`',
      });
    }
    const key = `${entry.summary.file}\0${type}\0${component}`;
    let hit = this.resolved.get(key);
    if (!hit) {
      hit = entry.resolver.resolve(type, component);
      this.resolved.set(key, hit);
    }
    return hit;
  }

  /**
   * The component an argument names, as Atmos resolves it: a component name first; else, when the
   * argument is a path (`.`, `./x`, `components/terraform/vpc`), the component of the stack whose
   * folder it is (relative paths against `cwd`). A folder used by several components is
   * ambiguous; a path outside the component folders is refused (both usage errors, exit 2).
   */
  componentFromArgument(arg: string, stack: string, cwd: string, type?: ComponentType): { component: string; type?: ComponentType } {
    const entry = this.entry(stack);
    const all = this.entries(stack);
    const types = type ? [type] : COMPONENT_TYPES;
    if (all.some((e) => types.some((t) => e.summary.components[t]?.includes(arg)))) return { component: arg, type };
    const isPath = arg === '.' || arg === '..' || arg.includes('/') || arg.includes(sep);
    if (!isPath) return { component: arg, type };
    const abs = resolvePath(cwd, arg);
    for (const t of types) {
      const base = this.opts.merge.componentBasePaths[t] ?? resolvePath(this.opts.merge.projectBasePath, 'components', t);
      const rel = relative(base, abs);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
      const folder = rel.split(sep).join('/');
      const matches = [
        ...new Set(all.flatMap((e) => (e.summary.components[t] ?? []).filter((name) => e.resolver.folderOf(t, name) === folder && !e.resolver.isAbstract(t, name)))),
      ].sort();
      if (matches.length === 1) return { component: matches[0], type: t };
      if (matches.length > 1) {
        throw new UsageError({
          code: 'STACK_COMPONENT_PATH_AMBIGUOUS',
          message: `ambiguous component path: ${arg} resolves to the folder ${folder}, which is used by several components in stack ${JSON.stringify(entry.summary.name)}. Matching components: ${matches.join(', ')}`,
          where: entry.stack.file,
          fix: `use the exact component name instead of a path, e.g. \`describe component ${matches[0]} -s ${entry.summary.name}\``,
        });
      }
      throw new StackError({
        code: 'STACK_COMPONENT_NOT_FOUND',
        message: `no component of stack ${JSON.stringify(entry.summary.name)} uses the folder ${folder} (from the path ${arg})`,
        where: entry.stack.file,
        fix: 'check the stack name, or define a component for this folder in the stack',
      });
    }
    const stacksDir = this.opts.basePath;
    const inStacks = abs === stacksDir || !relative(stacksDir, abs).startsWith('..');
    throw new UsageError({
      code: 'STACK_COMPONENT_PATH_OUTSIDE',
      message: `path is not within the component folders: ${abs}${inStacks ? ' is in the stacks folder, not a component folder' : ''}`,
      where: 'components.<type>.base_path',
      fix: 'change to a component folder and use `.`, give a path inside a component folder, or give the component name',
    });
  }

  /** Every manifest named `name`, those with components first. Throws STACK_NOT_FOUND. */
  private entries(name: string): StackEntry[] {
    this.load();
    const list = this.byName?.get(name);
    if (list) return list;
    this.entry(name);
    return [];
  }

  private entry(name: string): StackEntry {
    this.load();
    const list = this.byName?.get(name);
    if (list) return list.find((e) => hasComponents(e.summary)) ?? list[0];
    // Atmos looks stacks up by their logical name only (`name:` > name_template > name_pattern >
    // file name): a manifest's file name is not accepted when the manifest has another name.
    const byFile = this.byFile?.get(name);
    const names = this.listStacks().map((s) => s.name);
    const suggestion = byFile && byFile.summary.name !== name ? byFile.summary.name : closest(name, names);
    throw new StackError({
      code: 'STACK_NOT_FOUND',
      message: `invalid stack: stack ${JSON.stringify(name)} not found${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}${byFile && byFile.summary.name !== name ? ` (${byFile.summary.file} is named ${JSON.stringify(byFile.summary.name)})` : ''}`,
      where: 'stacks.base_path',
      fix: names.length > 0 ? `use one of: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''} (run \`infrakey list stacks\` to see all stacks)` : `no stacks with components were found under ${this.opts.basePath}; check stacks.included_paths`,
    });
  }

  private load(): StackEntry[] {
    if (this.all) return this.all;
    const files = discoverStackFiles(this.opts.basePath, this.opts.includedPaths, this.opts.excludedPaths);
    const strategy = this.opts.merge.listMergeStrategy;
    const entries: StackEntry[] = [];
    for (const file of files) {
      const stack = processStack(file, this.opts.basePath, this.cache, strategy);
      const components: Partial<Record<ComponentType, string[]>> = {};
      for (const type of COMPONENT_TYPES) {
        const names = stack.components[type];
        if (names && names.size > 0) components[type] = [...names.keys()].sort();
      }
      const summary: StackSummary = { name: '', fileName: stack.fileName, file, components };
      summary.name = resolveStackName(stack, this.opts, hasComponents(summary));
      entries.push({ summary, stack, resolver: new ComponentResolver(stack, summary.name, { stacksBasePath: this.opts.basePath, ...this.opts.merge }) });
    }
    entries.sort((a, b) => (a.summary.name < b.summary.name ? -1 : a.summary.name > b.summary.name ? 1 : 0));
    const byName = new Map<string, StackEntry[]>();
    const byFile = new Map<string, StackEntry>();
    for (const e of entries) {
      byFile.set(e.summary.fileName, e);
      const list = byName.get(e.summary.name);
      if (list) list.push(e);
      else byName.set(e.summary.name, [e]);
    }
    for (const list of byName.values()) list.sort((a, b) => Number(hasComponents(b.summary)) - Number(hasComponents(a.summary)) || (a.summary.file < b.summary.file ? -1 : 1));
    this.all = entries;
    this.byName = byName;
    this.byFile = byFile;
    return entries;
  }
}

/** The name nearest to `name` by edit distance, when it is near enough to be a likely typo. */
function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Keys that name the manifest, not the configuration (ignored when comparing a component across manifests). */
const MANIFEST_KEYS: ReadonlySet<string> = new Set(['atmos_manifest', 'atmos_stack_file', 'imports', 'deps', 'deps_all']);

/** One summary for several manifests with the same stack name: their components together. */
function mergedSummary(name: string, list: StackEntry[]): StackSummary {
  const components: Partial<Record<ComponentType, string[]>> = {};
  for (const type of COMPONENT_TYPES) {
    const names = new Set(list.flatMap((e) => e.summary.components[type] ?? []));
    if (names.size > 0) components[type] = [...names].sort();
  }
  return { ...list[0].summary, name, components };
}

function hasComponents(summary: StackSummary): boolean {
  return Object.keys(summary.components).length > 0;
}
