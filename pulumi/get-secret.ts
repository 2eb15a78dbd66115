import * as pulumi from '@pulumi/pulumi';
import { unsafeUnwrap, type Secret } from '../core/index';
import { pulumiError } from './pulumi-error';
import { secretBatcher } from './secret-batcher';
import { locateWorkspace, resolveTarget, type TargetOptions } from './workspace-locator';

/** Options of {@link getSecret}. */
export interface GetSecretOptions extends TargetOptions {
  /** yq-style path into a JSON value (`.password`), as `!secret NAME | path .password`. */
  path?: string;
  /** Used when the backend has no value, as `!secret NAME | default x`. */
  default?: string;
}

/** Plaintext of a resolved value as a string: strings as they are, other JSON values encoded. */
export function secretText(secret: Secret<unknown>): string {
  const v = unsafeUnwrap(secret);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A declared secret of the component as a secret Output (`pulumi.isSecret` is true; Pulumi state
 * holds it encrypted by the stack's secrets provider). Stack and component default to Pulumi
 * config `infrakey:stack` / `infrakey:component`, else `pulumi.getStack()` / `pulumi.getProject()`.
 * Calls made while the program is constructed are read together, batched per store.
 *
 * Failures (undeclared name, not initialized, backend or auth errors) reject the Output with an
 * {@link InfrakeyPulumiError} that names the secret, never its value.
 */
export function getSecret(name: string, opts: GetSecretOptions = {}): pulumi.Output<string> {
  const value = (async () => {
    const target = resolveTarget(opts);
    const secret = await secretBatcher.request({
      name,
      target,
      workspace: opts,
      ...(opts.path !== undefined ? { path: opts.path } : {}),
      ...(opts.default !== undefined ? { default: opts.default } : {}),
    });
    return secretText(secret);
  })().catch((e: unknown) => {
    throw pulumiError(`getSecret(${JSON.stringify(name)})`, e);
  });
  return pulumi.secret(value);
}

/**
 * Every declared secret of the component, read in one batched pass, as secret Outputs by name.
 * A required secret without a value fails (naming every missing one); optional ones are left out.
 */
export async function getSecrets(opts: TargetOptions = {}): Promise<Record<string, pulumi.Output<string>>> {
  const target = resolveTarget(opts);
  try {
    const ws = await locateWorkspace(opts);
    const all = await ws.secrets(target);
    const out: Record<string, pulumi.Output<string>> = {};
    for (const [name, s] of Object.entries(all)) out[name] = pulumi.secret(secretText(s));
    return out;
  } catch (e) {
    throw pulumiError(`getSecrets(stack "${target.stack}", component "${target.component}")`, e);
  }
}
