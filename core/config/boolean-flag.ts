import { UsageError } from '../errors';

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * Parses a boolean command-line flag as Atmos spells it: absent value (`--mask`) is true;
 * `true|1|yes|on` and `false|0|no|off` in any case; anything else (`--mask=fasle`) is a usage
 * error (exit 2) rather than a guess in either direction.
 */
export function parseBooleanFlag(value: string | undefined, flag = '--mask'): boolean {
  if (value === undefined) return true;
  const v = value.trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new UsageError({
    code: 'USAGE_BOOLEAN',
    message: `${flag} expects true or false, got ${JSON.stringify(value)}`,
    where: flag,
    fix: `write ${flag}=true or ${flag}=false`,
  });
}
