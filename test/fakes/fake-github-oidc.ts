/**
 * FAKE GitHub Actions OIDC token endpoint, written from GitHub's "OpenID Connect" docs: a GET to
 * `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>` with `Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers `{"value": "<JWT>"}`. Served over HTTPS (a throwaway
 * self-signed certificate made with the openssl CLI), because the provider refuses plain http.
 */
import { createServer, type Server } from 'node:https';
import { selfSignedCert } from './self-signed-cert';
import { randomBytes } from 'node:crypto';

export class FakeGithubOidc {
  readonly requestToken = `ghreq-${randomBytes(16).toString('hex')}`;
  readonly requests: { audience: string | null; authorized: boolean }[] = [];
  readonly issued: string[] = [];
  cert = '';
  private server?: Server;

  async start(): Promise<string> {
    const { cert, key } = selfSignedCert();
    this.cert = cert;
    this.server = createServer({ key, cert: this.cert }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      const authorized = req.headers.authorization === `bearer ${this.requestToken}`;
      this.requests.push({ audience: url.searchParams.get('audience'), authorized });
      if (!authorized) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'Bad credentials' }));
      }
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/infra:ref:refs/heads/main', aud: url.searchParams.get('audience') ?? 'https://github.com/acme', iat: now, exp: now + 300 };
      const jwt = [{ alg: 'RS256', typ: 'JWT' }, claims].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.' + randomBytes(32).toString('base64url');
      this.issued.push(jwt);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ count: 1, value: jwt }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server!.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    return `https://127.0.0.1:${addr.port}/_apis/distributedtask/hubs/build/plans/1/jobs/1/idtoken?api-version=2.0`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
