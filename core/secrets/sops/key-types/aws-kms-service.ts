import type { AwsCredentialsProvider } from '../../../stores/store';
import { describeFailure } from '../../../stores/store-errors';
import { sopsError } from '../sops-error';
import { awsClientOptions } from '../../../aws/client-options';

/**
 * The AWS KMS key service of SOPS files: wraps and unwraps data keys with KMS. It takes a
 * connection (a credentials source, region, endpoint) and knows nothing of identities: the
 * Workspace hands it the credentials of the provider's identity (core/auth), and without any it
 * uses the AWS SDK's default chain, as sops' local key service does. The KMS client (and STS,
 * for an entry's `role`) is loaded on first use, so that age-only files never load the SDK.
 */

/**
 * One AWS KMS master key of a file (`sops.kms[]`, sops' field names): the data key encrypted
 * with the KMS key `arn`; `enc` is base64 of the KMS CiphertextBlob.
 */
export interface SopsKmsEntry {
  arn: string;
  enc: string;
  created_at?: string;
  aws_profile?: string;
  /** A role sops assumes before calling KMS. */
  role?: string;
  /** KMS encryption context (must be given again to decrypt). */
  context?: Record<string, string>;
}

/** Wraps and unwraps sops data keys with AWS KMS. */
export interface SopsKmsKeyService {
  /** Who the calls run as, for messages (`identity "x"`, `the ambient AWS credentials`). */
  readonly who?: string;
  /** The data key of one `sops.kms[]` entry; throws when the key cannot be used. */
  decryptDataKey(entry: SopsKmsEntry): Promise<Buffer>;
  /** Encrypts a data key with the KMS key `arn` and returns the entry to store. */
  encryptDataKey(arn: string, dataKey: Buffer, context?: Record<string, string>): Promise<SopsKmsEntry>;
}

/** A key service, or a function that builds it on first need (authentication happens there). */
export type SopsKmsKeyServiceSource = SopsKmsKeyService | (() => Promise<SopsKmsKeyService>);

/** The same service under its historic name. */
export type KmsKeyService = SopsKmsKeyService;

/** Connection of a key service; without credentials the SDK's default chain is used (ambient). */
export interface KmsConnection {
  /** The credentials source (an identity's session); absent: the SDK's default chain. */
  readonly credentials?: AwsCredentialsProvider;
  readonly region?: string;
  readonly endpoint?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Who the calls run as, for messages. */
  readonly identity?: string;
}

/** Error names by which AWS says the calling credentials are expired or revoked. */
const EXPIRED = /^(ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException|TokenRefreshRequired)$/;

/**
 * A KMS failure: the SDK's own text is kept (it names the error, never key material; AWS never
 * echoes the plaintext). Wrapped by the SOPS engine into SOPS_DECRYPT_FAILED / SOPS_ENCRYPT_FAILED.
 */
function kmsError(e: unknown, action: string, arn: string, who: string, identity: string | undefined): Error {
  const name = describeFailure(e).name;
  const expired = EXPIRED.test(name);
  return sopsError(
    action === 'Encrypt' ? 'SOPS_ENCRYPT_FAILED' : 'SOPS_DECRYPT_FAILED',
    `kms:${action} with key ${arn} as ${who} failed (${name}: ${e instanceof Error ? e.message : String(e)})`,
    arn,
    expired && identity ? `run \`infrakey auth login --identity ${identity}\`` : `check that ${who} may use kms:${action} on the key and that the key exists in its account and region`,
    e,
  );
}

/**
 * A KMS key service. The region comes from the key ARN (`arn:aws:kms:<region>:...`), else the
 * connection; the endpoint from the connection, `AWS_ENDPOINT_URL_KMS` or `AWS_ENDPOINT_URL`.
 */
export function kmsKeyService(conn: KmsConnection = {}): SopsKmsKeyService {
  const env = conn.env ?? process.env;
  const endpoint = conn.endpoint ?? (env.AWS_ENDPOINT_URL_KMS || env.AWS_ENDPOINT_URL || undefined);
  const who = conn.identity ? `identity "${conn.identity}"` : 'the ambient AWS credentials';
  const call = async <T>(
    arn: string,
    action: 'Decrypt' | 'Encrypt',
    fn: (client: import('@aws-sdk/client-kms').KMSClient, kms: typeof import('@aws-sdk/client-kms')) => Promise<T>,
    role?: string,
  ): Promise<T> => {
    const kms = await import('@aws-sdk/client-kms');
    const region = /^arn:[^:]+:kms:([^:]+):/.exec(arn)?.[1] ?? conn.region ?? env.AWS_REGION ?? 'us-east-1';
    let credentials = conn.credentials;
    if (role) credentials = await assumeKeyRole(role, region, credentials, env.AWS_ENDPOINT_URL_STS || conn.endpoint || env.AWS_ENDPOINT_URL || undefined, who, arn);
    // Time limits (connect, request, attempts) come from the one helper every AWS client uses.
    const client = new kms.KMSClient(awsClientOptions({ region, endpoint, credentials }));
    try {
      return await fn(client, kms);
    } catch (e) {
      throw kmsError(e, action, arn, who, conn.identity);
    } finally {
      client.destroy();
    }
  };
  return {
    who,
    decryptDataKey: (entry) =>
      call(
        entry.arn,
        'Decrypt',
        async (client, kms) => {
          const out = await client.send(new kms.DecryptCommand({ CiphertextBlob: Buffer.from(entry.enc, 'base64'), KeyId: entry.arn, ...(entry.context ? { EncryptionContext: entry.context } : {}) }));
          if (!out.Plaintext) throw new Error('KMS returned no plaintext');
          return Buffer.from(out.Plaintext);
        },
        entry.role,
      ),
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
 * `sops@<hostname>`; the base credentials are the connection's.
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
    throw sopsError(
      'SOPS_DECRYPT_FAILED',
      `sts:AssumeRole of ${role} (the role of KMS key ${arn}) as ${who} failed (${describeFailure(e).name}: ${e instanceof Error ? e.message : String(e)})`,
      arn,
      `check that ${who} may assume ${role}, or remove the role from the file's kms entry`,
      e,
    );
  } finally {
    client.destroy();
  }
}

/** The key service of a source: given, built by the caller's function, else the ambient chain. */
export async function keyServiceOf(source: SopsKmsKeyServiceSource | undefined): Promise<SopsKmsKeyService> {
  if (source === undefined) return kmsKeyService();
  return typeof source === 'function' ? source() : source;
}
