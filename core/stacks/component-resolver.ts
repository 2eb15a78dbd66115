import { isAbsolute, posix, resolve as resolvePath, sep } from 'node:path';
import { StackError, type SourceLocation } from '../errors';
import { mergeComponentAuth } from './auth-merge';
import { renderGoTemplate } from './go-template';
import { atlantisProjectName, spaceliftStackName, withGithubIntegration, type IntegrationNaming } from './integration-names';
import { YamlFunction } from '../yaml/yaml-function';
import { cloneValue, deepMerge, isMap, LIST_MERGE_STRATEGIES, setKey, type ListMergeStrategy, type YamlMap } from './deep-merge';
import { mergeSecretsLayers, type SecretDeclarationSource, type SecretsLayer } from './secrets-scope';
import type { ComponentOccurrence, ComponentType, ProcessedStack } from './stack-processor';
import { traceComponentProvenance, type ComponentProvenance } from './provenance';

/** Settings of the component merge that come from atmos.yaml. */
export interface ComponentMergeSettings {
  listMergeStrategy: ListMergeStrategy;
  /** `stacks.inherit.metadata` (default true): inherit `metadata` fields other than `type`/`inherits`. */
  inheritMetadata: boolean;
  /** atmos.yaml `auth`, the base of every component's `auth` (§1.5.2). */
  globalAuth?: unknown;
  /** The absolute Atmos base path. */
  projectBasePath: string;
  /** The absolute stacks folder (manifest names in `deps` are relative to it). */
  stacksBasePath?: string;
  /** Absolute folder of each component type (`components.<type>.base_path`). */
  componentBasePaths: Partial<Record<ComponentType, string>>;
  /** `components.<type>.base_path` as written (describe stacks shows paths joined from these). */
  relativeBasePaths?: Partial<Record<ComponentType, string>>;
  /** `base_path` as written. */
  rawBasePath?: string;
  /** `components.<type>.command` (after `ATMOS_COMPONENTS_<TYPE>_COMMAND`). */
  componentCommands?: Partial<Record<ComponentType, string>>;
  /** The atmos.yaml settings shown as `atmos_cli_config` by describe component. */
  cliConfig?: YamlMap;
  /** Stack naming and atmos.yaml `integrations`: `spacelift_stack`, `atlantis_project`, `settings.integrations.github`. */
  integrationNaming?: IntegrationNaming;
  /** atmos.yaml `templates.settings`: when enabled, Go templates in the merged section are rendered. */
  templates?: { enabled: boolean; evaluations: number; delimiters?: [string, string]; env?: NodeJS.ProcessEnv };
}

/** The program Atmos runs for each component type when atmos.yaml names none. */
const DEFAULT_COMMANDS: Record<ComponentType, string> = { terraform: 'terraform', helmfile: 'helmfile', packer: 'packer', ansible: 'ansible-playbook' };

/** A component of a stack after the merge, before YAML functions are resolved. */
export interface ResolvedComponent {
  /** The Atmos component (instance) name. */
  component: string;
  type: ComponentType;
  /** The logical stack name. */
  stack: string;
  /** Absolute path of the stack manifest. */
  stackFile: string;
  /** Manifest that defines the component last (highest priority). */
  definedIn: string;
  /** The merged section, shaped like `atmos describe component` output; YAML functions unresolved. */
  section: YamlMap;
  /** For each `secrets.vars` declaration: its stamped scope and the manifest that declared it last. */
  secretSources: Record<string, SecretDeclarationSource>;
}

/** Sections merged through every layer (stack → type → bases → component → overrides). */
const LAYERED_SECTIONS = ['vars', 'settings', 'env', 'hooks', 'providers', 'backend', 'remote_state_backend'] as const;
/** Scalar sections with the same layering. */
const SCALAR_SECTIONS = ['backend_type', 'remote_state_backend_type', 'command'] as const;
/** Keys handled explicitly; anything else in a component block is merged bases → component. */
const HANDLED: ReadonlySet<string> = new Set([...LAYERED_SECTIONS, ...SCALAR_SECTIONS, 'auth', 'secrets', 'metadata', 'overrides', 'component', 'locals']);

interface Definition {
  name: string;
  section: YamlMap;
  overrides?: YamlMap;
  occurrences: ComponentOccurrence[];
}

