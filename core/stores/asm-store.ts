/**
 * AWS Secrets Manager (`kind: aws/asm`, legacy `aws-secrets-manager`). Batched reads use
 * BatchGetSecretValue, 20 ids a call (the API's limit for SecretIdList). `set` puts a new
 * version, creating the secret on first write. `delete` removes without a recovery window, as
 * Atmos does, so the name can be reused at once.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsStore, type AwsStoreOptions } from './aws-store';
import { chunk, mapLimit } from './base-store';
import type { RawRead } from './base-store';
import { asmRawKeyPath, composeKeyPrefix } from './key-path';
import { backendError, describeFailure, isBackendWide } from './store-errors';
import { asmCodec } from './value-codec';

/** BatchGetSecretValue accepts at most 20 ids in SecretIdList. */
export const ASM_BATCH_SIZE = 20;
const PARALLEL_BATCHES = 4;

/** Options of the store after validation. */
export type AsmStoreOptions = AwsStoreOptions;

/** A Secrets Manager store. */
export class AsmStore extends AwsStore<SecretsManagerClient> {
  constructor(options: AsmStoreOptions) {
    super(options, asmCodec, 'secretsmanager', async (config) => {
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      return new SecretsManagerClient(config);
    });
  }

  rawKeyPath(rawKey: string): string {
    return asmRawKeyPath(this.settings.prefix, rawKey);
  }

  protected async readPaths(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const { client, connection } = await this.client();
    const { BatchGetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const out = new Map<string, RawRead>();
    await mapLimit(chunk(paths, ASM_BATCH_SIZE), PARALLEL_BATCHES, async (ids) => {
      const label = ids.length === 1 ? ids[0] : `${ids[0]} (+${ids.length - 1} more)`;
      let next: string | undefined;
      do {
        let res;
        try {
          res = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ids, NextToken: next }));
        } catch (e) {
          const err = backendError(this.name, 'BatchGetSecretValue', label, connection.endpointLabel, e);
          if (isBackendWide(e)) throw err;
          for (const id of ids) out.set(id, err);
          return;
        }
        for (const v of res.SecretValues ?? []) {
          const id = ids.find((i) => i === v.Name || i === v.ARN);
          if (id === undefined) continue;
          // A binary-only secret has no SecretString; Atmos reports it as an empty secret string.
          out.set(id, v.SecretString !== undefined ? { raw: v.SecretString } : backendError(this.name, 'BatchGetSecretValue', id, connection.endpointLabel, { name: 'EmptySecretString' }));
        }
        for (const err of res.Errors ?? []) {
          const id = err.SecretId;
          if (id === undefined || !ids.includes(id)) continue;
          if (err.ErrorCode === 'ResourceNotFoundException') out.set(id, 'missing');
          else out.set(id, backendError(this.name, 'BatchGetSecretValue', id, connection.endpointLabel, { name: err.ErrorCode ?? 'Error' }));
        }
        next = res.NextToken;
      } while (next);
    });
    return out;
  }

  /** PutSecretValue, or CreateSecret when the secret does not exist yet. */
  async set(stack: string, component: string, key: string, value: unknown): Promise<void> {
    const path = this.keyPath(stack, component, key);
    const encoded = this.encode(path, value);
    const { client, connection } = await this.client();
    const { PutSecretValueCommand, CreateSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      await client.send(new PutSecretValueCommand({ SecretId: path, SecretString: encoded }));
      return;
    } catch (e) {
      if (!describeFailure(e).notFound) throw backendError(this.name, 'PutSecretValue', path, connection.endpointLabel, e);
    }
    try {
      await client.send(new CreateSecretCommand({ Name: path, SecretString: encoded }));
    } catch (e) {
      throw backendError(this.name, 'CreateSecret', path, connection.endpointLabel, e);
    }
  }

  async delete(stack: string, component: string, key: string): Promise<void> {
    const path = this.keyPath(stack, component, key);
    const { client, connection } = await this.client();
    const { DeleteSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      await client.send(new DeleteSecretCommand({ SecretId: path, ForceDeleteWithoutRecovery: true }));
    } catch (e) {
      if (describeFailure(e).notFound) return;
      throw backendError(this.name, 'DeleteSecret', path, connection.endpointLabel, e);
    }
  }

  /** Existence via DescribeSecret: metadata only, no value, no decrypt permission needed. */
  async has(stack: string, component: string, key: string): Promise<boolean> {
    const path = this.keyPath(stack, component, key);
    const { client, connection } = await this.client();
    const { DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      const res = await client.send(new DescribeSecretCommand({ SecretId: path }));
      // A secret scheduled for deletion still describes; it cannot be read, so it does not exist.
      return res.DeletedDate === undefined;
    } catch (e) {
      if (describeFailure(e).notFound) return false;
      throw backendError(this.name, 'DescribeSecret', path, connection.endpointLabel, e);
    }
  }

  /**
   * Names under (stack, component). ListSecrets' `name` filter matches raw character prefixes,
   * so each name is re-checked against the segment-bounded prefix (as Atmos does).
   */
  async list(stack: string, component: string): Promise<string[]> {
    const prefix = composeKeyPrefix(this.settings.prefix, this.settings.stackDelimiter, stack, component, '/');
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
        throw backendError(this.name, 'ListSecrets', prefix, connection.endpointLabel, e);
      }
      for (const s of res.SecretList ?? []) {
        const n = s.Name ?? '';
        if (n.startsWith(trim) && n.length > trim.length) names.push(n.slice(trim.length));
      }
      next = res.NextToken;
    } while (next);
    return names.sort();
  }

}
