import { buildStoreRegistry, type StoreRegistryOptions } from '../../../core/stores/store-registry';

/** Static test credentials for moto (it accepts any). */
export const motoCredentials = () => async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' });

/** Counts AWS SDK commands by name, through SDK middleware on every client the stores create. */
export function callCounter(): { calls: string[]; onAwsClient: NonNullable<StoreRegistryOptions['onAwsClient']> } {
  const calls: string[] = [];
  return {
    calls,
    onAwsClient: (client) => {
      const c = client as { middlewareStack: { add(mw: unknown, opts: unknown): void } };
      c.middlewareStack.add(
        (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          calls.push(context.commandName ?? '?');
          return next(args);
        },
        { step: 'initialize', name: 'infrakeyTestCallCounter' },
      );
    },
  };
}

/** A unique prefix per test run so runs against one moto never see each other's data. */
export function uniquePrefix(name: string): string {
  return `${name}-${process.pid}-${Date.now().toString(36)}`;
}

export { buildStoreRegistry };
