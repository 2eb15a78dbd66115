/**
 * `!secret NAME [| path <.a.b>] [| default <value>]` in the post-merge YAML-function pass
 * (semantics §6.5). Only names the component declares resolve. Arguments are parsed quote-aware
 * (`| default "a | b"` works, unlike Atmos's plain split on `|`). Inspection with masking on never
 * reaches this hook: `resolveYamlFunctions({ mask: true })` answers `<MASKED>` without a backend.
 *
 * All `!secret` nodes of a component are visited in one synchronous walk, so the resolver reads
 * them in one batch per backend.
 */
import { formatLocation } from '../errors';
import { unsafeUnwrap, type Secret } from '../secret';
import { parseSecretArgs } from '../yaml/function-args';
import type { YamlFunction, YamlFunctionTag } from '../yaml/yaml-function';
import type { ComponentSecrets } from './component-secrets';
import type { SecretResolver } from './secret-resolver';

/** Options of {@link secretFunction}. */
export interface SecretFunctionOptions {
  /**
   * Return plaintext (registered with the Redactor) instead of a {@link Secret}: for output that
   * is masked as a whole (describe with `--mask=false`, `secret exec`). Default false.
   */
  unwrap?: boolean;
}

/** The `secret` callback of `resolveYamlFunctions` for one component. */
export function secretFunction(cs: ComponentSecrets, resolver: SecretResolver, opts: SecretFunctionOptions = {}): (fn: YamlFunction) => Promise<unknown> {
  return async (fn) => {
    const args = parseSecretArgs(fn.args, fn.source);
    const secret: Secret<unknown> = await resolver.resolve(cs, args.name, {
      path: args.path,
      default: args.default,
      where: formatLocation(fn.source),
    });
    return opts.unwrap ? unsafeUnwrap(secret) : secret;
  };
}

/** The names of every `!secret` node in a value (for listings and checks; no resolution). */
export function secretNamesIn(value: unknown, isFn: (v: unknown) => v is YamlFunction, out = new Set<string>()): Set<string> {
  if (isFn(value)) {
    if ((value.tag as YamlFunctionTag) === '!secret') {
      try {
        out.add(parseSecretArgs(value.args, value.source).name);
      } catch {
        /* reported when resolved */
      }
    }
  } else if (Array.isArray(value)) {
    for (const v of value) secretNamesIn(v, isFn, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) secretNamesIn(v, isFn, out);
  }
  return out;
}
