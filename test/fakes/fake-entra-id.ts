/**
 * FAKE Microsoft Entra ID (v2.0 endpoints) and the one Azure Resource Manager call whoami makes,
 * written from Microsoft's documents:
 * - "OAuth 2.0 device authorization grant": POST `/{tenant}/oauth2/v2.0/devicecode` (client_id,
 *   scope) answers device_code, user_code, verification_uri, expires_in, interval, message; POST
 *   `/{tenant}/oauth2/v2.0/token` with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
 *   (or `device_code`, as MSAL sends it) answers 400 `authorization_pending` until the user acts, then the tokens, or
 *   `authorization_declined` / `expired_token`.
 * - "Microsoft identity platform and the OAuth 2.0 client credentials flow" with a federated
 *   credential: `grant_type=client_credentials`, `client_assertion_type=urn:ietf:params:oauth:
 *   client-assertion-type:jwt-bearer`, `client_assertion=<token>`; the assertion's iss/sub/aud
 *   must match the application's federated credential, else 400 `invalid_client` (AADSTS70021).
 * - "Refresh the access token": `grant_type=refresh_token`.
 * - Token responses carry `token_type`, `scope`, `expires_in`, `ext_expires_in`, `access_token`,
 *   and for users `refresh_token`, `id_token` and `client_info` (base64url `{uid, utid}`).
 * - ARM "Subscriptions - Get": GET `/subscriptions/{id}?api-version=...` with the bearer token.
 * The OpenID metadata and instance discovery endpoints are not served: infrakey gives MSAL that
 * metadata inline, and every request is recorded so a test can check none was attempted.
 * Served over HTTPS with a throwaway self-signed certificate (MSAL and infrakey refuse http).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { selfSignedCert } from './self-signed-cert';
import { randomBytes, randomUUID } from 'node:crypto';

export interface FakeEntraUser {
  readonly oid: string;
  readonly upn: string;
  /** The user's home tenant (a guest's differs from the tenant logged into). */
  readonly homeTenant?: string;
}

export interface FakeFederatedCredential {
  readonly clientId: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

export interface FakeEntraOptions {
  readonly user?: FakeEntraUser;
  /** Polls answered `authorization_pending` before the outcome. */
  readonly pendingPolls?: number;
  readonly outcome?: 'approve' | 'deny' | 'expire';
  readonly interval?: number;
  /** Access-token lifetime in seconds. */
  readonly expiresIn?: number;
  readonly federated?: readonly FakeFederatedCredential[];
  /** Subscriptions ARM knows (any tenant). */
  readonly subscriptions?: readonly string[];
  /** Scopes the token endpoint refuses (to test optional tokens). */
  readonly refuseScopes?: readonly string[];
}

export interface FakeEntraCall {
  readonly method: string;
  readonly path: string;
  readonly form: Record<string, string>;
}

interface Issued {
  readonly aud: string;
  readonly exp: number;
  readonly tid: string;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', typ: 'JWT', kid: 'fake' })}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;

/** The resource (audience) of a `.default` scope. */
function resourceOf(scope: string): string {
  const s = scope.split(' ').find((x) => x.endsWith('/.default')) ?? scope;
  return s.replace(/\/?\.default$/, '').replace(/\/$/, '');
}

export class FakeEntraId {
  readonly calls: FakeEntraCall[] = [];
  /** Access tokens issued, with their audience. */
  readonly issued = new Map<string, Issued>();
  readonly refreshTokens = new Set<string>();
  readonly revoked = new Set<string>();
  cert = '';
  origin = '';
  private server?: Server;
  private readonly devices = new Map<string, { polls: number; tenant: string; clientId: string; scope: string }>();

  constructor(private readonly opts: FakeEntraOptions = {}) {}

  get user(): FakeEntraUser {
    return this.opts.user ?? { oid: '11111111-2222-3333-4444-555555555555', upn: 'dev@contoso.example' };
  }

  count(pathPart: string, grant?: string): number {
    return this.calls.filter((c) => c.path.includes(pathPart) && (!grant || c.form.grant_type === grant || c.form.grant_type?.endsWith(`:${grant}`))).length;
  }

  /** Answers a user token for `scope` (what the device flow and refresh grant return). */
  private userTokens(tenant: string, clientId: string, scope: string): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (this.opts.expiresIn ?? 3600);
    const u = this.user;
    const home = u.homeTenant ?? tenant;
    const aud = resourceOf(scope);
    const access = jwt({ aud, iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now, exp, tid: tenant, oid: u.oid, upn: u.upn, name: 'Dev', appid: clientId, scp: 'user_impersonation' });
    this.issued.set(access, { aud, exp, tid: tenant });
    const refresh = `rt-${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.add(refresh);
    const idToken = jwt({ aud: clientId, iss: `https://login.microsoftonline.com/${tenant}/v2.0`, iat: now, nbf: now, exp, tid: tenant, oid: u.oid, sub: `sub-${u.oid}`, preferred_username: u.upn, name: 'Dev', ver: '2.0' });
    return {
      token_type: 'Bearer',
      scope: `${aud}/user_impersonation ${aud}/.default`,
      expires_in: exp - now,
      ext_expires_in: exp - now,
      access_token: access,
      refresh_token: refresh,
      id_token: idToken,
      client_info: b64({ uid: u.oid, utid: home }),
    };
  }

