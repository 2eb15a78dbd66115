/**
 * FAKE Azure Key Vault (secrets data plane) on https://127.0.0.1, written from Microsoft's Key
 * Vault REST API reference (api-version 7.x / 2025-07-01): Set Secret (PUT /secrets/{name}),
 * Get Secret (GET /secrets/{name}[/{version}]), Delete Secret (DELETE /secrets/{name}, soft
 * delete returning a DeletedSecretBundle), Get Deleted Secret (GET /deletedsecrets/{name}),
 * Purge (DELETE /deletedsecrets/{name}), Get Secrets (GET /secrets, `nextLink` paging) and Get
 * Secret Versions (GET /secrets/{name}/versions). Errors are `{"error":{"code","message"}}`
 * (SecretNotFound 404, Conflict 409 for a deleted-but-recoverable name, BadParameter 400 for a
 * value over 25 KB or a bad name). Authentication is the challenge protocol: a request without a
 * bearer token gets 401 with `WWW-Authenticate: Bearer authorization=..., resource=...`.
 *
 * Why a fake: the emulator DESIGN.md names (Lowkey Vault, a Java program) is not served by the
 * Maven Central this machine reaches (`mvn dependency:get` of
 * com.github.nagyesta.lowkey-vault:lowkey-vault-app 2.14.13, 3.4.0, 3.4.33: "Could not find
 * artifact"), and nothing on npm or PyPI emulates Key Vault.
 */
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { localTlsCertificate, type LocalTlsCertificate } from '../support/tls-cert';
import { closeServer, listenOnLoopback } from '../support/loopback';

/** Key Vault's documented limit on a secret value. */
export const FAKE_KEYVAULT_MAX_VALUE_BYTES = 25 * 1024;
/** Page size of GET /secrets (small, so paging is exercised). */
const PAGE_SIZE = 25;

interface Version {
  id: string;
  value: string;
  created: number;
}

export interface FakeKeyVaultOptions {
  /** Bearer tokens accepted; undefined: any non-empty token. */
  acceptTokens?: readonly string[];
  /** Plain HTTP (a client with `insecure_allow_credential_with_http`); default HTTPS. */
  http?: boolean;
  /** Answers the first challenge this late, so later requests complete the challenge first (a slow network). */
  firstChallengeDelayMs?: number;
}

export class FakeKeyVault {
  /** Every request: operation and secret name (no values). */
  readonly calls: { op: string; name?: string; auth?: string }[] = [];
  private server?: Server;
  private readonly secrets = new Map<string, Version[]>();
  private readonly deleted = new Map<string, Version[]>();
  private cert?: LocalTlsCertificate;
  url = '';

  constructor(readonly options: FakeKeyVaultOptions = {}) {}

