import type { IdentityKind } from './kind';

/**
 * The generic `ambient` identity (Atmos `pkg/auth/identities/ambient`): standalone, authenticates
 * to nothing and changes nothing, so commands run with the credentials already in the environment
 * (instance roles, a CI's own variables). Never cached, nothing written.
 */
export const ambientKind: IdentityKind = {
  kind: 'ambient',
  cloud: 'ambient',
  standalone: true,
  persists: false,
  validate: () => undefined,
  authenticate: async () => ({ type: 'ambient' }),
  whoami: () => ({}),
};
