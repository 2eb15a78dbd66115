import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  AUTH_ERROR_CODES,
  AuthError,
  UsageError,
  createAuthManager,
  eksExecCredential,
  loadAtmosConfig,
  openAuthKeyring,
  parseDurationSeconds,
  redactor,
  runChild as runCoreChild,
  type AuthInteraction,
  type AuthManager,
} from '../../core/internal';
import type { CliContext } from '../context';
import { checkFormat, ENV_FORMATS, printData, renderData, renderEnv, renderTable } from '../output';

/**
 * `infrakey auth ...`: the Atmos auth verbs (login, whoami, validate, env, exec, shell, logout,
 * list, console) plus `credentials` (credential_process JSON). `auth user configure|migrate`
 * live in auth-user.ts and attach to the same `auth` command.
 *
 * Key material is never printed, except by `auth credentials`, whose stdout is read by the AWS
 * SDK (credential_process protocol) and which refuses to write to a terminal.
 */
export function registerAuthCommands(program: Command, ctx: CliContext): void {
  registerAwsEksToken(program, ctx);
  const auth = authCommand(program);
  const identityOption = () => new Option('-i, --identity <name>', 'identity to use (ATMOS_IDENTITY, else the default identity)');

  auth
    .command('login')
    .summary('authenticate an identity through its chain and write its credential files')
    .description('Authenticate to cloud providers using an identity defined in atmos.yaml: runs its chain and writes its credential files.')
    .addOption(identityOption())
    .action(async (_o, cmd: Command) => {
      const { manager, name } = await setup(ctx, cmd);
      const r = await manager.authenticate(name, { force: true });
      // Atmos's layout: the status and the summary are for the person at the terminal, so both go
      // to stderr and stdout stays empty (scripts read `auth env` / `whoami --format json`).
      const rows: string[][] = [
        ['Realm', `${manager.realm.value} (${manager.realm.source})`],
        ['Provider', r.chain.rootName],
        ['Identity', r.identity],
        ['Region', r.region ?? ''],
        ['Expires', r.expiration ? formatExpiry(r.expiration) : 'never'],
      ];
      ctx.io.err(`✓ Authentication successful!\n\n${summary(rows)}\n`);
    });

  auth
    .command('whoami')
    .summary('show the identity, account, principal ARN and expiry (logs in silently when needed)')
    .description('Display information about the current effective authentication principal. Shows the identity, account, principal ARN and expiry, and logs in silently when needed.')
    .addOption(identityOption())
    .addOption(new Option('-o, --output <format>', 'json for machine-readable output (ATMOS_AUTH_WHOAMI_OUTPUT)'))
    .option('-f, --format <format>', 'json or table')
    .action(async (o: { output?: string; format?: string }, cmd: Command) => {
      const format = checkFormat(o.format ?? o.output ?? ctx.env.ATMOS_AUTH_WHOAMI_OUTPUT, ['table', 'json'] as const, 'table');
      const { manager, name } = await setup(ctx, cmd);
      const w = await manager.whoami(name);
      if (format === 'json') {
        ctx.io.out(renderData({
          realm: w.realm,
          realm_source: w.realmSource,
          provider: w.provider,
          identity: w.identity,
          principal: w.principal ?? null,
          account: w.account ?? null,
          region: w.region ?? null,
          expiration: w.expiration ?? null,
          environment: w.environment,
          paths: w.paths,
        }, 'json'));
        return;
      }
      ctx.io.err(`✓ Current Authentication Status\n\n${summary([
        ['Realm', `${w.realm} (${w.realmSource})`],
        ['Provider', w.provider],
        ['Identity', w.identity],
        ['Principal', w.principal ?? ''],
        ['Account', w.account ?? ''],
        ['Region', w.region ?? ''],
        ['Expires', w.expiration ? formatExpiry(new Date(w.expiration)) : 'never'],
        ['Credentials', w.paths.credentials_file ?? ''],
        ['Profile', w.paths.profile ?? ''],
      ])}\n`);
    });

  auth
    .command('validate')
    .summary('check the auth configuration and report every problem at once')
    .description('Validate the authentication configuration in atmos.yaml for syntax and logical errors. Every problem is reported at once.')
    .option('-v, --verbose', 'also print warnings about kinds infrakey does not implement')
    .action(async (o: { verbose?: boolean }, cmd: Command) => {
      // Status lines on stderr, as Atmos prints them; stdout stays empty.
      if (o.verbose) ctx.io.err('Validating authentication configuration...\n');
      const manager = await loadManager(ctx, cmd);
      const { errors, warnings } = manager.validate();
      if (o.verbose) for (const w of warnings) ctx.io.err(`warning [${w.code}]: ${w.message}\n`);
      if (errors.length > 0) {
        throw new AuthError({
          code: AUTH_ERROR_CODES.CONFIG_INVALID,
          message: `invalid auth config: authentication configuration validation failed (${errors.length} problem${errors.length === 1 ? '' : 's'})`,
          where: 'auth',
          problems: errors,
          fix: 'correct each problem listed above, then run `infrakey auth validate` again',
        });
      }
      ctx.io.err('✅ Authentication configuration is valid\n');
    });

  auth
    .command('env')
    .summary('print the variables that point tools at the identity (file paths, profile, region; never keys)')
    .description('Outputs environment variables for the assumed identity, suitable for use by external tools such as Terraform or Helm: file paths, profile and region (AWS), project (GCP), subscription and tenant (Azure), never keys.')
    .addOption(identityOption())
    .option('-f, --format <format>', 'bash, dotenv, json or github (ATMOS_AUTH_ENV_FORMAT)')
    .option('-o, --output-file <file>', 'append to this file (mode 0600) instead of stdout (ATMOS_AUTH_ENV_OUTPUT_FILE)')
    .option('--login', 'log in first when there is no valid session')
    .action(async (o: { format?: string; outputFile?: string; login?: boolean }, cmd: Command) => {
      const format = checkFormat(o.format ?? ctx.env.ATMOS_AUTH_ENV_FORMAT, ENV_FORMATS, 'bash');
      const { manager, name } = await setup(ctx, cmd);
      if (o.login && !(await manager.cachedCredentials(name))) await manager.authenticate(name);
      const text = renderEnv(manager.environment(name), format);
      let file = o.outputFile ?? ctx.env.ATMOS_AUTH_ENV_OUTPUT_FILE;
      if (format === 'github' && !file) {
        file = ctx.env.GITHUB_ENV;
        if (!file) {
          throw new UsageError({ code: 'USAGE_GITHUB_ENV', message: '--format=github requires GITHUB_ENV (set by GitHub Actions) or --output-file', where: '--format', fix: 'run it inside GitHub Actions, or add --output-file FILE' });
        }
      }
      if (file) {
        const fs = await import('node:fs/promises');
        await fs.appendFile(file, text, { mode: 0o600 });
        return;
      }
      ctx.io.out(text);
    });

  auth
    .command('exec')
    .summary('run a command as the identity: ambient credentials of its cloud removed, its session set')
    .description("Execute a command with the authenticated identity's environment variables set. Use -- to separate infrakey flags from the command and its arguments; ambient credentials of the identity's cloud are removed.")
    .addOption(identityOption())
    .argument('[command...]', 'the command and its arguments, after --')
    .action(async (args: string[], _o, cmd: Command) => {
      if (args.length === 0) throw new UsageError({ code: 'USAGE_NO_COMMAND', message: 'no command specified', where: 'auth exec', fix: 'put the command after --, e.g. infrakey auth exec -- terraform plan' });
      const { manager, name } = await setup(ctx, cmd);
      if (!(await manager.cachedCredentials(name))) await manager.authenticate(name);
      await runChild(ctx, args[0], args.slice(1), manager.childEnvironment(name, ctx.env), false);
    });

  auth
    .command('shell')
    .description('start a shell as the identity (as auth exec, plus ATMOS_IDENTITY and ATMOS_SHLVL)')
    .addOption(identityOption())
    .option('--shell <path>', 'shell to run (ATMOS_SHELL, SHELL, else bash or sh)')
    .argument('[args...]', 'arguments for the shell, after --')
    .action(async (args: string[], o: { shell?: string }, cmd: Command) => {
      const { manager, name } = await setup(ctx, cmd);
      if (!(await manager.cachedCredentials(name))) await manager.authenticate(name);
      const env = manager.childEnvironment(name, ctx.env);
      env.ATMOS_IDENTITY = name;
      env.ATMOS_SHLVL = String((Number.parseInt(ctx.env.ATMOS_SHLVL ?? '0', 10) || 0) + 1);
      const shell = o.shell ?? ctx.env.ATMOS_SHELL ?? ctx.env.SHELL ?? (await which('bash', ctx.env)) ?? 'sh';
      ctx.io.err(`→ Entering shell with identity: ${name} (${manager.chain(name).rootName})\n`);
      try {
        await runChild(ctx, shell, args, env, true);
      } finally {
        ctx.io.err(`← Left the shell of identity: ${name}\n`);
      }
    });

  auth
    .command('logout')
    .description("remove an identity's profiles and cached session (--all: every identity and provider token)")
    .addOption(identityOption())
    .argument('[identity]', 'identity to log out')
    .option('--all', 'log out every identity and remove every provider token of this realm')
    .action(async (positional: string | undefined, o: { all?: boolean }, cmd: Command) => {
      const manager = await loadManager(ctx, cmd);
      const flag = positional ?? (cmd.optsWithGlobals() as { identity?: string }).identity;
      if (o.all && positional) throw new UsageError({ code: 'USAGE_CONFLICT', message: '--all and an identity name are exclusive', where: 'auth logout', fix: 'give one of them' });
      const out = o.all ? await manager.logout({ all: true }) : await manager.logout({ identity: manager.resolveIdentityName(flag) });
      const what = [...out.identities.map((i) => `identity ${i}`), ...out.providers.map((p) => `provider ${p}`)];
      ctx.io.err(what.length > 0 ? `✓ Logged out: ${what.join(', ')}\n` : 'Nothing to log out: no cached session found\n');
      ctx.io.err('Note: browser sessions (AWS console, IAM Identity Center portal) are not ended by this command.\n');
    });

  auth
    .command('list')
    .description('list providers, identities and their chains (no authentication)')
    .option('-f, --format <format>', 'table, json or yaml')
    .action(async (o: { format?: string }, cmd: Command) => {
      const format = checkFormat(o.format, ['table', 'json', 'yaml'] as const, 'table');
      const manager = await loadManager(ctx, cmd);
      const providers = [...manager.config.providers.values()].map((p) => ({ name: p.name, kind: p.kind, ...(p.region ? { region: p.region } : {}) }));
      const identities = [...manager.config.identities.values()].map((i) => {
        let chain: string;
        try {
          chain = manager.chain(i.name).label;
        } catch (e) {
          chain = `(invalid: ${e instanceof AuthError ? e.code : 'error'})`;
        }
        return { name: i.name, kind: i.kind, default: i.default, via: i.via?.provider ? `provider:${i.via.provider}` : i.via?.identity ? `identity:${i.via.identity}` : '', chain };
      });
      if (format !== 'table') {
        const wo = ctx.workspaceOptions(cmd);
        printData(ctx.io, atmosAuthListing((await loadAtmosConfig({ cwd: wo.cwd, profile: wo.profile, env: wo.env })).auth), format);
        return;
      }
      ctx.io.out('PROVIDERS\n' + renderTable(['NAME', 'KIND', 'REGION'], providers.map((p) => [p.name, p.kind, p.region ?? ''])));
      ctx.io.out('\nIDENTITIES\n' + renderTable(['NAME', 'KIND', 'DEFAULT', 'CHAIN'], identities.map((i) => [i.name, i.kind, i.default ? 'yes' : '', i.chain])));
    });

  auth
    .command('console')
    .description('open (or print) the AWS console sign-in URL for the identity\'s session')
    .addOption(identityOption())
    .option('--print', 'print the URL instead of opening a browser')
    .option('--destination <url>', 'console page to open after sign-in')
    .option('--duration <duration>', 'console session length (15m to 12h)')
    .action(async (o: { print?: boolean; destination?: string; duration?: string }, cmd: Command) => {
      const { manager, name } = await setup(ctx, cmd);
      const url = await manager.consoleUrl(name, {
        ...(o.destination ? { destination: o.destination } : {}),
        ...(o.duration ? { durationSeconds: parseDurationSeconds(o.duration) } : {}),
      });
      if (o.print || !ctx.io.stderrIsTTY || !openBrowser(url, ctx.env)) {
        // The URL carries a 15-minute sign-in token for this user; stdout only, never stderr logs.
        ctx.io.setMask(false);
        ctx.io.out(url + '\n');
      } else {
        ctx.io.err('Opened the AWS console in your browser.\n');
      }
    });

  auth
    .command('credentials')
    .description('print credential_process JSON for the identity (used by credential_files.mode: process)')
    .addOption(identityOption())
    .action(async (_o, cmd: Command) => {
      if (process.stdout.isTTY && ctx.io.stdinIsTTY) {
        throw new UsageError({ code: 'USAGE_TTY_OUTPUT', message: 'auth credentials prints keys for the AWS SDK and does not write them to a terminal', where: 'auth credentials', fix: 'use it as credential_process, or pipe it: infrakey auth credentials -i NAME | jq .Expiration' });
      }
      const { manager, name } = await setup(ctx, cmd);
      const json = await manager.credentialProcessJson(name);
      ctx.io.setMask(false);
      ctx.io.out(json + '\n');
    });
}

