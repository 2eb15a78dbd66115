/* eslint-disable @typescript-eslint/no-require-imports -- synchronous lazy loading keeps cold starts light (benchmark B2) */
import { Option, type Command } from 'commander';
import type { CliContext } from '../context';
import type { CliIO } from '../io';
import { checkFormat, printData, renderTable } from '../output';

/**
 * `infrakey secret get|set|delete|list|validate|import|exec|shell|keygen` with Atmos's grammar
 * (semantics §6.8). Values are masked on stdout unless `--mask=false`; `set` reads the value from
 * stdin or a hidden prompt so that it never sits in argv or shell history. Core is loaded inside
 * the actions so that `--help` and other commands stay cheap.
 */

type Core = typeof import('../../core/internal');

interface TargetOpts {
  stack?: string;
  component?: string;
}

function core(): Core {
  return require('../../core/internal') as Core;
}

function target(ctx: CliContext, opts: TargetOpts, needComponent = true): { stack: string; component: string } {
  const c = core();
  const stack = opts.stack ?? ctx.env.ATMOS_STACK;
  const component = opts.component ?? ctx.env.ATMOS_COMPONENT;
  if (!stack) throw new c.UsageError({ code: 'USAGE_STACK_REQUIRED', message: '--stack is required for secret operations', fix: 'pass -s <stack> (or set ATMOS_STACK)' });
  if (needComponent && !component) throw new c.UsageError({ code: 'USAGE_COMPONENT_REQUIRED', message: '--component is required for secret operations', fix: 'pass -c <component> (or set ATMOS_COMPONENT)' });
  return { stack, component: component ?? '' };
}

/**
 * The workspace of a secret verb. On a terminal (and not in CI) the file keyring asks for its
 * password when none is set, as `auth whoami` does, instead of failing with STORE_AUTH_FAILED.
 */
function loadWorkspace(ctx: CliContext, cmd: Command) {
  const ci = ctx.env.CI !== undefined && ctx.env.CI !== '' && ctx.env.CI !== 'false';
  return core().Workspace.load({ ...ctx.workspaceOptions(cmd), keyringPrompt: { isTTY: ctx.io.stdinIsTTY && !ci } });
}

async function service(ctx: CliContext, cmd: Command) {
  const ws = await loadWorkspace(ctx, cmd);
  return { ws, svc: ws.secretsLayer() };
}

function withTarget(cmd: Command): Command {
  return cmd.option('-s, --stack <stack>', 'the stack (ATMOS_STACK)').option('-c, --component <component>', 'the component (ATMOS_COMPONENT)');
}

/**
 * Reads all of stdin with a time limit so that nothing hangs. The value is kept byte for byte
 * except exactly one final newline (`\n` or `\r\n`), which `echo` and here-documents add; a value
 * that must end in a newline (a PEM file) keeps it with `--file` (issue 10, item 15).
 */
async function readStdin(io: CliIO, timeoutMs = 30_000): Promise<string> {
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new (core().UsageError)({ code: 'USAGE_STDIN_TIMEOUT', message: `no value arrived on stdin within ${timeoutMs / 1000} s`, fix: 'pipe the value in: printf %s "$VALUE" | infrakey secret set NAME -s S -c C' })), timeoutMs);
    io.stdin.on('data', (b: Buffer | string) => chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b)));
    io.stdin.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    io.stdin.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    io.stdin.resume?.();
  });
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function hiddenPrompt(message: string): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  return password({ message, mask: false }, { output: process.stderr });
}

async function confirm(message: string): Promise<boolean> {
  const { confirm: ask } = await import('@inquirer/prompts');
  return ask({ message, default: false }, { output: process.stderr });
}

