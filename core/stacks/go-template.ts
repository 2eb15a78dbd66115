import { StackError, type SourceLocation } from '../errors';
import { isMap } from './deep-merge';

/** Options for {@link renderGoTemplate}. */
export interface GoTemplateOptions {
  /** What is being rendered, for messages (e.g. `stacks.name_template`, `import context`). */
  subject: string;
  /** Where the template text starts; line numbers of errors are counted from here. */
  where?: SourceLocation | string;
  /**
   * What a missing value renders as: `error` (default) throws STACK_TEMPLATE_MISSING_VALUE,
   * `no-value` prints `<no value>` as Go does (Atmos `ignore_missing_template_values: true`).
   */
  missing?: 'error' | 'no-value';
}

const ACTION = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
const FIELD_CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_-]*)+$/;

/** True when the text contains a Go template action (`{{ ... }}`). */
export function hasTemplateActions(text: string): boolean {
  return text.includes('{{');
}

/**
 * Renders the subset of Go templates that stack names and import contexts need: field chains
 * `{{ .x }}`, `{{ .vars.x }}` with optional `{{-`/`-}}` whitespace trimming. Everything else
 * (pipelines, functions, `if`/`range`, variables, comments) is refused with
 * STACK_TEMPLATE_UNSUPPORTED rather than rendered wrongly.
 */
export function renderGoTemplate(text: string, data: unknown, opts: GoTemplateOptions): string {
  let out = '';
  let last = 0;
  ACTION.lastIndex = 0;
  for (let m = ACTION.exec(text); m; m = ACTION.exec(text)) {
    let literal = text.slice(last, m.index);
    if (m[1]) literal = literal.replace(/\s+$/, '');
    out += literal;
    const expr = m[2].trim();
    const where = locate(text, m.index, opts.where);
    if (!FIELD_CHAIN.test(expr)) {
      throw new StackError({
        code: 'STACK_TEMPLATE_UNSUPPORTED',
        message: `${opts.subject}: the Go template action {{ ${expr} }} is not supported`,
        where,
        fix: 'infrakey renders only field references such as {{ .vars.stage }} or {{ .stage }}; replace pipelines, functions, conditionals and loops with plain values',
      });
    }
    out += formatValue(lookup(data, expr), expr, where, opts);
    last = m.index + m[0].length;
    if (m[3]) {
      const rest = text.slice(last);
      last += rest.length - rest.replace(/^\s+/, '').length;
    }
  }
  const tail = text.slice(last);
  if (tail.includes('{{')) {
    throw new StackError({
      code: 'STACK_TEMPLATE_UNSUPPORTED',
      message: `${opts.subject}: unterminated Go template action (a '{{' without '}}')`,
      where: locate(text, last + tail.indexOf('{{'), opts.where),
      fix: 'close the action with }}',
    });
  }
  return out + tail;
}

function lookup(data: unknown, expr: string): unknown {
  let cur = data;
  for (const key of expr.slice(1).split('.')) {
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function formatValue(value: unknown, expr: string, where: SourceLocation | string | undefined, opts: GoTemplateOptions): string {
  if (value === undefined || value === null) {
    if (opts.missing === 'no-value') return '<no value>';
    throw new StackError({
      code: 'STACK_TEMPLATE_MISSING_VALUE',
      message: `${opts.subject}: {{ ${expr} }} has no value`,
      where,
      fix: `define ${expr.slice(1)} (for stack names: in the stack's top-level vars) or change the template`,
    });
  }
  if (typeof value === 'object') {
    throw new StackError({
      code: 'STACK_TEMPLATE_UNSUPPORTED',
      message: `${opts.subject}: {{ ${expr} }} is a map or list, not a scalar`,
      where,
      fix: 'reference a scalar field, e.g. {{ .vars.stage }}',
    });
  }
  return String(value);
}

function locate(text: string, offset: number, where: SourceLocation | string | undefined): SourceLocation | string | undefined {
  if (where === undefined || typeof where === 'string') return where;
  let extra = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) extra++;
  return { file: where.file, line: (where.line ?? 1) + extra };
}
