/**
 * Endpoints of the real services started by scripts/services.sh (sourced by scripts/test.sh).
 * A test that needs a service fails with a clear message when it is missing: it never skips.
 */
export function motoEndpoint(): string {
  return required('INFRAKEY_TEST_MOTO_ENDPOINT', 'moto');
}

export function redisUrl(): string {
  return required('INFRAKEY_TEST_REDIS_URL', 'redis-server');
}

/** The Vault dev server's address (scripts/services.sh builds nothing: scripts/build-engines.sh vault does). */
export function vaultAddr(): string {
  return required('INFRAKEY_TEST_VAULT_ADDR', 'the Vault dev server (.cache/engines/bin/vault, built by scripts/build-engines.sh vault)');
}

/** The Vault dev server's root token (a fresh random one per `services.sh start`). */
export function vaultToken(): string {
  return required('INFRAKEY_TEST_VAULT_TOKEN', 'the Vault dev server (.cache/engines/bin/vault, built by scripts/build-engines.sh vault)');
}

function required(name: string, service: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: this test needs ${service}. Run it through ./scripts/test.sh, or start the services with scripts/services.sh start and source .cache/services/env.`);
  }
  return value;
}
