/**
 * An HTTP proxy in front of moto that records every AWS call on the wire: the action (JSON
 * protocols' X-Amz-Target, query protocols' Action=) and the names it addressed (`Name`,
 * `Names`, `SecretId`), and every request's method and path (Vault's REST API is counted with it
 * too). Used to count backend reads, in process (Pulumi mocks) and by real engines in other processes.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  action: string;
  names: string[];
  /** The HTTP method and path (for REST backends such as Vault, where they are the action). */
  method: string;
  path: string;
}

export interface AwsRecorder {
  url: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

function describe(target: string | undefined, body: string): Omit<RecordedCall, 'method' | 'path'> {
  let action = target ? target.split('.').pop() ?? target : '';
  const names: string[] = [];
  if (body.startsWith('{')) {
    try {
      const j = JSON.parse(body) as Record<string, unknown>;
      for (const k of ['Name', 'SecretId']) if (typeof j[k] === 'string') names.push(j[k] as string);
      for (const k of ['Names', 'SecretIdList']) if (Array.isArray(j[k])) names.push(...(j[k] as string[]));
    } catch {
      /* not JSON: action only */
    }
  } else if (!action) {
    action = new URLSearchParams(body).get('Action') ?? '';
  }
  return { action: action || '?', names };
}

/**
 * `rewriteResponse`: replaces a JSON response body before it reaches the client (for a moto field
 * that the JS SDK cannot read; each use says which and why).
 */
export async function awsRecorder(target: string, opts: { rewriteResponse?: (path: string, body: string) => string } = {}): Promise<AwsRecorder> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push({ ...describe(req.headers['x-amz-target'] as string | undefined, body.toString('utf8')), method: req.method ?? '', path: req.url ?? '' });
      const fwd = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          const rewrite = opts.rewriteResponse;
          if (!rewrite) {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const text = rewrite(req.url ?? '/', Buffer.concat(parts).toString('utf8'));
            res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(Buffer.byteLength(text)) });
            res.end(text);
          });
        },
      );
      fwd.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      fwd.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
