import { setupJest } from 'cdktf/lib/testing/adapters/jest';
import { DeclaredSecret, infrakeyContext, CDKTF_ERROR_CODES } from '../../cdktf/index';
import { ENGINES, type TfJson } from './support/engines';
import { makeProject, type TestProject } from './support/project';

setupJest();
const SSM_PARAMETER = { tfResourceType: 'aws_ssm_parameter' };
const SECRET_VERSION = { tfResourceType: 'aws_secretsmanager_secret_version' };

let project: TestProject;
beforeAll(async () => {
  project = await makeProject();
});

describe.each(ENGINES)('DeclaredSecret ($name)', ({ lib }) => {
  const { Testing, TerraformStack, TerraformOutput } = lib;

  function stack(ctx: { stack?: string; component?: string } = { stack: 'dev', component: 'api' }) {
    const app = Testing.app();
    const s = new TerraformStack(app, 'api-dev');
    infrakeyContext(s, { workspace: project.workspace, ...ctx });
    return s;
  }

  function synth(s: InstanceType<typeof TerraformStack>): { text: string; json: TfJson } {
    const text = Testing.synth(s);
    return { text, json: JSON.parse(text) as TfJson };
  }

  it('an SSM-backed secret is a decrypted aws_ssm_parameter data source on the exact parameter name', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD' });
    new TerraformOutput(s, 'db_out', { value: db.value, sensitive: true });
    const { text, json } = synth(s);
    expect(text).toHaveDataSourceWithProperties(SSM_PARAMETER, { name: '/infrakey/dev/api/DB_PASSWORD', with_decryption: true, region: 'us-east-1' });
    expect(db.source).toBe('ssm-parameter');
    const [id] = Object.keys(json.data!.aws_ssm_parameter);
    // Strings are stored raw; only `""` (how the empty string is stored) is decoded: a `"quoted"`
    // value written by another tool keeps its quotes (issue 10 #16, the same rule as core).
    expect(json.output!.db_out.value).toBe(`\${(data.aws_ssm_parameter.${id}.value == "\\"\\"") ? "" : data.aws_ssm_parameter.${id}.value}`);
    expect(json.output!.db_out.sensitive).toBe(true);
  });

  it('stack and global scopes change the key path exactly as Atmos composes it (§5.3, §6.4)', () => {
    const s = stack();
    const shared = new DeclaredSecret(s, 'shared', { name: 'SHARED_TOKEN' });
    const global = new DeclaredSecret(s, 'global', { name: 'GLOBAL_KEY' });
    expect(shared.storage).toMatchObject({ track: 'store', kind: 'aws/ssm', keyPath: '/infrakey/dev/SHARED_TOKEN', scope: 'stack' });
    expect(global.storage).toMatchObject({ keyPath: '/infrakey/GLOBAL_KEY', scope: 'global' });
    const { text } = synth(s);
    expect(text).toHaveDataSourceWithProperties(SSM_PARAMETER, { name: '/infrakey/dev/SHARED_TOKEN' });
    expect(text).toHaveDataSourceWithProperties(SSM_PARAMETER, { name: '/infrakey/GLOBAL_KEY' });
  });

  it('a Secrets Manager-backed secret is an aws_secretsmanager_secret_version data source; path uses jsondecode', () => {
    const s = stack();
    const keys = new DeclaredSecret(s, 'keys', { name: 'API_KEYS', path: '.primary["key id"][0]' });
    const plain = new DeclaredSecret(s, 'plain', { name: 'PLAIN_ASM' });
    new TerraformOutput(s, 'k', { value: keys.value, sensitive: true });
    new TerraformOutput(s, 'p', { value: plain.value, sensitive: true });
    const { text, json } = synth(s);
    expect(text).toHaveDataSourceWithProperties(SECRET_VERSION, { secret_id: 'infrakey/dev/api/API_KEYS', region: 'eu-west-1' });
    expect(keys.source).toBe('secrets-manager-version');
    const ids = Object.keys(json.data!.aws_secretsmanager_secret_version);
    const keysId = ids.find((i) => i.startsWith('keys'))!;
    const plainId = ids.find((i) => i.startsWith('plain'))!;
    // `.0` is HCL's legacy index form, which Terraform still reads as `[0]`.
    expect(json.output!.k.value).toBe(`\${jsondecode(data.aws_secretsmanager_secret_version.${keysId}.secret_string).primary["key id"].0}`);
    // Secrets Manager stores plain strings JSON-encoded (with quotes): decode those, keep any other
    // text as stored (a number such as `1e5` is not rewritten, issue 10 #14).
    const t = `data.aws_secretsmanager_secret_version.${plainId}.secret_string`;
    expect(json.output!.p.value).toBe(`\${try(startswith(${t}, "\\"") ? jsondecode(${t}) : ${t}, ${t})}`);
  });

  it('a SOPS-backed secret is a sensitive variable named after the declaration, with the secret exec hint', () => {
    const s = stack();
    const key = new DeclaredSecret(s, 'signing', { name: 'SIGNING_KEY' });
    const json2 = new DeclaredSecret(s, 'cfg', { name: 'SOPS_JSON', path: '.db.password' });
    new TerraformOutput(s, 'sk', { value: key.value, sensitive: true });
    new TerraformOutput(s, 'cfg_out', { value: json2.value, sensitive: true });
    const { json } = synth(s);
    expect(key.source).toBe('variable');
    expect(key.variableName).toBe('SIGNING_KEY');
    expect(json.variable!.SIGNING_KEY).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(String(json.variable!.SIGNING_KEY.description)).toContain('infrakey secret exec -s dev -c api --tf-vars');
    expect(json.variable!.SOPS_JSON.sensitive).toBe(true);
    expect(json.output!.sk.value).toBe('${var.SIGNING_KEY}');
    expect(json.output!.cfg_out.value).toBe('${jsondecode(var.SOPS_JSON).db.password}');
    expect(json.data).toBeUndefined();
  });

  it('two DeclaredSecrets of the same secret share one variable; the same name from another component conflicts', () => {
    const s = stack();
    const a = new DeclaredSecret(s, 'a', { name: 'SIGNING_KEY' });
    const b = new DeclaredSecret(s, 'b', { name: 'SIGNING_KEY' });
    expect(b.element).toBe(a.element);
    let err: (Error & { code?: string }) | undefined;
    try {
      new DeclaredSecret(s, 'c', { name: 'SIGNING_KEY', component: 'worker' });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe(CDKTF_ERROR_CODES.VARIABLE_CONFLICT);
    expect(err?.message).toContain('api-dev/c');
  });

  it('explicit stack/component props win over the context; the construct tree context is read too', () => {
    const app = Testing.app({ context: { 'infrakey:stack': 'dev', 'infrakey:component': 'worker' } });
    const s = new TerraformStack(app, 'worker-dev');
    infrakeyContext(s, { workspace: project.workspace });
    const w = new DeclaredSecret(s, 'w', { name: 'SIGNING_KEY' });
    expect(w.storage.coordinate).toEqual({ stack: 'dev', component: 'worker', key: 'SIGNING_KEY' });
    const explicit = new DeclaredSecret(s, 'x', { name: 'DB_PASSWORD', component: 'api' });
    expect(explicit.storage).toMatchObject({ keyPath: '/infrakey/dev/api/DB_PASSWORD' });
  });

  it('fails with CDKTF_CONTEXT_MISSING naming the construct when no stack is known', () => {
    const app = Testing.app();
    const s = new TerraformStack(app, 'bare');
    infrakeyContext(s, { workspace: project.workspace });
    expect(() => new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD' })).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.CONTEXT_MISSING, message: expect.stringContaining('bare/db') }));
  });

  it('an undeclared name is SECRET_NOT_DECLARED listing what the component declares', () => {
    const s = stack();
    expect(() => new DeclaredSecret(s, 'x', { name: 'NOPE' })).toThrow(expect.objectContaining({ code: 'SECRET_NOT_DECLARED', message: expect.stringContaining('DB_PASSWORD') }));
  });

  it('a negative path index is refused: Terraform has no such index', () => {
    const s = stack();
    expect(() => new DeclaredSecret(s, 'x', { name: 'API_KEYS', path: '.list[-1]' })).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.PATH_UNSUPPORTED }));
  });
});
