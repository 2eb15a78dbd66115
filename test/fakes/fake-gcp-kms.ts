/**
 * FAKE Google Cloud KMS on 127.0.0.1, written from Google's Cloud KMS REST reference (v1):
 * `projects.locations.keyRings.cryptoKeys.encrypt` (POST /v1/{name}:encrypt, body `plaintext`
 * base64, answer `name` of the primary CryptoKeyVersion and `ciphertext` base64) and `.decrypt`
 * (POST /v1/{name}:decrypt, body `ciphertext`, answer `plaintext`), plaintext at most 64 KiB, and
 * errors in Google's JSON error form `{error: {code, message, status}}`: 401 UNAUTHENTICATED
 * (no or unknown bearer token), 403 PERMISSION_DENIED (`cloudkms.cryptoKeyVersions.useToEncrypt`
 * / `useToDecrypt`), 404 NOT_FOUND (no such CryptoKey), 400 INVALID_ARGUMENT (a ciphertext that
 * does not authenticate). No Cloud KMS emulator is published on the registries this machine
 * reaches. Each CryptoKey holds a random 256-bit key, and ciphertexts are real AES-256-GCM
 * (version byte, 12-byte IV, data, 16-byte tag) bound to the key's resource name as AAD, so a
 * ciphertext of one key does not open under another.
 *
 * The same server also answers Google STS's token exchange (POST /v1/token, RFC 8693 form body:
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`, `subject_token`, answer
 * `access_token`, `issued_token_type`, `token_type`, `expires_in`), which Application Default
 * Credentials of type `external_account` call at their `token_url`: the ADC path runs for real
 * through google-auth-library.
 *
 * `hang` makes it accept requests and never answer (a KMS that does not respond).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGcpKmsCall {
  readonly method: string;
  readonly path: string;
  readonly action?: 'encrypt' | 'decrypt';
  readonly key?: string;
  readonly token?: string;
  readonly status: number;
}

/** One bearer token and the keys it may use (`*`: every key). */
export interface FakeGcpPrincipal {
  readonly keys: readonly string[] | '*';
}

export class FakeGcpKms {
  readonly calls: FakeGcpKmsCall[] = [];
  /** Raw request bodies (tests check that no plaintext leaks elsewhere). */
  readonly bodies: string[] = [];
  hang = false;
  private server?: Server;
  private readonly keys = new Map<string, Buffer>();
  private readonly principals = new Map<string, FakeGcpPrincipal>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly exchanges = new Map<string, string>();

  /** Creates a CryptoKey (as keyRings.cryptoKeys.create would) and returns its resource name. */
  createKey(project: string, location: string, ring: string, key: string): string {
    const name = `projects/${project}/locations/${location}/keyRings/${ring}/cryptoKeys/${key}`;
    this.keys.set(name, randomBytes(32));
    return name;
  }

  /** STS: a `subject_token` that exchanges for `accessToken`. */
  exchange(subjectToken: string, accessToken: string): void {
    this.exchanges.set(subjectToken, accessToken);
  }

  /** Lets `token` call KMS on `keys`. */
  allow(token: string, keys: readonly string[] | '*' = '*'): void {
    this.principals.set(token, { keys });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1 << 20) break;
      chunks.push(c as Buffer);
    }
    if (this.hang) {
      this.hanging.add(res);
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    this.bodies.push(body);
    const url = new URL(req.url ?? '/', 'http://fake');
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    const m = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+):(encrypt|decrypt)$/.exec(decodeURIComponent(url.pathname));
    const record = (status: number): void => {
      this.calls.push({ method: req.method ?? '', path: url.pathname, ...(m ? { action: m[2] as 'encrypt' | 'decrypt', key: m[1] } : {}), ...(token ? { token } : {}), status });
    };
    const send = (status: number, json: unknown): void => {
      record(status);
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(json));
    };
    const error = (code: number, status: string, message: string): void => send(code, { error: { code, message, status } });
    if (req.method === 'POST' && url.pathname === '/v1/token') {
      const form = new URLSearchParams(body);
      const access = this.exchanges.get(form.get('subject_token') ?? '');
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || !access) {
        record(400);
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'The subject token is invalid.' }));
        return;
      }
      return send(200, { access_token: access, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.method !== 'POST' || !m) return error(404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`);
    const [, name, action] = m;
    const principal = token ? this.principals.get(token) : undefined;
    if (!principal) return error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    const material = this.keys.get(name);
    const permission = action === 'encrypt' ? 'cloudkms.cryptoKeyVersions.useToEncrypt' : 'cloudkms.cryptoKeyVersions.useToDecrypt';
    if (principal.keys !== '*' && !principal.keys.includes(name)) return error(403, 'PERMISSION_DENIED', `Permission '${permission}' denied on resource '${name}' (or it may not exist).`);
    if (!material) return error(404, 'NOT_FOUND', `${name} not found.`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    if (action === 'encrypt') {
      const plaintext = typeof input.plaintext === 'string' ? Buffer.from(input.plaintext, 'base64') : undefined;
      if (!plaintext || plaintext.length === 0) return error(400, 'INVALID_ARGUMENT', 'Plaintext is required.');
      if (plaintext.length > 65536) return error(400, 'INVALID_ARGUMENT', 'Plaintext must be at most 65536 bytes.');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', material, iv);
      c.setAAD(Buffer.from(name));
      const ct = Buffer.concat([Buffer.from([1]), iv, c.update(plaintext), c.final(), c.getAuthTag()]);
      return send(200, { name: `${name}/cryptoKeyVersions/1`, ciphertext: ct.toString('base64'), verifiedPlaintextCrc32c: false });
    }
    const ct = typeof input.ciphertext === 'string' ? Buffer.from(input.ciphertext, 'base64') : Buffer.alloc(0);
    if (ct.length < 1 + 12 + 16 || ct[0] !== 1) return error(400, 'INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
    try {
      const d = createDecipheriv('aes-256-gcm', material, ct.subarray(1, 13));
      d.setAAD(Buffer.from(name));
      d.setAuthTag(ct.subarray(ct.length - 16));
      const plain = Buffer.concat([d.update(ct.subarray(13, ct.length - 16)), d.final()]);
      return send(200, { plaintext: plain.toString('base64'), usedPrimary: true });
    } catch {
      return error(400, 'INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
    }
  }
}
