import { randomBytes } from 'node:crypto';
import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, mapAwsError, providerEndpointFor } from '../aws-sdk';
import { awsCredentials, type AwsCredentials } from '../credentials';
import { clamp, parseDurationSeconds } from '../duration';
import type { StepContext } from '../step-context';
import { Secret, unsafeUnwrap } from '../../secret';
import type { ProviderKind } from './kind';
import { htmlForms, samlResponseInput, type HtmlInput } from '../html-form';

/**
 * `aws/saml` (Atmos `pkg/auth/providers/aws/saml.go`, which runs saml2aws): logs in at the IdP
 * with the provider's `driver`, reads the AWS roles of the SAML assertion, prefers the role of
 * the next identity in the chain (its `principal.assume_role`), and exchanges the assertion with
 * STS AssumeRoleWithSAML for a session of `session.duration` (default 1h, clamped to 15m..12h).
 *
 * Drivers: saml2aws has one per IdP product. infrakey runs the ones that need no browser:
 * `ShibbolethECP` (the standard SAML 2.0 ECP profile: SOAP + HTTP Basic), `Okta` (the
 * Authentication API, then the AWS app's embed link), `ADFS` (the forms login of the
 * IdP-initiated sign-on page) and `KeyCloak` (the same forms login at the client's IdP-initiated
 * SSO URL). `Browser` (Playwright) and the other vendor drivers (GoogleApps,
 * ...) fail with AUTH_SAML_DRIVER_UNSUPPORTED naming the driver, instead of a half-working login;
 * a second factor other than an Okta code typed at a terminal fails with AUTH_SAML_MFA_UNSUPPORTED.
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
export const HEADLESS_SAML_DRIVERS = ['ShibbolethECP', 'Okta', 'ADFS', 'KeyCloak'] as const;

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

/** What a driver needs: the login, the IdP's CA bundle, and where to read the URL. */
interface DriverInput {
  readonly provider: ProviderConfig;
  readonly username: string;
  readonly password: string;
  readonly tls: { ca?: string[] };
  readonly now: number;
  /** Asks the person at the terminal for a secret (an MFA code); absent when not interactive. */
  readonly promptSecret?: (message: string) => Promise<string>;
}

/** A driver failure the user fixes with the login itself (wrong password) or can't fix headless (MFA). */
function loginRefused(message: string): Error {
  return Object.assign(new Error(message), { refused: true });
}

function mfaRequired(message: string): Error {
  return Object.assign(new Error(message), { mfa: true });
}

/** The CA bundle for the IdP: Node's roots plus the manager's and NODE_EXTRA_CA_CERTS of its environment. */
async function idpTls(ctx: StepContext): Promise<{ ca?: string[] }> {
  const tls = await import('node:tls');
  // NODE_EXTRA_CA_CERTS of the manager's environment too (Node reads it only from its own at start-up).
  const extra = [...(ctx.httpsCa ?? [])];
  const extraFile = str(ctx.env.NODE_EXTRA_CA_CERTS);
  if (extraFile) {
    const { readFile } = await import('node:fs/promises');
    extra.push(await readFile(extraFile, 'utf8').catch(() => ''));
  }
  return extra.some((c) => c !== '') ? { ca: [...tls.rootCertificates, ...extra.filter((c) => c !== '')] } : {};
}

interface IdpAnswer {
  readonly status: number;
  readonly body: string;
  /** The URL that answered (after redirects): relative form actions resolve against it. */
  readonly url: URL;
}

/** Redirects an IdP login may take (ADFS and Okta redirect once or twice). */
const MAX_REDIRECTS = 10;

/**
 * HTTPS to the IdP with a cookie jar (per host: ADFS ties the login form to the cookie of the page
 * that served it) and redirects followed, as saml2aws's HTTP client does. https only (the password
 * travels in the body or a header); each answer bounded to 1 MiB and 30 s.
 */
class IdpSession {
  private readonly cookies = new Map<string, Map<string, string>>();

  constructor(private readonly tls: { ca?: string[] }) {}

