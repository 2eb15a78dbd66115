/**
 * Adapts core/secrets/sops (in-process SOPS with age and AWS KMS) to the {@link SopsFileOps} the SOPS backend
 * uses. Loaded on first use of a SOPS provider only. The age identities are resolved once per
 * provider (value → store → file → SOPS_AGE_KEY_FILE/SOPS_AGE_KEY → default keys.txt); a store-held
 * key is read at `(stack = provider name, component = "age-key", key = path or provider name)`,
 * as Atmos composes it (§6.7).
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { expandKeyPath, resolveAgeIdentities, type AgeKeySpec, type ResolvedAgeIdentities } from './sops/age-keys';
import { SopsError } from './sops/sops-error';
import { decryptSopsFile, deleteSopsValue, listSopsKeys, setSopsValue } from './sops/sops-file';
import { memoizeAsync } from '../async/memoize-async';
import { Secret } from '../secret';
import type { StoreRegistry } from '../stores/store-registry';
import type { SecretsProviderConfig } from './providers';
import type { SopsFileOps } from './sops-backend';
import { kmsKeyService, type KmsConnection, type SopsKmsKeyService } from './sops/key-types/aws-kms-service';
import { gcpKmsService, type GcpKmsConnection, type SopsGcpKmsService } from './sops/key-types/gcp-kms-service';
import type { SopsKeyOptions } from './sops/key-type';
import { sopsError } from './sops/sops-error';

/** Context of a provider's file operations. */
export interface SopsOpsContext {
  basePath: string;
  env: NodeJS.ProcessEnv;
  registry: () => StoreRegistry;
  /**
   * The AWS credentials of the provider's KMS keys (§6.6: its `identity`, else the component's
   * default identity, else the ambient credentials). Called only when a file has KMS keys.
   */
  awsCredentials?: () => Promise<KmsConnection>;
  /** Who the KMS calls run as, for messages. */
  kmsIdentity?: string;
  /**
   * The GCP credentials of the provider's Cloud KMS keys (its `identity`, else the component's
   * default identity, else Application Default Credentials). Called only when a file has Cloud KMS keys.
   */
  gcpCredentials?: () => Promise<GcpKmsConnection>;
}

/**
 * The pgp part of a provider spec: `gnupg_home` (GnuPG home, `~`/`$ENV` expanded, relative to the
 * Atmos base path; else GNUPGHOME, else gpg's default) and `pgp_passphrase_env` (the variable
 * that holds the secret key's passphrase; the passphrase itself never sits in atmos.yaml).
 */
export function pgpKeyOptions(provider: SecretsProviderConfig, env: NodeJS.ProcessEnv, basePath?: string): Pick<SopsKeyOptions, 'gnupgHome' | 'pgpPassphrase' | 'gpgEnv'> {
  const spec = provider.spec;
  const specPath = `secrets.providers.${provider.name}.spec`;
  let home: string | undefined;
  if (typeof spec.gnupg_home === 'string' && spec.gnupg_home !== '') {
    const x = expandKeyPath(spec.gnupg_home, env);
    home = basePath !== undefined && !isAbsolute(x) ? resolvePath(basePath, x) : x;
  } else if (env.GNUPGHOME) home = env.GNUPGHOME;
  const passEnv = typeof spec.pgp_passphrase_env === 'string' && spec.pgp_passphrase_env !== '' ? spec.pgp_passphrase_env : undefined;
  return {
    ...(home ? { gnupgHome: home } : {}),
    gpgEnv: env,
    ...(passEnv
      ? {
          pgpPassphrase: async () => {
            const v = env[passEnv];
            if (v === undefined || v === '') throw sopsError('SOPS_DECRYPT_FAILED', `${passEnv} is not set (named by ${specPath}.pgp_passphrase_env)`, `${specPath}.pgp_passphrase_env`, `export ${passEnv} with the PGP key's passphrase, or remove pgp_passphrase_env when the key has none`);
            return Secret.of(v, `${passEnv}`);
          },
        }
      : {}),
  };
}

/** The key a store-held age key lives under (Atmos: `Get(provider, "age-key", path || provider)`). */
export const AGE_KEY_COMPONENT = 'age-key';

