import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyringError } from '../errors';
import { fsyncDir, writeFileAtomic } from '../fs/atomic-write';
import { Secret } from '../secret';
import { fileNameForKey, isEntryFileName, isHashedFileName, keyForFileName, legacyFileName } from './file-names';
import { withFolderLock } from './folder-lock';
import { decryptEntry, encryptEntry, EntryOpenError, MIN_READ_ITERATIONS, passwordOpensKeyWrap, WRITE_ITERATIONS, type OpenedEntry } from './jwe-entry';
import type { Keyring } from './keyring';
import { passwordEnvName, passwordResolver, type PasswordSource } from './keyring-password';
import { secretLabel, toPlain } from './keyring-values';

/** Options of {@link FileKeyring}. */
export interface FileKeyringOptions extends PasswordSource {
  /** The keyring folder (created 0700 on first write). */
  dir: string;
  /**
   * TESTS ONLY: PBKDF2 iterations for writes, instead of {@link WRITE_ITERATIONS}. Entries written
   * this way are weak. Reads accept any count from 1,000 to 10,000,000 regardless.
   */
  unsafeLowIterationsForTests?: number;
}

/**
 * Decrypted entries, for the life of the process, keyed by the exact file content and a tag of
 * the password. A re-read returns the cached value only while the file holds the same bytes, so
 * a value another process rewrote is decrypted afresh; a different password never hits.
 */
const decrypted = new Map<string, OpenedEntry>();
const MAX_CACHED = 1024;
const processKey = randomBytes(32);

function cacheKey(password: string, jwe: string): string {
  return createHmac('sha256', processKey).update(password, 'utf8').digest('base64') + '\n' + jwe;
}

function remember(password: string, jwe: string, entry: OpenedEntry): void {
  if (decrypted.size >= MAX_CACHED) decrypted.delete(decrypted.keys().next().value as string);
  decrypted.set(cacheKey(password, jwe), entry);
}

/** Temp files older than this are left-overs of a crashed writer and are removed. */
const STALE_TEMP_MS = 10 * 60 * 1000;
/** How many other entries to try when telling a wrong password from a damaged entry. */
const VERIFY_SAMPLE = 3;

interface EntryFile {
  name: string;
  path: string;
  jwe: string;
}

/**
 * The encrypted file keyring, compatible with Atmos's (99designs/keyring) file backend: one file
 * per key in a folder, each a JWE (`PBES2-HS256+A128KW`, `A256GCM`) that any JOSE implementation
 * opens with the password. Writes use 600,000 PBKDF2 iterations, are atomic (temp file, fsync,
 * rename, fsync of the folder) and are serialised across processes by a lock on the folder.
 */
export class FileKeyring implements Keyring {
  readonly type = 'file' as const;
  readonly canList = true;
  readonly dir: string;
  private readonly password: () => Promise<string>;
  private readonly iterations: number;
  private readonly envName: string;
  /** Set once this password has opened an entry (or the folder had none when first written). */
  private verified = false;
  private dirReady = false;

  constructor(options: FileKeyringOptions) {
    this.dir = options.dir;
    this.password = passwordResolver(options, options.dir, async () => (await this.entryNames()).length === 0);
    this.envName = passwordEnvName(options);
    const low = options.unsafeLowIterationsForTests;
    if (low !== undefined && (!Number.isSafeInteger(low) || low < MIN_READ_ITERATIONS)) {
      throw new RangeError(`unsafeLowIterationsForTests must be an integer of at least ${MIN_READ_ITERATIONS}`);
    }
    this.iterations = low ?? WRITE_ITERATIONS;
  }

  async get(key: string): Promise<Secret<string> | undefined> {
    const file = await this.readEntry(key);
    if (!file) return undefined;
    const opened = await this.open(file, key);
    return Secret.of(opened.value, secretLabel(key));
  }

