/** In-process SOPS (key types age, PGP, AWS KMS, GCP KMS): decrypt with MAC verification, set/delete, recipients, keys, paths. */
export { SopsError, type SopsErrorCode } from './sops-error';
export type { SopsFormat } from './formats/store';
export {
  decryptSopsFile,
  encryptSopsDocument,
  setSopsValue,
  deleteSopsValue,
  listSopsKeys,
  sopsFormatForPath,
  SOPS_FILE_MODE,
  SOPS_DIR_MODE,
  type SopsSource,
  type SopsKeyOptions,
  type SopsKeyPath,
  type SopsWriteOptions,
  type EncryptSopsOptions,
} from './sops-file';
export {
  resolveAgeIdentities,
  defaultAgeKeysPath,
  parseAgeKeys,
  expandKeyPath,
  type AgeKeySpec,
  type AgeKeyStoreReader,
  type AgeKeyResolveOptions,
  type ResolvedAgeIdentities,
} from './age-keys';
export { generateAgeIdentity, ageRecipientOf, type AgeIdentityInput } from './age';
export { generateAgeKeyFile } from './keygen';
export { parseKmsRecipients, isKmsArn, type SopsKmsRecipient } from './key-types/aws-kms';
export { kmsKeyService, type SopsKmsKeyService, type SopsKmsKeyServiceSource, type KmsKeyService, type KmsConnection, type SopsKmsEntry } from './key-types/aws-kms-service';
export type { SopsKeyType, SopsUnwrapResult } from './key-type';
export { SOPS_KEY_TYPES, sopsKeyType, sopsProviderKinds } from './key-types/index';
export { resolveSopsRecipients, upsertSopsYamlRecipient, pathRegexForTemplate, SOPS_CONFIG_FILE, type ResolvedRecipients } from './sops-config';
export { renderSopsPath, sopsFilePath, type SopsPathContext } from './path-template';
