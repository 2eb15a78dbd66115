/**
 * Where a declared secret lives (semantics §6.4, `coordinateForDeclaration`): the key is the
 * declaration's `reference` when set, else its name; the scope drops the component (stack scope) or
 * both stack and component (global scope). A store composes the backend path from these with §5.3,
 * giving `{prefix}/{stack}/{component}/{NAME}`, `{prefix}/{stack}/{NAME}` and `{prefix}/{NAME}`.
 */
import type { ComponentTarget } from '../component-target';
import { safeText } from '../secret';
import type { SecretDeclaration, SecretScope } from './declaration';

/** Coordinates of a secret value in its backend. */
export interface SecretCoordinate extends ComponentTarget {
  /** The resolved (logical) stack name, or `""` for global scope. */
  readonly stack: string;
  /** The component instance name (not `metadata.component`), or `""` for stack/global scope. */
  readonly component: string;
  readonly key: string;
}

/** The coordinate of `decl` for (stack, component). */
export function coordinateFor(decl: Pick<SecretDeclaration, 'name' | 'reference' | 'scope'>, stack: string, component: string): SecretCoordinate {
  const key = decl.reference !== undefined && decl.reference !== '' ? decl.reference : decl.name;
  const scope: SecretScope = decl.scope ?? 'instance';
  switch (scope) {
    case 'global':
      return { stack: '', component: '', key };
    case 'stack':
      return { stack, component: '', key };
    default:
      return { stack, component, key };
  }
}

/** Human description of the sharing a scope implies, for CLI messages. */
export function scopeDescription(scope: SecretScope, stack: string, component: string): string {
  switch (scope) {
    case 'global':
      return safeText`global secret (shared by every stack and component using this backend)`;
    case 'stack':
      return safeText`stack-scoped secret (shared by every component of stack "${stack}")`;
    default:
      return safeText`secret for component "${component}" in stack "${stack}"`;
  }
}
