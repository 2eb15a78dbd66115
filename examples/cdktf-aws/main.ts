/**
 * A CDKTF app that deploys as an Atmos identity and consumes two declared secrets without their
 * values ever entering the program or cdk.tf.json:
 * - DB_PASSWORD (SSM) becomes a decrypted `aws_ssm_parameter` data source;
 * - SIGNING_KEY (SOPS) becomes a sensitive variable, filled at apply time by
 *   `infrakey secret exec -s dev -c api --tf-vars -- terraform apply`.
 * The same file works with CDK Terrain: replace 'cdktf' by 'cdktn' in the import below.
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Workspace } from 'infrakey';
import { DeclaredSecret, IdentityAwsProvider, infrakeyContext, protectSecrets } from 'infrakey/cdktf';

class ApiStack extends TerraformStack {
  constructor(scope: Construct, id: string, workspace: Workspace) {
    super(scope, id);
    // Stack and component come from cdktf.json ("infrakey:stack", "infrakey:component").
    infrakeyContext(this, { workspace });

    // Terraform starts from dev-admin's profile and assumes the deployer role itself.
    new IdentityAwsProvider(this, 'aws', { identity: 'deployer', mode: 'assume-role' });

    const dbPassword = new DeclaredSecret(this, 'db-password', { name: 'DB_PASSWORD' });
    const signingKey = new DeclaredSecret(this, 'signing-key', { name: 'SIGNING_KEY' });

    new SsmParameter(this, 'app-config', {
      name: '/api/dev/signing-key',
      type: 'SecureString',
      value: signingKey.value,
    });
    // Outputs that carry a secret must be sensitive.
    new TerraformOutput(this, 'db-password-out', { value: dbPassword.value, sensitive: true });
  }
}

async function main(): Promise<void> {
  const workspace = await Workspace.load();
  const app = protectSecrets(new App());
  new ApiStack(app, 'api-dev', workspace);
  app.synth();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