/** Reads the age key of `provider` from a configured store; undefined when absent. */
export async function readAgeKeyFromStore(registry: StoreRegistry, storeName: string, provider: string, key: string): Promise<string | Secret<string> | undefined> {
  const store = registry.get(storeName);
  const [r] = await store.getMany([{ stack: provider, component: AGE_KEY_COMPONENT, key }]);
  if (!r || r.status === 'missing') return undefined;
  if (r.status === 'error') throw r.error;
  return typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
}

/** The age-key part of a provider spec, with `~`/`$ENV` expanded in `age_key_file`. */
export function ageKeySpec(provider: SecretsProviderConfig, env: NodeJS.ProcessEnv, basePath?: string): AgeKeySpec {
  // Relative key paths resolve against the Atmos base path, like the SOPS files themselves.
  const abs = (p: string): string => {
    const x = expandKeyPath(p, env);
    return basePath !== undefined && !isAbsolute(x) ? resolvePath(basePath, x) : x;
  };
  const spec = provider.spec;
  const out: AgeKeySpec = {};
  if (typeof spec.age_key === 'string') out.age_key = spec.age_key;
  else if (spec.age_key && typeof spec.age_key === 'object') {
    const k = spec.age_key as Record<string, unknown>;
    out.age_key = {
      ...(typeof k.store === 'string' ? { store: k.store } : {}),
      ...(typeof k.path === 'string' ? { path: k.store === undefined || k.store === 'file' ? abs(k.path) : k.path } : {}),
      ...(typeof k.value === 'string' ? { value: k.value } : {}),
    };
  }
  if (typeof spec.age_key_file === 'string' && spec.age_key_file !== '') out.age_key_file = abs(spec.age_key_file);
  return out;
}

/** The file operations of one SOPS provider. */
export function sopsFileOps(provider: SecretsProviderConfig, ctx: SopsOpsContext): SopsFileOps {
  const specPath = `secrets.providers.${provider.name}.spec`;
  const identities = memoizeAsync(
    (): Promise<ResolvedAgeIdentities> =>
      resolveAgeIdentities(ageKeySpec(provider, ctx.env, ctx.basePath), {
        providerName: provider.name,
        specPath,
        env: ctx.env,
        readFromStore: (store, key) => readAgeKeyFromStore(ctx.registry(), store, provider.name, key),
      }),
  );
  const credentials = ctx.awsCredentials;
  const kms = credentials ? memoizeAsync(() => credentials().then((conn) => kmsKeyService(conn))) : undefined;
  const kmsService = (): Promise<SopsKmsKeyService> => {
    if (!kms) throw new Error('no AWS credentials source');
    return kms();
  };
  const gcpCreds = ctx.gcpCredentials;
  const gcp = gcpCreds ? memoizeAsync(() => gcpCreds().then((conn) => gcpKmsService(conn))) : undefined;
  const gcpService = (): Promise<SopsGcpKmsService> => {
    if (!gcp) throw new Error('no GCP credentials source');
    return gcp();
  };
  const pgp = pgpKeyOptions(provider, ctx.env, ctx.basePath);
  // age keys and KMS are both resolved on first need: a KMS-only file needs no age key and an
  // age-only file never authenticates or loads a cloud SDK.
  const keyOpts = (): SopsKeyOptions => ({
    ageKeys: identities,
    ...pgp,
    ...(ctx.awsCredentials ? { kms: kmsService } : {}),
    ...(ctx.kmsIdentity ? { kmsIdentity: ctx.kmsIdentity, gcpIdentity: ctx.kmsIdentity } : {}),
    ...(ctx.gcpCredentials ? { gcpKms: gcpService } : {}),
  });
  return {
    async readFile(file) {
      // One read and parse of the file; a missing file means "not initialised", not an error.
      try {
        return await decryptSopsFile(file, keyOpts());
      } catch (e) {
        if (e instanceof SopsError && e.code === 'SOPS_FILE_NOT_FOUND') return undefined;
        throw e;
      }
    },
    listKeys: (file) => listSopsKeys(file),
    async setKey(file, key, value) {
      // A new file needs only recipients (KMS ones through the key service); an existing one a
      // key that opens its data key, which is reused. Both are resolved only when needed.
      await setSopsValue(file, [key], value, { ...keyOpts(), spec: provider.spec, specPath });
    },
    async deleteKey(file, key) {
      // A missing file or key is a no-op inside deleteSopsValue.
      await deleteSopsValue(file, [key], keyOpts());
    },
  };
}
