import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AuthManager } from '../../../core/auth/auth-manager';
import { awsCredentialSourceFor } from '../../../core/auth/workspace-auth';
import { kmsKeyService } from '../../../core/secrets/sops/key-types/aws-kms-service';
import { identityAwsContext } from '../../../core/auth/store-auth';
import { motoEndpoint } from '../../support/services';
import { failure, makeAuthTestEnv, type AuthTestEnv } from '../auth/auth-test-env';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

// The KMS key service takes a credentials source; the identity's comes from core/auth.
const kmsKeyServiceForIdentity = async (m: AuthManager, identity: string, env: NodeJS.ProcessEnv) => kmsKeyService(await awsCredentialSourceFor(m, identity, env));

describe('sops/aws-kms key service with an identity (moto KMS)', () => {
  let t: AuthTestEnv;
  beforeEach(() => (t = makeAuthTestEnv()));
  afterEach(() => t.cleanup());

  test('the sops-kms-floci identity (aws/user + credentials.aws.resolver.url) wraps and unwraps a data key', async () => {
    const moto = motoEndpoint();
    // The fixture's auth section, with its `!env FLOCI_ENDPOINT_URL` pointed at moto.
    const text = readFileSync(`${ATMOS_SCENARIOS}/sops-kms-floci/atmos.yaml`, 'utf8').replace('!env FLOCI_ENDPOINT_URL', JSON.stringify(moto));
    const auth = (parse(text) as { auth: unknown }).auth;
    const m = new AuthManager(auth, { env: t.env, configDir: '/repo/sops-kms-floci' });
    expect(m.resolveIdentityName()).toBe('floci-superuser');

    const creds = await m.authenticate('floci-superuser');
    expect(creds.credentials.type).toBe('aws');
    const kmsAdmin = new KMSClient({ region: 'us-east-1', endpoint: moto, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const key = await kmsAdmin.send(new CreateKeyCommand({ Description: 'sops data keys' }));
    kmsAdmin.destroy();
    const arn = key.KeyMetadata!.Arn!;

    const svc = await kmsKeyServiceForIdentity(m, 'floci-superuser', t.env);
    const dataKey = randomBytes(32);
    const entry = await svc.encryptDataKey(arn, dataKey, { atmos: 'test' });
    expect(entry).toMatchObject({ arn, aws_profile: '', context: { atmos: 'test' } });
    expect(Buffer.from(entry.enc, 'base64').includes(dataKey)).toBe(false);
    expect((await svc.decryptDataKey(entry)).equals(dataKey)).toBe(true);
  });

  test('a key of another account is not usable by the identity: clear error naming it', async () => {
    const moto = motoEndpoint();
    const m = new AuthManager(
      {
        identities: {
          base: { kind: 'aws/user', credentials: { access_key_id: 'AKIAKMSBASE000000001', secret_access_key: 'kmsBaseSecret', region: 'us-east-1' }, spec: { endpoint_url: moto } },
          other: { kind: 'aws/assume-role', via: { identity: 'base' }, principal: { assume_role: 'arn:aws:iam::777777777777:role/kms' } },
        },
      },
      { env: t.env },
    );
    // A key created as the role lives in 777777777777 and opens only with the role's session.
    const roleSvc = await kmsKeyServiceForIdentity(m, 'other', t.env);
    const roleCtx = await identityAwsContext(m, 'other');
    const kmsRole = new KMSClient({ region: 'us-east-1', endpoint: moto, credentials: roleCtx.credentials });
    const key = await kmsRole.send(new CreateKeyCommand({}));
    kmsRole.destroy();
    const entry = await roleSvc.encryptDataKey(key.KeyMetadata!.Arn!, randomBytes(32));
    // The base user (default account) cannot use it.
    const baseSvc = await kmsKeyServiceForIdentity(m, 'base', t.env);
    const err = await failure(baseSvc.decryptDataKey(entry));
    expect(err.message).toContain('identity "base"');
    expect(err.message).toContain(key.KeyMetadata!.Arn!);
  });
});
