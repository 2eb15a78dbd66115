/**
 * JFrog Artifactory (`kind: artifactory`): each value is one file in a repository, as Atmos stores
 * it (`pkg/store/providers/artifactory_store.go`). Paths are `repo_name/prefix/<stack parts>/
 * <component parts>/<key>` (§5.3); `!store.get` reads `repo_name/(prefix/)<raw>` with `.json`
 * appended when missing (Atmos's quirk, kept: `set`/`get` do not append it).
 *
 * Atmos uses JFrog's Go client; no maintained npm client covers deploy/retrieve/list (the JFrog
 * JavaScript client wraps Xray and an old axios), so this module speaks Artifactory's documented
 * REST API through the bounded {@link storeFetch}: Deploy Artifact (`PUT /<repo>/<path>` with
 * SHA-1/SHA-256 checksum headers), Retrieve Artifact (`GET`), Delete Item (`DELETE`), File Info
 * (`GET /api/storage/<repo>/<path>`) and File List (`GET /api/storage/<repo>/<folder>?list&deep=1`).
 * Atmos has no delete or has for Artifactory; infrakey adds them through the same API.
 *
 * Artifactory does not encrypt values at rest, so the registry refuses `secret: true`.
 * Auth: `options.access_token`, else `ARTIFACTORY_ACCESS_TOKEN`, else `JFROG_ACCESS_TOKEN` (a
 * bearer token); the literal `anonymous` sends none. No token at all refuses the config, as Atmos.
 */
import { createHash } from 'node:crypto';
import { Secret } from '../../secret';
import { keyInvalid, backendError } from '../store-errors';
import { HttpStatusError, httpFailure, isHttpUrl, storeFetch } from '../store-http';
import type { RawRead, StoreBackend } from '../store-kind';
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/**
 * infrakey's bound for one value (Artifactory itself takes files of gigabytes): store values are
 * configuration, and a bound keeps memory and time of a read bounded. Reads refuse larger files.
 */
export const ARTIFACTORY_MAX_VALUE_BYTES = 10 * 1024 * 1024;

/** Largest File List answer read (about 40,000 entries). */
const MAX_LIST_BYTES = 8 * 1024 * 1024;

/** Validated options of an Artifactory store. */
export interface ArtifactoryOptions {
  readonly url: string;
  readonly repoName: string;
  /** Undefined: anonymous (`access_token: anonymous`). */
  readonly token?: string;
}

/** The Artifactory kind. */
export const artifactoryKind = defineStoreKind<ArtifactoryOptions>({
  name: 'artifactory',
  aliases: ['artifactory'],
  secret: 'never',
  keys: {
    stackDelimiter: '/',
    finalDelimiter: '/',
    // GetKey: path.Join(repo_name, [prefix/]raw[.json]); the prefix here already starts with repo_name.
    rawKeyPath: (prefix, raw) => joinClean(`${prefix}/${raw.endsWith('.json') ? raw : `${raw}.json`}`),
    emptyScope: false,
  },
  codec: () => jsonCodec,
  maxValueBytes: () => ARTIFACTORY_MAX_VALUE_BYTES,
  // Atmos composes from `repo_name + "/" + prefix`.
  prefix: (options, configured) => `${options.repoName}/${configured}`,
  options(input) {
    const url = (input.option('url') ?? '').replace(/\/+$/, '');
    if (url === '') {
      input.problem('options.url is required (the Artifactory URL, e.g. https://example.jfrog.io/artifactory)', `set stores.${input.name}.options.url`, 'url');
    } else if (!isHttpUrl(url)) {
      input.problem('options.url must be an http:// or https:// URL', `set stores.${input.name}.options.url to e.g. https://example.jfrog.io/artifactory`, 'url');
    }
    const repoName = input.option('repo_name') ?? '';
    if (repoName === '') input.problem('options.repo_name is required', `set stores.${input.name}.options.repo_name to the repository that holds the values`, 'repo_name');
    else if (repoName.includes('/') || repoName === '.' || repoName === '..') input.problem('options.repo_name must be one repository key (no "/")', `set stores.${input.name}.options.repo_name to a repository key`, 'repo_name');
    // Atmos: an explicit access_token (even empty) wins over the environment.
    const explicit = input.option('access_token');
    const token = explicit ?? (input.env.ARTIFACTORY_ACCESS_TOKEN || input.env.JFROG_ACCESS_TOKEN || undefined);
    if (token === undefined) {
      input.problem(
        'no Artifactory access token: set options.access_token, or ARTIFACTORY_ACCESS_TOKEN or JFROG_ACCESS_TOKEN',
        `set stores.${input.name}.options.access_token (or "anonymous" for anonymous access), or export ARTIFACTORY_ACCESS_TOKEN`,
        'access_token',
      );
    }
    if (token) Secret.of(token, 'artifactory-token');
    return { url, repoName, token: token === 'anonymous' || token === '' ? undefined : token };
  },
  create: (setup) => new ArtifactoryBackend(setup.name, setup.options),
});

