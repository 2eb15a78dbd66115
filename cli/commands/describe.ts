import { Option, type Command } from 'commander';
import { COMPONENT_TYPES, parseBooleanFlag, Workspace, type ComponentType } from '../../core/internal';
import type { CliContext } from '../context';
import { checkFormat, printData } from '../output';

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
    .action(async (component: string, opts: { stack: string; format: string; type?: ComponentType; processFunctions: boolean }, cmd: Command) => {
      const format = checkFormat(opts.format, FORMATS, 'yaml');
      const ws = await Workspace.load(ctx.workspaceOptions(cmd));
      const section = await ws.describeComponent(component, opts.stack, {
        mask: ctx.globals(cmd).mask,
        type: opts.type,
        processFunctions: opts.processFunctions,
      });
      printData(ctx.io, section, format);
    });

  describe
    .command('stacks')
    .description('show every component of every stack, merged')
    .option('-s, --stack <stack>', 'only this stack')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('yaml'))
    .option('--process-functions [bool]', 'evaluate YAML functions (!secret is masked)', parseProcessFunctions, true)
    .action(async (opts: { stack?: string; format: string; processFunctions: boolean }, cmd: Command) => {
      const format = checkFormat(opts.format, FORMATS, 'yaml');
      const ws = await Workspace.load(ctx.workspaceOptions(cmd));
      const data = await ws.describeStacks({ mask: ctx.globals(cmd).mask, stack: opts.stack, processFunctions: opts.processFunctions });
      printData(ctx.io, data, format);
    });
}

function parseProcessFunctions(value: string | undefined): boolean {
  return parseBooleanFlag(value, '--process-functions');
}
