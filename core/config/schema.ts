import * as z from 'zod/mini';

/**
 * zod schema of the atmos.yaml sections infrakey reads. Unknown keys are allowed everywhere
 * (Atmos has many sections infrakey ignores); only shapes infrakey depends on are checked.
 *
 * Written with `zod/mini` (same validator, functional API): it tree-shakes, so the bundled CLI
 * does not pay ~60 ms at every start for classic zod's method chains and locales (benchmark B2).
 */

const str = z.string();
const strList = z.array(z.string());
const looseMap = z.record(z.string(), z.unknown());

const nonEmpty = (error: string) => z.string({ error }).check(z.minLength(1, 'needs a non-empty `kind`'));
const opt = z.optional;

const provider = z.looseObject({ kind: nonEmpty('needs a `kind` (e.g. aws/iam-identity-center)') });

const identity = z.looseObject({
  kind: nonEmpty('needs a `kind` (e.g. aws/permission-set)'),
  default: opt(z.boolean()),
  via: opt(z.looseObject({ provider: opt(str), identity: opt(str) })),
  principal: opt(looseMap),
  credentials: opt(looseMap),
  env: opt(z.union([looseMap, z.array(z.unknown())])),
});

const store = z
  .looseObject({
    kind: opt(str),
    type: opt(str),
    secret: opt(z.boolean()),
    identity: opt(str),
    options: opt(looseMap),
  })
  .check(
    z.refine((s) => (s.kind !== undefined && s.kind !== '') || (s.type !== undefined && s.type !== ''), {
      message: 'needs a `kind` (e.g. aws/ssm) or a legacy `type`',
    }),
  );

const secretProvider = z.looseObject({
  kind: nonEmpty('needs a `kind` (e.g. sops/age)'),
  identity: opt(str),
  spec: opt(looseMap),
});

/** The checked part of atmos.yaml. */
export const atmosConfigSchema = z.looseObject({
  base_path: opt(str),
  import: opt(z.union([strList, str])),
  stacks: opt(
    z.looseObject({
      base_path: opt(str),
      included_paths: opt(strList),
      excluded_paths: opt(strList),
      name_pattern: opt(str),
      name_template: opt(str),
    }),
  ),
  components: opt(z.looseObject({ terraform: opt(z.looseObject({ base_path: opt(str) })) })),
  auth: opt(
    z.looseObject({
      realm: opt(str),
      providers: opt(z.record(z.string(), provider)),
      identities: opt(z.record(z.string(), identity)),
      keyring: opt(z.looseObject({ type: opt(str), spec: opt(looseMap) })),
    }),
  ),
  stores: opt(z.record(z.string(), store)),
  secrets: opt(z.looseObject({ providers: opt(z.record(z.string(), secretProvider)), vars: opt(looseMap) })),
  settings: opt(looseMap),
  logs: opt(z.looseObject({ level: opt(str), file: opt(str) })),
  profiles: opt(z.looseObject({ base_path: opt(str) })),
});

/** One schema problem: the config path (e.g. `stores.ssm`) and what is wrong. */
export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

/** Checks `raw` and returns every problem (empty when valid). */
export function checkAtmosConfig(raw: unknown): SchemaProblem[] {
  const r = atmosConfigSchema.safeParse(raw);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: i.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number'),
    message: describeIssue(i),
  }));
}

function describeIssue(i: { message: string }): string {
  // zod's default reads "Invalid input: expected string, received number"; the reason is enough.
  return i.message.replace(/^Invalid input: /, '');
}
