import { memoizeAsync } from '../async/memoize-async';
import { KeyringError } from '../errors';
import { Secret, unsafeUnwrap } from '../secret';

/**
 * The file keyring's password, resolved lazily (as Atmos): only a read that reaches an existing
 * entry, or a write, asks for it. Order: a password given in code → the variable named by
 * `ATMOS_KEYRING_PASSWORD_ENV` → `spec.password_env` → `ATMOS_KEYRING_PASSWORD` → a hidden prompt
 * when stdin is a TTY → `KEYRING_PASSWORD_REQUIRED` naming the variable to set.
 *
 * The prompt says what happens: a keyring folder without entries is being created, so the new
 * passphrase is asked twice (a typo would lock the user out of everything written with it); a
 * folder with entries is being unlocked, so the passphrase is asked once.
 */

/** Shortest password accepted (Atmos: `keyring: password too short`). */
export const MIN_PASSWORD_LENGTH = 8;
/** The variable Atmos reads the file-keyring password from by default. */
export const DEFAULT_PASSWORD_ENV = 'ATMOS_KEYRING_PASSWORD';

/** Asks for a password without echo. Resolves with what the user typed. */
export type PasswordPrompt = (message: string) => Promise<string>;

/** Where the password may come from. */
export interface PasswordSource {
  /** A password given in code (e.g. `openKeyring({ password })`). Wins over everything. */
  password?: string | Secret<string>;
  /** Name of the variable holding the password (`spec.password_env`); default ATMOS_KEYRING_PASSWORD. */
  passwordEnv?: string;
  env?: NodeJS.ProcessEnv;
  /** Whether a prompt is allowed; default `process.stdin.isTTY`. */
  isTTY?: boolean;
  /** The prompt; default a hidden `@inquirer/prompts` password prompt on stderr. */
  prompt?: PasswordPrompt;
}

/** How many times a new passphrase and its repetition may differ before creating gives up. */
export const NEW_PASSWORD_ATTEMPTS = 3;

/**
 * Returns a memoised function that resolves the password once, when first needed. `isNew` tells
 * whether the keyring folder has no entry yet (asked only when a prompt is about to appear).
 */
export function passwordResolver(source: PasswordSource, dir: string, isNew: () => Promise<boolean> = async () => false): () => Promise<string> {
  // A failed prompt may be retried.
  return memoizeAsync(() => resolvePassword(source, dir, isNew));
}

/** The name of the variable the password is read from. */
export function passwordEnvName(source: Pick<PasswordSource, 'passwordEnv' | 'env'>): string {
  const env = source.env ?? process.env;
  return nonEmpty(env.ATMOS_KEYRING_PASSWORD_ENV) ?? nonEmpty(source.passwordEnv) ?? DEFAULT_PASSWORD_ENV;
}

async function resolvePassword(source: PasswordSource, dir: string, isNew: () => Promise<boolean>): Promise<string> {
  if (source.password !== undefined) {
    const pw = Secret.isSecret(source.password) ? unsafeUnwrap(source.password) : source.password;
    checkLength(pw, 'the password passed to openKeyring');
    return pw;
  }
  const env = source.env ?? process.env;
  const name = passwordEnvName(source);
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') {
    checkLength(fromEnv, `environment variable ${name}`);
    return fromEnv;
  }
  const isTTY = source.isTTY ?? Boolean(process.stdin.isTTY);
  if (isTTY) {
    const prompt = source.prompt ?? defaultPrompt;
    if (await isNew()) return promptNewPassword(prompt, dir, name);
    const typed = await prompt(`Unlocking the file keyring at ${dir}: enter its passphrase`);
    checkLength(typed, 'the password typed at the prompt');
    return typed;
  }
  throw new KeyringError({
    code: 'KEYRING_PASSWORD_REQUIRED',
    message: `the file keyring at ${dir} needs a password and there is no terminal to ask for it`,
    where: `environment variable ${name}`,
    fix: `set ${name} to the keyring password (at least ${MIN_PASSWORD_LENGTH} characters), or run interactively`,
  });
}

async function promptNewPassword(prompt: PasswordPrompt, dir: string, envName: string): Promise<string> {
  let again = '';
  for (let attempt = 0; attempt < NEW_PASSWORD_ATTEMPTS; attempt++) {
    const first = await prompt(`${again}Creating a file keyring at ${dir}: choose a passphrase (at least ${MIN_PASSWORD_LENGTH} characters)`);
    checkLength(first, 'the password typed at the prompt');
    const second = await prompt(`Creating a file keyring at ${dir}: repeat the passphrase`);
    if (first === second) return first;
    again = 'The two passphrases differ. ';
  }
  throw new KeyringError({
    code: 'KEYRING_PASSWORD_MISMATCH',
    message: `the new file keyring at ${dir} was not created: the passphrase and its repetition differed ${NEW_PASSWORD_ATTEMPTS} times`,
    where: dir,
    fix: `run the command again and type the same passphrase twice, or set ${envName}`,
  });
}

function checkLength(password: string, where: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new KeyringError({
      code: 'KEYRING_PASSWORD_TOO_SHORT',
      message: `the file-keyring password is shorter than ${MIN_PASSWORD_LENGTH} characters`,
      where,
      fix: `use a password of at least ${MIN_PASSWORD_LENGTH} characters`,
    });
  }
}

const defaultPrompt: PasswordPrompt = async (message) => {
  const { password } = await import('@inquirer/prompts');
  // On stderr so that stdout stays clean for `auth env` and friends.
  return password(
    {
      message,
      validate: (v: string) => v.length >= MIN_PASSWORD_LENGTH || `at least ${MIN_PASSWORD_LENGTH} characters`,
    },
    { output: process.stderr },
  );
};

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value !== '' ? value : undefined;
}
