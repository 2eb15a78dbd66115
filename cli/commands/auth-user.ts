/* eslint-disable @typescript-eslint/no-require-imports -- synchronous lazy loading keeps cold starts light (benchmark B2) */
import { Option, type Command } from 'commander';
import type { CliContext } from '../context';
import type { CliIO } from '../io';
import { authCommand } from './auth';

/**
 * `infrakey auth user configure|migrate`: the long-lived access keys of aws/user identities.
 * `configure` stores them in the keyring (hidden prompts on a terminal; flags, stdin or the AWS_*
 * variables in CI). `migrate` moves inline `credentials:` keys out of atmos.yaml into the keyring.
 * Both use the keyring `auth.keyring` selects (Atmos's configure ignores `auth.keyring.type`)
 * and the realm `auth login` uses, so login finds what they write.
 */

type Core = typeof import('../../core/internal');

function core(): Core {
  return require('../../core/internal') as Core;
}

/** Attaches `user configure` and `user migrate` to the `auth` command. */
export function registerAuthUserCommands(program: Command, ctx: CliContext): void {
  const user = authCommand(program).command('user').description('store the access keys of aws/user identities in the keyring');

  user
    .command('configure')
    .summary('store the access keys of an aws/user identity in the keyring (hidden prompts on a terminal)')
    .description('Configure static AWS user credentials (stored securely in keyring) of an aws/user identity; the prompts are hidden on a terminal.')
    .addOption(new Option('-i, --identity <name>', 'the aws/user identity (default: the only one, or a choice on a terminal)'))
    .option('--access-key-id <id>', 'access key ID (else AWS_ACCESS_KEY_ID, else a prompt)')
    .option('--secret-access-key-stdin', 'read the secret access key from the first line of stdin (else AWS_SECRET_ACCESS_KEY, else a prompt)')
    .option('--mfa-arn <arn>', 'MFA device ARN, stored with the keys (optional)')
    .option('--session-duration <duration>', 'session length for GetSessionToken, e.g. 12h (optional)')
    .action(async (o: { accessKeyId?: string; secretAccessKeyStdin?: boolean; mfaArn?: string; sessionDuration?: string }, cmd: Command) => {
      const c = core();
      const io = promptIO(ctx);
      // stdin first: a refused run must not leave the secret unread in a pipe buffer for long.
      const secret = o.secretAccessKeyStdin ? await readSecretLine(ctx.io) : undefined;
      const { config, realm } = await loadUserContext(ctx, cmd);
      const identity = (cmd.optsWithGlobals() as { identity?: string }).identity;
      const keyring = await openKeyring(ctx, config, io.interactive);
      const r = await c.configureAwsUser({
        config,
        identity,
        keyring,
        realm,
        env: ctx.env,
        io,
        input: { accessKeyId: o.accessKeyId, secretAccessKey: secret, mfaArn: o.mfaArn, sessionDuration: o.sessionDuration },
      });
      ctx.io.out(`✓ Stored the access keys of identity "${r.identity}" in the ${r.keyringType} keyring (entry ${r.key}, realm ${realm})${r.replaced ? '; the previous entry was replaced' : ''}.\n`);
      const extras = [r.fields.includes('mfa_arn') ? `MFA ARN (${r.sources.mfaArn})` : '', r.fields.includes('session_duration') ? `session duration (${r.sources.sessionDuration})` : ''].filter(Boolean);
      if (extras.length > 0) ctx.io.out(`  Also stored: ${extras.join(', ')}.\n`);
      ctx.io.out(`  Next: infrakey auth login --identity ${r.identity}\n`);
    });

  user
    .command('migrate')
    .description('move inline credentials: keys of aws/user identities from atmos.yaml into the keyring, keeping comments and layout')
    .option('--file <path>', 'YAML file to edit (default: the atmos.yaml in use)')
    .option('--dry-run', 'show what would move; change nothing')
    .action(async (o: { file?: string; dryRun?: boolean }, cmd: Command) => {
      const c = core();
      const path = await import('node:path');
      const { config, realm } = await loadUserContext(ctx, cmd);
      const file = o.file ? path.resolve(ctx.cwd, o.file) : config.file;
      if (!file) {
        throw new c.AuthError({ code: c.AUTH_USER_ERROR_CODES.MIGRATE_NO_FILE, message: 'no atmos.yaml was found to migrate', where: ctx.cwd, fix: 'run it in the folder of atmos.yaml, or pass --config PATH or --file PATH' });
      }
      const interactive = promptIO(ctx).interactive;
      const shown = path.relative(ctx.cwd, file) || path.basename(file);
      const r = await c.migrateInlineCredentials({
        file,
        config,
        realm,
        dryRun: o.dryRun,
        displayName: shown.startsWith('..') ? file : shown,
        keyring: () => openKeyring(ctx, config, interactive),
        io: { notice: (line) => ctx.io.err(`${line}\n`) },
      });
      for (const s of r.skipped) ctx.io.err(`Left ${s.identity} (${s.where}) as it is: ${s.reason}.\n`);
      if (r.migrated.length === 0) {
        ctx.io.out(`Nothing to migrate: no aws/user identity in ${shown || file} has inline access keys.\n`);
        return;
      }
      const verb = o.dryRun ? 'Would move' : 'Moved';
      ctx.io.out(`${verb} the inline access keys of ${r.migrated.length} identit${r.migrated.length === 1 ? 'y' : 'ies'} to the ${r.keyringType} keyring (realm ${realm}):\n`);
      for (const m of r.migrated) {
        ctx.io.out(`  ${m.displayName}  ${m.where} → ${m.key}${m.replaced ? ' (replaced the previous entry)' : ''}\n`);
      }
      if (o.dryRun) {
        ctx.io.out('Dry run: nothing was changed.\n');
        return;
      }
      ctx.io.out(`Removed credentials.access_key_id and credentials.secret_access_key from ${shown || file}; ${r.layoutPreserved ? 'everything else in the file is unchanged' : 'comments were kept, but the YAML writer re-formatted the file (the keys were in { } flow style)'}.\n`);
    });
}

