/**
 * Test support for the `hashicorp/vault` store: Vault's own HTTP API (to check what a store wrote,
 * and to write what Atmos or another tool would), and a throw-away Atmos project with one
 * `secret: true` Vault store and a component `api` in stack `dev`. The server is the dev server
 * scripts/services.sh starts (test/support/services.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaultAddr, vaultToken } from './services';

/** One call to Vault's HTTP API with the dev server's root token; the body parsed as JSON. */
export async function vaultApi(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${vaultAddr()}/v1/${path}`, {
    method,
    headers: { 'x-vault-token': vaultToken(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** What {@link vaultProject} writes. */
export interface VaultProjectOptions {
  /** The Vault store's `options` as a YAML flow map body, e.g. `mount: secret, prefix: p`. */
  readonly options: string;
  /** Lines under the component's `vars:` (e.g. `db: !secret DB_PASSWORD`). */
  readonly vars?: readonly string[];
  /** Lines under the component's `secrets.vars:` (e.g. `DB_PASSWORD: { store: vault }`). */
  readonly declarations: readonly string[];
  /** More stores: lines under `stores:` (e.g. `plain: { kind: hashicorp/vault, options: {...} }`). */
  readonly stores?: readonly string[];
}

/** Writes atmos.yaml (store `vault`, `secret: true`) and stacks/dev.yaml into a new temporary folder. */
export function vaultProject(name: string, opts: VaultProjectOptions): string {
  const dir = mkdtempSync(join(tmpdir(), `ik-${name}-`));
  mkdirSync(join(dir, 'stacks'));
  writeFileSync(
    join(dir, 'atmos.yaml'),
    [
      'base_path: "./"',
      'stacks:',
      '  base_path: stacks',
      '  included_paths: ["*.yaml"]',
      '  name_template: "{{ .vars.stage }}"',
      'stores:',
      '  vault:',
      '    kind: hashicorp/vault',
      '    secret: true',
      `    options: { ${opts.options} }`,
      ...(opts.stores ?? []).map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  const vars = opts.vars && opts.vars.length > 0 ? ['      vars:', ...opts.vars.map((l) => `        ${l}`)] : [];
  writeFileSync(
    join(dir, 'stacks', 'dev.yaml'),
    ['vars:', '  stage: dev', 'components:', '  terraform:', '    api:', ...vars, '      secrets:', '        vars:', ...opts.declarations.map((l) => `          ${l}`), ''].join('\n'),
  );
  return dir;
}