/**
 * `infrakey aws eks token --cluster-name N --region R [--identity I]`: the exec command of the
 * kubeconfig users the aws/eks integration writes (Atmos `atmos aws eks token`). Prints the
 * ExecCredential JSON (with the token) for kubectl; like `auth credentials`, not to a terminal.
 */
function registerAwsEksToken(program: Command, ctx: CliContext): void {
  const aws = program.commands.find((c) => c.name() === 'aws') ?? program.command('aws').description('AWS helpers (Atmos-compatible)');
  const eks = aws.command('eks').description('Amazon EKS helpers');
  eks
    .command('token')
    .description('print a Kubernetes ExecCredential with an EKS token for the identity (used by kubeconfig exec users)')
    .requiredOption('--cluster-name <name>', 'the EKS cluster name')
    .requiredOption('--region <region>', 'the cluster region')
    .addOption(new Option('-i, --identity <name>', 'identity to use (ATMOS_IDENTITY, else the default identity)'))
    .action(async (o: { clusterName: string; region: string }, cmd: Command) => {
      if (process.stdout.isTTY && ctx.io.stdinIsTTY) {
        throw new UsageError({ code: 'USAGE_TTY_OUTPUT', message: 'aws eks token prints a bearer token for kubectl and does not write it to a terminal', where: 'aws eks token', fix: 'let kubectl run it (kubeconfig exec), or pipe it: infrakey aws eks token ... | jq .status.expirationTimestamp' });
      }
      const { manager, name } = await setup(ctx, cmd);
      const json = await eksExecCredential(manager, name, o.clusterName, o.region);
      ctx.io.setMask(false);
      ctx.io.out(json + '\n');
    });
}