/** One Artifactory store's REST calls. */
class ArtifactoryBackend implements StoreBackend {
  constructor(
    private readonly store: string,
    private readonly options: ArtifactoryOptions,
  ) {}

  endpointLabel(): string {
    try {
      const u = new URL(this.options.url);
      u.username = '';
      u.password = '';
      return u.toString().replace(/\/$/, '');
    } catch {
      return '<invalid url>';
    }
  }

  async readOne(path: string): Promise<RawRead> {
    const segments = this.segments(path);
    if (segments instanceof Error) return segments;
    const res = await this.call('retrieve', path, `/${segments}`, { method: 'GET', maxResponseBytes: ARTIFACTORY_MAX_VALUE_BYTES });
    if (res.status === 404) return 'missing';
    if (res.status !== 200) return backendError(this.store, 'retrieve', path, this.endpointLabel(), new HttpStatusError(res.status));
    return { raw: res.body.toString('utf8') };
  }

  async write(path: string, encoded: string): Promise<void> {
    const segments = this.segments(path);
    if (segments instanceof Error) throw segments;
    const body = Buffer.from(encoded, 'utf8');
    const res = await this.call('deploy', path, `/${segments}`, {
      method: 'PUT',
      body,
      headers: {
        'content-type': 'application/json',
        'x-checksum-sha1': createHash('sha1').update(body).digest('hex'),
        'x-checksum-sha256': createHash('sha256').update(body).digest('hex'),
      },
      maxResponseBytes: 64 * 1024,
    });
    if (res.status !== 200 && res.status !== 201) throw backendError(this.store, 'deploy', path, this.endpointLabel(), new HttpStatusError(res.status));
  }

  async remove(path: string): Promise<void> {
    const segments = this.segments(path);
    if (segments instanceof Error) throw segments;
    const res = await this.call('delete', path, `/${segments}`, { method: 'DELETE', maxResponseBytes: 64 * 1024 });
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw backendError(this.store, 'delete', path, this.endpointLabel(), new HttpStatusError(res.status));
  }

  async exists(path: string): Promise<boolean> {
    const segments = this.segments(path);
    if (segments instanceof Error) throw segments;
    const res = await this.call('file info', path, `/api/storage/${segments}`, { method: 'GET', maxResponseBytes: 256 * 1024 });
    if (res.status === 404) return false;
    if (res.status !== 200) throw backendError(this.store, 'file info', path, this.endpointLabel(), new HttpStatusError(res.status));
    // A folder at the path is not a value.
    return !Array.isArray((parseJson(res.body) as { children?: unknown } | undefined)?.children);
  }

  /** Files under the scope folder, at any depth, relative to it (Atmos: search `scope/**`). */
  async list(scope: string): Promise<string[]> {
    const segments = this.segments(scope);
    if (segments instanceof Error) throw segments;
    const res = await this.call('file list', scope, `/api/storage/${segments}?list&deep=1&listFolders=0`, { method: 'GET', maxResponseBytes: MAX_LIST_BYTES });
    if (res.status === 404) return [];
    if (res.status !== 200) throw backendError(this.store, 'file list', scope, this.endpointLabel(), new HttpStatusError(res.status));
    const files = (parseJson(res.body) as { files?: unknown } | undefined)?.files;
    if (!Array.isArray(files)) throw backendError(this.store, 'file list', scope, this.endpointLabel(), { name: 'MalformedAnswer' });
    return files
      .filter((f): f is { uri: string; folder?: unknown } => typeof (f as { uri?: unknown }).uri === 'string' && (f as { folder?: unknown }).folder !== true)
      .map((f) => f.uri.replace(/^\/+/, ''))
      .filter((name) => name !== '');
  }

  /** The URL-encoded path, refusing `.`/`..` segments that would leave the repository. */
  private segments(path: string): string | Error {
    const parts = path.split('/');
    if (parts.some((p) => p === '.' || p === '..')) {
      return keyInvalid(this.store, `key path "${path}" has a "." or ".." segment, which would address outside repository "${this.options.repoName}"`);
    }
    return parts.map(encodeURIComponent).join('/');
  }

  private async call(operation: string, path: string, urlPath: string, req: Parameters<typeof storeFetch>[1]): Promise<{ status: number; body: Buffer }> {
    const headers = { ...req.headers, ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) };
    try {
      const res = await storeFetch(`${this.options.url}${urlPath}`, { ...req, headers });
      if (res.status === 401 || res.status === 403) throw new HttpStatusError(res.status);
      return res;
    } catch (e) {
      throw backendError(this.store, operation, path, this.endpointLabel(), e instanceof HttpStatusError ? e : httpFailure(e));
    }
  }
}

/**
 * Go's path.Join of one slash-separated path, except that `..` is kept (and then refused before
 * any request) instead of resolved: a raw key must not climb out of `repo_name`.
 */
function joinClean(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
