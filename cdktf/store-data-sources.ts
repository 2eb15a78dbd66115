/**
 * Which store kinds Terraform can read itself, and with which data source: the CDKTF side of the
 * store kinds, keyed by the same kind names as core's kind modules (`aws/ssm`, ...). A kind that is
 * not here becomes a sensitive variable filled by `infrakey secret exec --tf-vars`. Adding a data
 * source for a kind is one entry here.
 */
import type { Construct, IConstruct } from 'constructs';
import type * as Cdktf from 'cdktf';
import type { TerraformProvider } from 'cdktf';
import type { StoreBackedStorage } from '../core/internal';
import type { Engine } from './engine';
import { addEphemeralBlock } from './ephemeral';

/** How Terraform gets the value. */
export type DeclaredSecretSource = 'ssm-parameter' | 'secrets-manager-version' | 'vault-kv-secret-v2' | 'key-vault-secret' | 'secret-manager-version' | 'variable';

/** A data source that reads a store kind's value. */
export interface StoreDataSource {
  readonly source: Exclude<DeclaredSecretSource, 'variable'>;
  /** False when the store's options lack what the data source needs (then: a sensitive variable). */
  applies?(storage: StoreBackedStorage): boolean;
  /** Adds the data source under `scope`; `text` is the stored text it reads (a token). */
  create(scope: Construct, storage: StoreBackedStorage, engine: Engine, provider?: TerraformProvider): { element: IConstruct; text: string };
  /** Ephemeral mode: adds the ephemeral resource for `scope`; returns the stored text it reads. */
  ephemeral(scope: Construct, storage: StoreBackedStorage, engine: Engine, provider?: TerraformProvider): string;
}

/** Region and provider of an ephemeral block (raw Terraform JSON: the provider by its fqn). */
const ephemeralCommon = (storage: StoreBackedStorage, provider?: TerraformProvider) => ({ ...regionOf(storage), ...(provider ? { provider: provider.fqn } : {}) });

/**
 * The parameter's ARN, which the ephemeral resource requires (the data source takes a name):
 * partition and account from the provider's credentials, the store's region else the provider's.
 */
