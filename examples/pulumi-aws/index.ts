import * as pulumi from '@pulumi/pulumi';
// Deep import: `@pulumi/aws` at the root loads every AWS service module (seconds of start-up).
import { Parameter } from '@pulumi/aws/ssm/parameter';
import { awsProvider, componentConfig, getSecret, ManagedSecret } from 'infrakey/pulumi';

// Atmos stack and component come from Pulumi config (infrakey:stack, infrakey:component); the
// Atmos project is found from this directory (or ATMOS_CLI_CONFIG_PATH).
export = async () => {
  // The provider acts as the Atmos identity "deployer": infrakey logs in (headless in CI) and the
  // provider reads the identity's credential files. No keys in its inputs, none in state.
  const provider = awsProvider('deployer');

  // The component's merged vars: plain values plain, `!secret` values as secret Outputs.
  const vars = await componentConfig();
  const appName = String(vars.app_name);

  // A declared secret as a secret Output; Pulumi state keeps it encrypted.
  const dbPassword = getSecret('DB_PASSWORD');

  const parameter = new Parameter(
    'db-password',
    { name: `/${appName}/db-password`, type: 'SecureString', value: dbPassword },
    { provider },
  );

  // A secret this program owns: written to its declared backend (here the SOPS file) on create
  // and update, removed on delete.
  const apiKey = new ManagedSecret('api-key', {
    name: 'API_KEY',
    value: new pulumi.Config().requireSecret('apiKey'),
  });

  return {
    parameterName: parameter.name,
    logLevel: vars.log_level,
    apiKeyLocation: apiKey.location,
  };
};
