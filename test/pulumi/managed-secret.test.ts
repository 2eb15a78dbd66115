/**
 * ManagedSecret as a Pulumi program registers it (mock engine): the value is a secret input and
 * output, `additionalSecretOutputs` names it, and the serialized provider in the inputs holds no value.
 */
import * as pulumi from '@pulumi/pulumi';
import { randomUUID } from 'node:crypto';
import { ManagedSecret } from '../../pulumi/index';
import { useMocks, valueOf } from './pulumi-project';

const ENVELOPE_KEY = '4dabf18193072939515e22adb298388d';

function plainPlaces(value: unknown, needle: string, inSecret = false): boolean[] {
  if (typeof value === 'string') return value.includes(needle) ? [inSecret] : [];
  if (Array.isArray(value)) return value.flatMap((v) => plainPlaces(v, needle, inSecret));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const env = ENVELOPE_KEY in o;
    return Object.entries(o).flatMap(([k, v]) => plainPlaces(v, needle, inSecret || (env && k === 'value')));
  }
  return [];
}

describe('ManagedSecret registration (Pulumi mocks)', () => {
  it('registers a dynamic resource whose value is secret in, secret out, and absent from the provider', async () => {
    const registered = await useMocks('api', 'dev');
    const value = `managed-${randomUUID()}`;
    const ms = new ManagedSecret('db-password', { name: 'DB_PASSWORD', value }, { workspace: { cwd: '/nonexistent-atmos-project' } });
    expect(await pulumi.isSecret(ms.value)).toBe(true);
    expect(await valueOf(ms.stack)).toBe('dev');
    expect(await valueOf(ms.component)).toBe('api');
    expect(await valueOf(ms.value)).toBe(value);

    const r = registered.find((x) => x.name === 'db-password');
    expect(r?.type).toBe('pulumi-nodejs:dynamic:Resource');
    expect(r?.additionalSecretOutputs).toContain('value');
    const raw = r?.raw ?? {};
    expect((raw.value as Record<string, unknown>)[ENVELOPE_KEY]).toBeDefined();
    const places = plainPlaces(raw, value);
    expect(places).toEqual([true]);
    const provider = String(raw.__provider);
    expect(provider).toContain('managedSecretRuntime');
    expect(provider).toContain('nonexistent-atmos-project');
    expect(provider).not.toContain(value);
  });
});
