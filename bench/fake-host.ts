/**
 * Runs the named FAKEs of Key Vault and Secret Manager (test/fakes/) in their own process for
 * benchmark B7, so the client under test does not share its event loop with the server. Talks
 * over the fork IPC channel: sends `{ kv, gsm, ca }` when listening; answers `'calls'` with the
 * read counts; exits on `'stop'`.
 */
import { FakeKeyVault } from '../test/fakes/fake-keyvault';
import { FakeSecretManager } from '../test/fakes/fake-secret-manager';

async function main(): Promise<void> {
  const kv = new FakeKeyVault();
  const gsm = new FakeSecretManager({ anonymous: true });
  await kv.start();
  await gsm.start();
  const send = (m: unknown): void => void process.send?.(m);
  send({ kv: kv.url, gsm: gsm.url, ca: kv.ca() });
  process.on('message', (m) => {
    if (m === 'calls') send({ kv: kv.calls.filter((x) => x.op.startsWith('GET secrets/{name}')).length, gsm: gsm.calls.filter((x) => x.op === 'access').length });
    if (m === 'stop') void Promise.all([kv.stop(), gsm.stop()]).then(() => process.exit(0));
  });
}

void main();
