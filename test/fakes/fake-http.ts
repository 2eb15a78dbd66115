/**
 * The HTTP plumbing the REST fakes share (FAKE 1Password Connect, FAKE Artifactory, FAKE GitHub):
 * a server on 127.0.0.1 with a free port, the whole request body read, a request log, and JSON
 * answers. Each fake's behaviour lives in its own file, written from its vendor's API documents.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request as the fake saw it. */
export interface FakeRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** What a handler answers. */
export interface FakeResponse {
  readonly status: number;
  /** JSON-encoded unless a Buffer or string. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A fake server's common half. */
export class FakeHttpServer {
  /** Every request, in order (method and path), for call counting. */
  readonly log: { method: string; path: string }[] = [];
  private server?: Server;
  private port = 0;

  constructor(private readonly handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>) {}

  /** Starts on 127.0.0.1; returns `http://127.0.0.1:<port>`. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests whose method and path match. */
  count(method: string, path: RegExp): number {
    return this.log.filter((r) => r.method === method && path.test(r.path)).length;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let answer: FakeResponse;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      this.log.push({ method: request.method, path: request.path });
      answer = await this.handle(request);
    } catch {
      answer = { status: 500, body: { message: 'fake: internal error' } };
    }
    const raw = answer.body === undefined ? '' : Buffer.isBuffer(answer.body) || typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const type = Buffer.isBuffer(answer.body) || typeof answer.body === 'string' ? 'application/octet-stream' : 'application/json';
    res.writeHead(answer.status, { ...(answer.body === undefined ? {} : { 'content-type': type }), ...answer.headers });
    res.end(raw);
  }
}

/** A random id of 26 lowercase letters and digits (1Password's item and vault ids). */
export function fakeId(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 26; i++) id += chars[Math.floor(Math.random() * chars.length)];
  return id;
}
