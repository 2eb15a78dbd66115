import { resolve as resolvePath } from 'node:path';
import type { ComponentTarget } from './component-target';
import { ConfigError } from './errors';
import type { AtmosConfig } from './config/atmos-config';
import { loadAtmosConfig, loadAtmosConfigSync } from './config/load-config';
import { isMap, LIST_MERGE_STRATEGIES, type ListMergeStrategy, type YamlMap } from './stacks/deep-merge';
import { renderGoTemplate } from './stacks/go-template';
import { relativeComponentPath, type ComponentMergeSettings, type ResolvedComponent } from './stacks/component-resolver';
import type { DeprecatedField } from './stacks/deprecated-fields';
import { StackEngine, type ResolveComponentOptions, type StackSummary } from './stacks/stack-engine';
import type { ComponentType } from './stacks/stack-processor';
import type { ComponentProvenance } from './stacks/provenance';
import { editionDefault } from './config/edition';
import { parseBoolean } from './config/boolean-flag';
import { containsYamlFunctions, decodeExecOutput, resolveYamlFunctions, type YamlFunctionResolver } from './yaml/resolve-functions';
import { YamlFunction } from './yaml/yaml-function';
import type { Secret } from './secret';
import { Secret as SecretClass } from './secret';
import type { SecretsService } from './secrets/secrets-service';
import type { AuthManager } from './auth/auth-manager';
import { awsYamlFunctions } from './auth/aws-yaml-functions';
import { globalComponentAuth } from './auth/component-auth';
import { IdentityHandle } from './auth/identity-handle';
import { sopsAwsCredentials, sopsGcpCredentials, storeAuthOptions, workspaceAuthManager } from './auth/workspace-auth';
import type { PasswordPrompt } from './keyring/keyring-password';

/** Options of {@link Workspace.load}. */
export interface WorkspaceLoadOptions {
  /** Working directory for atmos.yaml discovery and `!exec` (default `process.cwd()`). */
  cwd?: string;
  /** Profile(s) to merge over atmos.yaml (`--profile`; `ATMOS_PROFILE` otherwise). */
  profile?: string;
  /** Environment (default `process.env`): `ATMOS_*` settings and `!env`. */
  env?: NodeJS.ProcessEnv;
  /** Explicit atmos.yaml file or folder (`--config`). */
  configPath?: string;
  /** Callbacks for YAML functions the stack engine does not evaluate itself (`!store`, `!secret`, ...). */
  functions?: FunctionsFactory;
  /**
   * Lets the file keyring ask for its password (hidden, on stderr) when none is set, as `auth
   * whoami` does. For a command line on a terminal only: library use never waits for a prompt.
   */
  keyringPrompt?: { isTTY: boolean; prompt?: PasswordPrompt };
}

/** Which secret {@link Workspace.secret} reads: the component instance, and `!secret`'s options. */
export interface SecretReadTarget extends ComponentTarget {
  /** yq-style path into a JSON value (`.password`, `.a.b[0]`), as `!secret NAME | path .password`. */
  path?: string;
  /** Returned when the backend has no value, as `!secret NAME | default x`. */
  default?: string;
}

/** What a YAML-function factory is told about the component being resolved. */
export interface FunctionsContext extends ComponentTarget {
  /** The merged component section (YAML functions unresolved). */
  section: YamlMap;
}

/** Builds the YAML-function callbacks for one component (e.g. `!store` bound to its stack). */
export type FunctionsFactory = (ctx: FunctionsContext) => YamlFunctionResolver;

/** Options of {@link Workspace.describeComponent}. */
export interface DescribeComponentOptions {
  /** `!secret` → `<MASKED>` without contacting anything. Default true (inspection). */
  mask?: boolean;
  /** Component type when the name exists under several types. */
  type?: ComponentType;
  /** Folder that relative component paths (`.`, `./vpc`) resolve against; default the workspace's cwd. */
  cwd?: string;
  /** Leave YAML functions unresolved (shown as `!tag args`). Default true (resolve). */
  processFunctions?: boolean;
}

