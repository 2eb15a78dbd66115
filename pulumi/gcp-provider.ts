import * as pulumi from '@pulumi/pulumi';
import { unsafeUnwrap, type IdentityGcpSession } from '../core/index';
import { requireOptionalPeer } from './optional-peer';
import { pulumiError } from './pulumi-error';
import { locateWorkspace, type WorkspaceOptions } from './workspace-locator';

/**
 * The `gcp.Provider` arguments and class as infrakey uses them, typed here rather than imported
 * from `@pulumi/gcp`: the package is an optional peer, and the declarations a program without it
 * compiles against must not name it.
 */
export interface GcpProviderArgs {
  readonly accessToken?: pulumi.Input<string | undefined>;
  readonly credentials?: pulumi.Input<string | undefined>;
  readonly project?: pulumi.Input<string | undefined>;
  readonly region?: pulumi.Input<string | undefined>;
  readonly zone?: pulumi.Input<string | undefined>;
  /** Any other argument of `gcp.Provider` (default labels, batching, endpoints, ...). */
  readonly [arg: string]: unknown;
}
type ProviderArgs = GcpProviderArgs;
type Provider = pulumi.ProviderResource;
type ProviderClass = new (name: string, args: ProviderArgs, opts?: pulumi.CustomResourceOptions) => Provider;

/**
 * `gcp.Provider`, loaded on first use: @pulumi/gcp is an optional peer (programs without GCP
 * identities need not install it), deep-imported because its package root loads every service
 * module (seconds, hundreds of MB).
 */
function gcpProviderClass(): ProviderClass {
  return requireOptionalPeer<{ Provider: ProviderClass }>('@pulumi/gcp', '/provider', 'gcpProvider').Provider;
}

/** Provider arguments infrakey sets itself (credentials never come from the caller here). */
type ManagedArgs = 'accessToken' | 'credentials' | 'project' | 'region' | 'zone';

/** Options of {@link gcpProvider}. */
export interface GcpProviderOptions extends WorkspaceOptions {
  /** Logical name of the provider resource (default `infrakey-<identity>`). */
  name?: string;
  /** Project (default: the identity's: `principal.project_id`, the service account's project). */
  project?: pulumi.Input<string>;
  /** Region (default: the gcp/project identity's `principal.region`). */
  region?: pulumi.Input<string>;
  /** Zone (default: the gcp/project identity's `principal.zone`, else `location`). */
  zone?: pulumi.Input<string>;
  /**
   * How the provider plugin gets the identity's token.
   * - `environment` (default): from `GOOGLE_OAUTH_ACCESS_TOKEN`, which `infrakey auth exec -i
   *   <identity> -- pulumi up` sets from the identity's session files (the plugin shares the
   *   program's environment). The program checks that it runs so and fails otherwise
   *   (AUTH_GCP_ENV_MISSING). No token is an input, so none is in the state.
   * - `secret-input`: the provider's `accessToken` input, as a Pulumi secret (encrypted in the
   *   state); for programs that cannot be started through `auth exec`.
   */
  token?: 'environment' | 'secret-input';
  /** Further `gcp.Provider` arguments (default labels, batching, endpoints, ...). */
  args?: Omit<ProviderArgs, ManagedArgs>;
  /** Resource options of the provider. */
  resourceOptions?: pulumi.CustomResourceOptions;
}

/**
 * A `gcp.Provider` that acts as the Atmos identity `identity` (gcp/service-account, gcp/project):
 * project, region and zone from the identity, and its token from the environment `infrakey auth
 * exec` prepares from the identity's realm-scoped files (or, with `token: 'secret-input'`, as a
 * secret input). Never an unencrypted token in the inputs or the state.
 */
export function gcpProvider(identity: string, opts: GcpProviderOptions = {}): Provider {
  const prepared: Promise<{ session: IdentityGcpSession; token?: string }> = (async () => {
    const handle = (await locateWorkspace(opts)).identity(identity);
    const session = handle.gcpSession();
    if (opts.token === 'secret-input') {
      const creds = await handle.gcpCredentials();
      const token = unsafeUnwrap(creds.accessToken);
      return { session, ...(token ? { token } : {}) };
    }
    handle.assertGcpEnvironment(process.env);
    return { session };
  })().catch((e: unknown) => {
    throw pulumiError(`gcpProvider(${JSON.stringify(identity)})`, e);
  });
  const out = pulumi.output(prepared);
  const pick = (given: pulumi.Input<string> | undefined, field: 'project' | 'region' | 'zone') => given ?? out.apply((p) => p.session[field] as string);
  return new (gcpProviderClass())(
    opts.name ?? `infrakey-${identity}`,
    {
      ...opts.args,
      project: pick(opts.project, 'project'),
      region: pick(opts.region, 'region'),
      zone: pick(opts.zone, 'zone'),
      ...(opts.token === 'secret-input' ? { accessToken: pulumi.secret(out.apply((p) => p.token as string)) } : {}),
    },
    opts.resourceOptions,
  );
}
