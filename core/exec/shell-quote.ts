/**
 * Quotes a value for a POSIX shell (`bash`/`dotenv` output, `secret get --format env`): bare when
 * it has only safe characters, else single-quoted with each `'` written as `'\''`. The Redactor
 * registers that quoted form of every value, so a quoted secret is still recognised.
 */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
