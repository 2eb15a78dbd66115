/**
 * A Google provider that authenticates as an Atmos GCP identity. With `token: 'file'` (default)
 * Terraform reads the identity's access token from its realm-scoped `access_token` file when it
 * configures the provider (`file()` in the provider block): the JSON holds the file's path, never
 * the token, and Terraform keeps no provider configuration in its state. With `token:
 * 'environment'` the provider block names no credentials, and Terraform must run under `infrakey
 * auth exec -i <identity>` (GOOGLE_OAUTH_ACCESS_TOKEN). Project, region and zone come from the
 * identity.
 */
import { Construct, type IConstruct } from 'constructs';
import type { Workspace } from '../core/internal';
import { engineOf } from './engine';
import { workspaceAt } from './infrakey-context';

/** Props of {@link IdentityGoogleProvider}. */
export interface IdentityGoogleProviderProps {
  /** The Atmos identity (a gcp/* identity). Default: `ATMOS_IDENTITY`, else the identity marked `default: true`. */
  readonly identity?: string;
  /** Project; default: the identity's (`principal.project_id`, the service account's project). */
  readonly project?: string;
  /** Region; default: the gcp/project identity's `principal.region`. */
  readonly region?: string;
  /** Zone; default: the gcp/project identity's `principal.zone`, else `location`. */
  readonly zone?: string;
  /** Provider alias, for a second Google provider in the same stack. */
  readonly alias?: string;
  /**
   * `file` (default): `access_token` is read by Terraform from the identity's `access_token` file
   * (log in first: `infrakey auth login -i X`). `environment`: no credentials in the block; run
   * Terraform through `infrakey auth exec -i X`.
   */
  readonly token?: 'file' | 'environment';
  /** The loaded project; default: {@link infrakeyContext}, else the app's working directory's project. */
  readonly workspace?: Workspace;
}

/**
 * `new IdentityGoogleProvider(stack, 'google', { identity: 'deployer' })`: a `GoogleProvider`
 * (`@cdktf/provider-google`, deep-imported) configured from the identity's files. A gcp/project
 * identity writes no token file: its provider block has the project, region and zone only, and
 * Terraform uses its ambient Google credentials, as Atmos.
 */
export class IdentityGoogleProvider extends Construct {
  /** The engine's `GoogleProvider` (pass it as `provider:` when you set an alias). */
  readonly provider: IConstruct;
  /** The identity used (lower-cased). */
  readonly identity: string;
  /** The token file Terraform reads (absent in `environment` mode and for gcp/project). */
  readonly accessTokenFile?: string;

  constructor(scope: Construct, id: string, props: IdentityGoogleProviderProps = {}) {
    super(scope, id);
    const engine = engineOf(this);
    const handle = workspaceAt(this, props.workspace).identity(props.identity);
    // Config only (paths, project): no login at synth time, as IdentityAwsProvider.
    const session = handle.gcpSession();
    const project = props.project ?? session.project;
    const region = props.region ?? session.region;
    const zone = props.zone ?? session.zone;
    const tokenFile = props.token === 'environment' ? undefined : session.accessTokenFile;
    const { Fn } = engine.lib;
    const { GoogleProvider } = engine.googleProvider();
    this.provider = new GoogleProvider(this, 'Default', {
      ...(props.alias !== undefined ? { alias: props.alias } : {}),
      ...(project !== undefined ? { project } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(zone !== undefined ? { zone } : {}),
      // The file's first line is the token (the second its expiry, as Atmos writes it).
      ...(tokenFile !== undefined ? { accessToken: Fn.trimspace(Fn.element(Fn.split('\n', Fn.file(tokenFile)), 0)) } : {}),
    });
    this.identity = handle.name;
    if (tokenFile !== undefined) this.accessTokenFile = tokenFile;
  }
}
