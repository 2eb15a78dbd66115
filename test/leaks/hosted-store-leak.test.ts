/**
 * The hosted store kinds never let a value or a token out through an error: each talks to a
 * hostile server that answers every write and read with an error whose body echoes what it was
 * sent (the value, the Authorization header). The thrown error's message, stack, JSON and
 * inspection hold neither; tokens given in options are registered with the Redactor. Values used:
 * the multi-line, quoted, JSON and non-ASCII ones of `edge-values.ts`.
 */
import { inspect } from 'node:util';
import sodium from 'libsodium-wrappers';
import { redactor } from '../../core/secret';
import { buildStoreRegistry } from '../../core/stores/store-registry';
import type { Store } from '../../core/stores/store';
import { FakeHttpServer, fakeId, type FakeRequest, type FakeResponse } from '../fakes/fake-http';
import { JSON_VALUE, MULTI_LF, QUOTED, UNICODE } from './edge-values';

const TOKEN = 'hostile-token-Zq81xT';
const VALUES = [MULTI_LF, QUOTED, JSON_VALUE, UNICODE];
const VAULT = fakeId();
let publicKey = '';

/** Echoes what it received: status 500 (or 403 for reads), body with the request body and auth header. */
function hostile(req: FakeRequest): FakeResponse {
  const echo = { message: `ECHOED-BY-SERVER ${req.body.toString('utf8')} for ${req.headers.authorization ?? ''}`, errors: [{ message: req.body.toString('utf8') }] };
  // Just enough of each API for the client to send the value.
  if (req.method === 'GET' && req.path === '/v1/vaults/') return { status: 200, body: [{ id: VAULT, name: 'V' }] };
  if (req.method === 'GET' && req.path === `/v1/vaults/${VAULT}/items/` && !String(req.query.get('filter')).includes('readfail')) return { status: 200, body: [] };
  if (req.method === 'GET' && req.path.endsWith('/secrets/public-key')) return { status: 200, body: { key_id: 'k1', key: publicKey } };
  return { status: req.method === 'GET' ? 403 : 500, body: echo };
}

const server = new FakeHttpServer(hostile);
let url = '';
beforeAll(async () => {
  await sodium.ready;
  publicKey = Buffer.from(sodium.crypto_box_keypair().publicKey).toString('base64');
  url = await server.start();
});
afterAll(() => server.stop());

const stores = (): Record<string, Store> => {
  const registry = buildStoreRegistry(
    {
      op: { kind: 'onepassword', options: { mode: 'connect', connect_host: url, connect_token: TOKEN } },
      art: { kind: 'artifactory', options: { url, repo_name: 'r', access_token: TOKEN } },
      gh: { kind: 'github/actions', options: { owner: 'o', repo: 'r', token: TOKEN, api_url: url } },
    },
    { env: {} },
  );
  return { op: registry.get('op'), art: registry.get('art'), gh: registry.get('gh') };
};

function exposed(e: unknown): string {
  return [String((e as Error).message), String((e as Error).stack), JSON.stringify(e), inspect(e, { depth: 10 })].join('\n');
}

describe.each(['op', 'art', 'gh'])('store %s against a server that echoes its input in errors', (name) => {
  it.each(VALUES.map((v, i) => [i, v]))('set of edge value %i fails without the value or the token', async (_i, value) => {
    const store = stores()[name];
    const e = await store.set!('dev', 'app', 'op://V/item/field', value).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: expect.stringMatching(/^STORE_(REQUEST_FAILED|ACCESS_DENIED)$/) });
    const text = exposed(e);
    expect(text).not.toContain(TOKEN);
    for (const line of String(value).split(/\r?\n/)) expect(text).not.toContain(line);
    expect(text).not.toContain('ECHOED-BY-SERVER');
  });

  it('reads and existence checks fail without the token or the server text', async () => {
    const store = stores()[name];
    for (const op of [() => store.has!('dev', 'app', 'op://V/readfail/field'), ...(name === 'gh' ? [] : [() => store.get('dev', 'app', 'op://V/readfail/field')])]) {
      const e = await op().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeDefined();
      const text = exposed(e);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('ECHOED-BY-SERVER');
    }
  });
});

it('tokens given in store options are registered with the Redactor', () => {
  stores();
  expect(redactor.mask(`token=${TOKEN}`)).not.toContain(TOKEN);
});
