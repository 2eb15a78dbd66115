/**
 * The sops-kms-floci scenario (a real Atmos repo, unchanged) through the real CLI in-process,
 * against moto's KMS standing in for floci — as Atmos's own TestSopsKmsFlociE2E drives it: a KMS
 * key is created, a `.sops.yaml` creation rule names its ARN, and `secret set/get/list` and
 * `describe component` run with NO ambient AWS credentials: the KMS calls must use the
 * `floci-superuser` identity of the provider (`secrets.providers.sops-kms.identity`).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { parse } from 'yaml';
import { captureIO } from '../../../cli/io';
import { run } from '../../../cli/program';
import { motoEndpoint } from '../../support/services';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

const FIXTURE = join(ATMOS_SCENARIOS, 'sops-kms-floci');
const VALUE = 'supersecret-kms-value-4Qz9';
const FILE = 'secrets/dev.enc.yaml';

/** The environment of a user with no AWS credentials at all, and no system keyring. */
function cleanEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|ATMOS_|SOPS_|DBUS_|FLOCI_)/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Where no ~/.aws files exist, the SDK's default chain finds nothing: only the identity works.
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-such-credentials'),
    AWS_CONFIG_FILE: join(root, 'no-such-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    FLOCI_ENDPOINT_URL: motoEndpoint(),
    ...extra,
  };
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ik-sops-kms-'));
  cpSync(FIXTURE, join(dir, 'repo'), { recursive: true });
  return dir;
}

async function cli(root: string, argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const io = captureIO({ stdin: Readable.from(opts.stdin !== undefined ? [opts.stdin] : []) });
  const code = await run(argv, { io, env: cleanEnv(root, opts.env), cwd: join(root, 'repo') });
  return { code, out: io.stdout, err: io.stderr };
}

/** A symmetric key in moto's default account (123456789012), created as the fixture's user. */
async function createKey(endpoint: string, creds = { accessKeyId: 'test', secretAccessKey: 'test' }): Promise<string> {
  const kms = new KMSClient({ region: 'us-east-1', endpoint, credentials: creds });
  try {
    const out = await kms.send(new CreateKeyCommand({ Description: 'infrakey sops-kms-floci test' }));
    return out.KeyMetadata!.Arn!;
  } finally {
    kms.destroy();
  }
}

/** Atmos's writeSopsCreationRule, verbatim in content. */
function writeCreationRule(root: string, arn: string): void {
  writeFileSync(join(root, 'repo', '.sops.yaml'), `creation_rules:\n  - path_regex: secrets/.*\\.enc\\.yaml$\n    kms: ${arn}\n`, { mode: 0o600 });
}

interface KmsMeta {
  kms: { arn: string; enc: string; created_at: string; aws_profile: string }[];
  age?: unknown[];
  mac: string;
}

function sopsMeta(root: string): KmsMeta {
  return (parse(readFileSync(join(root, 'repo', FILE), 'utf8')) as { sops: KmsMeta }).sops;
}