/**
 * Merges one component of one stack (atmos-semantics §7.3–7.4): for each section, the stack's
 * top-level section, the component-type section, the base components of `metadata.inherits`
 * (each with its own chain first, in declared order), the component, then `overrides`. `secrets`
 * has no type level and is scope-stamped (§6.3); `auth` sits on atmos.yaml's `auth` (§1.5.2).
 */
export class ComponentResolver {
  private readonly definitions = new Map<string, Definition>();

  constructor(
    private readonly stack: ProcessedStack,
    private readonly stackName: string,
    private readonly settings: ComponentMergeSettings,
  ) {}

  /** The component names of a type defined in this stack. */
  names(type: ComponentType): string[] {
    return [...(this.stack.components[type]?.keys() ?? [])];
  }

  /** The component folder of a component (see componentDirectory), or undefined when not defined. */
  folderOf(type: ComponentType, name: string): string | undefined {
    const def = this.definition(type, name);
    return def ? this.componentDirectory(type, def) : undefined;
  }

  /** True when the component's own `metadata.type` is `abstract`. */
  isAbstract(type: ComponentType, name: string): boolean {
    const def = this.definition(type, name);
    return isMap(def?.section.metadata) && def.section.metadata.type === 'abstract';
  }

  /**
   * Where each value of a resolved component comes from: `section` is what `resolve` returned,
   * possibly with YAML functions resolved and secrets masked since.
   */
  provenance(type: ComponentType, name: string, section: YamlMap): ComponentProvenance {
    const def = this.definition(type, name);
    const bases = def ? [...new Set(this.baseChain(type, def, [name]))] : [];
    const settings = isMap(section.settings) ? section.settings : {};
    const strategy = LIST_MERGE_STRATEGIES.includes(settings.list_merge_strategy as ListMergeStrategy)
      ? (settings.list_merge_strategy as ListMergeStrategy)
      : this.settings.listMergeStrategy;
    const templates = this.settings.templates;
    return traceComponentProvenance({
      stack: this.stack,
      type,
      name,
      bases,
      strategy,
      section,
      templateLeft: templates?.enabled ? (templates.delimiters?.[0] ?? '{{') : undefined,
    });
  }

