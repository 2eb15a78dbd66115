import { isAbsolute, join, relative, resolve } from 'node:path';
import { sopsError } from './sops-error';

/** The fields a SOPS `file` template may use. */
export interface SopsPathContext {
  atmos_stack: string;
  /** Empty for stack-scoped secrets. */
  atmos_component?: string;
}

const ACTION = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/g;

/**
 * Renders a SOPS `spec.file` template. Atmos runs it as a Go template with `missingkey=error`;
 * infrakey supports the field references `{{ .atmos_stack }}` and `{{ .atmos_component }}`
 * (with `{{-`/`-}}` trimming) and rejects anything else with SOPS_PATH_TEMPLATE instead of
 * guessing.
 */
export function renderSopsPath(template: string, ctx: SopsPathContext, where = 'spec.file'): string {
  const fields: Record<string, string> = { atmos_stack: ctx.atmos_stack, atmos_component: ctx.atmos_component ?? '' };
  const stray = template.replace(ACTION, '');
  if (stray.includes('{{') || stray.includes('}}')) {
    throw sopsError('SOPS_PATH_TEMPLATE', 'unbalanced "{{" or "}}" in the SOPS file path template', where, 'close every {{ with }}');
  }
  let out = '';
  let last = 0;
  for (const m of template.matchAll(ACTION)) {
    const [whole, trimLeft, expr, trimRight] = m;
    let before = template.slice(last, m.index);
    if (trimLeft) before = before.replace(/\s+$/, '');
    out += before;
    const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (!field) {
      throw sopsError('SOPS_PATH_TEMPLATE', `unsupported template expression "{{ ${expr} }}" in the SOPS file path`, where, 'use only {{ .atmos_stack }} and {{ .atmos_component }} in spec.file');
    }
    if (!(field[1] in fields)) {
      throw sopsError('SOPS_PATH_TEMPLATE', `unknown field ".${field[1]}" in the SOPS file path template (map has no entry for key "${field[1]}")`, where, 'use only {{ .atmos_stack }} and {{ .atmos_component }} in spec.file');
    }
    out += fields[field[1]];
    last = (m.index ?? 0) + whole.length;
    if (trimRight) {
      const rest = template.slice(last);
      last += rest.length - rest.replace(/^\s+/, '').length;
    }
  }
  return out + template.slice(last);
}

/**
 * The SOPS file of a secret: `spec.file` rendered, else `<spec.path or "secrets">/<stack>.enc.yaml`
 * for stack scope and `<path>/<stack>.<component>.enc.yaml` for an instance (atmos-semantics §6.7).
 * Relative results are relative to the process's working directory, as in Atmos.
 */
export function sopsFilePath(spec: { file?: string; path?: string }, ctx: SopsPathContext, specPath = 'spec'): string {
  if (spec.file) return renderSopsPath(spec.file, ctx, `${specPath}.file`);
  const dir = spec.path || 'secrets';
  const name = ctx.atmos_component ? `${ctx.atmos_stack}.${ctx.atmos_component}.enc.yaml` : `${ctx.atmos_stack}.enc.yaml`;
  return join(dir, name);
}

/**
 * The folder a file path template confines its rendered paths to: the template's literal text
 * before its first field, up to the last `/` (`secrets/{{ .atmos_stack }}.enc.yaml` → `secrets`),
 * resolved against `basePath`. Without `spec.file`, `spec.path` (default `secrets`).
 */
function templateRoot(spec: { file?: string; path?: string }, basePath: string): string {
  if (!spec.file) return resolve(basePath, spec.path || 'secrets');
  const literal = spec.file.split('{{')[0];
  const cut = Math.max(literal.lastIndexOf('/'), literal.lastIndexOf('\\'));
  return resolve(basePath, cut === -1 ? '.' : literal.slice(0, cut + 1) || '/');
}

/**
 * {@link sopsFilePath} made absolute against `basePath`, refusing a path that the stack or
 * component name moved out of the template's folder ({@link templateRoot}): a stack named
 * `../../x` must not make `secret set` write outside the repository. A template whose own text
 * points elsewhere (`/srv/secrets/...`, a sibling folder) is the user's choice and is kept.
 */
export function containedSopsFilePath(spec: { file?: string; path?: string }, ctx: SopsPathContext, basePath: string, specPath = 'spec'): string {
  const rendered = sopsFilePath(spec, ctx, specPath);
  const abs = isAbsolute(rendered) ? resolve(rendered) : resolve(basePath, rendered);
  // A template without fields renders the same path for every name: nothing to confine.
  if (spec.file && !spec.file.includes('{{')) return abs;
  const root = templateRoot(spec, basePath);
  const rel = relative(root, abs);
  if (rel === '' || rel.split(/[\\/]/)[0] === '..' || isAbsolute(rel)) {
    const names = `stack ${JSON.stringify(ctx.atmos_stack)}${ctx.atmos_component ? ` and component ${JSON.stringify(ctx.atmos_component)}` : ''}`;
    throw sopsError(
      'SOPS_PATH_TEMPLATE',
      `the SOPS file path rendered for ${names} is ${abs}, outside ${root} (the name contains ".." or a path that leaves the template's folder)`,
      spec.file ? `${specPath}.file` : `${specPath}.path`,
      'rename the stack or component so that it has no ".." path segment',
    );
  }
  return abs;
}
