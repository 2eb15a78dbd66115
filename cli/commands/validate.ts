import type { Command } from 'commander';
import { COMPONENT_TYPES, isInfrakeyError, StackError, Workspace, type InfrakeyError } from '../../core/internal';
import type { CliContext } from '../context';

/** `infrakey validate stacks`: loads every manifest and merges every component. */
export function registerValidateCommands(program: Command, ctx: CliContext): void {
  const validate = program.command('validate').description('validate configuration');

  validate
    .command('stacks')
    .description('check every stack manifest: YAML, imports, names, inheritance and secret scopes')
    .action(async (_opts: unknown, cmd: Command) => {
      const ws = await Workspace.load(ctx.workspaceOptions(cmd));
      const stacks = ws.listStacks();
      const problems: InfrakeyError[] = [];
      let components = 0;
      for (const s of stacks) {
        for (const type of COMPONENT_TYPES) {
          for (const name of s.components[type] ?? []) {
            components++;
            try {
              ws.resolveComponent(name, s.name, { type, allowAbstract: true });
            } catch (e) {
              if (!isInfrakeyError(e)) throw e;
              problems.push(e);
            }
          }
        }
      }
      if (problems.length === 1) throw problems[0];
      if (problems.length > 1) {
        throw new StackError({
          code: 'STACK_VALIDATION_FAILED',
          message: `${problems.length} problems in the stacks`,
          problems,
          fix: 'fix each problem listed above, then run `infrakey validate stacks` again',
        });
      }
      ctx.io.out(`all ${stacks.length} stacks are valid (${components} components)\n`);
    });
}