/** The `auth` command group, shared with auth-user.ts (whichever registers first creates it). */
export function authCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'auth') ?? program.command('auth').description('authenticate with identities from atmos.yaml (Atmos-compatible)');
}

/** Provider fields Atmos's `auth list` prints (its typed provider struct); others (e.g. `config`) are not shown. */
const LISTED_PROVIDER_FIELDS = ['kind', 'region', 'start_url', 'url', 'driver', 'provider_type', 'spec', 'session', 'console', 'default', 'auto_provision_identities'];
/** Identity fields not listed: inline credentials stay out of listings. */
const UNLISTED_IDENTITY_FIELDS = new Set(['credentials']);

/**
 * `auth list --format json|yaml` in Atmos's shape: `providers` and `identities` as maps keyed by
 * name with their configuration (no realm or computed chain; `auth list` shows those in the table).
 */
function atmosAuthListing(raw: Record<string, unknown>): Record<string, unknown> {
  const asMap = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const providers: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(asMap(raw.providers))) {
    providers[name] = Object.fromEntries(LISTED_PROVIDER_FIELDS.filter((k) => asMap(p)[k] !== undefined).map((k) => [k, asMap(p)[k]]));
  }
  const identities: Record<string, unknown> = {};
  for (const [name, i] of Object.entries(asMap(raw.identities))) {
    identities[name] = Object.fromEntries(Object.entries(asMap(i)).filter(([k, v]) => !UNLISTED_IDENTITY_FIELDS.has(k) && !(k === 'default' && v === false)));
  }
  return { identities, providers };
}

