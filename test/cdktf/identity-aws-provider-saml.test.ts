/**
 * IdentityAwsProvider with chains that start at an aws/saml provider and end in aws/assume-role or
 * aws/assume-root: the provider block points at the identity's files under the SAML provider's
 * folder (config only: nothing is authenticated at synth). `mode: assume-role` cannot start from a
 * SAML provider (no session of the provider in the files) nor express AssumeRoot: refused, never
 * silently wrong.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityAwsProvider, infrakeyContext } from '../../cdktf/index';
import { Workspace } from '../../core/index';
import { ENGINES, type TfJson } from './support/engines';

let ws: Workspace;
let xdg: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-cdktf-saml-'));
  xdg = join(dir, 'xdg');
  mkdirSync(join(dir, 'stacks'), { recursive: true });
  writeFileSync(
    join(dir, 'atmos.yaml'),
    `base_path: "./"
stacks:
  base_path: stacks
  included_paths: ["**/*"]
  name_template: "{{ .vars.stage }}"
auth:
  realm: cdktf-saml
  providers:
    corp: { kind: aws/saml, url: "https://idp.example.com/idp/profile/SAML2/SOAP/ECP", region: us-east-1, driver: ShibbolethECP, username: eve }
  identities:
    admin:
      kind: aws/assume-role
      via: { provider: corp }
      principal: { assume_role: "arn:aws:iam::123456789012:role/admin", region: eu-west-1 }
    root:
      kind: aws/assume-root
      via: { identity: admin }
      principal: { target_principal: "210987654321", task_policy_arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" }
`,
  );
  ws = await Workspace.load({ cwd: dir, env: { PATH: process.env.PATH, HOME: join(dir, 'home'), ATMOS_XDG_CONFIG_HOME: xdg } });
});

describe.each(ENGINES)('IdentityAwsProvider through aws/saml ($name)', ({ lib }) => {
  const { Testing, TerraformStack } = lib;

  function synth(build: (s: InstanceType<typeof TerraformStack>) => void): TfJson {
    const app = Testing.app();
    const s = new TerraformStack(app, 'infra');
    infrakeyContext(s, { workspace: ws });
    build(s);
    return JSON.parse(Testing.synth(s)) as TfJson;
  }

  it('SAML -> assume-role and -> assume-root identities read their profiles under aws/corp', () => {
    const json = synth((s) => {
      new IdentityAwsProvider(s, 'admin', { identity: 'admin' });
      new IdentityAwsProvider(s, 'root', { identity: 'root', alias: 'root' });
    });
    const dir = join(xdg, 'atmos', 'cdktf-saml', 'aws', 'corp');
    expect(json.provider!.aws).toEqual([
      { shared_credentials_files: [join(dir, 'credentials')], shared_config_files: [join(dir, 'config')], profile: 'admin', region: 'eu-west-1' },
      { alias: 'root', shared_credentials_files: [join(dir, 'credentials')], shared_config_files: [join(dir, 'config')], profile: 'root', region: 'eu-west-1' },
    ]);
  });

  it('mode: assume-role is refused for a SAML-rooted hop and for assume-root', () => {
    expect(() => synth((s) => new IdentityAwsProvider(s, 'a', { identity: 'admin', mode: 'assume-role' }))).toThrow(expect.objectContaining({ code: 'AUTH_ASSUME_ROLE_PLAN', message: expect.stringContaining('provider "corp" (aws/saml)') }));
    expect(() => synth((s) => new IdentityAwsProvider(s, 'r', { identity: 'root', mode: 'assume-role' }))).toThrow(expect.objectContaining({ code: 'AUTH_ASSUME_ROLE_PLAN', message: expect.stringContaining('(aws/assume-root) is not an aws/assume-role identity') }));
  });
});
