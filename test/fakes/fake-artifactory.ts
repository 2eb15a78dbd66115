/**
 * FAKE JFrog Artifactory, written from JFrog's Artifactory REST API documents, under the context
 * path `/artifactory`: Deploy Artifact (`PUT /<repo>/<path>`, 201, `X-Checksum-Sha1`/`-Sha256`
 * verified when sent, 409 on mismatch), Retrieve Artifact (`GET`, 404 when missing), Delete Item
 * (`DELETE`, 204; 404 when missing), File Info (`GET /api/storage/<repo>/<path>`, folders answer
 * `children`) and File List (`GET /api/storage/<repo>/<folder>?list&deep=1&listFolders=0`, `files`
 * with `uri` relative to the folder). Access tokens as `Authorization: Bearer`; anonymous reads
 * only when `anonymousRead` is set. Errors are `{"errors":[{"status":..,"message":..}]}`.
 */
import { createHash } from 'node:crypto';
import { FakeHttpServer, type FakeRequest, type FakeResponse } from './fake-http';

/** FAKE Artifactory. */
export class FakeArtifactory {
  readonly token = `artifactory-token-${Math.random().toString(36).slice(2)}`;
  /** Files by repository, then path inside it. */
  readonly repos = new Map<string, Map<string, Buffer>>();
  anonymousRead = false;
  readonly http = new FakeHttpServer((req) => this.handle(req));

  constructor(repos: string[] = ['atmos-values']) {
    for (const r of repos) this.repos.set(r, new Map());
  }

  /** Starts; returns the Artifactory URL (`http://127.0.0.1:<port>/artifactory`). */
  async start(): Promise<string> {
    return `${await this.http.start()}/artifactory`;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private handle(req: FakeRequest): FakeResponse {
    if (!req.path.startsWith('/artifactory/')) return error(404, 'Not Found');
    const authed = req.headers.authorization === `Bearer ${this.token}`;
    if (!authed && !(this.anonymousRead && req.method === 'GET')) return error(401, 'Bad credentials');
    const rest = req.path.slice('/artifactory/'.length);
    if (rest.startsWith('api/storage/')) return this.storage(rest.slice('api/storage/'.length), req);
    const [repo, ...segments] = rest.split('/');
    const files = this.repos.get(repo);
    if (!files) return error(404, `Repository ${repo} not found`);
    const path = segments.join('/');
    if (path === '') return error(400, 'Path required');
    if (req.method === 'PUT') {
      const sha1 = createHash('sha1').update(req.body).digest('hex');
      const sha256 = createHash('sha256').update(req.body).digest('hex');
      const sent1 = req.headers['x-checksum-sha1'];
      const sent256 = req.headers['x-checksum-sha256'];
      if ((sent1 !== undefined && sent1 !== sha1) || (sent256 !== undefined && sent256 !== sha256)) return error(409, 'Checksum mismatch');
      if ([...files.keys()].some((p) => path.startsWith(`${p}/`)) || isFolder(files, path)) return error(409, 'Path conflicts with a file or folder');
      files.set(path, Buffer.from(req.body));
      return { status: 201, body: { repo, path: `/${path}`, size: String(req.body.length), checksums: { sha1, sha256 }, uri: `/artifactory/api/storage/${repo}/${path}` } };
    }
    if (req.method === 'GET') {
      const data = files.get(path);
      return data ? { status: 200, body: data } : error(404, 'File not found.');
    }
    if (req.method === 'DELETE') {
      if (files.delete(path)) return { status: 204 };
      const under = [...files.keys()].filter((p) => p.startsWith(`${path}/`));
      for (const p of under) files.delete(p);
      return under.length > 0 ? { status: 204 } : error(404, 'Could not locate artifact');
    }
    return error(405, 'Method not allowed');
  }

  private storage(rest: string, req: FakeRequest): FakeResponse {
    if (req.method !== 'GET') return error(405, 'Method not allowed');
    const [repo, ...segments] = rest.split('/');
    const files = this.repos.get(repo);
    if (!files) return error(404, `Repository ${repo} not found`);
    const path = segments.filter((s) => s !== '').join('/');
    if (req.query.has('list')) {
      if (path !== '' && !isFolder(files, path)) return error(404, 'Not found');
      const deep = req.query.get('deep') === '1';
      const base = path === '' ? '' : `${path}/`;
      const listed = [...files.entries()]
        .filter(([p]) => p.startsWith(base) && (deep || !p.slice(base.length).includes('/')))
        .map(([p, data]) => ({ uri: `/${p.slice(base.length)}`, size: data.length, lastModified: new Date().toISOString(), folder: false, sha1: createHash('sha1').update(data).digest('hex') }));
      return { status: 200, body: { uri: `/artifactory/api/storage/${repo}/${path}`, created: new Date().toISOString(), files: listed } };
    }
    const data = files.get(path);
    if (data) return { status: 200, body: { repo, path: `/${path}`, size: String(data.length), checksums: { sha1: createHash('sha1').update(data).digest('hex') } } };
    if (isFolder(files, path)) {
      const children = new Set([...files.keys()].filter((p) => p.startsWith(`${path}/`)).map((p) => p.slice(path.length + 1).split('/')[0]));
      return { status: 200, body: { repo, path: `/${path}`, children: [...children].map((c) => ({ uri: `/${c}`, folder: !files.has(`${path}/${c}`) })) } };
    }
    return error(404, 'Unable to find item');
  }
}

function isFolder(files: Map<string, Buffer>, path: string): boolean {
  return [...files.keys()].some((p) => p.startsWith(`${path}/`));
}

const error = (status: number, message: string): FakeResponse => ({ status, body: { errors: [{ status, message }] } });
