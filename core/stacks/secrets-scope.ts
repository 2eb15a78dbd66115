import { StackError, type SourceLocation } from '../errors';
import { isMap, setKey, type YamlMap } from './deep-merge';

/** Where a secret's value lives relative to (stack, component) (atmos-semantics §6.4). */
export type SecretScope = 'instance' | 'stack' | 'global';

/** Where a declaration was written and the scope its position gave it. */
export interface SecretDeclarationSource {
  scope: SecretScope;
  /** The manifest that declared it last (the highest-priority layer), absolute path. */
  file: string;
  line?: number;
}

/** One `secrets:` layer of a component's merge (§6.3). */
export interface SecretsLayer {
  section: unknown;
  /** `stack` for the stack top-level section, `instance` for bases, the component and overrides. */
  position: 'stack' | 'instance';
  /** The layer's manifest; for the merged stack layer, the root manifest. */
  file: string;
  /** Locates `vars.<NAME>` (or `vars.<NAME>.scope`) inside this layer for messages. */
  locate?: (path: readonly (string | number)[]) => SourceLocation | undefined;
}

/**
 * Merges `secrets:` layers with each declaration's scope stamped by position before the merge
 * (atmos-semantics §6.3): the stack layer gives `stack`, every other layer `instance`; an explicit
 * `scope` equal to the position or `global` is kept; any other explicit scope is
 * STACK_SECRET_SCOPE_CONFLICT. Because stamping precedes the merge, re-declaring a stack secret in
 * a component makes it `instance` for that component (the one-way rule). Inputs are not mutated.
 */
export function mergeSecretsLayers(
  layers: readonly SecretsLayer[],
  merge: (layers: readonly unknown[]) => YamlMap,
): { section: YamlMap; sources: Record<string, SecretDeclarationSource> } {
  const stamped: unknown[] = [];
  const sources: Record<string, SecretDeclarationSource> = {};
  for (const layer of layers) {
    if (layer.section === undefined || layer.section === null) continue;
    if (!isMap(layer.section)) {
      throw new StackError({
        code: 'STACK_SECRETS_INVALID',
        message: 'invalid component secrets section: `secrets` must be a map with `vars` and/or `providers`',
        where: layer.locate?.([]) ?? layer.file,
        fix: 'write `secrets: { vars: { NAME: { store: <store> } } }`',
      });
    }
    stamped.push(stampLayer(layer, sources));
  }
  return { section: merge(stamped), sources };
}

function stampLayer(layer: SecretsLayer, sources: Record<string, SecretDeclarationSource>): YamlMap {
  const section = layer.section as YamlMap;
  const vars = section.vars;
  if (vars === undefined || vars === null) return section;
  if (!isMap(vars)) {
    throw new StackError({
      code: 'STACK_SECRETS_INVALID',
      message: 'invalid component secrets section: `secrets.vars` must be a map of declarations',
      where: layer.locate?.(['vars']) ?? layer.file,
      fix: 'write `secrets: { vars: { NAME: { store: <store> } } }`',
    });
  }
  const stampedVars: YamlMap = {};
  for (const name of Object.keys(vars)) {
    const decl = vars[name];
    const loc = layer.locate?.(['vars', name]);
    if (!isMap(decl)) {
      // A bare declaration (no map) has no backend; it keeps its shape and gets a source entry.
      setKey(stampedVars, name, decl);
      sources[name] = { scope: layer.position, file: loc?.file ?? layer.file, line: loc?.line };
      continue;
    }
    const explicit = decl.scope;
    let scope: SecretScope = layer.position;
    if (explicit !== undefined && explicit !== null && explicit !== '') {
      if (explicit === 'global') scope = 'global';
      else if (explicit !== layer.position) {
        throw new StackError({
          code: 'STACK_SECRET_SCOPE_CONFLICT',
          message:
            `invalid component secrets section: secret scope conflicts with declaration position: ` +
            `secret ${JSON.stringify(name)} declares scope ${JSON.stringify(String(explicit))} but its position implies ${JSON.stringify(layer.position)}`,
          where: layer.locate?.(['vars', name, 'scope']) ?? loc ?? layer.file,
          fix:
            layer.position === 'instance'
              ? 'declare stack-scoped secrets in the stack top-level `secrets:` section, or remove `scope:` (use `scope: global` for one value shared everywhere)'
              : 'remove `scope:` (stack top-level declarations are stack-scoped) or use `scope: global`',
        });
      }
    }
    const copy: YamlMap = {};
    for (const key of Object.keys(decl)) setKey(copy, key, decl[key]);
    copy.scope = scope;
    setKey(stampedVars, name, copy);
    sources[name] = { scope, file: loc?.file ?? layer.file, line: loc?.line };
  }
  const out: YamlMap = {};
  for (const key of Object.keys(section)) setKey(out, key, key === 'vars' ? stampedVars : section[key]);
  return out;
}
