/**
 * Errors that hid their cause (issue 10, item 20): an identity-backed store whose keyring cannot
 * be opened said only "auth context not available … log in". The cause's code and message (never a
 * value) are now in the error, and on a terminal the secret verbs ask for the keyring password
 * as `auth whoami` does. Real file keyring (JWE on disk) and moto for STS/SSM.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, redactor, Secret, StoreError, Workspace } from '../../core/index';
import { openKeyring } from '../../core/keyring/select-keyring';
import { CredentialStore } from '../../core/keyring/credential-store';
import { AwsConnector } from '../../core/stores/aws-connection';
import { causeSummary } from '../../core/masking/cause-summary';
import { motoEndpoint } from '../support/services';
import { rejection } from '../support/errors';

const PASSWORD = 'keyring-pw-for-causes-1';
const ACCESS = 'AKIACAUSES0000000001';
const SECRET = 'causesSecretKey0000000000000000000000001';

describe('the cause of a store auth failure is in the error', () => {
  it('names the cause code and message, masks a value in foreign text', async () => {
    const value = 'cause-leak-value-4711';
    redactor.register(value);
    const connector = new AwsConnector({ name: 'prod/ssm', kind: 'aws/ssm', region: 'us-east-1', env: {} }, 'ssm', async () => ({ destroy: () => undefined }));
    connector.setAuthResolver(async () => {
      throw new AuthError({ code: 'KEYRING_PASSWORD_WRONG', message: 'the file keyring password is wrong', fix: 'x', cause: new Error(`decrypt failed near ${value}`) });
    }, 'deployer');
    const e = await rejection(connector.get());
    expect(e).toBeInstanceOf(StoreError);
    expect(e.code).toBe('STORE_AUTH_FAILED');
    expect(e.message).toContain('(KEYRING_PASSWORD_WRONG: the file keyring password is wrong ← Error: decrypt failed near <MASKED>)');
    expect(e.message).not.toContain(value);
    expect(causeSummary(Secret.of('x'.repeat(10)))).toBe('error');
  });
});

describe('file keyring behind an identity-backed store', () => {
  const root = mkdtempSync(join(tmpdir(), 'ik-causes-'));
  const repo = join(root, 'repo');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    ATMOS_XDG_CONFIG_HOME: join(root, 'xdg-config'),
    ATMOS_XDG_DATA_HOME: join(root, 'xdg-data'),
    ATMOS_XDG_CACHE_HOME: join(root, 'xdg-cache'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const moto = motoEndpoint();
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(
      join(repo, 'atmos.yaml'),
      `stacks:\n  base_path: stacks\n  included_paths: ["**/*"]\n  name_template: "{{.vars.stage}}"\nstores:\n  prod/ssm:\n    type: aws-ssm-parameter-store\n    identity: base\n    options: { region: us-east-1, endpoint: "${moto}" }\nauth:\n  realm: causes\n  keyring: { type: file }\n  identities:\n    base:\n      kind: aws/user\n      region: us-east-1\n      spec: { endpoint_url: "${moto}" }\n`,
    );
    const keyring = await openKeyring({ type: 'file', env, password: PASSWORD });
    await new CredentialStore(keyring, 'causes').setAws('base', { access_key_id: ACCESS, secret_access_key: SECRET, region: 'us-east-1' });
  });

  it('without a password or terminal: STORE_AUTH_FAILED names the keyring cause', async () => {
    const ws = await Workspace.load({ cwd: repo, env });
    const e = await rejection(ws.secretsLayer().registry.get('prod/ssm').getKey('/causes/none'));
    expect(e.code).toBe('STORE_AUTH_FAILED');
    expect(e.message).toMatch(/KEYRING_PASSWORD_REQUIRED: the file keyring at .* needs a password/);
    expect(e.message).not.toContain(SECRET);
  });

  it('on a terminal, the password is asked once and the store works', async () => {
    const asked: string[] = [];
    const prompt = async (message: string) => {
      asked.push(message);
      return PASSWORD;
    };
    const ws = await Workspace.load({ cwd: repo, env, keyringPrompt: { isTTY: true, prompt } });
    const e = await rejection(ws.secretsLayer().registry.get('prod/ssm').getKey('/causes/none'));
    expect(e.code).toBe('STORE_KEY_NOT_FOUND');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/passphrase/i);
  });
});
