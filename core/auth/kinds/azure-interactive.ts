import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { checkAzureProviderSpec } from '../clouds/azure-entra';
import { azureUserLogin } from './azure-device-code';
import type { ProviderKind } from './kind';

/**
 * `azure/interactive` (Atmos: authorization code + PKCE in a browser with a localhost redirect).
 * The browser flow cannot run headless, so infrakey does not implement it: a login of the tenant
 * already in the realm MSAL cache (from an azure/device-code or an Atmos interactive login) is
 * used silently, exactly as Atmos tries first; otherwise the kind fails with
 * AUTH_KIND_UNSUPPORTED and says to use azure/device-code.
 */
export const azureInteractiveProviderKind: ProviderKind = {
  kind: 'azure/interactive',
  validate: (p, report) => checkAzureProviderSpec(p, report),
  authenticate: (p, ctx) =>
    azureUserLogin(p, ctx, 'interactive', async () => {
      throw authError(
        AUTH_ERROR_CODES.KIND_UNSUPPORTED,
        `provider "${p.name}": kind azure/interactive (browser sign-in) is not implemented by infrakey, and the realm's MSAL cache holds no login for tenant ${String(p.spec.tenant_id)}`,
        ctx.where(`${p.path}.kind`),
        `use kind azure/device-code for ${p.path} (same spec), or azure/oidc in CI`,
      );
    }),
};
