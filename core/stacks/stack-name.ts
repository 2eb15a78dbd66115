import { StackError, type SourceLocation } from '../errors';
import { renderGoTemplate } from './go-template';
import { isMap, type YamlMap } from './deep-merge';
import type { ProcessedStack } from './stack-processor';

/** How stack names are derived (atmos.yaml `stacks.name_template` / `stacks.name_pattern`). */
export interface StackNaming {
  nameTemplate?: string;
  namePattern?: string;
  /** Where `stacks.name_template`/`name_pattern` is written, for messages. */
  locateConfig?: (configPath: string) => SourceLocation | string | undefined;
}

const PATTERN_TOKENS = ['namespace', 'tenant', 'environment', 'stage'] as const;

/**
 * The logical name of a stack (atmos-semantics §7.1): the manifest's `name:`, else
 * `name_template` rendered with the stack's top-level sections (`{{ .vars.stage }}`), else
 * `name_pattern` filled from the stack's `vars`, else the file-derived name.
 *
 * Deliberate difference from Atmos: Atmos renders the template with each component's merged
 * section, so a component that overrides `vars.stage` lands in another stack. Here the name is a
 * property of the manifest (its top-level and component-type `vars`), so every component of a
 * manifest is in the same stack. A manifest without components that cannot be named (a catalog
 * file matched by `included_paths`) keeps its file-derived name instead of failing.
 */
export function resolveStackName(stack: ProcessedStack, naming: StackNaming, hasComponents: boolean): string {
  if (stack.explicitName) return stack.explicitName;
  const data = nameData(stack);
  try {
    if (naming.nameTemplate && naming.nameTemplate.trim() !== '') {
      const where = naming.locateConfig?.('stacks.name_template') ?? 'stacks.name_template';
      const name = renderGoTemplate(naming.nameTemplate, data, { subject: `stacks.name_template for ${stack.fileName}`, where }).trim();
      if (name === '') throw emptyName(stack, 'stacks.name_template', where);
      return name;
    }
    if (naming.namePattern && naming.namePattern.trim() !== '') return fromPattern(stack, naming, data.vars as YamlMap);
  } catch (e) {
    if (!hasComponents) return stack.fileName;
    if (e instanceof StackError && e.code === 'STACK_TEMPLATE_MISSING_VALUE') {
      throw new StackError({
        code: 'STACK_NAME_MISSING_VALUE',
        message: `${e.summary} in stack manifest ${stack.file}, so it cannot be named`,
        where: stack.locate(['vars']) ?? stack.file,
        fix: `${e.fix ?? ''}; or give the manifest a top-level \`name:\``.replace(/^; /, ''),
        cause: e,
      });
    }
    throw e;
  }
  return stack.fileName;
}

function nameData(stack: ProcessedStack): YamlMap {
  const vars: YamlMap = { ...(isMap(stack.globals.vars) ? stack.globals.vars : {}) };
  const tf = stack.typeSections.terraform;
  if (tf && isMap(tf.vars)) Object.assign(vars, tf.vars);
  return { ...stack.globals, vars };
}

function fromPattern(stack: ProcessedStack, naming: StackNaming, vars: YamlMap): string {
  const pattern = naming.namePattern as string;
  const parts: string[] = [];
  for (const token of pattern.split('-')) {
    const m = /^\{(\w+)\}$/.exec(token.trim());
    if (!m || !(PATTERN_TOKENS as readonly string[]).includes(m[1])) continue;
    const value = vars[m[1]];
    if (value === undefined || value === null || value === '') {
      throw new StackError({
        code: 'STACK_TEMPLATE_MISSING_VALUE',
        message: `the stack name pattern '${pattern}' specifies '{${m[1]}}', but the stack ${stack.fileName} does not have a ${m[1]} defined`,
        where: naming.locateConfig?.('stacks.name_pattern') ?? 'stacks.name_pattern',
        fix: `define vars.${m[1]} in the stack manifest (or one it imports)`,
      });
    }
    parts.push(String(value));
  }
  const name = parts.join('-');
  if (name === '') throw emptyName(stack, 'stacks.name_pattern', naming.locateConfig?.('stacks.name_pattern') ?? 'stacks.name_pattern');
  return name;
}

function emptyName(stack: ProcessedStack, setting: string, where: SourceLocation | string): StackError {
  return new StackError({
    code: 'STACK_NAME_EMPTY',
    message: `${setting} gives an empty name for stack manifest ${stack.file}`,
    where,
    fix: `check ${setting} and the stack's vars`,
  });
}
