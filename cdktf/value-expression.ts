/**
 * The Terraform expression that turns the text Terraform reads from a backend (an SSM parameter's
 * `value`, a secret version's `secret_string`, a variable) into the value `!secret NAME | path P`
 * gives, following the backend's encoding (§5.4). The expression is evaluated by Terraform at
 * plan time: the program only ever holds references.
 */
import type * as Cdktf from 'cdktf';
import type { IConstruct } from 'constructs';
import { parseQueryPath, UsageError, type PathSegment, type StoredEncoding } from '../core/internal';
import { CDKTF_ERROR_CODES } from './cdktf-errors';

/** Parses a `path` (`.a.b[0]`, `["k"]`) for Terraform; negative indexes have no Terraform form. */
export function pathSegments(path: string | undefined, scope: IConstruct, name: string): PathSegment[] {
  if (path === undefined || path.trim() === '' || path.trim() === '.') return [];
  const segments = parseQueryPath(path);
  if (segments.some((s) => typeof s === 'number' && s < 0)) {
    throw new UsageError({
      code: CDKTF_ERROR_CODES.PATH_UNSUPPORTED,
      message: `DeclaredSecret ${JSON.stringify(name)}: path ${JSON.stringify(path)} uses a negative index, which Terraform cannot express`,
      where: scope.node.path,
      fix: 'count from the start of the list (e.g. `[0]`)',
    });
  }
  return segments;
}

/**
 * `text` decoded per `encoding`, then indexed by `segments`:
 * - no path, `ssm-secret`: strings are stored raw, so the text is the value, except `""` (how the
 *   empty string is stored): `t == "\"\"" ? "" : t`. A `"quoted"` text keeps its quotes, as in core;
 * - no path, `json-or-raw`: a JSON string is decoded, any other text is the value:
 *   `try(startswith(t, "\"") ? jsondecode(t) : t, t)`. Numbers stay as stored (`1e5` is not
 *   rewritten to `100000`), the one read rule of core's value codec; maps stay their JSON text;
 * - a path: `jsondecode(t)["a"][0]`.
 */
export function valueExpression(lib: typeof Cdktf, text: string, encoding: StoredEncoding, segments: readonly PathSegment[]): string {
  const { Fn, Token } = lib;
  if (segments.length > 0) {
    return Token.asString(Fn.lookupNested(Fn.jsondecode(text), [...segments]));
  }
  if (encoding === 'ssm-secret') {
    return Token.asString(lib.conditional(lib.Op.eq(text, Fn.rawString('""')), '', text));
  }
  return Token.asString(Fn.try([lib.conditional(Fn.startswith(text, Fn.rawString('"')), Fn.jsondecode(text), text), text]));
}