  async send(url: URL, method: 'GET' | 'POST', headers: Record<string, string> = {}, body?: string): Promise<IdpAnswer> {
    let target = url;
    let m = method;
    let payload = body;
    let sent = headers;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (target.protocol !== 'https:') throw new Error(`the IdP URL must be https (got ${target.protocol}//${target.host})`);
      const res = await this.once(target, m, sent, payload);
      if (res.status >= 300 && res.status < 400 && res.location) {
        target = new URL(res.location, target);
        // As Go's client (saml2aws): the HTTP Basic credentials do not follow a redirect to another host.
        if (target.origin !== url.origin) sent = Object.fromEntries(Object.entries(sent).filter(([k]) => k.toLowerCase() !== 'authorization'));
        if (res.status !== 307 && res.status !== 308) {
          m = 'GET';
          payload = undefined;
        }
        continue;
      }
      return { status: res.status, body: res.body, url: target };
    }
    throw new Error(`the IdP redirected more than ${MAX_REDIRECTS} times`);
  }

  private async once(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; location?: string }> {
    const https = await import('node:https');
    const jar = this.cookies.get(url.host);
    const cookie = jar && jar.size > 0 ? { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, timeout: IDP_TIMEOUT_MS, headers: { ...headers, ...cookie, ...length }, ...this.tls }, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const pair = /^\s*([^=;\s]+)=([^;]*)/.exec(line);
          if (!pair) continue;
          const hostJar = this.cookies.get(url.host) ?? new Map<string, string>();
          hostJar.set(pair[1], pair[2]);
          this.cookies.set(url.host, hostJar);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`the IdP answer exceeds ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location: res.headers.location }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${IDP_TIMEOUT_MS / 1000}s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** ShibbolethECP: the SAML 2.0 ECP profile (SOAP AuthnRequest, HTTP Basic); answers the samlp:Response XML. */
async function ecpLogin({ provider, username, password, tls, now }: DriverInput): Promise<string> {
  const url = new URL(str(provider.fields.url)!);
  const body = ecpRequest(now);
  const auth = Secret.of(Buffer.from(`${username}:${password}`).toString('base64'), `saml:${provider.name}:basic`);
  const res = await new IdpSession(tls).send(url, 'POST', { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml, application/vnd.paos+xml', Authorization: `Basic ${unsafeUnwrap(auth)}` }, body);
  if (res.status === 401 || res.status === 403) throw loginRefused(`the IdP refused the username and password (HTTP ${res.status})`);
  if (res.status >= 400) throw new Error(`the IdP answered HTTP ${res.status}`);
  return responseFromEnvelope(res.body);
}

/** The XML of a form's base64 SAMLResponse (the bytes the IdP signed). */
function decodeSamlResponse(b64: string): string {
  const xml = Buffer.from(b64.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (!/<(?:[A-Za-z_][\w.-]*:)?Response\b/.test(xml)) throw new Error('the SAMLResponse field does not hold a samlp:Response');
  return xml;
}

/**
 * Okta (saml2aws `okta`): POST the username and password to the Okta Authentication API
 * (`/api/v1/authn` of the org host); its one-time `sessionToken` opens the AWS app's embed link
 * (the configured `url`, `?sessionToken=`, Okta's documented way to turn a session token into an
 * app sign-on), whose page posts the `SAMLResponse` to AWS. MFA: a TOTP factor (Okta Verify or
 * Google Authenticator code) is asked for on a terminal and verified with the factor's `verify`
 * link; push, SMS and other factors, or no terminal, are refused.
 */
async function oktaLogin({ provider, username, password, tls, promptSecret }: DriverInput): Promise<string> {
  const appUrl = new URL(str(provider.fields.url)!);
  const session = new IdpSession(tls);
  const authn = await oktaApi(session, new URL('/api/v1/authn', appUrl.origin), { username, password }, 'the username and password');
  const token = Secret.of(authn.status === 'SUCCESS' ? oktaSessionToken(authn) : await oktaMfa(session, appUrl, authn, username, promptSecret), `saml:${provider.name}:okta-session`);
  const embed = new URL(appUrl);
  embed.searchParams.set('sessionToken', unsafeUnwrap(token));
  const page = await session.send(embed, 'GET', { Accept: 'text/html' });
  if (page.status >= 400) throw new Error(`the Okta app page answered HTTP ${page.status}`);
  const b64 = samlResponseInput(page.body);
  if (b64 === undefined) throw new Error('the Okta app page holds no SAMLResponse form (is url the AWS app\'s embed link?)');
  return decodeSamlResponse(b64);
}

/** An Okta Authentication API transaction (the fields the driver reads). */
interface OktaTransaction {
  status: string;
  sessionToken?: unknown;
  stateToken?: unknown;
  _embedded?: { factors?: { id?: unknown; factorType?: unknown; provider?: unknown; _links?: { verify?: { href?: unknown } } }[] };
}

/** POST JSON to an authn endpoint; 401/403 are the user's login refused (with Okta's errorSummary, never the request). */
async function oktaApi(session: IdpSession, url: URL, body: Record<string, string>, what: string): Promise<OktaTransaction> {
  const res = await session.send(url, 'POST', { 'Content-Type': 'application/json', Accept: 'application/json' }, unsafeUnwrap(Secret.of(JSON.stringify(body), 'saml:okta-request')));
  let answer: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (parsed && typeof parsed === 'object') answer = parsed as Record<string, unknown>;
  } catch {
    answer = {};
  }
  const summary = typeof answer.errorSummary === 'string' ? `: ${answer.errorSummary.slice(0, 200)}` : '';
  if (res.status === 401 || res.status === 403) throw loginRefused(`Okta refused ${what} (HTTP ${res.status}${summary})`);
  if (res.status >= 400) throw new Error(`Okta's authn API answered HTTP ${res.status}${summary}`);
  return { ...answer, status: typeof answer.status === 'string' ? answer.status.slice(0, 40) : '' } as OktaTransaction;
}

