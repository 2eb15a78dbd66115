import type { AuthManager } from './auth-manager';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { endpointFor } from './aws-sdk';
import { eksToken } from './kinds/aws-eks';
import { unsafeUnwrap } from '../secret';

/**
 * `infrakey aws eks token` (Atmos `atmos aws eks token`, the command the aws/eks kubeconfig runs):
 * the Kubernetes `ExecCredential` JSON with an EKS token minted from the identity's session (the
 * cached one, else a login). Its stdout is read by kubectl; the token is never logged.
 */
export async function eksExecCredential(manager: AuthManager, identity: string, cluster: string, region: string): Promise<string> {
  const chain = manager.chain(identity);
  const creds = (await manager.cachedCredentials(identity)) ?? (await manager.authenticate(identity, { integrations: false })).credentials;
  if (creds.type !== 'aws') {
    throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${chain.target.name}" does not produce AWS credentials, which an EKS token needs`, manager.where(chain.target.path), 'use an aws/* identity');
  }
  const { token, expiresAt } = await eksToken(creds, cluster, region, endpointFor(chain, chain.identities.length - 1, 'sts', manager.env));
  return JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    spec: {},
    status: { expirationTimestamp: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), token: unsafeUnwrap(token) },
  });
}
