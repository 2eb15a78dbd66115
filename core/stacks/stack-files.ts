import { statSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { StackError } from '../errors';

/** Extensions of stack manifests, template variants first within each pair (Atmos §7.2). */
export const STACK_EXTENSIONS = ['.yaml.tmpl', '.yaml', '.yml.tmpl', '.yml'] as const;

/** True when the path ends with a stack manifest extension. */
export function hasStackExtension(path: string): boolean {
  return STACK_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/** Drops the manifest extension: `orgs/acme/dev.yaml.tmpl` → `orgs/acme/dev`. */
export function stripStackExtension(path: string): string {
  for (const ext of STACK_EXTENSIONS) if (path.endsWith(ext)) return path.slice(0, -ext.length);
  return path;
}

/** The path relative to the stacks base, with `/` separators and no extension (the file-derived stack name). */
export function stackRelativeName(basePath: string, file: string): string {
  return stripStackExtension(relative(basePath, file).split(sep).join('/'));
}

/**
 * Among files that differ only by a `.tmpl` suffix, keeps the template variant (Atmos: "the
 * template variant wins when both exist"). Returns the files sorted by path.
 */
export function preferTemplates(files: readonly string[]): string[] {
  const set = new Set(files);
  return [...set].filter((f) => !(f.endsWith('.yaml') || f.endsWith('.yml')) || !set.has(`${f}.tmpl`)).sort();
}

/**
 * The stack manifests of a project: files under `basePath` matching `included_paths` and not
 * `excluded_paths` (globs relative to the stacks base path), with a YAML extension.
 */
export function discoverStackFiles(basePath: string, included: readonly string[], excluded: readonly string[]): string[] {
  let isDir = false;
  try {
    isDir = statSync(basePath).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new StackError({
      code: 'STACK_BASE_PATH_MISSING',
      message: `the stacks base path ${basePath} does not exist or is not a folder`,
      where: 'stacks.base_path',
      fix: 'set stacks.base_path in atmos.yaml to the folder of your stack manifests (relative to base_path)',
    });
  }
  const patterns = included.length > 0 ? [...included] : ['**/*'];
  const files = globSync(patterns, { cwd: basePath, ignore: [...excluded], absolute: true, onlyFiles: true, dot: false });
  return preferTemplates(files.filter(hasStackExtension));
}
