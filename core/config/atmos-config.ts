/**
 * The loaded `atmos.yaml` (after discovery, `atmos.d`, imports, profiles and `ATMOS_*` overrides).
 * Typed fields cover what infrakey reads; everything else stays in {@link AtmosConfig.raw}.
 */

/** `stacks:` with paths resolved. */
export interface StacksConfig {
  /** Absolute stacks folder (`stacks.base_path` resolved against {@link AtmosConfig.basePath}). */
  basePath: string;
  /** Globs relative to {@link StacksConfig.basePath}, as written (e.g. `orgs/**\/*`). */
  includedPaths: string[];
  /** Globs relative to {@link StacksConfig.basePath} (e.g. `**\/_defaults.yaml`). */
  excludedPaths: string[];
  nameTemplate?: string;
  namePattern?: string;
}

/** `components:` with paths resolved. */
export interface ComponentsConfig {
  terraform: { basePath: string };
}

/** One store as written under `stores.<name>` (see the stores module for kinds and options). */
export interface StoreEntry {
  kind?: string;
  type?: string;
  secret?: boolean;
  identity?: string;
  options?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The effective configuration. */
export interface AtmosConfig {
  /** The merged configuration; `!env`, `!exec`, `!include` resolved. Keys keep their spelling. */
  raw: Record<string, unknown>;
  /** The atmos.yaml used, absolute; undefined when none was found and defaults are used. */
  file?: string;
  /** Every file merged, lowest priority first (atmos.d, imports, atmos.yaml, profiles). */
  files: string[];
  /** The folder of {@link AtmosConfig.file}, or the working directory. */
  dir: string;
  /** Absolute `base_path` (relative values resolve against {@link AtmosConfig.dir}). */
  basePath: string;
  stacks: StacksConfig;
  components: ComponentsConfig;
  /** Active profiles joined by `,` (as given), if any. */
  profile?: string;
  /** Active profiles, in merge order. */
  profiles: string[];
  /** `logs.level` after `ATMOS_LOGS_LEVEL`. */
  logsLevel?: string;
  /** `auth:` as a plain object (`{}` when absent). */
  auth: Record<string, unknown>;
  /** `stores:` as a plain object of entries (`{}` when absent). */
  stores: Record<string, StoreEntry>;
  /** `secrets:` as a plain object (`{}` when absent). */
  secrets: Record<string, unknown>;
  /** `settings:` as a plain object (`{}` when absent). */
  settings: Record<string, unknown>;
  /**
   * Where a setting was written, for messages: `locate('stores.ssm.kind')` → `atmos.yaml:12`
   * (file relative to {@link AtmosConfig.dir} when inside it), `ATMOS_BASE_PATH (environment)` for
   * overridden values, or the bare file name / config path when no line is known.
   */
  locate(configPath: string): string;
}
