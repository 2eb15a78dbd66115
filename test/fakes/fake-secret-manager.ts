/**
 * FAKE Google Secret Manager (REST v1) on http://127.0.0.1, written from Google's Secret Manager
 * API reference (REST v1, the HTTP bindings of `google.cloud.secretmanager.v1`):
 * - `projects.secrets.create`: POST /v1/projects/{p}/secrets?secretId=ID (ALREADY_EXISTS 409);
 * - `projects.secrets.addVersion`: POST /v1/projects/{p}/secrets/{s}:addVersion (payload.data
 *   base64; INVALID_ARGUMENT 400 over 64 KiB; NOT_FOUND 404 without the secret);
 * - `projects.secrets.versions.access`: GET /v1/{name=projects/*\/secrets/*\/versions/*}:access
 *   (`latest` = the newest version);
 * - `projects.secrets.versions.get`: GET /v1/{name=...versions/*} (metadata only);
 * - `projects.secrets.delete`: DELETE /v1/projects/{p}/secrets/{s};
 * - `projects.secrets.list`: GET /v1/projects/{p}/secrets (`filter` `name:<text>*`, `pageSize`,
 *   `pageToken` / `nextPageToken`).
 * Errors are `{"error":{"code","message","status"}}` as Google APIs send them. Every request must
 * carry `Authorization: Bearer <token>` unless the fake is started with `anonymous: true`.
 *
 * Why a fake: no Secret Manager emulator is published on npm, PyPI, Maven Central or the Go
 * module proxy (the gcloud emulators cover other services).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../support/loopback';

/** Secret Manager's documented limit on a version payload. */
export const FAKE_GSM_MAX_PAYLOAD_BYTES = 64 * 1024;
const PAGE_SIZE = 25;

interface Secret {
  replication: unknown;
  versions: { data: Buffer; createTime: string }[];
}

export interface FakeSecretManagerOptions {
  /** Accept requests without a bearer token (a client with `without_authentication`). */
  anonymous?: boolean;
  /** Tokens accepted; undefined: any non-empty token. */
  acceptTokens?: readonly string[];
}

export class FakeSecretManager {
  /** Every request: operation and secret id (no payloads), and the bearer token seen. */
  readonly calls: { op: string; id?: string; auth?: string }[] = [];
  private server?: Server;
  private readonly secrets = new Map<string, Secret>();
  url = '';

