import { Option, type Command } from 'commander';
import { Workspace } from '../../core/index';
import type { CliContext } from '../context';
import { checkFormat, renderData, renderTable } from '../output';

// `text` (the default) is Atmos's output: one stack name per line, so scripts written for
// `atmos list stacks` keep working; the other formats add each stack's manifest and components.
const FORMATS = ['text', 'table', 'json', 'yaml'] as const;

/** `infrakey list stacks [-c component]`. */
export function registerListCommands(program: Command, ctx: CliContext): void {
  const list = program.command('list').description('list stacks');

  list
    .command('stacks')
    .description('list the stacks that define components, one name per line (--format table|json|yaml for manifests and components)')
    .option('-c, --component <component>', 'only stacks that define this component')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('text'))
    .action(async (opts: { component?: string; format: string }, cmd: Command) => {
      const format = checkFormat(opts.format, FORMATS, 'text');
      const ws = await Workspace.load(ctx.workspaceOptions(cmd));
      const stacks = ws
        .listStacks()
        .filter((s) => !opts.component || Object.values(s.components).some((names) => names?.includes(opts.component as string)));
      if (format === 'text') {
        if (stacks.length === 0 && opts.component) {
          ctx.io.err(`No stacks found for component '${opts.component}'\n`);
          return;
        }
        ctx.io.out(stacks.map((s) => `${s.name}\n`).join(''));
        return;
      }
      if (format === 'table') {
        const rows = stacks.map((s) => [s.name, s.fileName, Object.values(s.components).flat().join(', ')]);
        ctx.io.out(renderTable(['STACK', 'MANIFEST', 'COMPONENTS'], rows));
        return;
      }
      ctx.io.out(renderData(stacks.map((s) => ({ name: s.name, manifest: s.fileName, components: s.components })), format));
    });
}
