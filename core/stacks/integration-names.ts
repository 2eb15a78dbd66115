import type { SourceLocation } from '../errors';
import { StackError } from '../errors';
import { deepMerge, isMap, type YamlMap } from './deep-merge';
import { renderGoTemplate } from './go-template';

/**
 * What Atmos derives from its Spacelift, Atlantis and GitHub integrations for every component
 * (internal/exec spacelift_utils.go, atlantis_utils.go, stack_processor_utils.go): the
 * `spacelift_stack` and `atlantis_project` names, set on the component before its Go templates
 * are rendered (so `{{ .spacelift_stack }}` works), and `settings.integrations.github` merged
 * over atmos.yaml's `integrations.github`.
 */

/** The context tokens of a component (Atmos `GetContextFromVars` plus the component name). */
interface NameContext {
  namespace: string;
  tenant: string;
  environment: string;
  stage: string;
  region: string;
  attributes: unknown[];
  component: string;
}

/** How the names are built: atmos.yaml's stack naming and integrations. */
export interface IntegrationNaming {
  nameTemplate?: string;
  namePattern?: string;
  /** atmos.yaml `integrations`. */
  integrations?: YamlMap;
  /** Where atmos.yaml's settings are written, for messages. */
  locateConfig?: (path: string) => string;
}

function contextOf(vars: unknown, component: string): NameContext {
  const v: YamlMap = isMap(vars) ? vars : {};
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  return {
    namespace: s('namespace'),
    tenant: s('tenant'),
    environment: s('environment'),
    stage: s('stage'),
    region: s('region'),
    attributes: Array.isArray(v.attributes) ? v.attributes : [],
    component: component.replace(/\//g, '-'),
  };
}

/** Atmos `ReplaceContextTokens`: tokens Atmos has no value for here become empty. */
function replaceTokens(ctx: NameContext, pattern: string): string {
  const tokens: Record<string, string> = {
    '{base-component}': '',
    '{component}': ctx.component,
    '{component-path}': '',
    '{namespace}': ctx.namespace,
    '{environment}': ctx.environment,
    '{region}': ctx.region,
    '{tenant}': ctx.tenant,
    '{stage}': ctx.stage,
    '{workspace}': '',
    '{terraform_workspace}': '',
    '{attributes}': ctx.attributes.map(String).join('-'),
  };
  return pattern.replace(/\{(base-component|component|component-path|namespace|environment|region|tenant|stage|workspace|terraform_workspace|attributes)\}/g, (t) => tokens[t]);
}

/** Atmos `GetContextPrefix`: the `{namespace}`/`{tenant}`/`{environment}`/`{stage}` parts of a name pattern, each required. */
function contextPrefix(ctx: NameContext, pattern: string, stack: string, where: string): string {
  const parts: string[] = [];
  for (const part of pattern.split('-')) {
    const key = /^\{(namespace|tenant|environment|stage)\}$/.exec(part)?.[1] as 'namespace' | 'tenant' | 'environment' | 'stage' | undefined;
    if (!key) continue;
    if (ctx[key] === '') {
      throw new StackError({
        code: 'STACK_NAME_MISSING_VALUE',
        message: `the stack name pattern '${pattern}' specifies '${key}', but the stack '${stack}' does not have a ${key} defined (needed for the Spacelift stack name)`,
        where,
        fix: `set vars.${key} in the stack, or change stacks.name_pattern`,
      });
    }
    parts.push(ctx[key]);
  }
  return parts.join('-');
}

/**
 * `spacelift_stack` of a component whose `settings.spacelift.workspace_enabled` is true (else
 * undefined): `settings.spacelift.stack_name_pattern` with its tokens replaced, or
 * `settings.spacelift.stack_name`, or `<stack prefix>-<component>` where the prefix is
 * `stacks.name_template` rendered with the component's section (else `stacks.name_pattern`).
 */
export function spaceliftStackName(section: YamlMap, component: string, stack: string, naming: IntegrationNaming, where: SourceLocation | string): string | undefined {
  const settings = isMap(section.settings) ? section.settings : {};
  const spacelift: YamlMap = isMap(settings.spacelift) ? settings.spacelift : {};
  if (spacelift.workspace_enabled !== true) return undefined;
  const ctx = contextOf(section.vars, component);
  let name: string;
  if (typeof spacelift.stack_name_pattern === 'string') name = replaceTokens(ctx, spacelift.stack_name_pattern);
  else if (typeof spacelift.stack_name === 'string') name = spacelift.stack_name;
  else name = `${stackPrefix(section, ctx, component, stack, naming, where)}-${ctx.component}`;
  return name.replace(/\//g, '-');
}

/** The stack part of a Spacelift stack name: `stacks.name_template` rendered with the section, else `stacks.name_pattern`'s parts. */
function stackPrefix(section: YamlMap, ctx: NameContext, component: string, stack: string, naming: IntegrationNaming, where: SourceLocation | string): string {
  if (naming.nameTemplate) {
    return renderGoTemplate(naming.nameTemplate, section, { subject: `stacks.name_template for the Spacelift stack name of component ${JSON.stringify(component)}`, where: naming.locateConfig?.('stacks.name_template') ?? where });
  }
  if (naming.namePattern) return contextPrefix(ctx, naming.namePattern, stack, naming.locateConfig?.('stacks.name_pattern') ?? 'stacks.name_pattern');
  throw new StackError({
    code: 'STACK_SPACELIFT_NAME_UNDEFINED',
    message: `component ${JSON.stringify(component)} in stack ${JSON.stringify(stack)} enables settings.spacelift.workspace_enabled, but atmos.yaml sets neither stacks.name_template nor stacks.name_pattern to build its Spacelift stack name from`,
    where,
    fix: 'set stacks.name_template (or stacks.name_pattern) in atmos.yaml, or settings.spacelift.stack_name (or stack_name_pattern) on the component',
  });
}

/**
 * `atlantis_project` of a component: the `name` of `settings.atlantis.project_template` (or of
 * atmos.yaml's `integrations.atlantis.project_templates[settings.atlantis.project_template_name]`)
 * with its context tokens replaced; undefined without one.
 */
export function atlantisProjectName(section: YamlMap, component: string, naming: IntegrationNaming): string | undefined {
  const settings = isMap(section.settings) ? section.settings : {};
  const atlantis = settings.atlantis;
  if (!isMap(atlantis)) return undefined;
  let template: unknown;
  if (isMap(atlantis.project_template)) template = atlantis.project_template;
  else if (typeof atlantis.project_template_name === 'string' && atlantis.project_template_name !== '') {
    const integration = isMap(naming.integrations?.atlantis) ? (naming.integrations.atlantis as YamlMap) : {};
    const templates = isMap(integration.project_templates) ? integration.project_templates : {};
    template = templates[atlantis.project_template_name];
  }
  if (!isMap(template) || typeof template.name !== 'string' || template.name === '') return undefined;
  return replaceTokens(contextOf(section.vars, component), template.name);
}

/** `settings` with `integrations.github` merged over atmos.yaml's `integrations.github` (unchanged when both are empty). */
export function withGithubIntegration(settings: YamlMap, integrations: YamlMap | undefined): YamlMap {
  const fromConfig = isMap(integrations?.github) ? (integrations.github as YamlMap) : {};
  const own = isMap(settings.integrations) ? settings.integrations : {};
  const merged = deepMerge([fromConfig, isMap(own.github) ? own.github : {}]);
  if (Object.keys(merged).length === 0) return settings;
  return { ...settings, integrations: { ...own, github: merged } };
}
