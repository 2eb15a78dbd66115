import { consoleSigninUrl, partitionOf } from '../../../core/auth/console-url';
import { awsCredentials } from '../../../core/auth/credentials';

describe('auth console sign-in URL', () => {
  const creds = awsCredentials({ accessKeyId: 'ASIACONSOLE000000001', secretAccessKey: 'consoleSecretKey000000000000000000000000', sessionToken: 'consoleSessionToken0000' }, 't');

  test('POSTs the session to the federation endpoint and builds the login URL', async () => {
    const seen: { url: string; body: string }[] = [];
    const fetchImpl = (async (url: string, init: { body: string }) => {
      seen.push({ url, body: init.body });
      return new Response(JSON.stringify({ SigninToken: 'tok-123' }), { status: 200 });
    }) as unknown as typeof fetch;
    const url = await consoleSigninUrl(creds, { identity: 'dev', where: 'auth.identities.dev', region: 'eu-west-1', fetchImpl, durationSeconds: 60 });
    expect(seen[0].url).toBe('https://signin.aws.amazon.com/federation');
    const form = new URLSearchParams(seen[0].body);
    expect(form.get('Action')).toBe('getSigninToken');
    expect(form.get('SessionDuration')).toBe('900'); // clamped to the 15-minute minimum
    expect(JSON.parse(form.get('Session')!)).toEqual({ sessionId: 'ASIACONSOLE000000001', sessionKey: 'consoleSecretKey000000000000000000000000', sessionToken: 'consoleSessionToken0000' });
    const u = new URL(url);
    expect(u.searchParams.get('Action')).toBe('login');
    expect(u.searchParams.get('SigninToken')).toBe('tok-123');
    expect(u.searchParams.get('Destination')).toBe('https://console.aws.amazon.com/?region=eu-west-1');
    expect(url).not.toContain('consoleSecretKey');
  });

  test('partitions and the no-session-token error', async () => {
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf(undefined)).toBe('aws');
    const longLived = awsCredentials({ accessKeyId: 'AKIA', secretAccessKey: 'x'.repeat(40) }, 'u');
    await expect(consoleSigninUrl(longLived, { identity: 'u', where: 'w' })).rejects.toMatchObject({ code: 'AUTH_CONSOLE_FAILED' });
  });
});
