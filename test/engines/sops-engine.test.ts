/**
 * SOPS files both ways between infrakey and the real `sops` (built by scripts/build-engines.sh):
 * YAML, JSON and dotenv with age, YAML with AWS KMS (moto); files sops writes with
 * `unencrypted_suffix`, `encrypted_regex`, `mac_only_encrypted`, comments and key order open in
 * infrakey, and infrakey's `secret set` on them keeps what sops expects; tampered files are
 * refused by both. infrakey runs as users run it: the built CLI in a child process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { parse as parseYaml } from 'yaml';
import { motoEndpoint } from '../support/services';
import { engine, infrakeyCli, ok, run } from './support/engines';

jest.setTimeout(180_000);

const STACK = (stage: string, providerOf: Record<string, string>) =>
  `vars:\n  stage: ${stage}\ncomponents:\n  terraform:\n    app:\n      secrets:\n        vars:\n${Object.entries(providerOf)
    .map(([name, provider]) => `          ${name}: { sops: ${provider}, required: false }\n`)
    .join('')}`;

/** Every name → provider the stacks declare (infrakey reads only declared secrets). */
const DECLARED: Record<string, string> = {
  Y_TOKEN: 'age-yaml', Y_NEW: 'age-yaml', J_TOKEN: 'age-json', J_NEW: 'age-json', E_TOKEN: 'age-env', E_NEW: 'age-env',
  K_TOKEN: 'kms-yaml', K_NEW: 'kms-yaml',
  Z_FIRST: 'age-yaml', A_TOKEN: 'age-yaml', PUBLIC_unencrypted: 'age-yaml', ADDED_unencrypted: 'age-yaml',
  APP_TOKEN: 'age-json', APP_REGION: 'age-json', NEW_TOKEN: 'age-json', NEW_REGION: 'age-json',
  E_SECRET: 'age-env', E_PLAIN: 'age-env',
};

