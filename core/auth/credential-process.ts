import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The `credential_process` command of `credential_files.mode: process` profiles. The AWS SDKs
 * run it themselves (the JS and Go SDKs through `sh -c`, the AWS CLI through a POSIX word split),
 * often from a process whose PATH lacks `node_modules/.bin` (`pulumi up` or `terraform apply`
 * started directly), so it names the Node binary and the installed CLI by absolute path.
 */

/** Quotes one word for both `sh` and a POSIX word split (single quotes; `"` on Windows). */
export function quoteCommandWord(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  if (process.platform === 'win32') return `"${word.replace(/"/g, '""')}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `'<node>' '<package>/dist/cli/infrakey.js'`: the CLI of the installed package, run by the Node
 * binary running now. Found next to this module, whether it runs from `dist/core/auth/` or bundled
 * into `dist/cli/`. From TypeScript sources (development, tests) there is no built CLI and the
 * command is `infrakey` from PATH.
 */
export function defaultCliCommand(): string {
  const { command, args } = cliInvocation();
  return [command, ...args].map(quoteCommandWord).join(' ');
}

/** The full command: `<cli> [--config <dir>] auth credentials --identity <name>`. */
export function credentialProcessCommand(opts: { command?: string; configDir?: string; identity: string }): string {
  const config = opts.configDir ? ` --config ${quoteCommandWord(opts.configDir)}` : '';
  return `${opts.command ?? defaultCliCommand()}${config} auth credentials --identity ${quoteCommandWord(opts.identity)}`;
}

/**
 * The CLI as a program and its first arguments, for files that name a command as an argv (a
 * kubeconfig `exec` user): the Node binary and the installed CLI by absolute path, else `infrakey`
 * from PATH (TypeScript sources), then `--config <dir>` when known.
 */
export function cliInvocation(configDir?: string): { command: string; args: string[] } {
  const candidates = [path.resolve(__dirname, '../../cli/infrakey.js'), path.resolve(__dirname, 'infrakey.js')];
  const script = candidates.find((c) => c.endsWith(`${path.sep}dist${path.sep}cli${path.sep}infrakey.js`) && existsSync(c));
  const config = configDir ? ['--config', configDir] : [];
  return script ? { command: process.execPath, args: [script, ...config] } : { command: 'infrakey', args: config };
}
