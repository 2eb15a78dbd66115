/**
 * FAKE IAM Identity Center (SSO OIDC + SSO portal) on 127.0.0.1, written from AWS's API
 * references: SSO OIDC `RegisterClient` (POST /client/register), `StartDeviceAuthorization`
 * (POST /device_authorization), `CreateToken` (POST /token, device_code grant, errors
 * authorization_pending / slow_down / expired_token / access_denied as
 * AuthorizationPendingException, SlowDownException, ExpiredTokenException,
 * AccessDeniedException), and the portal's `GetRoleCredentials`
 * (GET /federation/credentials, `x-amz-sso_bearer_token`) and `ListAccounts`
 * (GET /assignment/accounts). No real server can run here; this one follows the wire format the
 * AWS SDK expects (restJson1, error type in `x-amzn-errortype`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export type DeviceOutcome = 'approve' | 'deny' | 'expire';

export interface FakeSsoOptions {
  /** Polls answered `authorization_pending` before the outcome. */
  pendingPolls?: number;
  /** Answer `slow_down` on this poll (1-based), if set. */
  slowDownOnPoll?: number;
  outcome?: DeviceOutcome;
  interval?: number;
  expiresIn?: number;
  accounts?: { accountId: string; accountName: string }[];
  /** Access keys handed out by GetRoleCredentials (moto accepts any). */
  roleAccessKeyId?: string;
}

export class FakeSso {
  readonly calls: { op: string; body?: Record<string, unknown> }[] = [];
  readonly issuedTokens: string[] = [];
  readonly revoked = new Set<string>();
  private server?: Server;
  private polls = 0;
  private readonly devices = new Map<string, { userCode: string }>();
  constructor(readonly options: FakeSsoOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    return `http://127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && url.pathname === '/client/register') {
      this.calls.push({ op: 'RegisterClient', body });
      return send(200, { clientId: `client-${randomBytes(4).toString('hex')}`, clientSecret: `csecret-${randomBytes(16).toString('hex')}`, clientIdIssuedAt: Math.floor(Date.now() / 1000), clientSecretExpiresAt: Math.floor(Date.now() / 1000) + 7776000 });
    }
    if (req.method === 'POST' && url.pathname === '/device_authorization') {
      this.calls.push({ op: 'StartDeviceAuthorization', body });
      const deviceCode = `dcode-${randomBytes(16).toString('hex')}`;
      const userCode = `ABCD-${randomBytes(2).toString('hex').toUpperCase()}`;
      this.devices.set(deviceCode, { userCode });
      return send(200, {
        deviceCode,
        userCode,
        verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
        verificationUriComplete: `https://device.sso.us-east-1.amazonaws.com/?user_code=${userCode}`,
        expiresIn: this.options.expiresIn ?? 600,
        interval: this.options.interval ?? 1,
      });
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      this.calls.push({ op: 'CreateToken', body });
      if (body.grantType !== 'urn:ietf:params:oauth:grant-type:device_code' || !this.devices.has(String(body.deviceCode))) {
        return send(400, { error: 'invalid_grant', error_description: 'Invalid grant provided' }, 'InvalidGrantException');
      }
      this.polls++;
      if (this.options.slowDownOnPoll === this.polls) return send(400, { error: 'slow_down', error_description: 'Client is polling too fast' }, 'SlowDownException');
      if (this.polls <= (this.options.pendingPolls ?? 0)) return send(400, { error: 'authorization_pending', error_description: 'Authorization pending' }, 'AuthorizationPendingException');
      const outcome = this.options.outcome ?? 'approve';
      if (outcome === 'deny') return send(400, { error: 'access_denied', error_description: 'Access denied' }, 'AccessDeniedException');
      if (outcome === 'expire') return send(400, { error: 'expired_token', error_description: 'Device code expired' }, 'ExpiredTokenException');
      const accessToken = `ssotoken-${randomBytes(24).toString('hex')}`;
      this.issuedTokens.push(accessToken);
      return send(200, { accessToken, tokenType: 'Bearer', expiresIn: 28800, refreshToken: `refresh-${randomBytes(12).toString('hex')}` });
    }
    const bearer = String(req.headers['x-amz-sso_bearer_token'] ?? '');
    if (req.method === 'GET' && (url.pathname === '/federation/credentials' || url.pathname === '/assignment/accounts')) {
      const op = url.pathname === '/federation/credentials' ? 'GetRoleCredentials' : 'ListAccounts';
      this.calls.push({ op, body: Object.fromEntries(url.searchParams) });
      if (!this.issuedTokens.includes(bearer) || this.revoked.has(bearer)) {
        return send(401, { message: 'Session token not found or invalid' }, 'UnauthorizedException');
      }
      if (op === 'ListAccounts') return send(200, { accountList: this.options.accounts ?? [] });
      return send(200, {
        roleCredentials: {
          accessKeyId: this.options.roleAccessKeyId ?? `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
          secretAccessKey: randomBytes(30).toString('base64'),
          sessionToken: randomBytes(60).toString('base64'),
          expiration: Date.now() + 3600_000,
        },
      });
    }
    send(404, { message: `no route ${req.method} ${url.pathname}` }, 'ResourceNotFoundException');
  }
}
