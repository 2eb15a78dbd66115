import * as pulumi from '@pulumi/pulumi';
import { componentConfig, getSecret, getSecrets, ManagedSecret } from 'infrakey/pulumi';

// Stack and component come from Pulumi config (infrakey:stack, infrakey:component); the Atmos
// project is found from this directory. Every store read goes through identity `deployer`
// (ci-user's keys from the file keyring -> assume-role), headless.
export = async () => {
  // Merged vars: plain values plain, `!secret` values as secret Outputs.
  const vars = await componentConfig();
  // One declared secret, and then all of them: the reads are batched, nothing is read twice.
  const dbPassword = getSecret('DB_PASSWORD');
  const all = await getSecrets();

  // A secret this program owns: written to SSM on create and update, removed on destroy.
  const deployToken = new ManagedSecret('deploy-token', {
    name: 'DEPLOY_TOKEN',
    value: new pulumi.Config().requireSecret('deployToken'),
  });

  return {
    appName: vars.app_name,
    logLevel: vars.log_level,
    dbPassword,
    dbPasswordFromVars: vars.db_password,
    apiToken: all.API_TOKEN,
    signingKey: all.SIGNING_KEY,
    deployTokenBackend: deployToken.backend,
    deployTokenLocation: deployToken.location,
  };
};
