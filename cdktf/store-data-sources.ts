/**
 * Which store kinds Terraform can read itself, and with which data source: the CDKTF side of the
 * store kinds, keyed by the same kind names as core's kind modules (`aws/ssm`, ...). A kind that is
 * not here becomes a sensitive variable filled by `infrakey secret exec --tf-vars`. Adding a data
 * source for a kind is one entry here.
 */
import type { Construct, IConstruct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import type { StoreBackedStorage } from '../core/index';
import type { Engine } from './engine';

/** How Terraform gets the value. */
export type DeclaredSecretSource = 'ssm-parameter' | 'secrets-manager-version' | 'variable';

/** A data source that reads a store kind's value. */
export interface StoreDataSource {
  readonly source: Exclude<DeclaredSecretSource, 'variable'>;
  /** Adds the data source under `scope`; `text` is the stored text it reads (a token). */
  create(scope: Construct, storage: StoreBackedStorage, engine: Engine, provider?: TerraformProvider): { element: IConstruct; text: string };
}

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
  },
  'aws/asm': {
    source: 'secrets-manager-version',
    create(scope, storage, engine, provider) {
      const { DataAwsSecretsmanagerSecretVersion } = engine.secretVersion();
      const ds = new DataAwsSecretsmanagerSecretVersion(scope, 'Version', { secretId: storage.keyPath, ...regionOf(storage), ...(provider ? { provider } : {}) });
      return { element: ds, text: ds.secretString };
    },
  },
};
