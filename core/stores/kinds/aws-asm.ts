/**
 * AWS Secrets Manager (`kind: aws/asm`, legacy `aws-secrets-manager`). Batched reads use
 * BatchGetSecretValue, 20 ids a call (the API's limit for SecretIdList). `set` puts a new
 * version, creating the secret on first write. `delete` removes without a recovery window, as
 * Atmos does, so the name can be reused at once. A secret string holds at most 64 KiB.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsBackend, awsSetup, readAwsOptions, type AwsKindOptions } from '../aws-store';
import type { AwsStoreSetup } from '../aws-connection';
import { batchLabel, chunk, mapLimit } from '../kind-store';
import { prefixedRawKey } from '../key-path';
import { backendError, describeFailure, isBackendWide } from '../store-errors';
import { defineStoreKind, type RawRead, type StoreBackend } from '../store-kind';
import { decodeJsonOrRaw, goJson, type ValueCodec } from '../value-codec';

/** BatchGetSecretValue accepts at most 20 ids in SecretIdList. */
export const ASM_BATCH_SIZE = 20;
const PARALLEL_BATCHES = 4;
/** SecretString is limited to 65,536 bytes. */
export const ASM_MAX_VALUE_BYTES = 65_536;

/**
 * Secrets Manager encoding. A string that trims to a valid JSON object or array is stored verbatim
 * (trimmed), so structured secrets stay key/value pairs in the console. Everything else is
 * JSON-encoded: plain strings are stored with quotes, as Atmos does (§11.13). Reads use the
 * common rule, the same as SSM's: numbers decode only in their canonical JSON form.
 */
export const asmCodec: ValueCodec = {
  encoding: 'json-or-raw',
  encode(value) {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && isValidJson(trimmed)) return trimmed;
    }
    return goJson(value);
  },
  decode: decodeJsonOrRaw,
};

function isValidJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** The Secrets Manager kind. */
export const awsAsmKind = defineStoreKind<AwsKindOptions>({
  name: 'aws/asm',
  aliases: ['aws-secrets-manager'],
  secret: 'optional',
  auth: 'aws',
  // Atmos GetKey: `prefix + "/" + raw` when a prefix is set.
  keys: { stackDelimiter: '-', finalDelimiter: '/', rawKeyPath: prefixedRawKey, emptyScope: true },
  codec: () => asmCodec,
  maxValueBytes: () => ASM_MAX_VALUE_BYTES,
  options: (input) => readAwsOptions(input, 'secrets manager'),
  create: (setup) => new AsmBackend(setup.name, awsSetup(setup)),
});

class AsmBackend extends AwsBackend<SecretsManagerClient> implements StoreBackend {
  constructor(store: string, setup: AwsStoreSetup) {
    super(store, setup, 'secretsmanager', async (config) => {
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      return new SecretsManagerClient(config);
    });
  }

  async readMany(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const { client, connection } = await this.client();
    const { BatchGetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const out = new Map<string, RawRead>();
    await mapLimit(chunk(paths, ASM_BATCH_SIZE), PARALLEL_BATCHES, async (ids) => {
      const label = batchLabel(ids);
      let next: string | undefined;
      do {
        let res;
        try {
          res = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ids, NextToken: next }));
        } catch (e) {
          const err = backendError(this.store, 'BatchGetSecretValue', label, connection.endpointLabel, e);
          if (isBackendWide(e)) throw err;
          for (const id of ids) out.set(id, err);
          return;
        }
        for (const v of res.SecretValues ?? []) {
          const id = ids.find((i) => i === v.Name || i === v.ARN);
          if (id === undefined) continue;
          // A binary-only secret has no SecretString; Atmos reports it as an empty secret string.
          out.set(id, v.SecretString !== undefined ? { raw: v.SecretString } : backendError(this.store, 'BatchGetSecretValue', id, connection.endpointLabel, { name: 'EmptySecretString' }));
        }
        for (const err of res.Errors ?? []) {
          const id = err.SecretId;
          if (id === undefined || !ids.includes(id)) continue;
          if (err.ErrorCode === 'ResourceNotFoundException') out.set(id, 'missing');
          else out.set(id, backendError(this.store, 'BatchGetSecretValue', id, connection.endpointLabel, { name: err.ErrorCode ?? 'Error' }));
        }
        next = res.NextToken;
      } while (next);
    });
    return out;
  }

  /** PutSecretValue, or CreateSecret when the secret does not exist yet. */
  async write(path: string, encoded: string): Promise<void> {
    const { client, connection } = await this.client();
    const { PutSecretValueCommand, CreateSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      await client.send(new PutSecretValueCommand({ SecretId: path, SecretString: encoded }));
      return;
    } catch (e) {
      if (!describeFailure(e).notFound) throw backendError(this.store, 'PutSecretValue', path, connection.endpointLabel, e);
    }
    try {
      await client.send(new CreateSecretCommand({ Name: path, SecretString: encoded }));
    } catch (e) {
      throw backendError(this.store, 'CreateSecret', path, connection.endpointLabel, e);
    }
  }

  async remove(path: string): Promise<void> {
    const { client, connection } = await this.client();
    const { DeleteSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      await client.send(new DeleteSecretCommand({ SecretId: path, ForceDeleteWithoutRecovery: true }));
    } catch (e) {
      if (describeFailure(e).notFound) return;
      throw backendError(this.store, 'DeleteSecret', path, connection.endpointLabel, e);
    }
  }

  /** Existence via DescribeSecret: metadata only, no value, no decrypt permission needed. */
  async exists(path: string): Promise<boolean> {
    const { client, connection } = await this.client();
    const { DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      const res = await client.send(new DescribeSecretCommand({ SecretId: path }));
      // A secret scheduled for deletion still describes; it cannot be read, so it does not exist.
      return res.DeletedDate === undefined;
    } catch (e) {
      if (describeFailure(e).notFound) return false;
      throw backendError(this.store, 'DescribeSecret', path, connection.endpointLabel, e);
    }
  }

  /**
   * Names under the scope. ListSecrets' `name` filter matches raw character prefixes, so each name
   * is re-checked against the segment-bounded prefix (as Atmos does).
   */
  async list(prefix: string): Promise<string[]> {
    const trim = prefix !== '' ? `${prefix}/` : '';
    const { client, connection } = await this.client();
    const { ListSecretsCommand } = await import('@aws-sdk/client-secrets-manager');
    const names: string[] = [];
    let next: string | undefined;
    do {
      let res;
      try {
        res = await client.send(new ListSecretsCommand({ NextToken: next, ...(prefix !== '' ? { Filters: [{ Key: 'name', Values: [prefix] }] } : {}) }));
      } catch (e) {
        throw backendError(this.store, 'ListSecrets', prefix, connection.endpointLabel, e);
      }
      for (const s of res.SecretList ?? []) {
        const n = s.Name ?? '';
        if (n.startsWith(trim) && n.length > trim.length) names.push(n.slice(trim.length));
      }
      next = res.NextToken;
    } while (next);
    return names;
  }
}
