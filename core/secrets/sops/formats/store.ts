import type { SopsMap } from '../tree';

/** File formats infrakey reads and writes. */
export type SopsFormat = 'yaml' | 'json' | 'dotenv';

/** An encrypted file split into its data (encrypted leaves) and its `sops` section. */
export interface ParsedSopsText {
  branch: SopsMap;
  /** The `sops` section as plain JS, or undefined when the file has none. */
  metadata: unknown;
  /** Format-specific state (YAML document, dotenv comments) that lets a rewrite keep comments. */
  context?: unknown;
}

/** Reads and writes one format. */
export interface SopsStore {
  readonly format: SopsFormat;
  /** JSON has only one number type, so sops tags every JSON number `float`. */
  readonly numbersAreFloats: boolean;
  /** How the format writes an empty key list in new files (YAML `[]`, JSON `null`). */
  readonly emptyList: null | [];
  parse(text: string, file: string): ParsedSopsText;
  emit(branch: SopsMap, metadata: Array<[string, unknown]>, context?: unknown): string;
}