describe('sops interop with the real sops binary', () => {
  let sops: string;
  let root: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let kmsArn: string;

  const file = (rel: string) => join(dir, rel);
  const ik = (args: string[], input?: string) => run(process.execPath, [infrakeyCli(), ...args], { env, cwd: dir, input });
  const ikGet = (name: string, stack: string) => {
    const r = ik(['secret', 'get', name, '-s', stack, '-c', 'app', '--mask=false']);
    if (r.status !== 0) throw new Error(`infrakey secret get ${name} -s ${stack} failed (${r.status}):\n${r.out}`);
    return r.stdout.replace(/\n$/, '');
  };
  const ikSet = (name: string, stack: string, value: string) => {
    const r = ik(['secret', 'set', name, '-s', stack, '-c', 'app', '--stdin'], value);
    if (r.status !== 0) throw new Error(`infrakey secret set ${name} -s ${stack} failed (${r.status}):\n${r.out}`);
  };
  const sopsOk = (args: string[]) => ok(sops, args, { env, cwd: dir });
  /** `sops -d` of a file, parsed by its format. */
  const decrypted = (rel: string): Record<string, unknown> => {
    const text = sopsOk(['-d', file(rel)]);
    if (rel.endsWith('.env')) return Object.fromEntries(text.trim().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    return rel.endsWith('.json') ? (JSON.parse(text) as Record<string, unknown>) : (parseYaml(text) as Record<string, unknown>);
  };

  beforeAll(async () => {
    sops = engine('sops');
    infrakeyCli();
    root = mkdtempSync(join(tmpdir(), 'ik-engine-sops-'));
    dir = join(root, 'repo');
    mkdirSync(join(dir, 'stacks'), { recursive: true });
    mkdirSync(join(dir, 'secrets'));
    mkdirSync(join(dir, '.age'), { mode: 0o700 });
    execFileSync('age-keygen', ['-o', join(dir, '.age', 'keys.txt')], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', join(dir, '.age', 'keys.txt')], { encoding: 'utf8' }).trim();
    const kms = new KMSClient({ region: 'us-east-1', endpoint: motoEndpoint(), credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    kmsArn = (await kms.send(new CreateKeyCommand({ Description: 'infrakey engine sops test' }))).KeyMetadata!.Arn!;
    kms.destroy();

    const provider = (name: string, kind: string, ext: string) =>
      `    ${name}:\n      kind: ${kind}\n      spec:\n        file: secrets/{{ .atmos_stack }}.${ext}\n${kind === 'sops/age' ? '        age_key_file: .age/keys.txt\n' : ''}`;
    writeFileSync(
      join(dir, 'atmos.yaml'),
      `base_path: "./"\nstacks:\n  base_path: stacks\n  included_paths: ["*.yaml"]\n  name_template: "{{ .vars.stage }}"\nsecrets:\n  providers:\n${provider('age-yaml', 'sops/age', 'enc.yaml')}${provider('age-json', 'sops/age', 'enc.json')}${provider('age-env', 'sops/age', 'enc.env')}${provider('kms-yaml', 'sops/aws-kms', 'kms.yaml')}`,
    );
    for (const stage of ['dev', 'ops']) writeFileSync(join(dir, 'stacks', `${stage}.yaml`), STACK(stage, DECLARED));
    // One .sops.yaml for both tools: KMS for *.kms.yaml, age for the rest; the `ops` files carry
    // the sops options under test.
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:
  - path_regex: \\.kms\\.yaml$
    kms: ${kmsArn}
  - path_regex: secrets/ops\\.enc\\.yaml$
    age: ${recipient}
    unencrypted_suffix: _unencrypted
  - path_regex: secrets/ops\\.enc\\.json$
    age: ${recipient}
    encrypted_regex: _TOKEN$
  - path_regex: secrets/ops\\.enc\\.env$
    age: ${recipient}
    encrypted_regex: ^E_SECRET
    mac_only_encrypted: true
  - path_regex: secrets/
    age: ${recipient}
`,
    );
    env = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      ATMOS_XDG_CONFIG_HOME: join(root, 'xdg-config'),
      ATMOS_XDG_CACHE_HOME: join(root, 'xdg-cache'),
      ATMOS_XDG_DATA_HOME: join(root, 'xdg-data'),
      SOPS_AGE_KEY_FILE: join(dir, '.age', 'keys.txt'),
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-credentials'),
      AWS_CONFIG_FILE: join(root, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });
  afterAll(() => root && rmSync(root, { recursive: true, force: true }));

  it.each([
    ['YAML', 'Y', 'secrets/dev.enc.yaml'],
    ['JSON', 'J', 'secrets/dev.enc.json'],
    ['dotenv', 'E', 'secrets/dev.enc.env'],
    ['YAML with AWS KMS', 'K', 'secrets/dev.kms.yaml'],
  ])('%s: a file infrakey writes opens with sops -d; sops set/unset on it work in infrakey', (_label, p, rel) => {
    const v1 = `${p}-infrakey-value-1 with spaces & "quotes"`;
    ikSet(`${p}_TOKEN`, 'dev', v1);
    expect(readFileSync(file(rel), 'utf8')).not.toContain('infrakey-value-1');
    expect(decrypted(rel)[`${p}_TOKEN`]).toBe(v1);
    if (p === 'K') expect((parseYaml(readFileSync(file(rel), 'utf8')) as { sops: { kms: { arn: string }[] } }).sops.kms[0].arn).toBe(kmsArn);

    // sops writes a new key and removes the first; infrakey sees both changes.
    sopsOk(['set', file(rel), `["${p}_NEW"]`, JSON.stringify(`${p}-from-sops`)]);
    expect(ikGet(`${p}_NEW`, 'dev')).toBe(`${p}-from-sops`);
    expect(ikGet(`${p}_TOKEN`, 'dev')).toBe(v1);
    sopsOk(['unset', file(rel), `["${p}_TOKEN"]`]);
    const gone = ik(['secret', 'get', `${p}_TOKEN`, '-s', 'dev', '-c', 'app', '--mask=false']);
    expect(gone.status).not.toBe(0);
    expect(gone.out).not.toContain(v1);
    // And infrakey writes again into the file sops last wrote.
    ikSet(`${p}_TOKEN`, 'dev', 'second');
    expect(decrypted(rel)).toMatchObject({ [`${p}_TOKEN`]: 'second', [`${p}_NEW`]: `${p}-from-sops` });
  });

  it('YAML from sops -e with unencrypted_suffix, comments and key order: infrakey reads it and its secret set keeps all three', () => {
    const rel = 'secrets/ops.enc.yaml';
    writeFileSync(file(rel), '# owned by the platform team\nZ_FIRST: zeta\n# the API token\nA_TOKEN: alpha-secret\nPUBLIC_unencrypted: visible\nnested:\n  inner: kept\n');
    sopsOk(['-e', '-i', file(rel)]);
    expect(readFileSync(file(rel), 'utf8')).toContain('PUBLIC_unencrypted: visible');
    expect(ikGet('A_TOKEN', 'ops')).toBe('alpha-secret');
    expect(ikGet('PUBLIC_unencrypted', 'ops')).toBe('visible');

    ikSet('A_TOKEN', 'ops', 'alpha-rotated');
    ikSet('ADDED_unencrypted', 'ops', 'plain-on-purpose');
    const raw = readFileSync(file(rel), 'utf8');
    expect(raw).not.toContain('alpha-rotated');
    expect(raw).toContain('PUBLIC_unencrypted: visible');
    expect(raw).toContain('ADDED_unencrypted: plain-on-purpose'); // the suffix rule applies to new keys too
    expect((parseYaml(raw) as { sops: { unencrypted_suffix?: string } }).sops.unencrypted_suffix).toBe('_unencrypted');
    const text = sopsOk(['-d', file(rel)]);
    expect(text).toBe(
      '# owned by the platform team\nZ_FIRST: zeta\n# the API token\nA_TOKEN: alpha-rotated\nPUBLIC_unencrypted: visible\nnested:\n    inner: kept\nADDED_unencrypted: plain-on-purpose\n',
    );
  });

  it('JSON from sops -e with encrypted_regex: only matching keys are encrypted, before and after infrakey writes', () => {
    const rel = 'secrets/ops.enc.json';
    writeFileSync(file(rel), JSON.stringify({ APP_TOKEN: 'tok-1', APP_REGION: 'eu-west-1' }, null, 2));
    sopsOk(['-e', '-i', file(rel)]);
    const before = JSON.parse(readFileSync(file(rel), 'utf8')) as Record<string, unknown> & { sops: { encrypted_regex?: string } };
    expect(before.APP_REGION).toBe('eu-west-1');
    expect(String(before.APP_TOKEN)).toMatch(/^ENC\[/);
    expect(ikGet('APP_TOKEN', 'ops')).toBe('tok-1');
    expect(ikGet('APP_REGION', 'ops')).toBe('eu-west-1');

    ikSet('NEW_TOKEN', 'ops', 'tok-new');
    ikSet('NEW_REGION', 'ops', 'us-east-2');
    const after = JSON.parse(readFileSync(file(rel), 'utf8')) as Record<string, unknown> & { sops: { encrypted_regex?: string } };
    expect(after.sops.encrypted_regex).toBe('_TOKEN$');
    expect(String(after.NEW_TOKEN)).toMatch(/^ENC\[/);
    expect(after.NEW_REGION).toBe('us-east-2');
    expect(Object.keys(after)).toEqual(['APP_TOKEN', 'APP_REGION', 'NEW_TOKEN', 'NEW_REGION', 'sops']);
    expect(decrypted(rel)).toEqual({ APP_TOKEN: 'tok-1', APP_REGION: 'eu-west-1', NEW_TOKEN: 'tok-new', NEW_REGION: 'us-east-2' });
  });

  it('dotenv from sops -e with mac_only_encrypted: both accept a changed plaintext value, both refuse a changed ciphertext', () => {
    const rel = 'secrets/ops.enc.env';
    writeFileSync(file(rel), 'E_SECRET=s3cr3t\nE_PLAIN=hello\n');
    sopsOk(['-e', '-i', file(rel)]);
    expect(readFileSync(file(rel), 'utf8')).toContain('E_PLAIN=hello');
    expect(ikGet('E_SECRET', 'ops')).toBe('s3cr3t');
    ikSet('E_SECRET', 'ops', 'rotated');
    expect(decrypted(rel)).toMatchObject({ E_SECRET: 'rotated', E_PLAIN: 'hello' });
    expect(readFileSync(file(rel), 'utf8')).toContain('sops_mac_only_encrypted=true');

    // The MAC covers only encrypted values: a plaintext edit is accepted by both.
    writeFileSync(file(rel), readFileSync(file(rel), 'utf8').replace('E_PLAIN=hello', 'E_PLAIN=edited'));
    expect(decrypted(rel).E_PLAIN).toBe('edited');
    expect(ikGet('E_PLAIN', 'ops')).toBe('edited');
    expect(ikGet('E_SECRET', 'ops')).toBe('rotated');
  });

  describe('tampered files are refused by both', () => {
    const refusedByBoth = (rel: string, name: string, stack: string, tamper: (text: string) => string) => {
      const good = readFileSync(file(rel), 'utf8');
      try {
        writeFileSync(file(rel), tamper(good));
        expect(readFileSync(file(rel), 'utf8')).not.toBe(good);
        const s = run(sops, ['-d', file(rel)], { env, cwd: dir });
        expect(s.status).not.toBe(0);
        const i = ik(['secret', 'get', name, '-s', stack, '-c', 'app', '--mask=false']);
        expect(i.status).not.toBe(0);
        return { sops: s.out, infrakey: i.out };
      } finally {
        writeFileSync(file(rel), good);
      }
    };

    it('a changed ciphertext (one byte of one value)', () => {
      ikSet('Y_TOKEN', 'dev', 'tamper-target');
      const r = refusedByBoth('secrets/dev.enc.yaml', 'Y_TOKEN', 'dev', (t) =>
        t.replace(/(Y_TOKEN: ENC\[AES256_GCM,data:)(.)/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`),
      );
      expect(r.infrakey).not.toContain('tamper-target');
      expect(r.infrakey).toMatch(/SOPS_[A-Z_]+/);
    });

    it('a changed plaintext value under unencrypted_suffix (the MAC covers it)', () => {
      const r = refusedByBoth('secrets/ops.enc.yaml', 'A_TOKEN', 'ops', (t) => t.replace('PUBLIC_unencrypted: visible', 'PUBLIC_unencrypted: forged'));
      expect(r.sops).toMatch(/MAC/i);
      expect(r.infrakey).toMatch(/MAC/i);
    });

    it('a swapped MAC', () => {
      refusedByBoth('secrets/dev.enc.json', 'J_NEW', 'dev', (t) => {
        const j = JSON.parse(t) as { sops: { mac: string } };
        const other = JSON.parse(readFileSync(file('secrets/ops.enc.json'), 'utf8')) as { sops: { mac: string } };
        j.sops.mac = other.sops.mac;
        return JSON.stringify(j, null, 4);
      });
    });
  });
});
