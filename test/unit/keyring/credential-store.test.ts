import { CredentialStore, credentialKey, decodeEnvelope, encodeEnvelope } from '../../../core/keyring/credential-store';
import { MemoryKeyring } from '../../../core/keyring/memory-keyring';
import { unsafeUnwrap } from '../../../core/secret';

describe('credential store (atmos_<realm>_<alias> envelopes)', () => {
  it('names keys as Atmos does, lower-casing the alias', () => {
    expect(credentialKey('prod', 'Emergency-User')).toBe('atmos_prod_emergency-user');
    expect(credentialKey('', 'dev')).toBe('atmos_dev');
  });

  it('writes the envelope JSON Atmos writes (Go field order, empty fields omitted)', () => {
    const json = encodeEnvelope({ type: 'aws', data: { mfa_arn: 'arn:aws:iam::1:mfa/u', secret_access_key: 'S', access_key_id: 'AKIA1', region: '' } });
    expect(json).toBe('{"type":"aws","data":{"access_key_id":"AKIA1","secret_access_key":"S","mfa_arn":"arn:aws:iam::1:mfa/u"}}');
  });

  it('reads envelopes Atmos wrote, including its zero expiration', () => {
    const env = decodeEnvelope('{"type":"aws","data":{"access_key_id":"AKIA1","secret_access_key":"S","expiration":"0001-01-01T00:00:00Z"}}', 'k');
    expect(env).toEqual({ type: 'aws', data: { access_key_id: 'AKIA1', secret_access_key: 'S' } });
  });

  it('rejects unknown types and non-envelopes with stable codes', () => {
    expect(() => decodeEnvelope('{"type":"azure","data":{}}', 'k')).toThrow(expect.objectContaining({ code: 'CREDENTIAL_TYPE_UNKNOWN' }));
    expect(() => decodeEnvelope('not json', 'k')).toThrow(expect.objectContaining({ code: 'KEYRING_CORRUPT' }));
    expect(() => encodeEnvelope({ type: 'nope' as never, data: {} })).toThrow(expect.objectContaining({ code: 'CREDENTIAL_TYPE_UNSUPPORTED' }));
  });

  it('gets, sets, lists and deletes by alias and type', async () => {
    const kr = new MemoryKeyring();
    const store = new CredentialStore(kr, 'r1');
    await store.setAws('Dev', { access_key_id: 'AKIAEXAMPLE1', secret_access_key: 'secret-value-1' });
    await store.set('sso', { type: 'oidc', data: { token: 't0ken-value' } });
    expect(await kr.list()).toEqual(['atmos_r1_dev', 'atmos_r1_sso']);
    expect(await store.list()).toEqual(['dev', 'sso']);
    const aws = await store.getAws('dev');
    expect(aws && unsafeUnwrap(aws)).toEqual({ access_key_id: 'AKIAEXAMPLE1', secret_access_key: 'secret-value-1' });
    expect(String(aws)).not.toContain('secret-value-1');
    await expect(store.get('sso', 'aws')).rejects.toMatchObject({ code: 'CREDENTIAL_TYPE_MISMATCH' });
    await expect(store.delete('sso', 'aws')).rejects.toMatchObject({ code: 'CREDENTIAL_TYPE_MISMATCH' });
    await store.delete('sso', 'oidc');
    await store.delete('sso');
    expect(await store.get('sso')).toBeUndefined();
    expect(await new CredentialStore(kr, 'other').get('dev')).toBeUndefined();
  });
});
