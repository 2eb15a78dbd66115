import type { IConstruct } from 'constructs';
import type { EngineName } from './engine-class';
import { engineOf } from './engine';

/** Which engine (`cdktf` or `cdktn`) the construct tree of `scope` uses. */
export function engineNameOf(scope: IConstruct): EngineName {
  return engineOf(scope).name;
}
