/**
 * The keychain store over the real OS keyring (gnome-keyring's Secret Service; run the suite
 * through scripts/with-keyring.sh). Its entries use the account `atmos-secrets`, apart from the
 * auth credentials (`atmos-auth`), with keys `atmos/<stack parts>/<component parts>/<key>`.
 */
import { SystemKeyring } from '../../../core/keyring/system-keyring';
import { unsafeUnwrap } from '../../../core/secret';
import { buildStoreRegistry } from '../../../core/stores/store-registry';

describe('keychain store on the system keyring', () => {
  const stack = `dev-${process.pid}`;
  const registry = buildStoreRegistry({ keychain: { type: 'keychain' } });
  const store = registry.get('keychain');

  it('is secret, local, cannot list, and writes under service atmos-secrets with Atmos key names', async () => {
    expect([store.secret, store.local, store.list]).toEqual([true, true, undefined]);
    await store.set!(stack, 'sops', 'age-key', 'AGE-SECRET-KEY-1TEST');
    expect(await store.get(stack, 'sops', 'age-key')).toBe('AGE-SECRET-KEY-1TEST');
    expect(await store.has!(stack, 'sops', 'age-key')).toBe(true);

    const direct = new SystemKeyring({ account: 'atmos-secrets' });
    const raw = await direct.get(`atmos/dev/${process.pid}/sops/age-key`);
    expect(raw && unsafeUnwrap(raw)).toBe('"AGE-SECRET-KEY-1TEST"');
    // Not in the auth namespace.
    expect(await new SystemKeyring().get(`atmos/dev/${process.pid}/sops/age-key`)).toBeUndefined();

    await store.delete!(stack, 'sops', 'age-key');
    expect(await store.has!(stack, 'sops', 'age-key')).toBe(false);
  });

  it('an unavailable system keyring is STORE_UNREACHABLE, never a silent no-op', async () => {
    const reg = buildStoreRegistry({ k: { kind: 'keychain' } }, { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', HOME: '/nonexistent-home' } });
    await expect(reg.get('k').get('a', 'b', 'c')).rejects.toMatchObject({ code: 'STORE_UNREACHABLE' });
  });
});