  /** Merges the component. Throws STACK_COMPONENT_NOT_FOUND, STACK_INHERITS_MISSING, STACK_INHERITS_CYCLE. */
  resolve(type: ComponentType, name: string): ResolvedComponent {
    const def = this.definition(type, name);
    if (!def) {
      throw new StackError({
        code: 'STACK_COMPONENT_NOT_FOUND',
        message: `component ${JSON.stringify(name)} is not defined in stack ${JSON.stringify(this.stackName)}`,
        where: this.stack.file,
        fix: `define components.${type}.${name} in ${this.stack.fileName} or a manifest it imports, or pick another stack`,
      });
    }
    // A base reached twice (diamond) is merged once, at its first position.
    const bases = [...new Set(this.baseChain(type, def, [name]))];
    const baseDefs = bases.map((b) => this.definition(type, b) as Definition);
    const { globals } = this.stack;
    const typeSection = this.stack.typeSections[type] ?? {};
    const overrides = def.overrides ?? {};

    const layersOf = (key: string, withType = true): unknown[] => [
      globals[key],
      withType ? typeSection[key] : undefined,
      ...baseDefs.map((b) => b.section[key]),
      def.section[key],
      overrides[key],
    ];

    // settings first: its list_merge_strategy decides how the other sections merge.
    const settings = withGithubIntegration(deepMerge(layersOf('settings'), this.settings.listMergeStrategy), this.settings.integrationNaming?.integrations);
    const strategy = LIST_MERGE_STRATEGIES.includes(settings.list_merge_strategy as ListMergeStrategy)
      ? (settings.list_merge_strategy as ListMergeStrategy)
      : this.settings.listMergeStrategy;

    const out: YamlMap = {};
    for (const key of LAYERED_SECTIONS) {
      out[key] = key === 'settings' ? settings : deepMerge(layersOf(key), strategy);
    }
    for (const key of SCALAR_SECTIONS) {
      const value = layersOf(key).reduce((acc, v) => (v === undefined || v === null ? acc : v), undefined);
      if (value !== undefined) out[key] = value;
    }
    this.shapeBackends(out, name);
    // Atmos prints these for every Terraform component, empty when unset.
    if (type === 'terraform') {
      out.backend_type ??= '';
      out.remote_state_backend_type ??= '';
    }
    out.command ??= this.settings.componentCommands?.[type] ?? DEFAULT_COMMANDS[type];

    // Other keys of the component blocks (e.g. `dependencies`, `source`): bases, then the component.
    for (const d of [...baseDefs, def]) {
      for (const key of Object.keys(d.section)) {
        if (HANDLED.has(key)) continue;
        out[key] = isMap(d.section[key]) ? deepMerge([out[key], d.section[key]], strategy) : cloneValue(d.section[key]);
      }
    }

    const stackAuth = deepMerge(layersOf('auth'), strategy);
    out.auth = mergeComponentAuth(this.settings.globalAuth, stackAuth, strategy, (identity) => this.locateAuth(def, identity));

    const secrets = mergeSecretsLayers(this.secretsLayers(baseDefs, def), (layers) => deepMerge(layers, strategy));
    // Atmos has no `secrets` section: it is shown only when the component declares secrets.
    if (isMap(secrets.section) && Object.keys(secrets.section).length > 0) out.secrets = secrets.section;

    out.metadata = this.metadata(baseDefs, def, strategy);
    out.overrides = cloneValue(overrides);

    const terraformComponent = this.componentDirectory(type, def);
    out.component = terraformComponent;
    out.inheritance = bases.slice().reverse();
    out.imports = this.stack.imports.slice();
    Object.assign(out, this.dependencies(type, [...bases, name]));
    if (this.settings.cliConfig) out.atmos_cli_config = cloneValue(this.settings.cliConfig);
    out.atmos_component = name;
    out.atmos_stack = this.stackName;
    out.atmos_stack_file = this.stack.fileName;
    out.atmos_manifest = this.stack.fileName;
    out.stack = this.stackName;
    out.component_type = type;
    const typeBase = this.settings.componentBasePaths[type] ?? resolvePath(this.settings.projectBasePath, 'components', type);
    out.component_info = {
      component_type: type,
      // describe component shows the absolute folder; describe stacks the path joined from
      // atmos.yaml's base paths as written (see relativeComponentPath).
      component_path: toPosix(resolvePath(typeBase, terraformComponent)),
    };
    if (type === 'terraform') out.workspace = this.workspace(name, terraformComponent, out.metadata as YamlMap);

    // Before templates render, as Atmos: stack defaults such as `tags: { spacelift_stack: "{{ .spacelift_stack }}" }` use them.
    const naming = this.settings.integrationNaming ?? {};
    const spacelift = spaceliftStackName(out, name, this.stackName, naming, this.locateIn(def, ['settings', 'spacelift']) ?? def.occurrences[def.occurrences.length - 1].file);
    if (spacelift !== undefined) out.spacelift_stack = spacelift;
    const atlantis = atlantisProjectName(out, name, naming);
    if (atlantis !== undefined) out.atlantis_project = atlantis;

    let section = sortKeys(out);
    if (this.settings.templates?.enabled) section = this.renderTemplates(section, [...baseDefs, def]);
    return {
      component: name,
      type,
      stack: this.stackName,
      stackFile: this.stack.file,
      definedIn: def.occurrences[def.occurrences.length - 1].file,
      section,
      secretSources: secrets.sources,
    };
  }

  /**
   * Renders Go templates in the merged section as Atmos does when `templates.settings.enabled`:
   * the section is the template data (`.vars`, `.settings`, `.atmos_component`, `.atmos_stack`,
   * `.workspace`, …), a missing value prints `<no value>` (Atmos renders sections with
   * `missingkey=default`), and `evaluations` passes each see the previous pass's result. Every
   * string (and YAML-function argument) holding an action is rendered; the result stays a string.
   */
  private renderTemplates(section: YamlMap, defs: Definition[]): YamlMap {
    const t = this.settings.templates as NonNullable<ComponentMergeSettings['templates']>;
    let current = section;
    for (let pass = 0; pass < Math.max(1, t.evaluations); pass++) {
      const data = current;
      const render = (value: unknown, path: string[]): unknown => {
        if (typeof value === 'string') return value.includes(t.delimiters?.[0] ?? '{{') ? this.renderOne(value, data, path, defs) : value;
        if (value instanceof YamlFunction) {
          return value.args.includes(t.delimiters?.[0] ?? '{{') ? new YamlFunction(value.tag, this.renderOne(value.args, data, path, defs), value.source) : value;
        }
        if (Array.isArray(value)) return value.map((v, i) => render(v, [...path, String(i)]));
        if (isMap(value)) {
          const out: YamlMap = {};
          for (const key of Object.keys(value)) {
            const k = key.includes(t.delimiters?.[0] ?? '{{') ? this.renderOne(key, data, path, defs) : key;
            setKey(out, k, render(value[key], [...path, key]));
          }
          return out;
        }
        return value;
      };
      current = render(current, []) as YamlMap;
    }
    return current;
  }

