/* eslint-disable @typescript-eslint/no-require-imports -- synchronous lazy loading keeps cold starts light (benchmark B2) */
/**
 * The secrets layer of one workspace: the store registry, the backends, the per-process resolver
 * and each component's declarations, plus the YAML-function callbacks (`!secret`, `!store`,
 * `!store.get`) the workspace's describe uses. The workspace creates one on first use; nothing
 * here connects to a backend until a value is read.
 */
import type { ComponentTarget } from '../component-target';
import { relative, isAbsolute } from 'node:path';
import type { InfrakeyError } from '../errors';
import { DeclarationError } from '../errors';
import type { Secret } from '../secret';
import type { YamlMap } from '../stacks/deep-merge';
import type { StoreRegistry, StoreRegistryOptions } from '../stores/store-registry';
import type { YamlFunctionResolver } from '../yaml/resolve-functions';
import { buildComponentSecrets, type ComponentSecrets } from './component-secrets';
import type { SecretDeclarationSourceLike } from './declaration';
import { SecretBackends, SecretResolver, type ResolveOneOptions } from './secret-resolver';
import { declarationError, SECRET_ERROR_CODES } from './secret-errors';
import { secretFunction } from './secret-function';
import type { SecretsProviderConfig } from './providers';
import type { SopsOpsFactory } from './sops-backend';
import type { KmsConnection } from './sops/key-types/aws-kms-service';
import type { GcpKmsConnection } from './sops/key-types/gcp-kms-service';

/** A merged component as the stack engine gives it (the fields the secrets layer reads). */
export interface ComponentSource {
  readonly component: string;
  readonly stack: string;
  readonly section: YamlMap;
  readonly secretSources?: Readonly<Record<string, SecretDeclarationSourceLike>>;
  /** Manifest that defines the component last. */
  readonly definedIn?: string;
}

/** What the secrets layer needs of atmos.yaml. */
export interface SecretsConfig {
  readonly stores: Record<string, unknown>;
  readonly secrets: Record<string, unknown>;
  readonly basePath: string;
  locate(configPath: string): string;
}

/** Options of {@link SecretsService}. */
export interface SecretsServiceOptions {
  config: SecretsConfig;
  env?: NodeJS.ProcessEnv;
  /** Merges a component of a stack (the workspace's stack engine). */
  resolveComponent: (component: string, stack: string) => ComponentSource;
  /** A prebuilt registry (tests, embedding); default: built from `config.stores` on first use. */
  registry?: StoreRegistry;
  /** Options for building the registry (auth resolver, keyring factory, SDK middleware). */
  registryOptions?: StoreRegistryOptions;
  /** SOPS file operations; default: core/secrets/sops, loaded on first use. */
  sops?: SopsOpsFactory;
  /**
   * The AWS credentials source of a SOPS provider's KMS keys (its `identity`, else the default
   * identity of its `componentAuth`), called when a file with KMS keys is first opened. Default:
   * the ambient AWS credentials.
   */
  awsCredentials?: (provider: SecretsProviderConfig) => Promise<KmsConnection>;
  /**
   * The GCP credentials source of a SOPS provider's Cloud KMS keys (same rules as
   * `awsCredentials`), called when a file with Cloud KMS keys is first opened. Default: ADC.
   */
  gcpCredentials?: (provider: SecretsProviderConfig) => Promise<GcpKmsConnection>;
}

/** The secrets layer of a workspace. */
export class SecretsService {
  private registryValue?: StoreRegistry;
  private resolverValue?: SecretResolver;
  private readonly components = new Map<string, ComponentSecrets>();

  constructor(private readonly opts: SecretsServiceOptions) {
    this.registryValue = opts.registry;
  }

  /** The store registry (built from atmos.yaml `stores:` on first use). */
  get registry(): StoreRegistry {
    if (!this.registryValue) {
      // Loaded here, not at module level: a SOPS-only command never pays for the store backends.
      const { buildStoreRegistry } = require('../stores/store-registry') as typeof import('../stores/store-registry');
      const { defaultKeyringFactory } = require('./keychain-keyrings') as typeof import('./keychain-keyrings');
      this.registryValue = buildStoreRegistry(this.opts.config.stores, {
        env: this.opts.env,
        locate: (path) => this.opts.config.locate(path),
        keyringFactory: defaultKeyringFactory(this.opts.env ?? process.env),
        ...this.opts.registryOptions,
      });
    }
    return this.registryValue;
  }

  /** The per-process resolver: each value is read once. */
  get resolver(): SecretResolver {
    if (!this.resolverValue) {
      const sops = this.opts.sops ?? lazySops(this.opts.config, this.opts.env ?? process.env, () => this.registry, this.opts.awsCredentials, this.opts.gcpCredentials);
      this.resolverValue = new SecretResolver(new SecretBackends({ stores: lazyLookup(() => this.registry), sops, basePath: this.opts.config.basePath }));
    }
    return this.resolverValue;
  }

  /** The declarations, providers and problems of a component instance. */
  forComponent(target: ComponentTarget): ComponentSecrets {
    const key = `${target.stack}\u0000${target.component}`;
    let cs = this.components.get(key);
    if (!cs) {
      cs = this.fromSource(this.opts.resolveComponent(target.component, target.stack));
      this.components.set(key, cs);
    }
    return cs;
  }

