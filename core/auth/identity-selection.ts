import type { AuthConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError, locateWhere } from './auth-errors';

/** Values that turn auth off (`--identity=false`, `ATMOS_IDENTITY=off`), case-insensitive. */
export function isDisabledValue(value: string | undefined): boolean {
  return value !== undefined && ['false', '0', 'no', 'off'].includes(value.trim().toLowerCase());
}

/** The outcome of choosing an identity. */
export type IdentitySelection =
  | { readonly kind: 'identity'; readonly name: string; readonly source: 'flag' | 'env' | 'default' }
  | { readonly kind: 'disabled'; readonly source: 'flag' | 'env' }
  | { readonly kind: 'none' };

/**
 * Which identity a command uses (§1.8): `--identity`, then `ATMOS_IDENTITY`, then the single
 * identity with `default: true`. A false-ish value disables auth. Several defaults are an error
 * (`AUTH_DEFAULT_MULTIPLE`); none gives `{kind: 'none'}` and the caller decides.
 */
export function selectIdentity(config: AuthConfig, opts: { flag?: string; env: NodeJS.ProcessEnv }): IdentitySelection {
  const flag = opts.flag?.trim();
  if (flag) {
    if (isDisabledValue(flag)) return { kind: 'disabled', source: 'flag' };
    return { kind: 'identity', name: flag.toLowerCase(), source: 'flag' };
  }
  const fromEnv = opts.env.ATMOS_IDENTITY?.trim();
  if (fromEnv) {
    if (isDisabledValue(fromEnv)) return { kind: 'disabled', source: 'env' };
    return { kind: 'identity', name: fromEnv.toLowerCase(), source: 'env' };
  }
  const name = defaultIdentity(config);
  return name ? { kind: 'identity', name, source: 'default' } : { kind: 'none' };
}

/** The one identity with `default: true`; undefined when none; an error when several. */
export function defaultIdentity(config: AuthConfig): string | undefined {
  const defaults = [...config.identities.values()].filter((i) => i.default);
  if (defaults.length > 1) {
    throw authError(
      AUTH_ERROR_CODES.DEFAULT_MULTIPLE,
      `multiple default identities found: [${defaults.map((d) => d.name).join(' ')}]`,
      locateWhere(`${defaults[1].path}.default`, config.locate),
      `keep default: true on one identity, or choose one with --identity NAME or ATMOS_IDENTITY`,
    );
  }
  return defaults[0]?.name;
}

/** The error for "no identity given and no default". */
export function noDefaultIdentityError(config: AuthConfig): Error {
  return authError(
    AUTH_ERROR_CODES.NO_DEFAULT,
    'no default identity configured for authentication',
    locateWhere('auth.identities', config.locate),
    `pass --identity NAME (or set ATMOS_IDENTITY), or mark one identity with default: true; identities: ${[...config.identities.keys()].join(', ') || '(none)'}`,
  );
}