function parameterArn(scope: Construct, engine: Engine, name: string, region: string | undefined, provider: TerraformProvider | undefined): string {
  const on = provider ? { provider } : {};
  const { DataAwsPartition } = engine.partition();
  const { DataAwsCallerIdentity } = engine.callerIdentity();
  const partition = new DataAwsPartition(scope, 'Partition', on).partition;
  const account = new DataAwsCallerIdentity(scope, 'Account', on).accountId;
  const { DataAwsRegion } = engine.region();
  const regionName = region ?? new DataAwsRegion(scope, 'Region', on).region;
  return `arn:${partition}:ssm:${regionName}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** A string option of the store, if set. */
const optionOf = (storage: StoreBackedStorage, key: string): string | undefined => {
  const v = storage.storeOptions[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * A data source of a provider infrakey does not load classes for (azurerm, google): the generic
 * engine class with its arguments as overrides; returns the element and a token for `attribute`.
 */
function genericDataSource(scope: Construct, engine: Engine, id: string, type: string, args: Record<string, unknown>, attribute: string): { element: IConstruct; text: string } {
  const ds = new engine.lib.TerraformDataSource(scope, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(args)) ds.addOverride(k, v);
  return { element: ds, text: ds.getStringAttribute(attribute) };
}

/** Secret Manager arguments: the secret id (the store's exact composed name) in the store's project. */
const secretManagerArgs = (storage: StoreBackedStorage) => ({ secret: storage.keyPath, ...(optionOf(storage, 'project_id') ? { project: optionOf(storage, 'project_id') } : {}) });
/**
 * The stored text of a Vault KV v2 secret from its `data_json`: the JSON of the field `value`, or
 * of the whole data map when there is none (Atmos's read rule), so the store's `json-or-raw`
 * expression gives what infrakey gives (a string value is a JSON string, decoded).
 */
function vaultValueText(lib: typeof Cdktf, dataJson: string): string {
  const { Fn, Token } = lib;
  const data = Fn.jsondecode(dataJson);
  return Token.asString(Fn.jsonencode(Fn.try([Fn.lookupNested(data, ['value']), data])));
}

/** `mount` and `name` of a Vault declaration, exactly as the store composes them. */
const vaultAddress = (storage: StoreBackedStorage) => ({ mount: storage.mount ?? '', name: storage.keyPath });

const regionOf = (storage: StoreBackedStorage) => (storage.region !== undefined ? { region: storage.region } : {});

/** Data sources by store kind. */
export const STORE_DATA_SOURCES: Readonly<Record<string, StoreDataSource>> = {
  'aws/ssm': {
    source: 'ssm-parameter',
    create(scope, storage, engine, provider) {
      const { DataAwsSsmParameter } = engine.ssmParameter();
      const ds = new DataAwsSsmParameter(scope, 'Parameter', { name: storage.keyPath, withDecryption: true, ...regionOf(storage), ...(provider ? { provider } : {}) });
      return { element: ds, text: ds.value };
    },
    ephemeral(scope, storage, engine, provider) {
      const arn = parameterArn(scope, engine, storage.keyPath, storage.region, provider);
      return addEphemeralBlock(engine.lib, scope, 'aws_ssm_parameter', { arn, with_decryption: true, ...ephemeralCommon(storage, provider) }, 'value');
    },
  },
  'aws/asm': {
    source: 'secrets-manager-version',
    create(scope, storage, engine, provider) {
      const { DataAwsSecretsmanagerSecretVersion } = engine.secretVersion();
      const ds = new DataAwsSecretsmanagerSecretVersion(scope, 'Version', { secretId: storage.keyPath, ...regionOf(storage), ...(provider ? { provider } : {}) });
      return { element: ds, text: ds.secretString };
    },
    ephemeral(scope, storage, engine, provider) {
      return addEphemeralBlock(engine.lib, scope, 'aws_secretsmanager_secret_version', { secret_id: storage.keyPath, ...ephemeralCommon(storage, provider) }, 'secret_string');
    },
  },
  // Terraform's azurerm provider addresses a vault by its ARM id, which the vault URL does not
  // give: `options.key_vault_id` (an infrakey option the store itself ignores) enables it.
  'azure/keyvault': {
    source: 'key-vault-secret',
    applies: (storage) => optionOf(storage, 'key_vault_id') !== undefined,
    create(scope, storage, engine) {
      return genericDataSource(scope, engine, 'Secret', 'azurerm_key_vault_secret', { name: storage.keyPath, key_vault_id: optionOf(storage, 'key_vault_id') }, 'value');
    },
    ephemeral(scope, storage, engine) {
      return addEphemeralBlock(engine.lib, scope, 'azurerm_key_vault_secret', { name: storage.keyPath, key_vault_id: optionOf(storage, 'key_vault_id') }, 'value');
    },
  },
  'gcp/secretmanager': {
    source: 'secret-manager-version',
    create(scope, storage, engine) {
      return genericDataSource(scope, engine, 'Version', 'google_secret_manager_secret_version', secretManagerArgs(storage), 'secret_data');
    },
    ephemeral(scope, storage, engine) {
      return addEphemeralBlock(engine.lib, scope, 'google_secret_manager_secret_version', secretManagerArgs(storage), 'secret_data');
    },
  },
  'hashicorp/vault': {
    source: 'vault-kv-secret-v2',
    create(scope, storage, engine, provider) {
      // No generated Vault provider bindings are needed: the data source is declared by type name.
      const ds = new engine.lib.TerraformDataSource(scope, 'KvSecretV2', {
        terraformResourceType: 'vault_kv_secret_v2',
        terraformGeneratorMetadata: { providerName: 'vault' },
        ...(provider ? { provider } : {}),
      });
      const { mount, name } = vaultAddress(storage);
      ds.addOverride('mount', mount);
      ds.addOverride('name', name);
      return { element: ds, text: vaultValueText(engine.lib, ds.getStringAttribute('data_json')) };
    },
    ephemeral(scope, storage, engine, provider) {
      // hashicorp/vault ≥ 5 has the ephemeral `vault_kv_secret_v2` resource (same arguments).
      const dataJson = addEphemeralBlock(engine.lib, scope, 'vault_kv_secret_v2', { ...vaultAddress(storage), ...(provider ? { provider: provider.fqn } : {}) }, 'data_json');
      return vaultValueText(engine.lib, dataJson);
    },
  },
};
