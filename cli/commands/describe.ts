import { Option, type Command } from 'commander';
import { COMPONENT_TYPES, parseBooleanFlag, parseQueryPath, redactor, schemaSections, UsageError, Workspace, type ComponentProvenance, type ComponentType } from '../../core/internal';
import type { CliIO } from '../io';
import type { CliContext } from '../context';
import { checkFormat, printData } from '../output';
import { renderProvenanceView } from '../provenance-view';

const FORMATS = ['yaml', 'json'] as const;

/** `infrakey describe component C -s S` and `infrakey describe stacks` (Atmos grammar). */
export function registerDescribeCommands(program: Command, ctx: CliContext): void {
  const describe = program.command('describe').description('show the merged configuration of components and stacks');

  describe
    .command('component')
    .description('show the merged configuration of a component in a stack (secrets masked unless --mask=false)')
    .argument('<component>', 'the Atmos component name')
    .requiredOption('-s, --stack <stack>', 'the stack (logical name or manifest path without extension)')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('yaml'))
    .addOption(new Option('--type <type>', 'component type, when the name exists under several').choices([...COMPONENT_TYPES]))
    .option('--process-functions [bool]', 'evaluate YAML functions (!env, !exec, !template, !store; !secret is masked)', parseProcessFunctions, true)
    .option('-q, --query <expression>', 'print only this part of the result (a yq path such as .vars.region)')
    .option('--provenance [bool]', 'annotate the YAML with the manifest, line and import depth of each value (default: describe.provenance in atmos.yaml, on)', parseProvenance)
    .action(async (component: string, opts: DescribeOptions & { stack: string; type?: ComponentType }, cmd: Command) => {
      const format = checkFormat(opts.format, FORMATS, 'yaml');
      if (opts.provenance === true && format === 'json') {
        throw new UsageError({
          code: 'USAGE_FORMAT',
          message: '--provenance prints YAML with comments; it cannot be combined with --format json',
          fix: 'drop --format json (or pass --provenance=false for JSON)',
        });
      }
      const ws = await Workspace.load(ctx.workspaceOptions(cmd));
      // As Atmos: an explicit --provenance decides; otherwise describe.provenance applies to the
      // YAML output of a whole component (a query result or JSON is for programs).
      const provenance = opts.provenance ?? (format === 'yaml' && opts.query === undefined && ws.describeProvenance());
      const describeOpts = { mask: ctx.globals(cmd).mask, type: opts.type, processFunctions: opts.processFunctions, cwd: ctx.cwd };
      if (provenance) {
        const { section, provenance: trace } = await ws.describeComponentWithProvenance(component, opts.stack, describeOpts);
        // The view sorts keys itself, in Go's yaml order.
        printProvenance(ctx.io, section, trace, opts.query, ws.describeComponentFilter() === 'schema');
        return;
      }
      const section = await ws.describeComponent(component, opts.stack, describeOpts);
      // Atmos records the command that produced the description.
      let described = sortKeys({ ...section, cli_args: ['describe', 'component'] });
      // `describe.component.filter: schema` shapes the printed result; a query sees everything (as Atmos).
      if (opts.query === undefined && ws.describeComponentFilter() === 'schema') described = schemaSections(described);
      printQueried(ctx.io, described, opts.query, format);
    });

  describe
    .command('stacks')
    .description('show every component of every stack, merged')
    .option('-s, --stack <stack>', 'only this stack')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('yaml'))
    .option('--process-functions [bool]', 'evaluate YAML functions (!secret is masked)', parseProcessFunctions, true)
    .option('-q, --query <expression>', 'print only this part of the result (a yq path such as .dev.components)')
    .option('--provenance [bool]', 'not supported for describe stacks (Atmos has it on describe component only); --provenance=false is accepted', parseProvenance)
    .action(async (opts: DescribeOptions & { stack?: string }, cmd: Command) => {
      const format = checkFormat(opts.format, FORMATS, 'yaml');
      refuseProvenance(opts);
      const ws = await Workspace.load(ctx.workspaceOptions(cmd));
      const data = await ws.describeStacks({ mask: ctx.globals(cmd).mask, stack: opts.stack, processFunctions: opts.processFunctions });
      printQueried(ctx.io, data, opts.query, format);
    });
}

interface DescribeOptions {
  format: string;
  processFunctions: boolean;
  query?: string;
  provenance?: boolean;
}

function refuseProvenance(opts: DescribeOptions): void {
  if (!opts.provenance) return;
  throw new UsageError({
    code: 'USAGE_PROVENANCE_UNSUPPORTED',
    message: '--provenance is not supported by describe stacks (Atmos has it on describe component only)',
    fix: 'run `infrakey describe component <component> -s <stack> --provenance` for the component whose values you want to trace',
  });
}

/**
 * The provenance view of a described component, or of the map `-q` selects in it. Under
 * `describe.component.filter: schema` only the sections a manifest can define are candidates, as
 * Atmos; the view then keeps those a manifest of the stack writes.
 */
function printProvenance(io: CliIO, section: Record<string, unknown>, trace: ComponentProvenance, query: string | undefined, schemaOnly: boolean): void {
  const masked = (io.masking ? redactor.maskDeep(section) : section) as Record<string, unknown>;
  if (query === undefined) {
    io.outMasked(renderProvenanceView(schemaOnly ? schemaSections(masked) : masked, trace));
    return;
  }
  const path = parseQueryPath(query);
  let value: unknown = masked;
  for (const seg of path) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError({
      code: 'USAGE_FORMAT',
      message: `--provenance annotates a map; ${query} selects ${Array.isArray(value) ? 'a list' : value === undefined || value === null ? 'nothing' : 'a single value'}`,
      fix: 'query a map (such as .vars), or pass --provenance=false to print the value alone',
    });
  }
  io.outMasked(renderProvenanceView(value as Record<string, unknown>, trace, path));
}

/** The result, or the part `-q` selects (a missing path is `null`, as yq); scalars print bare, as yq. */
function printQueried(io: CliIO, data: unknown, query: string | undefined, format: (typeof FORMATS)[number]): void {
  if (query === undefined) {
    printData(io, data, format);
    return;
  }
  let value: unknown = data;
  for (const seg of parseQueryPath(query)) {
    if (Array.isArray(value) && typeof seg === 'number') value = value[seg < 0 ? value.length + seg : seg];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, seg)) value = (value as Record<string, unknown>)[String(seg)];
    else value = undefined;
    if (value === undefined) break;
  }
  if (value === undefined || value === null) io.out('null\n');
  else if (typeof value === 'object') printData(io, value, format);
  else io.outMasked(`${String(io.masking ? redactor.maskDeep(value) : value)}\n`);
}

function sortKeys(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key];
  return out;
}

function parseProvenance(value: string | undefined): boolean {
  return parseBooleanFlag(value, '--provenance');
}

function parseProcessFunctions(value: string | undefined): boolean {
  return parseBooleanFlag(value, '--process-functions');
}
