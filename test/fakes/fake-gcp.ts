/**
 * FAKE Google token services, written from Google's API documents, for the GCP auth kinds (no
 * emulator of these exists; DESIGN.md §7):
 * - Security Token Service `POST /v1/token` (sts.googleapis.com, "Method: token"; RFC 8693): form
 *   fields grant_type=urn:ietf:params:oauth:grant-type:token-exchange, audience, scope,
 *   requested_token_type=urn:ietf:params:oauth:token-type:access_token, subject_token_type
 *   (jwt or id_token), subject_token; answers {access_token, issued_token_type, token_type,
 *   expires_in}, errors {error, error_description} (400).
 * - IAM Service Account Credentials `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`
 *   (iamcredentials.googleapis.com): bearer token, body {scope[], delegates[], lifetime "Ns"};
 *   answers {accessToken, expireTime} (RFC 3339), errors {error: {code, message, status}}.
 *   Lifetime above 3600s is refused unless `allowLongLifetime` (Google's org-policy constraint
 *   constraints/iam.allowServiceAccountCredentialLifetimeExtension).
 * - OAuth2 `POST /tokeninfo` (oauth2.googleapis.com): form access_token → {email?, sub, scope,
 *   expires_in}.
 * - Compute metadata server (`GCE_METADATA_HOST`): `GET /computeMetadata/v1/instance/...` with
 *   `Metadata-Flavor: Google` → `service-accounts/default/token` {access_token, expires_in,
 *   token_type}, `project/project-id`.
 * Plain HTTP on 127.0.0.1; infrakey reaches it through the INFRAKEY_GCP_*_URL test overrides.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** A token the fake issued, and who it stands for. */
export interface IssuedToken {
  readonly token: string;
  /** The federated principal (STS) or service account email (IAM / metadata). */
  readonly principal: string;
  readonly scopes: string[];
  readonly expiresAt: number;
  readonly via: 'sts' | 'iam' | 'metadata';
}

/** One recorded request (bodies with tokens are kept only as booleans). */
export interface FakeGcpRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export class FakeGcp {
  /** STS: the audience it serves, and the OIDC subject tokens it accepts (empty: any JWT-shaped token). */
  audience = '';
  acceptedSubjects = new Set<string>();
  /** IAM: service account email → principals (federated subjects or SA emails) allowed to impersonate it. */
  readonly tokenCreators = new Map<string, Set<string>>();
  allowLongLifetime = false;
  /** Metadata server: the VM's service account and project. */
  metadataEmail = 'vm@meta-project.iam.gserviceaccount.com';
  metadataProject = 'meta-project';
  readonly issued = new Map<string, IssuedToken>();
  readonly requests: FakeGcpRequest[] = [];
  private server?: Server;
  private base = '';

  get url(): string {
    return this.base;
  }

  /** Environment that points infrakey at this fake. */
  env(): Record<string, string> {
    return { INFRAKEY_GCP_STS_URL: `${this.base}/v1/token`, INFRAKEY_GCP_IAMCREDENTIALS_URL: this.base, INFRAKEY_GCP_TOKENINFO_URL: `${this.base}/tokeninfo` };
  }

  /** Issues a token directly (a test's "existing" ADC token). */
  mint(principal: string, via: IssuedToken['via'], lifetimeSeconds = 3600, scopes: string[] = ['https://www.googleapis.com/auth/cloud-platform']): IssuedToken {
    const t: IssuedToken = { token: `ya29.fake-${via}-${randomBytes(18).toString('base64url')}`, principal, scopes, expiresAt: Date.now() + lifetimeSeconds * 1000, via };
    this.issued.set(t.token, t);
    return t;
  }

