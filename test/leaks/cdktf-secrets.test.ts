/**
 * No secret value reaches the synthesized Terraform JSON, and the synth guard stops synthesis —
 * writing nothing — when one would. Values are set for real: in moto's SSM and Secrets Manager
 * through the stores, and in a SOPS file (age), then resolved through core so that they are
 * registered with the Redactor exactly as in a program that reads them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeclaredSecret, IdentityAwsProvider, infrakeyContext, protectSecrets, CDKTF_ERROR_CODES } from '../../cdktf/index';
import { LeakError, redactor, setSecret, unsafeUnwrap, type Secret } from '../../core/internal';
import { motoEndpoint } from '../support/services';
import { ENGINES } from '../cdktf/support/engines';
import { makeProject, type TestProject } from '../cdktf/support/project';

const TARGET = { stack: 'dev', component: 'api' };
const VALUES = {
  DB_PASSWORD: `ssm-pw-${randomUUID()}`,
  DB_CONFIG: { user: `svc-${randomUUID()}`, password: `ssm-json-${randomUUID()}` },
  SHARED_TOKEN: `ssm-stack-${randomUUID()}`,
  GLOBAL_KEY: `ssm-global-${randomUUID()}`,
  API_KEYS: { primary: { 'key id': [`asm-key-${randomUUID()}`] } },
  PLAIN_ASM: `asm-plain-${randomUUID()}`,
  SIGNING_KEY: `sops-key-${randomUUID()}`,
  SOPS_JSON: { db: { password: `sops-json-${randomUUID()}` } },
};
/** Every string leaf of every value. */
const PLAINTEXTS: string[] = [];
(function collect(v: unknown): void {
  if (typeof v === 'string') PLAINTEXTS.push(v);
  else if (v && typeof v === 'object') Object.values(v).forEach(collect);
})(VALUES);

let project: TestProject;
let resolved: Record<string, Secret<unknown>>;

const savedEnv = { ...process.env };
afterAll(() => {
  process.env = savedEnv;
});

