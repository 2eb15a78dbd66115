/**
 * SOPS `pgp` and `gcp-kms` files both ways between infrakey (the built CLI, as users run it) and
 * the real `sops` binary (scripts/build-engines.sh): `pgp` with the real GnuPG (throwaway home,
 * own gpg-agent, killed at the end), `gcp-kms` with the named FAKE Cloud KMS, which sops reaches
 * through its REST client (`SOPS_GCP_KMS_CLIENT_TYPE=rest`, `SOPS_GCP_KMS_ENDPOINT`,
 * `GOOGLE_OAUTH_ACCESS_TOKEN`); and mixed pgp+age key groups. The fake runs in this process, so
 * every child is run without blocking it (runAsync).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { FakeGcpKms } from '../fakes/fake-gcp-kms';
import { gnupgHome, type GnupgHome } from '../support/gnupg';
import { engine, infrakeyCli, okAsync, runAsync } from './support/engines';

jest.setTimeout(180_000);

const DECLARED: Record<string, string> = {
  P_TOKEN: 'pgp-yaml', P_NEW: 'pgp-yaml', P_SOPS: 'pgp-yaml',
  G_TOKEN: 'gcp-yaml', G_NEW: 'gcp-yaml', G_SOPS: 'gcp-yaml',
  M_TOKEN: 'mixed', M_SOPS: 'mixed',
};

describe('sops interop with the real sops binary: pgp (real GnuPG) and gcp-kms (FAKE Cloud KMS)', () => {
  const fake = new FakeGcpKms();
  const TOKEN = 'ya29.engine-test-token-0042';
  let sops: string;
  let root: string;
  let dir: string;
  let gpg: GnupgHome;
  let fp: string;
  let gcpKey: string;
  let env: NodeJS.ProcessEnv;
  let ageKeyFile: string;

  const file = (rel: string) => join(dir, rel);
  const ik = (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}) => runAsync(process.execPath, [infrakeyCli(), ...args], { env: { ...env, ...extra }, cwd: dir, input });
  const ikGet = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
    const r = await ik(['secret', 'get', name, '-s', 'dev', '-c', 'app', '--mask=false'], undefined, extra);
    if (r.status !== 0) throw new Error(`infrakey secret get ${name} failed (${r.status}):\n${r.out}`);
    return r.stdout.replace(/\n$/, '');
  };
  const ikSet = async (name: string, value: string) => {
    const r = await ik(['secret', 'set', name, '-s', 'dev', '-c', 'app', '--stdin'], value);
    if (r.status !== 0) throw new Error(`infrakey secret set ${name} failed (${r.status}):\n${r.out}`);
    expect(r.out).not.toContain(value);
  };
  const sopsOk = (args: string[], extra: NodeJS.ProcessEnv = {}, cwd = dir) => okAsync(sops, args, { env: { ...env, ...extra }, cwd });
  const decrypted = async (rel: string, extra: NodeJS.ProcessEnv = {}) => parseYaml(await sopsOk(['-d', file(rel)], extra)) as Record<string, unknown>;

  beforeAll(async () => {
    sops = engine('sops');
    infrakeyCli();
    const endpoint = await fake.start();
    gcpKey = fake.createKey('infrakey-engine', 'global', 'sops', 'dev');
    fake.allow(TOKEN, [gcpKey]);
    gpg = gnupgHome();
    fp = gpg.generate('Engine Test');
    root = mkdtempSync(join(tmpdir(), 'ik-engine-pgp-gcp-'));
    dir = join(root, 'repo');
    mkdirSync(join(dir, 'stacks'), { recursive: true });
    mkdirSync(join(dir, '.age'), { mode: 0o700 });
    ageKeyFile = join(dir, '.age', 'keys.txt');
    execFileSync('age-keygen', ['-o', ageKeyFile], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', ageKeyFile], { encoding: 'utf8' }).trim();
    // Atmos spells the pgp kind sops/gpg; sops/pgp is the same type.
    writeFileSync(
      join(dir, 'atmos.yaml'),
      [
        'base_path: "./"',
        'stacks: { base_path: stacks, included_paths: ["*.yaml"], name_template: "{{ .vars.stage }}" }',
        'secrets:',
        '  providers:',
        '    pgp-yaml: { kind: sops/gpg, spec: { file: "secrets/{{ .atmos_stack }}.pgp.yaml" } }',
        '    gcp-yaml: { kind: sops/gcp-kms, spec: { file: "secrets/{{ .atmos_stack }}.gcp.yaml" } }',
        '    mixed: { kind: sops/pgp, spec: { file: "secrets/{{ .atmos_stack }}.mixed.yaml" } }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'stacks', 'dev.yaml'),
      `vars:\n  stage: dev\ncomponents:\n  terraform:\n    app:\n      secrets:\n        vars:\n${Object.entries(DECLARED)
        .map(([n, p]) => `          ${n}: { sops: ${p}, required: false }\n`)
        .join('')}`,
    );
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: \\.pgp\\.yaml$\n    pgp: ${fp}\n  - path_regex: \\.gcp\\.yaml$\n    gcp_kms: ${gcpKey}\n  - path_regex: \\.mixed\\.yaml$\n    key_groups:\n      - pgp: [${fp}]\n        age: [${recipient}]\n`,
    );
    env = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      ATMOS_XDG_CONFIG_HOME: join(root, 'xdg-config'),
      ATMOS_XDG_CACHE_HOME: join(root, 'xdg-cache'),
      ATMOS_XDG_DATA_HOME: join(root, 'xdg-data'),
      GNUPGHOME: gpg.home,
      SOPS_AGE_KEY_FILE: ageKeyFile,
      GOOGLE_OAUTH_ACCESS_TOKEN: TOKEN,
      SOPS_GCP_KMS_ENDPOINT: endpoint,
      SOPS_GCP_KMS_CLIENT_TYPE: 'rest',
    };
  });
  afterAll(async () => {
    gpg?.close();
    await fake.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['pgp', 'P', 'secrets/dev.pgp.yaml'],
    ['gcp-kms', 'G', 'secrets/dev.gcp.yaml'],
  ])('%s: infrakey secret set → sops -d; sops set → infrakey secret get; infrakey writes again', async (type, p, rel) => {
    const v1 = `${p}-infrakey-value-1 with spaces & "quotes"`;
    await ikSet(`${p}_TOKEN`, v1);
    const text = readFileSync(file(rel), 'utf8');
    expect(text).not.toContain('infrakey-value-1');
    const meta = (parseYaml(text) as { sops: Record<string, Record<string, string>[]> }).sops;
    if (type === 'pgp') expect(meta.pgp.map((k) => k.fp)).toEqual([fp]);
    else expect(meta.gcp_kms.map((k) => k.resource_id)).toEqual([gcpKey]);
    expect((await decrypted(rel))[`${p}_TOKEN`]).toBe(v1);
    await sopsOk(['set', file(rel), `["${p}_NEW"]`, JSON.stringify(`${p}-from-sops`)]);
    expect(await ikGet(`${p}_NEW`)).toBe(`${p}-from-sops`);
    expect(await ikGet(`${p}_TOKEN`)).toBe(v1);
    await ikSet(`${p}_TOKEN`, 'second');
    expect(await decrypted(rel)).toMatchObject({ [`${p}_TOKEN`]: 'second', [`${p}_NEW`]: `${p}-from-sops` });
  });

  it.each([
    ['pgp', 'P', 'secrets/dev.pgp.yaml'],
    ['gcp-kms', 'G', 'secrets/dev.gcp.yaml'],
  ])('%s: a file sops -e writes (flag, not .sops.yaml) opens in infrakey', async (type, p, rel) => {
    rmSync(file(rel), { force: true });
    // Run outside the repository: no .sops.yaml is found, the flag alone names the key.
    const plain = join(root, `${p}.plain.yaml`);
    writeFileSync(plain, `${p}_SOPS: made-by-sops-${p}\n`);
    const flag = type === 'pgp' ? ['--pgp', fp] : ['--gcp-kms', gcpKey];
    const out = await sopsOk(['-e', ...flag, plain], {}, root);
    writeFileSync(file(rel), out);
    expect(await ikGet(`${p}_SOPS`)).toBe(`made-by-sops-${p}`);
  });

  it('mixed pgp+age key group: infrakey writes, sops opens with pgp alone and with age alone; sops writes, infrakey opens with pgp alone', async () => {
    const rel = 'secrets/dev.mixed.yaml';
    await ikSet('M_TOKEN', 'mixed-infrakey');
    const meta = (parseYaml(readFileSync(file(rel), 'utf8')) as { sops: { pgp: unknown[]; age: unknown[] } }).sops;
    expect([meta.pgp.length, meta.age.length]).toEqual([1, 1]);
    const emptyHome = join(root, 'empty-gnupg');
    mkdirSync(emptyHome, { recursive: true });
    chmodSync(emptyHome, 0o700);
    const noAge = { SOPS_AGE_KEY_FILE: join(root, 'no-age-keys.txt') };
    expect((await decrypted(rel, noAge)).M_TOKEN).toBe('mixed-infrakey');
    expect((await decrypted(rel, { GNUPGHOME: emptyHome })).M_TOKEN).toBe('mixed-infrakey');

    rmSync(file(rel));
    writeFileSync(file('secrets/plain.yaml'), 'M_SOPS: mixed-from-sops\n');
    // sops picks the .mixed.yaml rule through --filename-override.
    const out = await sopsOk(['-e', '--filename-override', file(rel), file('secrets/plain.yaml')]);
    writeFileSync(file(rel), out);
    const sopsMeta = (parseYaml(out) as { sops: { key_groups?: unknown; pgp?: unknown[]; age?: unknown[] } }).sops;
    expect(sopsMeta.pgp ?? sopsMeta.key_groups).toBeDefined();
    expect(await ikGet('M_SOPS', noAge)).toBe('mixed-from-sops');
    expect(await ikGet('M_SOPS', { GNUPGHOME: emptyHome })).toBe('mixed-from-sops');
  });

  it('Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, external_account; google-auth-library exchanges the subject token at the fake STS)', async () => {
    // Run by the built CLI: gaxios's STS client imports node-fetch dynamically, which jest's VM cannot.
    const subject = join(root, 'subject.jwt');
    writeFileSync(subject, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaS1hZGMifQ.');
    fake.exchange('eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaS1hZGMifQ.', TOKEN);
    const adc = join(root, 'adc.json');
    writeFileSync(
      adc,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/providers/ci',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${env.SOPS_GCP_KMS_ENDPOINT}/v1/token`,
        credential_source: { file: subject },
      }),
    );
    const before = fake.calls.length;
    const viaAdc = { GOOGLE_OAUTH_ACCESS_TOKEN: '', GOOGLE_APPLICATION_CREDENTIALS: adc };
    expect(await ikGet('G_SOPS', viaAdc)).toBe('made-by-sops-G');
    expect(fake.calls.slice(before).map((c) => [c.path.endsWith('/v1/token') ? 'sts' : c.action, c.status])).toEqual([
      ['sts', 200],
      ['decrypt', 200],
    ]);
    // A subject token STS refuses: exit 1, the error names ADC and the fix, never the subject token.
    writeFileSync(subject, 'not-a-known-subject-token');
    const r = await ik(['secret', 'get', 'G_SOPS', '-s', 'dev', '-c', 'app', '--mask=false'], undefined, viaAdc);
    expect(r.status).toBe(1);
    expect(r.out).toContain('Application Default Credentials');
    expect(r.out).toContain('gcloud auth application-default login');
    expect(r.out).not.toContain('not-a-known-subject-token');
  });

  it('infrakey secret get without a usable key: exit 1, the error names the file and the fix, no token or value in the output', async () => {
    const r = await ik(['secret', 'get', 'G_SOPS', '-s', 'dev', '-c', 'app', '--mask=false'], undefined, { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.not-allowed-token-77' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('dev.gcp.yaml');
    expect(r.out).toContain(gcpKey);
    expect(r.out).toContain('UNAUTHENTICATED');
    expect(r.out).not.toContain('not-allowed-token-77');
    expect(r.out).not.toContain('made-by-sops-G');
  });
});
