/**
 * GitHub Actions secrets (`kind: github/actions`, legacy `github-actions`), as Atmos
 * (`pkg/store/providers/github_actions_store.go`): a secret store by default. Secret names are
 * flat and repository-wide: `[PREFIX_]KEY` upper-cased with every character outside `[A-Z0-9_]`
 * turned into `_`; stack and component do not take part (§5.3). A name must match
 * `^[A-Z_][A-Z0-9_]*$` and must not start with `GITHUB_`.
 *
 * Writes, existence, deletes and listing go through GitHub's REST API (Octokit): the value is
 * sealed (libsodium sealed box) with the repository's, or the environment's, public key before it
 * leaves the process. GitHub never returns a secret's value, so reads work only inside a GitHub
 * Actions runner (`GITHUB_ACTIONS=true`) or with `options.ci.enabled: true`, from the environment
 * variable of the same name that the workflow maps (`env: NAME: ${{ secrets.NAME }}`); anywhere
 * else a read fails with STORE_VALUE_UNREADABLE. Values: strings as they are, everything else
 * JSON; reads JSON-decode, else the raw text.
 *
 * Token: `options.token`, else `ATMOS_PRO_GITHUB_TOKEN`, `ATMOS_GITHUB_TOKEN`, `GITHUB_TOKEN`.
 * API: `options.api_url` (an infrakey addition for GitHub Enterprise Server), else
 * `GITHUB_API_URL` (set by every runner), else `https://api.github.com`.
 */
import type { Octokit } from '@octokit/rest' with { 'resolution-mode': 'import' };
import { memoizeAsync } from '../../async/memoize-async';
import { StoreError } from '../../errors';
import { redactor, Secret } from '../../secret';
import { backendError, STORE_ERROR_CODES, storeWhere } from '../store-errors';
import { boundedFetch, httpFailure } from '../store-http';
import { defineStoreKind, KeyRuleError, type RawRead, type StoreBackend } from '../store-kind';
import { decodeJsonOrRaw, goJson, type ValueCodec } from '../value-codec';

/** GitHub's limit for one secret value (48 KB). */
export const GITHUB_SECRET_MAX_BYTES = 48 * 1024;

/** Pages of 100 names read by `list` at most (GitHub keeps at most 100 secrets per repository or environment). */
const MAX_LIST_PAGES = 20;

/** Token variables, in Atmos's order. */
const TOKEN_VARIABLES = ['ATMOS_PRO_GITHUB_TOKEN', 'ATMOS_GITHUB_TOKEN', 'GITHUB_TOKEN'] as const;

/** Validated options of a GitHub Actions store. */
export interface GithubActionsOptions {
  readonly owner: string;
  readonly repo: string;
  readonly environment?: string;
  readonly prefix: string;
  readonly token?: string;
  readonly apiUrl: string;
  readonly ciEnabled: boolean;
}

/** Strings as they are, everything else JSON (Atmos `githubSecretStringValue`); reads JSON-decode, else raw. */
export const githubSecretCodec: ValueCodec = {
  encoding: 'json-or-raw',
  encode: (value) => (typeof value === 'string' ? value : goJson(value)),
  decode: decodeJsonOrRaw,
};

/** Atmos `toEnvIdentifier`: upper-case, every character outside `[A-Z0-9_]` becomes `_`. */
export function toEnvIdentifier(s: string): string {
  let out = '';
  for (const ch of s) out += /^[a-z]$/.test(ch) ? ch.toUpperCase() : /^[A-Z0-9_]$/.test(ch) ? ch : '_';
  return out;
}

/** The GitHub secret name of a key (Atmos `githubSecretName`); throws KeyRuleError for names GitHub refuses. */
export function githubSecretName(prefix: string, key: string): string {
  if (key === '') throw new KeyRuleError('key cannot be empty', 'pass a non-empty key');
  const name = toEnvIdentifier(prefix !== '' ? `${prefix}_${key}` : key);
  if (name.startsWith('GITHUB_')) {
    throw new KeyRuleError(`invalid GitHub secret name "${name}" (names must not start with the GITHUB_ prefix)`, 'rename the key, or set options.prefix so that the name does not start with GITHUB_');
  }
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) {
    throw new KeyRuleError(`invalid GitHub secret name "${name}" (must match [A-Z_][A-Z0-9_]*)`, 'use a key that does not start with a digit');
  }
  return name;
}

