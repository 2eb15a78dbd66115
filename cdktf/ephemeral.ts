/**
 * Ephemeral mode of DeclaredSecret: the value never enters a plan or state file. Store-backed
 * secrets become `ephemeral "aws_ssm_parameter"` / `ephemeral "aws_secretsmanager_secret_version"`
 * blocks, the rest `variable { ephemeral = true, sensitive = true }`. Terraform and OpenTofu accept
 * an ephemeral value only in a few places; this module checks the synthesized configuration and
 * fails synthesis when one reaches anywhere else, naming the construct and the attribute, because
 * Terraform would otherwise stop at plan time with the stack already deployed halfway through CI.
 *
 * Needs Terraform ≥ 1.11 or OpenTofu ≥ 1.11 (ephemeral resources and variables arrived in
 * Terraform 1.10, write-only arguments in 1.11) and hashicorp/aws ≥ 6 (ephemeral resources,
 * `*_wo` arguments such as `aws_ssm_parameter.value_wo`, per-resource `region`).
 *
 * Both engines get the blocks through the stack's overrides: cdktf has no ephemeral-resource
 * class, and one code path keeps them identical.
 */
import type { IConstruct } from 'constructs';
import type * as Cdktf from 'cdktf';
import { UsageError } from '../core/index';
import { CDKTF_ERROR_CODES } from './cdktf-errors';
import { formatPath } from './json-path';

/**
 * Adds `ephemeral "<type>" "<name>" { body }` to the stack of `scope` (named after the construct)
 * and returns a token for its `attribute`. Attaches the flow check to the stack.
 */
export function addEphemeralBlock(lib: typeof Cdktf, scope: IConstruct, type: string, body: Record<string, unknown>, attribute: string): string {
  const stack = lib.TerraformStack.of(scope);
  const name = stack.getLogicalId(scope.node);
  stack.addOverride(`ephemeral.${type}.${name}`, body);
  guardEphemeralFlow(lib, stack);
  return lib.Token.asString(lib.ref(`ephemeral.${type}.${name}.${attribute}`, stack));
}

const guarded = new WeakSet<IConstruct>();

/**
 * Fails synthesis of `stack` when an ephemeral value flows where Terraform refuses it. Checked by
 * an Aspect (so `Testing.synth` checks too) and by a validation after every Aspect ran.
 */
export function guardEphemeralFlow(lib: typeof Cdktf, stack: Cdktf.TerraformStack): void {
  if (guarded.has(stack)) return;
  guarded.add(stack);
  const check = (): void => {
    const [problem] = ephemeralFlowProblems(stack.toTerraform());
    if (problem) throw ephemeralFlowError(problem, stack.node.path);
  };
  lib.Aspects.of(stack).add({
    visit(node: IConstruct) {
      if (node === stack) check();
    },
  });
  stack.node.addValidation({
    validate: () => {
      check();
      return [];
    },
  });
}

/** One ephemeral value in a place that does not accept it. */
export interface EphemeralFlowProblem {
  /** The ephemeral reference, e.g. `var.DB_PASSWORD` or `ephemeral.aws_ssm_parameter.db.value`. */
  readonly reference: string;
  /** The JSON path of the attribute, e.g. `resource.aws_ssm_parameter.p.value`. */
  readonly attribute: string;
  /** The construct path, when the configuration records it. */
  readonly construct?: string;
}

const REFERENCE = /\b(ephemeral\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*|var\.[A-Za-z_][\w-]*|local\.[A-Za-z_][\w-]*)/g;

/**
 * Every place in a synthesized configuration (a stack's `toTerraform()`, i.e. cdk.tf.json) where
 * an ephemeral value is used outside what Terraform and OpenTofu allow. Allowed: write-only
 * arguments (names ending in `_wo`), provisioner and connection blocks, provider blocks, other
 * ephemeral resources and locals (a local that uses one becomes ephemeral itself). Refused:
 * every other resource or data source argument, outputs (a CDKTF stack is a root module, whose
 * outputs cannot be ephemeral), module inputs and anything else.
 */
