/**
 * 1Password (`kind: onepassword`, legacy `1password`), as Atmos
 * (`pkg/store/providers/onepassword_store.go`, `onepassword_client.go`): a secret store by
 * default, addressed by reference. The key (or a declaration's `reference`) is a Go template
 * rendered with `.atmos_stack` and `.atmos_component` (`missingkey=error`); the result must be an
 * `op://vault/item[/section]/field` reference, or is made one with `op://<options.vault>/`; there
 * is no prefix or delimiter composition, and the default vault takes the prefix's place.
 *
 * Modes (`options.mode`): `connect` talks to a 1Password Connect server (`connect_host` +
 * `connect_token`, else `OP_CONNECT_HOST`/`OP_CONNECT_TOKEN`) through `@1password/connect`;
 * `service-account` uses the 1Password SDK (`@1password/sdk`) with `options.token`, else
 * `OP_SERVICE_ACCOUNT_TOKEN`; `auto` (default) picks Connect when both its settings are there,
 * else the service account, else fails. Credentials are read on first use, not at config load.
 *
 * Full CRUD as Atmos: `set` updates the field the reference names, adding it to the item, or
 * creating the item (category API Credential, a Concealed field named after the reference's last
 * segment); `delete` removes the field, then the item once it has no field left; a missing vault,
 * item or field is not an error. `has` matches the field by label or id without returning its
 * value. Fields match by label or id, case-insensitively; the section segment is ignored. There is
 * no listing (Atmos has none). Values: strings as they are, other values JSON; reads return the
 * text, except JSON maps and lists (and `""`), which decode.
 *
 * Where infrakey differs: "not found" is an HTTP 404 from Connect (Atmos matches words of the
 * message), and an unknown `mode` is refused at config load (Atmos: on first use).
 */
import { renderGoTemplate } from '../../stacks/go-template';
import { InfrakeyError, StoreError } from '../../errors';
import { memoizeAsync } from '../../async/memoize-async';
import { Secret } from '../../secret';
import { batchLabel, mapLimit } from '../kind-store';
import { backendError, isBackendWide, optionInvalid, STORE_ERROR_CODES, storeWhere, unreachable } from '../store-errors';
import { httpFailure, STORE_HTTP_LIMITS } from '../store-http';
import { defineStoreKind, KeyRuleError, type RawRead, type StoreBackend } from '../store-kind';
import { decodeStored, goJson, type ValueCodec } from '../value-codec';

/** The modes of `options.mode`. */
export const ONEPASSWORD_MODES = ['auto', 'connect', 'service-account'] as const;
export type OnePasswordMode = (typeof ONEPASSWORD_MODES)[number];

/**
 * infrakey's bound for one field value (1Password documents no field limit): secrets are small,
 * and the bound keeps requests bounded.
 */
export const ONEPASSWORD_MAX_VALUE_BYTES = 64 * 1024;

/** Longest wait for one 1Password SDK call (it talks to 1Password's servers itself). */
export const ONEPASSWORD_SDK_CALL_TIMEOUT_MS = 20_000;

/** Validated options of a 1Password store (credentials are read on first use). */
export interface OnePasswordOptions {
  readonly mode: OnePasswordMode;
  readonly vault: string;
  readonly token?: string;
  readonly connectHost?: string;
  readonly connectToken?: string;
}

/** Strings as they are, everything else JSON (Atmos `opStringValue`); reads keep text, decoding only maps, lists and `""`. */
export const onePasswordCodec: ValueCodec = {
  encoding: 'ssm-secret',
  encode: (value) => (typeof value === 'string' ? value : goJson(value)),
  decode: (raw) => decodeStored(raw, { scalars: 'text', strings: 'empty' }),
};

/** An `op://vault/item[/section]/field` reference split into what addressing needs. */
export interface OpReference {
  readonly vault: string;
  readonly item: string;
  readonly field: string;
}

/**
 * Renders a reference template and makes it a full `op://` reference (Atmos `renderReference`);
 * throws KeyRuleError for a bad template or a reference without vault.
 */
