import { isFile } from '../fs/path-kind';
import { dirname, extname, isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { StackError, type SourceLocation } from '../errors';
import type { LoadedYaml } from '../yaml/load-yaml';
import { deepMerge, isMap, mergeInto, setKey, type ListMergeStrategy, type YamlMap } from './deep-merge';
import type { ManifestCache, TemplateRequest } from './manifest-cache';
import { hasStackExtension, preferTemplates, STACK_EXTENSIONS, stackRelativeName } from './stack-files';

/** Component types Atmos knows; each has a `<type>:` section and `components.<type>`. */
export const COMPONENT_TYPES = ['terraform', 'helmfile', 'packer', 'ansible'] as const;
/** A component section type of a stack manifest (`components.<type>`). */
export type ComponentType = (typeof COMPONENT_TYPES)[number];

/** Top-level keys that are not merged into the stack-level sections. */
const NON_SECTION_KEYS: ReadonlySet<string> = new Set(['import', 'components', 'overrides', 'name', ...COMPONENT_TYPES]);

/** Locates a path inside one manifest. */
export type Locator = (path: readonly (string | number)[]) => SourceLocation | undefined;

/** One manifest of a stack's import tree, as the provenance view names it. */
export interface ManifestRef {
  /** Path relative to the stacks base, with its extension (`orgs/acme/dev.yaml`). */
  relativeFile: string;
  /** Import depth: 1 for the stack manifest, 2 for what it imports, and so on. */
  depth: number;
  /** Locates the value at a path of the manifest (a block map or list: its first entry). */
  locateValue: Locator;
}

/** A manifest's content in merge order, with where it sits in the import tree. */
export interface ManifestLayer extends ManifestRef {
  /** Path relative to the stacks base, without extension. */
  fileName: string;
  value: YamlMap;
}

/** An `overrides` map (stack-wide or `<type>.overrides`) that applies to a component, with its manifest. */
export interface OverridesSource {
  value: YamlMap;
  /** Where the map sits in its manifest: `['overrides']` or `[type, 'overrides']`. */
  path: string[];
  ref: ManifestRef;
}

/** One `components.<type>.<name>` block in one manifest of a stack's import tree. */
export interface ComponentOccurrence {
  section: YamlMap;
  /** The `overrides` that apply to it: its manifest's, then each importer's (importers win). */
  overrides?: YamlMap;
  file: string;
  /** Locates a path relative to the component block. */
  locate: Locator;
  /** The manifest of this block. */
  ref: ManifestRef;
  /** The `overrides` maps behind `overrides`, lowest priority first. */
  overrideSources?: OverridesSource[];
}

/** A stack manifest with its imports merged (atmos-semantics §7.2). */
export interface ProcessedStack {
  /** Absolute path of the manifest. */
  file: string;
  /** Path relative to the stacks base, without extension: the file-derived stack name. */
  fileName: string;
  /** The manifest's own top-level `name:`, if any. */
  explicitName?: string;
  /** Top-level sections (`vars`, `settings`, `env`, `auth`, `secrets`, `hooks`, ...) after the import merge. */
  globals: YamlMap;
  /** `terraform:`/`helmfile:`/... sections after the import merge (without `overrides`). */
  typeSections: Partial<Record<ComponentType, YamlMap>>;
  /** Component blocks in merge order, by type and name. */
  components: Partial<Record<ComponentType, Map<string, ComponentOccurrence[]>>>;
  /** Imported manifests (relative to the stacks base, without extension), sorted, unique. */
  imports: string[];
  /** For each stack-level `secrets.vars` name, where it was declared last. */
  stackSecretOrigins: Map<string, { file: string; locate: Locator }>;
  /** Locates a path in the root manifest. */
  locate: Locator;
  /** Each manifest's own content in merge order (lowest priority first), for `deps`/`deps_all` and provenance. */
  layers: ManifestLayer[];
  /** For each imported manifest (as in `imports`), the `import:` entry that first brought it in, and that manifest. */
  importedAt: Map<string, { ref: ManifestRef; path: (string | number)[] }>;
}

/** One entry of an `import:` list, normalised. */
interface ImportEntry {
  path: string;
  context?: YamlMap;
  skipIfMissing: boolean;
  skipTemplates: boolean;
  ignoreMissing: boolean;
  at?: SourceLocation;
}

/** A chain of `overrides` from a manifest up to the root (nearer the root wins). */
interface OverridesChain {
  global?: unknown;
  byType?: YamlMap;
  parent?: OverridesChain;
  ref: ManifestRef;
}

const REMOTE_IMPORT = /^(https?:\/\/|github\.com\/|git::|s3::|gcs::|file:\/\/|git@)/i;
const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Merges a stack manifest with its imports, depth first: imports in list order (later over
 * earlier), then the file itself. Cycles are STACK_IMPORT_CYCLE naming the chain of files.
 */
export function processStack(rootFile: string, basePath: string, cache: ManifestCache, strategy: ListMergeStrategy): ProcessedStack {
  const root = cache.load(rootFile);
  const state: ProcessedStack = {
    file: rootFile,
    fileName: stackRelativeName(basePath, rootFile),
    globals: {},
    typeSections: {},
    components: {},
    imports: [],
    stackSecretOrigins: new Map(),
    locate: root.locate,
    layers: [],
    importedAt: new Map(),
  };
  const imported = new Set<string>();
  const visit = (file: string, loaded: LoadedYaml, chain: readonly string[], context: YamlMap | undefined, parentOverrides: OverridesChain | undefined): void => {
    const value = loaded.value;
    if (value === null || value === undefined) return;
    if (!isMap(value)) {
      throw new StackError({
        code: 'STACK_MANIFEST_INVALID',
        message: 'a stack manifest must be a YAML map (of import, vars, components, ...)',
        where: loaded.locate([]) ?? file,
        fix: 'make the top level of the file a map, e.g. `vars: {}` and `components: {}`',
      });
    }
    const ref: ManifestRef = {
      relativeFile: relative(basePath, file).split(sep).join('/'),
      depth: chain.length,
      locateValue: (path) => loaded.locate(path, { value: true }),
    };
    const overrides = ownOverrides(value, parentOverrides, ref);
    const entries = parseImports(value.import, loaded);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const entryContext = entry.context ? deepMerge([context, entry.context]) : context;
      for (const target of resolveImport(entry, file, basePath, loaded)) {
        if (chain.includes(target)) {
          throw new StackError({
            code: 'STACK_IMPORT_CYCLE',
            message: `import cycle: ${[...chain, target].map((f) => relativeToBase(basePath, f)).join(' -> ')}`,
            where: entry.at ?? file,
            fix: 'remove one of these imports so that no manifest imports itself, directly or indirectly',
          });
        }
        const importedName = stackRelativeName(basePath, target);
        imported.add(importedName);
        if (!state.importedAt.has(importedName)) state.importedAt.set(importedName, { ref, path: ['import', i] });
        const template = templateRequest(target, entryContext, entry);
        visit(target, cache.load(target, template, entry.at), [...chain, target], entryContext, overrides);
      }
    }
    mergeOwnSections(state, value, file, loaded, overrides, strategy, ref);
    state.layers.push({ ...ref, fileName: stackRelativeName(basePath, file), value });
  };
  visit(rootFile, root, [rootFile], undefined, undefined);
  if (isMap(root.value) && typeof root.value.name === 'string' && root.value.name !== '') state.explicitName = root.value.name;
  state.imports = [...imported].sort();
  return state;
}

