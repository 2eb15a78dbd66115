import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { isInfrakeyError, parseBooleanFlag, redactor, registerAmbientSecrets, UsageError } from '../core/internal';
import type { CliContext, GlobalOptions } from './context';
import { processIO, type CliIO } from './io';
import { commandRegistrations } from './commands/index';

/**
 * Help headings as Atmos prints them (`USAGE`, `FLAGS`, ...), so that Atmos's docs and its help
 * tests read the same; commander's own titles otherwise.
 */
const HELP_TITLES: Readonly<Record<string, string>> = {
  'Usage:': 'USAGE\n\n ',
  'Arguments:': 'ARGUMENTS',
  'Options:': 'FLAGS',
  'Global Options:': 'GLOBAL FLAGS',
  'Commands:': 'COMMANDS',
};

/** Atmos's `--help=all`: help that also lists the global flags. */
const HELP_ALL = '--help=all';

/**
 * Builds the `infrakey` command tree around an IO. Exported for tests and for embedding.
 * `helpAll`: help also lists the global flags (`--help=all`).
 */
export function buildProgram(ctx: CliContext, opts: { helpAll?: boolean } = {}): Command {
  const program = new Command('infrakey')
    .description('Atmos-compatible identities and secrets for Pulumi, CDKTF and the shell')
    .version(readVersion(), '-V, --version')
    .option('--profile <names>', 'configuration profile(s) to merge over atmos.yaml (ATMOS_PROFILE)')
    .option('--identity <name>', 'identity to authenticate as (ATMOS_IDENTITY); false disables auth')
    .addOption(new Option('--mask [bool]', 'mask secret values in output (--mask=false prints them)').argParser((v: string) => parseBooleanFlag(v, '--mask')))
    .option('--base-path <path>', 'base path of the Atmos project (ATMOS_BASE_PATH)')
    .option('--config <path>', 'atmos.yaml file or folder (ATMOS_CLI_CONFIG_PATH)')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(add --help for usage)')
    // Before the commands are registered: subcommands copy the help settings when created.
    .configureHelp({ styleTitle: (title) => HELP_TITLES[title] ?? title, showGlobalOptions: opts.helpAll === true })
    .addHelpText('afterAll', opts.helpAll ? '' : `\nAdd ${HELP_ALL} to also list the global flags.\n`)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(s),
    });
  for (const register of commandRegistrations) register(program, ctx);
  return program;
}

function readVersion(): string {
  // cli/program.ts, dist/cli/program.js and the bundle dist/cli/infrakey.js all sit below the
  // package root; walk up to the first package.json rather than bundling it.
  for (const up of ['..', '../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next level
    }
  }
  return '0.0.0';
}

/** Makes the CliContext for an IO, environment and working directory. */
export function makeContext(io: CliIO, env: NodeJS.ProcessEnv, cwd: string): CliContext {
  const globals = (cmd: Command): GlobalOptions => {
    const o = cmd.optsWithGlobals() as Record<string, unknown>;
    const mask = o.mask === undefined ? env.ATMOS_MASK === undefined || env.ATMOS_MASK === '' || parseBooleanFlag(env.ATMOS_MASK, 'ATMOS_MASK') : Boolean(o.mask);
    return {
      profile: (o.profile as string | undefined) ?? undefined,
      identity: (o.identity as string | undefined) ?? undefined,
      mask,
      debug: Boolean(o.debug),
      basePath: o.basePath as string | undefined,
      config: o.config as string | undefined,
    };
  };
  return {
    io,
    env,
    cwd,
    globals,
    workspaceOptions(cmd) {
      const g = globals(cmd);
      const wsEnv = { ...env };
      if (g.config) wsEnv.ATMOS_CLI_CONFIG_PATH = g.config;
      if (g.basePath) wsEnv.ATMOS_BASE_PATH = g.basePath;
      // --identity outranks ATMOS_IDENTITY (§1.8): identity-backed stores and SOPS KMS see it.
      if (g.identity) wsEnv.ATMOS_IDENTITY = g.identity;
      return { cwd, profile: g.profile, env: wsEnv };
    },
  };
}

/**
 * Runs the CLI and returns its exit code: 0 success, 1 failure, 2 bad usage. Errors are printed
 * as one message on stderr; a stack trace only with `--debug`.
 */
export async function run(
  argv: readonly string[],
  opts: { io?: CliIO; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const env = opts.env ?? process.env;
  registerAmbientSecrets(env);
  const io = opts.io ?? processIO(env);
  const ctx = makeContext(io, env, opts.cwd ?? process.cwd());
  const debug = argv.includes('--debug');
  // `--help=all` is help plus the global flags; commander knows only `--help`. After `--` it is an
  // argument of the command run (auth exec), not ours.
  const end = argv.indexOf('--');
  const helpAll = argv.some((a, i) => a === HELP_ALL && (end < 0 || i < end));
  const args = argv.map((a, i) => (a === HELP_ALL && (end < 0 || i < end) ? '--help' : a));
  const program = buildProgram(ctx, { helpAll });
  program.hook('preAction', (_root, action) => io.setMask(ctx.globals(action).mask));
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

/** Prints an error the way every command does and returns the exit code. */
export function reportError(error: unknown, io: CliIO, debug: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    // Help printed because a command group was run without a subcommand (`infrakey`,
    // `infrakey secret`) is bad usage (exit 2); `infrakey help` asked for it (exit 0).
    if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
    return error.exitCode === 0 ? 0 : 2; // commander already printed the message
  }
  if (isInfrakeyError(error)) {
    io.err(`error [${error.code}]: ${error.message}\n`);
    if (debug) io.errMasked(redactor.mask(`${error.stack ?? ''}\n${causeChain(error)}`));
    // A child run by `auth exec`/`secret exec` passes its own exit code through.
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    if (typeof exitCode === 'number' && Number.isInteger(exitCode) && exitCode > 0) return exitCode;
    return error instanceof UsageError ? 2 : 1;
  }
  // Not infrakey's text (a library's or Node's message may quote a value): masked in full.
  const message = error instanceof Error ? error.message : String(error);
  io.errMasked(`error [INTERNAL]: ${redactor.mask(message)}\n`);
  if (debug && error instanceof Error) io.errMasked(redactor.mask(`${error.stack ?? ''}\n${causeChain(error)}`));
  else io.err('  (run again with --debug for the stack trace)\n');
  return 1;
}

function causeChain(error: Error): string {
  let text = '';
  let cause = (error as { cause?: unknown }).cause;
  while (cause instanceof Error) {
    text += `caused by: ${cause.stack ?? cause.message}\n`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return text;
}
