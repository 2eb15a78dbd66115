import * as pulumi from '@pulumi/pulumi';
import { Secret, unsafeUnwrap } from '../core/index';
import { pulumiError } from './pulumi-error';
import { locateWorkspace, resolveTarget, type TargetOptions } from './workspace-locator';

/** A component's vars: plain values as they are, `!secret` values as secret Outputs. */
export type ComponentConfig = Record<string, unknown>;

/** Options of {@link componentConfig}. */
export type ComponentConfigOptions = TargetOptions;

/**
 * The component's merged `vars` as `atmos describe component` computes them (imports,
 * inheritance, `!env`, `!exec`, `!store`, `!template` evaluated), with every `!secret` value as a
 * secret Output (`pulumi.Output<T>`, `pulumi.isSecret` true) and everything else plain.
 */
export async function componentConfig(opts: ComponentConfigOptions = {}): Promise<ComponentConfig> {
  const target = resolveTarget(opts);
  try {
    const ws = await locateWorkspace(opts);
    const section = await ws.describeComponent(target.component, target.stack, { mask: false });
    const vars = section.vars;
    return vars !== null && typeof vars === 'object' && !Array.isArray(vars) ? (toPulumi(vars) as ComponentConfig) : {};
  } catch (e) {
    throw pulumiError(`componentConfig(stack "${target.stack}", component "${target.component}")`, e);
  }
}

/** Secrets become secret Outputs; maps and lists are copied; other values stay plain. */
function toPulumi(value: unknown): unknown {
  if (Secret.isSecret(value)) return pulumi.secret(unsafeUnwrap(value));
  if (Array.isArray(value)) return value.map(toPulumi);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: toPulumi(v), enumerable: true, writable: true, configurable: true });
      else out[k] = toPulumi(v);
    }
    return out;
  }
  return value;
}