/**
 * One Atmos project (atmos.yaml + stacks) behind one face. Stack manifests are parsed once and
 * cached for the life of the Workspace. Secrets: `secret()`, `secrets()`; auth: `auth()`, `identity()`.
 */
export class Workspace {
  /** The stack engine (discovery, imports, names, component merge). */
  readonly stacks: StackEngine;
  private functions?: FunctionsFactory;
  private readonly mergeSettings: ComponentMergeSettings;
  private secretsService?: SecretsService;

  private constructor(
    /** The effective atmos.yaml. */
    readonly config: AtmosConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
    functions?: FunctionsFactory,
    private readonly keyringPrompt?: WorkspaceLoadOptions['keyringPrompt'],
  ) {
    this.functions = functions;
    this.mergeSettings = mergeSettings(config, env);
    this.stacks = new StackEngine({
      basePath: config.stacks.basePath,
      includedPaths: config.stacks.includedPaths,
      excludedPaths: config.stacks.excludedPaths,
      nameTemplate: config.stacks.nameTemplate,
      namePattern: config.stacks.namePattern,
      locateConfig: (path) => config.locate(path),
      merge: this.mergeSettings,
    });
  }

  /** Loads atmos.yaml (discovery, profiles, `ATMOS_*`) and prepares the stacks. */
  static async load(opts: WorkspaceLoadOptions = {}): Promise<Workspace> {
    const env = opts.env ?? process.env;
    const cwd = resolvePath(opts.cwd ?? process.cwd());
    const config = await loadAtmosConfig({ cwd, env, profile: opts.profile, configPath: opts.configPath });
    return new Workspace(config, env, cwd, opts.functions, opts.keyringPrompt);
  }

  /**
   * {@link Workspace.load} without waiting: reading atmos.yaml and the stacks needs no network
   * (an `!exec` in atmos.yaml runs synchronously). For code that cannot await, such as a CDKTF
   * construct in a CommonJS `main.ts`.
   */
  static loadSync(opts: WorkspaceLoadOptions = {}): Workspace {
    const env = opts.env ?? process.env;
    const cwd = resolvePath(opts.cwd ?? process.cwd());
    const config = loadAtmosConfigSync({ cwd, env, profile: opts.profile, configPath: opts.configPath });
    return new Workspace(config, env, cwd, opts.functions);
  }

  /** Sets the callbacks for `!store`, `!store.get`, `!secret` (used by the stores/secrets modules). */
  useFunctions(factory: FunctionsFactory): void {
    this.functions = factory;
  }

  /**
   * The secrets layer (stores, declarations, batched resolver), created on first use. Its
   * `!secret`/`!store`/`!store.get` callbacks are the default YAML functions of describe.
   */
  secretsLayer(): SecretsService {
    if (!this.secretsService) {
      // Loaded on first use: describe/list never pay for the stores and SOPS modules.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SecretsService } = require('./secrets/secrets-service') as typeof import('./secrets/secrets-service');
      this.secretsService = new SecretsService({
        config: this.config,
        env: this.env,
        resolveComponent: (component, stack) => this.stacks.resolveComponent(component, stack),
        // Identity-backed stores authenticate through core/auth (§5.5).
        registryOptions: { auth: storeAuthOptions(this.config, this.env, this.cwd, this.keyringPrompt) },
        // SOPS files wrapped by AWS KMS open with the provider's identity's credentials (§6.6).
        awsCredentials: sopsAwsCredentials(this.config, this.env, this.cwd, this.keyringPrompt),
        // ... and Cloud KMS with its GCP identity, else Application Default Credentials.
        gcpCredentials: sopsGcpCredentials(this.config, this.env, this.cwd, this.keyringPrompt),
      });
    }
    return this.secretsService;
  }

  /**
   * One declared secret of (stack, component), read through the batched resolver (reads started
   * in the same tick share one backend call per store). `path` and `default` work as in
   * `!secret NAME | path .a.b[0] | default x`: `path` selects inside a JSON value, `default` is
   * returned when the backend has no value.
   */
  secret(name: string, target: SecretReadTarget): Promise<Secret<unknown>> {
    const { stack, component, path, default: fallback } = target;
    return this.secretsLayer().secret(name, { stack, component }, {
      ...(path !== undefined ? { path } : {}),
      ...(fallback !== undefined ? { default: fallback } : {}),
    });
  }

