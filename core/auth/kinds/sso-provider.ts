import type { ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { awsErrorName, clientSettings, isNetworkError, providerEndpointFor } from '../aws-sdk';
import type { SsoTokenCredentials } from '../credentials';
import { parseDurationSeconds } from '../duration';
import { deleteKeyringCredentials, readSsoToken, writeSsoToken } from '../keyring-credentials';
import type { ProviderKind } from './kind';
import { Secret } from '../../secret';
import type { StepContext } from '../step-context';

/** The SSO token is reused while more than this remains (Atmos: 5 minutes for the SSO token). */
export const SSO_TOKEN_BUFFER_MS = 5 * 60 * 1000;

/** The cached IAM Identity Center token of `provider`, if it is still good for 5 minutes. */
export async function cachedSsoToken(provider: ProviderConfig, ctx: StepContext): Promise<SsoTokenCredentials | undefined> {
  const keyring = await ctx.keyring();
  if (!keyring) return undefined;
  const t = await readSsoToken(keyring, ctx.realm, provider.name, provider.startUrl ?? '', provider.region ?? '', ctx.where(provider.path));
  return t && t.expiration.getTime() > ctx.now() + SSO_TOKEN_BUFFER_MS ? t : undefined;
}

/**
 * `aws/iam-identity-center`: the OAuth 2.0 device authorization grant of AWS SSO OIDC.
 * RegisterClient (public client), StartDeviceAuthorization, then CreateToken polled at the
 * returned interval (+5 s on `SlowDownException`) until the user approves, denies or the code
 * expires. The token is cached in the keyring under the provider's name (as Atmos does).
 */
export async function authenticateSsoProvider(provider: ProviderConfig, ctx: StepContext): Promise<SsoTokenCredentials> {
  const where = ctx.where(provider.path);
  const startUrl = provider.startUrl;
  const region = provider.region;
  if (!startUrl || !region) {
    throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `provider "${provider.name}": start_url and region are required`, where, `set ${provider.path}.start_url and ${provider.path}.region`);
  }
  const endpoint = providerEndpointFor(provider, 'sso-oidc', ctx.env);
  const { SSOOIDCClient, RegisterClientCommand, StartDeviceAuthorizationCommand, CreateTokenCommand } = await import('@aws-sdk/client-sso-oidc');
  const client = new SSOOIDCClient(clientSettings(region, endpoint));
  const fail = (message: string, fix: string, cause?: unknown) => authError(AUTH_ERROR_CODES.SSO_FAILED, `provider "${provider.name}": ${message}`, where, fix, cause);
  try {
    let reg;
    let dev;
    try {
      reg = await client.send(new RegisterClientCommand({ clientName: 'infrakey-auth', clientType: 'public', scopes: ['sso:account:access'], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] }));
      if (!reg.clientId || !reg.clientSecret) throw new Error('RegisterClient returned no client');
      // Wrapping registers the value with the Redactor, so no later message can show it.
      Secret.of(reg.clientSecret, 'sso-client-secret');
      dev = await client.send(new StartDeviceAuthorizationCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl }));
    } catch (e) {
      const at = endpoint ?? `the SSO OIDC endpoint of ${region}`;
      const detail = `${awsErrorName(e) ?? 'Error'}: ${e instanceof Error ? e.message : String(e)}`;
      if (isNetworkError(e)) {
        throw authError(AUTH_ERROR_CODES.TIMEOUT, `provider "${provider.name}": could not start the device login: no answer from ${at} (${detail})`, where, `check the network, ${provider.path}.region and spec.endpoint_url / AWS_ENDPOINT_URL_SSO_OIDC`, e);
      }
      throw fail(`could not start the device login at ${at} (${detail})`, `check ${provider.path}.start_url and region`, e);
    }
    if (!dev.deviceCode || !dev.userCode) throw fail('StartDeviceAuthorization returned no device code', 'retry the login');
    Secret.of(dev.deviceCode, 'sso-device-code');
    const url = dev.verificationUriComplete ?? dev.verificationUri ?? startUrl;
    ctx.interaction.notify(`To log in as provider "${provider.name}", open ${url}\nand confirm the code: ${dev.userCode}\n`);
    if (ctx.interaction.interactive) ctx.interaction.openBrowser?.(url);
    const stop = ctx.interaction.progress?.('Waiting for the device login to be approved') ?? (() => undefined);
    let intervalMs = Math.max(1, dev.interval ?? 5) * 1000;
    const deadline = ctx.now() + Math.max(1, dev.expiresIn ?? 600) * 1000;
    try {
      for (;;) {
        if (ctx.now() >= deadline) throw fail('the device code expired before the login was approved', 'run the login again and approve it in the browser within the time shown');
        await ctx.sleep(intervalMs);
        try {
          const tok = await client.send(new CreateTokenCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: dev.deviceCode }));
          if (!tok.accessToken) throw fail('CreateToken returned no access token', 'retry the login');
          const seconds = tok.expiresIn ?? parseDurationSeconds(provider.sessionDuration) ?? 3600;
          const token: SsoTokenCredentials = {
            type: 'sso-token',
            accessToken: Secret.of(tok.accessToken, `sso-token:${provider.name}`),
            expiration: new Date(ctx.now() + seconds * 1000),
            region,
            startUrl,
          };
          if (tok.refreshToken) Secret.of(tok.refreshToken, 'sso-refresh-token');
          const keyring = await ctx.keyring();
          if (keyring) await writeSsoToken(keyring, ctx.realm, provider.name, token, where);
          return token;
        } catch (e) {
          const name = awsErrorName(e);
          if (name === 'AuthorizationPendingException') continue;
          if (name === 'SlowDownException') {
            intervalMs += 5000;
            continue;
          }
          if (name === 'ExpiredTokenException') throw fail('the device code expired before the login was approved', 'run the login again and approve it in the browser within the time shown', e);
          if (name === 'AccessDeniedException') throw fail('the device login was denied', 'run the login again and choose Allow in the browser', e);
          if (e instanceof Error && (e as { code?: unknown }).code === AUTH_ERROR_CODES.SSO_FAILED) throw e;
          throw fail(`CreateToken failed (${name ?? 'Error'}: ${e instanceof Error ? e.message : String(e)})`, 'retry the login', e);
        }
      }
    } finally {
      stop();
    }
  } finally {
    client.destroy();
  }
}

/** The `aws/iam-identity-center` provider kind. */
export const ssoProviderKind: ProviderKind = {
  kind: 'aws/iam-identity-center',
  validate(p, report) {
    if (!p.startUrl) report.error(AUTH_ERROR_CODES.FIELD_MISSING, p.path, `provider "${p.displayName}": start_url is required`, `set ${p.path}.start_url to the AWS access portal URL (https://<id>.awsapps.com/start)`);
    if (!p.region) report.error(AUTH_ERROR_CODES.FIELD_MISSING, p.path, `provider "${p.displayName}": region is required`, `set ${p.path}.region to the IAM Identity Center region`);
  },
  authenticate: authenticateSsoProvider,
  cached: cachedSsoToken,
  async forget(p, ctx) {
    // The token lives in the keyring (as Atmos keeps it); without one there is nothing to remove.
    const keyring = await ctx.keyring();
    if (!keyring) return false;
    await deleteKeyringCredentials(keyring, ctx.realm, p.name, ctx.where(p.path));
    return true;
  },
};
