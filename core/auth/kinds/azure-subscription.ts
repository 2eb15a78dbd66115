import { str } from '../auth-config';
import { AUTH_ERROR_CODES } from '../auth-errors';
import type { AzureCredentials } from '../clouds/azure-credentials';
import { wrongBaseError, type IdentityKind } from './kind';

/**
 * `azure/subscription` (Atmos `pkg/auth/identities/azure/subscription.go`): the provider's Azure
 * tokens, scoped to `principal.subscription_id` (required) and, when set, `principal.location`
 * (and `principal.resource_group` for the environment). No network: the tokens are the
 * provider's; the session goes to the Azure files of the `azure` cloud.
 */
export const azureSubscriptionKind: IdentityKind = {
  kind: 'azure/subscription',
  cloud: 'azure',
  validate(id, report) {
    if (!str(id.principal.subscription_id)) {
      report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${id.path}.principal.subscription_id`, `invalid identity config: subscription_id is required in principal for Azure subscription identity "${id.displayName}"`, `set ${id.path}.principal.subscription_id to the subscription id (a GUID)`);
    }
    if (id.via && !id.via.provider) {
      report.error(AUTH_ERROR_CODES.VIA_INVALID, `${id.path}.via`, `invalid identity config: Azure subscription identity "${id.displayName}" requires via.provider`, `set ${id.path}.via.provider to an azure/* provider`);
    }
  },
  async authenticate(id, base, ctx): Promise<AzureCredentials> {
    if (base?.type !== 'azure') throw wrongBaseError(id, base, ctx);
    // A copy of the provider's credentials with the identity's scope (Atmos copies wholesale so
    // that no field is lost).
    const location = str(id.principal.location);
    return { ...base, subscriptionId: str(id.principal.subscription_id)!, ...(location ? { location } : {}) };
  },
};
