/**
 * The batched secret resolver (issue #4 item 6). Everything a component needs is read in one pass:
 * requests made in the same tick (all `!secret` nodes of a component, which the YAML-function pass
 * visits synchronously, or an explicit list of names) are grouped per backend and handed to one
 * `readMany` per backend, which the stores turn into as few calls as the API allows (SSM: 10
 * names a call, Secrets Manager: 20, a SOPS file: one decryption). Each value is read once per
 * resolver — the workspace keeps one per process — and a write through the resolver invalidates it.
 *
 * Every value leaves here wrapped in {@link Secret}, which registers it (and its encoded forms)
 * with the process-wide Redactor.
 */
import { AsyncCache } from '../async/memoize-async';
import { Batcher } from '../async/batcher';
import type { InfrakeyError } from '../errors';
import type { ReadResult } from '../read-result';
import { InfrakeyError as InfrakeyErrorClass } from '../errors';
import { redactor, Secret } from '../secret';
import type { Store } from '../stores/store';
import { storedValueBytes } from '../stores/value-limits';
import { queryPath } from '../yaml/query-path';
import type { ComponentSecrets } from './component-secrets';
import { declaredNames } from './component-secrets';
import { coordinateFor, type SecretCoordinate } from './coordinates';
import type { SecretDeclaration } from './declaration';
import { checkBackend, type SecretsProviderConfig, type StoreLookup } from './providers';
import { StoreSecretBackend, type SecretBackend } from './secret-backend';
import { backendFailure, declarationError, notDeclared, notInitialized, SECRET_ERROR_CODES } from './secret-errors';
import { SopsSecretBackend, sopsBackendId, type SopsOpsFactory } from './sops-backend';

/** A cached read: the value is already a Secret (errors are not cached). */
export type CachedRead = Exclude<ReadResult<Secret<unknown>>, { status: 'error' }>;

/** Builds backends for declarations; store backends are shared per store, SOPS per provider config. */
export class SecretBackends {
  private readonly byId = new Map<string, SecretBackend>();

  constructor(
    private readonly opts: {
      stores: StoreLookup & { find(name: string): Store | undefined };
      /** File operations of SOPS providers; absent → SOPS declarations fail with a clear error. */
      sops?: SopsOpsFactory;
      /** Atmos base path: relative SOPS files resolve against it. */
      basePath: string;
    },
  ) {}

  /** The store lookup, for checks. */
  get stores(): StoreLookup {
    return this.opts.stores;
  }

  /** The backend of a (checked) declaration. Throws the declaration's backend problem. */
  for(decl: SecretDeclaration, providers: Readonly<Record<string, SecretsProviderConfig>>): SecretBackend {
    const problem = checkBackend(decl, this.opts.stores, providers);
    if (problem) throw problem;
    if (decl.store !== undefined) {
      const id = `store:${decl.store}`;
      let b = this.byId.get(id);
      if (!b) {
        b = new StoreSecretBackend(this.opts.stores.find(decl.store) as Store);
        this.byId.set(id, b);
      }
      return b;
    }
    const provider = providers[decl.sops ?? ''];
    if (!this.opts.sops) {
      throw declarationError(
        SECRET_ERROR_CODES.PROVIDER_UNSUPPORTED,
        `SOPS is not available in this build (secret ${JSON.stringify(decl.name)}, provider "${provider.name}")`,
        decl.where,
        'use the infrakey package build that includes core/secrets/sops',
      );
    }
    let b = this.byId.get(sopsBackendId(provider));
    if (!b) {
      b = new SopsSecretBackend(provider, this.opts.sops(provider), this.opts.basePath);
      this.byId.set(b.id, b);
    }
    return b;
  }
}

/** Options of one `!secret`-style resolution. */
export interface ResolveOneOptions {
  /** yq-style path into a JSON value (`.a.b[0]`). */
  path?: string;
  /** Returned when the backend has no value. */
  default?: string;
  /** Where the request was written (the `!secret` node), for messages. */
  where?: string;
}

interface Pending {
  backend: SecretBackend;
  coord: SecretCoordinate;
  name: string;
  declWhere?: string;
}

/** Resolver statistics (tests and benchmarks; no values). */
export interface ResolverStats {
  /** `readMany` calls made, one per backend per batch. */
  batches: number;
  /** Distinct values requested from backends. */
  reads: number;
}

