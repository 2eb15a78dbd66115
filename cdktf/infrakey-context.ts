/**
 * Defaults given once per stack (or app): the Workspace, the Atmos stack and the component that
 * DeclaredSecret and IdentityAwsProvider use when their props leave them out. Kept in a WeakMap
 * keyed by construct rather than in construct context, because construct context cannot be set
 * once a scope has children, and a Workspace is not JSON. Plain names can also come from the
 * construct tree's context (`cdktf.json` `"context": { "infrakey:stack": ..., "infrakey:component": ... }`).
 */
import type { IConstruct } from 'constructs';
import { UsageError, Workspace } from '../core/index';
import { CDKTF_ERROR_CODES } from './cdktf-errors';

/** Defaults for the constructs below a scope. */
export interface InfrakeyContext {
  /**
   * The loaded Atmos project (`await Workspace.load()`). Default: atmos.yaml and the stacks found
   * from the app's working directory, loaded once per app (see {@link workspaceAt}).
   */
  readonly workspace?: Workspace;
  /** The Atmos stack name (e.g. `plat-ue2-dev`). */
  readonly stack?: string;
  /** The Atmos component instance name (e.g. `api`). */
  readonly component?: string;
}

/** Construct-context keys read when no {@link infrakeyContext} call sets a value. */
export const CONTEXT_KEYS = { stack: 'infrakey:stack', component: 'infrakey:component', profile: 'infrakey:profile' } as const;

const appWorkspaces = new WeakMap<IConstruct, Workspace>();

const contexts = new WeakMap<IConstruct, InfrakeyContext>();

/**
 * Sets defaults for every infrakey construct created below `scope` (usually a TerraformStack).
 * Calling it again on the same scope merges over the previous values. Returns `scope`.
 */
export function infrakeyContext<T extends IConstruct>(scope: T, ctx: InfrakeyContext): T {
  for (const key of ['stack', 'component'] as const) {
    const v = ctx[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new UsageError({
        code: CDKTF_ERROR_CODES.CONTEXT_INVALID,
        message: `infrakeyContext: \`${key}\` must be a non-empty string`,
        where: scope.node.path || '(root construct)',
        fix: `pass the Atmos ${key} name, e.g. infrakeyContext(stack, { ${key}: '${key === 'stack' ? 'plat-ue2-dev' : 'api'}' })`,
      });
    }
  }
  contexts.set(scope, { ...contexts.get(scope), ...ctx });
  return scope;
}

/** The effective defaults at `scope`: the nearest value set on it or an ancestor, per field. */
export function contextAt(scope: IConstruct): InfrakeyContext {
  const out: { workspace?: Workspace; stack?: string; component?: string } = {};
  const chain = scope.node.scopes;
  for (let i = chain.length - 1; i >= 0; i--) {
    const ctx = contexts.get(chain[i]);
    if (!ctx) continue;
    out.workspace ??= ctx.workspace;
    out.stack ??= ctx.stack;
    out.component ??= ctx.component;
  }
  for (const key of ['stack', 'component'] as const) {
    if (out[key] !== undefined) continue;
    const v: unknown = scope.node.tryGetContext(CONTEXT_KEYS[key]);
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  return out;
}

/**
 * The Workspace for `scope`: `explicit`, else the nearest {@link infrakeyContext} value, else the
 * project of the app's working directory — atmos.yaml and the stacks found from `process.cwd()`
 * as the CLI and the Pulumi adapter find them (`ATMOS_CLI_CONFIG_PATH`, `ATMOS_PROFILE` or the
 * `infrakey:profile` context apply), loaded synchronously once per app, so that a CommonJS
 * `main.ts` as `cdktf init` writes it needs no setup. Loading reads files only (no network).
 */
export function workspaceAt(scope: IConstruct, explicit: Workspace | undefined): Workspace {
  const given = explicit ?? contextAt(scope).workspace;
  if (given) return given;
  const app = scope.node.root;
  let ws = appWorkspaces.get(app);
  if (!ws) {
    const profile: unknown = scope.node.tryGetContext(CONTEXT_KEYS.profile);
    ws = Workspace.loadSync(typeof profile === 'string' && profile !== '' ? { profile } : {});
    appWorkspaces.set(app, ws);
  }
  return ws;
}

/** The field, from `explicit` or the context, or a CDKTF_CONTEXT_MISSING error naming the construct. */
export function requireContext<K extends 'stack' | 'component'>(scope: IConstruct, key: K, explicit: InfrakeyContext[K] | undefined, what: string): NonNullable<InfrakeyContext[K]> {
  const v = explicit ?? contextAt(scope)[key];
  if (v !== undefined && v !== null) return v as NonNullable<InfrakeyContext[K]>;
  const example = key === 'stack' ? "stack: 'plat-ue2-dev'" : "component: 'api'";
  throw new UsageError({
    code: CDKTF_ERROR_CODES.CONTEXT_MISSING,
    message: `${what} needs a ${key} and none was given`,
    where: scope.node.path || '(root construct)',
    fix: `pass \`${key}\` in its props, or call infrakeyContext(stack, { ${example} }) before creating it (or set "${CONTEXT_KEYS[key]}" in cdktf.json context)`,
  });
}
