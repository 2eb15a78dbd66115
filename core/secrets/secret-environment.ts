/**
 * What `secret exec` and `secret shell` give their child: the current environment plus every
 * initialised declared secret as `NAME=value` (and `TF_VAR_NAME` on request), and which
 * declarations had no value. Values are text: strings as they are, anything else as JSON.
 */
import type { StackEngine } from '../stacks/stack-engine';
import type { ComponentType } from '../stacks/stack-processor';
import { unsafeUnwrap } from '../secret';
import { backendLabel, type SecretDeclaration } from './declaration';
import { assertValid } from './secret-operations';
import type { ComponentTarget } from '../component-target';
import type { SecretsService } from './secrets-service';

/** A declaration left out of the environment because its backend has no value for it. */
export interface SkippedSecret {
  name: string;
  /** The backend, as a label (`sops file secrets/dev.enc.yaml`), never a value. */
  backend: string;
}

/** A declared secret's value as environment text: strings raw, everything else JSON. */
export function secretText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The child environment for `target`: `base` plus each initialised declared secret. */
export async function secretEnvironment(
  service: SecretsService,
  target: ComponentTarget,
  opts: { base: NodeJS.ProcessEnv; tfVars?: boolean },
): Promise<{ env: NodeJS.ProcessEnv; skipped: SkippedSecret[] }> {
  const cs = assertValid(service, target);
  const { values, missing } = await service.resolver.resolveAll(cs);
  const skipped = missing.map((name) => ({ name, backend: backendLabel(cs.declarations.get(name) as SecretDeclaration) }));
  const env: NodeJS.ProcessEnv = { ...opts.base };
  for (const [name, secret] of values) {
    const text = secretText(unsafeUnwrap(secret));
    env[name] = text;
    if (opts.tfVars) env[`TF_VAR_${name}`] = text;
  }
  return { env, skipped };
}

/**
 * The concrete components of `stack` that declare secrets (`secrets.vars`), for commands that
 * work on a whole stack (`secret validate -s S` without `-c`). Abstract components are skipped.
 */
export function componentsWithSecrets(stacks: StackEngine, stack: string): ComponentTarget[] {
  const summary = stacks.stack(stack);
  const out: ComponentTarget[] = [];
  for (const [type, names] of Object.entries(summary.components) as [ComponentType, string[]][]) {
    for (const name of names) {
      const resolved = stacks.resolveComponent(name, summary.name, { type, allowAbstract: true });
      const meta = resolved.section.metadata as { type?: unknown } | undefined;
      if (meta?.type === 'abstract') continue;
      const secrets = resolved.section.secrets as { vars?: unknown } | undefined;
      if (secrets?.vars) out.push({ stack: summary.name, component: name });
    }
  }
  return out;
}