  allow(serviceAccount: string, principal: string): void {
    const s = this.tokenCreators.get(serviceAccount) ?? new Set<string>();
    s.add(principal);
    this.tokenCreators.set(serviceAccount, s);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => json(res, 500, { error: { code: 500, status: 'INTERNAL', message: String(e) } }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.base = `http://127.0.0.1:${addr.port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = await body(req);
    if (url.pathname.startsWith('/computeMetadata/')) return this.metadata(req, res, url.pathname);
    if (req.method !== 'POST') return json(res, 405, { error: { code: 405, status: 'METHOD_NOT_ALLOWED', message: 'POST only' } });
    const type = req.headers['content-type'] ?? '';
    const fields: Record<string, unknown> = type.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    this.requests.push({ path: url.pathname, body: redact(fields) });
    if (url.pathname === '/v1/token') return this.sts(res, fields);
    if (url.pathname === '/tokeninfo') return this.tokeninfo(res, fields);
    const m = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(url.pathname);
    if (m) return this.generateAccessToken(req, res, decodeURIComponent(m[1]), fields);
    return json(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: `no route ${url.pathname}` } });
  }

  private sts(res: ServerResponse, f: Record<string, unknown>): void {
    const bad = (description: string, error = 'invalid_request') => json(res, 400, { error, error_description: description });
    if (f.grant_type !== 'urn:ietf:params:oauth:grant-type:token-exchange') return bad('Invalid grant_type', 'unsupported_grant_type');
    if (f.requested_token_type !== 'urn:ietf:params:oauth:token-type:access_token') return bad('Invalid requested_token_type');
    if (f.subject_token_type !== 'urn:ietf:params:oauth:token-type:jwt' && f.subject_token_type !== 'urn:ietf:params:oauth:token-type:id_token') return bad('Invalid subject_token_type');
    if (typeof f.audience !== 'string' || f.audience !== this.audience) return bad(`The audience in the request does not match the workload identity pool provider`, 'invalid_target');
    const subject = typeof f.subject_token === 'string' ? f.subject_token : '';
    if (subject === '' || (this.acceptedSubjects.size > 0 && !this.acceptedSubjects.has(subject)) || subject.split('.').length !== 3) {
      return bad('The given subject token is invalid or expired.', 'invalid_grant');
    }
    let sub = 'unknown';
    try {
      sub = String((JSON.parse(Buffer.from(subject.split('.')[1], 'base64url').toString('utf8')) as { sub?: unknown }).sub ?? 'unknown');
    } catch {
      return bad('The given subject token is not a JWT.', 'invalid_grant');
    }
    const scopes = typeof f.scope === 'string' && f.scope !== '' ? f.scope.split(' ') : [];
    const t = this.mint(`principal://iam.googleapis.com/${String(f.audience).replace(/^\/\/iam\.googleapis\.com\//, '').replace(/\/providers\/.*$/, '')}/subject/${sub}`, 'sts', 3600, scopes);
    json(res, 200, { access_token: t.token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
  }

  private generateAccessToken(req: IncomingMessage, res: ServerResponse, email: string, f: Record<string, unknown>): void {
    const fail = (code: number, status: string, message: string) => json(res, code, { error: { code, message, status } });
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const caller = bearer ? this.issued.get(bearer) : undefined;
    if (!caller || caller.expiresAt < Date.now()) return fail(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    const scope = f.scope;
    if (!Array.isArray(scope) || scope.length === 0) return fail(400, 'INVALID_ARGUMENT', 'Scope required.');
    let lifetime = 3600;
    if (f.lifetime !== undefined) {
      const m = typeof f.lifetime === 'string' ? /^(\d+)(?:\.\d+)?s$/.exec(f.lifetime) : null;
      if (!m) return fail(400, 'INVALID_ARGUMENT', 'Invalid value at \'lifetime\' (type.googleapis.com/google.protobuf.Duration)');
      lifetime = Number(m[1]);
      if (lifetime > 43200 || (lifetime > 3600 && !this.allowLongLifetime)) return fail(400, 'INVALID_ARGUMENT', 'The lifetime must be at most 3600s unless the organization policy allows longer');
    }
    // Delegation: caller → delegates[0] → ... → target, each hop needing Token Creator.
    const delegates = Array.isArray(f.delegates) ? (f.delegates as unknown[]).map(String) : [];
    const hops = [...delegates.map((d) => /^projects\/-\/serviceAccounts\/(.+)$/.exec(d)?.[1] ?? ''), email];
    let who = caller.principal;
    for (const hop of hops) {
      if (hop === '') return fail(400, 'INVALID_ARGUMENT', 'delegates must be projects/-/serviceAccounts/{email}');
      if (!this.tokenCreators.get(hop)?.has(who)) return fail(403, 'PERMISSION_DENIED', `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`);
      who = hop;
    }
    const t = this.mint(email, 'iam', lifetime, scope.map(String));
    json(res, 200, { accessToken: t.token, expireTime: new Date(t.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  }

  private tokeninfo(res: ServerResponse, f: Record<string, unknown>): void {
    const t = typeof f.access_token === 'string' ? this.issued.get(f.access_token) : undefined;
    if (!t || t.expiresAt < Date.now()) return json(res, 400, { error: 'invalid_token', error_description: 'Invalid Value' });
    json(res, 200, { ...(t.via === 'sts' ? {} : { email: t.principal, email_verified: 'true' }), sub: t.principal, scope: t.scopes.join(' '), expires_in: String(Math.floor((t.expiresAt - Date.now()) / 1000)) });
  }

  private metadata(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.requests.push({ path, body: {} });
    if (req.headers['metadata-flavor'] !== 'Google') return text(res, 403, 'Missing Metadata-Flavor header');
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      const t = this.mint(this.metadataEmail, 'metadata');
      return json(res, 200, { access_token: t.token, expires_in: 3599, token_type: 'Bearer' }, { 'metadata-flavor': 'Google' });
    }
    if (path === '/computeMetadata/v1/instance/service-accounts/default/email') return text(res, 200, this.metadataEmail);
    if (path === '/computeMetadata/v1/project/project-id') return text(res, 200, this.metadataProject);
    if (path === '/computeMetadata/v1/instance' || path === '/computeMetadata/v1/instance/' || path === '/computeMetadata/v1/') return text(res, 200, 'attributes/\nservice-accounts/\n');
    return text(res, 404, 'not found');
  }
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = /token/i.test(k) && k !== 'requested_token_type' && k !== 'subject_token_type' ? v !== '' : v;
  return out;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'metadata-flavor': 'Google', ...headers });
  res.end(JSON.stringify(value));
}

function text(res: ServerResponse, status: number, value: string): void {
  res.writeHead(status, { 'content-type': 'application/text', 'metadata-flavor': 'Google' });
  res.end(value);
}

/** A JWT-shaped OIDC token (unsigned; the fake STS reads only its `sub`). */
export function fakeOidcJwt(sub: string, aud = 'https://iam.googleapis.com'): string {
  const now = Math.floor(Date.now() / 1000);
  return [{ alg: 'RS256', typ: 'JWT' }, { iss: 'https://token.actions.githubusercontent.com', sub, aud, iat: now, exp: now + 300 }].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.' + randomBytes(32).toString('base64url');
}
