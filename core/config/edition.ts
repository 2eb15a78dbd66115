import { ConfigError } from '../errors';

/**
 * Atmos's dated defaults (its "editions", `pkg/edition/journal.go`) for the settings infrakey
 * models: a default changed on `date`; a project pinned to an earlier `edition:` keeps `old`.
 */
const JOURNAL = [
  { date: '2026-07-16', key: 'describe.provenance', old: false, new: true },
  { date: '2026-07-17', key: 'describe.component.filter', old: 'full', new: 'schema' },
] as const;

/** A setting whose default depends on the edition. */
export type EditionKey = (typeof JOURNAL)[number]['key'];

const ANCHOR = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * The default of `key` for a project pinned to `edition` (atmos.yaml `edition:` or
 * `ATMOS_EDITION`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, each meaning the last day it names, as
 * Atmos). No edition means the newest defaults. A malformed edition is CONFIG_INVALID at `where`.
 */
export function editionDefault(key: EditionKey, edition: string | undefined, where: string): boolean | string {
  const entry = JOURNAL.find((e) => e.key === key);
  if (!entry) throw new Error(`internal: no edition entry for ${key}`);
  if (edition === undefined || edition === '') return entry.new;
  return entry.date > lastDay(edition, where) ? entry.old : entry.new;
}

/** The last day an edition names, as `YYYY-MM-DD`. */
function lastDay(edition: string, where: string): string {
  const m = ANCHOR.exec(edition);
  const bad = (): ConfigError =>
    new ConfigError({
      code: 'CONFIG_INVALID',
      message: `edition ${JSON.stringify(edition)} is not a date`,
      where,
      fix: 'write the edition as YYYY, YYYY-MM or YYYY-MM-DD (e.g. `edition: 2026-07`), or remove it for the newest defaults',
    });
  if (!m) throw bad();
  const [, y, mo, d] = m;
  const year = Number(y);
  if (mo === undefined) return `${y}-12-31`;
  const month = Number(mo);
  if (month < 1 || month > 12) throw bad();
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (d === undefined) return `${y}-${mo}-${String(days).padStart(2, '0')}`;
  const day = Number(d);
  if (day < 1 || day > days) throw bad();
  return `${y}-${mo}-${d}`;
}