  async start(): Promise<string> {
    const { cert, key } = selfSignedCert();
    this.cert = cert;
    this.server = createServer({ key, cert: this.cert }, (req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server!.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.origin = `https://127.0.0.1:${addr.port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'https://x');
    const form = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) : {};
    this.calls.push({ method: req.method ?? 'GET', path: url.pathname, form });
    const err = (status: number, error: string, description: string) => ({ status, body: { error, error_description: `${description}\r\nTrace ID: ${randomUUID()}`, error_codes: [], timestamp: new Date().toISOString() } });

    const arm = /^\/subscriptions\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && arm) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const t = bearer ? this.issued.get(bearer) : undefined;
      if (!t || !/management/.test(t.aud) || t.exp * 1000 < Date.now()) return { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } } };
      const id = decodeURIComponent(arm[1]);
      if (!(this.opts.subscriptions ?? []).includes(id)) return { status: 404, body: { error: { code: 'SubscriptionNotFound', message: `The subscription '${id}' could not be found.` } } };
      return { status: 200, body: { id: `/subscriptions/${id}`, subscriptionId: id, tenantId: t.tid, displayName: `sub ${id}`, state: 'Enabled' } };
    }

    const m = /^\/([^/]+)\/oauth2\/v2\.0\/(devicecode|token)$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) return err(404, 'not_found', `AADSTS90000: ${req.method} ${url.pathname} is not served by this fake`);
    const tenant = m[1];
    const scope = (form.scope ?? '').split(' ').filter((s) => !['openid', 'profile', 'offline_access'].includes(s)).join(' ');
    if (m[2] === 'devicecode') {
      const deviceCode = `dc-${randomBytes(16).toString('base64url')}`;
      this.devices.set(deviceCode, { polls: 0, tenant, clientId: form.client_id, scope });
      const userCode = randomBytes(4).toString('hex').toUpperCase();
      return {
        status: 200,
        body: { device_code: deviceCode, user_code: userCode, verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: this.opts.interval ?? 1, message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${userCode} to authenticate.` },
      };
    }
    if ((this.opts.refuseScopes ?? []).some((s) => scope.includes(s))) return err(400, 'invalid_scope', `AADSTS65001: consent missing for ${scope}`);
    switch (form.grant_type) {
      // The documented URN, and the short form MSAL sends (which Entra ID accepts too).
      case 'urn:ietf:params:oauth:grant-type:device_code':
      case 'device_code': {
        const d = this.devices.get(form.device_code);
        if (!d) return err(400, 'invalid_grant', 'AADSTS70000: unknown device code');
        d.polls++;
        if (d.polls <= (this.opts.pendingPolls ?? 0)) return err(400, 'authorization_pending', 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
        if (this.opts.outcome === 'deny') return err(400, 'authorization_declined', 'AADSTS70000: the user declined');
        if (this.opts.outcome === 'expire') return err(400, 'expired_token', 'AADSTS70020: the device code expired');
        this.devices.delete(form.device_code);
        return { status: 200, body: this.userTokens(d.tenant, d.clientId, d.scope) };
      }
      case 'refresh_token': {
        if (!this.refreshTokens.has(form.refresh_token) || this.revoked.has(form.refresh_token)) return err(400, 'invalid_grant', 'AADSTS700082: The refresh token has expired or was revoked.');
        return { status: 200, body: this.userTokens(tenant, form.client_id, scope) };
      }
      case 'client_credentials': {
        if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !form.client_assertion) return err(400, 'invalid_request', 'AADSTS900144: client_assertion is required');
        let claims: Record<string, unknown> = {};
        try {
          claims = JSON.parse(Buffer.from(form.client_assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
        } catch {
          return err(400, 'invalid_client', 'AADSTS50027: JWT token is invalid or malformed.');
        }
        const fc = (this.opts.federated ?? []).find((f) => f.clientId === form.client_id && f.issuer === claims.iss && f.subject === claims.sub && f.audience === claims.aud);
        if (!fc) return err(400, 'invalid_client', `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${String(claims.iss)}'. Assertion Subject: '${String(claims.sub)}'.`);
        if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return err(400, 'invalid_client', 'AADSTS700024: Client assertion is not within its valid time range.');
        const now = Math.floor(Date.now() / 1000);
        const exp = now + (this.opts.expiresIn ?? 3600);
        const aud = resourceOf(scope);
        const access = jwt({ aud, iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now, exp, tid: tenant, oid: `sp-${form.client_id}`, appid: form.client_id, idtyp: 'app' });
        this.issued.set(access, { aud, exp, tid: tenant });
        return { status: 200, body: { token_type: 'Bearer', expires_in: exp - now, ext_expires_in: exp - now, access_token: access } };
      }
      default:
        return err(400, 'unsupported_grant_type', `AADSTS70003: grant type ${form.grant_type} is not supported`);
    }
  }
}

/** Ids the Azure tests share (any GUIDs do; the fake trusts what a test configures). */
export const AZ = {
  tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  subscription: '00000000-1111-2222-3333-444444444444',
  app: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  githubIssuer: 'https://token.actions.githubusercontent.com',
} as const;

/** A federated (OIDC) token as GitHub Actions issues one, for the fake's federated credential check (unsigned). */
export function federatedToken(subject: string, extra: Record<string, unknown> = {}): string {
  return jwt({ iss: AZ.githubIssuer, sub: subject, aud: 'api://AzureADTokenExchange', exp: Math.floor(Date.now() / 1000) + 600, ...extra });
}
