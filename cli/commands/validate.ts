import type { Command } from 'commander';
import { COMPONENT_TYPES, formatLocation, isInfrakeyError, StackError, Workspace, type InfrakeyError } from '../../core/internal';
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
      // The same declaration and store checks the secret verbs make (a declaration with both
      // `store` and `sops`, `secret: true` on a backend that cannot be secret), so this CI gate
      // fails where `secret validate` would.
      const checkSecrets = Object.keys(ws.config.stores).length > 0 || Object.keys(ws.config.secrets).length > 0;
      const secrets = checkSecrets ? ws.secretsLayer() : undefined;
      if (secrets) {
        try {
          void secrets.registry;
        } catch (e) {
          if (!isInfrakeyError(e)) throw e;
          problems.push(...(e.problems && e.problems.length > 0 ? e.problems : [e]));
        }
      }
      for (const s of stacks) {
        for (const type of COMPONENT_TYPES) {
          for (const name of s.components[type] ?? []) {
            components++;
            try {
              const resolved = ws.resolveComponent(name, s.name, { type, allowAbstract: true });
              const abstract = (resolved.section.metadata as { type?: unknown } | undefined)?.type === 'abstract';
              if (secrets && !abstract && Object.keys((resolved.section.secrets as object | undefined) ?? {}).length > 0) {
                problems.push(...secrets.forComponent({ stack: s.name, component: name }).problems);
              }
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
      // Atmos's warnings about deprecated manifest fields (file:line:column, on stderr; not failures).
      for (const f of ws.deprecatedStackFields()) {
        ctx.io.err(`${formatLocation(f.where)}: warning: \`${f.path}\` is deprecated; use \`${f.replacement}\`\n`);
      }
      // A status line, not data: on stderr as Atmos prints it, so stdout stays empty for scripts.
      ctx.io.err(`✓ All stacks validated successfully (${stacks.length} stacks, ${components} components)\n`);
    });
}
