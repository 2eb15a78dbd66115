/**
 * A throw-away Atmos project whose stores are the named FAKEs of Azure Key Vault (plain HTTP, with
 * `insecure_allow_credential_with_http`) and Google Secret Manager (REST v1), both started on
 * 127.0.0.1: the shared setup of the CLI, dist and leak tests of those kinds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKeyVault } from '../fakes/fake-keyvault';
import { FakeSecretManager } from '../fakes/fake-secret-manager';

export interface CloudStoreProject {
  readonly dir: string;
  readonly kv: FakeKeyVault;
  readonly gsm: FakeSecretManager;
  stop(): Promise<void>;
}

/** The options every store on the Key Vault fake needs (no credentials, HTTP, a 127.0.0.1 vault). */
export const kvFakeOptions = (kv: FakeKeyVault): string => `vault_url: "${kv.url}", without_authentication: true, insecure_allow_credential_with_http: true, disable_challenge_resource_verification: true`;
/** The options every store on the Secret Manager fake needs. */
export const gsmFakeOptions = (gsm: FakeSecretManager, project: string): string => `project_id: ${project}, endpoint: "${gsm.url}", without_authentication: true`;

/**
 * Starts both fakes and writes `atmos.yaml` (with the `stores:` lines `stores` gives) and
 * `stacks/deploy/dev.yaml` (stage `dev`, with `stack` lines).
 */
export async function cloudStoreProject(stores: (kv: FakeKeyVault, gsm: FakeSecretManager) => string[], stack: string[]): Promise<CloudStoreProject> {
  const kv = new FakeKeyVault({ http: true });
  const gsm = new FakeSecretManager({ anonymous: true });
  await kv.start();
  await gsm.start();
  const dir = mkdtempSync(join(tmpdir(), 'ik-cloud-'));
  writeFileSync(
    join(dir, 'atmos.yaml'),
    [
      'base_path: "./"',
      'components: { terraform: { base_path: components/terraform } }',
      'stacks: { base_path: stacks, included_paths: ["deploy/**/*"], name_template: "{{ .vars.stage }}" }',
      'stores:',
      ...stores(kv, gsm).map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'stacks/deploy'), { recursive: true });
  writeFileSync(join(dir, 'stacks/deploy/dev.yaml'), ['vars: { stage: dev }', ...stack, ''].join('\n'));
  return {
    dir,
    kv,
    gsm,
    stop: async () => {
      await kv.stop();
      await gsm.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