  async set(key: string, value: string | Secret<string>): Promise<void> {
    const plain = toPlain(value, key);
    await this.ensureDir();
    const password = await this.password();
    await this.checkPasswordAgainstExisting(password);
    // The expensive derivation happens outside the lock, so concurrent writers overlap it.
    const jwe = await encryptEntry(key, plain, password, this.iterations);
    const name = fileNameForKey(key);
    const legacy = legacyFileName(key);
    await withFolderLock(this.dir, async () => {
      await this.writeAtomically(name, jwe);
      if (legacy) await unlinkIfPresent(join(this.dir, legacy));
      await this.removeStaleTemps();
    });
    remember(password, jwe, { key, value: plain });
  }

  async delete(key: string): Promise<void> {
    const names = [fileNameForKey(key), legacyFileName(key)].filter((n): n is string => n !== undefined);
    if (!(await isDirectory(this.dir))) return;
    await withFolderLock(this.dir, async () => {
      for (const name of names) await unlinkIfPresent(join(this.dir, name));
      await fsyncDir(this.dir);
    });
  }

  async list(): Promise<string[]> {
    const names = await this.entryNames();
    const keys = new Set<string>();
    for (const name of names) {
      if (!isHashedFileName(name)) {
        keys.add(keyForFileName(name));
        continue;
      }
      // A key too long for a file name: only the entry knows it.
      const file = await this.readFileNamed(name);
      if (file) keys.add((await this.open(file, undefined)).key);
    }
    return [...keys].sort();
  }

  /** Reads the entry of `key` under infrakey's name, else under the 99designs name. */
  private async readEntry(key: string): Promise<EntryFile | undefined> {
    const file = await this.readFileNamed(fileNameForKey(key));
    if (file) return file;
    const legacy = legacyFileName(key);
    return legacy ? this.readFileNamed(legacy) : undefined;
  }

  private async readFileNamed(name: string): Promise<EntryFile | undefined> {
    const path = join(this.dir, name);
    try {
      return { name, path, jwe: await readFile(path, 'utf8') };
    } catch (e) {
      if (isCode(e, 'ENOENT')) return undefined;
      throw this.ioError(`cannot read the file keyring entry ${path}`, path, e);
    }
  }

  /** Decrypts (or takes from the cache) an entry; `expectedKey` undefined skips the key check. */
  private async open(file: EntryFile, expectedKey: string | undefined): Promise<OpenedEntry> {
    const password = await this.password();
    const cached = decrypted.get(cacheKey(password, file.jwe));
    let opened: OpenedEntry;
    if (cached) {
      opened = cached;
    } else {
      try {
        opened = await decryptEntry(file.jwe, password);
      } catch (e) {
        if (!(e instanceof EntryOpenError)) throw e;
        if (e.kind === 'password' && !(await this.passwordOpensAnother(password, file.name))) {
          throw this.passwordInvalid(file.path, expectedKey ?? keyForFileName(file.name));
        }
        // The password opens other entries, so this one was damaged (its wrapped key or salt).
        throw this.corrupt(file.path, expectedKey ?? keyForFileName(file.name), e.kind === 'password' ? 'the wrapped key does not open with the password that opens the other entries: the file was modified' : e.detail);
      }
      remember(password, file.jwe, opened);
    }
    this.verified = true;
    if (expectedKey !== undefined && opened.key !== expectedKey) {
      // A file renamed or copied over another key's entry must not pass as that key.
      throw this.corrupt(file.path, expectedKey, `the entry file holds the key "${opened.key}", not "${expectedKey}"`);
    }
    return opened;
  }

  /** True when the password has opened, or now opens, another entry of this folder. */
  private async passwordOpensAnother(password: string, exceptName: string): Promise<boolean> {
    if (this.verified) return true;
    let tried = 0;
    for (const name of await this.entryNames()) {
      if (name === exceptName || tried >= VERIFY_SAMPLE) continue;
      const file = await this.readFileNamed(name);
      if (!file) continue;
      tried++;
      // The key wrap alone tells whether the password is right, even if that entry is damaged too.
      if (await passwordOpensKeyWrap(file.jwe, password).catch(() => false)) {
        this.verified = true;
        return true;
      }
    }
    return false;
  }

