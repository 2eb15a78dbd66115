import { sopsError, type SopsErrorCode } from './sops-error';

/**
 * Regular expressions of sops (`.sops.yaml` `path_regex`, a file's `encrypted_regex` /
 * `unencrypted_regex`) are Go's RE2: linear-time matching, no backreferences or lookaround, inline
 * flags like `(?i)`. JavaScript's backtracking engine takes exponential time on patterns such as
 * `(x+x+)+y` (a 27-character stack name took 5 s, doubling per character), so they run on re2js,
 * a JavaScript port of RE2 with the same syntax and linear-time guarantee as sops' own matcher.
 * Loaded on first use (only files and rules that use a regex need it).
 */

/** A compiled pattern; `test` finds a match anywhere, like Go's `MatchString`. */
export interface GoRegExp {
  test(input: string): boolean;
}

type Re2js = typeof import('re2js');
let re2js: Re2js | undefined;
const compiled = new Map<string, GoRegExp>();
const MAX_CACHED = 256;

/**
 * Compiles a Go RE2 pattern. An invalid one (or one using syntax RE2 lacks, such as lookahead)
 * fails with `code`, naming `where` and the pattern's error, never matching text.
 */
export function goRegExp(pattern: string, where: string, code: SopsErrorCode = 'SOPS_CONFIG_INVALID'): GoRegExp {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: most runs never match a regex
  re2js ??= require('re2js') as Re2js;
  const { RE2JS } = re2js;
  let re: InstanceType<typeof RE2JS>;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw sopsError(code, `invalid regular expression ${JSON.stringify(pattern)} (${e instanceof Error ? e.message : 'syntax error'})`, where, 'write a Go (RE2) regular expression: no backreferences or lookaround', e);
  }
  const out: GoRegExp = { test: (input) => re.matcher(input).find() };
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(pattern, out);
  return out;
}