function oktaSessionToken(t: OktaTransaction): string {
  if (t.status !== 'SUCCESS' || typeof t.sessionToken !== 'string' || t.sessionToken === '') throw new Error(`Okta's authn API answered status "${t.status}" without a session token`);
  return t.sessionToken;
}

/** Okta's code factors (Okta Verify code, Google Authenticator): `token:software:totp`. */
const OKTA_TOTP = 'token:software:totp';

/** MFA_REQUIRED: verify a TOTP factor with a code typed at the terminal; anything else is refused (AUTH_SAML_MFA_UNSUPPORTED). */
async function oktaMfa(session: IdpSession, appUrl: URL, t: OktaTransaction, username: string, promptSecret: DriverInput['promptSecret']): Promise<string> {
  if (t.status !== 'MFA_REQUIRED') {
    if (t.status === 'MFA_ENROLL' || t.status === 'MFA_CHALLENGE') throw mfaRequired(`Okta requires multi-factor authentication (status ${t.status})`);
    return oktaSessionToken(t);
  }
  const factors = t._embedded?.factors ?? [];
  const totp = factors.find((f) => f.factorType === OKTA_TOTP && typeof f._links?.verify?.href === 'string');
  const kinds = factors.map((f) => `${String(f.provider)} ${String(f.factorType)}`.slice(0, 60)).join(', ');
  if (!totp) throw mfaRequired(`Okta requires multi-factor authentication (status MFA_REQUIRED) with factors infrakey cannot answer (${kinds || 'none listed'}); only a code factor (${OKTA_TOTP}) is supported`);
  if (!promptSecret) throw mfaRequired(`Okta requires multi-factor authentication (status MFA_REQUIRED); the code of factor ${String(totp.provider)} ${OKTA_TOTP} is asked for only on a terminal`);
  const verify = new URL(totp._links!.verify!.href as string);
  // The state token and code go only to the org that issued them.
  if (verify.origin !== appUrl.origin) throw new Error(`Okta's factor verify link points to another host (${verify.host})`);
  if (typeof t.stateToken !== 'string') throw new Error('Okta answered MFA_REQUIRED without a state token');
  const stateToken = unsafeUnwrap(Secret.of(t.stateToken, 'saml:okta-state'));
  // The code is single-use and expires in seconds: not registered for masking (six digits masked
  // everywhere would hide parts of account IDs), and never put in a message.
  const passCode = (await promptSecret(`Okta verification code (${String(totp.provider)} authenticator) for ${username}:`)).trim();
  return oktaSessionToken(await oktaApi(session, verify, { stateToken, passCode }, 'the verification code'));
}