export function renderOpReference(raw: string, stack: string, component: string, vault: string): string {
  if (raw === '') throw new KeyRuleError('key cannot be empty', 'pass an op://vault/item/field reference');
  let rendered: string;
  try {
    rendered = renderGoTemplate(raw, { atmos_stack: stack, atmos_component: component }, { subject: '1Password reference', missing: 'error' });
  } catch (e) {
    if (!(e instanceof InfrakeyError)) throw e;
    throw new KeyRuleError(`invalid 1Password reference template "${raw}" (${e.code})`, 'use only {{ .atmos_stack }}, {{ .atmos_component }} and template functions in the reference');
  }
  const reference = rendered.trim();
  if (reference === '') throw new KeyRuleError(`invalid 1Password secret reference: "${raw}" rendered empty`, 'write the reference as op://vault/item/field');
  if (reference.startsWith('op://')) return reference;
  if (vault !== '') return `op://${vault}/${reference.replace(/^\/+/, '')}`;
  throw new KeyRuleError(
    `invalid 1Password secret reference: "${reference}" is not an \`op://vault/item/field\` reference and no default \`vault\` is set`,
    'write the reference as op://vault/item/field, or set the store\'s options.vault',
  );
}

/** Splits `op://vault/item[/section]/field` (Atmos `parseOPReference`); undefined when malformed. */
export function parseOpReference(reference: string): OpReference | undefined {
  const parts = reference.replace(/^op:\/\//, '').split('/');
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p.trim() === '')) return undefined;
  return { vault: parts[0], item: parts[1], field: parts[parts.length - 1] };
}

/** The 1Password kind. */
export const onePasswordKind = defineStoreKind<OnePasswordOptions>({
  name: 'onepassword',
  aliases: ['1password', 'onepassword'],
  secret: 'always',
  keys: {
    stackDelimiter: '-',
    finalDelimiter: '/',
    compose: ({ prefix, stack, component, key }) => renderOpReference(key, stack, component, prefix),
    rawKeyPath: (prefix, raw) => renderOpReference(raw, '', '', prefix),
    emptyScope: true,
  },
  codec: () => onePasswordCodec,
  maxValueBytes: () => ONEPASSWORD_MAX_VALUE_BYTES,
  prefix: (options) => options.vault,
  options(input) {
    const mode = (input.option('mode') || 'auto') as OnePasswordMode;
    if (!ONEPASSWORD_MODES.includes(mode)) {
      input.problem(`unknown 1Password mode "${mode}"`, `set stores.${input.name}.options.mode to one of: ${ONEPASSWORD_MODES.join(', ')}`, 'mode');
    }
    const token = input.option('token') || undefined;
    const connectToken = input.option('connect_token') || undefined;
    for (const t of [token, connectToken]) if (t) Secret.of(t, 'onepassword-token');
    return { mode, vault: input.option('vault') ?? '', token, connectHost: input.option('connect_host') || undefined, connectToken };
  },
  create: (setup) => new OnePasswordBackend(setup.name, setup.options, setup.env),
});

/** One reference to read, parsed. */
interface ReferenceRead {
  readonly reference: string;
  readonly ref: OpReference;
}

/** What a batch read of one reference gives: the value, `missing`, or the failure (not yet mapped). */
type ClientRead = { readonly value: string } | 'missing' | { readonly failure: unknown };

/** What the store needs from 1Password, by reference (Atmos `onePasswordClient`). */
interface OnePasswordClient {
  readonly label: string;
  /**
   * The fields' values, each `missing` when its vault, item or field does not exist. Batched:
   * Connect fetches each vault and item once for all the fields asked of it; the SDK resolves all
   * references in one call. Rejects only when nothing can be read (network, credentials).
   */
  resolveMany(reads: readonly ReferenceRead[]): Promise<Map<string, ClientRead>>;
  exists(ref: OpReference): Promise<boolean>;
  set(ref: OpReference, value: string): Promise<void>;
  remove(ref: OpReference): Promise<void>;
}

/** A 1Password store: the client of its mode, chosen and built on first use. */
class OnePasswordBackend implements StoreBackend {
  private readonly client = memoizeAsync(() => this.open());

