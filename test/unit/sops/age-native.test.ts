import { bech32Decode, bech32Encode, decryptArmoredX25519, parseX25519Identity } from '../../../core/secrets/sops/age-native';
import { ageDecrypt, ageEncryptArmored, generateAgeIdentity, loadAge, prepareIdentities } from '../../../core/secrets/sops/age';
import { unsafeUnwrap } from '../../../core/secret';
import { FIXTURE_IDENTITY, FIXTURE_RECIPIENT } from './fixture-keys';

describe('native age X25519 (node:crypto)', () => {
  test('derives the same recipient as age-encryption and age-keygen', async () => {
    expect(parseX25519Identity(FIXTURE_IDENTITY)?.recipient).toBe(FIXTURE_RECIPIENT);
    const age = await loadAge();
    for (let i = 0; i < 5; i++) {
      const id = await age.generateX25519Identity();
      expect(parseX25519Identity(id)?.recipient).toBe(await age.identityToRecipient(id));
    }
  });

  test('bech32 rejects a corrupted checksum and mixed case', () => {
    const bad = FIXTURE_IDENTITY.slice(0, -1) + (FIXTURE_IDENTITY.endsWith('P') ? 'Q' : 'P');
    expect(bech32Decode(bad)).toBeUndefined();
    expect(parseX25519Identity(bad)).toBeUndefined();
    expect(bech32Decode('Age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr')).toBeUndefined();
    const d = bech32Decode(FIXTURE_RECIPIENT);
    expect(d?.hrp).toBe('age');
    expect(bech32Encode('age', d?.data as Buffer)).toBe(FIXTURE_RECIPIENT);
  });

  test('opens files age-encryption wrote, for each of several recipients, and returns undefined for others', async () => {
    const a = await generateAgeIdentity();
    const b = await generateAgeIdentity();
    const c = await generateAgeIdentity();
    const plain = Buffer.from('0123456789abcdef0123456789abcdef');
    const armored = await ageEncryptArmored(plain, [a.recipient, b.recipient]);
    for (const id of [a, b]) {
      const parsed = parseX25519Identity(unsafeUnwrap(id.identity));
      expect(decryptArmoredX25519(armored, [parsed!])).toEqual(plain);
    }
    expect(decryptArmoredX25519(armored, [parseX25519Identity(unsafeUnwrap(c.identity))!])).toBeUndefined();
  });

  test('multi-chunk payloads (over 64 KiB) decrypt', async () => {
    const a = await generateAgeIdentity();
    const plain = Buffer.alloc(150_000, 7);
    const armored = await ageEncryptArmored(plain, [a.recipient]);
    expect(decryptArmoredX25519(armored, [parseX25519Identity(unsafeUnwrap(a.identity))!])).toEqual(plain);
  });

  test('an altered header is rejected (header MAC)', async () => {
    const a = await generateAgeIdentity();
    const armored = await ageEncryptArmored(Buffer.from('k'.repeat(32)), [a.recipient]);
    const lines = armored.split('\n');
    const bin = Buffer.from(lines.slice(1, -2).join(''), 'base64');
    const text = bin.toString('latin1');
    const macLine = text.indexOf('\n--- ');
    // Flip a bit inside the MAC itself.
    bin[macLine + 6] ^= 0x01;
    const b64 = bin.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
    const tampered = `-----BEGIN AGE ENCRYPTED FILE-----\n${b64}\n-----END AGE ENCRYPTED FILE-----\n`;
    expect(() => decryptArmoredX25519(tampered, [parseX25519Identity(unsafeUnwrap(a.identity))!])).toThrow();
  });

  test('post-quantum identities fall back to age-encryption', async () => {
    const age = await loadAge();
    const pq = await age.generateHybridIdentity();
    const rec = await age.identityToRecipient(pq);
    const armored = await ageEncryptArmored(Buffer.from('z'.repeat(32)), [rec]);
    const prepared = prepareIdentities([pq]);
    expect(prepared.native).toHaveLength(0);
    expect(await ageDecrypt(armored, prepared)).toEqual(Buffer.from('z'.repeat(32)));
  });
});
