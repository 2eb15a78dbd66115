/**
 * The two engines under test, loaded the way an app loads them. Each entry gives the engine's
 * root module and the deep-imported resource classes the tests use as "user" resources.
 */
import type * as Cdktf from 'cdktf';
import type { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';

export interface TestEngine {
  readonly name: 'cdktf' | 'cdktn';
  readonly lib: typeof Cdktf;
  readonly SsmParameter: typeof SsmParameter;
}

/* eslint-disable @typescript-eslint/no-require-imports -- the engines are loaded by name on purpose */
export const ENGINES: readonly TestEngine[] = [
  {
    name: 'cdktf',
    lib: require('cdktf') as typeof Cdktf,
    SsmParameter: (require('@cdktf/provider-aws/lib/ssm-parameter') as { SsmParameter: typeof SsmParameter }).SsmParameter,
  },
  {
    name: 'cdktn',
    lib: require('cdktn') as typeof Cdktf,
    SsmParameter: (require('@cdktn/provider-aws/lib/ssm-parameter') as { SsmParameter: typeof SsmParameter }).SsmParameter,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The parsed synthesized document of a stack. */
export type TfJson = {
  data?: Record<string, Record<string, Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Record<string, unknown>[]>;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, Record<string, unknown>>;
};