  /** Every declared secret of (stack, component), read in one batched pass. */
  secrets(target: ComponentTarget): Promise<Record<string, Secret<unknown>>> {
    return this.secretsLayer().secrets(target);
  }

  /**
   * The auth manager of the global `auth:` section, or of a component's effective auth (global
   * merged with the component's stack `auth`, §1.5.2) when `target` is given. Logic: core/auth.
   */
  auth(target?: ComponentTarget): AuthManager {
    return workspaceAuthManager(this.config, this.env, this.cwd, target ? this.stacks.resolveComponent(target.component, target.stack).section.auth : undefined, this.keyringPrompt);
  }

  /**
   * An identity for the adapters: `login()`, `credentials()` (Secret fields), `env()`,
   * `credentialFiles()`. Without a name: `ATMOS_IDENTITY`, else the (component's) default identity.
   */
  identity(name?: string, target?: ComponentTarget): IdentityHandle {
    const manager = this.auth(target);
    return new IdentityHandle(manager, manager.resolveIdentityName(name));
  }

  /** Stacks that define at least one component, sorted by name (`includeEmpty` for every manifest). */
  listStacks(opts: { includeEmpty?: boolean } = {}): StackSummary[] {
    return this.stacks.listStacks(opts);
  }

  /** Deprecated fields written in the stack manifests (`depends_on`), as `validate stacks` warns about them. */
  deprecatedStackFields(): DeprecatedField[] {
    return this.stacks.deprecatedFields();
  }

  /**
   * The merged component section without YAML-function evaluation, with each secret
   * declaration's stamped scope and source (for the secrets module).
   */
  resolveComponent(component: string, stack: string, opts: ResolveComponentOptions = {}): ResolvedComponent {
    return this.stacks.resolveComponent(component, stack, opts);
  }

  /**
   * The component as `atmos describe component` shows it: `vars`, `settings`, `env`, `auth`,
   * `secrets`, `metadata`, `backend`, `providers`, `atmos_component`, `atmos_stack`,
   * `component_info`, ... with YAML functions resolved (`!secret` masked unless `mask: false`).
   * The result is a fresh object the caller may change.
   */
  async describeComponent(component: string, stack: string, opts: DescribeComponentOptions = {}): Promise<YamlMap> {
    return (await this.describeComponentTraced(component, stack, opts)).section;
  }

  /**
   * {@link describeComponent} with where each value comes from: the manifest, line and import
   * depth that wrote it (Atmos's `describe component --provenance`).
   */
  async describeComponentWithProvenance(component: string, stack: string, opts: DescribeComponentOptions = {}): Promise<{ section: YamlMap; provenance: ComponentProvenance }> {
    const { section, resolved } = await this.describeComponentTraced(component, stack, opts);
    return { section, provenance: this.stacks.provenance(resolved, section) };
  }

  private async describeComponentTraced(component: string, stack: string, opts: DescribeComponentOptions): Promise<{ section: YamlMap; resolved: ResolvedComponent }> {
    // A path (`.`, `components/terraform/vpc`) names the component that uses that folder.
    const target = this.stacks.componentFromArgument(component, stack, opts.cwd ?? this.cwd, opts.type);
    const resolved = this.stacks.resolveComponent(target.component, stack, { type: target.type ?? opts.type });
    if (opts.processFunctions === false) return { section: replaceFunctions(resolved.section) as YamlMap, resolved };
    return { section: await this.evaluate(resolved, opts.mask ?? true), resolved };
  }

