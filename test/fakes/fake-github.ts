/**
 * FAKE GitHub REST API for Actions secrets, written from GitHub's "REST API endpoints for GitHub
 * Actions secrets" documents: the repository and environment public keys
 * (`GET .../secrets/public-key` → `{key_id, key}`, a real Curve25519 key pair made with
 * libsodium), create or update (`PUT .../secrets/{name}` with `{encrypted_value, key_id}`: 201
 * created, 204 updated; 422 for a wrong key id, a box that does not open, a name GitHub refuses or
 * a value over 48 KB), get (metadata only, 404 when missing), delete (204; 404 when missing) and
 * list (`?per_page&page` → `{total_count, secrets}`). Auth: `Authorization: token|Bearer <token>`
 * (401 `{"message":"Bad credentials"}` otherwise). The fake keeps what GitHub keeps, the sealed
 * value; {@link FakeGithub.open} opens it with the private key so tests check what was sent.
 */
import sodium from 'libsodium-wrappers';
import { FakeHttpServer, type FakeRequest, type FakeResponse } from './fake-http';

interface StoredSecret {
  encrypted: string;
  createdAt: string;
  updatedAt: string;
}

/** One scope's secrets and key pair (the repository, or one environment). */
interface Scope {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
  readonly secrets: Map<string, StoredSecret>;
}

/** FAKE GitHub. */
export class FakeGithub {
  readonly token = `ghp_fake${Math.random().toString(36).slice(2)}`;
  readonly http = new FakeHttpServer((req) => this.handle(req));
  private readonly scopes = new Map<string, Scope>();

  constructor(
    readonly owner = 'acme',
    readonly repo = 'infra',
    private readonly environments: string[] = ['production'],
  ) {}

  async start(): Promise<string> {
    await sodium.ready;
    for (const scope of ['', ...this.environments]) {
      const pair = sodium.crypto_box_keypair();
      this.scopes.set(scope, { keyId: `${scope || 'repo'}-key-${Math.random().toString(36).slice(2, 8)}`, publicKey: pair.publicKey, privateKey: pair.privateKey, secrets: new Map() });
    }
    return this.http.start();
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** The plaintext of a stored secret, opened with the scope's private key; undefined when absent. */
  open(name: string, environment = ''): string | undefined {
    const scope = this.scopes.get(environment)!;
    const s = scope.secrets.get(name);
    return s === undefined ? undefined : sodium.to_string(sodium.crypto_box_seal_open(Buffer.from(s.encrypted, 'base64'), scope.publicKey, scope.privateKey));
  }

  /** The sealed value as stored (base64). */
  sealed(name: string, environment = ''): string | undefined {
    return this.scopes.get(environment)?.secrets.get(name)?.encrypted;
  }

  /**
   * A runner's environment: every secret of the scope mapped into a variable of the same name, as
   * a workflow's `env: NAME: ${{ secrets.NAME }}` does, and `GITHUB_ACTIONS=true`. Live: it
   * reflects later writes.
   */
  runnerEnv(environment = ''): NodeJS.ProcessEnv {
    return new Proxy({} as NodeJS.ProcessEnv, {
      get: (_t, prop) => (prop === 'GITHUB_ACTIONS' ? 'true' : typeof prop === 'string' ? this.open(prop, environment) : undefined),
      has: (_t, prop) => prop === 'GITHUB_ACTIONS' || (typeof prop === 'string' && this.scopes.get(environment)!.secrets.has(prop)),
    });
  }

  private handle(req: FakeRequest): FakeResponse {
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/environments\/([^/]+))?\/(?:actions\/)?secrets(?:\/([^/]+))?$/.exec(req.path);
    const envForm = m?.[3] !== undefined;
    // Repository secrets live under /actions/secrets, environment secrets under /environments/{env}/secrets.
    if (!m || m[1] !== this.owner || m[2] !== this.repo || envForm === req.path.includes('/actions/')) return notFound();
    const scope = this.scopes.get(m[3] ?? '');
    if (!scope) return notFound();
    const name = m[4];
    if (name === undefined) {
      if (req.method !== 'GET') return notFound();
      const perPage = Math.min(Number(req.query.get('per_page') ?? 30), 100);
      const page = Math.max(Number(req.query.get('page') ?? 1), 1);
      const all = [...scope.secrets.entries()].sort(([a], [b]) => a.localeCompare(b));
      const secrets = all.slice((page - 1) * perPage, page * perPage).map(([n, s]) => ({ name: n, created_at: s.createdAt, updated_at: s.updatedAt }));
      return { status: 200, body: { total_count: all.length, secrets } };
    }
    if (name === 'public-key' && req.method === 'GET') return { status: 200, body: { key_id: scope.keyId, key: Buffer.from(scope.publicKey).toString('base64') } };
    const existing = scope.secrets.get(name);
    if (req.method === 'GET') return existing ? { status: 200, body: { name, created_at: existing.createdAt, updated_at: existing.updatedAt } } : notFound();
    if (req.method === 'DELETE') {
      if (!existing) return notFound();
      scope.secrets.delete(name);
      return { status: 204 };
    }
    if (req.method === 'PUT') {
      let body: { encrypted_value?: unknown; key_id?: unknown };
      try {
        body = JSON.parse(req.body.toString('utf8')) as typeof body;
      } catch {
        return invalid('Problems parsing JSON');
      }
      if (!/^[A-Z_][A-Z0-9_]*$/i.test(name) || /^GITHUB_/i.test(name)) return invalid('Secret names can only contain alphanumeric characters or underscores and must not start with GITHUB_');
      if (body.key_id !== scope.keyId || typeof body.encrypted_value !== 'string') return invalid('Bad key id or encrypted value');
      let plain: Uint8Array;
      try {
        plain = sodium.crypto_box_seal_open(Buffer.from(body.encrypted_value, 'base64'), scope.publicKey, scope.privateKey);
      } catch {
        return invalid('The encrypted value does not open with the public key');
      }
      if (plain.length > 48 * 1024) return invalid('Secret values are limited to 48 KB');
      const now = new Date().toISOString();
      scope.secrets.set(name.toUpperCase(), { encrypted: body.encrypted_value, createdAt: existing?.createdAt ?? now, updatedAt: now });
      return { status: existing ? 204 : 201, body: existing ? undefined : {} };
    }
    return notFound();
  }
}

const notFound = (): FakeResponse => ({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });
const invalid = (message: string): FakeResponse => ({ status: 422, body: { message } });