async function loadManager(ctx: CliContext, cmd: Command): Promise<AuthManager> {
  const ws = ctx.workspaceOptions(cmd);
  const config = await loadAtmosConfig({ cwd: ws.cwd, profile: ws.profile, env: ws.env });
  const interaction = cliInteraction(ctx);
  return createAuthManager(config, {
    env: ctx.env,
    interaction,
    keyring: () => openAuthKeyring(config.auth.keyring as Record<string, unknown> | undefined, { env: ctx.env, cwd: ctx.cwd, isTTY: interaction.interactive }),
    ...(ctx.env.INFRAKEY_CREDENTIAL_PROCESS_COMMAND ? { credentialProcessCommand: ctx.env.INFRAKEY_CREDENTIAL_PROCESS_COMMAND } : {}),
  });
}

async function setup(ctx: CliContext, cmd: Command): Promise<{ manager: AuthManager; name: string }> {
  const manager = await loadManager(ctx, cmd);
  const flag = (cmd.optsWithGlobals() as { identity?: string }).identity;
  return { manager, name: manager.resolveIdentityName(flag) };
}

function cliInteraction(ctx: CliContext): AuthInteraction {
  const ci = ctx.env.CI !== undefined && ctx.env.CI !== '' && ctx.env.CI !== 'false';
  const interactive = ctx.io.stdinIsTTY && !ci;
  return {
    interactive,
    notify: (text) => ctx.io.err(text),
    promptSecret: async (message) => {
      const { password } = await import('@inquirer/prompts');
      return password({ message, mask: '*' }, { output: process.stderr });
    },
    progress: (text) => {
      if (!ctx.io.stderrIsTTY) return () => undefined;
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      let i = 0;
      const timer = setInterval(() => ctx.io.err(`\r${frames[i++ % frames.length]} ${text}`), 120);
      return () => {
        clearInterval(timer);
        ctx.io.err('\r\x1b[2K');
      };
    },
    openBrowser: (url) => void openBrowser(url, ctx.env),
  };
}

