import { parseAuthConfig } from '../../../core/auth/auth-config';
import { adfsSignOnUrl, HEADLESS_SAML_DRIVERS, samlDriver, samlSessionSeconds, selectSamlRole } from '../../../core/auth/kinds/aws-saml';
import { validateAuthConfig } from '../../../core/auth/validate-auth';

function provider(fields: Record<string, unknown>) {
  return parseAuthConfig({ providers: { p: { kind: 'aws/saml', url: 'https://idp.example.com/x', region: 'us-east-1', ...fields } } }).config.providers.get('p')!;
}

describe('aws/saml rules (Atmos saml.go)', () => {
  test('session duration: default 1h, clamped to 15m..12h, unparsable -> default', () => {
    expect(samlSessionSeconds(provider({}))).toBe(3600);
    expect(samlSessionSeconds(provider({ session: { duration: '5m' } }))).toBe(900);
    expect(samlSessionSeconds(provider({ session: { duration: '2h' } }))).toBe(7200);
    expect(samlSessionSeconds(provider({ session: { duration: '24h' } }))).toBe(43200);
    expect(samlSessionSeconds(provider({ session: { duration: 'soon' } }))).toBe(3600);
  });

  test('driver: configured, else by URL as Atmos without Playwright', () => {
    expect(samlDriver(provider({ driver: 'ShibbolethECP' }))).toBe('ShibbolethECP');
    expect(samlDriver(provider({ url: 'https://accounts.google.com/o/saml2/initsso?idpid=x' }))).toBe('GoogleApps');
    expect(samlDriver(provider({ url: 'https://acme.okta.com/home/amazon_aws/1' }))).toBe('Okta');
    expect(samlDriver(provider({ url: 'https://adfs.acme.com/adfs/ls/IdpInitiatedSignOn.aspx' }))).toBe('ADFS');
    expect(samlDriver(provider({}))).toBe('Browser');
  });

  test('headless drivers: ShibbolethECP, Okta, ADFS, KeyCloak (saml2aws names)', () => {
    expect([...HEADLESS_SAML_DRIVERS]).toEqual(['ShibbolethECP', 'Okta', 'ADFS', 'KeyCloak']);
  });

  test('ADFS sign-on URL: saml2aws appends the IdP-initiated page to the host URL; a URL naming the page is kept', () => {
    expect(adfsSignOnUrl('https://adfs.acme.com').href).toBe('https://adfs.acme.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn%3Aamazon%3Awebservices');
    expect(adfsSignOnUrl('https://sts.acme.com/base/').href).toBe('https://sts.acme.com/base/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn%3Aamazon%3Awebservices');
    expect(adfsSignOnUrl('https://adfs.acme.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:acme').href).toBe('https://adfs.acme.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:acme');
  });

  test('role choice: case-insensitive substring of role or provider ARN, else the first', () => {
    const roles = [
      { roleArn: 'arn:aws:iam::1:role/Dev', principalArn: 'arn:aws:iam::1:saml-provider/a' },
      { roleArn: 'arn:aws:iam::1:role/Admin', principalArn: 'arn:aws:iam::1:saml-provider/b' },
    ];
    expect(selectSamlRole(roles, 'arn:aws:iam::1:role/admin')).toBe(roles[1]);
    expect(selectSamlRole(roles, 'saml-provider/B')).toBe(roles[1]);
    expect(selectSamlRole(roles, 'nothing')).toBe(roles[0]);
    expect(selectSamlRole([], 'x')).toBeUndefined();
  });

  test('auth validate: url (absolute https) and region required', () => {
    const v = validateAuthConfig(parseAuthConfig({ providers: { a: { kind: 'aws/saml' }, b: { kind: 'aws/saml', url: 'http://idp/x', region: 'us-east-1' }, c: { kind: 'aws/saml', url: 'https://idp.example.com/ecp', region: 'eu-west-1', driver: 'ShibbolethECP' } } }));
    expect(v.errors.map((e) => [e.code, e.message.replace(/ \(.*$/, '')])).toEqual([
      ['AUTH_FIELD_MISSING', expect.stringContaining('url is required for AWS SAML provider')],
      ['AUTH_FIELD_MISSING', expect.stringContaining('region is required for AWS SAML provider')],
      ['AUTH_CONFIG_INVALID', expect.stringContaining('invalid URL format')],
    ]);
    expect(v.warnings).toEqual([]);
  });
});
