import { createRequire } from 'node:module';
import { UsageError } from '../core/index';

const load = createRequire(__filename);

/**
 * Deep-imports `specifier` from an optional peer package (`@pulumi/azure-native/provider`,
 * `@pulumi/gcp/provider`) on first use. A missing package is the UsageError `missing` describes;
 * any other failure of the module is passed on as it is.
 */
export function requireOptionalPeer<T>(specifier: string, missing: { code: string; message: string; where: string; fix: string }): T {
  try {
    return load(specifier) as T;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw e;
    throw new UsageError({ ...missing, cause: e });
  }
}
