// Setup of the fast tier (jest.unit.config.js): no service is reachable, so a test that needs
// moto, redis, the Vault dev server or the Secret Service fails with the message of test/support/services.ts (or the
// keyring's "not available" error) instead of passing only on machines that run them.
for (const name of ['INFRAKEY_TEST_MOTO_ENDPOINT', 'INFRAKEY_TEST_REDIS_URL', 'INFRAKEY_TEST_VAULT_ADDR', 'INFRAKEY_TEST_VAULT_TOKEN', 'DBUS_SESSION_BUS_ADDRESS', 'AWS_ENDPOINT_URL']) delete process.env[name];
