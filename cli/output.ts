import YAML from 'yaml';
import { redactor, shellQuote, UsageError } from '../core/internal';
import type { CliIO } from './io';

export { shellQuote };

/** Output formats accepted by `--format`, as in Atmos. */
export const DATA_FORMATS = ['json', 'yaml', 'table'] as const;
export const ENV_FORMATS = ['bash', 'dotenv', 'json', 'github'] as const;

/** Checks a `--format` value against the formats a command supports (exit 2 otherwise). */
export function checkFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  const format = (value ?? fallback) as T;
  if (!allowed.includes(format)) {
    throw new UsageError({
      code: 'USAGE_FORMAT',
      message: `unsupported --format '${value}'`,
      fix: `use one of: ${allowed.join(', ')}`,
    });
  }
  return format;
}

/** Renders structured data as JSON (2-space, trailing newline) or YAML. */
export function renderData(data: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return JSON.stringify(data, null, 2) + '\n';
  return YAML.stringify(data, { lineWidth: 0 });
}

/**
 * Prints structured data masked as data, not as text: every string leaf is masked and a secret
 * number becomes the string "<MASKED>", so JSON output stays valid JSON (issue 10, item 11).
 */
export function printData(io: CliIO, data: unknown, format: 'json' | 'yaml'): void {
  io.outMasked(renderData(io.masking ? redactor.maskDeep(data) : data, format));
}

/** Renders rows as an aligned text table with a header line. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Renders environment variables for `--format bash|dotenv|json|github`. */
export function renderEnv(vars: Record<string, string>, format: (typeof ENV_FORMATS)[number]): string {
  const entries = Object.entries(vars).sort(([a], [b]) => a.localeCompare(b));
  switch (format) {
    case 'json':
      return JSON.stringify(Object.fromEntries(entries), null, 2) + '\n';
    case 'bash':
      return entries.map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n') + '\n';
    case 'dotenv':
      return entries.map(([k, v]) => `${k}=${shellQuote(v)}`).join('\n') + '\n';
    case 'github':
      // GITHUB_ENV syntax; multi-line values use the heredoc form.
      return (
        entries
          .map(([k, v]) => (v.includes('\n') ? `${k}<<INFRAKEY_EOF\n${v}\nINFRAKEY_EOF` : `${k}=${v}`))
          .join('\n') + '\n'
      );
  }
}

