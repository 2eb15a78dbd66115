/**
 * Auth never prints or writes key material outside the credential files: every CLI verb's
 * output, every error, every file under the temp home is checked for the long-lived keys, the
 * session keys (read back from the credentials file) and the SSO token.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';
import { motoEndpoint } from '../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from '../integration/auth/auth-test-env';

const LONG_ID = 'AKIALEAKTEST00000001';
const LONG_SECRET = 'leakTestLongLivedSecretKey0000000000000a';

describe('auth leaks', () => {
  let t: AuthTestEnv;
  let repo: string;
  beforeEach(() => {
    t = makeAuthTestEnv();
    repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: leaks
  identities:
    base:
      kind: aws/user
      credentials: { access_key_id: ${LONG_ID}, secret_access_key: ${LONG_SECRET}, region: us-east-1 }
      spec: { endpoint_url: "${motoEndpoint()}" }
    role:
      kind: aws/assume-role
      default: true
      via: { identity: base }
      principal: { assume_role: "arn:aws:iam::888888888888:role/leaks" }
    broken:
      kind: aws/assume-role
      via: { identity: ghost }
`);
  });
  afterEach(() => t.cleanup());

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const io = captureIO();
    const code = await run(args, { io, env: { ...t.env, ...env }, cwd: repo });
    return { code, text: io.stdout + io.stderr };
  }

  test('no verb prints a key; only the credentials file holds session keys', async () => {
    const outputs: string[] = [];
    for (const args of [
      ['auth', 'login'],
      ['auth', 'whoami'],
      ['auth', 'whoami', '--format', 'json'],
      ['auth', 'env', '--format', 'bash'],
      ['auth', 'env', '--format', 'json'],
      ['auth', 'env', '--format', 'dotenv', '--login'],
      ['auth', 'list', '--format', 'yaml'],
      ['auth', 'validate'],
      ['auth', 'login', '--identity', 'broken'],
      ['auth', 'login', '--identity', 'base', '--debug'],
    ]) {
      outputs.push((await cli(args)).text);
    }
    // A child that prints the credentials file: its piped output is masked.
    const credFile = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'leaks', 'aws', 'aws-user', 'credentials');
    const exec = await cli(['auth', 'exec', '--', process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(credFile)}, 'utf8'))`]);
    expect(exec.code).toBe(0);
    expect(exec.text).toContain('<MASKED>');
    outputs.push(exec.text);

    const sessionValues = [...readFileSync(credFile, 'utf8').matchAll(/^aws_(?:secret_access_key|session_token)\s*=\s*(\S+)$/gm)].map((m) => m[1]);
    expect(sessionValues.length).toBeGreaterThanOrEqual(4);
    const secrets = [LONG_SECRET, ...sessionValues];
    const all = outputs.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);

    // On disk, only the credentials file carries keys (and never the long-lived secret).
    for (const e of t.entries()) {
      if (e.dir || e.path.startsWith('repo')) continue;
      const text = readFileSync(join(t.root, e.path), 'utf8');
      if (join(t.root, e.path) === credFile) {
        expect(text).not.toContain(LONG_SECRET);
        continue;
      }
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });
});
