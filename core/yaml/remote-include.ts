import { spawnSync } from 'node:child_process';

/** Bounds of one remote `!include` download: time and size (the body is held in memory). */
export const REMOTE_INCLUDE_LIMITS = { timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024 } as const;

/** http(s) URLs are downloaded; other go-getter sources (git::, s3::, github.com/…) are not supported. */
export const HTTP_URL_RE = /^https?:\/\//i;

// Runs in a child Node process: manifests are loaded synchronously (the CDKTF adapter loads them
// in a constructor), so the download cannot be awaited in process. It exits non-zero with the
// reason on stderr; the body is never larger than the limit. The URL goes through stdin, not
// argv, because it may carry credentials (https://user:token@host/...).
const FETCH_SCRIPT = `
const max = Number(process.argv[1]);
(async () => {
  let url = '';
  for await (const c of process.stdin) url += c;
  // Credentials in the URL become HTTP basic authentication (fetch refuses them in the URL).
  const u = new URL(url);
  const headers = {};
  if (u.username || u.password) {
    headers.authorization = 'Basic ' + Buffer.from(decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password)).toString('base64');
    u.username = '';
    u.password = '';
  }
  const res = await fetch(u, { redirect: 'follow', headers });
  if (!res.ok) { process.stderr.write('HTTP ' + res.status + (res.statusText ? ' ' + res.statusText : '')); process.exit(3); }
  const chunks = [];
  let n = 0;
  for await (const c of res.body) {
    n += c.length;
    if (n > max) { process.stderr.write('the response is larger than ' + max + ' bytes'); process.exit(4); }
    chunks.push(c);
  }
  process.stdout.write(Buffer.concat(chunks));
})().catch((e) => {
  const cause = e && e.cause && e.cause.message ? ': ' + e.cause.message : '';
  process.stderr.write(String((e && e.message) || e) + cause);
  process.exit(5);
});
`;

/** Downloads an http(s) URL synchronously within {@link REMOTE_INCLUDE_LIMITS}; the reason when it fails. */
export function fetchRemoteText(url: string): { ok: true; text: string } | { ok: false; reason: string } {
  const r = spawnSync(process.execPath, ['-e', FETCH_SCRIPT, String(REMOTE_INCLUDE_LIMITS.maxBytes)], {
    input: Buffer.from(url, 'utf8'),
    timeout: REMOTE_INCLUDE_LIMITS.timeoutMs,
    maxBuffer: REMOTE_INCLUDE_LIMITS.maxBytes + 64 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  if (r.error) {
    const timedOut = (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return { ok: false, reason: timedOut ? `no complete answer within ${REMOTE_INCLUDE_LIMITS.timeoutMs / 1000} s` : r.error.message };
  }
  if (r.status !== 0) return { ok: false, reason: scrubUrls(r.stderr.toString('utf8').slice(0, 500)) || `the download exited with ${r.status ?? r.signal}` };
  return { ok: true, text: r.stdout.toString('utf8') };
}

/** The URL for messages: credentials in it (`https://user:token@host/…`) are replaced by `***`. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/** Every URL credential in a text (a child's error message) replaced by `***`. */
function scrubUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
}