  /** Starts on a free port; returns the vault URL. */
  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    if (this.options.http) this.server = createHttpServer(handler);
    else {
      this.cert = localTlsCertificate();
      this.server = createHttpsServer({ key: this.cert.key, cert: this.cert.cert }, handler);
    }
    const port = await listenOnLoopback(this.server);
    this.url = `${this.options.http ? 'http' : 'https'}://127.0.0.1:${port}`;
    return this.url;
  }

  /** The PEM certificate clients must trust. */
  ca(): string {
    if (!this.cert) throw new Error('not started');
    return this.cert.cert;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  /** Stored value of a secret's latest version (for tests that check what reached the backend). */
  stored(name: string): string | undefined {
    const v = this.secrets.get(name);
    return v?.[v.length - 1].value;
  }

  names(): string[] {
    return [...this.secrets.keys()].sort();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const auth = req.headers.authorization;
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string): void => send(status, { error: { code, message } });
    if (!url.searchParams.get('api-version')) return error(400, 'BadParameter', 'api-version is required');
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
    if (token === '') {
      const first = this.count('challenge') === 0;
      this.calls.push({ op: 'challenge' });
      if (first && this.options.firstChallengeDelayMs) await new Promise((r) => setTimeout(r, this.options.firstChallengeDelayMs));
      return send(401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
        'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
      });
    }
    if (this.options.acceptTokens && !this.options.acceptTokens.includes(token)) {
      this.calls.push({ op: 'denied' });
      return error(401, 'Unauthorized', 'AKV10032: Invalid issuer.');
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const [collection, name, sub] = parts;
    const op = `${req.method} ${collection}${name ? '/{name}' : ''}${sub ? `/${sub === 'versions' ? 'versions' : '{version}'}` : ''}`;
    this.calls.push({ op, ...(name ? { name } : {}), auth: token });
    if (name !== undefined && !/^[0-9a-zA-Z-]{1,127}$/.test(name)) return error(400, 'BadParameter', 'The request URI contains an invalid name');

    if (collection === 'secrets' && req.method === 'PUT' && name && !sub) {
      if (this.deleted.has(name)) return error(409, 'Conflict', `Secret ${name} is currently in a deleted but recoverable state`);
      const body = JSON.parse(text || '{}') as { value?: unknown };
      if (typeof body.value !== 'string') return error(400, 'BadParameter', 'Property value is required');
      if (Buffer.byteLength(body.value, 'utf8') > FAKE_KEYVAULT_MAX_VALUE_BYTES) return error(400, 'BadParameter', 'Secret value is too large');
      const v: Version = { id: randomBytes(16).toString('hex'), value: body.value, created: Math.floor(Date.now() / 1000) };
      this.secrets.set(name, [...(this.secrets.get(name) ?? []), v]);
      return send(200, this.bundle(name, v, true));
    }
    if (collection === 'secrets' && req.method === 'GET' && name && sub === 'versions') {
      const versions = this.secrets.get(name);
      if (!versions) return error(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
      return send(200, { value: versions.map((v) => this.bundle(name, v, false)), nextLink: null });
    }
    if (collection === 'secrets' && req.method === 'GET' && name) {
      const versions = this.secrets.get(name);
      const v = sub ? versions?.find((x) => x.id === sub) : versions?.[versions.length - 1];
      if (!v) return error(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
      return send(200, this.bundle(name, v, true));
    }
    if (collection === 'secrets' && req.method === 'GET' && !name) {
      const all = [...this.secrets.keys()].sort();
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const page = all.slice(skip, skip + PAGE_SIZE);
      const next = skip + PAGE_SIZE < all.length ? `${this.url}/secrets?api-version=${url.searchParams.get('api-version')}&$skiptoken=${skip + PAGE_SIZE}` : null;
      return send(200, { value: page.map((n) => { const vs = this.secrets.get(n)!; return this.bundle(n, vs[vs.length - 1], false, false); }), nextLink: next });
    }
    if (collection === 'secrets' && req.method === 'DELETE' && name) {
      const versions = this.secrets.get(name);
      if (!versions) return error(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
      this.secrets.delete(name);
      this.deleted.set(name, versions);
      return send(200, this.deletedBundle(name, versions[versions.length - 1]));
    }
    if (collection === 'deletedsecrets' && req.method === 'GET' && name) {
      const versions = this.deleted.get(name);
      if (!versions) return error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
      return send(200, this.deletedBundle(name, versions[versions.length - 1]));
    }
    if (collection === 'deletedsecrets' && req.method === 'DELETE' && name) {
      if (!this.deleted.delete(name)) return error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
      return send(204);
    }
    return error(405, 'MethodNotAllowed', 'operation not supported by this fake');
  }

  private bundle(name: string, v: Version, withValue: boolean, withVersion = true): Record<string, unknown> {
    return {
      id: withVersion ? `${this.url}/secrets/${name}/${v.id}` : `${this.url}/secrets/${name}`,
      ...(withValue ? { value: v.value } : {}),
      attributes: { enabled: true, created: v.created, updated: v.created, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      tags: {},
    };
  }

  private deletedBundle(name: string, v: Version): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return { ...this.bundle(name, v, false), recoveryId: `${this.url}/deletedsecrets/${name}`, deletedDate: now, scheduledPurgeDate: now + 90 * 86400 };
  }
}