  private renderOne(text: string, data: YamlMap, path: string[], defs: Definition[]): string {
    const t = this.settings.templates as NonNullable<ComponentMergeSettings['templates']>;
    let where: SourceLocation | undefined;
    for (let i = defs.length - 1; i >= 0 && !where; i--) {
      for (let j = defs[i].occurrences.length - 1; j >= 0 && !where; j--) where = defs[i].occurrences[j].locate(path);
    }
    where ??= this.stack.locate(path) ?? { file: this.stack.file };
    return renderGoTemplate(text, data, {
      subject: `Go template in ${path.join('.') || 'the component'} of component ${JSON.stringify(data.atmos_component)} in stack ${JSON.stringify(this.stackName)}`,
      where,
      missing: 'no-value',
      env: t.env,
      delimiters: t.delimiters,
    });
  }

  /**
   * `deps` and `deps_all` as Atmos computes them from where each value comes from: for every
   * top-level key of `vars`, `settings`, `env`, `backend`, `remote_state_backend` and the backend
   * types, the manifests that set it, highest priority first (the component's blocks, its bases,
   * the type section, the stack section; later manifests first within a level). `deps` holds the
   * manifest that wins for some key, `deps_all` every manifest that sets one; both include the
   * stack itself.
   */
  private dependencies(type: ComponentType, names: string[]): { deps: string[]; deps_all: string[] } {
    const sections = ['vars', 'settings', 'env', 'backend', 'remote_state_backend', 'backend_type', 'remote_state_backend_type'];
    const deps = new Set<string>([this.stack.fileName]);
    const all = new Set<string>([this.stack.fileName]);
    const layers = this.stack.layers;
    for (const section of sections) {
      const byKey = new Map<string, string[]>();
      const record = (fileName: string, value: unknown) => {
        if (value === undefined || value === null) return;
        const keys = isMap(value) ? Object.keys(value) : [''];
        for (const k of keys) {
          const list = byKey.get(k);
          if (list) list.push(fileName);
          else byKey.set(k, [fileName]);
        }
      };
      // Highest priority first: component (and bases, nearest first), type level, stack level.
      const levels: ((v: YamlMap) => unknown)[] = [
        ...names
          .slice()
          .reverse()
          .map((n) => (v: YamlMap) => {
            const c = v.components;
            const t = isMap(c) ? c[type] : undefined;
            const block = isMap(t) ? t[n] : undefined;
            return isMap(block) ? block[section] : undefined;
          }),
        (v) => (isMap(v[type]) ? (v[type] as YamlMap)[section] : undefined),
        (v) => v[section],
      ];
      for (const level of levels) for (let i = layers.length - 1; i >= 0; i--) record(layers[i].fileName, level(layers[i].value));
      for (const files of byKey.values()) {
        deps.add(files[0]);
        for (const f of files) all.add(f);
      }
    }
    return { deps: [...deps].sort(), deps_all: [...all].sort() };
  }

  /** The component's blocks across the import tree, merged (cached per stack). */
  private definition(type: ComponentType, name: string): Definition | undefined {
    const key = `${type}/${name}`;
    const hit = this.definitions.get(key);
    if (hit) return hit;
    const occurrences = this.stack.components[type]?.get(name);
    if (!occurrences) return undefined;
    const strategy = this.settings.listMergeStrategy;
    const section = occurrences.length === 1 ? occurrences[0].section : deepMerge(occurrences.map((o) => o.section), strategy);
    const withOverrides = occurrences.filter((o) => o.overrides);
    const overrides = withOverrides.length === 0 ? undefined : deepMerge(withOverrides.map((o) => o.overrides), strategy);
    const def: Definition = { name, section, overrides, occurrences };
    this.definitions.set(key, def);
    return def;
  }