  /**
   * Atmos's `describe.component.filter` (`ATMOS_DESCRIBE_COMPONENT_FILTER` first): `schema` keeps
   * only the sections a stack manifest can define, `full` everything. Unset, Atmos's default for
   * the project's `edition` (`schema`; `full` before 2026-07-17); any other value is `schema`.
   */
  describeComponentFilter(): 'schema' | 'full' {
    const describe = isMap(this.config.raw.describe) ? this.config.raw.describe : {};
    const component = isMap(describe.component) ? describe.component : {};
    const value = this.env.ATMOS_DESCRIBE_COMPONENT_FILTER || (typeof component.filter === 'string' ? component.filter : '');
    if (value === '') return editionDefault('describe.component.filter', this.edition(), this.editionWhere()) === 'full' ? 'full' : 'schema';
    return value === 'full' ? 'full' : 'schema';
  }

  /**
   * Atmos's `describe.provenance` (`ATMOS_DESCRIBE_PROVENANCE` first): whether `describe
   * component` annotates its YAML output with where each value comes from when `--provenance` is
   * not given. Unset, Atmos's default for the project's `edition` (on; off before 2026-07-16).
   */
  describeProvenance(): boolean {
    const env = this.env.ATMOS_DESCRIBE_PROVENANCE;
    if (env !== undefined && env !== '') return parseSetting(env, 'ATMOS_DESCRIBE_PROVENANCE');
    const describe = isMap(this.config.raw.describe) ? this.config.raw.describe : {};
    const value = describe.provenance;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && value !== '') return parseSetting(value, this.config.locate('describe.provenance'));
    if (value !== undefined && value !== null) {
      throw new ConfigError({ code: 'CONFIG_INVALID', message: 'describe.provenance must be true or false', where: this.config.locate('describe.provenance'), fix: 'write `describe: { provenance: false }` (or true)' });
    }
    return editionDefault('describe.provenance', this.edition(), this.editionWhere()) === true;
  }

  private edition(): string | undefined {
    const env = this.env.ATMOS_EDITION;
    if (env !== undefined && env !== '') return env.trim();
    const value = this.config.raw.edition;
    return value === undefined || value === null ? undefined : String(value).trim();
  }

  private editionWhere(): string {
    return this.env.ATMOS_EDITION ? 'ATMOS_EDITION (environment)' : this.config.locate('edition');
  }

  /**
   * Every component of every stack (Atmos `describe stacks`):
   * `{ <stack>: { components: { <type>: { <name>: section } } } }`. Abstract components are
   * included (they are part of the configuration) but not YAML-function evaluated.
   */
  async describeStacks(opts: { mask?: boolean; stack?: string; processFunctions?: boolean } = {}): Promise<Record<string, YamlMap>> {
    const out: Record<string, YamlMap> = {};
    const stacks = opts.stack ? [this.stacks.stack(opts.stack)] : this.listStacks();
    for (const s of stacks) {
      const components: YamlMap = {};
      for (const [type, names] of Object.entries(s.components) as [ComponentType, string[]][]) {
        const byName: YamlMap = {};
        for (const name of names) {
          const resolved = this.stacks.resolveComponent(name, s.name, { type, allowAbstract: true });
          const abstract = isMap(resolved.section.metadata) && resolved.section.metadata.type === 'abstract';
          const section = opts.processFunctions === false || abstract ? (replaceFunctions(resolved.section) as YamlMap) : await this.evaluate(resolved, opts.mask ?? true);
          byName[name] = stacksShape(section, this.mergeSettings, type);
        }
        components[type] = byName;
      }
      out[s.name] = { components };
    }
    return out;
  }

  private async evaluate(resolved: ResolvedComponent, mask: boolean): Promise<YamlMap> {
    const section = resolved.section;
    const fctx = { component: resolved.component, stack: resolved.stack, section };
    const hooks = this.functions ? this.functions(fctx) : this.secretsLayer().functions(fctx);
    // Most sections hold no YAML function: skip the walk that would copy them only for
    // replaceFunctions to copy them again (benchmark B3 describes 6,000 such components).
    if (!containsYamlFunctions(section)) return replaceFunctions(section) as YamlMap;
    const resolver: YamlFunctionResolver = {
      template: (fn) => evaluateTemplate(fn, section),
      // !aws.* through the component's identity (the same resolution SOPS KMS keys use).
      aws: awsYamlFunctions(() => sopsAwsCredentials(this.config, this.env, this.cwd, this.keyringPrompt)({ componentAuth: section.auth })),
      ...hooks,
    };
    const value = await resolveYamlFunctions(section, resolver, {
      mask,
      componentEnv: isMap(section.env) ? section.env : undefined,
      env: this.env,
      cwd: this.cwd,
      unhandled: 'keep',
    });
    return replaceFunctions(value) as YamlMap;
  }
}

