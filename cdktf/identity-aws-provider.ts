/**
 * An AWS provider that authenticates as an Atmos identity. Terraform reads the identity's
 * realm-scoped shared files itself (`shared_credentials_files`, `shared_config_files`, `profile`),
 * or, with `mode: 'assume-role'`, starts from the base identity's profile and assumes the chain's
 * role(s) with `assume_role` blocks. No access key, secret key or session token is ever part of
 * the configuration, so none reaches `cdk.tf.json` or the Terraform state.
 */
import { Construct, type IConstruct } from 'constructs';
import { assumeRolePlan, type Workspace } from '../core/internal';
import { engineOf } from './engine';
import { workspaceAt } from './infrakey-context';

/** Props of {@link IdentityAwsProvider}. */
export interface IdentityAwsProviderProps {
  /**
   * The Atmos identity (`auth.identities.<name>`). Default: `ATMOS_IDENTITY`, else the identity
   * marked `default: true`.
   */
  readonly identity?: string;
  /** Provider region; default: the identity's region (else the profile's `region` in the config file). */
  readonly region?: string;
  /** Provider alias, for a second AWS provider in the same stack. */
  readonly alias?: string;
  /**
   * `profile` (default): the identity's own profile, which `infrakey auth login` keeps fresh.
   * `assume-role`: the base identity's profile plus one `assume_role` block per role hop, so
   * Terraform assumes the roles itself (the base must be logged in; the hops need not be).
   */
  readonly mode?: 'profile' | 'assume-role';
  /** The loaded project; default: {@link infrakeyContext}, else the app's working directory's project. */
  readonly workspace?: Workspace;
}

/**
 * `new IdentityAwsProvider(stack, 'aws', { identity: 'prod-admin' })`: an `AwsProvider` (of the
 * app's engine, cdktf or cdktn) pointed at the identity's credential files. Log in before
 * `terraform plan` (`infrakey auth login -i prod-admin`); run Terraform through
 * `infrakey auth exec` for the same effect with environment variables instead.
 */
export class IdentityAwsProvider extends Construct {
  /** The engine's `AwsProvider` (pass it as `provider:` when you set an alias). */
  readonly provider: IConstruct;
  /** The identity used (lower-cased, as Atmos names profiles). */
  readonly identity: string;
  /** The profile Terraform uses (the base identity's in `assume-role` mode). */
  readonly profile: string;
  /** Role ARNs Terraform assumes, in order (empty in `profile` mode). */
  readonly roleArns: readonly string[];

  constructor(scope: Construct, id: string, props: IdentityAwsProviderProps = {}) {
    super(scope, id);
    const engine = engineOf(this);
    const workspace = workspaceAt(this, props.workspace);
    // The workspace's auth manager (its env, realm, XDG paths): config-only questions, no login.
    const manager = workspace.auth();
    const common = { ...(props.alias !== undefined ? { alias: props.alias } : {}) };
    const { AwsProvider } = engine.awsProvider();
    if (props.mode === 'assume-role') {
      const plan = assumeRolePlan(manager, manager.resolveIdentityName(props.identity));
      const region = props.region ?? plan.region ?? plan.base.region;
      this.provider = new AwsProvider(this, 'Default', {
        ...common,
        sharedCredentialsFiles: [plan.base.credentialsFile],
        sharedConfigFiles: [plan.base.configFile],
        profile: plan.base.profile,
        ...(region !== undefined ? { region } : {}),
        assumeRole: plan.hops.map((hop) => ({
          roleArn: hop.roleArn,
          ...(hop.sessionName !== undefined ? { sessionName: hop.sessionName } : {}),
          ...(hop.externalId !== undefined ? { externalId: hop.externalId } : {}),
          ...(hop.durationSeconds !== undefined ? { duration: `${hop.durationSeconds}s` } : {}),
        })),
      });
      this.identity = plan.hops[plan.hops.length - 1].identity;
      this.profile = plan.base.profile;
      this.roleArns = plan.hops.map((h) => h.roleArn);
    } else {
      const handle = workspace.identity(props.identity);
      const files = handle.credentialFiles();
      const region = props.region ?? files.region;
      this.provider = new AwsProvider(this, 'Default', {
        ...common,
        sharedCredentialsFiles: [files.credentialsFile],
        sharedConfigFiles: [files.configFile],
        profile: files.profile,
        ...(region !== undefined ? { region } : {}),
      });
      this.identity = handle.name;
      this.profile = files.profile;
      this.roleArns = [];
    }
  }
}
