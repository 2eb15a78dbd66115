/**
 * The example app (examples/cdktf-aws) synthesized as `cdktf synth` does it: the app command runs
 * with CDKTF_OUTDIR and CDKTF_CONTEXT_JSON (cdktf.json's context) set, in a copy of the example.
 * cdktf-cli itself is not a dependency (see CONTRIBUTING.md); no Terraform binary is needed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const EXAMPLE = resolve(__dirname, '../../examples/cdktf-aws');
const RUN_TS_APP = resolve(__dirname, '../../scripts/run-ts-app.js');

function synthExample(engine: 'cdktf' | 'cdktn') {
  const dir = mkdtempSync(join(tmpdir(), `ik-cdktf-example-${engine}-`));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('cdktf.out') });
  if (engine === 'cdktn') {
    const main = join(dir, 'main.ts');
    const text = readFileSync(main, 'utf8').replace("from 'cdktf'", "from 'cdktn'").replace('@cdktf/provider-aws', '@cdktn/provider-aws');
    writeFileSync(main, text);
  }
  const cdktfJson = JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')) as { context: Record<string, string>; output: string };
  const outdir = join(dir, cdktfJson.output);
  const xdg = join(dir, '.xdg');
  const r = spawnSync(process.execPath, [RUN_TS_APP, 'main.ts'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: JSON.stringify(cdktfJson.context), HOME: dir, ATMOS_XDG_CONFIG_HOME: xdg, ATMOS_IDENTITY: '' },
  });
  return { dir, outdir, xdg, r };
}

describe.each(['cdktf', 'cdktn'] as const)('examples/cdktf-aws synthesized with %s', (engine) => {
  const { outdir, xdg, r } = synthExample(engine);

  it('exits 0 and writes stacks/api-dev/cdk.tf.json', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks'))).toEqual(['api-dev']);
  });

  it('holds a decrypted SSM data source, a sensitive variable, the identity provider, and no value or key', () => {
    const text = readFileSync(join(outdir, 'stacks/api-dev/cdk.tf.json'), 'utf8');
    const json = JSON.parse(text) as {
      data: { aws_ssm_parameter: Record<string, { name: string; with_decryption: boolean }> };
      variable: Record<string, { sensitive: boolean; type: string }>;
      provider: { aws: Record<string, unknown>[] };
      output: Record<string, { sensitive: boolean }>;
    };
    expect(Object.values(json.data.aws_ssm_parameter)).toEqual([expect.objectContaining({ name: '/infrakey/dev/api/DB_PASSWORD', with_decryption: true })]);
    expect(json.variable.SIGNING_KEY).toMatchObject({ sensitive: true, type: 'string' });
    expect(json.provider.aws).toEqual([
      {
        profile: 'dev-admin',
        region: 'us-east-1',
        shared_config_files: [join(xdg, 'atmos/cdktf-example/aws/company-sso/config')],
        shared_credentials_files: [join(xdg, 'atmos/cdktf-example/aws/company-sso/credentials')],
        assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/deployer' }],
      },
    ]);
    expect(Object.values(json.output).every((o) => o.sensitive)).toBe(true);
    expect(text).not.toMatch(/"(access_key|secret_key|token)"\s*:/);
  });
});
