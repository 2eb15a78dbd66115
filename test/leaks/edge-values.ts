/**
 * The values the leak tests try to smuggle out (issue 10 items 6–12): long with non-ASCII text,
 * multi-line (LF and CRLF), quoted, with a NUL byte, JSON and non-ASCII. Generated here, so no
 * test hard-codes an expected masked output.
 */

/** ≥ 25,000 characters, about 5,500 of them non-ASCII (Cyrillic, CJK, accented Latin). */
export const LONG_VALUE = (() => {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < 25_600; i++) parts.push(`chunk-${String(i).padStart(4, '0')}-values-ключ-密-Grüße;`);
  return parts.join('');
})();

/** Characters outside ASCII in a string. */
export function nonAsciiCount(s: string): number {
  let n = 0;
  for (const ch of s) if (ch.codePointAt(0)! > 0x7f) n++;
  return n;
}

export const MULTI_LF = 'first-line-of-the-secret\nsecond-line-of-the-secret';
export const MULTI_CRLF = 'first-crlf-line-of-secret\r\nsecond-crlf-line-of-secret';
export const QUOTED = "it's-a-secret-42";
export const NUL_VALUE = 'nul-before\u0000nul-after-value';
export const JSON_VALUE = '{"user":"admin-user","port":5432,"password":"pw-in-json-9"}';
export const UNICODE = 'пароль-密码-Grüße-🔑-secret';
export const PEM = '-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEAq7BFUpkGp3+LQmlQ\nYx2eqzDV+xx38DlcwQ2lyZXNhLVByaXZhdGUtS2V5LUZvci1UZXN0cw==\n-----END PRIVATE KEY-----\n';
