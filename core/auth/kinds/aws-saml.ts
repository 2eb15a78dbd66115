import { randomBytes } from 'node:crypto';
import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, mapAwsError, providerEndpointFor } from '../aws-sdk';
import { awsCredentials, type AwsCredentials } from '../credentials';
import { clamp, parseDurationSeconds } from '../duration';
import type { StepContext } from '../step-context';
import { Secret, unsafeUnwrap } from '../../secret';
import type { ProviderKind } from './kind';

/**
 * `aws/saml` (Atmos `pkg/auth/providers/aws/saml.go`, which runs saml2aws): logs in at the IdP
 * with the provider's `driver`, reads the AWS roles of the SAML assertion, prefers the role of
 * the next identity in the chain (its `principal.assume_role`), and exchanges the assertion with
 * STS AssumeRoleWithSAML for a session of `session.duration` (default 1h, clamped to 15m..12h).
 *
 * Drivers: saml2aws has one per IdP product. infrakey runs `ShibbolethECP`, the standard SAML 2.0
 * ECP profile (SOAP + HTTP Basic; Shibboleth, and any IdP with an ECP endpoint), which needs no
 * browser. `Browser` (Playwright) and the vendor screen-scraping drivers (Okta, ADFS, GoogleApps,
 * ...) fail with AUTH_SAML_DRIVER_UNSUPPORTED naming the driver, instead of a half-working login.
 */

/** saml2aws's default and Atmos's: one hour; STS accepts 15 minutes to 12 hours. */
const DEFAULT_SESSION_SECONDS = 3600;
const MIN_STS_SECONDS = 900;
const MAX_STS_SECONDS = 43200;
/** saml2aws's HTTP time limit for the IdP (Atmos sets 30 s). */
const IDP_TIMEOUT_MS = 30_000;
/** An IdP answer larger than this is not a SAML response (bounded input). */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const AWS_SP = 'urn:amazon:webservices';
const AWS_ACS = 'https://signin.aws.amazon.com/saml';
const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';

/** The drivers infrakey can run without a browser. */
export const HEADLESS_SAML_DRIVERS = ['ShibbolethECP'] as const;

/** One role of the assertion (saml2aws `AWSRole`). */
export interface SamlRole {
  readonly roleArn: string;
  readonly principalArn: string;
}

/**
 * The driver Atmos would use: the configured one, else (no Playwright drivers here) by URL as
 * Atmos's `getDriver` does: GoogleApps, Okta, ADFS, else Browser.
 */
export function samlDriver(provider: ProviderConfig): string {
  const configured = str(provider.fields.driver);
  if (configured) return configured;
  const url = str(provider.fields.url) ?? '';
  if (url.includes('accounts.google.com')) return 'GoogleApps';
  if (url.includes('okta.com')) return 'Okta';
  if (url.includes('adfs')) return 'ADFS';
  return 'Browser';
}

/** Atmos's `requestedSessionSeconds`: `session.duration`, else 1h; clamped to 15m..12h. */
export function samlSessionSeconds(provider: ProviderConfig): number {
  if (provider.sessionDuration === undefined || provider.sessionDuration === '') return DEFAULT_SESSION_SECONDS;
  const s = parseDurationSeconds(provider.sessionDuration);
  if (s === undefined) return DEFAULT_SESSION_SECONDS;
  return clamp(s, MIN_STS_SECONDS, MAX_STS_SECONDS);
}

/**
 * The AWS roles of a base64 SAML response (saml2aws `ExtractAwsRoles` + `ParseAWSRoles`): every
 * value of every Role attribute (one attribute with several values, or several attributes), each
 * `role-arn,provider-arn` in either order.
 */
export async function samlRoles(responseXml: string): Promise<SamlRole[]> {
  const doc = await parseXml(responseXml);
  const response = doc.Response as Node | undefined;
  if (!response) throw new Error('the IdP answer holds no samlp:Response');
  const statusCode = attr(first(first(response.Status)?.StatusCode), 'Value');
  if (statusCode && !statusCode.endsWith(':Success')) throw new Error(`the IdP answered status ${statusCode}`);
  const roles: SamlRole[] = [];
  for (const assertion of all(response.Assertion)) {
    for (const statement of all(assertion.AttributeStatement)) {
      for (const a of all(statement.Attribute)) {
        if (attr(a, 'Name') !== ROLE_ATTRIBUTE) continue;
        for (const v of all(a.AttributeValue)) {
          const text = typeof v === 'string' ? v : typeof v['#text'] === 'string' ? (v['#text'] as string) : '';
          const parts = text.split(',').map((s) => s.trim());
          if (parts.length !== 2) throw new Error(`a Role attribute value is not "role-arn,provider-arn"`);
          const [a0, a1] = parts;
          const roleFirst = a0.includes(':role/') || a1.includes(':saml-provider/');
          roles.push(roleFirst ? { roleArn: a0, principalArn: a1 } : { roleArn: a1, principalArn: a0 });
        }
      }
    }
  }
  return roles;
}

