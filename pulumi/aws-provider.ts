import * as pulumi from '@pulumi/pulumi';
// Deep import: the package root of @pulumi/aws loads every service module (seconds, hundreds of MB).
import { Provider, type ProviderArgs } from '@pulumi/aws/provider';
import type { IdentityCredentialFiles } from '../core/index';
import { pulumiError } from './pulumi-error';
import { locateWorkspace, type WorkspaceOptions } from './workspace-locator';

/** Where an identity's session is, as the AWS SDK and Terraform providers read it. Never keys. */
export type IdentityFiles = IdentityCredentialFiles;

/** Provider arguments infrakey sets itself (and that must never carry keys). */
type ManagedArgs = 'accessKey' | 'secretKey' | 'token' | 'profile' | 'sharedCredentialsFiles' | 'sharedConfigFiles';

/** Options of {@link awsProvider}. */
export interface AwsProviderOptions extends WorkspaceOptions {
  /** Logical name of the provider resource (default `infrakey-<identity>`). */
  name?: string;
  /** Region (default: the identity's region, from its chain or profile). */
  region?: pulumi.Input<string>;
  /** Further `aws.Provider` arguments (default tags, assume-role, endpoints, ...). */
  args?: Omit<ProviderArgs, ManagedArgs | 'region'>;
  /** Resource options of the provider. */
  resourceOptions?: pulumi.CustomResourceOptions;
}

/**
 * An `aws.Provider` that acts as the Atmos identity `identity`: it is authenticated first
 * (cached session reused, else a login through its chain; never a prompt when there is no TTY)
 * and the provider reads the identity's realm-scoped files, `sharedCredentialsFiles` +
 * `sharedConfigFiles` + `profile` (+ `region`). No access key, secret key or session token is
 * an input, so none is in Pulumi state. With `auth.credential_files.mode: process` the profile
 * runs `infrakey auth credentials`, so the provider refreshes expired sessions on its own.
 */
export function awsProvider(identity: string, opts: AwsProviderOptions = {}): Provider {
  const files: Promise<IdentityFiles> = (async () => {
    // The workspace's auth manager: its env, its cached sessions, and never a prompt.
    const handle = (await locateWorkspace(opts)).identity(identity);
    await handle.login();
    return handle.credentialFiles();
  })().catch((e: unknown) => {
    throw pulumiError(`awsProvider(${JSON.stringify(identity)})`, e);
  });
  const out = pulumi.output(files);
  const region = opts.region ?? out.apply((f) => f.region ?? process.env.AWS_REGION ?? 'us-east-1');
  return new Provider(
    opts.name ?? `infrakey-${identity}`,
    {
      ...opts.args,
      sharedCredentialsFiles: out.apply((f) => [f.credentialsFile]),
      sharedConfigFiles: out.apply((f) => [f.configFile]),
      profile: out.apply((f) => f.profile),
      region,
    },
    opts.resourceOptions,
  );
}
