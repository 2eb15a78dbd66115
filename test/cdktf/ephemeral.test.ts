/**
 * DeclaredSecret's ephemeral mode on both engines: ephemeral blocks and variables in cdk.tf.json,
 * and the synth-time check that an ephemeral value reaches only places Terraform and OpenTofu
 * accept. OpenTofu itself (`tofu validate`, built from its Go module) checks the synthesized JSON
 * in test/cdktf/ephemeral-tofu.test.ts.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeclaredSecret, IdentityAwsProvider, infrakeyContext, protectSecrets, CDKTF_ERROR_CODES } from '../../cdktf/index';
import { ephemeralFlowProblems } from '../../cdktf/ephemeral';
import { ENGINES, type TfJson } from './support/engines';
import { makeProject, type TestProject } from './support/project';

let project: TestProject;
beforeAll(async () => {
  project = await makeProject();
});

type EphemeralJson = TfJson & { ephemeral?: Record<string, Record<string, Record<string, unknown>>>; resource?: Record<string, Record<string, Record<string, unknown>>> };

describe.each(ENGINES)('DeclaredSecret ephemeral mode ($name)', ({ lib, SsmParameter }) => {
  const { Testing, TerraformStack, TerraformOutput, TerraformLocal } = lib;

  function stack() {
    const s = new TerraformStack(Testing.app(), 'api-dev');
    infrakeyContext(s, { workspace: project.workspace, stack: 'dev', component: 'api' });
    return s;
  }
  const synth = (s: InstanceType<typeof TerraformStack>): EphemeralJson => JSON.parse(Testing.synth(s)) as EphemeralJson;

  it('SSM: an ephemeral aws_ssm_parameter on the parameter ARN, used by a write-only argument; no data source reads it', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD', ephemeral: true });
    new SsmParameter(s, 'copy', { name: '/copy', type: 'SecureString', valueWo: db.value, valueWoVersion: 1 });
    const json = synth(s);
    expect(db.ephemeral).toBe(true);
    const blocks = json.ephemeral!.aws_ssm_parameter;
    const [[name, block]] = Object.entries(blocks);
    const ds = json.data as Record<string, Record<string, unknown>>;
    const [partition] = Object.keys(ds.aws_partition);
    const [account] = Object.keys(ds.aws_caller_identity);
    expect(block).toEqual({
      arn: `arn:\${data.aws_partition.${partition}.partition}:ssm:us-east-1:\${data.aws_caller_identity.${account}.account_id}:parameter/infrakey/dev/api/DB_PASSWORD`,
      with_decryption: true,
      region: 'us-east-1',
    });
    expect(ds.aws_ssm_parameter).toBeUndefined();
    expect(String(json.resource!.aws_ssm_parameter.copy.value_wo)).toContain(`ephemeral.aws_ssm_parameter.${name}.value`);
  });

  it('Secrets Manager: an ephemeral aws_secretsmanager_secret_version; a path decodes inside Terraform', () => {
    const s = stack();
    const keys = new DeclaredSecret(s, 'keys', { name: 'API_KEYS', path: '.primary', ephemeral: true });
    new SsmParameter(s, 'copy', { name: '/copy', type: 'SecureString', valueWo: keys.value, valueWoVersion: 1 });
    const json = synth(s);
    const [[name, block]] = Object.entries(json.ephemeral!.aws_secretsmanager_secret_version);
    expect(block).toEqual({ secret_id: 'infrakey/dev/api/API_KEYS', region: 'eu-west-1' });
    expect(json.resource!.aws_ssm_parameter.copy.value_wo).toBe(`\${jsondecode(ephemeral.aws_secretsmanager_secret_version.${name}.secret_string).primary}`);
    expect(json.data).toBeUndefined();
  });

  it('anything else: variable { ephemeral = true, sensitive = true }; usable in a provisioner', () => {
    const s = stack();
    const key = new DeclaredSecret(s, 'key', { name: 'SIGNING_KEY', ephemeral: true });
    new lib.TerraformResource(s, 'use', {
      terraformResourceType: 'terraform_data',
      provisioners: [{ type: 'local-exec', command: 'true', environment: { KEY: key.value } }],
    });
    const json = synth(s);
    expect(json.variable!.SIGNING_KEY).toMatchObject({ type: 'string', sensitive: true, ephemeral: true, nullable: false });
    expect(key.variableName).toBe('SIGNING_KEY');
  });

  it('the provider given is used by the ephemeral block and the account lookups', () => {
    const s = stack();
    const p = new IdentityAwsProvider(s, 'other', { identity: 'dev-admin', alias: 'other' });
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD', ephemeral: true, provider: p.provider });
    new SsmParameter(s, 'copy', { name: '/copy', type: 'SecureString', valueWo: db.value, valueWoVersion: 1 });
    const json = synth(s);
    expect(Object.values(json.ephemeral!.aws_ssm_parameter)[0]).toMatchObject({ provider: 'aws.other' });
    expect(Object.values((json.data as Record<string, Record<string, { provider?: string }>>).aws_caller_identity)[0].provider).toBe('aws.other');
  });

  it('an ephemeral value in an ordinary argument fails synthesis, naming the construct and the attribute', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD', ephemeral: true });
    new SsmParameter(s, 'copy', { name: '/copy', type: 'SecureString', value: db.value });
    expect(() => Testing.synth(s)).toThrow(
      expect.objectContaining({
        code: CDKTF_ERROR_CODES.EPHEMERAL_FLOW,
        message: expect.stringMatching(/flows into resource\.aws_ssm_parameter\.copy\.value, which is not a write-only argument/),
        where: 'api-dev/copy',
      }),
    );
  });

  it('into an output, through a local, or into a data source: refused too; app.synth() writes nothing', () => {
    const out = stack();
    const v = new DeclaredSecret(out, 'key', { name: 'SIGNING_KEY', ephemeral: true });
    new TerraformOutput(out, 'leak', { value: v.value, sensitive: true });
    expect(() => Testing.synth(out)).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.EPHEMERAL_FLOW, message: expect.stringContaining('output.leak') }));

    const viaLocal = stack();
    const k = new DeclaredSecret(viaLocal, 'key', { name: 'SIGNING_KEY', ephemeral: true });
    const local = new TerraformLocal(viaLocal, 'derived', `prefix-${k.value}`);
    new SsmParameter(viaLocal, 'p', { name: '/p', type: 'String', value: local.asString });
    expect(() => Testing.synth(viaLocal)).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.EPHEMERAL_FLOW, message: expect.stringContaining('local.derived') }));

    const outdir = mkdtempSync(join(tmpdir(), 'ik-eph-'));
    const app = protectSecrets(new lib.App({ outdir }));
    const s = new TerraformStack(app, 'api-dev');
    infrakeyContext(s, { workspace: project.workspace, stack: 'dev', component: 'api' });
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD', ephemeral: true });
    new SsmParameter(s, 'copy', { name: '/copy', type: 'SecureString', value: db.value });
    expect(() => app.synth()).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.EPHEMERAL_FLOW }));
    expect(existsSync(join(outdir, 'stacks/api-dev/cdk.tf.json'))).toBe(false);
  });

  it('the same variable cannot be ephemeral for one DeclaredSecret and not for another', () => {
    const s = stack();
    new DeclaredSecret(s, 'a', { name: 'SIGNING_KEY', ephemeral: true });
    expect(() => new DeclaredSecret(s, 'b', { name: 'SIGNING_KEY' })).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.VARIABLE_CONFLICT }));
  });
});

describe('ephemeralFlowProblems (the rule, on cdk.tf.json documents)', () => {
  const base = { variable: { S: { ephemeral: true, sensitive: true } }, ephemeral: { aws_ssm_parameter: { e: { arn: 'x' } } } };
  it('allows write-only arguments, provisioners, connections, providers and other ephemeral resources', () => {
    expect(
      ephemeralFlowProblems({
        ...base,
        provider: { aws: [{ access_key: '${var.S}' }] },
        ephemeral: { ...base.ephemeral, aws_kms_secrets: { k: { secret: [{ payload: '${ephemeral.aws_ssm_parameter.e.value}' }] } } },
        resource: {
          aws_db_instance: { d: { password_wo: '${var.S}', password_wo_version: 1 } },
          terraform_data: { t: { provisioner: [{ 'local-exec': { command: 'x', environment: { A: '${var.S}' } } }], connection: { password: '${var.S}' } } },
        },
      }),
    ).toEqual([]);
  });

  it('refuses ordinary arguments, data sources, outputs, module inputs and the version of a write-only argument', () => {
    const problems = ephemeralFlowProblems({
      ...base,
      locals: { l: 'x-${var.S}', m: '${local.l}' },
      resource: { aws_db_instance: { d: { password: '${var.S}', password_wo_version: '${local.m}' } } },
      data: { aws_x: { y: { filter: [{ value: '${ephemeral.aws_ssm_parameter.e.value}' }] } } },
      output: { o: { value: '${var.S}' } },
      module: { m: { input: '${var.S}' } },
      variable: { ...base.variable, plain: { type: 'string' } },
    });
    expect(problems.map((p) => [p.reference, p.attribute])).toEqual([
      ['var.S', 'resource.aws_db_instance.d.password'],
      ['local.m', 'resource.aws_db_instance.d.password_wo_version'],
      ['ephemeral.aws_ssm_parameter.e', 'data.aws_x.y.filter[0].value'],
      ['var.S', 'output.o.value'],
      ['var.S', 'module.m.input'],
    ]);
    // A plain variable and a non-ephemeral local are not ephemeral.
    expect(ephemeralFlowProblems({ variable: { plain: {} }, locals: { l: '${var.plain}' }, output: { o: { value: '${local.l}' } } })).toEqual([]);
  });
});
