import { relative } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type { ManagedSecretCoordinates } from './managed-secret-runtime';
import { programDirectory, resolveTarget, resolveWorkspaceOptions, type WorkspaceOptions } from './workspace-locator';

/** Inputs of {@link ManagedSecret}. */
export interface ManagedSecretArgs {
  /** The declared secret's name (a key of the component's `secrets.vars`). */
  name: pulumi.Input<string>;
  /** The value; always treated as secret. */
  value: pulumi.Input<string>;
  /** Atmos stack (default as getSecret: `infrakey:stack`, else the Pulumi stack). */
  stack?: pulumi.Input<string>;
  /** Atmos component (default as getSecret: `infrakey:component`, else the Pulumi project). */
  component?: pulumi.Input<string>;
}

/** Resource options of {@link ManagedSecret}, plus where the Atmos project is. */
export interface ManagedSecretOptions extends pulumi.CustomResourceOptions {
  workspace?: WorkspaceOptions;
}

/** The dynamic provider's inputs and outputs, as the provider host sees them. */
interface Props {
  name: string;
  value: string;
  stack: string;
  component: string;
  backend?: string;
  location?: string;
  scope?: string;
}

/**
 * The dynamic provider of {@link ManagedSecret}. Pulumi serializes it (its functions and every
 * value they capture) into the state, so it is a plain object whose methods capture only `c`, the
 * coordinates: no module bindings (those would drag in the Redactor and caches), no value, no
 * credential. At run time it loads `c.runtime` in the provider host and calls core from there.
 */
export function managedSecretProvider(coordinates: ManagedSecretCoordinates): pulumi.dynamic.ResourceProvider {
  const c: ManagedSecretCoordinates = { ...coordinates };
  return {
    async check(_olds: Props, news: Props) {
      const failures: { property: string; reason: string }[] = [];
      for (const p of ['name', 'stack', 'component'] as const) {
        if (typeof news[p] !== 'string' || news[p] === '') failures.push({ property: p, reason: `${p} must be a non-empty string` });
      }
      if (typeof news.value !== 'string') failures.push({ property: 'value', reason: 'value must be a string' });
      return { inputs: news, failures };
    },
    async diff(_id: string, olds: Props, news: Props) {
      // Another declaration or component instance is another backend location: replace, and
      // delete first, because two instances may share a location (global scope).
      const replaces = (['name', 'stack', 'component'] as const).filter((p) => olds[p] !== news[p]);
      const changes = replaces.length > 0 || olds.value !== news.value;
      return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
    },
    async create(inputs: Props) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const rt = (require(c.runtime) as typeof import('./managed-secret-runtime')).managedSecretRuntime;
      const key = { name: inputs.name, stack: inputs.stack, component: inputs.component };
      const w = await rt.write(c, key, inputs.value);
      return { id: w.id, outs: { ...key, value: inputs.value, backend: w.backend, location: w.location, scope: w.scope } };
    },
    async update(_id: string, _olds: Props, news: Props) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const rt = (require(c.runtime) as typeof import('./managed-secret-runtime')).managedSecretRuntime;
      const key = { name: news.name, stack: news.stack, component: news.component };
      const w = await rt.write(c, key, news.value);
      return { outs: { ...key, value: news.value, backend: w.backend, location: w.location, scope: w.scope } };
    },
    async delete(_id: string, props: Props) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const rt = (require(c.runtime) as typeof import('./managed-secret-runtime')).managedSecretRuntime;
      await rt.remove(c, { name: props.name, stack: props.stack, component: props.component });
    },
  };
}

/**
 * The module specifier the provider host loads: the package name when the program can resolve
 * it (portable between machines), else the absolute path of the runtime module (development).
 */
export function runtimeSpecifier(programDir: string): string {
  const own = require.resolve('./managed-secret-runtime');
  try {
    require.resolve('infrakey/pulumi', { paths: [programDir] });
    return 'infrakey/pulumi';
  } catch {
    return own;
  }
}

/**
 * A declared secret whose value this Pulumi program owns: create and update write `value` to the
 * declaration's backend (SSM, Secrets Manager, SOPS file, Redis, keychain, ... as atmos.yaml says),
 * delete removes it. `value` is secret on the way in and in the outputs (`additionalSecretOutputs`),
 * so Pulumi state holds it only encrypted by the stack's secrets provider.
 */
export class ManagedSecret extends pulumi.dynamic.Resource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly stack: pulumi.Output<string>;
  declare public readonly component: pulumi.Output<string>;
  /** Secret. */
  declare public readonly value: pulumi.Output<string>;
  /** The backend's label (`store ssm`, `sops provider vault`). */
  declare public readonly backend: pulumi.Output<string>;
  /** The backend key path or `file#key` (a name, not a value). */
  declare public readonly location: pulumi.Output<string>;
  /** The declaration's scope (`instance`, `stack`, `global`, ...). */
  declare public readonly scope: pulumi.Output<string>;

  constructor(name: string, args: ManagedSecretArgs, opts: ManagedSecretOptions = {}) {
    const { workspace, ...resourceOptions } = opts;
    const target = resolveTarget({});
    const ws = resolveWorkspaceOptions(workspace);
    const dir = programDirectory();
    const coordinates: ManagedSecretCoordinates = {
      runtime: runtimeSpecifier(dir),
      cwd: relative(dir, ws.cwd) || '.',
      ...(ws.profile !== undefined ? { profile: ws.profile } : {}),
      ...(ws.configPath !== undefined ? { configPath: relative(dir, ws.configPath) } : {}),
    };
    super(
      managedSecretProvider(coordinates),
      name,
      {
        name: args.name,
        value: pulumi.secret(args.value),
        stack: args.stack ?? target.stack,
        component: args.component ?? target.component,
        backend: undefined,
        location: undefined,
        scope: undefined,
      },
      { ...resourceOptions, additionalSecretOutputs: [...new Set([...(resourceOptions.additionalSecretOutputs ?? []), 'value'])] },
    );
  }
}