  /** Builds a component's secrets from an already merged component. */
  fromSource(src: ComponentSource): ComponentSecrets {
    const base = this.opts.config.basePath;
    const shown = (file: string): string => (isAbsolute(file) ? relative(base, file) || file : file);
    const sources: Record<string, SecretDeclarationSourceLike> = {};
    for (const [name, s] of Object.entries(src.secretSources ?? {})) sources[name] = { ...s, file: shown(s.file) };
    const cs = buildComponentSecrets({
      stack: src.stack,
      component: src.component,
      section: src.section.secrets,
      sources,
      configProviders: this.opts.config.secrets.providers,
      locateConfig: (p) => this.opts.config.locate(p),
      where: src.definedIn !== undefined ? shown(src.definedIn) : undefined,
      stores: lazyLookup(() => this.registry),
      env: this.opts.env ?? process.env,
    });
    // KMS-wrapped files open with the provider's identity, else the component's default one.
    const auth = src.section.auth;
    if (auth === undefined || auth === null) return cs;
    const providers = Object.fromEntries(Object.entries(cs.providers).map(([n, p]) => [n, { ...p, componentAuth: auth }]));
    return { ...cs, providers };
  }

  /**
   * YAML-function callbacks for a component: `!secret` (plaintext registered with the Redactor
   * when `unwrap`, else Secret values), `!store` and `!store.get` bound to the component's stack.
   */
  functions(ctx: { component: string; stack: string; section: YamlMap }, opts: { unwrap?: boolean } = {}): YamlFunctionResolver {
    let cs: ComponentSecrets | undefined;
    const component = (): ComponentSecrets => (cs ??= this.fromSource({ ...ctx, secretSources: this.safeSources(ctx) }));
    let stores: ReturnType<typeof import('../stores/store-function').storeFunctionResolver> | undefined;
    const storeFns = () => {
      if (!stores) {
        const { storeFunctionResolver } = require('../stores/store-function') as typeof import('../stores/store-function');
        stores = storeFunctionResolver(this.registry, ctx.stack);
      }
      return stores;
    };
    return {
      secret: (fn) => secretFunction(component(), this.resolver, { unwrap: opts.unwrap ?? true })(fn),
      store: (fn) => storeFns().store(fn),
      storeGet: (fn) => storeFns().storeGet(fn),
    };
  }

  /** One declared secret as a Secret (`path`/`default` as `!secret`). */
  async secret(name: string, target: ComponentTarget, opts: ResolveOneOptions = {}): Promise<Secret<unknown>> {
    return this.resolver.resolve(this.forComponent(target), name, opts);
  }

  /**
   * Every declared secret of a component, read in one batched pass. A missing required secret is
   * SECRET_NOT_INITIALIZED (naming every missing one); missing optional ones are left out.
   */
  async secrets(target: ComponentTarget): Promise<Record<string, Secret<unknown>>> {
    const cs = this.forComponent(target);
    throwProblems(cs);
    const { values, missing } = await this.resolver.resolveAll(cs);
    const requiredMissing = missing.filter((n) => cs.declarations.get(n)?.required);
    if (requiredMissing.length > 0) {
      throw declarationError(
        SECRET_ERROR_CODES.NOT_INITIALIZED,
        `secret is not initialized in its backend: ${requiredMissing.map((n) => JSON.stringify(n)).join(', ')} (component "${cs.component}", stack "${cs.stack}")`,
        cs.where,
        `set each with \`infrakey secret set NAME -s ${cs.stack} -c ${cs.component}\``,
      );
    }
    return Object.fromEntries([...values].sort(([a], [b]) => a.localeCompare(b)));
  }

  private safeSources(ctx: { component: string; stack: string }): Readonly<Record<string, SecretDeclarationSourceLike>> | undefined {
    try {
      return this.opts.resolveComponent(ctx.component, ctx.stack).secretSources;
    } catch {
      return undefined;
    }
  }
}

/** Throws the component's declaration problems as one error (all of them listed). */
export function throwProblems(cs: ComponentSecrets): void {
  if (cs.problems.length === 0) return;
  if (cs.problems.length === 1) throw cs.problems[0];
  throw new DeclarationError({
    code: cs.problems[0].code,
    message: `${cs.problems.length} problems in the secrets of component "${cs.component}" in stack "${cs.stack}":`,
    where: cs.where,
    fix: 'fix each declaration listed above',
    problems: cs.problems as InfrakeyError[],
  });
}

function lazyLookup(get: () => StoreRegistry): { find(name: string): ReturnType<StoreRegistry['find']>; names(): string[] } {
  return { find: (name) => get().find(name), names: () => get().names() };
}

function lazySops(
  config: SecretsConfig,
  env: NodeJS.ProcessEnv,
  registry: () => StoreRegistry,
  awsCredentials?: (provider: SecretsProviderConfig) => Promise<KmsConnection>,
  gcpCredentials?: (provider: SecretsProviderConfig) => Promise<GcpKmsConnection>,
): SopsOpsFactory {
  return (provider) => {
    const { sopsFileOps } = require('./sops-ops') as typeof import('./sops-ops');
    return sopsFileOps(provider, {
      basePath: config.basePath,
      env,
      registry,
      ...(awsCredentials ? { awsCredentials: () => awsCredentials(provider) } : {}),
      ...(gcpCredentials ? { gcpCredentials: () => gcpCredentials(provider) } : {}),
      ...(provider.identity ? { kmsIdentity: `identity "${provider.identity}"` } : {}),
    });
  };
}