/** The batched, caching resolver. */
export class SecretResolver {
  // A failed read is not cached, so that the next call tries again.
  private readonly cache = new AsyncCache<string, CachedRead>();
  // Reads of one tick are grouped per backend: one readMany per backend per batch.
  private readonly batcher = new Batcher<Pending, CachedRead, string>({ group: (p) => p.backend.id, run: (items) => readBatch(items) });

  constructor(readonly backends: SecretBackends) {}

  /** Batches and values read so far. */
  get stats(): ResolverStats {
    return { batches: this.batcher.stats.batches, reads: this.batcher.stats.items };
  }

  /** The declaration of `name`, or the error naming what is wrong with it. */
  declaration(cs: ComponentSecrets, name: string, where?: string): SecretDeclaration {
    const decl = cs.declarations.get(name);
    if (decl) return decl;
    const problem = cs.invalid.get(name);
    if (problem) throw problem;
    throw notDeclared(name, cs.stack, cs.component, where ?? cs.where, declaredNames(cs));
  }

  /** The backend and coordinate of a declared name. */
  locate(cs: ComponentSecrets, name: string, where?: string): { decl: SecretDeclaration; backend: SecretBackend; coord: SecretCoordinate } {
    const decl = this.declaration(cs, name, where);
    const backend = this.backends.for(decl, cs.providers);
    return { decl, backend, coord: coordinateFor(decl, cs.stack, cs.component) };
  }

  /**
   * Reads declared names (all of them when `names` is omitted) in one batched pass. Missing
   * values are `missing` entries, not errors; a backend failure rejects naming the declaration.
   */
  async fetch(cs: ComponentSecrets, names?: readonly string[]): Promise<Map<string, CachedRead>> {
    const list = names ?? [...cs.declarations.keys()];
    const entries = await Promise.all(list.map(async (name) => [name, await this.read(cs, name)] as const));
    return new Map(entries);
  }

  /** Reads one declared name (batched with every other read of the same tick). */
  read(cs: ComponentSecrets, name: string, where?: string): Promise<CachedRead> {
    let located: ReturnType<SecretResolver['locate']>;
    let key: string;
    try {
      located = this.locate(cs, name, where);
      key = `${located.backend.id}\u0000${located.backend.location(located.coord)}`;
    } catch (e) {
      return Promise.reject(e);
    }
    const { backend, coord, decl } = located;
    return this.cache.get(key, () => this.batcher.add({ backend, coord, name, declWhere: decl.where }));
  }

  /**
   * Resolves one declared name to a Secret, applying `path` and `default` as `!secret` does.
   * Missing without default → SECRET_NOT_INITIALIZED.
   */
  async resolve(cs: ComponentSecrets, name: string, opts: ResolveOneOptions = {}): Promise<Secret<unknown>> {
    const r = await this.read(cs, name, opts.where);
    if (r.status === 'missing') {
      if (opts.default !== undefined) return Secret.of<unknown>(opts.default, name);
      const decl = this.declaration(cs, name);
      throw notInitialized(name, this.backends.for(decl, cs.providers).label, r.location, opts.where ?? decl.where, cs.stack, cs.component);
    }
    if (opts.path === undefined || opts.path.trim() === '' || opts.path.trim() === '.') return r.value;
    return applyPath(r.value, name, opts.path, opts.where ?? cs.declarations.get(name)?.where);
  }

  /** Resolves every declared name; missing ones are left out and reported in `missing`. */
  async resolveAll(cs: ComponentSecrets, names?: readonly string[]): Promise<{ values: Map<string, Secret<unknown>>; missing: string[] }> {
    const reads = await this.fetch(cs, names);
    const values = new Map<string, Secret<unknown>>();
    const missing: string[] = [];
    for (const [name, r] of reads) {
      if (r.status === 'found') values.set(name, r.value);
      else missing.push(name);
    }
    return { values, missing };
  }

  /** Writes a declared secret and forgets the cached value. */
  async write(cs: ComponentSecrets, name: string, value: unknown): Promise<{ decl: SecretDeclaration; backend: SecretBackend; location: string }> {
    const { decl, backend, coord } = this.locate(cs, name);
    const location = backend.location(coord);
    checkValueSize(name, backend, value, decl.where);
    registerDeep(value);
    try {
      await backend.write(coord, value);
    } catch (e) {
      throw backendFailure(name, backend.label, e, decl.where);
    } finally {
      this.cache.delete(`${backend.id}\u0000${location}`);
    }
    return { decl, backend, location };
  }

