/**
 * The GCP session files as Atmos writes them (`pkg/auth/cloud/gcp/files.go`): paths, the ADC JSON
 * and properties shapes, the client pair from ATMOS_GCP_ADC_CLIENT_*, names that would leave the
 * realm, and reading back (expiry, a corrupt expiry counts as expired).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adcJson, gcpSessionLocation, propertiesIni, readGcpSession, removeGcpSession, writeGcpSession } from '../../../core/auth/clouds/gcp-files';
import { isExpired } from '../../../core/auth/credentials';
import { Secret, unsafeUnwrap } from '../../../core/secret';

const creds = (token: string, expiration?: Date) => ({ type: 'gcp' as const, accessToken: Secret.of(token, 't'), ...(expiration ? { expiration } : {}), projectId: 'p1' });

describe('GCP session files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ik-gcp-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('paths are Atmos\'s: {xdg}/atmos/{realm}/gcp/{provider}/adc|config/{identity}', () => {
    const l = gcpSessionLocation({ ATMOS_XDG_CONFIG_HOME: root }, 'r1', 'wif', 'deployer', { project: 'p', zone: 'z' });
    expect(l).toMatchObject({
      adcFile: join(root, 'atmos', 'r1', 'gcp', 'wif', 'adc', 'deployer', 'application_default_credentials.json'),
      accessTokenFile: join(root, 'atmos', 'r1', 'gcp', 'wif', 'adc', 'deployer', 'access_token'),
      configDir: join(root, 'atmos', 'r1', 'gcp', 'wif', 'config', 'deployer'),
      propertiesFile: join(root, 'atmos', 'r1', 'gcp', 'wif', 'config', 'deployer', 'properties'),
      project: 'p', region: '', zone: 'z', persists: 'true',
    });
    expect(() => gcpSessionLocation({ ATMOS_XDG_CONFIG_HOME: root }, 'r1', '..', 'x')).toThrow(expect.objectContaining({ code: 'AUTH_NAME_INVALID' }));
    expect(() => gcpSessionLocation({ ATMOS_XDG_CONFIG_HOME: root }, 'r1', 'wif', '../x')).toThrow(expect.objectContaining({ code: 'AUTH_NAME_INVALID' }));
  });

  test('ADC JSON and properties shapes; the client pair only from ATMOS_GCP_ADC_CLIENT_ID/_SECRET', () => {
    const exp = new Date('2030-06-15T10:20:30.456Z');
    expect(adcJson(creds('ya29.a', exp), {})).toBe('{\n  "type": "authorized_user",\n  "access_token": "ya29.a",\n  "token_expiry": "2030-06-15T10:20:30Z"\n}');
    expect(Object.keys(JSON.parse(adcJson(creds('ya29.a'), { ATMOS_GCP_ADC_CLIENT_ID: 'cid', ATMOS_GCP_ADC_CLIENT_SECRET: 'cs' })))).toEqual(['type', 'access_token', 'client_id', 'client_secret']);
    expect(JSON.parse(adcJson(creds('ya29.a'), { ATMOS_GCP_ADC_CLIENT_ID: 'cid' })).client_id).toBeUndefined();
    expect(propertiesIni('my-project')).toBe('[core]\nproject = my-project\n\n[compute]\n\n');
    expect(propertiesIni('')).toBe('[core]\n\n[compute]\n\n');
  });

  test('written, read back with its expiry, removed; an unparsable expiry counts as expired', async () => {
    const l = gcpSessionLocation({ ATMOS_XDG_CONFIG_HOME: root }, 'r1', 'adc', 'sa', { project: 'from-config' });
    const exp = new Date(Date.now() + 3600_000);
    await writeGcpSession(l, creds('ya29.read-back', exp), {});
    const back = await readGcpSession(l, 'sa');
    expect(unsafeUnwrap(back!.accessToken)).toBe('ya29.read-back');
    expect(back!.expiration!.getTime()).toBe(Math.floor(exp.getTime() / 1000) * 1000);
    expect(back!.projectId).toBe('from-config');
    writeFileSync(l.adcFile, JSON.stringify({ type: 'authorized_user', access_token: 'ya29.x', token_expiry: 'soon' }), { mode: 0o600 });
    expect(isExpired((await readGcpSession(l, 'sa'))!)).toBe(true);
    expect(await removeGcpSession(l)).toBe(true);
    expect(await readGcpSession(l, 'sa')).toBeUndefined();
    expect(await removeGcpSession(l)).toBe(false);
  });
});