/** ADFS's IdP-initiated sign-on page for AWS (saml2aws appends it to the configured host URL). */
const ADFS_SIGN_ON = '/adfs/ls/IdpInitiatedSignOn.aspx';
/** The `AuthMethod` values of ADFS's second-factor pages (saml2aws `checkResponse`). */
const ADFS_MFA_METHODS = ['VIPAuthenticationProviderWindowsAccountName', 'VIPAuthenticationProviderUPN', 'AzureMfaAuthentication', 'AzureMfaServerAuthentication'];

/** The ADFS sign-on URL: the configured one when it already names the page, else saml2aws's `<url>/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices`. */
export function adfsSignOnUrl(configured: string): URL {
  const u = new URL(configured);
  if (u.pathname.toLowerCase().includes('/adfs/ls/')) return u;
  const signOn = new URL(`${u.pathname.replace(/\/+$/, '')}${ADFS_SIGN_ON}`, u.origin);
  signOn.searchParams.set('loginToRp', AWS_SP);
  return signOn;
}

/**
 * A forms login (saml2aws `adfs` and `keycloak`): GET the IdP-initiated sign-on page, fill its
 * login form (visible inputs named like user/email get the username, like pass the password, the
 * others keep their values), POST it to the form's action with the page's cookies; the answer page
 * (after redirects) holds the `SAMLResponse`. The login form again means the password was refused;
 * an MFA page is refused headless.
 */
