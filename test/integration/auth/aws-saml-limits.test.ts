import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthManager } from '../../../core/auth/auth-manager';
import { closeServer, listenOnLoopback } from '../../support/loopback';
import { localTlsCertificate } from '../../support/tls-cert';
import { failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

/**
 * The bounds of the aws/saml HTTP client (Okta driver) against a hostile HTTPS server on
 * 127.0.0.1 (not a vendor fake: it answers what no IdP should): redirect loops, a redirect to
 * plain http, an oversized answer, an MFA verify link on another host. Each fails
 * AUTH_SAML_FAILED naming the bound, before anything reaches STS.
 */

const PASSWORD = 'limits-Password-42';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('aws/saml IdP client bounds (hostile HTTPS server)', () => {
  const tls = localTlsCertificate();
  let server: Server;
  let base = '';
  let handler: Handler = (_req, res) => res.end();
  const seen: string[] = [];
  let t: AuthTestEnv;
  beforeAll(async () => {
    server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => handler(req, res));
    });
    base = `https://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  afterAll(() => closeServer(server));
  beforeEach(() => {
    seen.length = 0;
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  const login = async (prompt?: (q: string) => Promise<string>, provider: Record<string, unknown> = {}) => {
    const config = {
      realm: 'saml',
      providers: { corp: { kind: 'aws/saml', url: `${base}/app/amazon_aws/x/sso/saml`, region: 'us-east-2', driver: 'Okta', username: 'alice', password: PASSWORD, ...provider } },
      identities: { admin: { kind: 'aws/assume-role', default: true, via: { provider: 'corp' }, principal: { assume_role: 'arn:aws:iam::123456789012:role/admin' } } },
    };
    const interaction = prompt ? { interaction: { interactive: true, notify: () => undefined, promptSecret: prompt } } : {};
    const err = await failure(new AuthManager(config, { env: t.env, httpsCa: [tls.cert], ...interaction }).authenticate('admin'));
    expect(err.message).not.toContain(PASSWORD);
    return err;
  };

  test('a redirect loop stops after 10 redirects', async () => {
    handler = (_req, res) => res.writeHead(302, { Location: '/api/v1/authn' }).end();
    const err = await login();
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain('the IdP redirected more than 10 times');
    expect(seen).toHaveLength(11);
  });

  test('a redirect to plain http is not followed (the password would travel in clear)', async () => {
    handler = (_req, res) => res.writeHead(307, { Location: 'http://127.0.0.1:9/api/v1/authn' }).end();
    const err = await login();
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain('the IdP URL must be https (got http://127.0.0.1:9)');
    expect(seen).toEqual(['POST /api/v1/authn']);
  });

  test('HTTP Basic credentials (ShibbolethECP) do not follow a redirect to another host', async () => {
    const authorization: (string | undefined)[] = [];
    handler = (req, res) => {
      authorization.push(req.headers.authorization);
      if (req.url === '/ecp') res.writeHead(307, { Location: `${base.replace('127.0.0.1', 'localhost')}/elsewhere` }).end();
      else res.writeHead(401).end();
    };
    const err = await login(undefined, { driver: 'ShibbolethECP', url: `${base}/ecp` });
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(seen).toEqual(['POST /ecp', 'POST /elsewhere']);
    expect(authorization[0]).toMatch(/^Basic /);
    expect(authorization[1]).toBeUndefined();
  });

  test('an answer over 1 MiB is cut off', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const more = () => {
        while (sent < 4 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const err = await login();
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain('the IdP answer exceeds 1048576 bytes');
  });

  test('an MFA verify link on another host is refused before the code is asked for', async () => {
    handler = (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({ status: 'MFA_REQUIRED', stateToken: 'state-token-1', _embedded: { factors: [{ id: 'f1', factorType: 'token:software:totp', provider: 'GOOGLE', _links: { verify: { href: `${base.replace('127.0.0.1', 'localhost')}/api/v1/authn/factors/f1/verify` } } }] } }),
      );
    const asked: string[] = [];
    const err = await login(async (q) => (asked.push(q), '123456'));
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain("Okta's factor verify link points to another host (localhost:");
    expect(asked).toEqual([]);
    expect(seen).toEqual(['POST /api/v1/authn']);
  });
});