  /** Deletes a declared secret and forgets the cached value. */
  async remove(cs: ComponentSecrets, name: string): Promise<{ decl: SecretDeclaration; backend: SecretBackend; location: string }> {
    const { decl, backend, coord } = this.locate(cs, name);
    const location = backend.location(coord);
    try {
      await backend.remove(coord);
    } catch (e) {
      throw backendFailure(name, backend.label, e, decl.where);
    } finally {
      this.cache.delete(`${backend.id}\u0000${location}`);
    }
    return { decl, backend, location };
  }

  /** Forgets every cached value. */
  clear(): void {
    this.cache.clear();
  }
}

/** One backend's batch: a single readMany, each result mapped to its request. */
async function readBatch(items: readonly Pending[]): Promise<Promise<CachedRead>[]> {
  const backend = items[0].backend;
  let results: Awaited<ReturnType<SecretBackend['readMany']>>;
  try {
    results = await backend.readMany(items.map((i) => i.coord));
  } catch (e) {
    return items.map((item) => Promise.reject(backendFailure(item.name, backend.label, e, item.declWhere)));
  }
  return items.map(async (item, i): Promise<CachedRead> => {
    const r = results[i];
    if (!r) throw backendFailure(item.name, backend.label, new Error('no result'), item.declWhere);
    if (r.status === 'found') return { status: 'found', location: r.location, value: wrap(r.value, item.name) };
    if (r.status === 'missing') return { status: 'missing', location: r.location };
    throw backendFailure(item.name, backend.label, r.error, item.declWhere);
  });
}

/** Wraps a value in a Secret and registers every scalar leaf (numbers too, as Atmos's `%v`). */
function wrap(value: unknown, name: string): Secret<unknown> {
  registerDeep(value);
  return Secret.of(value, name);
}

/** Registers strings and formatted scalars of a value with the Redactor. */
export function registerDeep(value: unknown, depth = 0): void {
  if (typeof value === 'string') redactor.register(value);
  else if (typeof value === 'number' || typeof value === 'bigint') redactor.register(String(value));
  else if (Secret.isSecret(value)) return;
  else if (depth < 16 && value && typeof value === 'object') {
    if (!Array.isArray(value)) redactor.register(JSON.stringify(value));
    for (const v of Object.values(value as Record<string, unknown>)) registerDeep(v, depth + 1);
  }
}

/**
 * `| path`: the value must be a JSON map or list (a string holding JSON is decoded first).
 * Errors name the declaration and the path, never the value.
 */
export function applyPath(secret: Secret<unknown>, name: string, path: string, where?: string): Secret<unknown> {
  let failure: InfrakeyError | undefined;
  const out = secret.map((value) => {
    let doc: unknown = value;
    if (typeof doc === 'string') {
      try {
        doc = JSON.parse(doc);
      } catch {
        doc = undefined;
      }
    }
    if (typeof doc !== 'object' || doc === null) {
      failure = declarationError(
        SECRET_ERROR_CODES.PATH_NOT_JSON,
        `secret ${JSON.stringify(name)}: path ${JSON.stringify(path)} needs a JSON map or list, but the value is ${describeKind(value)}`,
        where,
        `remove \`| path ${path}\`, or store ${name} as a JSON object (e.g. {"password": "..."})`,
      );
      return undefined;
    }
    try {
      const selected = queryPath(doc, path);
      registerDeep(selected);
      return selected;
    } catch (e) {
      const why = e instanceof InfrakeyErrorClass ? e.summary : 'invalid path';
      failure = declarationError(SECRET_ERROR_CODES.PATH_MISSING, `secret ${JSON.stringify(name)}: ${why}`, where, 'check the path against the structure of the stored JSON value', e);
      return undefined;
    }
  }, name);
  if (failure) throw failure;
  return out;
}

function describeKind(v: unknown): string {
  if (typeof v === 'string') return 'a plain string (not JSON)';
  if (v === null || v === undefined) return 'empty';
  return `a ${typeof v}`;
}

/** Refuses a value larger than the backend accepts, naming the secret and the sizes only. */
function checkValueSize(name: string, backend: SecretBackend, value: unknown, where: SecretDeclaration['where']): void {
  const limit = backend.maxValueBytes;
  if (limit === undefined) return;
  const size = storedValueBytes(value);
  if (size <= limit) return;
  throw declarationError(
    SECRET_ERROR_CODES.VALUE_TOO_LARGE,
    `the value of secret ${JSON.stringify(name)} is ${size} bytes; ${backend.label} accepts at most ${limit}`,
    where,
    `store a smaller value (for a large file, store it elsewhere and keep its location or a key in ${JSON.stringify(name)})`,
  );
}
