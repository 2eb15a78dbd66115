/**
 * The two CDK engines and how a construct's class says which one it belongs to. Kept apart from
 * `engine.ts` so that infrakey/cdktf's public declarations never reference `cdktf` types: a
 * project with only cdktn installed compiles without `skipLibCheck`.
 */

/** The two engines: CDK for Terraform (`cdktf`) and its maintained fork CDK Terrain (`cdktn`). */
export type EngineName = 'cdktf' | 'cdktn';

const JSII_RTTI = Symbol.for('jsii.rtti');

/** `cdktf`, `cdktn` or undefined, from the jsii type name of the object's class chain. */
export function engineOfClass(obj: object): EngineName | undefined {
  for (let ctor = (obj as { constructor?: unknown }).constructor; typeof ctor === 'function'; ctor = Object.getPrototypeOf(ctor)) {
    const rtti = (ctor as unknown as Record<symbol, unknown>)[JSII_RTTI];
    const fqn = typeof rtti === 'object' && rtti !== null ? (rtti as { fqn?: unknown }).fqn : undefined;
    if (typeof fqn === 'string') {
      if (fqn.startsWith('cdktf.')) return 'cdktf';
      if (fqn.startsWith('cdktn.')) return 'cdktn';
    }
  }
  return undefined;
}
