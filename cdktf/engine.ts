/**
 * Which CDK engine a construct tree belongs to: CDK for Terraform (`cdktf`, archived upstream in
 * December 2025) or its maintained fork CDK Terrain (`cdktn`). Both share one code path here: the
 * engine is read from the jsii type information of the tree's own classes (`cdktf.App` vs
 * `cdktn.App`), never guessed from what happens to be installed when the tree says it, and the
 * matching packages are loaded on first use. Provider classes are deep-imported one file each:
 * the provider package's root module costs about 2 s and 0.5 GB.
 */
import { createRequire } from 'node:module';
import type { IConstruct } from 'constructs';
import type * as Cdktf from 'cdktf';
import type * as AwsProviderModule from '@cdktf/provider-aws/lib/provider';
import type * as SsmParameterModule from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import type * as SecretVersionModule from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import type * as CallerIdentityModule from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type * as PartitionModule from '@cdktf/provider-aws/lib/data-aws-partition';
import type * as RegionModule from '@cdktf/provider-aws/lib/data-aws-region';
import type * as AzurermProviderModule from '@cdktf/provider-azurerm/lib/provider';
import type * as GoogleProviderModule from '@cdktf/provider-google/lib/provider';
import { UsageError } from '../core/index';
import { CDKTF_ERROR_CODES } from './cdktf-errors';
import { engineOfClass, type EngineName } from './engine-class';

/**
 * The engine's API. Typed with cdktf's declarations: cdktn is a fork with the same shapes, and
 * nothing of these types leaks into infrakey's public signatures.
 */
export interface Engine {
  readonly name: EngineName;
  /** The engine's root module (`cdktf` or `cdktn`). */
  readonly lib: typeof Cdktf;
  /** `<provider-aws>/lib/provider`. */
  awsProvider(): typeof AwsProviderModule;
  /** `<provider-aws>/lib/data-aws-ssm-parameter`. */
  ssmParameter(): typeof SsmParameterModule;
  /** `<provider-aws>/lib/data-aws-secretsmanager-secret-version`. */
  secretVersion(): typeof SecretVersionModule;
  /** `<provider-aws>/lib/data-aws-caller-identity` (ephemeral SSM parameters need the account in their ARN). */
  callerIdentity(): typeof CallerIdentityModule;
  /** `<provider-aws>/lib/data-aws-partition`. */
  partition(): typeof PartitionModule;
  /** `<provider-aws>/lib/data-aws-region`. */
  region(): typeof RegionModule;
  /** `<provider-azurerm>/lib/provider` (an optional peer: loaded only by IdentityAzurermProvider). */
  azurermProvider(): typeof AzurermProviderModule;
  /** `<provider-google>/lib/provider` (an optional peer: only IdentityGoogleProvider needs it). */
  googleProvider(): typeof GoogleProviderModule;
}

const PACKAGES: Record<EngineName, { lib: string; aws: string; azurerm: string; google: string }> = {
  cdktf: { lib: 'cdktf', aws: '@cdktf/provider-aws', azurerm: '@cdktf/provider-azurerm', google: '@cdktf/provider-google' },
  // No prebuilt Google provider for cdktn is published yet; the name is where it would be.
  cdktn: { lib: 'cdktn', aws: '@cdktn/provider-aws', azurerm: '@cdktn/provider-azurerm', google: '@cdktn/provider-google' },
};

const load = createRequire(__filename);
const engines = new Map<EngineName, Engine>();

/**
 * The engine of `scope`: the first construct on the path from the root whose class (or a base
 * class) carries a `cdktf.*` or `cdktn.*` jsii name. A tree without one (a bare `Construct` root)
 * uses whichever engine is installed, and is an error when both are.
 */
export function engineOf(scope: IConstruct): Engine {
  for (const c of scope.node.scopes) {
    const name = engineOfClass(c);
    if (name) return loadEngine(name, scope);
  }
  const installed = (Object.keys(PACKAGES) as EngineName[]).filter((n) => resolvable(PACKAGES[n].lib));
  if (installed.length === 1) return loadEngine(installed[0], scope);
  throw new UsageError({
    code: CDKTF_ERROR_CODES.ENGINE_UNKNOWN,
    message: installed.length === 0 ? 'neither cdktf nor cdktn is installed' : `construct "${scope.node.path}" is not inside a cdktf or cdktn App, and both engines are installed`,
    where: scope.node.path || '(root construct)',
    fix: installed.length === 0 ? 'npm install cdktf @cdktf/provider-aws (or cdktn @cdktn/provider-aws)' : 'create the construct under an App/TerraformStack of your engine',
  });
}

function resolvable(pkg: string): boolean {
  try {
    load.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function loadEngine(name: EngineName, scope: IConstruct): Engine {
  let engine = engines.get(name);
  if (!engine) {
    const pkgs = PACKAGES[name];
    const lib = required<typeof Cdktf>(pkgs.lib, pkgs.lib, pkgs.aws, scope);
    const lazy = <T>(sub: string, pkg = pkgs.aws): (() => T) => {
      let mod: T | undefined;
      return () => (mod ??= required<T>(`${pkg}/lib/${sub}`, pkgs.lib, pkg, scope));
    };
    engine = {
      name,
      lib,
      awsProvider: lazy('provider'),
      ssmParameter: lazy('data-aws-ssm-parameter'),
      secretVersion: lazy('data-aws-secretsmanager-secret-version'),
      callerIdentity: lazy('data-aws-caller-identity'),
      partition: lazy('data-aws-partition'),
      region: lazy('data-aws-region'),
      azurermProvider: lazy('provider', pkgs.azurerm),
      googleProvider: lazy('provider', pkgs.google),
    };
    engines.set(name, engine);
  }
  return engine;
}

function required<T>(id: string, engineLib: string, pkg: string, scope: IConstruct): T {
  try {
    return load(id) as T;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw e;
    throw new UsageError({
      code: CDKTF_ERROR_CODES.ENGINE_MISSING,
      message: `cannot load ${id}: the app uses ${engineLib}, and infrakey/cdktf needs ${engineLib} and ${pkg} next to it`,
      where: scope.node.path || '(root construct)',
      fix: `npm install ${engineLib} ${pkg}`,
      cause: e,
    });
  }
}
