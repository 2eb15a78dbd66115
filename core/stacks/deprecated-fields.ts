import type { SourceLocation } from '../errors';
import { isMap } from './deep-merge';
import { COMPONENT_TYPES, type ProcessedStack } from './stack-processor';

/** A stack manifest field Atmos's manifest schema marks deprecated, where it is written. */
export interface DeprecatedField {
  /** The field's path in its manifest (`components.terraform.app.depends_on`). */
  readonly path: string;
  /** What to write instead (Atmos's `x-atmos-replacement`). */
  readonly replacement: string;
  readonly where: SourceLocation;
}

/**
 * Component fields Atmos's manifest schema marks `deprecated` (pkg/datafetcher/schema/atmos/
 * manifest/1.0.json): `depends_on` on a component and in its `settings`, both replaced by
 * `dependencies.components`. `validate stacks` warns about them as Atmos does; infrakey reads
 * neither (it has no dependency ordering), so the warning is all there is to say.
 */
const DEPRECATED_COMPONENT_FIELDS: readonly { path: readonly string[]; replacement: string }[] = [
  { path: ['depends_on'], replacement: 'dependencies.components' },
  { path: ['settings', 'depends_on'], replacement: 'dependencies.components' },
];

/** The deprecated fields written in the component blocks of a stack's manifests, in merge order. */
export function deprecatedFields(stack: ProcessedStack): DeprecatedField[] {
  const out: DeprecatedField[] = [];
  for (const type of COMPONENT_TYPES) {
    for (const [name, occurrences] of stack.components[type] ?? []) {
      for (const occ of occurrences) {
        for (const field of DEPRECATED_COMPONENT_FIELDS) {
          let value: unknown = occ.section;
          for (const key of field.path) value = isMap(value) ? value[key] : undefined;
          if (value === undefined) continue;
          out.push({
            path: ['components', type, name, ...field.path].join('.'),
            replacement: field.replacement,
            where: occ.locate([...field.path]) ?? { file: occ.file },
          });
        }
      }
    }
  }
  return out;
}
