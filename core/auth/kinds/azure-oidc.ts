import { promises as fs } from 'node:fs';
import { str, type ProviderConfig } from '../auth-config';
import type { AzureCredentials } from '../clouds/azure-credentials';
import { azureCredentials, azureFailure, azureProviderSpec, checkAzureProviderSpec, msalAuthority, msalErrorText, msalNetworkClient, type AzureProviderSpec, type ScopedToken } from '../clouds/azure-entra';
import type { StepContext } from '../step-context';
import { unsafeUnwrap } from '../../secret';
import { authenticateGithubOidc } from './github-oidc';
import type { ProviderKind } from './kind';

/** Audience of the GitHub Actions token Entra ID accepts for federation (Atmos's default). */
export const AZURE_FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
/** Largest federated token file read. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/**
 * The federated token, from the first source that is set (Atmos's order): `spec.token_file_path`,
 * `AZURE_FEDERATED_TOKEN_FILE`, then the GitHub Actions token (through the `github/oidc`
 * machinery, audience `spec.audience` or `api://AzureADTokenExchange`).
 */
async function federatedToken(p: ProviderConfig, spec: AzureProviderSpec, ctx: StepContext): Promise<{ token: string; file?: string }> {
  const file = spec.tokenFilePath ?? str(ctx.env.AZURE_FEDERATED_TOKEN_FILE);
  if (file) {
    let text: string;
    try {
      const st = await fs.stat(file);
      if (st.size > MAX_TOKEN_FILE_BYTES) throw new Error(`larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
      throw azureFailure(p, ctx, `failed to read federated token file ${file} (${why})`, spec.tokenFilePath ? `fix ${p.path}.spec.token_file_path` : 'fix AZURE_FEDERATED_TOKEN_FILE', e);
    }
    const token = text.trim();
    if (!token) throw azureFailure(p, ctx, `federated token file ${file} is empty`, 'write the federated (OIDC) token into the file, or point the setting at the right file');
    return { token, file };
  }
  if (ctx.env.GITHUB_ACTIONS === 'true' || str(ctx.env.ACTIONS_ID_TOKEN)) {
    const gh = await authenticateGithubOidc({ ...p, spec: { audience: spec.audience ?? AZURE_FEDERATION_AUDIENCE } }, ctx);
    return { token: unsafeUnwrap(gh.token) };
  }
  throw azureFailure(
    p,
    ctx,
    'no federated token source found',
    `set ${p.path}.spec.token_file_path, the AZURE_FEDERATED_TOKEN_FILE environment variable, or run in GitHub Actions with \`permissions: id-token: write\``,
  );
}

/**
 * `azure/oidc` (Atmos `pkg/auth/providers/azure/oidc.go`): workload identity federation. The
 * federated token is exchanged at Entra ID's token endpoint (client credentials with
 * `client_assertion`, through MSAL's confidential client) for ARM, then Microsoft Graph and Key
 * Vault tokens (those two are optional, as in Atmos). Ambient: re-run on every authentication,
 * never cached.
 */
export async function authenticateAzureOidc(p: ProviderConfig, ctx: StepContext): Promise<AzureCredentials> {
  const spec = azureProviderSpec(p, ctx, { clientIdRequired: true });
  const { token, file } = await federatedToken(p, spec, ctx);
  const { ConfidentialClientApplication } = await import('@azure/msal-node');
  const app = new ConfidentialClientApplication({
    auth: { clientId: spec.clientId!, clientAssertion: token, ...msalAuthority(spec.cloud, spec.tenantId, ctx.env) },
    system: { networkClient: msalNetworkClient(ctx.httpsCa) },
  });
  const mint = async (scope: string): Promise<ScopedToken> => {
    const r = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
    if (!r?.accessToken || !r.expiresOn) throw new Error('the token endpoint answered without an access token');
    return { token: r.accessToken, expiresOn: r.expiresOn };
  };
  let management: ScopedToken;
  try {
    management = await mint(spec.cloud.managementScope);
  } catch (e) {
    throw azureFailure(p, ctx, `Entra ID refused the federated token (${msalErrorText(e)})`, `check ${p.path}.spec.client_id and tenant_id, and that the application has a federated credential for this token's issuer and subject`, e);
  }
  // Atmos: Graph and Key Vault are optional; a failure leaves them out.
  const [graph, keyVault] = await Promise.all([mint(spec.cloud.graphScope).catch(() => undefined), mint(spec.cloud.keyVaultScope).catch(() => undefined)]);
  return azureCredentials(p.name, {
    management,
    ...(graph ? { graph } : {}),
    ...(keyVault ? { keyVault } : {}),
    spec,
    authMethod: 'oidc',
    clientId: spec.clientId!,
    isServicePrincipal: true,
    federatedToken: token,
    ...(file ? { tokenFilePath: file } : {}),
  });
}

/** The `azure/oidc` provider kind. */
export const azureOidcProviderKind: ProviderKind = {
  kind: 'azure/oidc',
  ambient: true,
  validate: (p, report) => checkAzureProviderSpec(p, report, { clientIdRequired: true }),
  authenticate: authenticateAzureOidc,
};
