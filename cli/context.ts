import type { Command } from 'commander';
import type { CliIO } from './io';

/** Options every command accepts (Atmos's global flags). */
export interface GlobalOptions {
  profile?: string;
  identity?: string;
  /** `--mask=false` prints secret values; default true. */
  mask: boolean;
  debug: boolean;
  /** `--base-path`: overrides `base_path` (as ATMOS_BASE_PATH). */
  basePath?: string;
  /** `--config`: path to atmos.yaml or its folder (as ATMOS_CLI_CONFIG_PATH). */
  config?: string;
}

/** What a command file receives when it registers its commands. */
export interface CliContext {
  readonly io: CliIO;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The global options as given on the command line, merged with the environment. */
  globals(cmd: Command): GlobalOptions;
  /**
   * Options for `Workspace.load` derived from the globals: cwd, profile and an env in which
   * `--config`/`--base-path` are expressed as ATMOS_CLI_CONFIG_PATH/ATMOS_BASE_PATH.
   */
  workspaceOptions(cmd: Command): { cwd: string; profile?: string; env: NodeJS.ProcessEnv };
}
