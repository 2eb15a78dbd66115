/**
 * Starts the FAKE SAML identity provider (fake-saml-idp.py: pysaml2 builds and xmlsec1 signs the
 * responses; SAML 2.0 ECP, Okta's authn API + AWS app embed link, AD FS and Keycloak forms sign-on, over HTTPS) and stops it by pid. Needs Debian's python3-pysaml2 and
 * xmlsec1 (scripts/install-test-deps.sh) under /usr/bin/python3. Start-up (pysaml2 import, a key pair)
 * takes seconds, and was seen past 30 s on the loaded 2-core machine: it waits up to 90 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface FakeSamlIdpSpec {
  username: string;
  password: string;
  /** [role ARN, SAML provider ARN] pairs, in assertion order. */
  roles: [string, string][];
  /** `multi`: one Role attribute with a value per role (usual); `repeated`: one attribute per role (what moto 5.1 parses). */
  roleForm?: 'multi' | 'repeated';
  sessionName?: string;
  sessionDuration?: number;
  /** A user (with the same password) whose Okta and ADFS logins ask for a second factor. */
  mfaUser?: string;
  /** With mfaUser: the Okta code factor (token:software:totp) accepts this one code. */
  mfaCode?: string;
}

export class FakeSamlIdp {
  /** The ECP endpoint (driver ShibbolethECP). */
  url = '';
  /** https://127.0.0.1:<port>: the ADFS driver's `url` (it appends the sign-on page). */
  base = '';
  cert = '';
  private child?: ChildProcess;
  readonly log: string[] = [];

  constructor(private readonly spec: FakeSamlIdpSpec) {}

  async start(): Promise<string> {
    const child = spawn('/usr/bin/python3', [join(__dirname, 'fake-saml-idp.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => this.log.push(d.toString()));
    child.stdin!.write(JSON.stringify({ username: this.spec.username, password: this.spec.password, roles: this.spec.roles, role_form: this.spec.roleForm ?? 'multi', session_name: this.spec.sessionName ?? this.spec.username, ...(this.spec.sessionDuration ? { session_duration: this.spec.sessionDuration } : {}), ...(this.spec.mfaUser ? { mfa_user: this.spec.mfaUser } : {}), ...(this.spec.mfaCode ? { mfa_code: this.spec.mfaCode } : {}) }) + '\n');
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`fake SAML IdP did not start within 90s: ${this.log.join('')}`)), 90_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(out.slice(0, nl));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fake SAML IdP exited (${code}): ${this.log.join('')}`));
      });
    });
    const info = JSON.parse(line) as { url: string; base: string; cert: string };
    this.url = info.url;
    this.base = info.base;
    this.cert = info.cert;
    return this.url;
  }

  /** Requests the IdP answered (its access log lines). */
  requests(): string[] {
    return this.log.join('').split('\n').filter((l) => l.includes('"POST ') || l.includes('"GET '));
  }

  /** The Keycloak AWS client's IdP-initiated SSO URL (driver KeyCloak's `url`). */
  get keycloakClientUrl(): string {
    return `${this.base}/realms/corp/protocol/saml/clients/amazon-aws`;
  }

  /** The Okta AWS app's embed link (driver Okta's `url`). */
  get oktaAppUrl(): string {
    return `${this.base}/app/amazon_aws/exk1fakeapp/sso/saml`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}
