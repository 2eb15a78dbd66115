/**
 * `credential_files.mode: process` end to end with the built CLI: the AWS SDK in a child runs
 * `infrakey auth credentials` itself, and no session key is ever written to disk.
 * Uses dist/cli/main.js (scripts/test.sh builds it first) or INFRAKEY_CLI_JS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { motoEndpoint } from '../../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const CLI = process.env.INFRAKEY_CLI_JS ?? resolve(__dirname, '../../../dist/cli/main.js');
/** The package's bin, which credential_process profiles name. */
const INSTALLED_CLI = resolve(__dirname, '../../../dist/cli/infrakey.js');
/** The real AWS CLI (Debian's awscli, scripts/install-test-deps.sh). */
const AWS_CLI = '/usr/bin/aws';

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
    // The login summary is for the person at the terminal: stderr, as Atmos prints it.
    const login = spawnSync(join(bin, 'infrakey'), ['auth', 'login'], { cwd: repo, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(login.status).toBe(0);
    expect(login.stderr).toContain('deployer');
    const script = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      new STSClient({}).send(new GetCallerIdentityCommand({})).then((o) => console.log(o.Arn), (e) => { console.error(e.name + ': ' + e.message); process.exit(4); });`;
    // Run from another folder: the credential_process command carries --config.
    const out = execFileSync(join(bin, 'infrakey'), ['--config', repo, 'auth', 'exec', '--', process.execPath, '-e', script], { cwd: t.root, env, encoding: 'utf8' });
    expect(out.trim()).toMatch(/^arn:aws:sts::121212121212:assumed-role\/deployer\//);
    const dir = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'proc', 'aws', 'aws-user');
    // The command names this Node binary and the installed CLI by absolute path (issue 16 item 8).
    expect(readFileSync(join(dir, 'config'), 'utf8')).toContain(`credential_process = ${process.execPath} ${INSTALLED_CLI} --config ${repo} auth credentials --identity deployer`);
    const creds = existsSync(join(dir, 'credentials')) ? readFileSync(join(dir, 'credentials'), 'utf8') : '';
    expect(creds).not.toMatch(/aws_secret_access_key|aws_session_token/);
  });

  test('the real AWS CLI runs the profile\'s credential_process with an empty PATH, node and CLI in folders with spaces', () => {
    if (!existsSync(AWS_CLI)) throw new Error(`${AWS_CLI} is missing: run scripts/install-test-deps.sh (apt awscli)`);
    // The package "installed" under a path with a space (a symlink to this checkout), run by a
    // Node binary whose path has a space too (a hard link): the command must quote both.
    const pkg = join(t.root, 'my project', 'node_modules', 'infrakey');
    mkdirSync(join(pkg, '..'), { recursive: true });
    symlinkSync(resolve(__dirname, '../../..'), pkg);
    const nodeDir = join(t.root, 'node bin');
    mkdirSync(nodeDir);
    const node = join(nodeDir, 'node');
    linkSync(process.execPath, node);
    const repo = join(t.root, 'my project', 'infra');
    mkdirSync(repo);
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: proc2
  credential_files: { mode: process }
  identities:
    base:
      kind: aws/user
      credentials: { access_key_id: AKIAPROCESSMODE00002, secret_access_key: processModeSecret0000000000000000000001, region: us-east-1 }
      spec: { endpoint_url: "${motoEndpoint()}" }
    deployer:
      kind: aws/assume-role
      default: true
      via: { identity: base }
      principal: { assume_role: "arn:aws:iam::131313131313:role/deployer" }
`);
    const cli = join(pkg, 'dist', 'cli', 'infrakey.js');
    // --preserve-symlinks-main keeps the path with the space as the CLI's own location.
    const env = { ...t.env, PATH: '' };
    execFileSync(node, ['--preserve-symlinks', '--preserve-symlinks-main', cli, 'auth', 'login'], { cwd: repo, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const dir = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'proc2', 'aws', 'aws-user');
    const config = readFileSync(join(dir, 'config'), 'utf8');
    expect(config).toContain(`credential_process = '${node}' '${cli}' --config '${repo}' auth credentials --identity deployer`);
    const vars = JSON.parse(execFileSync(node, [cli, 'auth', 'env', '--format', 'json'], { cwd: repo, env, encoding: 'utf8' })) as Record<string, string>;
    // The AWS CLI with no PATH at all: it finds nothing but what the profile names.
    const out = execFileSync(AWS_CLI, ['sts', 'get-caller-identity', '--endpoint-url', motoEndpoint(), '--output', 'json'], {
      cwd: t.root,
      env: { ...t.env, PATH: '', AWS_CONFIG_FILE: vars.AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: vars.AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE: vars.AWS_PROFILE, AWS_EC2_METADATA_DISABLED: 'true' },
      encoding: 'utf8',
    });
    expect((JSON.parse(out) as { Arn: string }).Arn).toMatch(/^arn:aws:sts::131313131313:assumed-role\/deployer\//);
    const creds = existsSync(join(dir, 'credentials')) ? readFileSync(join(dir, 'credentials'), 'utf8') : '';
    expect(creds).not.toMatch(/aws_secret_access_key|aws_session_token/);
  });
});
