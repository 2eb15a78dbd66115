import { resolve as resolvePath } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { AsyncCache, Workspace, type ComponentTarget } from '../core/internal';

/** Where the Atmos project is: the program's directory unless told otherwise. */
export interface WorkspaceOptions {
  /**
   * Folder to start atmos.yaml discovery from (default: the Pulumi project root, i.e. the
   * program's directory). `ATMOS_CLI_CONFIG_PATH` and `ATMOS_BASE_PATH` apply as in Atmos.
   */
  cwd?: string;
  /** Atmos profile(s) (default: Pulumi config `infrakey:profile`, else `ATMOS_PROFILE`). */
  profile?: string;
  /** Explicit atmos.yaml file or folder (as `--config`). */
  configPath?: string;
}

/** Which component instance a call addresses. */
export interface TargetOptions extends WorkspaceOptions {
  /** Atmos stack (default: Pulumi config `infrakey:stack`, else `pulumi.getStack()`). */
  stack?: string;
  /** Atmos component (default: Pulumi config `infrakey:component`, else `pulumi.getProject()`). */
  component?: string;
}

// A failed load is not kept: the next call (e.g. after fixing the environment in a test) retries.
const workspaces = new AsyncCache<string, Workspace>();

/** The Pulumi project root (`getRootDirectory`), or the working directory under mocks. */
export function programDirectory(): string {
  const root = pulumi.runtime.getRootDirectory();
  return root !== '' ? root : process.cwd();
}

function config(key: string): string | undefined {
  const v = new pulumi.Config('infrakey').get(key);
  return v === undefined || v === '' ? undefined : v;
}

/** The stack and component a call addresses: options, then Pulumi config, then the Pulumi stack/project. */
export function resolveTarget(opts: TargetOptions = {}): ComponentTarget {
  return {
    stack: opts.stack ?? config('stack') ?? pulumi.getStack(),
    component: opts.component ?? config('component') ?? pulumi.getProject(),
  };
}

/** The effective workspace options (cwd absolute, profile from Pulumi config when not given). */
export function resolveWorkspaceOptions(opts: WorkspaceOptions = {}): Required<Pick<WorkspaceOptions, 'cwd'>> & WorkspaceOptions {
  const profile = opts.profile ?? config('profile');
  return {
    cwd: resolvePath(programDirectory(), opts.cwd ?? '.'),
    ...(profile !== undefined ? { profile } : {}),
    ...(opts.configPath !== undefined ? { configPath: resolvePath(programDirectory(), opts.configPath) } : {}),
  };
}

/**
 * The workspace of a program, loaded once per (cwd, profile, config path) and shared by every
 * getSecret/componentConfig/awsProvider/ManagedSecret call, so each value is read once.
 * Its describe returns `!secret` values as Secrets (not plaintext), which the adapter turns into
 * secret Outputs.
 */
export function locateWorkspace(opts: WorkspaceOptions = {}): Promise<Workspace> {
  const o = resolveWorkspaceOptions(opts);
  const key = JSON.stringify([o.cwd, o.profile ?? null, o.configPath ?? null]);
  return workspaces.get(key, () => {
    let loaded: Workspace | undefined;
    return Workspace.load({
      cwd: o.cwd,
      ...(o.profile !== undefined ? { profile: o.profile } : {}),
      ...(o.configPath !== undefined ? { configPath: o.configPath } : {}),
      functions: (ctx) => (loaded as Workspace).secretsLayer().functions(ctx, { unwrap: false }),
    }).then((ws) => (loaded = ws));
  });
}

/** Forgets every loaded workspace (tests; a long-lived automation-API process after config changes). */
export function resetWorkspaces(): void {
  workspaces.clear();
}
