/**
 * A component's secrets for one (stack, component): its declarations (from the merged `secrets`
 * section the stack engine produced, scopes already stamped by position), the providers it sees,
 * and every problem found — each naming the declaration and the file. Building it contacts no
 * backend.
 */
import type { ComponentTarget } from '../component-target';
import type { InfrakeyError } from '../errors';
import { allowedUnsafeNames, parseDeclarations, type DeclarationSources, type SecretDeclaration } from './declaration';
import { checkBackend, mergeProviders, type SecretsProviderConfig, type StoreLookup } from './providers';

/** What the resolver and the CLI need to know about one component instance. */
export interface ComponentSecrets extends ComponentTarget {
  /** The resolved (logical) stack name. */
  readonly stack: string;
  /** The component instance name. */
  readonly component: string;
  readonly declarations: ReadonlyMap<string, SecretDeclaration>;
  readonly providers: Readonly<Record<string, SecretsProviderConfig>>;
  /** Problems by declaration name: the entry is unusable and using it reports this. */
  readonly invalid: ReadonlyMap<string, InfrakeyError>;
  /** Every problem (declaration fields, backends, providers), in order. */
  readonly problems: readonly InfrakeyError[];
  /** The component's manifest, for messages. */
  readonly where?: string;
}

/** Input of {@link buildComponentSecrets}. */
export interface ComponentSecretsInput {
  stack: string;
  component: string;
  /** The merged `secrets` section (`{ vars, providers }`), scopes stamped. */
  section: unknown;
  /** Per-declaration origin from the stack engine. */
  sources?: DeclarationSources;
  /** atmos.yaml `secrets.providers`. */
  configProviders?: unknown;
  /** Maps an atmos.yaml config path to `file:line`. */
  locateConfig?: (path: string) => string;
  /** The component's manifest (file), for messages. */
  where?: string;
  /** The configured stores (to check `store:` references). */
  stores: StoreLookup;
  /** The environment: `INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES` allows unsafe declared names by name. */
  env?: NodeJS.ProcessEnv;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builds a component's secrets and checks every declaration's backend. */
export function buildComponentSecrets(input: ComponentSecretsInput): ComponentSecrets {
  const section = isMap(input.section) ? input.section : {};
  const parsed = parseDeclarations(section.vars, { sources: input.sources, where: input.where, ...(input.env ? { allowUnsafeNames: allowedUnsafeNames(input.env) } : {}) });
  const { providers, problems: providerProblems } = mergeProviders(input.configProviders, section.providers, {
    locateConfig: input.locateConfig,
    componentWhere: input.where,
  });
  const problems: InfrakeyError[] = [...parsed.problems, ...providerProblems];
  const invalid = new Map<string, InfrakeyError>(parsed.invalid);
  const declarations = new Map<string, SecretDeclaration>();
  for (const [name, decl] of parsed.declarations) {
    const problem = checkBackend(decl, input.stores, providers);
    if (problem) {
      problems.push(problem);
      invalid.set(name, problem);
    } else {
      declarations.set(name, decl);
    }
  }
  return {
    stack: input.stack,
    component: input.component,
    declarations,
    providers,
    invalid,
    problems,
    ...(input.where !== undefined ? { where: input.where } : {}),
  };
}

/** Every declared name of the component, valid or not, sorted. */
export function declaredNames(cs: ComponentSecrets): string[] {
  return [...new Set([...cs.declarations.keys(), ...cs.invalid.keys()])].sort();
}