function relativeToBase(basePath: string, file: string): string {
  const rel = relative(basePath, file).split(sep).join('/');
  return rel.startsWith('..') ? file : rel;
}

function ownOverrides(value: YamlMap, parent: OverridesChain | undefined, ref: ManifestRef): OverridesChain | undefined {
  const global = value.overrides;
  let byType: YamlMap | undefined;
  for (const type of COMPONENT_TYPES) {
    const section = value[type];
    if (isMap(section) && isMap(section.overrides)) (byType ??= {})[type] = section.overrides;
  }
  if (!isMap(global) && !byType) return parent;
  return { global: isMap(global) ? global : undefined, byType, parent, ref };
}

/** The maps {@link effectiveOverrides} merges, in the same order, with their manifests (for provenance). */
function overridesSources(chain: OverridesChain | undefined, type: ComponentType): OverridesSource[] {
  const out: OverridesSource[] = [];
  for (let c: OverridesChain | undefined = chain; c; c = c.parent) {
    if (isMap(c.global)) out.push({ value: c.global, path: ['overrides'], ref: c.ref });
    const byType = c.byType?.[type];
    if (isMap(byType)) out.push({ value: byType, path: [type, 'overrides'], ref: c.ref });
  }
  return out;
}

/** The overrides for a component of `type` in a manifest: own global, own type, then each importer's (importers win). */
function effectiveOverrides(chain: OverridesChain | undefined, type: ComponentType, strategy: ListMergeStrategy): YamlMap | undefined {
  if (!chain) return undefined;
  // Lowest priority first: the manifest's own overrides, then each importer's up to the root.
  const layers: unknown[] = [];
  for (let c: OverridesChain | undefined = chain; c; c = c.parent) layers.push(c.global, c.byType?.[type]);
  const merged = deepMerge(layers, strategy);
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function mergeOwnSections(state: ProcessedStack, value: YamlMap, file: string, loaded: LoadedYaml, overrides: OverridesChain | undefined, strategy: ListMergeStrategy, ref: ManifestRef): void {
  for (const key of Object.keys(value)) {
    if (NON_SECTION_KEYS.has(key)) continue;
    const section = value[key];
    if (key === 'secrets' && isMap(section) && isMap(section.vars)) {
      for (const name of Object.keys(section.vars)) state.stackSecretOrigins.set(name, { file, locate: loaded.locate });
    }
    if (isMap(section) && isMap(state.globals[key])) mergeInto(state.globals[key] as YamlMap, section, strategy);
    else mergeInto(state.globals, { [key]: section }, strategy);
  }
  for (const type of COMPONENT_TYPES) {
    const section = value[type];
    if (section === undefined || section === null) continue;
    if (!isMap(section)) throw notAMap(loaded, [type], `${type}:`);
    const rest: YamlMap = {};
    for (const key of Object.keys(section)) if (key !== 'overrides') setKey(rest, key, section[key]);
    state.typeSections[type] = mergeInto(state.typeSections[type] ?? {}, rest, strategy);
  }
  const components = value.components;
  if (components === undefined || components === null) return;
  if (!isMap(components)) throw notAMap(loaded, ['components'], 'components:');
  for (const typeKey of Object.keys(components)) {
    // Other component types (Atmos plugins such as `emulator`) are Atmos's to run: infrakey leaves
    // them out of its stacks (describe/list show terraform, helmfile, packer and ansible only).
    if (!(COMPONENT_TYPES as readonly string[]).includes(typeKey)) continue;
    const type = typeKey as ComponentType;
    const byName = components[type];
    if (byName === null || byName === undefined) continue;
    if (!isMap(byName)) throw notAMap(loaded, ['components', type], `components.${type}:`);
    let effective: YamlMap | undefined | null = null;
    const map = (state.components[type] ??= new Map());
    for (const name of Object.keys(byName)) {
      let section = byName[name];
      if (section === null || section === undefined) section = {};
      if (!isMap(section)) throw notAMap(loaded, ['components', type, name], `components.${type}.${name}:`);
      if (effective === null) effective = effectiveOverrides(overrides, type, strategy);
      const prefix = ['components', type, name];
      const occurrence: ComponentOccurrence = {
        section,
        overrides: effective,
        file,
        locate: (path) => loaded.locate([...prefix, ...path]),
        ref: { ...ref, locateValue: (path) => loaded.locate([...prefix, ...path], { value: true }) },
        ...(effective ? { overrideSources: overridesSources(overrides, type) } : {}),
      };
      const list = map.get(name);
      if (list) list.push(occurrence);
      else map.set(name, [occurrence]);
    }
  }
}

function notAMap(loaded: LoadedYaml, path: string[], what: string): StackError {
  return new StackError({
    code: 'STACK_MANIFEST_INVALID',
    message: `${what} must be a map`,
    where: loaded.locate(path) ?? loaded.file,
    fix: `write ${what} as a map of keys to values`,
  });
}

function parseImports(raw: unknown, loaded: LoadedYaml): ImportEntry[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) {
    throw new StackError({
      code: 'STACK_IMPORT_INVALID',
      message: '`import:` must be a list of paths or {path, context} objects',
      where: loaded.locate(['import']) ?? loaded.file,
      fix: 'write `import:` as a YAML list, e.g. `import: [catalog/vpc]`',
    });
  }
  return list.map((item, i): ImportEntry => {
    const at = loaded.locate(['import', i]) ?? { file: loaded.file };
    if (typeof item === 'string' && item.trim() !== '') {
      return { path: item.trim(), skipIfMissing: false, skipTemplates: false, ignoreMissing: false, at };
    }
    if (isMap(item) && typeof item.path === 'string' && item.path.trim() !== '') {
      if (item.context !== undefined && item.context !== null && !isMap(item.context)) {
        throw new StackError({
          code: 'STACK_IMPORT_INVALID',
          message: 'import `context` must be a map',
          where: loaded.locate(['import', i, 'context']) ?? at,
          fix: 'write `context:` as a map of template values',
        });
      }
      return {
        path: item.path.trim(),
        context: isMap(item.context) ? item.context : undefined,
        skipIfMissing: item.skip_if_missing === true,
        skipTemplates: item.skip_templates_processing === true,
        ignoreMissing: item.ignore_missing_template_values === true,
        at,
      };
    }
    throw new StackError({
      code: 'STACK_IMPORT_INVALID',
      message: 'an `import:` entry must be a non-empty path or a map with a `path`',
      where: at,
      fix: 'write `- catalog/vpc` or `- path: catalog/vpc` with optional `context:` and `skip_if_missing:`',
    });
  });
}

