import { SystemKeyring } from '../../../core/keyring/system-keyring';
import { unsafeUnwrap } from '../../../core/secret';
test('smoke', async () => {
  const k = new SystemKeyring();
  const t0 = Date.now();
  console.log(await k.probe(), Date.now() - t0);
  await k.set('infrakey-smoke', 'v4lue-xyz');
  const v = await k.get('infrakey-smoke');
  console.log(v && unsafeUnwrap(v), Date.now() - t0);
  await k.delete('infrakey-smoke'); await k.delete('infrakey-smoke');
  console.log(await k.get('infrakey-smoke'));
});
