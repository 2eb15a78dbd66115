import type { AwsCredentialsProvider } from '../stores/store';
import type { AuthManager } from './auth-manager';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { awsErrorName, AWS_AUTH_TIMEOUTS, isExpiredCredentialsError } from './aws-sdk';
import { identityAwsContext } from './store-auth';

/** One `sops.kms` entry of a SOPS file (sops' field names). */
export interface SopsKmsEntry {
  arn: string;
  /** base64 of the KMS CiphertextBlob of the data key. */
  enc: string;
  created_at?: string;
  aws_profile?: string;
  role?: string;
  context?: Record<string, string>;
}

/** Wraps and unwraps SOPS data keys with AWS KMS (the `sops/aws-kms` provider's key service). */
export interface KmsKeyService {
  decryptDataKey(entry: SopsKmsEntry): Promise<Buffer>;
  encryptDataKey(arn: string, dataKey: Buffer, context?: Record<string, string>): Promise<SopsKmsEntry>;
}

/** Connection of a key service; without credentials the SDK's default chain is used (ambient). */
export interface KmsConnection {
  readonly credentials?: AwsCredentialsProvider;
  readonly region?: string;
  readonly endpoint?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Who the calls run as, for messages. */
  readonly identity?: string;
}

/**
 * A KMS key service. The region comes from the key ARN (`arn:aws:kms:<region>:...`), else the
 * connection; the endpoint from the connection, `AWS_ENDPOINT_URL_KMS` or `AWS_ENDPOINT_URL`.
 * The KMS client is loaded on first use.
 */
export function kmsKeyService(conn: KmsConnection = {}): KmsKeyService {
  const env = conn.env ?? process.env;
  const endpoint = conn.endpoint ?? (env.AWS_ENDPOINT_URL_KMS || env.AWS_ENDPOINT_URL || undefined);
  const who = conn.identity ? `identity "${conn.identity}"` : 'the ambient AWS credentials';
  const call = async <T>(arn: string, action: string, fn: (client: import('@aws-sdk/client-kms').KMSClient, kms: typeof import('@aws-sdk/client-kms')) => Promise<T>): Promise<T> => {
    const kms = await import('@aws-sdk/client-kms');
    const region = /^arn:[^:]+:kms:([^:]+):/.exec(arn)?.[1] ?? conn.region ?? env.AWS_REGION ?? 'us-east-1';
    const client = new kms.KMSClient({
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(conn.credentials ? { credentials: conn.credentials } : {}),
      maxAttempts: AWS_AUTH_TIMEOUTS.maxAttempts,
      requestHandler: { connectionTimeout: AWS_AUTH_TIMEOUTS.connectionTimeout, requestTimeout: AWS_AUTH_TIMEOUTS.requestTimeout },
    });
    try {
      return await fn(client, kms);
    } catch (e) {
      const name = awsErrorName(e) ?? 'Error';
      throw authError(
        isExpiredCredentialsError(e) ? AUTH_ERROR_CODES.CREDENTIALS_EXPIRED : AUTH_ERROR_CODES.STS_FAILED,
        `kms:${action} with key ${arn} as ${who} failed (${name}: ${e instanceof Error ? e.message : String(e)})`,
        arn,
        isExpiredCredentialsError(e) && conn.identity ? `run \`infrakey auth login --identity ${conn.identity}\`` : `check that ${who} may use kms:${action} on the key and that the key exists in its account and region`,
        e,
      );
    } finally {
      client.destroy();
    }
  };
  return {
    decryptDataKey: (entry) =>
      call(entry.arn, 'Decrypt', async (client, kms) => {
        const out = await client.send(new kms.DecryptCommand({ CiphertextBlob: Buffer.from(entry.enc, 'base64'), KeyId: entry.arn, ...(entry.context ? { EncryptionContext: entry.context } : {}) }));
        if (!out.Plaintext) throw new Error('KMS returned no plaintext');
        return Buffer.from(out.Plaintext);
      }),
    encryptDataKey: (arn, dataKey, context) =>
      call(arn, 'Encrypt', async (client, kms) => {
        const out = await client.send(new kms.EncryptCommand({ KeyId: arn, Plaintext: dataKey, ...(context ? { EncryptionContext: context } : {}) }));
        if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
        return { arn, enc: Buffer.from(out.CiphertextBlob).toString('base64'), created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), aws_profile: '', ...(context ? { context } : {}) };
      }),
  };
}

/**
 * The key service of a `sops/aws-kms` provider (§6.6): the provider's `identity`, else the default
 * identity, authenticated lazily through the manager; with neither, the ambient AWS chain.
 */
export async function kmsKeyServiceForIdentity(manager: AuthManager | undefined, identity: string | undefined, env?: NodeJS.ProcessEnv): Promise<KmsKeyService> {
  if (!manager || !identity) return kmsKeyService({ ...(env ? { env } : {}) });
  const ctx = await identityAwsContext(manager, identity);
  return kmsKeyService({ credentials: ctx.credentials, region: ctx.region, endpoint: ctx.endpointUrl, identity, ...(env ? { env } : {}) });
}
