/**
 * AWS SSM Parameter Store (`kind: aws/ssm`, legacy `aws-ssm-parameter-store`). Writes `String`,
 * or `SecureString` when the store is `secret: true`; reads decrypt. Batched reads use
 * GetParameters, 10 names a call (the API's limit). The SDK is loaded on first use.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { AwsStore, type AwsStoreOptions } from './aws-store';
import { chunk, mapLimit } from './base-store';
import type { RawRead } from './base-store';
import { composeKeyPrefix, ssmRawKeyPath } from './key-path';
import { backendError, describeFailure, isBackendWide } from './store-errors';
import { ssmCodec } from './value-codec';

/** GetParameters accepts at most 10 names. */
export const SSM_BATCH_SIZE = 10;
/** Batches in flight at once. */
const PARALLEL_BATCHES = 4;

/** Options of the store after validation. */
export type SsmStoreOptions = AwsStoreOptions;

/** An SSM Parameter Store store. */
export class SsmStore extends AwsStore<SSMClient> {
  constructor(options: SsmStoreOptions) {
    super(options, ssmCodec(options.secret), 'ssm', async (config) => {
      const { SSMClient } = await import('@aws-sdk/client-ssm');
      return new SSMClient(config);
    });
  }

  rawKeyPath(rawKey: string): string {
    return ssmRawKeyPath(this.settings.prefix, rawKey);
  }

  protected async readPaths(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const { client, connection } = await this.client();
    const { GetParametersCommand } = await import('@aws-sdk/client-ssm');
    const out = new Map<string, RawRead>();
    await mapLimit(chunk(paths, SSM_BATCH_SIZE), PARALLEL_BATCHES, async (names) => {
      let res;
      try {
        res = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
      } catch (e) {
        const err = backendError(this.name, 'GetParameters', names.length === 1 ? names[0] : `${names[0]} (+${names.length - 1} more)`, connection.endpointLabel, e);
        if (isBackendWide(e)) throw err;
        for (const n of names) out.set(n, err);
        return;
      }
      for (const p of res.Parameters ?? []) {
        if (p.Name !== undefined && p.Value !== undefined) out.set(p.Name, { raw: p.Value });
      }
    });
    return out;
  }

  async set(stack: string, component: string, key: string, value: unknown): Promise<void> {
    const path = this.keyPath(stack, component, key);
    const encoded = this.encode(path, value);
    const { client, connection } = await this.client();
    const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
    try {
      await client.send(new PutParameterCommand({ Name: path, Value: encoded, Type: this.secret ? 'SecureString' : 'String', Overwrite: true }));
    } catch (e) {
      throw backendError(this.name, 'PutParameter', path, connection.endpointLabel, e);
    }
  }

  async delete(stack: string, component: string, key: string): Promise<void> {
    const path = this.keyPath(stack, component, key);
    const { client, connection } = await this.client();
    const { DeleteParameterCommand } = await import('@aws-sdk/client-ssm');
    try {
      await client.send(new DeleteParameterCommand({ Name: path }));
    } catch (e) {
      if (describeFailure(e).notFound) return;
      throw backendError(this.name, 'DeleteParameter', path, connection.endpointLabel, e);
    }
  }

  /** Existence via GetParameter with WithDecryption=false: no kms:Decrypt, no plaintext. */
  async has(stack: string, component: string, key: string): Promise<boolean> {
    const path = this.keyPath(stack, component, key);
    const { client, connection } = await this.client();
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    try {
      await client.send(new GetParameterCommand({ Name: path, WithDecryption: false }));
      return true;
    } catch (e) {
      if (describeFailure(e).notFound) return false;
      throw backendError(this.name, 'GetParameter', path, connection.endpointLabel, e);
    }
  }

  /** Names under (stack, component) via GetParametersByPath (recursive, no decryption). */
  async list(stack: string, component: string): Promise<string[]> {
    let path = composeKeyPrefix(this.settings.prefix, this.settings.stackDelimiter, stack, component, '/');
    if (!path.startsWith('/')) path = `/${path}`;
    const { client, connection } = await this.client();
    const { GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
    const names: string[] = [];
    let next: string | undefined;
    do {
      let res;
      try {
        res = await client.send(new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: false, NextToken: next }));
      } catch (e) {
        throw backendError(this.name, 'GetParametersByPath', path, connection.endpointLabel, e);
      }
      for (const p of res.Parameters ?? []) {
        const name = (p.Name ?? '').startsWith(path) ? (p.Name ?? '').slice(path.length).replace(/^\//, '') : '';
        if (name !== '') names.push(name);
      }
      next = res.NextToken;
    } while (next);
    return names.sort();
  }

}
