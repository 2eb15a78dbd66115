/**
 * Every verb over `hashicorp/vault` stores, through the in-process CLI, against the real Vault dev
 * server (scripts/services.sh): `secret set|get|list|validate|delete|import` on a `secret: true`
 * Vault store, `!store`/`!store.get` from a plain one in `describe component`. The token comes
 * from VAULT_TOKEN (not atmos.yaml). What the CLI wrote is checked on the server itself, at the
 * exact path `secret list` shows; no output holds a value.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { vaultAddr, vaultToken } from '../support/services';
import { vaultApi, vaultProject } from '../support/vault';

const T = ['-s', 'dev', '-c', 'api'];
const prefix = `ik-cli-${process.pid}-${Date.now().toString(36)}`;
const V = { token: 'vault-api-token-Rt43', legacy: 'legacy-plain-value-Yu90', image: 'image-tag-Op12' };


interface Result {
  code: number;
  out: string;
  err: string;
}

let dir: string;
const outputs: string[] = [];
async function cli(argv: string[], stdin?: string): Promise<Result> {
  const io = captureIO({ stdin: Readable.from(stdin !== undefined ? [stdin] : []) });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), XDG_DATA_HOME: join(dir, '.xdg-data'), VAULT_TOKEN: vaultToken(), VAULT_ADDR: '' };
  const code = await run(argv, { io, env, cwd: dir });
  outputs.push(io.stdout, io.stderr);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(async () => {
  dir = vaultProject('cli-vault', {
    // The token comes from VAULT_TOKEN, as it should in a real repository.
    options: `address: ${JSON.stringify(vaultAddr())}, mount: secret, prefix: ${prefix}/secrets`,
    stores: [`plain: { kind: hashicorp-vault, options: { url: ${JSON.stringify(vaultAddr())}, mount: secret, prefix: ${prefix}/plain } }`],
    vars: ['api_token: !secret API_TOKEN', 'image_tag: !store plain vpc image_tag', 'shared_image: !store.get plain shared/image'],
    declarations: ['API_TOKEN: { store: vault, required: true }', 'ADOPTED: { store: vault, required: false }'],
  });
  mkdirSync(join(dir, 'components/terraform/api'), { recursive: true });
  // Values a plain store (or Atmos) wrote: {value: ...} at prefix/stack/component/key.
  await vaultApi('POST', `secret/data/${prefix}/plain/dev/vpc/image_tag`, { data: { value: V.image } });
  await vaultApi('POST', `secret/data/${prefix}/plain/shared/image`, { data: { value: 'shared-image' } });
  await vaultApi('POST', `secret/data/${prefix}/plain/dev/legacy/db`, { data: { value: V.legacy } });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('infrakey secret … on a hashicorp/vault store', () => {
  const path = `${prefix}/secrets/dev/api/API_TOKEN`;
  // `secret list` names it with its mount, as `vault kv get` takes it.
  const located = `secret/${path}`;

  it('validate fails while a required secret is missing', async () => {
    const r = await cli(['secret', 'validate', ...T]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('API_TOKEN');
  });

  it('set writes {value} at the composed path; get reads it; list shows that exact path', async () => {
    const set = await cli(['secret', 'set', 'API_TOKEN', ...T], V.token + '\n');
    expect([set.code, set.out]).toEqual([0, '']);
    expect((await vaultApi('GET', `secret/data/${path}`)).body.data.data).toEqual({ value: V.token });

    const get = await cli(['--mask=false', 'secret', 'get', 'API_TOKEN', ...T, '--raw']);
    expect([get.code, get.out]).toEqual([0, V.token]);

    const list = await cli(['secret', 'list', ...T, '--format', 'json', '--verify']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { name: string; backend: string; status: string; location: string }[];
    expect(rows.find((x) => x.name === 'API_TOKEN')).toMatchObject({ status: 'initialized', location: located, backend: 'store vault' });
    expect(rows.find((x) => x.name === 'ADOPTED')).toMatchObject({ status: 'missing', location: `secret/${prefix}/secrets/dev/api/ADOPTED` });
  });

  it('validate passes once it is set; masked get prints <MASKED>', async () => {
    expect((await cli(['secret', 'validate', ...T])).code).toBe(0);
    const get = await cli(['secret', 'get', 'API_TOKEN', ...T]);
    expect(get.out).toBe('<MASKED>\n');
  });

  it('import copies a plain-store value into the declaration', async () => {
    const r = await cli(['secret', 'import', 'ADOPTED', ...T, '--from-store', 'plain', '--from-stack', 'dev', '--from-component', 'legacy', '--from-key', 'db']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`Imported secret/${prefix}/plain/dev/legacy/db from store plain`);
    expect((await vaultApi('GET', `secret/data/${prefix}/secrets/dev/api/ADOPTED`)).body.data.data).toEqual({ value: V.legacy });
  });

  it('!store and !store.get resolve from the plain Vault store in describe component', async () => {
    const r = await cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']);
    expect(r.code).toBe(0);
    const vars = (JSON.parse(r.out) as { vars: Record<string, unknown> }).vars;
    expect(vars.image_tag).toBe(V.image);
    expect(vars.api_token).toBe('<MASKED>');
    expect(vars.shared_image).toBe('shared-image');
  });

  it('delete soft-deletes it: get fails as not initialised, list says missing, Vault keeps the version', async () => {
    const del = await cli(['secret', 'delete', 'API_TOKEN', ...T, '--force']);
    expect(del.code).toBe(0);
    const get = await cli(['secret', 'get', 'API_TOKEN', ...T]);
    expect(get.code).toBe(1);
    expect(get.err).toContain('not initialized');
    expect(get.err).toContain(located);
    const rows = JSON.parse((await cli(['secret', 'list', ...T, '--format', 'json', '--verify'])).out) as { name: string; status: string }[];
    expect(rows.find((x) => x.name === 'API_TOKEN')?.status).toBe('missing');
    expect((await vaultApi('GET', `secret/metadata/${path}`)).body.data.versions['1'].deletion_time).not.toBe('');
  });

  it('no output held a value', () => {
    const text = outputs.join('\n');
    // The one deliberate reveal (get --mask=false) printed the token; every other output must not.
    const count = text.split(V.token).length - 1;
    expect(count).toBe(1);
    expect(text).not.toContain(V.legacy);
  });
});
