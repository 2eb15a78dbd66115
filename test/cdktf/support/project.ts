/**
 * A throw-away Atmos project for the CDKTF adapter tests: SSM and Secrets Manager secret stores
 * (on moto when an endpoint is given), a SOPS/age provider (the sops-real test key), identities
 * for the provider tests, and one stack `dev` with a component `api` declaring secrets of each
 * kind and scope.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../../core/index';
import { SOPS_REAL } from '../../support/fixtures';

export const SOPS_FIXTURES = SOPS_REAL;
export const AGE_RECIPIENT = 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr';
export const REALM = 'cdktf-test';

export interface TestProject {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly workspace: Workspace;
}

/** Writes the project and loads it. `endpoint`: moto, for tests that set and read values. */
export async function makeProject(opts: { endpoint?: string } = {}): Promise<TestProject> {
  const dir = mkdtempSync(join(tmpdir(), 'ik-cdktf-'));
  const endpoint = opts.endpoint ?? 'http://127.0.0.1:9';
  writeFileSync(
    join(dir, 'atmos.yaml'),
    `base_path: "./"
stacks:
  base_path: stacks
  included_paths: ["deploy/**/*"]
  name_template: "{{ .vars.stage }}"
stores:
  ssm:
    kind: aws/ssm
    secret: true
    options: { region: us-east-1, prefix: /infrakey, endpoint: "${endpoint}" }
  asm:
    kind: aws/asm
    secret: true
    options: { region: eu-west-1, prefix: infrakey, endpoint: "${endpoint}" }
secrets:
  providers:
    vault:
      kind: sops/age
      spec:
        file: ${dir}/secrets/{{ .atmos_stack }}.enc.yaml
        age_key_file: ${SOPS_FIXTURES}/key.txt
        age_recipients: ${AGE_RECIPIENT}
auth:
  realm: ${REALM}
  providers:
    sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://example.awsapps.com/start
  identities:
    dev-admin:
      kind: aws/permission-set
      default: true
      via: { provider: sso }
      principal: { name: AdminAccess, account: { id: "111111111111" } }
    Deployer:
      kind: aws/assume-role
      via: { identity: dev-admin }
      principal:
        assume_role: arn:aws:iam::222222222222:role/deployer
        region: eu-west-1
        session_name: cdktf-deployer
        duration: 1h
    auditor:
      kind: aws/assume-role
      via: { identity: Deployer }
      principal: { assume_role: "arn:aws:iam::333333333333:role/auditor", external_id: ext-42 }
    ci-user:
      kind: aws/user
      credentials: { region: us-west-2 }
`,
  );
  mkdirSync(join(dir, 'stacks/deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'stacks/deploy/dev.yaml'),
    `vars:
  stage: dev
secrets:
  vars:
    SHARED_TOKEN: { store: ssm }
components:
  terraform:
    api:
      vars: { name: api }
      secrets:
        vars:
          DB_PASSWORD: { store: ssm, required: true }
          DB_CONFIG: { store: ssm }
          API_KEYS: { store: asm }
          PLAIN_ASM: { store: asm }
          SIGNING_KEY: { sops: vault }
          SOPS_JSON: { sops: vault }
          GLOBAL_KEY: { store: ssm, scope: global }
    worker:
      secrets:
        vars:
          SIGNING_KEY: { sops: vault }
`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.xdg'),
    ATMOS_XDG_CONFIG_HOME: join(dir, '.xdg'),
    SOPS_AGE_KEY_FILE: '',
    SOPS_AGE_KEY: '',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const workspace = await Workspace.load({ cwd: dir, env });
  return { dir, env, workspace };
}
