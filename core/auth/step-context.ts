import type { Keyring } from '../keyring/keyring';
import type { Chain } from './chain';

/**
 * How auth talks to the person at the terminal. The CLI supplies a TTY-aware implementation;
 * library use (Pulumi, CDKTF) gets a non-interactive one, where anything that needs a human is a
 * clear error instead of a hang.
 */
export interface AuthInteraction {
  /** Prompts are possible (stdin is a terminal and not CI). */
  readonly interactive: boolean;
  /** Asks for a hidden value (MFA code). Only called when `interactive`. */
  promptSecret?(message: string): Promise<string>;
  /** Tells the user something (device-login URL and code). Never receives secret values. */
  notify(text: string): void;
  /** Shows progress during long waits; returns a function that ends it. */
  progress?(text: string): () => void;
  /** Opens a URL in a browser when one exists; failures are ignored. */
  openBrowser?(url: string): void;
}

/** A non-interactive interaction that writes notices to `write` (stderr in practice). */
export function headlessInteraction(write: (text: string) => void = () => undefined): AuthInteraction {
  return { interactive: false, notify: write };
}

/** What a kind receives outside a chain (logout): environment, realm, keyring, user. */
export interface AuthContext {
  readonly env: NodeJS.ProcessEnv;
  readonly realm: string;
  /**
   * Opens the keyring on first use (it may prompt for a password); undefined: none configured. An
   * unusable keyring fails when an entry is read or written (KEYRING_UNAVAILABLE with the fix).
   */
  keyring(): Promise<Keyring | undefined>;
  readonly interaction: AuthInteraction;
  /** Milliseconds since the epoch (tests may pin it). */
  now(): number;
  /** Waits `ms` (tests replace it to observe polling intervals without waiting). */
  sleep(ms: number): Promise<void>;
  /** Extra CA certificates (PEM) trusted for HTTPS token endpoints (GitHub Enterprise, tests). */
  readonly httpsCa?: readonly string[];
  /** `where` text for a config path. */
  where(path: string): string;
}

/** What each provider and identity step receives: the {@link AuthContext} and the chain it runs in. */
export interface StepContext extends AuthContext {
  readonly chain: Chain;
}