describe('sops-kms-floci scenario (sops/aws-kms with the provider identity, moto KMS)', () => {
  const endpoint = motoEndpoint();
  let root: string;
  let arn: string;

  beforeAll(async () => {
    root = project();
    arn = await createKey(endpoint);
    writeCreationRule(root, arn);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('secret set creates the file with the data key wrapped by the KMS key (no ambient credentials)', async () => {
    const r = await cli(root, ['secret', 'set', 'API_KEY', '-s', 'dev', '-c', 'app', '--force', '--identity', 'floci-superuser'], { stdin: VALUE + '\n' });
    expect(r.err).toContain('API_KEY');
    expect(r.code).toBe(0);
    const text = readFileSync(join(root, 'repo', FILE), 'utf8');
    expect(text).not.toContain(VALUE);
    expect(statSync(join(root, 'repo', FILE)).mode & 0o777).toBe(0o600);
    const meta = sopsMeta(root);
    expect(meta.kms).toHaveLength(1);
    expect(meta.kms[0].arn).toBe(arn);
    expect(meta.kms[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(meta.kms[0].aws_profile).toBe('');
    expect(Buffer.from(meta.kms[0].enc, 'base64').length).toBeGreaterThan(32);
    expect(meta.age ?? []).toEqual([]);
    // sops' kmskey field order.
    expect(text).toMatch(/- arn: .*\n\s+created_at: .*\n\s+enc: .*\n\s+aws_profile: ""/);
    expect(r.out + r.err).not.toContain(VALUE);
  });

  it('secret get decrypts through KMS: masked by default, the value with --mask=false', async () => {
    const masked = await cli(root, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--identity', 'floci-superuser']);
    // Masked output to a pipe says so on stderr (and nothing else there).
    expect(masked.err).toBe('infrakey: API_KEY is masked in this output; pass --mask=false to print the value\n');
    expect(masked.code).toBe(0);
    expect(masked.out).toBe('<MASKED>\n');
    const plain = await cli(root, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false', '--identity', 'floci-superuser']);
    expect(plain.code).toBe(0);
    expect(plain.out).toBe(VALUE + '\n');
  });

  it('the provider identity is used without --identity too (secrets.providers.sops-kms.identity)', async () => {
    const r = await cli(root, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false']);
    expect(r.err).toBe('');
    expect(r.out).toBe(VALUE + '\n');
  });

  it('secret list shows the secret initialized without decrypting', async () => {
    const r = await cli(root, ['secret', 'list', '-s', 'dev', '-c', 'app', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { name: string; status: string; scope: string }[];
    expect(rows.map((x) => [x.name, x.status, x.scope])).toEqual([['API_KEY', 'initialized', 'instance']]);
  });

  it('describe component shows <MASKED> and never the value', async () => {
    const r = await cli(root, ['describe', 'component', 'app', '-s', 'dev', '--format', 'json']);
    expect(r.code).toBe(0);
    const section = JSON.parse(r.out) as { vars: Record<string, unknown> };
    expect(section.vars.api_key).toBe('<MASKED>');
    expect(r.out).not.toContain(VALUE);
  });

  it('a second set re-encrypts with the same KMS-wrapped data key (edit in place)', async () => {
    const before = sopsMeta(root).kms[0].enc;
    const r = await cli(root, ['secret', 'set', 'API_KEY', '-s', 'dev', '-c', 'app'], { stdin: `${VALUE}-2` });
    expect(r.code).toBe(0);
    expect(sopsMeta(root).kms[0].enc).toBe(before);
    const got = await cli(root, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false']);
    expect(got.out).toBe(`${VALUE}-2\n`);
    await cli(root, ['secret', 'set', 'API_KEY', '-s', 'dev', '-c', 'app'], { stdin: VALUE });
  });

  it('a kms "enc" that was altered fails clearly, naming the file and the key ARN', async () => {
    const other = project();
    try {
      writeCreationRule(other, arn);
      cpSync(join(root, 'repo', FILE), join(other, 'repo', FILE));
      const path = join(other, 'repo', FILE);
      const meta = sopsMeta(other);
      const raw = Buffer.from(meta.kms[0].enc, 'base64');
      raw[raw.length - 5] ^= 0xff;
      writeFileSync(path, readFileSync(path, 'utf8').replace(meta.kms[0].enc, raw.toString('base64')));
      const r = await cli(other, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('SOPS_DECRYPT_FAILED');
      expect(r.err).toContain(path);
      expect(r.err).toContain(arn);
      expect(r.err).toContain('identity "floci-superuser"');
      expect(r.out + r.err).not.toContain(VALUE);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('an identity of another account cannot open the file: clear error naming the identity and the ARN', async () => {
    const other = project();
    try {
      cpSync(join(root, 'repo', FILE), join(other, 'repo', FILE));
      // The same repo, but the provider's identity assumes a role in account 777777777777.
      const cfgPath = join(other, 'repo', 'atmos.yaml');
      const cfg = readFileSync(cfgPath, 'utf8')
        .replace('identity: floci-superuser\n', 'identity: other-account\n')
        .replace(
          '      default: true\n',
          '      default: true\n    other-account:\n      kind: aws/assume-role\n      via:\n        identity: floci-superuser\n      principal:\n        assume_role: arn:aws:iam::777777777777:role/sops-reader\n',
        );
      writeFileSync(cfgPath, cfg);
      const r = await cli(other, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('SOPS_DECRYPT_FAILED');
      expect(r.err).toContain(join(other, 'repo', FILE));
      expect(r.err).toContain(arn);
      expect(r.err).toContain('identity "other-account"');
      expect(r.out + r.err).not.toContain(VALUE);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  // moto does not enforce a disabled key's state on Decrypt, so the "key unusable here" cases are a
  // key of another region (sops takes the region from the ARN) and a key that does not exist.
  it('a file whose kms entry names another region fails clearly, naming the file and the ARN', async () => {
    const other = project();
    try {
      writeCreationRule(other, arn);
      const path = join(other, 'repo', FILE);
      cpSync(join(root, 'repo', FILE), path);
      const westArn = arn.replace(':us-east-1:', ':us-west-2:');
      writeFileSync(path, readFileSync(path, 'utf8').replace(arn, westArn));
      const r = await cli(other, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('SOPS_DECRYPT_FAILED');
      expect(r.err).toContain(path);
      expect(r.err).toContain(westArn);
      expect(r.err).toContain('AccessDenied');
      expect(r.out + r.err).not.toContain(VALUE);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('creating a file for a KMS key that does not exist fails naming the ARN, and writes nothing', async () => {
    const other = project();
    try {
      const missing = arn.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
      writeCreationRule(other, missing);
      const r = await cli(other, ['secret', 'set', 'API_KEY', '-s', 'dev', '-c', 'app'], { stdin: VALUE });
      expect(r.code).toBe(1);
      expect(r.err).toContain('SOPS_ENCRYPT_FAILED');
      expect(r.err).toContain(missing);
      expect(r.err).toContain('identity "floci-superuser"');
      expect(() => statSync(join(other, 'repo', FILE))).toThrow();
      expect(r.out + r.err).not.toContain(VALUE);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('without the identity and without ambient credentials, decrypting fails and says how to set one', async () => {
    const r = await cli(root, ['secret', 'get', 'API_KEY', '-s', 'dev', '-c', 'app', '--mask=false'], { env: { ATMOS_IDENTITY: 'false', AWS_ENDPOINT_URL: endpoint } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('SOPS_DECRYPT_FAILED');
    expect(r.err).toContain(arn);
    expect(r.err).toContain('ambient AWS credentials');
    expect(r.out + r.err).not.toContain(VALUE);
  });
});