  /**
   * Bases in merge order (lowest first), as Atmos: the legacy top-level `component: X` attribute
   * when X is a component of the stack (X's own chain, then X), then each `metadata.inherits`
   * entry (its own chain, then itself). A `component:` naming no component of the stack is not a
   * base (Atmos ignores it for inheritance).
   */
  private baseChain(type: ComponentType, def: Definition, path: readonly string[]): string[] {
    const out: string[] = [];
    const legacy = this.legacyBase(type, def);
    if (legacy && !path.includes(legacy.name)) {
      for (const b of this.baseChain(type, legacy, [...path, legacy.name])) out.push(b);
      out.push(legacy.name);
    }
    const metadata = def.section.metadata;
    const inherits = isMap(metadata) ? metadata.inherits : undefined;
    if (inherits === undefined || inherits === null) return out;
    const where = (i?: number) => this.locateIn(def, i === undefined ? ['metadata', 'inherits'] : ['metadata', 'inherits', i]);
    if (!Array.isArray(inherits)) {
      throw new StackError({
        code: 'STACK_INHERITS_INVALID',
        message: `metadata.inherits of component ${JSON.stringify(def.name)} must be a list of component names`,
        where: where(),
        fix: 'write `inherits: [base-component]`',
      });
    }
    inherits.forEach((base, i) => {
      if (typeof base !== 'string' || base === '') {
        throw new StackError({
          code: 'STACK_INHERITS_INVALID',
          message: `metadata.inherits of component ${JSON.stringify(def.name)} must list component names`,
          where: where(i),
          fix: 'write `inherits: [base-component]`',
        });
      }
      if (path.includes(base)) {
        throw new StackError({
          code: 'STACK_INHERITS_CYCLE',
          message: `component inheritance cycle in stack ${JSON.stringify(this.stackName)}: ${[...path, base].join(' -> ')}`,
          where: where(i),
          fix: 'remove one of these metadata.inherits entries so that no component inherits from itself',
        });
      }
      const baseDef = this.definition(type, base);
      if (!baseDef) {
        throw new StackError({
          code: 'STACK_INHERITS_MISSING',
          message: `component ${JSON.stringify(def.name)} in stack ${JSON.stringify(this.stackName)} inherits from ${JSON.stringify(base)}, which is not defined in that stack`,
          where: where(i),
          fix: `define components.${type}.${base} in the stack (inline or in an imported manifest: inherits does not import), or remove it from metadata.inherits`,
        });
      }
      for (const b of this.baseChain(type, baseDef, [...path, base])) out.push(b);
      out.push(base);
    });
    return out;
  }

  private secretsLayers(baseDefs: Definition[], def: Definition): SecretsLayer[] {
    const origins = this.stack.stackSecretOrigins;
    const layers: SecretsLayer[] = [
      {
        section: this.stack.globals.secrets,
        position: 'stack',
        file: this.stack.file,
        locate: (path) => {
          const name = path[1];
          const origin = typeof name === 'string' ? origins.get(name) : undefined;
          return origin ? (origin.locate(['secrets', ...path]) ?? { file: origin.file }) : this.stack.locate(['secrets', ...path]);
        },
      },
    ];
    for (const d of [...baseDefs, def]) {
      // A layer without `secrets:` adds nothing (mergeSecretsLayers skips it); finding its file
      // walks the YAML of every occurrence, so skip it here (benchmark B3: 6,000 components).
      if (d.section.secrets === undefined || d.section.secrets === null) continue;
      layers.push({ section: d.section.secrets, position: 'instance', file: this.lastFile(d, ['secrets']), locate: (path) => this.locateIn(d, ['secrets', ...path]) });
    }
    if (def.overrides && def.overrides.secrets !== undefined) {
      layers.push({ section: def.overrides.secrets, position: 'instance', file: this.stack.file });
    }
    return layers;
  }

  private metadata(baseDefs: Definition[], def: Definition, strategy: ListMergeStrategy): YamlMap {
    const layers: unknown[] = [];
    if (this.settings.inheritMetadata) {
      for (const b of baseDefs) {
        const m = b.section.metadata;
        if (!isMap(m)) continue;
        const rest: YamlMap = {};
        for (const key of Object.keys(m)) if (key !== 'type' && key !== 'inherits') setKey(rest, key, m[key]);
        layers.push(rest);
      }
    }
    layers.push(def.section.metadata);
    return deepMerge(layers, strategy);
  }

  /** The component named by the legacy top-level `component:` attribute, when the stack defines it. */
  private legacyBase(type: ComponentType, def: Definition): Definition | undefined {
    const attr = def.section.component;
    if (attr === undefined || attr === null) return undefined;
    if (typeof attr !== 'string') {
      throw new StackError({
        code: 'STACK_COMPONENT_ATTRIBUTE_INVALID',
        message: `the \`component:\` attribute of component ${JSON.stringify(def.name)} must be a component name`,
        where: this.locateIn(def, ['component']),
        fix: 'write `component: <base component>`, or use `metadata.component: <terraform folder>` to point at a folder',
      });
    }
    if (attr === '' || attr === def.name) return undefined;
    return this.definition(type, attr);
  }

