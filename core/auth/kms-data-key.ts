import type { AwsCredentialsProvider } from '../stores/store';
import type { AuthManager } from './auth-manager';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { awsErrorName, isExpiredCredentialsError } from './aws-sdk';
import { awsClientOptions } from '../aws/client-options';
import { identityAwsContext } from './store-auth';
import type { SopsKmsKeyService } from '../secrets/sops/kms-keys';
import type { SopsKmsEntry } from '../secrets/sops/metadata';

/** One `sops.kms` entry of a SOPS file (sops' field names). */
export type { SopsKmsEntry };

/** Wraps and unwraps SOPS data keys with AWS KMS (the `sops/aws-kms` provider's key service). */
export type KmsKeyService = SopsKmsKeyService;

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
  const call = async <T>(
    arn: string,
    action: string,
    fn: (client: import('@aws-sdk/client-kms').KMSClient, kms: typeof import('@aws-sdk/client-kms')) => Promise<T>,
    role?: string,
  ): Promise<T> => {
    const kms = await import('@aws-sdk/client-kms');
    const region = /^arn:[^:]+:kms:([^:]+):/.exec(arn)?.[1] ?? conn.region ?? env.AWS_REGION ?? 'us-east-1';
    let credentials = conn.credentials;
    if (role) credentials = await assumeKeyRole(role, region, credentials, env.AWS_ENDPOINT_URL_STS || conn.endpoint || env.AWS_ENDPOINT_URL || undefined, who, arn);
    const client = new kms.KMSClient(awsClientOptions({ region, endpoint, credentials }));
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
    who,
    decryptDataKey: (entry) =>
      call(entry.arn, 'Decrypt', async (client, kms) => {
        const out = await client.send(new kms.DecryptCommand({ CiphertextBlob: Buffer.from(entry.enc, 'base64'), KeyId: entry.arn, ...(entry.context ? { EncryptionContext: entry.context } : {}) }));
        if (!out.Plaintext) throw new Error('KMS returned no plaintext');
        return Buffer.from(out.Plaintext);
      }, entry.role),
    encryptDataKey: (arn, dataKey, context) =>
      call(arn, 'Encrypt', async (client, kms) => {
        const out = await client.send(new kms.EncryptCommand({ KeyId: arn, Plaintext: dataKey, ...(context ? { EncryptionContext: context } : {}) }));
        if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
        return { arn, enc: Buffer.from(out.CiphertextBlob).toString('base64'), created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), aws_profile: '', ...(context ? { context } : {}) };
      }),
  };
}

/**
 * sops assumes an entry's `role` before calling KMS (kms/keysource.go), with the session name
 * `sops@<hostname>`; here the base credentials are the identity's.
 */
async function assumeKeyRole(role: string, region: string, base: AwsCredentialsProvider | undefined, endpoint: string | undefined, who: string, arn: string): Promise<AwsCredentialsProvider> {
  const sts = await import('@aws-sdk/client-sts');
  const { hostname } = await import('node:os');
  const client = new sts.STSClient(awsClientOptions({ region, endpoint, credentials: base }));
  try {
    const out = await client.send(new sts.AssumeRoleCommand({ RoleArn: role, RoleSessionName: `sops@${hostname()}`.replace(/[^\w+=,.@-]/g, '').slice(0, 64) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
    const creds = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
    return async () => creds;
  } catch (e) {
    throw authError(
      AUTH_ERROR_CODES.STS_FAILED,
      `sts:AssumeRole of ${role} (the role of KMS key ${arn}) as ${who} failed (${awsErrorName(e) ?? 'Error'}: ${e instanceof Error ? e.message : String(e)})`,
      arn,
      `check that ${who} may assume ${role}, or remove the role from the file's kms entry`,
      e,
    );
  } finally {
    client.destroy();
  }
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