async function formLogin({ provider, username, password, tls }: DriverInput, product: string, start: URL, isMfaPage: (inputs: HtmlInput[]) => boolean, urlHint: string): Promise<string> {
  const session = new IdpSession(tls);
  const page = await session.send(start, 'GET', { Accept: 'text/html' });
  if (page.status >= 400) throw new Error(`the ${product} sign-on page answered HTTP ${page.status}`);
  const isSecret = (i: HtmlInput) => i.type !== 'hidden' && i.name.toLowerCase().includes('pass');
  const form = htmlForms(page.body).find((f) => f.action !== undefined && f.inputs.some(isSecret));
  if (!form) throw new Error(`the ${product} sign-on page holds no login form with a password field (${urlHint})`);
  const fields = new URLSearchParams();
  for (const i of form.inputs) {
    const lname = i.name.toLowerCase();
    if (i.type !== 'hidden' && (lname.includes('user') || lname.includes('email'))) fields.append(i.name, username);
    else if (isSecret(i)) fields.append(i.name, password);
    else fields.append(i.name, i.value);
  }
  const body = Secret.of(fields.toString(), `saml:${provider.name}:login-form`);
  const answer = await session.send(new URL(form.action!, page.url), 'POST', { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' }, unsafeUnwrap(body));
  if (answer.status >= 400) throw new Error(`${product} answered the login with HTTP ${answer.status}`);
  const b64 = samlResponseInput(answer.body);
  if (b64 !== undefined) return decodeSamlResponse(b64);
  const inputs = htmlForms(answer.body).flatMap((f) => f.inputs);
  if (isMfaPage(inputs)) throw mfaRequired(`${product} asks for a second factor (MFA)`);
  if (inputs.some(isSecret)) throw loginRefused(`${product} showed the login form again: it did not accept the username and password`);
  throw new Error(`the ${product} answer holds no SAMLResponse`);
}

/** ADFS (saml2aws `adfs`, forms authentication) at the IdP-initiated sign-on page. */
function adfsLogin(input: DriverInput): Promise<string> {
  const mfa = (inputs: HtmlInput[]) => inputs.some((i) => i.name === 'VerificationCode' || (i.name === 'AuthMethod' && ADFS_MFA_METHODS.includes(i.value)));
  return formLogin(input, 'ADFS', adfsSignOnUrl(str(input.provider.fields.url)!), mfa, 'is url the ADFS host?');
}

/**
 * KeyCloak (saml2aws `keycloak`): `url` is the AWS client's IdP-initiated SSO URL
 * (`https://<host>/realms/<realm>/protocol/saml/clients/<client>`); its login form (`username`,
 * `password`) answers the SAMLResponse page; the OTP form (input `otp`/`totp`) is MFA.
 */
function keycloakLogin(input: DriverInput): Promise<string> {
  const mfa = (inputs: HtmlInput[]) => inputs.some((i) => i.name === 'otp' || i.name === 'totp');
  return formLogin(input, 'KeyCloak', new URL(str(input.provider.fields.url)!), mfa, "is url the AWS client's IdP-initiated SSO URL, https://<host>/realms/<realm>/protocol/saml/clients/<client>?");
}

/** The drivers infrakey runs, by saml2aws name. */
const DRIVERS: Record<(typeof HEADLESS_SAML_DRIVERS)[number], (input: DriverInput) => Promise<string>> = {
  ShibbolethECP: ecpLogin,
  Okta: oktaLogin,
  ADFS: adfsLogin,
  KeyCloak: keycloakLogin,
};

async function loginDetails(provider: ProviderConfig, driver: string, ctx: StepContext): Promise<{ username: string; password: string }> {
  const where = ctx.where(provider.path);
  const username = str(provider.fields.username);
  if (!username) throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `provider "${provider.name}": username is required for the ${driver} driver`, where, `set ${provider.path}.username`);
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
  const run = (HEADLESS_SAML_DRIVERS as readonly string[]).includes(driver) ? DRIVERS[driver as keyof typeof DRIVERS] : undefined;
  if (!run) {
    throw authError(
      AUTH_ERROR_CODES.SAML_DRIVER_UNSUPPORTED,
      `provider "${provider.name}": SAML driver "${driver}"${str(provider.fields.driver) ? '' : ' (chosen from the URL, as Atmos does)'} is not supported by infrakey: it needs a browser or a vendor-specific login page infrakey does not implement`,
      ctx.where(`${provider.path}.${str(provider.fields.driver) ? 'driver' : 'url'}`),
      `set driver to one infrakey runs headless (${HEADLESS_SAML_DRIVERS.join(', ')}; e.g. driver: ShibbolethECP with your IdP's SAML 2.0 ECP endpoint), or log in with Atmos for this provider`,
    );
  }
  const { username, password } = await loginDetails(provider, driver, ctx);
  const fail = (message: string, fix: string, cause?: unknown) => authError(AUTH_ERROR_CODES.SAML_FAILED, `provider "${provider.name}": ${message}`, where, fix, cause);
  let responseXml: string;
  const done = ctx.interaction.progress?.(`Logging in at ${new URL(str(provider.fields.url)!).host}`);
  try {
    const promptSecret = ctx.interaction.interactive && ctx.interaction.promptSecret ? ctx.interaction.promptSecret.bind(ctx.interaction) : undefined;
    responseXml = await run({ provider, username, password, tls: await idpTls(ctx), now: ctx.now(), promptSecret });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if ((e as { mfa?: boolean }).mfa === true) {
      throw authError(AUTH_ERROR_CODES.SAML_MFA_UNSUPPORTED, `provider "${provider.name}" (driver ${driver}): ${message}; infrakey answers only an Okta code factor, typed at a terminal`, where, `run \`infrakey auth login\` in a terminal for an Okta code factor; else use an IdP account or app sign-on policy without MFA for automation, or log in with Atmos for this provider`, e);
    }
    const refused = (e as { refused?: boolean }).refused === true;
    throw fail(`the SAML login (driver ${driver}) failed: ${message}`, refused ? `check ${provider.path}.username and the password` : `check ${provider.path}.url (${driver === 'ShibbolethECP' ? "the IdP's ECP endpoint" : driver === 'Okta' ? "the Okta AWS app's embed link" : driver === 'ADFS' ? 'the ADFS host' : "the client's IdP-initiated SSO URL"}) and the network`, e);
  } finally {
    done?.();
  }
  let roles: SamlRole[];
  try {
    roles = await samlRoles(responseXml);
  } catch (e) {
    throw fail(`the IdP answer is not a usable SAML response (${e instanceof Error ? e.message : String(e)})`, `check ${provider.path}.url and that the IdP releases the AWS Role attribute`, e);
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