  /**
   * Before the first write: when the folder already has entries, the password must open one,
   * or a mistyped password would silently start a second keyring inside the first.
   */
  private async checkPasswordAgainstExisting(password: string): Promise<void> {
    if (this.verified) return;
    const names = await this.entryNames();
    if (names.length === 0) {
      this.verified = true;
      return;
    }
    let sawPasswordFailure = false;
    for (const name of names.slice(0, VERIFY_SAMPLE)) {
      const file = await this.readFileNamed(name);
      if (!file) continue;
      const cached = decrypted.get(cacheKey(password, file.jwe));
      if (cached) {
        this.verified = true;
        return;
      }
      try {
        remember(password, file.jwe, await decryptEntry(file.jwe, password));
        this.verified = true;
        return;
      } catch (e) {
        if (e instanceof EntryOpenError && e.kind === 'password') sawPasswordFailure = true;
      }
    }
    if (sawPasswordFailure) throw this.passwordInvalid(this.dir, undefined);
    // Only damaged entries were sampled: nothing to compare the password with.
    this.verified = true;
  }

  private async entryNames(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter(isEntryFileName).sort();
    } catch (e) {
      if (isCode(e, 'ENOENT')) return [];
      throw this.ioError(`cannot list the file keyring folder ${this.dir}`, this.dir, e);
    }
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const st = await stat(this.dir);
      if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      // A credential folder readable by others is tightened, whoever created it.
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) await chmod(this.dir, 0o700);
    } catch (e) {
      throw this.ioError(`cannot create the file keyring folder ${this.dir}`, this.dir, e);
    }
    this.dirReady = true;
  }

  private async writeAtomically(name: string, content: string): Promise<void> {
    const target = join(this.dir, name);
    try {
      await writeFileAtomic(target, content, { mode: 0o600 });
    } catch (e) {
      throw this.ioError(`cannot write the file keyring entry ${target}`, target, e);
    }
  }

  private async removeStaleTemps(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      // Left by a writer killed between create and rename (see writeFileAtomic).
      if (!(name.startsWith('.') && name.endsWith('.tmp'))) continue;
      const path = join(this.dir, name);
      const st = await stat(path).catch(() => undefined);
      if (st && now - st.mtimeMs > STALE_TEMP_MS) await unlinkIfPresent(path).catch(() => undefined);
    }
  }

  private passwordInvalid(path: string, key: string | undefined): KeyringError {
    return new KeyringError({
      code: 'KEYRING_PASSWORD_INVALID',
      message: key === undefined
        ? `the password does not open the existing entries of the file keyring at ${this.dir}`
        : `the password does not open the file keyring entry "${key}"`,
      where: path,
      fix: `use the password this keyring was created with (from ${this.envName}, or typed at the prompt); to start over, move ${this.dir} away`,
    });
  }

  private corrupt(path: string, key: string, detail: string): KeyringError {
    return new KeyringError({
      code: 'KEYRING_CORRUPT',
      message: `the file keyring entry "${key}" is unreadable: ${detail}`,
      where: path,
      fix: `delete ${path} and store the credential again (e.g. infrakey auth user configure)`,
    });
  }

  private ioError(message: string, path: string, cause: unknown): KeyringError {
    const code = (cause as { code?: string } | undefined)?.code;
    return new KeyringError({
      code: 'KEYRING_UNAVAILABLE',
      message: code ? `${message} (${code})` : message,
      where: path,
      fix: `check that ${this.dir} is a folder you own and can write (mode 0700), or set auth.keyring.spec.path to another folder`,
      cause,
    });
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if (!isCode(e, 'ENOENT')) throw e;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}


function isCode(e: unknown, code: string): boolean {
  return (e as { code?: unknown } | null)?.code === code;
}
