/**
 * A CDKTF app that deploys as an Atmos identity and consumes two declared secrets without their
 * values ever entering the program or cdk.tf.json:
 * - DB_PASSWORD (SSM) becomes a decrypted `aws_ssm_parameter` data source;
 * - SIGNING_KEY (SOPS) becomes a sensitive variable, filled at apply time by
 *   `infrakey secret exec -s dev -c api --tf-vars -- terraform apply`.
 * Written as `cdktf init --template=typescript` writes main.ts (CommonJS, no top-level await): the
 * constructs load atmos.yaml and the stacks from the app's working directory on first use.
 * The same file works with CDK Terrain: replace 'cdktf' by 'cdktn' in the imports below.
 */
import { Construct } from 'constructs';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { DeclaredSecret, IdentityAwsProvider, protectSecrets } from 'infrakey/cdktf';

class ApiStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Stack and component come from cdktf.json ("infrakey:stack", "infrakey:component").

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

const app = protectSecrets(new App());
new ApiStack(app, 'api-dev');
app.synth();
