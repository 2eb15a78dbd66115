import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway GnuPG home (0700) for tests, with the real `gpg` and its own `gpg-agent`, started
 * here and killed by {@link GnupgHome.close}. Keys are generated in batch mode from a parameter
 * block on stdin, so a passphrase never appears in argv.
 */
export interface GnupgHome {
  readonly home: string;
  /** Generates an ed25519/cv25519 key; returns its 40-hex fingerprint. */
  generate(name: string, passphrase?: string): string;
  /** `gpg --armor --export FP` (public key). */
  exportPublic(fp: string): string;
  /** `gpg --import` of armored key data (stdin). */
  importKey(armored: string): void;
  /** Runs gpg in this home; stdin from `input`. */
  gpg(args: readonly string[], input?: string | Buffer): { status: number; stdout: Buffer; stderr: string };
  /** The environment that points sops and gpg at this home. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Makes the agent forget cached passphrases (`gpgconf --reload gpg-agent`). */
  forgetPassphrases(): void;
  /** Kills the agent and removes the home. */
  close(): void;
}

/** Fails (never skips) when GnuPG is missing. */
export function requireGpg(): void {
  const r = spawnSync('gpg', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('gpg is not installed: run scripts/install-test-deps.sh (apt-get install -y gnupg)');
}

/** A new home; `agentConf` lines go to gpg-agent.conf (e.g. a pinentry that never answers). */
export function gnupgHome(opts: { agentConf?: readonly string[] } = {}): GnupgHome {
  requireGpg();
  // Short path: the agent's socket lives in the home when /run/user/<uid> is absent.
  const home = mkdtempSync(join(tmpdir(), 'ik-gpg-'));
  spawnSync('chmod', ['700', home]);
  writeFileSync(join(home, 'gpg-agent.conf'), [...(opts.agentConf ?? []), 'allow-loopback-pinentry', ''].join('\n'), { mode: 0o600 });
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, GNUPGHOME: home, ...extra });
  const gpg = (args: readonly string[], input?: string | Buffer) => {
    const r = spawnSync('gpg', ['--homedir', home, '--batch', ...args], { input, env: env(), timeout: 60_000 });
    return { status: r.status ?? 1, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString('utf8') ?? '' };
  };
  const launched = spawnSync('gpgconf', ['--homedir', home, '--launch', 'gpg-agent'], { env: env(), encoding: 'utf8', timeout: 30_000 });
  if (launched.status !== 0) throw new Error(`gpg-agent did not start: ${launched.stderr}`);
  return {
    home,
    gpg,
    env,
    generate(name, passphrase) {
      const params = [
        'Key-Type: eddsa',
        'Key-Curve: ed25519',
        'Key-Usage: sign',
        'Subkey-Type: ecdh',
        'Subkey-Curve: cv25519',
        'Subkey-Usage: encrypt',
        `Name-Real: ${name}`,
        `Name-Email: ${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.test`,
        'Expire-Date: 0',
        passphrase !== undefined ? `Passphrase: ${passphrase}` : '%no-protection',
        '%commit',
        '',
      ].join('\n');
      const extra = passphrase !== undefined ? ['--pinentry-mode', 'loopback'] : [];
      const r = gpg([...extra, '--status-fd', '1', '--generate-key'], params);
      const m = /KEY_CREATED \w ([0-9A-F]{40})/.exec(r.stdout.toString('utf8'));
      if (r.status !== 0 || !m) throw new Error(`gpg --generate-key failed: ${r.stderr}`);
      // The agent caches the passphrase it just set: forget it, so that using the key needs it.
      if (passphrase !== undefined) this.forgetPassphrases();
      return m[1];
    },
    forgetPassphrases() {
      const r = spawnSync('gpgconf', ['--homedir', home, '--reload', 'gpg-agent'], { env: env(), timeout: 30_000 });
      if (r.status !== 0) throw new Error('gpgconf --reload gpg-agent failed');
    },
    exportPublic(fp) {
      return gpg(['--armor', '--export', fp]).stdout.toString('utf8');
    },
    importKey(armored) {
      const r = gpg(['--import'], armored);
      if (r.status !== 0) throw new Error(`gpg --import failed: ${r.stderr}`);
    },
    close() {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { env: env(), timeout: 30_000 });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
