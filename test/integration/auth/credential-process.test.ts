/**
 * `credential_files.mode: process` end to end with the built CLI: the AWS SDK in a child runs
 * `infrakey auth credentials` itself, and no session key is ever written to disk.
 * Uses dist/cli/main.js (scripts/test.sh builds it first) or INFRAKEY_CLI_JS.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { motoEndpoint } from '../../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const CLI = process.env.INFRAKEY_CLI_JS ?? resolve(__dirname, '../../../dist/cli/main.js');

describe('credential_process mode with the real CLI', () => {
  let t: AuthTestEnv;
  beforeEach(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (scripts/test.sh does)`);
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  test('a child SDK calls `infrakey auth credentials` and sees the assumed role; no keys on disk', () => {
    const bin = join(t.root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'infrakey'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'infrakey'), 0o755);
    const repo = join(t.root, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: proc
  credential_files: { mode: process }
  identities:
    base:
      kind: aws/user
      credentials: { access_key_id: AKIAPROCESSMODE00001, secret_access_key: processModeSecret0000000000000000000000, region: us-east-1 }
      spec: { endpoint_url: "${motoEndpoint()}" }
    deployer:
      kind: aws/assume-role
      default: true
      via: { identity: base }
      principal: { assume_role: "arn:aws:iam::121212121212:role/deployer" }
`);
    const env = { ...t.env, PATH: `${bin}:${process.env.PATH}`, NODE_PATH: resolve(__dirname, '../../../node_modules') };
    const login = execFileSync(join(bin, 'infrakey'), ['auth', 'login'], { cwd: repo, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(login).toContain('deployer');
    const script = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      new STSClient({}).send(new GetCallerIdentityCommand({})).then((o) => console.log(o.Arn), (e) => { console.error(e.name + ': ' + e.message); process.exit(4); });`;
    // Run from another folder: the credential_process command carries --config.
    const out = execFileSync(join(bin, 'infrakey'), ['--config', repo, 'auth', 'exec', '--', process.execPath, '-e', script], { cwd: t.root, env, encoding: 'utf8' });
    expect(out.trim()).toMatch(/^arn:aws:sts::121212121212:assumed-role\/deployer\//);
    const dir = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'proc', 'aws', 'aws-user');
    expect(readFileSync(join(dir, 'config'), 'utf8')).toContain(`credential_process = infrakey --config ${repo} auth credentials --identity deployer`);
    const creds = existsSync(join(dir, 'credentials')) ? readFileSync(join(dir, 'credentials'), 'utf8') : '';
    expect(creds).not.toMatch(/aws_secret_access_key|aws_session_token/);
  });
});
