import type { SourceLocation } from '../errors';

/**
 * YAML tags infrakey understands: Atmos's YAML functions. Unknown tags are an error naming file
 * and line. Every tag loads as a typed node; which ones infrakey evaluates, and the coded error
 * for the others (asked only when their value is needed), is in resolve-functions.ts.
 */
export const YAML_FUNCTION_TAGS = [
  '!env',
  '!exec',
  '!include',
  '!include.raw',
  '!store',
  '!store.get',
  '!secret',
  '!template',
  '!terraform.output',
  '!terraform.state',
  '!aws.account_id',
  '!aws.caller_identity_arn',
  '!aws.caller_identity_user_id',
  '!aws.region',
  '!aws.organization_id',
  '!random',
  '!cwd',
  '!repo-root',
  '!git.root',
  '!git.sha',
  '!git.branch',
  '!git.ref',
  '!git.repository',
  '!git.owner',
  '!git.name',
  '!git.host',
  '!git.url',
  '!unset',
  '!append',
  '!literal',
  '!cel',
  '!version',
  '!tags',
  '!labels',
  '!labels.keys',
  '!labels.values',
  '!emulator',
] as const;
export type YamlFunctionTag = (typeof YAML_FUNCTION_TAGS)[number];

/**
 * A tagged scalar kept as a typed node instead of a string, so that it can be resolved after the
 * stack merge (Atmos's post-merge YAML-function pass) and so that inspection can show `<MASKED>`
 * for `!secret` without contacting anything.
 */
export class YamlFunction {
  constructor(
    readonly tag: YamlFunctionTag,
    /** The raw argument text after the tag, trimmed. */
    readonly args: string,
    /** Where the tag was written. */
    readonly source: SourceLocation,
  ) {}

  /** How the node is shown before resolution, e.g. `!secret DB_PASSWORD`. */
  toString(): string {
    return `${this.tag} ${this.args}`.trim();
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * A list tagged `!append`: merged over an inherited list by appending to it instead of replacing
 * it (Atmos's per-list `append` strategy). Outside a merge it is an ordinary list.
 */
export class AppendList extends Array<unknown> {}

export function isYamlFunction(value: unknown): value is YamlFunction {
  return value instanceof YamlFunction;
}