/** The GitHub Actions kind. */
export const githubActionsKind = defineStoreKind<GithubActionsOptions>({
  name: 'github/actions',
  aliases: ['github-actions'],
  secret: 'always',
  keys: {
    stackDelimiter: '-',
    finalDelimiter: '/',
    compose: ({ prefix, key }) => githubSecretName(prefix, key),
    rawKeyPath: (prefix, raw) => githubSecretName(prefix, raw),
    emptyScope: true,
  },
  codec: () => githubSecretCodec,
  maxValueBytes: () => GITHUB_SECRET_MAX_BYTES,
  options(input) {
    const owner = input.option('owner') ?? '';
    const repo = input.option('repo') ?? '';
    if (owner === '' || repo === '') {
      input.problem('GitHub owner and repo are required: set options.owner and options.repo', `set stores.${input.name}.options.owner and stores.${input.name}.options.repo`, owner === '' ? 'owner' : 'repo');
    }
    const ci = input.options.ci;
    let ciEnabled = false;
    if (ci !== undefined && ci !== null) {
      const enabled = typeof ci === 'object' && !Array.isArray(ci) ? (ci as Record<string, unknown>).enabled : undefined;
      if (typeof ci !== 'object' || Array.isArray(ci) || (enabled !== undefined && typeof enabled !== 'boolean')) {
        input.problem('options.ci must be a map with enabled: true or false', `write stores.${input.name}.options.ci as {enabled: true}`, 'ci');
      } else ciEnabled = enabled === true;
    }
    const token = (input.option('token') ?? '').trim() || undefined;
    if (token) Secret.of(token, 'github-token');
    const apiUrl = (input.option('api_url') || input.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(apiUrl)) input.problem('options.api_url must be an http(s) URL', `set stores.${input.name}.options.api_url to e.g. https://github.example.com/api/v3`, 'api_url');
    return { owner, repo, environment: input.option('environment') || undefined, prefix: input.option('prefix') ?? '', token, apiUrl, ciEnabled };
  },
  create: (setup) => new GithubActionsBackend(setup.name, setup.options, setup.env, (setup.hooks.byKind?.['github/actions'] as GithubActionsHooks | undefined)?.notice),
});

/** Hooks of the kind (`StoreHooks.byKind['github/actions']`): where its notices go (default stderr, masked). */
export interface GithubActionsHooks {
  readonly notice?: (line: string) => void;
}

/** The public key secrets are sealed with. */
interface PublicKey {
  readonly keyId: string;
  readonly key: Uint8Array;
}

/** One GitHub Actions store: the API for writes, the runner's environment for reads. */
class GithubActionsBackend implements StoreBackend {
  private readonly client = memoizeAsync(() => this.open());
  private readonly publicKey = memoizeAsync(() => this.fetchPublicKey());
  private aligned = false;

  constructor(
    private readonly store: string,
    private readonly options: GithubActionsOptions,
    private readonly env: NodeJS.ProcessEnv,
    private readonly notice: (line: string) => void = (line) => void process.stderr.write(`${redactor.maskMessage(line)}\n`),
  ) {}

  endpointLabel(): string {
    const scope = this.options.environment ? ` environment ${this.options.environment}` : '';
    return `${this.options.apiUrl} (${this.options.owner}/${this.options.repo}${scope})`;
  }

  /** The value from the runner's environment (GitHub's API never returns secret values). */
  async readOne(name: string): Promise<RawRead> {
    const where = this.options.environment ? `ensure the job declares \`environment: ${this.options.environment}\` and maps \`secrets.${name}\` into \`env:\`` : `map \`secrets.${name}\` into the job \`env:\``;
    if (!this.options.ciEnabled && this.env.GITHUB_ACTIONS !== 'true') {
      return new StoreError({
        code: STORE_ERROR_CODES.VALUE_UNREADABLE,
        message: `store "${this.store}": GitHub Actions secret value is not readable outside a GitHub Actions runner: "${name}"`,
        where: storeWhere(this.store),
        fix: `read it inside a workflow job (${where}), or set stores.${this.store}.options.ci.enabled: true where the variable is set`,
      });
    }
    this.checkAlignment();
    const raw = this.env[name];
    return raw === undefined ? 'missing' : { raw };
  }

  /**
   * Once per store, as Atmos: a job of another repository maps that repository's secrets, not
   * this store's (a notice, not an error: reusable workflows run in the caller's repository).
   */
  private checkAlignment(): void {
    if (this.aligned) return;
    this.aligned = true;
    const running = this.env.GITHUB_REPOSITORY;
    const wanted = `${this.options.owner}/${this.options.repo}`;
    if (running && running.toLowerCase() !== wanted.toLowerCase()) {
      this.notice(`warning: store "${this.store}" holds the secrets of ${wanted}, but this job runs in ${running}: the values read come from ${running}'s secrets`);
    }
  }