/**
 * A component as `atmos describe stacks` shows it: without the describe-component extras
 * (`imports`, `deps`, `deps_all`, `atmos_cli_config`, `component_type`) and with the folder as written in atmos.yaml.
 */
function stacksShape(section: YamlMap, settings: ComponentMergeSettings, type: ComponentType): YamlMap {
  const out: YamlMap = {};
  for (const key of Object.keys(section)) {
    if (key === 'imports' || key === 'deps' || key === 'deps_all' || key === 'atmos_cli_config' || key === 'component_type') continue;
    out[key] = section[key];
  }
  if (isMap(out.component_info) && typeof out.component === 'string') {
    out.component_info = { ...out.component_info, component_path: relativeComponentPath(settings, type, out.component) };
  }
  return out;
}

/** `!template`: renders the Go-template subset with the component section, then decodes JSON. */
function evaluateTemplate(fn: YamlFunction, section: YamlMap): unknown {
  const text = renderGoTemplate(fn.args, section, { subject: '!template', where: fn.source });
  return decodeExecOutput(text);
}

/** The sections a stack manifest can define (Atmos's `FilterComputedFields`, `describe.component.filter: schema`). */
const SCHEMA_SECTIONS: ReadonlySet<string> = new Set(['vars', 'settings', 'env', 'backend', 'metadata', 'overrides', 'providers', 'imports', 'dependencies', 'component', 'hooks']);

/** A described component reduced to the sections a stack manifest can define (Atmos's `schema` filter). */
export function schemaSections(section: YamlMap): YamlMap {
  const out: YamlMap = {};
  for (const key of Object.keys(section)) if (SCHEMA_SECTIONS.has(key)) out[key] = section[key];
  return out;
}