  constructor(readonly options: FakeSecretManagerOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    const port = await listenOnLoopback(this.server);
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  /** The latest payload of `projects/{p}/secrets/{id}` as text. */
  stored(project: string, id: string): string | undefined {
    const s = this.secrets.get(`projects/${project}/secrets/${id}`);
    return s?.versions.at(-1)?.data.toString('utf8');
  }

  /** The replication a secret was created with. */
  replication(project: string, id: string): unknown {
    return this.secrets.get(`projects/${project}/secrets/${id}`)?.replication;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const error = (code: number, status: string, message: string): void => send(code, { error: { code, message, status } });
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
    const path = decodeURIComponent(url.pathname);
    let m: RegExpExecArray | null;
    const record = (op: string, id?: string): void => {
      this.calls.push({ op, ...(id ? { id } : {}), ...(token ? { auth: token } : {}) });
    };
    if (!this.options.anonymous && token === '') {
      record('unauthenticated');
      return error(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.');
    }
    if (this.options.acceptTokens && token !== '' && !this.options.acceptTokens.includes(token)) {
      record('denied');
      return error(403, 'PERMISSION_DENIED', "Permission 'secretmanager.versions.access' denied");
    }

    if ((m = /^\/v1\/(projects\/[^/]+\/secrets\/([^/:]+))\/versions\/([^/:]+):access$/.exec(path)) && req.method === 'GET') {
      record('access', m[2]);
      const v = this.version(m[1], m[3]);
      if (!v) return error(404, 'NOT_FOUND', `Secret Version [${m[1]}/versions/${m[3]}] not found or has no versions.`);
      return send(200, { name: `${m[1]}/versions/${v.index}`, payload: { data: v.data.toString('base64') } });
    }
    if ((m = /^\/v1\/(projects\/[^/]+\/secrets\/([^/:]+))\/versions\/([^/:]+)$/.exec(path)) && req.method === 'GET') {
      record('getVersion', m[2]);
      const v = this.version(m[1], m[3]);
      if (!v) return error(404, 'NOT_FOUND', `Secret Version [${m[1]}/versions/${m[3]}] not found or has no versions.`);
      return send(200, { name: `${m[1]}/versions/${v.index}`, state: 'ENABLED', createTime: v.createTime });
    }
    if ((m = /^\/v1\/(projects\/[^/]+)\/secrets$/.exec(path)) && req.method === 'POST') {
      const id = url.searchParams.get('secretId') ?? '';
      record('create', id);
      if (!/^[a-zA-Z0-9_-]{1,255}$/.test(id)) return error(400, 'INVALID_ARGUMENT', 'Invalid secret id');
      const name = `${m[1]}/secrets/${id}`;
      if (this.secrets.has(name)) return error(409, 'ALREADY_EXISTS', `Secret [${name}] already exists.`);
      const body = JSON.parse(text || '{}') as { replication?: unknown };
      if (!body.replication) return error(400, 'INVALID_ARGUMENT', 'Secret.replication is required');
      this.secrets.set(name, { replication: body.replication, versions: [] });
      return send(200, { name, replication: body.replication, createTime: new Date().toISOString() });
    }
    if ((m = /^\/v1\/(projects\/[^/]+\/secrets\/([^/:]+)):addVersion$/.exec(path)) && req.method === 'POST') {
      record('addVersion', m[2]);
      const secret = this.secrets.get(m[1]);
      if (!secret) return error(404, 'NOT_FOUND', `Secret [${m[1]}] not found.`);
      const body = JSON.parse(text || '{}') as { payload?: { data?: string } };
      const data = Buffer.from(body.payload?.data ?? '', 'base64');
      if (data.length > FAKE_GSM_MAX_PAYLOAD_BYTES) return error(400, 'INVALID_ARGUMENT', 'Secret Payload cannot be larger than 64KiB.');
      const createTime = new Date().toISOString();
      secret.versions.push({ data, createTime });
      return send(200, { name: `${m[1]}/versions/${secret.versions.length}`, state: 'ENABLED', createTime });
    }
    if ((m = /^\/v1\/(projects\/[^/]+\/secrets\/([^/:]+))$/.exec(path)) && req.method === 'DELETE') {
      record('delete', m[2]);
      if (!this.secrets.delete(m[1])) return error(404, 'NOT_FOUND', `Secret [${m[1]}] not found.`);
      return send(200, {});
    }
    if ((m = /^\/v1\/(projects\/[^/]+)\/secrets$/.exec(path)) && req.method === 'GET') {
      record('list');
      const filter = url.searchParams.get('filter') ?? '';
      const fm = /^name:(.*?)\*?$/.exec(filter);
      if (filter !== '' && !fm) return error(400, 'INVALID_ARGUMENT', 'Invalid filter');
      const all = [...this.secrets.keys()].filter((n) => n.startsWith(`${m![1]}/secrets/`) && (!fm || n.split('/').pop()!.includes(fm[1]))).sort();
      const size = Math.min(Number(url.searchParams.get('pageSize') ?? PAGE_SIZE) || PAGE_SIZE, PAGE_SIZE);
      const start = Number(url.searchParams.get('pageToken') || '0');
      const page = all.slice(start, start + size);
      const next = start + size < all.length ? String(start + size) : undefined;
      return send(200, { secrets: page.map((name) => ({ name, replication: this.secrets.get(name)!.replication })), ...(next ? { nextPageToken: next } : {}), totalSize: all.length });
    }
    record('unknown');
    return error(404, 'NOT_FOUND', 'operation not supported by this fake');
  }

  private version(secretName: string, version: string): { data: Buffer; createTime: string; index: number } | undefined {
    const s = this.secrets.get(secretName);
    if (!s || s.versions.length === 0) return undefined;
    const index = version === 'latest' ? s.versions.length : Number(version);
    const v = s.versions[index - 1];
    return v ? { ...v, index } : undefined;
  }
}
