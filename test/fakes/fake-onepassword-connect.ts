/**
 * FAKE 1Password Connect server, written from 1Password's Connect server API reference
 * (`/v1/vaults`, `/v1/vaults/{vaultUUID}/items[/{itemUUID}]`): bearer-token auth (401 with
 * `{"status":401,"message":...}` otherwise), SCIM `filter=title eq "..."` (and `name eq` for
 * vaults) on the list calls, items with `fields` of `{id, label, type, purpose, value}`, ids of 26
 * lowercase letters and digits assigned by the server, `POST` to create, `PUT` to replace,
 * `DELETE` (204). Errors are `{"status": <code>, "message": "..."}`. Only what the store uses.
 */
import { FakeHttpServer, fakeId, type FakeRequest, type FakeResponse } from './fake-http';

/** A field as Connect stores it. */
export interface ConnectField {
  id: string;
  label?: string;
  type?: string;
  purpose?: string;
  value?: string;
  section?: { id: string };
}

/** An item as Connect stores it. */
export interface ConnectItem {
  id: string;
  title: string;
  category: string;
  vault: { id: string };
  fields: ConnectField[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** FAKE 1Password Connect. */
export class FakeOnePasswordConnect {
  readonly token = `connect-token-${fakeId()}`;
  /** Vaults by id. */
  readonly vaults = new Map<string, { id: string; name: string; items: Map<string, ConnectItem> }>();
  readonly http = new FakeHttpServer((req) => this.handle(req));

  /** Adds a vault; returns its id. */
  addVault(name: string): string {
    const id = fakeId();
    this.vaults.set(id, { id, name, items: new Map() });
    return id;
  }

  start(): Promise<string> {
    return this.http.start();
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** The stored item titled `title` in the vault named `vault` (for assertions). */
  item(vault: string, title: string): ConnectItem | undefined {
    const v = [...this.vaults.values()].find((x) => x.name === vault);
    return v && [...v.items.values()].find((i) => i.title === title);
  }

  private handle(req: FakeRequest): FakeResponse {
    if (req.headers.authorization !== `Bearer ${this.token}`) return error(401, 'Invalid token signature');
    const parts = req.path.replace(/^\/+|\/+$/g, '').split('/');
    if (parts[0] !== 'v1' || parts[1] !== 'vaults') return error(404, 'Not found');
    if (parts.length === 2 && req.method === 'GET') {
      const wanted = titleFilter(req.query.get('filter'), ['title', 'name']);
      return ok([...this.vaults.values()].filter((v) => wanted === undefined || v.name === wanted).map(vaultJson));
    }
    const vault = this.vaults.get(parts[2]);
    if (!vault) return error(404, 'Invalid Vault UUID');
    if (parts.length === 3 && req.method === 'GET') return ok(vaultJson(vault));
    if (parts[3] !== 'items') return error(404, 'Not found');
    if (parts.length === 4) {
      if (req.method === 'GET') {
        const wanted = titleFilter(req.query.get('filter'), ['title']);
        return ok([...vault.items.values()].filter((i) => wanted === undefined || i.title === wanted).map(({ fields: _f, ...overview }) => overview));
      }
      if (req.method === 'POST') {
        const body = parse(req.body) as Partial<ConnectItem> | undefined;
        if (!body || typeof body.title !== 'string' || typeof body.category !== 'string') return error(400, 'Invalid item');
        if (body.vault?.id !== undefined && body.vault.id !== vault.id) return error(400, 'Vault mismatch');
        const now = new Date().toISOString();
        const item: ConnectItem = { id: fakeId(), title: body.title, category: body.category, vault: { id: vault.id }, fields: withIds(body.fields), version: 1, createdAt: now, updatedAt: now };
        vault.items.set(item.id, item);
        return ok(item);
      }
      return error(405, 'Method not allowed');
    }
    const item = vault.items.get(parts[4]);
    if (!item || parts.length !== 5) return error(404, 'Invalid Item UUID');
    if (req.method === 'GET') return ok(item);
    if (req.method === 'DELETE') {
      vault.items.delete(item.id);
      return { status: 204 };
    }
    if (req.method === 'PUT') {
      const body = parse(req.body) as Partial<ConnectItem> | undefined;
      if (!body || body.id !== item.id) return error(400, 'Item ID mismatch');
      const next: ConnectItem = { ...item, title: body.title ?? item.title, fields: withIds(body.fields), version: item.version + 1, updatedAt: new Date().toISOString() };
      vault.items.set(item.id, next);
      return ok(next);
    }
    return error(405, 'Method not allowed');
  }
}

function vaultJson(v: { id: string; name: string; items: Map<string, unknown> }) {
  return { id: v.id, name: v.name, items: v.items.size, type: 'USER_CREATED', attributeVersion: 1, contentVersion: 1 };
}

/** The value of a SCIM `<attr> eq "<value>"` filter; undefined without one. */
function titleFilter(filter: string | null, attrs: string[]): string | undefined {
  if (!filter) return undefined;
  const m = /^(\w+) eq "(.*)"$/.exec(filter);
  return m && attrs.includes(m[1]) ? m[2] : '\u0000no-match';
}

function withIds(fields: ConnectField[] | undefined): ConnectField[] {
  return (fields ?? []).map((f) => ({ ...f, id: f.id && f.id !== '' ? f.id : fakeId() }));
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const ok = (body: unknown): FakeResponse => ({ status: 200, body });
const error = (status: number, message: string): FakeResponse => ({ status, body: { status, message } });
