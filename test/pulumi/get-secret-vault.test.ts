/**
 * getSecret, unchanged, over a `hashicorp/vault` declaration: Pulumi's mock engine, the real Vault
 * dev server behind a recording proxy (every request counted on the wire). KV v2 has no batch
 * read, so a program's reads go one request per secret, each secret read once per process.
 */
import * as pulumi from '@pulumi/pulumi';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setSecret, Workspace } from '../../core/internal';
import { getSecret, resetWorkspaces } from '../../pulumi/index';
import { awsRecorder, type AwsRecorder } from '../support/aws-recorder';
import { vaultAddr, vaultToken } from '../support/services';
import { vaultProject } from '../support/vault';
import { useMocks, valueOf } from './pulumi-project';

describe('getSecret over hashicorp/vault (Pulumi mocks, real Vault)', () => {
  let dir: string;
  let proxy: AwsRecorder;
  const prefix = `ikpv-${process.pid}-${Date.now().toString(36)}`;
  const names = Array.from({ length: 12 }, (_, i) => `V${i}`);
  const value = (n: string) => `vault-${n}-${randomUUID()}`;
  const values = Object.fromEntries(names.map((n) => [n, value(n)]));
  const saved = process.env.VAULT_TOKEN;

  beforeAll(async () => {
    process.env.VAULT_TOKEN = vaultToken();
    proxy = await awsRecorder(vaultAddr());
    dir = vaultProject('pulumi-vault', {
      options: `address: "${proxy.url}", mount: secret, prefix: ${prefix}`,
      vars: ['first: !secret V0'],
      declarations: [...names.map((n) => `${n}: { store: vault }`), 'MISSING: { store: vault, required: false }'],
    });
    const ws = await Workspace.load({ cwd: dir });
    for (const n of names) await setSecret(ws.secretsLayer(), { stack: 'dev', component: 'api' }, n, values[n]);
    await useMocks('web-app', 'prod');
    pulumi.runtime.setConfig('infrakey:stack', 'dev');
    pulumi.runtime.setConfig('infrakey:component', 'api');
    resetWorkspaces();
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.VAULT_TOKEN;
    else process.env.VAULT_TOKEN = saved;
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives secret Outputs with the values; one GET per secret, each read once per process', async () => {
    proxy.calls.length = 0;
    const outs = names.map((n) => getSecret(n, { cwd: dir }));
    expect(await Promise.all(outs.map(valueOf))).toEqual(names.map((n) => values[n]));
    for (const o of outs) expect(await (o as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    const reads = proxy.calls.filter((c) => c.method === 'GET' && c.path.startsWith(`/v1/secret/data/${prefix}/dev/api/`));
    expect(reads.map((c) => c.path).sort()).toEqual(names.map((n) => `/v1/secret/data/${prefix}/dev/api/${n}`).sort());
    expect(proxy.calls.length).toBe(names.length);
    proxy.calls.length = 0;
    expect(await valueOf(getSecret('V3', { cwd: dir }))).toBe(values.V3);
    expect(proxy.calls).toEqual([]);
  });

  it('a secret Vault does not hold takes its default, as `!secret NAME | default`', async () => {
    proxy.calls.length = 0;
    expect(await valueOf(getSecret('MISSING', { cwd: dir, default: 'fallback' }))).toBe('fallback');
    expect(proxy.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /v1/secret/data/${prefix}/dev/api/MISSING`]);
  });
});