/** Atmos's `selectRole`: the first role whose ARN (or provider ARN) contains the hint, else the first role. */
export function selectSamlRole(roles: readonly SamlRole[], hint: string): SamlRole | undefined {
  const h = hint.toLowerCase();
  return roles.find((r) => r.roleArn.toLowerCase().includes(h) || r.principalArn.toLowerCase().includes(h)) ?? roles[0];
}

type Node = Record<string, unknown> & { [k: string]: unknown };

function all(v: unknown): Node[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as Node[];
}

function first(v: unknown): Node | undefined {
  return all(v)[0];
}

function attr(n: Node | undefined, name: string): string | undefined {
  const v = n?.[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

async function parseXml(xml: string): Promise<Node> {
  const { XMLParser } = await import('fast-xml-parser');
  const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false, processEntities: true, isArray: (name) => ['Attribute', 'AttributeValue', 'Assertion', 'AttributeStatement'].includes(name) });
  return parser.parse(xml) as Node;
}

/** The ECP request (SAML 2.0 ECP profile §4.2.4): a SOAP envelope with an AuthnRequest for AWS. */
function ecpRequest(now: number): string {
  const id = `_${randomBytes(16).toString('hex')}`;
  const instant = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>' +
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${instant}" ` +
    `AssertionConsumerServiceURL="${AWS_ACS}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS">` +
    `<saml:Issuer>${AWS_SP}</saml:Issuer><samlp:NameIDPolicy AllowCreate="1"/></samlp:AuthnRequest>` +
    '</S:Body></S:Envelope>'
  );
}

/**
 * The samlp:Response inside an ECP SOAP answer, as the IdP wrote it (a substring, not re-serialised:
 * the signature covers those bytes).
 */
export function responseFromEnvelope(envelope: string): string {
  const m = /<(?:[A-Za-z_][\w.-]*:)?Body\b[^>]*>([\s\S]*)<\/(?:[A-Za-z_][\w.-]*:)?Body\s*>/.exec(envelope);
  const body = (m ? m[1] : '').trim();
  if (!/^<(?:[A-Za-z_][\w.-]*:)?Response\b/.test(body)) throw new Error('the SOAP body holds no samlp:Response');
  return body;
}

async function ecpLogin(provider: ProviderConfig, username: string, password: string, ctx: StepContext): Promise<string> {
  const url = new URL(str(provider.fields.url)!);
  // The password travels in the Authorization header: https only.
  if (url.protocol !== 'https:') throw new Error(`the IdP URL must be https (got ${url.protocol})`);
  const https = await import('node:https');
  const tls = await import('node:tls');
  // NODE_EXTRA_CA_CERTS of the manager's environment too (Node reads it only from its own at start-up).
  const extra = [...(ctx.httpsCa ?? [])];
  const extraFile = str(ctx.env.NODE_EXTRA_CA_CERTS);
  if (extraFile) {
    const { readFile } = await import('node:fs/promises');
    extra.push(await readFile(extraFile, 'utf8').catch(() => ''));
  }
  const ca = extra.some((c) => c !== '') ? { ca: [...tls.rootCertificates, ...extra.filter((c) => c !== '')] } : {};
  const body = ecpRequest(ctx.now());
  const auth = Secret.of(Buffer.from(`${username}:${password}`).toString('base64'), `saml:${provider.name}:basic`);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        timeout: IDP_TIMEOUT_MS,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml, application/vnd.paos+xml', Authorization: `Basic ${unsafeUnwrap(auth)}`, 'Content-Length': Buffer.byteLength(body) },
        ...ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`the IdP answer exceeds ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403) reject(Object.assign(new Error(`the IdP refused the username and password (HTTP ${status})`), { refused: true }));
          else if (status >= 400) reject(new Error(`the IdP answered HTTP ${status}`));
          else resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${IDP_TIMEOUT_MS / 1000}s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function loginDetails(provider: ProviderConfig, ctx: StepContext): Promise<{ username: string; password: string }> {
  const where = ctx.where(provider.path);
  const username = str(provider.fields.username);
  if (!username) throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `provider "${provider.name}": username is required for the ShibbolethECP driver`, where, `set ${provider.path}.username`);
  const configured = str(provider.fields.password);
  if (configured) return { username, password: unsafeUnwrap(Secret.of(configured, `saml:${provider.name}:password`)) };
  if (!ctx.interaction.interactive || !ctx.interaction.promptSecret) {
    throw authError(AUTH_ERROR_CODES.PROMPT_REQUIRES_TTY, `provider "${provider.name}": the IdP password is needed and there is no terminal to ask for it`, where, `run \`infrakey auth login\` in a terminal, or set ${provider.path}.password (from !env or !exec, not inline)`);
  }
  const password = await ctx.interaction.promptSecret(`Password for ${username} at ${new URL(str(provider.fields.url)!).host}:`);
  return { username, password: unsafeUnwrap(Secret.of(password, `saml:${provider.name}:password`)) };
}

