import { statSync } from 'node:fs';

/** True when `path` exists and is a regular file (following links). */
export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** True when `path` exists and is a folder (following links). */
export function isDir(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