async function loadUserContext(ctx: CliContext, cmd: Command): Promise<{ config: Awaited<ReturnType<Core['loadAtmosConfig']>>; realm: string }> {
  const c = core();
  const ws = ctx.workspaceOptions(cmd);
  const config = await c.loadAtmosConfig({ cwd: ws.cwd, profile: ws.profile, env: ws.env });
  // The same inputs as AuthManager, so that `auth login` reads the slot written here.
  const parsed = c.parseAuthConfig(config.auth).config;
  const realm = c.resolveRealm({ env: ctx.env, configRealm: parsed.realm, configDir: config.file ? config.dir : undefined, where: config.locate('auth.realm') });
  return { config, realm: realm.value };
}

async function openKeyring(ctx: CliContext, config: { auth: Record<string, unknown> }, interactive: boolean) {
  // The keyring helper process (system keyring) gets this environment: keys given through
  // AWS_* variables must not travel into it.
  const env = { ...ctx.env };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) delete env[name];
  return core().selectKeyring({
    auth: config.auth as { keyring?: import('../../core/internal').KeyringConfig },
    env,
    cwd: ctx.cwd,
    isTTY: interactive,
    notice: (line) => ctx.io.err(`${line}\n`),
  });
}

function promptIO(ctx: CliContext): import('../../core/internal').UserPromptIO {
  const ci = ctx.env.CI !== undefined && ctx.env.CI !== '' && ctx.env.CI !== 'false';
  const context = { input: ctx.io.stdin, output: process.stderr };
  return {
    interactive: ctx.io.stdinIsTTY && !ci,
    notice: (line) => ctx.io.err(`${line}\n`),
    secret: async (message, validate) => {
      const { password } = await import('@inquirer/prompts');
      return password({ message, mask: '*', validate }, context);
    },
    text: async (message, opts) => {
      const { input } = await import('@inquirer/prompts');
      return input({ message, default: opts?.initial, validate: opts?.validate }, context);
    },
    select: async (message, choices, initial) => {
      const { select } = await import('@inquirer/prompts');
      return select({ message, choices: choices.map((value) => ({ value, name: value })), default: initial }, context);
    },
  };
}

/**
 * Reads the first line of stdin as the secret access key, with a time limit. Refuses a terminal:
 * typed there, the key would echo; leaving the flag out gives a hidden prompt instead.
 */
export async function readSecretLine(io: CliIO, timeoutMs = 30_000): Promise<import('../../core/internal').Secret<string>> {
  const c = core();
  const fail = (message: string, fix: string) => new c.AuthError({ code: c.AUTH_USER_ERROR_CODES.STDIN_FAILED, message, where: '--secret-access-key-stdin', fix });
  const pipeFix = `pipe it in: printf '%s\\n' "$AWS_SECRET_ACCESS_KEY" | infrakey auth user configure --identity NAME --access-key-id AKIA... --secret-access-key-stdin`;
  if (io.stdinIsTTY) throw fail('--secret-access-key-stdin reads a pipe, but stdin is a terminal', 'leave the flag out to get a hidden prompt, or ' + pipeFix);
  const stdin = io.stdin;
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause?.();
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string) => {
      text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl !== -1) {
        text = text.slice(0, nl);
        done();
      }
    };
    const onEnd = () => done();
    const onError = (e: Error) => done(fail(`cannot read stdin (${(e as NodeJS.ErrnoException).code ?? 'error'})`, pipeFix));
    const timer = setTimeout(() => done(fail(`no line arrived on stdin within ${Math.round(timeoutMs / 1000)} s`, pipeFix)), timeoutMs);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume?.();
  });
  const value = line.replace(/\r$/, '').trim();
  if (value === '') throw fail('stdin was empty: no secret access key to store', pipeFix);
  return c.Secret.of(value, 'secret_access_key');
}
