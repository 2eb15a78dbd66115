/**
 * Track 2: a SOPS provider as a {@link SecretBackend}. The provider's `spec.file` is a template
 * with `{{ .atmos_stack }}` and `{{ .atmos_component }}` (empty for stack scope); without `file`,
 * `spec.path` (default `secrets`) gives `<path>/<stack>.enc.yaml` (stack scope) or
 * `<path>/<stack>.<component>.enc.yaml` (semantics §6.7). The key is the declaration's name at the
 * top level of the decrypted document.
 *
 * Relative paths resolve against the Atmos base path, not the process's working directory as in
 * Atmos: a Pulumi program or a test running elsewhere still finds the same file (identical when
 * the command runs from the base path, as Atmos users do).
 *
 * Each file is decrypted at most once per backend (the whole file is decrypted to verify its MAC
 * anyway); a write invalidates it.
 */
import { AsyncCache } from '../async/memoize-async';
import { SOPS_MAX_VALUE_BYTES } from '../stores/value-limits';
import { containedSopsFilePath } from './sops/path-template';
import type { SecretCoordinate } from './coordinates';
import type { SecretsProviderConfig } from './providers';
import type { ReadResult } from '../read-result';
import type { SecretBackend } from './secret-backend';

/** File operations of a SOPS provider (implemented by `core/secrets/sops`). */
export interface SopsFileOps {
  /** The decrypted document (MAC verified); `undefined` when the file does not exist. */
  readFile(file: string): Promise<Record<string, unknown> | undefined>;
  /** Top-level key names from the cleartext structure, without decrypting; `undefined` when no file. */
  listKeys(file: string): Promise<string[] | undefined>;
  /** Sets a top-level key, creating the file if needed (new MAC, `lastmodified`, 0600). */
  setKey(file: string, key: string, value: unknown): Promise<void>;
  /** Removes a top-level key; a missing file or key is not an error. */
  deleteKey(file: string, key: string): Promise<void>;
}

/** Builds the file operations for one provider. */
export type SopsOpsFactory = (provider: SecretsProviderConfig) => SopsFileOps;

/** The file a coordinate of `provider` lives in (absolute, inside the template's folder: SOPS_PATH_TEMPLATE otherwise). */
export function sopsFilePath(provider: SecretsProviderConfig, coord: Pick<SecretCoordinate, 'stack' | 'component'>, basePath: string): string {
  const spec = provider.spec;
  return containedSopsFilePath(
    { file: typeof spec.file === 'string' ? spec.file : undefined, path: typeof spec.path === 'string' ? spec.path : undefined },
    { atmos_stack: coord.stack, atmos_component: coord.component },
    basePath,
    `secrets.providers.${provider.name}.spec`,
  );
}

/**
 * Backends of providers with the same name, spec and identity context are the same backend (the
 * identity context decides whose credentials open KMS-wrapped files).
 */
export function sopsBackendId(provider: SecretsProviderConfig): string {
  return `sops:${provider.name}:${JSON.stringify(provider.spec)}:${provider.identity ?? ''}:${JSON.stringify(provider.componentAuth ?? null)}`;
}

/** A SOPS provider as a secret backend. */
export class SopsSecretBackend implements SecretBackend {
  readonly id: string;
  readonly label: string;
  readonly track = 'sops' as const;
  readonly local = true;
  readonly maxValueBytes = SOPS_MAX_VALUE_BYTES;
  // A failed read is not cached: a fixed key or file can be retried in the same process.
  private readonly files = new AsyncCache<string, Record<string, unknown> | undefined>();

  constructor(
    readonly provider: SecretsProviderConfig,
    private readonly ops: SopsFileOps,
    private readonly basePath: string,
  ) {
    this.id = sopsBackendId(provider);
    this.label = `sops ${provider.name}`;
  }

  /** The absolute file of a coordinate. */
  file(coord: SecretCoordinate): string {
    return sopsFilePath(this.provider, coord, this.basePath);
  }

  location(coord: SecretCoordinate): string {
    return `${this.file(coord)}#${coord.key}`;
  }

  async readMany(coords: readonly SecretCoordinate[]): Promise<ReadResult[]> {
    const files = coords.map((c) => this.file(c));
    // Start every distinct file at once; each is decrypted once.
    for (const f of new Set(files)) this.load(f);
    return Promise.all(
      coords.map(async (c, i): Promise<ReadResult> => {
        const file = files[i];
        const location = `${file}#${c.key}`;
        try {
          const doc = await this.load(file);
          if (doc === undefined || !Object.prototype.hasOwnProperty.call(doc, c.key)) return { status: 'missing', location };
          return { status: 'found', location, value: doc[c.key] };
        } catch (e) {
          return { status: 'error', location, error: e instanceof Error ? e : new Error('SOPS read failed') };
        }
      }),
    );
  }

  async has(coord: SecretCoordinate): Promise<boolean> {
    const keys = await this.ops.listKeys(this.file(coord));
    return keys !== undefined && keys.includes(coord.key);
  }

  async write(coord: SecretCoordinate, value: unknown): Promise<void> {
    const file = this.file(coord);
    this.files.delete(file);
    try {
      await this.ops.setKey(file, coord.key, value);
    } finally {
      this.files.delete(file);
    }
  }

  async remove(coord: SecretCoordinate): Promise<void> {
    const file = this.file(coord);
    this.files.delete(file);
    try {
      await this.ops.deleteKey(file, coord.key);
    } finally {
      this.files.delete(file);
    }
  }

  private load(file: string): Promise<Record<string, unknown> | undefined> {
    return this.files.get(file, () => this.ops.readFile(file));
  }
}
