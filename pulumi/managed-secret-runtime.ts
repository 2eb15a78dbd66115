import { resolve as resolvePath } from 'node:path';
import { deleteSecret, Secret, setSecret, Workspace } from '../core/internal';
import { pulumiError } from './pulumi-error';

/**
 * Everything the ManagedSecret provider closure holds: where the Atmos project is, relative to
 * the program directory (so that state moves between a laptop and CI), and which module to load
 * at run time. Coordinates only — never a value, never a credential.
 */
export interface ManagedSecretCoordinates {
  /** Module that exports `managedSecretRuntime` (`infrakey/pulumi`, or this file's path in development). */
  runtime: string;
  /** atmos.yaml discovery folder, relative to the program directory. */
  cwd: string;
  profile?: string;
  /** Explicit atmos.yaml file or folder, relative to the program directory. */
  configPath?: string;
}

/** The declaration a ManagedSecret addresses. */
export interface ManagedSecretKey {
  name: string;
  stack: string;
  component: string;
}

/** What create/update report (names and places, never the value). */
export interface ManagedSecretWritten {
  id: string;
  backend: string;
  location: string;
  scope: string;
}

async function load(c: ManagedSecretCoordinates): Promise<Workspace> {
  const base = process.cwd();
  return Workspace.load({
    cwd: resolvePath(base, c.cwd),
    ...(c.profile !== undefined ? { profile: c.profile } : {}),
    ...(c.configPath !== undefined ? { configPath: resolvePath(base, c.configPath) } : {}),
  });
}

/**
 * What the ManagedSecret dynamic provider runs, in the Pulumi provider host (or a test): it loads
 * the workspace from the coordinates and writes or deletes through core's secret operations.
 * Errors carry the declaration's name and backend, never the value.
 */
export const managedSecretRuntime = {
  /** Writes `value` to the backend of the declaration `key`. */
  async write(c: ManagedSecretCoordinates, key: ManagedSecretKey, value: string): Promise<ManagedSecretWritten> {
    try {
      const ws = await load(c);
      const change = await setSecret(ws.secretsLayer(), { stack: key.stack, component: key.component }, key.name, Secret.of(value, key.name));
      return { id: `${key.stack}/${key.component}/${key.name}`, backend: change.backend, location: change.location, scope: change.scope };
    } catch (e) {
      throw pulumiError(`ManagedSecret ${JSON.stringify(key.name)} (stack "${key.stack}", component "${key.component}")`, e);
    }
  },

  /** Deletes the declaration's value (nothing to do when it is already gone). */
  async remove(c: ManagedSecretCoordinates, key: ManagedSecretKey): Promise<void> {
    try {
      const ws = await load(c);
      await deleteSecret(ws.secretsLayer(), { stack: key.stack, component: key.component }, key.name);
    } catch (e) {
      throw pulumiError(`ManagedSecret ${JSON.stringify(key.name)} (stack "${key.stack}", component "${key.component}")`, e);
    }
  },
};