  constructor(
    private readonly store: string,
    private readonly options: OnePasswordOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  endpointLabel(): string {
    const host = this.options.connectHost ?? this.env.OP_CONNECT_HOST;
    if (this.options.mode === 'connect' || (this.options.mode === 'auto' && host && (this.options.connectToken ?? this.env.OP_CONNECT_TOKEN))) return `1Password Connect ${host ?? ''}`.trim();
    return '1Password (service account)';
  }

  async readMany(references: readonly string[]): Promise<Map<string, RawRead>> {
    const out = new Map<string, RawRead>();
    const reads: ReferenceRead[] = [];
    for (const reference of references) {
      const ref = this.parse(reference);
      if (ref instanceof Error) out.set(reference, ref);
      else reads.push({ reference, ref });
    }
    if (reads.length === 0) return out;
    const client = await this.client();
    let results: Map<string, ClientRead>;
    try {
      results = await client.resolveMany(reads);
    } catch (e) {
      throw this.failure('resolve', batchLabel(reads.map((r) => r.reference)), client, e);
    }
    for (const { reference } of reads) {
      const r = results.get(reference) ?? 'missing';
      if (r === 'missing') out.set(reference, 'missing');
      else if ('value' in r) out.set(reference, { raw: r.value });
      else if (isBackendWide(httpFailure(r.failure))) throw this.failure('resolve', reference, client, r.failure);
      else out.set(reference, this.failure('resolve', reference, client, r.failure));
    }
    return out;
  }

  async write(reference: string, encoded: string): Promise<void> {
    await this.run('set', reference, (client, ref) => client.set(ref, encoded));
  }

  async remove(reference: string): Promise<void> {
    await this.run('delete', reference, (client, ref) => client.remove(ref));
  }

  async exists(reference: string): Promise<boolean> {
    return this.run('exists', reference, (client, ref) => client.exists(ref));
  }

  private async run<T>(operation: string, reference: string, fn: (client: OnePasswordClient, ref: OpReference) => Promise<T>): Promise<T> {
    const ref = this.parse(reference);
    if (ref instanceof Error) throw ref;
    const client = await this.client();
    try {
      return await fn(client, ref);
    } catch (e) {
      throw this.failure(operation, reference, client, e);
    }
  }

  private failure(operation: string, reference: string, client: OnePasswordClient, e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    return backendError(this.store, operation, reference, client.label, httpFailure(e));
  }

  private parse(reference: string): OpReference | StoreError {
    return (
      parseOpReference(reference) ??
      new StoreError({
        code: STORE_ERROR_CODES.KEY_INVALID,
        message: `store "${this.store}": invalid 1Password secret reference "${reference}" (want op://vault/item/field or op://vault/item/section/field)`,
        where: storeWhere(this.store),
        fix: 'write the reference with a vault, an item and a field, none of them empty',
      })
    );
  }

  /** Picks the mode's client (Atmos `newOnePasswordClient`); missing credentials fail here, on first use. */
  private async open(): Promise<OnePasswordClient> {
    const host = this.options.connectHost ?? (this.env.OP_CONNECT_HOST || undefined);
    const connectToken = this.options.connectToken ?? (this.env.OP_CONNECT_TOKEN || undefined);
    const saToken = this.options.token ?? (this.env.OP_SERVICE_ACCOUNT_TOKEN || undefined);
    const connect = host !== undefined && connectToken !== undefined;
    const mode = this.options.mode;
    if (mode === 'connect' || (mode === 'auto' && connect)) {
      if (!connect) throw this.noAuth('connect mode needs connect_host and connect_token (or OP_CONNECT_HOST and OP_CONNECT_TOKEN)');
      if (!/^https?:\/\/[^/]/.test(host)) {
        throw optionInvalid(this.store, 'the 1Password Connect host must be an http:// or https:// URL', `set stores.${this.store}.options.connect_host (or OP_CONNECT_HOST) to e.g. http://op-connect:8080`, `stores.${this.store}.options.connect_host`);
      }
      Secret.of(connectToken, 'onepassword-connect-token');
      return newConnectClient(this.store, host, connectToken);
    }
    if (saToken === undefined) {
      throw this.noAuth(mode === 'service-account' ? 'service-account mode needs options.token or OP_SERVICE_ACCOUNT_TOKEN' : 'set OP_CONNECT_HOST and OP_CONNECT_TOKEN (Connect), or OP_SERVICE_ACCOUNT_TOKEN (service account)');
    }
    Secret.of(saToken, 'onepassword-service-account-token');
    return newSdkClient(this.store, saToken);
  }

  private noAuth(detail: string): StoreError {
    return new StoreError({
      code: STORE_ERROR_CODES.AUTH_FAILED,
      message: `store "${this.store}": no 1Password credentials found: ${detail}`,
      where: storeWhere(this.store),
      fix: `set stores.${this.store}.options (connect_host/connect_token or token), or export OP_CONNECT_HOST and OP_CONNECT_TOKEN, or OP_SERVICE_ACCOUNT_TOKEN`,
    });
  }
}

/** Items fetched at once by a Connect batch read. */
const CONNECT_PARALLEL_ITEMS = 8;

/** SDK resolve errors that mean the vault, item or field does not exist. */
const SDK_NOT_FOUND = new Set(['vaultNotFound', 'itemNotFound', 'fieldNotFound', 'noMatchingSections']);

/** True when a field's label or id is the reference's field (Atmos `fieldMatches`). */
function fieldMatches(label: string | undefined, id: string | undefined, field: string): boolean {
  const f = field.toLowerCase();
  return (label ?? '').toLowerCase() === f || (id ?? '').toLowerCase() === f;
}

function isNotFound(e: unknown): boolean {
  return httpFailure(e).$metadata?.httpStatusCode === 404;
}

/** The Connect mode: 1Password Connect's REST API through `@1password/connect`. */
async function newConnectClient(store: string, host: string, token: string): Promise<OnePasswordClient> {
  const { OnePasswordConnect, ItemBuilder, ItemCategory, FieldType } = await import('@1password/connect');
  const op = OnePasswordConnect({ serverURL: host, token, keepAlive: false, timeout: STORE_HTTP_LIMITS.requestTimeoutMs });
  type FullItem = Awaited<ReturnType<typeof op.getItem>>;
  // Vault ids by title or id, for this store's life: one lookup per vault, not one per read. A
  // missing vault or a failure is not kept (the next call asks again).
  const vaultIds = new Map<string, Promise<string | undefined>>();
  /** The vault's id, or undefined when no vault has that id or title. */
  const vaultId = (query: string): Promise<string | undefined> => {
    const known = vaultIds.get(query);
    if (known) return known;
    const lookup = op.getVault(query).then(
      (v) => v.id,
      (e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      },
    );
    vaultIds.set(query, lookup);
    lookup.then(
      (id) => id === undefined && vaultIds.delete(query),
      () => vaultIds.delete(query),
    );
    return lookup;
  };
  const item = async (ref: OpReference): Promise<{ vault: string; item?: FullItem } | undefined> => {
    const vault = await vaultId(ref.vault);
    if (vault === undefined) return undefined;
    try {
      return { vault, item: await op.getItem(vault, ref.item) };
    } catch (e) {
      if (isNotFound(e)) return { vault };
      throw e;
    }
  };
  const fieldIndex = (it: FullItem, field: string) => (it.fields ?? []).findIndex((f) => f && fieldMatches(f.label, f.id, field));
  return {
    label: `1Password Connect ${host}`,
    async resolveMany(reads) {
      // One item fetch for all the fields asked of it (several secrets often share an item).
      const groups = new Map<string, ReferenceRead[]>();
      for (const r of reads) {
        const k = `${r.ref.vault}\u0000${r.ref.item}`;
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      const out = new Map<string, ClientRead>();
      await mapLimit([...groups.values()], CONNECT_PARALLEL_ITEMS, async (group) => {
        let it: FullItem | undefined;
        try {
          it = (await item(group[0].ref))?.item;
        } catch (failure) {
          if (isBackendWide(httpFailure(failure))) throw failure;
          for (const r of group) out.set(r.reference, { failure });
          return;
        }
        for (const r of group) {
          const i = it ? fieldIndex(it, r.ref.field) : -1;
          out.set(r.reference, i < 0 ? 'missing' : { value: it!.fields![i].value ?? '' });
        }
      });
      return out;
    },
    async exists(ref) {
      const it = (await item(ref))?.item;
      return it !== undefined && fieldIndex(it, ref.field) >= 0;
    },
    async set(ref, value) {
      const found = await item(ref);
      if (!found) throw vaultMissing(store, ref);
      if (!found.item) {
        const created = new ItemBuilder().setCategory(ItemCategory.APICredential).setTitle(ref.item).setVault(found.vault).addField({ label: ref.field, type: FieldType.Concealed, value }).build();
        await op.createItem(found.vault, created);
        return;
      }
      const it = found.item;
      const i = fieldIndex(it, ref.field);
      if (i >= 0) it.fields![i].value = value;
      else (it.fields ??= []).push({ label: ref.field, type: FieldType.Concealed, value } as NonNullable<FullItem['fields']>[number]);
      await op.updateItem(found.vault, it);
    },
    async remove(ref) {
      const found = await item(ref);
      const it = found?.item;
      if (!found || !it) return;
      const i = fieldIndex(it, ref.field);
      if (i < 0) return;
      it.fields!.splice(i, 1);
      if (it.fields!.length === 0) await op.deleteItemById(found.vault, it.id!);
      else await op.updateItem(found.vault, it);
    },
  };
}

/**
 * The service-account mode: the 1Password SDK, which talks to 1Password's servers itself (a
 * WebAssembly core). Each call is bounded by {@link ONEPASSWORD_SDK_CALL_TIMEOUT_MS}.
 */
async function newSdkClient(store: string, token: string): Promise<OnePasswordClient> {
  const label = '1Password (service account)';
  const sdk = await import('@1password/sdk');
  const within = <T>(p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unreachable(store, label, `no answer within ${ONEPASSWORD_SDK_CALL_TIMEOUT_MS} ms`)), ONEPASSWORD_SDK_CALL_TIMEOUT_MS);
      timer.unref();
    });
    return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
  };
  let client: Awaited<ReturnType<typeof sdk.createClient>>;
  try {
    client = await within(sdk.createClient({ auth: token, integrationName: 'infrakey', integrationVersion: '1.0.0' }));
  } catch (e) {
    if (e instanceof StoreError) throw e;
    // The SDK's text can quote what it was given; only the failure's kind is shown.
    throw new StoreError({
      code: STORE_ERROR_CODES.AUTH_FAILED,
      message: `store "${store}": the 1Password SDK refused the service account token (${sdkFailureKind(e)})`,
      where: storeWhere(store),
      fix: 'check OP_SERVICE_ACCOUNT_TOKEN (or options.token): it must be a current service account token (ops_...)',
    });
  }
  const vaultId = async (query: string): Promise<string | undefined> => (await within(client.vaults.list())).find((v) => v.id === query || v.title.toLowerCase() === query.toLowerCase())?.id;
  const itemId = async (vault: string, query: string): Promise<string | undefined> =>
    (await within(client.items.list(vault))).find((i) => i.id === query || i.title.toLowerCase() === query.toLowerCase())?.id;
  const locate = async (ref: OpReference) => {
    const vault = await vaultId(ref.vault);
    const item = vault === undefined ? undefined : await itemId(vault, ref.item);
    return { vault, item };
  };
  return {
    label,
    async resolveMany(reads) {
      const res = await within(client.secrets.resolveAll(reads.map((r) => r.reference)));
      const out = new Map<string, ClientRead>();
      for (const { reference } of reads) {
        const one = res.individualResponses[reference];
        if (one?.content !== undefined) out.set(reference, { value: one.content.secret });
        else if (one?.error !== undefined && SDK_NOT_FOUND.has(one.error.type)) out.set(reference, 'missing');
        // The error's type only: its message can quote the reference's parts.
        else out.set(reference, { failure: { name: one?.error?.type ?? 'SdkError' } });
      }
      return out;
    },
    async exists(ref) {
      const { vault, item } = await locate(ref);
      if (vault === undefined || item === undefined) return false;
      const it = await within(client.items.get(vault, item));
      return it.fields.some((f) => fieldMatches(f.title, f.id, ref.field));
    },
    async set(ref, value) {
      const { vault, item } = await locate(ref);
      if (vault === undefined) throw vaultMissing(store, ref);
      if (item === undefined) {
        await within(client.items.create({ vaultId: vault, title: ref.item, category: sdk.ItemCategory.ApiCredentials, fields: [{ id: ref.field, title: ref.field, fieldType: sdk.ItemFieldType.Concealed, value }] }));
        return;
      }
      const it = await within(client.items.get(vault, item));
      const f = it.fields.find((x) => fieldMatches(x.title, x.id, ref.field));
      if (f) f.value = value;
      else it.fields.push({ id: ref.field, title: ref.field, fieldType: sdk.ItemFieldType.Concealed, value });
      await within(client.items.put(it));
    },
    async remove(ref) {
      const { vault, item } = await locate(ref);
      if (vault === undefined || item === undefined) return;
      const it = await within(client.items.get(vault, item));
      const i = it.fields.findIndex((x) => fieldMatches(x.title, x.id, ref.field));
      if (i < 0) return;
      it.fields.splice(i, 1);
      if (it.fields.length === 0) await within(client.items.delete(vault, item));
      else await within(client.items.put(it));
    },
  };
}

/** `set` into a vault that does not exist, or that the credentials cannot see (Atmos: not found). */
function vaultMissing(store: string, ref: OpReference): StoreError {
  return new StoreError({
    code: STORE_ERROR_CODES.KEY_NOT_FOUND,
    message: `store "${store}": 1Password vault "${ref.vault}" not found (no vault with that title or id is visible to these credentials)`,
    where: storeWhere(store),
    fix: `create vault "${ref.vault}", grant the Connect token or service account access to it, or fix the reference's vault`,
  });
}

/** The SDK's failure class, or a fixed word: never its message. */
function sdkFailureKind(e: unknown): string {
  const name = (e as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== 'Error' && /^[A-Za-z]+$/.test(name) ? name : 'SdkError';
}