export function ephemeralFlowProblems(doc: unknown): EphemeralFlowProblem[] {
  const root = isMap(doc) ? doc : {};
  const sources = new Set<string>();
  for (const [type, blocks] of Object.entries(mapAt(root, 'ephemeral'))) {
    for (const name of Object.keys(isMap(blocks) ? blocks : {})) sources.add(`ephemeral.${type}.${name}`);
  }
  for (const [name, v] of Object.entries(mapAt(root, 'variable'))) {
    if (isMap(v) && v.ephemeral === true) sources.add(`var.${name}`);
  }
  // Locals that use an ephemeral value are ephemeral; repeat until no new one appears.
  const locals = mapAt(root, 'locals');
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, v] of Object.entries(locals)) {
      if (!sources.has(`local.${name}`) && referencesIn(v, sources).length > 0) {
        sources.add(`local.${name}`);
        grew = true;
      }
    }
  }
  if (sources.size === 0) return [];

  const problems: EphemeralFlowProblem[] = [];
  for (const [section, body] of Object.entries(root)) {
    if (['ephemeral', 'provider', 'locals', 'variable', '//', 'terraform'].includes(section)) continue;
    if (!isMap(body)) continue;
    if (section === 'resource' || section === 'data') {
      for (const [type, blocks] of Object.entries(body)) {
        for (const [name, block] of Object.entries(isMap(blocks) ? blocks : {})) {
          const construct = constructPathOf(block);
          walk(block, [section, type, name], (path, text) => {
            const argPath = path.slice(3);
            if (section === 'resource' && allowedInResource(argPath)) return;
            for (const reference of referencesIn(text, sources)) problems.push({ reference, attribute: formatPath(path), ...(construct ? { construct } : {}) });
          });
        }
      }
      continue;
    }
    walk(body, [section], (path, text) => {
      for (const reference of referencesIn(text, sources)) problems.push({ reference, attribute: formatPath(path) });
    });
  }
  return problems;
}

/** `value_wo`, `password_wo`, … (Terraform's write-only arguments), provisioners and connections. */
function allowedInResource(argPath: readonly (string | number)[]): boolean {
  if (argPath[0] === '//') return true;
  if (argPath[0] === 'provisioner' || argPath[0] === 'connection') return true;
  return argPath.some((p) => typeof p === 'string' && p.endsWith('_wo'));
}

function referencesIn(value: unknown, sources: ReadonlySet<string>): string[] {
  const out: string[] = [];
  walk(value, [], (_path, text) => {
    for (const m of text.matchAll(REFERENCE)) {
      // `ephemeral.T.N.attr` and `var.X` both start with a source; keep the longest known prefix.
      const ref = m[1];
      if (sources.has(ref) && !out.includes(ref)) out.push(ref);
    }
  });
  return out;
}

function walk(value: unknown, path: (string | number)[], visit: (path: (string | number)[], text: string) => void): void {
  if (typeof value === 'string') {
    if (value.includes('${')) visit(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...path, i], visit));
  } else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
  }
}

function constructPathOf(block: unknown): string | undefined {
  const meta = isMap(block) ? block['//'] : undefined;
  const path = isMap(meta) && isMap(meta.metadata) ? meta.metadata.path : undefined;
  return typeof path === 'string' ? path : undefined;
}

function ephemeralFlowError(p: EphemeralFlowProblem, stackPath: string): UsageError {
  const isOutput = p.attribute.startsWith('output.');
  return new UsageError({
    code: CDKTF_ERROR_CODES.EPHEMERAL_FLOW,
    message: `the ephemeral value ${p.reference} flows into ${p.attribute}, which ${isOutput ? 'is an output of a root module (outputs cannot be ephemeral)' : 'is not a write-only argument'}; Terraform and OpenTofu would refuse the plan`,
    where: p.construct ?? stackPath,
    fix: isOutput
      ? 'remove the output, or drop `ephemeral: true` from the DeclaredSecret and mark the output sensitive'
      : 'pass the value to the resource\'s write-only argument (its `*_wo` attribute, e.g. `valueWo` with `valueWoVersion` on aws_ssm_parameter), or drop `ephemeral: true` from the DeclaredSecret',
  });
}

function mapAt(root: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = root[key];
  return isMap(v) ? v : {};
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