/** Opens `url` with the platform's opener when a desktop is available; false otherwise. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): boolean {
  const platform = process.platform;
  let cmd: string;
  let args: string[];
  if (platform === 'darwin') [cmd, args] = ['open', [url]];
  else if (platform === 'win32') [cmd, args] = ['cmd', ['/c', 'start', '""', url]];
  else if (env.DISPLAY || env.WAYLAND_DISPLAY) [cmd, args] = [env.BROWSER || 'xdg-open', [url]];
  else return false;
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore', env });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a child with `env` and waits for it (core's runner). On a terminal the child inherits
 * stdio (interactive tools keep working); otherwise its output passes through a stream masker, so
 * that any registered secret is masked even when a chunk cuts it. A non-zero exit becomes an error
 * carrying the child's exit code (128 + N for a child killed by signal N, as shells report it).
 */
async function runChild(ctx: CliContext, command: string, args: string[], env: NodeJS.ProcessEnv, interactive: boolean): Promise<void> {
  const inherit = interactive || ctx.io.stderrIsTTY;
  const code = await runCoreChild(command, args, {
    env,
    output: inherit ? { mode: 'inherit' } : { mode: 'mask', redactor, stdout: (s) => ctx.io.outMasked(s), stderr: (s) => ctx.io.errMasked(s) },
    startFailureCode: 'USAGE_COMMAND_NOT_FOUND',
    where: 'auth exec',
  });
  if (code !== 0) {
    const err = new AuthError({ code: 'AUTH_EXEC_CHILD_FAILED', message: `the command exited with code ${code}`, where: command, fix: 'see the command\'s own output above' });
    Object.assign(err, { exitCode: code });
    throw err;
  }
}

async function which(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { access } = await import('node:fs/promises');
  const { join, delimiter } = await import('node:path');
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name));
      return join(dir, name);
    } catch {
      // next
    }
  }
  return undefined;
}

/** A two-column label/value summary, indented as Atmos prints it (no header row). */
function summary(rows: string[][]): string {
  return renderTable(['', ''], rows).split('\n').slice(1).map((l) => (l === '' ? l : `  ${l}`)).join('\n');
}

function formatExpiry(d: Date): string {
  const ms = d.getTime() - Date.now();
  const mins = Math.max(0, Math.round(ms / 60000));
  return `${d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')} (${Math.floor(mins / 60)}h ${mins % 60}m)`;
}
