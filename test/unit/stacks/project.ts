import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes a throw-away Atmos project (paths relative to its root) and returns the root. */
export function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'infrakey-stacks-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A minimal atmos.yaml with the given `stacks:` extras. */
export function atmosYaml(extra = ''): string {
  return `base_path: "./"\nstacks:\n  base_path: stacks\n  included_paths: ["**/*"]\n  excluded_paths: ["**/_defaults.yaml", "catalog/**/*"]\n${extra}`;
}