  /**
   * The component folder, as Atmos: the component's own `metadata.component` (never inherited),
   * else the folder of the base named by the legacy `component:` attribute (followed down its own
   * `component:` chain), else the instance name. `metadata.inherits` never changes the folder.
   */
  private componentDirectory(type: ComponentType, def: Definition): string {
    const own = isMap(def.section.metadata) ? def.section.metadata.component : undefined;
    if (typeof own === 'string' && own !== '') return own;
    const seen = new Set([def.name]);
    let base = this.legacyBase(type, def);
    let folder: string | undefined;
    while (base && !seen.has(base.name)) {
      seen.add(base.name);
      folder = base.name;
      base = this.legacyBase(type, base);
    }
    return folder ?? def.name;
  }

  /** Terraform workspace as Atmos builds it: explicit, else the stack, suffixed by the instance name when it differs from the directory. */
  private workspace(name: string, directory: string, metadata: YamlMap): string {
    if (typeof metadata.terraform_workspace === 'string' && metadata.terraform_workspace !== '') return metadata.terraform_workspace;
    const ws = directory === name ? this.stackName : `${this.stackName}-${name}`;
    return ws.replace(/\//g, '-');
  }

  private locateIn(def: Definition, path: readonly (string | number)[]): SourceLocation | undefined {
    for (let i = def.occurrences.length - 1; i >= 0; i--) {
      const loc = def.occurrences[i].locate(path);
      if (loc) return loc;
    }
    return def.occurrences[def.occurrences.length - 1]?.locate([]);
  }

  private lastFile(def: Definition, path: readonly (string | number)[]): string {
    return this.locateIn(def, path)?.file ?? def.occurrences[def.occurrences.length - 1].file;
  }

  private locateAuth(def: Definition, identity: string): SourceLocation | string | undefined {
    return this.locateIn(def, ['auth', 'identities', identity]) ?? this.stack.locate(['auth', 'identities', identity]) ?? this.stack.file;
  }

  /** Atmos shows the section of the selected backend type: `backend: {bucket: ...}`. */
  private shapeBackends(out: YamlMap, name: string): void {
    const type = typeof out.backend_type === 'string' ? out.backend_type : undefined;
    const all = out.backend as YamlMap;
    out.backend = type && isMap(all[type]) ? all[type] : {};
    const remoteType = typeof out.remote_state_backend_type === 'string' ? out.remote_state_backend_type : type;
    const remote = out.remote_state_backend as YamlMap;
    if (remoteType && Object.keys(remote).length > 0 && !isMap(remote[remoteType])) {
      // Atmos (checkRemoteStateBackendTypeMatch): remote-state settings exist, but none for the
      // type the component would read its remote state with.
      throw new StackError({
        code: 'STACK_REMOTE_STATE_BACKEND_MISMATCH',
        message: `component "${name}" in stack "${this.stackName}": remote_state_backend_type is "${remoteType}" but remote_state_backend only configures ${Object.keys(remote).map((k) => `"${k}"`).join(', ')}`,
        where: this.stack.file,
        fix: `add remote_state_backend.${remoteType} for the component, or set remote_state_backend_type to one of the configured types`,
      });
    }
    if (remoteType) {
      out.remote_state_backend_type = remoteType;
      out.remote_state_backend = deepMerge([all[remoteType], remote[remoteType]], this.settings.listMergeStrategy);
    } else {
      out.remote_state_backend = {};
    }
  }
}

/** The component folder as `describe stacks` shows it: `base_path`/`components.<type>.base_path`/folder, as written. */
export function relativeComponentPath(settings: ComponentMergeSettings, type: ComponentType, folder: string): string {
  const base = settings.rawBasePath ?? '.';
  const typeBase = settings.relativeBasePaths?.[type] ?? `components/${type}`;
  const joined = isAbsolute(typeBase) ? posix.join(typeBase, folder) : posix.join(toPosix(base), toPosix(typeBase), folder);
  return posix.normalize(joined);
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function sortKeys(map: YamlMap): YamlMap {
  const out: YamlMap = {};
  for (const key of Object.keys(map).sort()) setKey(out, key, map[key]);
  return out;
}
