import { UsageError } from '../errors';

const TRUE = ['true', '1', 'yes', 'on', 't'];
const FALSE = ['false', '0', 'no', 'off', 'f'];

/**
 * A boolean as Atmos's flags and settings spell it (`true|1|yes|on|t`, `false|0|no|off|f`, any
 * case), or undefined for anything else: the caller says what the mistake is.
 */
export function parseBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  return undefined;
}

/**
 * Parses a boolean command-line flag as Atmos spells it: absent value (`--mask`) is true;
 * `true|1|yes|on|t` and `false|0|no|off|f` in any case; anything else (`--mask=fasle`) is a usage
 * error (exit 2) rather than a guess in either direction.
 */
export function parseBooleanFlag(value: string | undefined, flag = '--mask'): boolean {
  if (value === undefined) return true;
  const parsed = parseBoolean(value);
  if (parsed !== undefined) return parsed;
  throw new UsageError({
    code: 'USAGE_BOOLEAN',
    message: `${flag} expects true or false, got ${JSON.stringify(value)}`,
    where: flag,
    fix: `write ${flag}=true or ${flag}=false`,
  });
}