/** The provider's login: IdP assertion, role choice, AssumeRoleWithSAML. */
export async function authenticateSaml(provider: ProviderConfig, ctx: StepContext): Promise<AwsCredentials> {
  const where = ctx.where(provider.path);
  const next = ctx.chain.identities[0];
  const hint = next ? str(next.principal.assume_role) : undefined;
  if (!next || !hint) {
    throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `provider "${provider.name}" (aws/saml): the next identity${next ? ` "${next.name}"` : ''} has no principal.assume_role, which picks the role of the assertion`, ctx.where(next ? `${next.path}.principal` : provider.path), next ? `set ${next.path}.principal.assume_role to one of the roles your IdP grants` : 'reach this provider through an aws/assume-role identity');
  }
  const driver = samlDriver(provider);
  if (!(HEADLESS_SAML_DRIVERS as readonly string[]).includes(driver)) {
    throw authError(
      AUTH_ERROR_CODES.SAML_DRIVER_UNSUPPORTED,
      `provider "${provider.name}": SAML driver "${driver}"${str(provider.fields.driver) ? '' : ' (chosen from the URL, as Atmos does)'} is not supported by infrakey: it needs a browser or a vendor-specific login page`,
      ctx.where(`${provider.path}.${str(provider.fields.driver) ? 'driver' : 'url'}`),
      `use driver: ShibbolethECP with your IdP's SAML 2.0 ECP endpoint (Shibboleth: https://<idp>/idp/profile/SAML2/SOAP/ECP), or log in with Atmos for this provider`,
    );
  }
  const { username, password } = await loginDetails(provider, ctx);
  const fail = (message: string, fix: string, cause?: unknown) => authError(AUTH_ERROR_CODES.SAML_FAILED, `provider "${provider.name}": ${message}`, where, fix, cause);
  let envelope: string;
  const done = ctx.interaction.progress?.(`Logging in at ${new URL(str(provider.fields.url)!).host}`);
  try {
    envelope = await ecpLogin(provider, username, password, ctx);
  } catch (e) {
    const refused = (e as { refused?: boolean }).refused === true;
    throw fail(`the SAML login failed: ${e instanceof Error ? e.message : String(e)}`, refused ? `check ${provider.path}.username and the password` : `check ${provider.path}.url (the IdP's ECP endpoint) and the network`, e);
  } finally {
    done?.();
  }
  let responseXml: string;
  let roles: SamlRole[];
  try {
    responseXml = responseFromEnvelope(envelope);
    roles = await samlRoles(responseXml);
  } catch (e) {
    throw fail(`the IdP answer is not a usable SAML response (${e instanceof Error ? e.message : String(e)})`, `check that ${provider.path}.url is the ECP endpoint and that the IdP releases the AWS Role attribute`, e);
  }
  const role = selectSamlRole(roles, hint);
  if (!role) throw fail('the SAML assertion grants no AWS role (no https://aws.amazon.com/SAML/Attributes/Role value)', 'ask the IdP administrator to release the AWS Role attribute for your account');
  const assertion = Secret.of(Buffer.from(responseXml, 'utf8').toString('base64'), `saml:${provider.name}:assertion`);
  const region = provider.region!;
  const endpoint = providerEndpointFor(provider, 'sts', ctx.env);
  const { STSClient, AssumeRoleWithSAMLCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient(clientSettings(region, endpoint));
  try {
    const out = await client.send(new AssumeRoleWithSAMLCommand({ RoleArn: role.roleArn, PrincipalArn: role.principalArn, SAMLAssertion: unsafeUnwrap(assertion), DurationSeconds: samlSessionSeconds(provider) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw fail('STS returned no credentials', 'try again; check the role\'s trust policy for the SAML provider');
    return awsCredentials({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration, region }, provider.name);
  } catch (e) {
    if ((e as { code?: string }).code === AUTH_ERROR_CODES.SAML_FAILED) throw e;
    throw mapAwsError(e, 'sts:AssumeRoleWithSAML', provider.name, where, endpoint, ctx.chain.target.name);
  } finally {
    client.destroy();
  }
}

/** The `aws/saml` provider kind. */
export const awsSamlProviderKind: ProviderKind = {
  kind: 'aws/saml',
  validate(p, report) {
    const url = str(p.fields.url);
    if (!url) report.error(AUTH_ERROR_CODES.FIELD_MISSING, p.path, `provider "${p.displayName}": url is required for AWS SAML provider`, `set ${p.path}.url to the IdP's login URL`);
    else {
      let ok = false;
      try {
        const u = new URL(url);
        ok = u.protocol === 'https:' && u.host !== '';
      } catch {
        ok = false;
      }
      if (!ok) report.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p.path}.url`, `provider "${p.displayName}": invalid URL format`, 'write an absolute https URL (the password is sent to it), e.g. https://idp.example.com/idp/profile/SAML2/SOAP/ECP');
    }
    if (!p.region) report.error(AUTH_ERROR_CODES.FIELD_MISSING, p.path, `provider "${p.displayName}": region is required for AWS SAML provider`, `set ${p.path}.region (the STS region, e.g. us-east-1)`);
    if (p.sessionDuration !== undefined && parseDurationSeconds(p.sessionDuration) === undefined) {
      report.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p.path}.session.duration`, `provider "${p.displayName}": session.duration is not a duration`, 'write a Go duration (1h, 90m); it is clamped to 15m..12h');
    }
  },
  authenticate: authenticateSaml,
};