beforeAll(async () => {
  // moto accepts any credentials. The project's default identity is an SSO permission set (for
  // IdentityAwsProvider); auth is switched off for the stores (Atmos's ATMOS_IDENTITY=false), so
  // they use the SDK's default chain instead of starting a device login.
  process.env.ATMOS_IDENTITY = 'false';
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  project = await makeProject({ endpoint: motoEndpoint() });
  const layer = project.workspace.secretsLayer();
  for (const [name, value] of Object.entries(VALUES)) await setSecret(layer, TARGET, name, value);
  // Read back through core: this is what registers the values with the Redactor.
  resolved = await project.workspace.secrets(TARGET);
}, 60_000);

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function forms(v: string): string[] {
  return [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url'), encodeURIComponent(v)];
}

it('the values are really set and resolved (so the checks below can fail)', () => {
  expect(Object.keys(resolved).sort()).toEqual(Object.keys(VALUES).sort());
  expect(unsafeUnwrap(resolved.DB_PASSWORD)).toBe(VALUES.DB_PASSWORD);
  expect(unsafeUnwrap(resolved.SIGNING_KEY)).toBe(VALUES.SIGNING_KEY);
  for (const v of PLAINTEXTS) expect(redactor.contains(`x${v}x`)).toBe(true);
  // The SOPS file is ciphertext.
  const sops = readFileSync(join(project.dir, 'secrets/dev.enc.yaml'), 'utf8');
  for (const v of PLAINTEXTS) expect(sops).not.toContain(v);
});

describe.each(ENGINES)('synthesized JSON ($name)', ({ lib, SsmParameter }) => {
  const { App, TerraformStack, TerraformOutput, Testing } = lib;

  function outdir(): string {
    return mkdtempSync(join(tmpdir(), 'ik-cdktf-out-'));
  }

  it('holds data sources and sensitive variables for every declared secret, and no value in any form', () => {
    const out = outdir();
    const app = protectSecrets(new App({ outdir: out, stackTraces: false }));
    const stack = new TerraformStack(app, 'api-dev');
    infrakeyContext(stack, { workspace: project.workspace, ...TARGET });
    new IdentityAwsProvider(stack, 'aws', { identity: 'Deployer', mode: 'assume-role' });
    const paths: Record<string, string> = { DB_CONFIG: '.password', API_KEYS: '.primary["key id"][0]', SOPS_JSON: '.db.password' };
    for (const name of Object.keys(VALUES)) {
      const s = new DeclaredSecret(stack, name.toLowerCase(), { name, path: paths[name] });
      new TerraformOutput(stack, `${name.toLowerCase()}_out`, { value: s.value, sensitive: true });
    }
    const db = stack.node.findChild('db_password') as DeclaredSecret;
    new SsmParameter(stack, 'copy', { name: '/app/db', type: 'SecureString', value: db.value });
    app.synth();

    const written = files(out);
    const doc = written.find((f) => f.endsWith('cdk.tf.json'))!;
    expect(doc).toBeDefined();
    const json = JSON.parse(readFileSync(doc, 'utf8')) as { data: Record<string, Record<string, unknown>>; variable: Record<string, { sensitive: boolean }> };
    expect(Object.keys(json.data.aws_ssm_parameter)).toHaveLength(4);
    expect(Object.keys(json.data.aws_secretsmanager_secret_version)).toHaveLength(2);
    expect(json.variable.SIGNING_KEY.sensitive).toBe(true);
    expect(json.variable.SOPS_JSON.sensitive).toBe(true);
    for (const f of written) {
      const text = readFileSync(f, 'utf8');
      for (const v of PLAINTEXTS) for (const form of forms(v)) expect(text.includes(form)).toBe(false);
      expect(text).not.toMatch(/"(access_key|secret_key|token)"\s*:/);
      expect(redactor.contains(text)).toBe(false);
    }
  });

  it('the guard fires on a resolved value in a resource attribute, names the construct, and writes nothing', () => {
    const out = outdir();
    const app = protectSecrets(new App({ outdir: out, stackTraces: false }));
    const clean = new TerraformStack(app, 'clean'); // synthesized first: must not be written either
    new SsmParameter(clean, 'ok', { name: '/ok', type: 'String', value: 'not a secret' });
    const stack = new TerraformStack(app, 'leaky');
    new SsmParameter(stack, 'param', { name: '/app/db', type: 'SecureString', value: unsafeUnwrap(resolved.DB_PASSWORD) as string });
    let err: unknown;
    try {
      app.synth();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LeakError);
    const leak = err as LeakError;
    expect(leak.code).toBe(CDKTF_ERROR_CODES.SECRET_IN_SYNTH);
    expect(leak.message).toContain('leaky/param');
    expect(leak.message).toContain('aws_ssm_parameter');
    for (const v of PLAINTEXTS) expect(leak.message).not.toContain(v);
    expect(files(out)).toEqual([]);
  });

  it('the guard sees values nested in JSON, SOPS values, and values added after protectSecrets(app)', () => {
    const out = outdir();
    const app = protectSecrets(new App({ outdir: out, stackTraces: false, skipValidation: true }));
    const stack = new TerraformStack(app, 'late');
    const nested = JSON.stringify({ cfg: unsafeUnwrap(resolved.SOPS_JSON) });
    new SsmParameter(stack, 'blob', { name: '/blob', type: 'String', value: nested });
    expect(() => app.synth()).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.SECRET_IN_SYNTH, message: expect.stringContaining('late/blob') }));
    expect(files(out)).toEqual([]);
  });

  it('the guard also protects a single stack under Testing.synth, and catches a value added by a later Aspect', () => {
    const app = Testing.app();
    const stack = protectSecrets(new TerraformStack(app, 'tested'));
    const param = new SsmParameter(stack, 'p', { name: '/p', type: 'String', value: 'fine' });
    lib.Aspects.of(stack).add({
      visit(node) {
        if (node === param) param.addOverride('description', `token ${unsafeUnwrap(resolved.PLAIN_ASM) as string}`);
      },
    });
    // Aspects added after the guard run after its element check: the final check is a stack
    // validation, which Testing.synth runs when asked to (app.synth always does).
    expect(() => Testing.synth(stack, true)).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.SECRET_IN_SYNTH, message: expect.stringContaining('tested/p') }));
  });
});