  async write(name: string, encoded: string): Promise<void> {
    const key = await this.publicKey();
    const sodium = await loadSodium();
    const sealed = Buffer.from(sodium.crypto_box_seal(Buffer.from(encoded, 'utf8'), key.key)).toString('base64');
    await this.api('put secret', name, (gh) =>
      this.options.environment
        ? gh.rest.actions.createOrUpdateEnvironmentSecret({ ...this.repo(), environment_name: this.options.environment, secret_name: name, encrypted_value: sealed, key_id: key.keyId })
        : gh.rest.actions.createOrUpdateRepoSecret({ ...this.repo(), secret_name: name, encrypted_value: sealed, key_id: key.keyId }),
    );
  }

  async exists(name: string): Promise<boolean> {
    const found = await this.api('get secret', name, (gh) =>
      this.options.environment ? gh.rest.actions.getEnvironmentSecret({ ...this.repo(), environment_name: this.options.environment, secret_name: name }) : gh.rest.actions.getRepoSecret({ ...this.repo(), secret_name: name }),
      true,
    );
    return found !== undefined;
  }

  async remove(name: string): Promise<void> {
    await this.api('delete secret', name, (gh) =>
      this.options.environment ? gh.rest.actions.deleteEnvironmentSecret({ ...this.repo(), environment_name: this.options.environment, secret_name: name }) : gh.rest.actions.deleteRepoSecret({ ...this.repo(), secret_name: name }),
      true,
    );
  }

  /** Every secret name of the repository (or environment), the prefix removed; stack and component do not apply. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const res = await this.api('list secrets', undefined, (gh) =>
        this.options.environment
          ? gh.rest.actions.listEnvironmentSecrets({ ...this.repo(), environment_name: this.options.environment, per_page: 100, page })
          : gh.rest.actions.listRepoSecrets({ ...this.repo(), per_page: 100, page }),
      );
      const secrets = res?.data.secrets ?? [];
      names.push(...secrets.map((s) => s.name));
      if (secrets.length < 100) break;
    }
    const prefix = this.options.prefix !== '' ? `${toEnvIdentifier(this.options.prefix)}_` : '';
    return prefix === '' ? names : names.filter((n) => n.startsWith(prefix) && n.length > prefix.length).map((n) => n.slice(prefix.length));
  }

  private repo(): { owner: string; repo: string } {
    return { owner: this.options.owner, repo: this.options.repo };
  }

  private async fetchPublicKey(): Promise<PublicKey> {
    const res = await this.api('get public key', undefined, (gh) =>
      this.options.environment ? gh.rest.actions.getEnvironmentPublicKey({ ...this.repo(), environment_name: this.options.environment }) : gh.rest.actions.getRepoPublicKey({ ...this.repo() }),
    );
    const key = Buffer.from(res?.data.key ?? '', 'base64');
    const keyId = res?.data.key_id;
    if (key.length !== 32 || typeof keyId !== 'string' || keyId === '') {
      throw backendError(this.store, 'get public key', undefined, this.endpointLabel(), { name: 'InvalidPublicKey' });
    }
    return { keyId, key };
  }

  /**
   * One API call, its failure mapped without GitHub's text; with `notFoundIsUndefined` a 404
   * answers undefined (missing secret).
   */
  private async api<T>(operation: string, name: string | undefined, fn: (gh: Octokit) => Promise<T>, notFoundIsUndefined = false): Promise<T | undefined> {
    const gh = await this.client();
    try {
      return await fn(gh);
    } catch (e) {
      const failure = httpFailure(e);
      if (notFoundIsUndefined && failure.$metadata?.httpStatusCode === 404) return undefined;
      throw backendError(this.store, operation, name, this.endpointLabel(), failure);
    }
  }

  private async open(): Promise<Octokit> {
    const token = this.options.token ?? TOKEN_VARIABLES.map((v) => (this.env[v] ?? '').trim()).find((t) => t !== '');
    if (!token) {
      throw new StoreError({
        code: STORE_ERROR_CODES.AUTH_FAILED,
        message: `store "${this.store}": no GitHub token for ${this.options.owner}/${this.options.repo}`,
        where: storeWhere(this.store),
        fix: `set stores.${this.store}.options.token, or export GITHUB_TOKEN (or ATMOS_GITHUB_TOKEN) with the "secrets" repository permission`,
      });
    }
    Secret.of(token, 'github-token');
    const { Octokit } = await import('@octokit/rest');
    const silent = (): void => undefined;
    return new Octokit({ auth: token, baseUrl: this.options.apiUrl, userAgent: 'infrakey', request: { fetch: boundedFetch() }, log: { debug: silent, info: silent, warn: silent, error: silent } });
  }
}

type Sodium = typeof import('libsodium-wrappers');

/** libsodium, loaded and initialised once. */
const loadSodium = memoizeAsync(async (): Promise<Sodium> => {
  const mod = (await import('libsodium-wrappers')) as Sodium & { default?: Sodium };
  const sodium = mod.default ?? mod;
  await sodium.ready;
  return sodium;
});
