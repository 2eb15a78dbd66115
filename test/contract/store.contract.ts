/**
 * The store contract (store-contract.ts) over the backends that need a server: moto (SSM,
 * Secrets Manager) and redis-server. Endpoints are read when each backend's suite starts.
 */
import { motoEndpoint, redisUrl } from '../support/services';
import { describeStoreContract, run, strip } from './store-contract';

describeStoreContract([
  {
    name: 'ssm',
    config: () => ({ kind: 'aws/ssm', options: { region: 'us-east-1', prefix: `/infrakey/${run}`, endpoint_url: motoEndpoint() } }),
    typedScalars: true,
    rawKeyFor: strip(`/infrakey/${run}`),
    jsonTextDecodes: false,
    // Standard tier: 4096 bytes, JSON-quoted.
    maxStringChars: 4094,
  },
  {
    name: 'ssm-secret',
    config: () => ({ kind: 'aws/ssm', secret: true, options: { region: 'us-east-1', prefix: `/infrakey/${run}/s`, endpoint: motoEndpoint() } }),
    typedScalars: false,
    rawKeyFor: strip(`/infrakey/${run}/s`),
    jsonTextDecodes: true,
    // A SecureString string is stored raw.
    maxStringChars: 4096,
  },
  {
    name: 'ssm-advanced',
    config: () => ({ kind: 'aws/ssm', secret: true, options: { region: 'us-east-1', prefix: `/infrakey/${run}/a`, endpoint: motoEndpoint(), tier: 'Advanced' } }),
    typedScalars: false,
    rawKeyFor: strip(`/infrakey/${run}/a`),
    jsonTextDecodes: true,
    maxStringChars: 8192,
  },
  {
    name: 'asm',
    config: () => ({ kind: 'aws/asm', secret: true, options: { region: 'us-east-1', prefix: `infrakey/${run}`, endpoint_url: motoEndpoint() } }),
    typedScalars: true,
    rawKeyFor: strip(`infrakey/${run}`),
    jsonTextDecodes: true,
    // SecretString: 65536 bytes, JSON-quoted.
    maxStringChars: 65_534,
  },
  {
    name: 'redis',
    config: () => ({ kind: 'redis', options: { url: redisUrl(), prefix: `infrakey/${run}` } }),
    typedScalars: true,
    // Atmos quirk: redis GetKey joins prefix and key with ":", so no raw key reaches a composed path.
    rawKeyFor: () => undefined,
    jsonTextDecodes: false,
  },
]);
