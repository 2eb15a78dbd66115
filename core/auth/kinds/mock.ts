import { isMap, str } from '../auth-config';
import type { Credentials } from '../credentials';
import type { IdentityKind, ProviderKind } from './kind';

/**
 * The test kinds Atmos ships (`mock`, `mock/aws`): no network, no key material, nothing written.
 * Their identities print Atmos's fixed mock environment (`clouds/mock-sessions.ts`), and whoami
 * shows `principal.account.id`.
 */
export const mockProviderKind: ProviderKind = {
  kind: 'mock',
  aliases: ['mock/aws'],
  validate: () => undefined,
  authenticate: async () => ({ type: 'mock' }),
};

export const mockIdentityKind: IdentityKind = {
  kind: 'mock',
  aliases: ['mock/aws'],
  cloud: 'mock',
  persists: false,
  validate: () => undefined,
  async authenticate(id): Promise<Credentials> {
    const account = isMap(id.principal.account) ? str(id.principal.account.id) : undefined;
    return { type: 'mock', ...(account ? { account } : {}) };
  },
  whoami: (c) => (c.type === 'mock' && c.account ? { account: c.account } : {}),
};
