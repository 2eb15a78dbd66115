import { AUTH_ERROR_CODES, authError } from './auth-errors';
import type { AwsCredentials } from './credentials';
import { unsafeUnwrap } from '../secret';

/** AWS federation endpoints per partition (sign-in tokens are valid 15 minutes). */
export const FEDERATION_ENDPOINTS: Record<string, string> = {
  aws: 'https://signin.aws.amazon.com/federation',
  'aws-us-gov': 'https://signin.amazonaws-us-gov.com/federation',
  'aws-cn': 'https://signin.amazonaws.cn/federation',
};

const CONSOLE_URLS: Record<string, string> = {
  aws: 'https://console.aws.amazon.com/',
  'aws-us-gov': 'https://console.amazonaws-us-gov.com/',
  'aws-cn': 'https://console.amazonaws.cn/',
};

/** The partition of a region (`us-gov-*`, `cn-*`, else `aws`). */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  if (region?.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/**
 * Builds the AWS console sign-in URL for a session (the documented federation flow:
 * `Action=getSigninToken` with the session as JSON, then `Action=login` with the token). Needs
 * session credentials (a session token); the session lasts at most 12 hours.
 */
export async function consoleSigninUrl(
  creds: AwsCredentials,
  opts: { identity: string; where: string; region?: string; destination?: string; issuer?: string; durationSeconds?: number; federationEndpoint?: string; fetchImpl?: typeof fetch },
): Promise<string> {
  if (!creds.sessionToken) {
    throw authError(AUTH_ERROR_CODES.CONSOLE_FAILED, `identity "${opts.identity}" has no session token; the console needs temporary credentials`, opts.where, 'use an assume-role or permission-set identity (or an aws/user, whose GetSessionToken session works only with its own console access)');
  }
  const partition = partitionOf(opts.region);
  const endpoint = opts.federationEndpoint ?? FEDERATION_ENDPOINTS[partition];
  const session = JSON.stringify({ sessionId: unsafeUnwrap(creds.accessKeyId), sessionKey: unsafeUnwrap(creds.secretAccessKey), sessionToken: unsafeUnwrap(creds.sessionToken) });
  const duration = Math.min(Math.max(opts.durationSeconds ?? 3600, 900), 43200);
  const f = opts.fetchImpl ?? fetch;
  let token: string;
  try {
    // POST keeps the session out of any URL that proxies or logs might record.
    const res = await f(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'getSigninToken', SessionDuration: String(duration), Session: session }).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { SigninToken?: unknown };
    if (typeof body.SigninToken !== 'string') throw new Error('no SigninToken in the answer');
    token = body.SigninToken;
  } catch (e) {
    throw authError(AUTH_ERROR_CODES.CONSOLE_FAILED, `could not get a console sign-in token for identity "${opts.identity}" from ${new URL(endpoint).host} (${e instanceof Error ? e.message : String(e)})`, opts.where, 'check the network; the role must allow console federation (no sts:GetFederationToken restrictions)', e);
  }
  const destination = opts.destination ?? (opts.region ? `${CONSOLE_URLS[partition]}?region=${encodeURIComponent(opts.region)}` : CONSOLE_URLS[partition]);
  return `${endpoint}?${new URLSearchParams({ Action: 'login', Issuer: opts.issuer ?? 'infrakey', Destination: destination, SigninToken: token }).toString()}`;
}
