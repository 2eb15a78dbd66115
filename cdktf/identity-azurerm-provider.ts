/**
 * An AzureRM provider that authenticates as an Atmos Azure identity, configured exactly as Atmos
 * configures Terraform through `ARM_*`: the identity's subscription, and either the Azure CLI's
 * files that `infrakey auth login` updated (`use_cli`) or OIDC with the client id, tenant and
 * federated token file (`use_oidc`). No token, secret or certificate is ever part of the
 * configuration, so none reaches `cdk.tf.json` or the Terraform state.
 */
import { Construct, type IConstruct } from 'constructs';
import type { IdentityAzureSettings, Workspace } from '../core/internal';
import { engineOf } from './engine';
import { workspaceAt } from './infrakey-context';

/** Props of {@link IdentityAzurermProvider}. */
export interface IdentityAzurermProviderProps {
  /** The Atmos identity (`azure/subscription`). Default: `ATMOS_IDENTITY`, else the identity marked `default: true`. */
  readonly identity?: string;
  /** Provider alias, for a second AzureRM provider in the same stack. */
  readonly alias?: string;
  /** The loaded project; default: {@link infrakeyContext}, else the app's working directory's project. */
  readonly workspace?: Workspace;
}

/**
 * The AzureRM provider arguments of an Azure identity (cdktf's `AzurermProviderConfig` field
 * names). The tenant is set only with OIDC, as Atmos exports `ARM_TENANT_ID` only then (the
 * azurerm backend's CLI credential rejects a subscription and a tenant together).
 */
export function azurermProviderConfig(s: IdentityAzureSettings): {
  features: Record<string, never>[];
  subscriptionId?: string;
  tenantId?: string;
  environment?: string;
  useCli?: boolean;
  useOidc?: boolean;
  clientId?: string;
  oidcTokenFilePath?: string;
} {
  return {
    features: [{}],
    ...(s.subscriptionId ? { subscriptionId: s.subscriptionId } : {}),
    ...(s.environment !== 'public' ? { environment: s.environment } : {}),
    ...(s.useOidc
      ? { useOidc: true, ...(s.tenantId ? { tenantId: s.tenantId } : {}), ...(s.clientId ? { clientId: s.clientId } : {}), ...(s.oidcTokenFilePath ? { oidcTokenFilePath: s.oidcTokenFilePath } : {}) }
      : { useCli: true }),
  };
}

/**
 * `new IdentityAzurermProvider(stack, 'azurerm', { identity: 'prod' })`: an `AzurermProvider` (of
 * the app's engine, cdktf or cdktn; `@cdktf/provider-azurerm` or `@cdktn/provider-azurerm` is an
 * optional peer) acting as the identity. Log in before `terraform plan` (`infrakey auth login -i
 * prod`), or run Terraform through `infrakey auth exec` (the same settings as `ARM_*` variables).
 */
export class IdentityAzurermProvider extends Construct {
  /** The engine's `AzurermProvider` (pass it as `provider:` when you set an alias). */
  readonly provider: IConstruct;
  /** The identity used. */
  readonly identity: string;
  /** What the provider was configured with (never a token). */
  readonly settings: IdentityAzureSettings;

  constructor(scope: Construct, id: string, props: IdentityAzurermProviderProps = {}) {
    super(scope, id);
    const engine = engineOf(this);
    const workspace = workspaceAt(this, props.workspace);
    // Config-only: no login at synth time.
    const handle = workspace.identity(props.identity);
    this.settings = handle.azureSettings();
    this.identity = handle.name;
    const { AzurermProvider } = engine.azurermProvider();
    this.provider = new AzurermProvider(this, 'Default', { ...azurermProviderConfig(this.settings), ...(props.alias !== undefined ? { alias: props.alias } : {}) });
  }
}