/** Functions nobody evaluated are shown as their source text (`!store ssm dev vpc id`). */
function replaceFunctions(value: unknown): unknown {
  if (value instanceof YamlFunction) return value.toString();
  // A Secret (from a `!secret` callback that does not unwrap) is a leaf, not a map to copy.
  if (SecretClass.isSecret(value)) return value;
  if (Array.isArray(value)) return value.map(replaceFunctions);
  if (isMap(value)) {
    const out: YamlMap = {};
    for (const key of Object.keys(value)) {
      const v = replaceFunctions(value[key]);
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  }
  return value;
}

/**
 * `atmos_cli_config` of describe component: the atmos.yaml settings infrakey models, as written
 * (after profiles and `ATMOS_*` overrides). Atmos prints its whole configuration struct with
 * defaults filled in; the keys infrakey leaves out are listed in docs/atmos-conformance.md.
 */
function describedCliConfig(raw: Record<string, unknown>): YamlMap {
  const out: YamlMap = {};
  if (typeof raw.base_path === 'string') out.base_path = raw.base_path;
  if (isMap(raw.components)) {
    const components: YamlMap = {};
    for (const type of ['terraform', 'helmfile', 'packer', 'ansible']) {
      const section = raw.components[type];
      if (!isMap(section)) continue;
      const picked: YamlMap = {};
      for (const key of ['base_path', 'command']) if (typeof section[key] === 'string') picked[key] = section[key];
      components[type] = picked;
    }
    out.components = components;
  }
  if (isMap(raw.stacks)) {
    const stacks: YamlMap = {};
    for (const key of ['base_path', 'included_paths', 'excluded_paths', 'name_pattern', 'name_template']) {
      if (raw.stacks[key] !== undefined && raw.stacks[key] !== null) stacks[key] = raw.stacks[key];
    }
    out.stacks = stacks;
  }
  return out;
}

/** atmos.yaml `templates.settings` (enabled, evaluations, delimiters). */
function templateSettings(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): ComponentMergeSettings['templates'] {
  const templates = isMap(raw.templates) ? raw.templates : {};
  const settings = isMap(templates.settings) ? templates.settings : {};
  const delimiters = Array.isArray(settings.delimiters) && settings.delimiters.length === 2 && settings.delimiters.every((d) => typeof d === 'string' && d !== '')
    ? (settings.delimiters as [string, string])
    : undefined;
  const evaluations = typeof settings.evaluations === 'number' && settings.evaluations > 0 ? Math.min(settings.evaluations, 10) : 1;
  return { enabled: settings.enabled === true, evaluations, delimiters, env };
}

function mergeSettings(config: AtmosConfig, env: NodeJS.ProcessEnv): ComponentMergeSettings {
  const fromEnv = env.ATMOS_SETTINGS_LIST_MERGE_STRATEGY;
  const raw = fromEnv ?? config.settings.list_merge_strategy;
  if (raw !== undefined && raw !== null && !LIST_MERGE_STRATEGIES.includes(raw as ListMergeStrategy)) {
    throw new ConfigError({
      code: 'CONFIG_LIST_MERGE_STRATEGY',
      message: `unknown list merge strategy ${JSON.stringify(String(raw))}`,
      where: fromEnv !== undefined ? 'ATMOS_SETTINGS_LIST_MERGE_STRATEGY (environment)' : config.locate('settings.list_merge_strategy'),
      fix: `use one of: ${LIST_MERGE_STRATEGIES.join(', ')}`,
    });
  }
  const stacksRaw = isMap(config.raw.stacks) ? config.raw.stacks : {};
  const inherit = isMap(stacksRaw.inherit) ? stacksRaw.inherit : {};
  const componentsRaw = isMap(config.raw.components) ? config.raw.components : {};
  const componentBasePaths: ComponentMergeSettings['componentBasePaths'] = { terraform: config.components.terraform.basePath };
  const componentCommands: ComponentMergeSettings['componentCommands'] = {};
  const relativeBasePaths: ComponentMergeSettings['relativeBasePaths'] = {};
  for (const type of ['terraform', 'helmfile', 'packer', 'ansible'] as const) {
    const section = componentsRaw[type];
    const base = isMap(section) && typeof section.base_path === 'string' ? section.base_path : `components/${type}`;
    if (type !== 'terraform') componentBasePaths[type] = resolvePath(config.basePath, base);
    relativeBasePaths[type] = base;
    if (isMap(section) && typeof section.command === 'string' && section.command !== '') componentCommands[type] = section.command;
  }
  return {
    componentCommands,
    relativeBasePaths,
    rawBasePath: typeof config.raw.base_path === 'string' ? config.raw.base_path : '.',
    cliConfig: describedCliConfig(config.raw),
    templates: templateSettings(config.raw, env),
    integrationNaming: {
      ...(config.stacks.nameTemplate ? { nameTemplate: config.stacks.nameTemplate } : {}),
      ...(config.stacks.namePattern ? { namePattern: config.stacks.namePattern } : {}),
      ...(isMap(config.raw.integrations) ? { integrations: config.raw.integrations } : {}),
      locateConfig: (path) => config.locate(path),
    },
    listMergeStrategy: (raw as ListMergeStrategy | undefined) ?? 'replace',
    inheritMetadata: inherit.metadata !== false,
    globalAuth: globalComponentAuth(config.auth, { env, ...(config.file ? { configDir: config.dir } : {}), where: config.locate('auth.realm') }),
    projectBasePath: config.basePath,
    componentBasePaths,
  };
}

/** A boolean setting given as text (environment, or a quoted atmos.yaml value). */
function parseSetting(value: string, where: string): boolean {
  const parsed = parseBoolean(value);
  if (parsed !== undefined) return parsed;
  throw new ConfigError({ code: 'CONFIG_INVALID', message: `${where} must be true or false, got ${JSON.stringify(value)}`, where, fix: `set ${where} to true or false` });
}