/** Registers the `secret` command group. */
export function registerSecretCommands(program: Command, ctx: CliContext): void {
  const secret = program.command('secret').description('declared secrets: get, set, list, validate, exec with them (values masked unless --mask=false)');

  withTarget(secret.command('get').description('print a declared secret (masked unless --mask=false)').argument('<name>', 'the declared secret'))
    .option('--path <path>', 'select inside a JSON value, e.g. .password')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'env']).default('text'))
    .option('-r, --raw', 'no trailing newline (text only)')
    .addOption(new Option('--mask [bool]', 'mask the value (default true; --mask=false prints it)').argParser((v: string) => core().parseBooleanFlag(v, '--mask')))
    .action(async (name: string, opts: TargetOpts & { path?: string; format: string; raw?: boolean }, cmd: Command) => {
      const c = core();
      if (opts.raw && opts.format !== 'text') {
        throw new c.UsageError({ code: 'USAGE_RAW_FORMAT', message: '--raw is text-only and cannot be combined with --format=json or --format=env', fix: 'drop --raw or use --format text' });
      }
      const t = target(ctx, opts);
      const { svc } = await service(ctx, cmd);
      const value = c.unsafeUnwrap(await svc.secret(name, t, { path: opts.path }));
      // The whole value is the secret: masked, it is replaced before any quoting or encoding, so
      // no shell-quoted or JSON form can slip past (items 7, 11), and JSON stays JSON.
      const masked = ctx.globals(cmd).mask;
      const shown: unknown = masked ? c.MASK : value;
      if (opts.format === 'json') ctx.io.outMasked(JSON.stringify({ [name]: shown }, null, 2) + '\n');
      else if (opts.format === 'env') ctx.io.outMasked(`${name}=${c.shellQuote(c.secretText(shown))}\n`);
      else ctx.io.outMasked(c.secretText(shown) + (opts.raw ? '' : '\n'));
      // `X=$(infrakey secret get …)` would silently hold "<MASKED>" (issue 16, item 5).
      if (masked && !ctx.io.stdoutIsTTY) ctx.io.err(c.safeText`infrakey: ${name} is masked in this output; pass --mask=false to print the value\n`);
    });

  withTarget(
    secret
      .command('set')
      .alias('add')
      .description('write a declared secret; NAME alone reads the value from stdin or a hidden prompt')
      .argument('<name[=value]>', 'the declared secret (NAME=VALUE puts the value in argv and shell history: prefer NAME)'),
  )
    .option('--stdin', 'read the value from stdin (one final newline is dropped)')
    .option('--file <path>', 'read the value from a file, byte for byte (keeps a final newline)')
    .option('-f, --force', 'accepted for Atmos compatibility')
    .action(async (arg: string, opts: TargetOpts & { stdin?: boolean; file?: string }, cmd: Command) => {
      const c = core();
      const t = target(ctx, opts);
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if ([opts.stdin, opts.file !== undefined, eq >= 0].filter(Boolean).length > 1) {
        throw new c.UsageError({ code: 'USAGE_CONFLICT', message: 'give the value one way: NAME=VALUE, --stdin or --file', where: 'secret set', fix: 'keep one of them' });
      }
      let value: string;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (opts.file !== undefined) value = c.readSecretValueFile(cwdPath(ctx, opts.file));
      else if (opts.stdin || !ctx.io.stdinIsTTY) value = await readStdin(ctx.io);
      else value = await hiddenPrompt(`Value for ${name}:`);
      if (value === '') throw new c.UsageError({ code: c.SECRET_ERROR_CODES.VALUE_MISSING, message: `no value given for secret ${JSON.stringify(name)}`, fix: 'pipe the value on stdin or type it at the prompt' });
      c.redactor.register(value);
      const { svc } = await service(ctx, cmd);
      const change = await c.setSecret(svc, t, name, value);
      ctx.io.err(`${change.message}\n`);
    });

  withTarget(secret.command('delete').aliases(['rm', 'unset']).description('delete a declared secret from its backend').argument('<name>', 'the declared secret'))
    .option('-f, --force', 'do not ask for confirmation')
    .action(async (name: string, opts: TargetOpts & { force?: boolean }, cmd: Command) => {
      const c = core();
      const t = target(ctx, opts);
      if (!opts.force) {
        if (!ctx.io.stdinIsTTY) throw new c.UsageError({ code: 'USAGE_CONFIRM', message: `refusing to delete ${name} without confirmation`, fix: 'pass -f/--force' });
        if (!(await confirm(`Delete secret ${name} (stack ${t.stack}, component ${t.component})?`))) return;
      }
      const { svc } = await service(ctx, cmd);
      const change = await c.deleteSecret(svc, t, name);
      ctx.io.err(`${change.message}\n`);
    });

  withTarget(secret.command('list').description('declared secrets: backend, scope, initialised or not (never values; nothing decrypted)'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .option('--verify', 'also ask remote backends whether each value exists (no value is read)')
    .action(async (opts: TargetOpts & { format: string; verify?: boolean }, cmd: Command) => {
      const c = core();
      const format = checkFormat(opts.format, ['table', 'json', 'yaml'] as const, 'table');
      const t = target(ctx, opts);
      const { svc } = await service(ctx, cmd);
      const rows = await c.listSecrets(svc, t, { verify: opts.verify });
      if (format === 'table') {
        ctx.io.out(renderTable(['NAME', 'BACKEND', 'SCOPE', 'REQUIRED', 'STATUS', 'DESCRIPTION'], rows.map((r) => [r.name, r.backend, r.scope, r.required ? 'yes' : 'no', r.status, r.problem ?? r.description ?? ''])));
      } else printData(ctx.io, rows, format);
    });

  withTarget(secret.command('validate').description('exit 1 listing required secrets without a value (every component of the stack without -c)')).action(
    async (opts: TargetOpts, cmd: Command) => {
      const c = core();
      const t = target(ctx, opts, false);
      const { ws, svc } = await service(ctx, cmd);
      const targets = t.component ? [t] : c.componentsWithSecrets(ws.stacks, t.stack);
      const report = await c.validateSecrets(svc, targets);
      for (const p of report.problems) ctx.io.err(`error [${p.code}]: ${p.message}\n`);
      for (const m of report.missing) ctx.io.err(c.safeText`missing required secret ${m.name} (component ${m.component}, stack ${m.stack}${m.location ? `, ${m.location}` : ''})\n`);
      if (!report.ok) {
        throw new c.DeclarationError({
          code: c.SECRET_ERROR_CODES.VALIDATION_FAILED,
          message: `validation failed: ${report.missing.length} required secret(s) missing${report.problems.length ? `, ${report.problems.length} problem(s)` : ''}`,
          where: `stack ${t.stack}`,
          fix: `set each missing secret with \`infrakey secret set NAME -s ${t.stack} -c <component>\``,
        });
      }
      ctx.io.err(c.safeText`All required secrets are initialized (${report.checked.join(', ')})\n`);
    },
  );

  withTarget(secret.command('import').description('copy values into declared secrets: NAME --from-* (store adoption) or FILE (dotenv/json)').argument('<name-or-file>', 'declared NAME, or a FILE'))
    .option('--from-store <store>', 'source store (default: the declaration\'s store)')
    .option('--from-stack <stack>', 'source stack path segment')
    .option('--from-component <component>', 'source component path segment')
    .option('--from-key <key>', 'source key (default: NAME)')
    .addOption(new Option('--format <format>', 'FILE format').choices(['env', 'json']))
    .option('--dry-run', 'FILE mode: show what would be set')
    .action(async (arg: string, opts: TargetOpts & { fromStore?: string; fromStack?: string; fromComponent?: string; fromKey?: string; format?: string; dryRun?: boolean }, cmd: Command) => {
      const c = core();
      const t = target(ctx, opts);
      const { svc } = await service(ctx, cmd);
      const nameMode = opts.fromStore !== undefined || opts.fromStack !== undefined || opts.fromComponent !== undefined || opts.fromKey !== undefined;
      if (nameMode) {
        try {
          const change = await c.importSecret(svc, t, arg, { store: opts.fromStore, stack: opts.fromStack, component: opts.fromComponent, key: opts.fromKey });
          ctx.io.err(`${change.message}\n`);
        } finally {
          // The source is often a plain store (redis): its socket must not outlive an in-process run().
          await svc.registry.close();
        }
        return;
      }
      const format = opts.format ?? (arg.endsWith('.json') ? 'json' : 'env');
      const values = c.readSecretImportFile(cwdPath(ctx, arg), format);
      for (const v of Object.values(values)) if (typeof v === 'string') c.redactor.register(v);
      const cs = svc.forComponent(t);
      for (const [name, value] of Object.entries(values)) {
        if (!cs.declarations.has(name)) {
          ctx.io.err(c.safeText`skipping ${name}: not declared in component ${t.component}\n`);
          continue;
        }
        if (opts.dryRun) ctx.io.err(c.safeText`would set ${name}\n`);
        else ctx.io.err(`${(await c.setSecret(svc, t, name, value)).message}\n`);
      }
    });

  withTarget(
    secret
      .command('exec')
      .description('run a command with the declared secrets as environment variables')
      .argument('<command...>', 'the command (after --)'),
  )
    .option('--mask', 'replace every secret value in the child\'s stdout/stderr by <MASKED>')
    .option('--tf-vars', 'also export each secret as TF_VAR_<NAME>')
    .action(async (argv: string[], opts: TargetOpts & { mask?: boolean; tfVars?: boolean }, cmd: Command) => {
      const t = target(ctx, opts);
      const { svc } = await service(ctx, cmd);
      const env = await secretEnv(ctx, svc, t, opts.tfVars ?? false);
      // The program's global `--mask [bool]` takes the flag before this command sees it.
      const given = (cmd.optsWithGlobals() as { mask?: unknown }).mask;
      childExit(await runSecretChild(argv[0], argv.slice(1), env, ctx, opts.mask === true || given === true), argv[0]);
    });

  withTarget(secret.command('shell').description('start $SHELL with the declared secrets as environment variables').argument('[args...]', 'arguments for the shell'))
    .option('--tf-vars', 'also export each secret as TF_VAR_<NAME>')
    .action(async (args: string[], opts: TargetOpts & { tfVars?: boolean }, cmd: Command) => {
      const t = target(ctx, opts);
      const { svc } = await service(ctx, cmd);
      const env = await secretEnv(ctx, svc, t, opts.tfVars ?? false);
      env.ATMOS_SHLVL = String(Number(ctx.env.ATMOS_SHLVL ?? '0') + 1);
      const shell = ctx.env.SHELL || '/bin/sh';
      childExit(await runSecretChild(shell, args, env, ctx, false), shell);
    });

  secret
    .command('keygen')
    .description('generate an age key for a sops/age provider (private key to its key file or store, recipient to .sops.yaml)')
    .argument('[provider]', 'the SOPS provider (default: the only one configured)')
    .option('-s, --stack <stack>', 'also consider providers declared in this stack')
    .option('-c, --component <component>', 'with -s: providers of this component')
    .option('-f, --force', 'generate even if a key exists')
    .action(async (name: string | undefined, opts: TargetOpts & { force?: boolean }, cmd: Command) => {
      const c = core();
      const ws = await loadWorkspace(ctx, cmd);
      let providers: Record<string, import('../../core/internal').SecretsProviderConfig>;
      if (opts.stack && opts.component) providers = { ...ws.secretsLayer().forComponent({ stack: opts.stack, component: opts.component }).providers };
      else providers = c.mergeProviders(ws.config.secrets.providers, undefined, { locateConfig: (p) => ws.config.locate(p) }).providers;
      const provider = c.pickKeygenProvider(providers, name);
      const svc = ws.secretsLayer();
      const r = await c.keygen(provider, { basePath: ws.config.basePath, env: ctx.env, registry: () => svc.registry, force: opts.force });
      if (r.skipped) {
        ctx.io.err(c.safeText`An age key for ${r.provider} already exists in ${r.keyLocation}; pass --force to generate another\n`);
        return;
      }
      ctx.io.err(c.safeText`Wrote the private key of ${r.provider} to ${r.keyLocation} and its recipient to ${r.recipientsFile}\n`);
      ctx.io.out(`${r.recipient}\n`);
    });
}

/** The child environment: the current one plus every initialised declared secret (`NAME=value`). */
async function secretEnv(ctx: CliContext, svc: import('../../core/internal').SecretsService, t: import('../../core/internal').ComponentTarget, tfVars: boolean): Promise<NodeJS.ProcessEnv> {
  const { env, skipped } = await core().secretEnvironment(svc, t, { base: ctx.env, tfVars });
  const c = core();
  for (const s of skipped) ctx.io.err(c.safeText`Skipping \`${s.name}\`: not initialized in ${s.backend}\n`);
  return env;
}

/** Runs a child through core's runner; with `mask`, its output passes through a stream masker. */
function runSecretChild(command: string | undefined, args: string[], env: NodeJS.ProcessEnv, ctx: CliContext, mask: boolean): Promise<number> {
  const c = core();
  if (!command) throw new c.UsageError({ code: 'USAGE_COMMAND_REQUIRED', message: 'no command given', fix: 'write the command after --, e.g. infrakey secret exec -s dev -c api -- env' });
  const output: import('../../core/internal').ChildOutput = mask
    ? { mode: 'mask', redactor: c.redactor, stdout: (s) => ctx.io.outMasked(s), stderr: (s) => ctx.io.errMasked(s) }
    : { mode: 'inherit' };
  return c.runChild(command, args, { env, cwd: ctx.cwd, output, where: 'secret exec' });
}

/** A failing child makes the command fail with the child's own exit code (as Atmos), naming it. */
function childExit(code: number, command: string): void {
  if (code === 0) return;
  const c = core();
  const err = new c.InfrakeyError({ code: 'EXEC_CHILD_FAILED', message: `${JSON.stringify(command)} exited with status ${code}`, fix: 'see the command\'s own output above' });
  // reportError returns `exitCode`, so `secret exec -- terraform plan -detailed-exitcode` keeps its 2.
  throw Object.assign(err, { exitCode: code });
}

/** A path given on the command line, relative to the working directory. */
function cwdPath(ctx: CliContext, file: string): string {
  const { resolve } = require('node:path') as typeof import('node:path');
  return resolve(ctx.cwd, file);
}
