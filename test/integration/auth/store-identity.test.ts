import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { Workspace } from '../../../core/workspace';
import { unsafeUnwrap } from '../../../core/secret';
import type { AwsCredentials } from '../../../core/auth/credentials';
import { motoEndpoint } from '../../support/services';
import { expectPrivateLayout, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

describe('identity-backed stores (§5.5) against moto', () => {
  let t: AuthTestEnv;
  beforeEach(() => (t = makeAuthTestEnv()));
  afterEach(() => t.cleanup());

  test('a store with identity authenticates lazily through the chain and reads with the realm files', async () => {
    const moto = motoEndpoint();
    const param = `/ik-auth-${randomBytes(4).toString('hex')}/db/password`;
    const repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(join(repo, 'atmos.yaml'), `stacks:
  base_path: stacks
  included_paths: ["**/*"]
  name_template: "{{.vars.stage}}"
stores:
  prod/ssm:
    type: aws-ssm-parameter-store
    identity: reader
    options:
      region: us-east-1
auth:
  realm: stores
  identities:
    base:
      kind: aws/user
      credentials: { access_key_id: AKIASTOREBASE0000001, secret_access_key: storeBaseSecret000000000000000000000000, region: us-east-1 }
      spec: { endpoint_url: "${moto}" }
    reader:
      kind: aws/assume-role
      via: { identity: base }
      principal: { assume_role: "arn:aws:iam::666666666666:role/reader" }
`);
    const ws = await Workspace.load({ cwd: repo, env: t.env });
    const store = ws.secretsLayer().registry.get('prod/ssm');
    expect(t.entries().filter((e) => e.path.startsWith('xdg'))).toEqual([]); // nothing until first use
    // moto keeps SSM data per account, and an assumed role's keys belong to the role's account
    // (666666666666): a value seeded as the role is visible only through the role's session.
    await seed(moto, param, 'value-in-default-account', { accessKeyId: 'AKIASEEDER0000000001', secretAccessKey: 'seed' });
    const roleCreds = await ws.identity('reader').credentials();
    await seed(moto, param, 'value-in-role-account', toSdk(roleCreds));
    await expect(store.getKey(param)).resolves.toBe('value-in-role-account');
    const files = ws.identity('reader').credentialFiles();
    expect(files.credentialsFile).toBe(join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'stores', 'aws', 'aws-user', 'credentials'));
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'stores'), ['repo']);
  });

  test('ATMOS_IDENTITY=false disables store auth: the store falls back to the SDK chain', async () => {
    const repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(join(repo, 'atmos.yaml'), `stores:\n  s:\n    type: aws-ssm-parameter-store\n    identity: nobody\n    options: { region: us-east-1, endpoint: "${motoEndpoint()}" }\nauth:\n  identities: {}\n`);
    // The SDK default chain reads the process environment.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAAMBIENT000000001';
    process.env.AWS_SECRET_ACCESS_KEY = 'ambientSecretForDisabledAuthTest0000000';
    try {
      const ws = await Workspace.load({ cwd: repo, env: { ...t.env, ATMOS_IDENTITY: 'false' } });
      await expect(ws.secretsLayer().registry.get('s').getKey('/does/not/exist')).rejects.toMatchObject({ code: 'STORE_KEY_NOT_FOUND' });
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

async function seed(endpoint: string, name: string, value: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<void> {
  const ssm = new SSMClient({ region: 'us-east-1', endpoint, credentials });
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }));
  } finally {
    ssm.destroy();
  }
}

function toSdk(c: AwsCredentials) {
  return { accessKeyId: unsafeUnwrap(c.accessKeyId), secretAccessKey: unsafeUnwrap(c.secretAccessKey), ...(c.sessionToken ? { sessionToken: unsafeUnwrap(c.sessionToken) } : {}) };
}
