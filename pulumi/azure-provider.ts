import * as pulumi from '@pulumi/pulumi';
import type { IdentityAzureSettings } from '../core/index';
import { requireOptionalPeer } from './optional-peer';
import { pulumiError } from './pulumi-error';
import { locateWorkspace, type WorkspaceOptions } from './workspace-locator';

/**
 * The `azure-native` provider's arguments and class as infrakey uses them, typed here rather than
 * imported from `@pulumi/azure-native`: the package is an optional peer, and the declarations a
 * program without it compiles against must not name it.
 */
export interface AzureNativeProviderArgs {
  readonly subscriptionId?: pulumi.Input<string | undefined>;
  readonly tenantId?: pulumi.Input<string | undefined>;
  readonly environment?: pulumi.Input<string | undefined>;
  readonly useOidc?: pulumi.Input<boolean | undefined>;
  readonly clientId?: pulumi.Input<string | undefined>;
  readonly oidcTokenFilePath?: pulumi.Input<string | undefined>;
  readonly location?: pulumi.Input<string | undefined>;
  /** Any other argument of `azure-native`'s Provider. */
  readonly [arg: string]: unknown;
}
type ProviderArgs = AzureNativeProviderArgs;
type Provider = pulumi.ProviderResource;
type ProviderClass = new (name: string, args: ProviderArgs, opts?: pulumi.CustomResourceOptions) => Provider;

/**
 * `@pulumi/azure-native/provider`, loaded on first use: the package is an optional peer (a program
 * that uses only AWS need not install it), and deep-imported because its root loads every module.
 */
function azureNativeProviderClass(): ProviderClass {
  return requireOptionalPeer<{ Provider: ProviderClass }>('@pulumi/azure-native', '/provider', 'azureNativeProvider').Provider;
}

/** Provider arguments infrakey sets itself (and that must never carry a secret). */
type ManagedArgs = 'subscriptionId' | 'tenantId' | 'environment' | 'useOidc' | 'clientId' | 'oidcTokenFilePath' | 'clientSecret' | 'oidcToken' | 'clientCertificatePassword';

/** Options of {@link azureNativeProvider}. */
export interface AzureNativeProviderOptions extends WorkspaceOptions {
  /** Logical name of the provider resource (default `infrakey-<identity>`). */
  name?: string;
  /** Location (default: the identity's `principal.location`, else the provider's `spec.location`). */
  location?: pulumi.Input<string>;
  /** Further `azure-native` provider arguments (auxiliary tenants, partner id, ...). */
  args?: Omit<ProviderArgs, ManagedArgs | 'location'>;
  /** Resource options of the provider. */
  resourceOptions?: pulumi.CustomResourceOptions;
}

/**
 * The `azure-native` provider arguments for an Azure identity (what Atmos exports as `ARM_*`):
 * subscription, cloud, and either the Azure CLI's files that `infrakey auth login` updated (the
 * provider's default authentication, so nothing is set) or OIDC with the client id, tenant and
 * federated token file. Never a token: nothing secret reaches the provider's inputs or the state.
 */
export function azureNativeArgs(s: IdentityAzureSettings): ProviderArgs {
  return {
    ...(s.subscriptionId ? { subscriptionId: s.subscriptionId } : {}),
    ...(s.location ? { location: s.location } : {}),
    ...(s.environment !== 'public' ? { environment: s.environment } : {}),
    // As Atmos: the tenant only with OIDC (the CLI session already fixes it).
    ...(s.useOidc ? { useOidc: true, ...(s.tenantId ? { tenantId: s.tenantId } : {}), ...(s.clientId ? { clientId: s.clientId } : {}), ...(s.oidcTokenFilePath ? { oidcTokenFilePath: s.oidcTokenFilePath } : {}) } : {}),
  };
}

/**
 * An `azure-native` Provider that acts as the Atmos Azure identity `identity`: it is logged in
 * first (a cached session reused, else through its chain; never a prompt without a TTY), so the
 * Azure CLI's files hold its session, and the provider is pointed at the identity's subscription
 * and authentication method. `@pulumi/azure-native` is an optional peer dependency.
 */
export function azureNativeProvider(identity: string, opts: AzureNativeProviderOptions = {}): Provider {
  const settings: Promise<IdentityAzureSettings> = (async () => {
    const handle = (await locateWorkspace(opts)).identity(identity);
    const s = handle.azureSettings();
    await handle.login();
    return s;
  })().catch((e: unknown) => {
    throw pulumiError(`azureNativeProvider(${JSON.stringify(identity)})`, e);
  });
  const out = pulumi.output(settings);
  const args = (k: Exclude<keyof ProviderArgs, number>) => out.apply((s) => (azureNativeArgs(s)[k] as string | boolean | undefined) ?? undefined);
  const AzureProvider = azureNativeProviderClass();
  return new AzureProvider(
    opts.name ?? `infrakey-${identity}`,
    {
      ...opts.args,
      subscriptionId: args('subscriptionId') as pulumi.Output<string | undefined>,
      tenantId: args('tenantId') as pulumi.Output<string | undefined>,
      environment: args('environment') as pulumi.Output<string | undefined>,
      useOidc: args('useOidc') as pulumi.Output<boolean | undefined>,
      clientId: args('clientId') as pulumi.Output<string | undefined>,
      oidcTokenFilePath: args('oidcTokenFilePath') as pulumi.Output<string | undefined>,
      location: opts.location ?? (args('location') as pulumi.Output<string | undefined>),
    },
    opts.resourceOptions,
  );
}
