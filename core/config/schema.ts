import { z } from 'zod';

/**
 * zod schema of the atmos.yaml sections infrakey reads. Unknown keys are allowed everywhere
 * (Atmos has many sections infrakey ignores); only shapes infrakey depends on are checked.
 */

const str = z.string();
const strList = z.array(z.string());
const looseMap = z.record(z.string(), z.unknown());

const provider = z.looseObject({ kind: z.string({ error: 'needs a `kind` (e.g. aws/iam-identity-center)' }).min(1, 'needs a non-empty `kind`') });

const identity = z.looseObject({
  kind: z.string({ error: 'needs a `kind` (e.g. aws/permission-set)' }).min(1, 'needs a non-empty `kind`'),
  default: z.boolean().optional(),
  via: z.looseObject({ provider: str.optional(), identity: str.optional() }).optional(),
  principal: looseMap.optional(),
  credentials: looseMap.optional(),
  env: z.union([looseMap, z.array(z.unknown())]).optional(),
});

const store = z
  .looseObject({
    kind: str.optional(),
    type: str.optional(),
    secret: z.boolean().optional(),
    identity: str.optional(),
    options: looseMap.optional(),
  })
  .refine((s) => (s.kind !== undefined && s.kind !== '') || (s.type !== undefined && s.type !== ''), {
    message: 'needs a `kind` (e.g. aws/ssm) or a legacy `type`',
  });

const secretProvider = z.looseObject({
  kind: z.string({ error: 'needs a `kind` (e.g. sops/age)' }).min(1, 'needs a non-empty `kind`'),
  identity: str.optional(),
  spec: looseMap.optional(),
});

/** The checked part of atmos.yaml. */
export const atmosConfigSchema = z.looseObject({
  base_path: str.optional(),
  import: z.union([strList, str]).optional(),
  stacks: z
    .looseObject({
      base_path: str.optional(),
      included_paths: strList.optional(),
      excluded_paths: strList.optional(),
      name_pattern: str.optional(),
      name_template: str.optional(),
    })
    .optional(),
  components: z
    .looseObject({
      terraform: z.looseObject({ base_path: str.optional() }).optional(),
    })
    .optional(),
  auth: z
    .looseObject({
      realm: str.optional(),
      providers: z.record(z.string(), provider).optional(),
      identities: z.record(z.string(), identity).optional(),
      keyring: z.looseObject({ type: str.optional(), spec: looseMap.optional() }).optional(),
    })
    .optional(),
  stores: z.record(z.string(), store).optional(),
  secrets: z
    .looseObject({
      providers: z.record(z.string(), secretProvider).optional(),
      vars: looseMap.optional(),
    })
    .optional(),
  settings: looseMap.optional(),
  logs: z.looseObject({ level: str.optional(), file: str.optional() }).optional(),
  profiles: z.looseObject({ base_path: str.optional() }).optional(),
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

function describeIssue(i: z.core.$ZodIssue): string {
  // zod's default reads "Invalid input: expected string, received number"; the reason is enough.
  return i.message.replace(/^Invalid input: /, '');
}
