/**
 * AWS SSM Parameter Store (`kind: aws/ssm`, legacy `aws-ssm-parameter-store`). Writes `String`,
 * or `SecureString` when the store is `secret: true`; reads decrypt. Batched reads use
 * GetParameters, 10 names a call (the API's limit). The SDK is loaded on first use.
 *
 * Values: a standard parameter holds 4 KiB, an advanced one 8 KiB. infrakey writes the tier of
 * `options.tier` (an infrakey option; Atmos leaves the tier to the account default): `Standard`
 * (default, 4096 bytes), `Advanced` or `Intelligent-Tiering` (8192 bytes, billed as advanced
 * above 4 KiB).
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { AwsBackend, awsSetup, readAwsOptions, type AwsKindOptions } from '../aws-store';
import type { AwsStoreSetup } from '../aws-connection';
import { batchLabel, chunk, mapLimit } from '../kind-store';
import { backendError, describeFailure, isBackendWide } from '../store-errors';
import { defineStoreKind, type RawRead, type StoreBackend } from '../store-kind';
import { decodeStored, goJson, jsonCodec, type ValueCodec } from '../value-codec';

/** GetParameters accepts at most 10 names. */
export const SSM_BATCH_SIZE = 10;
/** Batches in flight at once. */
const PARALLEL_BATCHES = 4;

/** SSM parameter tiers and the value size each accepts, in bytes. */
export const SSM_TIERS = { Standard: 4096, Advanced: 8192, 'Intelligent-Tiering': 8192 } as const;
export type SsmTier = keyof typeof SSM_TIERS;

/** Options of an SSM store. */
export interface SsmOptions extends AwsKindOptions {
  /** Undefined: not sent (the account default, normally Standard). */
  readonly tier?: SsmTier;
}

/**
 * SSM encoding. Non-secret stores JSON-encode everything and decode by the common rule. Secret
 * stores (SecureString) keep non-empty strings byte-exact so AWS-native consumers read the plain
 * value; SSM rejects empty values, so `""` stays JSON. On read a secret store decodes only what it
 * JSON-encoded: maps, lists and `""`. Any other text comes back exactly as stored: `1e5` stays
 * `1e5`, and `"quoted"` written by another tool keeps its quotes.
 */
export function ssmCodec(secret: boolean): ValueCodec {
  if (!secret) return jsonCodec;
  return {
    encoding: 'ssm-secret',
    encode: (value) => (typeof value === 'string' && value !== '' ? value : goJson(value)),
    decode: (raw) => decodeStored(raw, { scalars: 'text', strings: 'empty' }),
  };
}

/** The SSM Parameter Store kind. */
export const awsSsmKind = defineStoreKind<SsmOptions>({
  name: 'aws/ssm',
  aliases: ['aws-ssm-parameter-store'],
  secret: 'optional',
  auth: 'aws',
  keys: {
    stackDelimiter: '-',
    finalDelimiter: '/',
    // Atmos GetKey: `prefix + "/" + raw` when a prefix is set, with a forced leading `/`.
    rawKeyPath: ssmRawKeyPath,
    emptyScope: true,
  },
  codec: ssmCodec,
  maxValueBytes: (options) => SSM_TIERS[options.tier ?? 'Standard'],
  options(input) {
    const aws = readAwsOptions(input, 'ssm');
    for (const k of ['read_role_arn', 'write_role_arn']) {
      if (input.option(k)) input.problem(`options.${k} is not supported by infrakey yet`, `remove stores.${input.name}.options.${k} and give the store an identity that assumes the role instead`, k);
    }
    const tierText = input.option('tier');
    let tier: SsmTier | undefined;
    if (tierText !== undefined && tierText !== '') {
      tier = (Object.keys(SSM_TIERS) as SsmTier[]).find((t) => t.toLowerCase() === tierText.toLowerCase());
      if (!tier) input.problem(`options.tier "${tierText}" is not an SSM parameter tier`, `set stores.${input.name}.options.tier to Standard, Advanced or Intelligent-Tiering`, 'tier');
    }
    return { ...aws, ...(tier ? { tier } : {}) };
  },
  create: (setup) => new SsmBackend(setup.name, setup.secret, setup.options.tier, awsSetup(setup)),
});

/** SSM `GetKey`: `prefix + "/" + raw` when a prefix is set, with a forced leading `/`. */
export function ssmRawKeyPath(prefix: string, rawKey: string): string {
  const name = prefix !== '' ? `${prefix}/${rawKey}` : rawKey;
  return name.startsWith('/') ? name : `/${name}`;
}

class SsmBackend extends AwsBackend<SSMClient> implements StoreBackend {
  constructor(
    store: string,
    private readonly secret: boolean,
    private readonly tier: SsmTier | undefined,
    setup: AwsStoreSetup,
  ) {
    super(store, setup, 'ssm', async (config) => {
      const { SSMClient } = await import('@aws-sdk/client-ssm');
      return new SSMClient(config);
    });
  }

  async readMany(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const { client, connection } = await this.client();
    const { GetParametersCommand } = await import('@aws-sdk/client-ssm');
    const out = new Map<string, RawRead>();
    await mapLimit(chunk(paths, SSM_BATCH_SIZE), PARALLEL_BATCHES, async (names) => {
      let res;
      try {
        res = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
      } catch (e) {
        const err = backendError(this.store, 'GetParameters', batchLabel(names), connection.endpointLabel, e);
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

  async write(path: string, encoded: string): Promise<void> {
    const { client, connection } = await this.client();
    const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
    try {
      await client.send(new PutParameterCommand({ Name: path, Value: encoded, Type: this.secret ? 'SecureString' : 'String', Overwrite: true, ...(this.tier ? { Tier: this.tier } : {}) }));
    } catch (e) {
      throw backendError(this.store, 'PutParameter', path, connection.endpointLabel, e);
    }
  }

  async remove(path: string): Promise<void> {
    const { client, connection } = await this.client();
    const { DeleteParameterCommand } = await import('@aws-sdk/client-ssm');
    try {
      await client.send(new DeleteParameterCommand({ Name: path }));
    } catch (e) {
      if (describeFailure(e).notFound) return;
      throw backendError(this.store, 'DeleteParameter', path, connection.endpointLabel, e);
    }
  }

  /** Existence via GetParameter with WithDecryption=false: no kms:Decrypt, no plaintext. */
  async exists(path: string): Promise<boolean> {
    const { client, connection } = await this.client();
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    try {
      await client.send(new GetParameterCommand({ Name: path, WithDecryption: false }));
      return true;
    } catch (e) {
      if (describeFailure(e).notFound) return false;
      throw backendError(this.store, 'GetParameter', path, connection.endpointLabel, e);
    }
  }

  /** Names under the scope via GetParametersByPath (recursive, no decryption). */
  async list(scope: string): Promise<string[]> {
    const path = scope.startsWith('/') ? scope : `/${scope}`;
    const { client, connection } = await this.client();
    const { GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
    const names: string[] = [];
    let next: string | undefined;
    do {
      let res;
      try {
        res = await client.send(new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: false, NextToken: next }));
      } catch (e) {
        throw backendError(this.store, 'GetParametersByPath', path, connection.endpointLabel, e);
      }
      for (const p of res.Parameters ?? []) {
        const name = (p.Name ?? '').startsWith(path) ? (p.Name ?? '').slice(path.length).replace(/^\//, '') : '';
        if (name !== '') names.push(name);
      }
      next = res.NextToken;
    } while (next);
    return names;
  }
}
