import type { SourceLocation } from '../errors';

/** YAML tags infrakey understands. Unknown tags are an error naming file and line. */
export const YAML_FUNCTION_TAGS = ['!env', '!exec', '!include', '!include.raw', '!store', '!store.get', '!secret', '!template'] as const;
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

export function isYamlFunction(value: unknown): value is YamlFunction {
  return value instanceof YamlFunction;
}