function templateRequest(target: string, context: YamlMap | undefined, entry: ImportEntry): TemplateRequest | undefined {
  if (entry.skipTemplates) return undefined;
  const hasContext = context !== undefined && Object.keys(context).length > 0;
  if (!target.endsWith('.tmpl') && !hasContext) return undefined;
  return { context: context ?? {}, ignoreMissing: entry.ignoreMissing };
}

/**
 * Resolves one import to files: `./`/`../` paths relative to the importing manifest, others to
 * the stacks base; without an extension `.yaml.tmpl`, `.yaml`, `.yml.tmpl`, `.yml` are tried;
 * globs (`*`, `**`) match sorted. Nothing found is STACK_IMPORT_NOT_FOUND unless `skip_if_missing`.
 */
export function resolveImport(entry: ImportEntry, fromFile: string, basePath: string, loaded?: LoadedYaml): string[] {
  const p = entry.path;
  if (REMOTE_IMPORT.test(p)) {
    throw new StackError({
      code: 'STACK_IMPORT_REMOTE',
      message: `remote import ${p} is not supported`,
      where: entry.at ?? loaded?.file,
      fix: 'vendor the manifest into the stacks folder and import it by a local path',
    });
  }
  const relativeToFile = p.startsWith('./') || p.startsWith('../');
  const cwd = isAbsolute(p) ? '/' : relativeToFile ? dirname(fromFile) : basePath;
  let found: string[];
  if (GLOB_CHARS.test(p)) {
    const pattern = isAbsolute(p) ? p.slice(1) : p;
    // Atmos adds an extension only when the pattern has none: `services/top-level-service-?.*`
    // already names one (`.*`), and appending `.yaml` to it would match nothing.
    const hasExt = hasStackExtension(pattern) || extname(pattern) !== '';
    const patterns = hasExt ? [pattern] : STACK_EXTENSIONS.map((ext) => pattern + ext);
    found = preferTemplates(globSync(patterns, { cwd, absolute: true, onlyFiles: true }).filter(hasStackExtension));
  } else {
    const abs = resolvePath(cwd, p);
    // A path with its own extension (`prod.defaults.tmpl`) is tried as written first, as Atmos
    // adds `.yaml` only to paths without one.
    const candidates = hasStackExtension(abs) ? [abs] : [...(extname(p) !== '' ? [abs] : []), ...STACK_EXTENSIONS.map((ext) => abs + ext)];
    const hit = candidates.find(isFile);
    found = hit ? [hit] : [];
  }
  if (found.length === 0 && !entry.skipIfMissing) {
    const looked = GLOB_CHARS.test(p) ? `no manifest matches the pattern under ${cwd}` : `looked for ${hasStackExtension(p) ? resolvePath(cwd, p) : `${resolvePath(cwd, p)}{${STACK_EXTENSIONS.join(',')}}`}`;
    throw new StackError({
      code: 'STACK_IMPORT_NOT_FOUND',
      message: `import ${JSON.stringify(p)} not found (${looked})`,
      where: entry.at ?? fromFile,
      fix: 'fix the path (relative to the stacks base path, or to this file when it starts with ./ or ../), create the manifest, or set `skip_if_missing: true` on the import',
    });
  }
  return found;
}

