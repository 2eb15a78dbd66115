import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { IdentityAwsProvider, engineNameOf, infrakeyContext, CDKTF_ERROR_CODES } from '../../cdktf/index';
import { Workspace } from '../../core/index';
import { ENGINES, type TfJson } from './support/engines';
import { makeProject, REALM, type TestProject } from './support/project';

// A decoy: the paths come from the environment given to Workspace.load, not from process.env.
const decoy = mkdtempSync(join(tmpdir(), 'ik-cdktf-xdg-'));
const saved = { ...process.env };
let project: TestProject;
let xdg: string;
beforeAll(async () => {
  project = await makeProject();
  xdg = project.env.ATMOS_XDG_CONFIG_HOME as string;
  process.env.ATMOS_XDG_CONFIG_HOME = decoy;
  process.env.ATMOS_IDENTITY = 'auditor';
});
afterAll(() => {
  process.env = saved;
});

const KEY_FIELDS = /"(access_key|secret_key|token)"\s*:/;

describe.each(ENGINES)('IdentityAwsProvider ($name)', ({ name, lib }) => {
  const { Testing, TerraformStack } = lib;

  function synth(build: (s: InstanceType<typeof TerraformStack>) => void): { text: string; json: TfJson } {
    const app = Testing.app();
    const s = new TerraformStack(app, 'infra');
    infrakeyContext(s, { workspace: project.workspace });
    build(s);
    const text = Testing.synth(s);
    return { text, json: JSON.parse(text) as TfJson };
  }

  it('points Terraform at the identity\'s realm-scoped credential files and profile; no keys', () => {
    let p: IdentityAwsProvider | undefined;
    const { text, json } = synth((s) => {
      p = new IdentityAwsProvider(s, 'aws', { identity: 'dev-admin', region: 'us-east-2' });
    });
    expect(json.provider!.aws).toEqual([
      {
        shared_credentials_files: [join(xdg, 'atmos', REALM, 'aws', 'sso', 'credentials')],
        shared_config_files: [join(xdg, 'atmos', REALM, 'aws', 'sso', 'config')],
        profile: 'dev-admin',
        region: 'us-east-2',
      },
    ]);
    expect(p!.identity).toBe('dev-admin');
    expect(p!.roleArns).toEqual([]);
    expect(text).not.toMatch(KEY_FIELDS);
  });

  it('defaults to the identity marked default and to the identity\'s own region; aws/user lives under aws-user', () => {
    const { json } = synth((s) => {
      new IdentityAwsProvider(s, 'aws');
      new IdentityAwsProvider(s, 'ci', { identity: 'ci-user', alias: 'ci' });
    });
    const [def, ci] = json.provider!.aws;
    expect(def).toMatchObject({ profile: 'dev-admin' });
    expect(def.region).toBe('us-east-1'); // the identity's region: its provider's, as `auth env` resolves it
    expect(ci).toMatchObject({ alias: 'ci', profile: 'ci-user', region: 'us-west-2', shared_credentials_files: [join(xdg, 'atmos', REALM, 'aws', 'aws-user', 'credentials')] });
  });

  it('honours the environment given to Workspace.load (ATMOS_IDENTITY, XDG), not process.env', async () => {
    const other = mkdtempSync(join(tmpdir(), 'ik-cdktf-xdg-ws-'));
    const ws = await Workspace.load({ cwd: project.dir, env: { ...project.env, ATMOS_IDENTITY: 'Deployer', ATMOS_XDG_CONFIG_HOME: other } });
    const app = Testing.app();
    const s = new TerraformStack(app, 'env');
    infrakeyContext(s, { workspace: ws });
    const p = new IdentityAwsProvider(s, 'aws');
    new IdentityAwsProvider(s, 'hops', { mode: 'assume-role', alias: 'hops' });
    const [own, hops] = (JSON.parse(Testing.synth(s)) as TfJson).provider!.aws;
    expect(p.identity).toBe('deployer');
    expect(own).toMatchObject({ profile: 'deployer', shared_credentials_files: [join(other, 'atmos', REALM, 'aws', 'sso', 'credentials')] });
    expect(hops).toMatchObject({ profile: 'dev-admin', shared_config_files: [join(other, 'atmos', REALM, 'aws', 'sso', 'config')], assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/deployer' }] });
    expect(JSON.stringify([own, hops])).not.toContain(decoy);
  });

  it('mode assume-role: the base identity\'s profile plus one assume_role block per role hop', () => {
    let p: IdentityAwsProvider | undefined;
    const { text, json } = synth((s) => {
      p = new IdentityAwsProvider(s, 'aws', { identity: 'auditor', mode: 'assume-role' });
    });
    const [cfg] = json.provider!.aws;
    expect(cfg).toMatchObject({
      profile: 'dev-admin',
      shared_credentials_files: [join(xdg, 'atmos', REALM, 'aws', 'sso', 'credentials')],
      region: 'eu-west-1',
      assume_role: [
        { role_arn: 'arn:aws:iam::222222222222:role/deployer', session_name: 'cdktf-deployer', duration: '3600s' },
        { role_arn: 'arn:aws:iam::333333333333:role/auditor', external_id: 'ext-42' },
      ],
    });
    expect(p!.identity).toBe('auditor');
    expect(p!.profile).toBe('dev-admin');
    expect(text).not.toMatch(KEY_FIELDS);
  });

  it('mode assume-role on an identity with no role hop is AUTH_ASSUME_ROLE_PLAN', () => {
    expect(() => synth((s) => new IdentityAwsProvider(s, 'aws', { identity: 'dev-admin', mode: 'assume-role' }))).toThrow(
      expect.objectContaining({ code: 'AUTH_ASSUME_ROLE_PLAN', message: expect.stringContaining('profile') }),
    );
  });

  it('an unknown identity is the auth layer\'s AUTH_IDENTITY_NOT_FOUND', () => {
    expect(() => synth((s) => new IdentityAwsProvider(s, 'aws', { identity: 'nobody' }))).toThrow(expect.objectContaining({ code: 'AUTH_IDENTITY_NOT_FOUND' }));
  });

  it('without a workspace it loads the project of the working directory, once per app', () => {
    const load = jest.spyOn(Workspace, 'loadSync');
    const cwd = process.cwd();
    process.chdir(project.dir);
    try {
      const app = Testing.app();
      const s = new TerraformStack(app, 'bare');
      new IdentityAwsProvider(s, 'aws', { identity: 'dev-admin' });
      new IdentityAwsProvider(new TerraformStack(app, 'second'), 'aws', { identity: 'ci-user' });
      expect(load).toHaveBeenCalledTimes(1);
      const json = JSON.parse(Testing.synth(s)) as TfJson;
      // process.env's ATMOS_XDG_CONFIG_HOME (the decoy): the default project reads the process environment.
      expect(json.provider!.aws).toEqual([expect.objectContaining({ profile: 'dev-admin', shared_credentials_files: [join(decoy, 'atmos', REALM, 'aws', 'sso', 'credentials')] })]);
      new IdentityAwsProvider(new TerraformStack(Testing.app(), 'other-app'), 'aws');
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      process.chdir(cwd);
      load.mockRestore();
    }
  });

  it('without a workspace and no atmos.yaml above the working directory it is CONFIG_NOT_FOUND', () => {
    const cwd = process.cwd();
    process.chdir(decoy);
    try {
      const s = new TerraformStack(Testing.app(), 'bare');
      expect(() => new IdentityAwsProvider(s, 'aws', { identity: 'dev-admin' })).toThrow(expect.objectContaining({ code: 'CONFIG_NOT_FOUND' }));
    } finally {
      process.chdir(cwd);
    }
  });

  it(`the engine is read from the tree's own classes: ${name}`, () => {
    const app = Testing.app();
    const s = new TerraformStack(app, 'x');
    const plain = new Construct(s, 'plain');
    expect(engineNameOf(plain)).toBe(name);
    const { json } = synth((st) => new IdentityAwsProvider(st, 'aws', { identity: 'dev-admin' }));
    expect(json.provider!.aws).toHaveLength(1);
  });
});

describe('engine detection without an App', () => {
  it('a bare construct tree with both engines installed is CDKTF_ENGINE_UNKNOWN', () => {
    const root = new Construct(undefined as unknown as Construct, '');
    expect(() => engineNameOf(new Construct(root, 'c'))).toThrow(expect.objectContaining({ code: CDKTF_ERROR_CODES.ENGINE_UNKNOWN }));
  });
});
