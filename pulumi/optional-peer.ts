import { createRequire } from 'node:module';
import { UsageError } from '../core/index';
import { pulumiError } from './pulumi-error';

const load = createRequire(__filename);

/**
 * Deep-imports `module` of the optional peer package `pkg` (`@pulumi/gcp` + `/provider`) on first
 * use, for the adapter function `caller`. A missing package is PULUMI_PEER_MISSING as the Pulumi
 * error {@link pulumiError} makes; any other failure of the module is passed on as it is.
 */
export function requireOptionalPeer<T>(pkg: string, module: string, caller: string): T {
  try {
    return load(`${pkg}${module}`) as T;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw e;
    const missing = new UsageError({ code: 'PULUMI_PEER_MISSING', message: `${caller} needs the package ${pkg}, which is not installed`, where: caller, fix: `npm install ${pkg}`, cause: e });
    throw pulumiError(caller, missing);
  }
}
