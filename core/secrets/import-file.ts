/**
 * Files the `secret` verbs read: the FILE of `secret import FILE` (dotenv or JSON `NAME: value`
 * pairs) and the value file of `secret set --file`.
 */
import { readFileSync } from 'node:fs';
import { InfrakeyError, UsageError } from '../errors';

/** `secret set --file`: the file's bytes as UTF-8 text, nothing trimmed (a PEM keeps its final newline). */
export function readSecretValueFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError({ code: 'USAGE_VALUE_FILE_UNREADABLE', message: `cannot read the value file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, where: path, fix: 'pass an existing, readable file to --file' });
  }
}

/**
 * Reads a FILE for `secret import`. Errors name the file and never quote its content: V8's JSON
 * syntax errors include the text around the fault, which here is a secret value.
 */
export function readSecretImportFile(path: string, format: 'env' | 'json' | string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError({ code: 'SECRET_IMPORT_FILE_UNREADABLE', message: `cannot read the import file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, where: path, fix: 'pass an existing .env or .json file, or a declared NAME with --from-store/--from-key to import from a store' });
  }
  if (format !== 'json') return parseDotenv(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const at = /at position (\d+)/.exec(e instanceof Error ? e.message : '')?.[1];
    throw new InfrakeyError({ code: 'SECRET_IMPORT_FILE_INVALID', message: `the import file is not valid JSON${at ? ` (at character ${at})` : ''}`, where: path, fix: 'write a JSON object of NAME: value pairs (check it with `jq . FILE`), or use --format env' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InfrakeyError({ code: 'SECRET_IMPORT_FILE_INVALID', message: 'the import file must hold a JSON object of NAME: value pairs', where: path, fix: 'write {"NAME": "value", ...}' });
  }
  return parsed as Record<string, unknown>;
}

/** Dotenv lines (Atmos rules): blanks and `#` skipped, `export ` removed, quotes trimmed. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trim();
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^["']/.test(value) && value.endsWith(value[0]) && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[key] = value;
  }
  return out;
}
