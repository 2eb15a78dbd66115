import { isFile, isDir } from '../fs/path-kind';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { ConfigError } from '../errors';
import { loadYamlFile, type LoadedYaml } from '../yaml/load-yaml';
import { resolveYamlFunctions, resolveYamlFunctionsSync, type ResolveOptions } from '../yaml/resolve-functions';
import type { AtmosConfig, StoreEntry } from './atmos-config';
import { configNotFound, discoverAtmosConfig } from './discovery';
import { isPlainObject, mergeConfig } from './merge-config';
import { checkAtmosConfig } from './schema';
import { xdgConfigHome } from './xdg';

/**
 * Loading atmos.yaml as Atmos does, in this order (lowest priority first):
 *
 * 1. Discovery (see `discovery.ts`): `ATMOS_CLI_CONFIG_PATH` → cwd and parents up to the git root →
 *    `~/.atmos/atmos.yaml` → `/usr/local/etc/atmos/atmos.yaml`. First match wins.
 * 2. `.atmos.d/**` and `atmos.d/**` (`*.yaml`, `*.yml`) next to the file, in path order.
 * 3. The file's `import:` list (paths or globs relative to the file's folder; recursive), in order.
 * 4. The file itself.
 * 5. Profiles (`opts.profile`, else `ATMOS_PROFILE`; comma-separated, applied left to right): every
 *    `*.yaml`/`*.yml` under `<profiles dir>/<name>/`, in path order. The profiles dir is
 *    `profiles.base_path` (relative to the config folder) if set, else the first of
 *    `<config dir>/profiles`, `<config dir>/.atmos/profiles`, `{XDG config}/atmos/profiles` that
 *    holds the profile.
 * 6. `!env`, `!exec` resolved (`!include` already at load); `!store`/`!secret` are left as nodes
 *    (Atmos does not evaluate them in atmos.yaml).
 * 7. `ATMOS_*` overrides: `ATMOS_BASE_PATH`, `ATMOS_STACKS_BASE_PATH`,
 *    `ATMOS_STACKS_INCLUDED_PATHS`/`ATMOS_STACKS_EXCLUDED_PATHS` (comma-separated),
 *    `ATMOS_STACKS_NAME_PATTERN`, `ATMOS_STACKS_NAME_TEMPLATE`, `ATMOS_COMPONENTS_<TYPE>_BASE_PATH`,
 *    `ATMOS_COMPONENTS_<TYPE>_COMMAND` (terraform, helmfile, packer),
 *    `ATMOS_LOGS_LEVEL`.
 * 8. Schema check: every problem at once in one `CONFIG_INVALID`.
 *
 * Maps merge deeply, lists and scalars are replaced (Viper). Keys keep their spelling here; Atmos
 * lower-cases them through Viper, which the auth module applies to identity/provider names.
 * `base_path` resolves against the config folder (`ATMOS_BASE_PATH` against the working directory);
 * `stacks.base_path` (default `stacks`) and `components.terraform.base_path` (default
 * `components/terraform`) resolve against the base path. `stacks.included_paths` defaults to `**\/*`.
 */

/** Options of {@link loadAtmosConfig}. */
export interface LoadAtmosConfigOptions {
  /** Working directory for discovery and relative env paths (default `process.cwd()`). */
  cwd?: string;
  /** `--profile`: one name or a comma-separated list. Overrides `ATMOS_PROFILE`. */
  profile?: string;
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** `--config`: an explicit atmos.yaml file or folder; beats discovery and ATMOS_CLI_CONFIG_PATH. */
  configPath?: string;
  /** Use built-in defaults (dir = cwd) instead of failing when no atmos.yaml is found. */
  allowMissing?: boolean;
  /** Time limit for each `!exec` in atmos.yaml (default 60 s). */
  execTimeoutMs?: number;
}

interface Layer {
  file: string;
  loaded: LoadedYaml;
}

const ENV_OVERRIDES: readonly { name: string; path: string[]; list?: boolean }[] = [
  { name: 'ATMOS_BASE_PATH', path: ['base_path'] },
  { name: 'ATMOS_STACKS_BASE_PATH', path: ['stacks', 'base_path'] },
  { name: 'ATMOS_STACKS_INCLUDED_PATHS', path: ['stacks', 'included_paths'], list: true },
  { name: 'ATMOS_STACKS_EXCLUDED_PATHS', path: ['stacks', 'excluded_paths'], list: true },
  { name: 'ATMOS_STACKS_NAME_PATTERN', path: ['stacks', 'name_pattern'] },
  { name: 'ATMOS_STACKS_NAME_TEMPLATE', path: ['stacks', 'name_template'] },
  { name: 'ATMOS_COMPONENTS_TERRAFORM_BASE_PATH', path: ['components', 'terraform', 'base_path'] },
  { name: 'ATMOS_COMPONENTS_TERRAFORM_COMMAND', path: ['components', 'terraform', 'command'] },
  { name: 'ATMOS_COMPONENTS_HELMFILE_BASE_PATH', path: ['components', 'helmfile', 'base_path'] },
  { name: 'ATMOS_COMPONENTS_HELMFILE_COMMAND', path: ['components', 'helmfile', 'command'] },
  { name: 'ATMOS_COMPONENTS_PACKER_BASE_PATH', path: ['components', 'packer', 'base_path'] },
  { name: 'ATMOS_COMPONENTS_PACKER_COMMAND', path: ['components', 'packer', 'command'] },
  { name: 'ATMOS_LOGS_LEVEL', path: ['logs', 'level'] },
];

/** Loads the effective atmos.yaml. See the module comment for the order of sources. */
export async function loadAtmosConfig(opts: LoadAtmosConfigOptions = {}): Promise<AtmosConfig> {
  const steps = configSteps(opts);
  let step = steps.next();
  while (!step.done) {
    const q = step.value;
    step = steps.next(await resolveYamlFunctions(q.value, {}, q.opts));
  }
  return step.value;
}

/**
 * {@link loadAtmosConfig} without waiting (reading atmos.yaml needs no network; `!exec` runs with
 * `spawnSync`): for the CDKTF constructs, which load the project inside a constructor.
 */
export function loadAtmosConfigSync(opts: LoadAtmosConfigOptions = {}): AtmosConfig {
  const steps = configSteps(opts);
  let step = steps.next();
  while (!step.done) step = steps.next(resolveYamlFunctionsSync(step.value.value, {}, step.value.opts));
  return step.value;
}

/** The one asynchronous step of loading: the YAML-function pass, yielded to the caller. */
interface FunctionPass {
  value: unknown;
  opts: ResolveOptions;
}

function* configSteps(opts: LoadAtmosConfigOptions): Generator<FunctionPass, AtmosConfig, unknown> {
  const env = opts.env ?? process.env;
  const cwd = resolve(opts.cwd ?? process.cwd());

  let file: string | undefined;
  if (opts.configPath) {
    const d = discoverAtmosConfig({ cwd, env: { ...env, ATMOS_CLI_CONFIG_PATH: opts.configPath } });
    if (!d.file) {
      throw new ConfigError({
        code: 'CONFIG_NOT_FOUND',
        message: `no atmos.yaml at ${opts.configPath} (looked at ${d.looked.join(', ')})`,
        where: '--config',
        fix: 'pass the folder that holds atmos.yaml, or the file itself',
      });
    }
    file = d.file;
  } else {
    const d = discoverAtmosConfig({ cwd, env });
    if (!d.file && (!opts.allowMissing || env.ATMOS_CLI_CONFIG_PATH)) throw configNotFound(d, env);
    file = d.file;
  }
  const dir = file ? dirname(file) : cwd;
  const loadOpts = { errorKind: 'config' as const, includeBase: dir, includeCache: new Map<string, unknown>() };

  const layers: Layer[] = [];
  if (file) {
    for (const f of globSorted(dir, ['.atmos.d/**/*.{yaml,yml}', 'atmos.d/**/*.{yaml,yml}'])) {
      layers.push({ file: f, loaded: loadYamlFile(f, loadOpts) });
    }
    const main = loadYamlFile(file, loadOpts);
    checkTopLevel(main, file);
    collectImports(main, file, loadOpts, layers, new Set([file]));
    layers.push({ file, loaded: main });
  }

  let merged: unknown = {};
  for (const l of layers) merged = mergeConfig(merged, topLevelObject(l.loaded));

  const profiles = splitList(opts.profile ?? env.ATMOS_PROFILE ?? '');
  for (const name of profiles) {
    for (const f of profileFiles(name, merged, dir, env, cwd)) {
      const loaded = loadYamlFile(f, loadOpts);
      checkTopLevel(loaded, f);
      layers.push({ file: f, loaded });
      merged = mergeConfig(merged, topLevelObject(loaded));
    }
  }

  let raw = (yield {
    value: merged,
    opts: { env, cwd, unhandled: 'keep', execTimeoutMs: opts.execTimeoutMs },
  }) as Record<string, unknown>;

  const overridden = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const v = env[o.name];
    if (v === undefined || v === '') continue;
    raw = setPath(raw, o.path, o.list ? splitList(v) : v);
    overridden.set(o.path.join('.'), o.name);
  }

  const locate = makeLocate(layers, overridden, dir, file);
  const problems = checkAtmosConfig(raw);
  if (problems.length > 0) {
    const located = problems
      .map((p) => ({ path: p.path.join('.'), message: p.message, where: locate(p.path.join('.')) }))
      .sort((a, b) => compareWhere(a.where, b.where));
    throw new ConfigError({
      code: 'CONFIG_INVALID',
      message: `invalid configuration: ${problems.length} problem(s)`,
      where: file ? displayPath(file, dir, cwd) : undefined,
      fix: 'correct each setting listed above',
      problems: located.map(
        (p) => new ConfigError({ code: 'CONFIG_INVALID', message: `${p.path || '(top level)'}: ${p.message}`, where: p.where }),
      ),
    });
  }

  const basePathRaw = str(raw.base_path);
  const basePath = overridden.has('base_path')
    ? resolve(cwd, basePathRaw ?? '.')
    : resolve(dir, basePathRaw && basePathRaw !== '' ? basePathRaw : '.');
  const stacksRaw = obj(raw.stacks);
  const tfRaw = obj(obj(raw.components).terraform);

  return {
    raw,
    file,
    files: layers.map((l) => l.file),
    dir,
    basePath,
    stacks: {
      basePath: resolve(basePath, str(stacksRaw.base_path) ?? 'stacks'),
      includedPaths: strList(stacksRaw.included_paths) ?? ['**/*'],
      excludedPaths: strList(stacksRaw.excluded_paths) ?? [],
      nameTemplate: nonEmpty(str(stacksRaw.name_template)),
      namePattern: nonEmpty(str(stacksRaw.name_pattern)),
    },
    components: { terraform: { basePath: resolve(basePath, str(tfRaw.base_path) ?? 'components/terraform') } },
    profile: profiles.length > 0 ? profiles.join(',') : undefined,
    profiles,
    logsLevel: str(obj(raw.logs).level),
    auth: obj(raw.auth),
    stores: obj(raw.stores) as Record<string, StoreEntry>,
    secrets: obj(raw.secrets),
    settings: obj(raw.settings),
    locate,
  };
}

function checkTopLevel(loaded: LoadedYaml, file: string): void {
  const v = loaded.value;
  if (v === null || v === undefined || isPlainObject(v)) return;
  throw new ConfigError({
    code: 'CONFIG_INVALID',
    message: 'the file must hold a map of settings at the top level',
    where: loaded.locate([]) ?? file,
    fix: 'write settings as `key: value` pairs (e.g. `base_path: .`)',
  });
}

function topLevelObject(loaded: LoadedYaml): Record<string, unknown> {
  return isPlainObject(loaded.value) ? loaded.value : {};
}

const REMOTE_RE = /^(https?:\/\/|github:\/\/|git::|s3::|gcs::|file:\/\/|github\.com\/|git@)/i;

function collectImports(
  loaded: LoadedYaml,
  file: string,
  loadOpts: { errorKind: 'config'; includeBase: string; includeCache: Map<string, unknown> },
  layers: Layer[],
  seen: Set<string>,
): void {
  const v = topLevelObject(loaded).import;
  if (v === undefined || v === null) return;
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list) return; // the schema reports the wrong type
  const here = dirname(file);
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const where = loaded.locate(typeof v === 'string' ? ['import'] : ['import', i]) ?? file;
    if (REMOTE_RE.test(entry)) {
      throw new ConfigError({
        code: 'CONFIG_IMPORT_REMOTE',
        message: `remote config imports are not supported: ${entry}`,
        where,
        fix: 'vendor the file into the repository and import it by a local path',
      });
    }
    const dynamic = /[*?[{]/.test(entry);
    let files: string[];
    if (dynamic) {
      files = globSorted(here, [entry]).filter((f) => /\.ya?ml$/i.test(f));
    } else {
      const abs = isAbsolute(entry) ? entry : resolve(here, entry);
      const candidates = /\.ya?ml$/i.test(abs) ? [abs] : [abs, `${abs}.yaml`, `${abs}.yml`];
      const found = candidates.find(isFile);
      if (!found) {
        throw new ConfigError({
          code: 'CONFIG_IMPORT_NOT_FOUND',
          message: `imported config file not found: ${entry}`,
          where,
          fix: 'create the file or fix the path (relative paths are relative to the importing file)',
        });
      }
      files = [found];
    }
    for (const f of files) {
      if (seen.has(f)) continue;
      seen.add(f);
      const sub = loadYamlFile(f, loadOpts);
      checkTopLevel(sub, f);
      collectImports(sub, f, loadOpts, layers, seen);
      layers.push({ file: f, loaded: sub });
    }
  });
}

function profileFiles(name: string, merged: unknown, dir: string, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const configured = str(obj(obj(merged).profiles).base_path);
  const roots = configured
    ? [resolve(dir, configured)]
    : [join(dir, 'profiles'), join(dir, '.atmos', 'profiles'), join(xdgConfigHome(env), 'profiles')];
  if (/[/\\]|^\.\.?$/.test(name)) {
    throw new ConfigError({
      code: 'CONFIG_PROFILE_NOT_FOUND',
      message: `invalid profile name ${JSON.stringify(name)}`,
      where: 'ATMOS_PROFILE / --profile',
      fix: 'give the name of a folder under the profiles folder, without slashes',
    });
  }
  for (const root of roots) {
    const pdir = join(root, name);
    if (isDir(pdir)) return globSorted(pdir, ['**/*.{yaml,yml}']);
  }
  const available = new Set<string>();
  for (const root of roots) {
    for (const d of listDirs(root)) available.add(d);
  }
  throw new ConfigError({
    code: 'CONFIG_PROFILE_NOT_FOUND',
    message: `profile ${JSON.stringify(name)} not found (looked in ${roots.map((r) => displayPath(r, dir, cwd)).join(', ')})`,
    where: 'ATMOS_PROFILE / --profile',
    fix:
      available.size > 0
        ? `use one of the available profiles: ${[...available].sort().join(', ')}`
        : `create ${displayPath(join(roots[0], name), dir, cwd)}/ with YAML files, or unset ATMOS_PROFILE`,
  });
}

function listDirs(root: string): string[] {
  try {
    return globSync('*', { cwd: root, onlyDirectories: true, deep: 1 }).map((d) => d.replace(/[/\\]$/, ''));
  } catch {
    return [];
  }
}

function globSorted(cwd: string, patterns: string[]): string[] {
  if (!isDir(cwd)) return [];
  return globSync(patterns, { cwd, absolute: true, dot: true, onlyFiles: true })
    .map((f) => resolve(f))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function makeLocate(layers: Layer[], overridden: Map<string, string>, dir: string, file: string | undefined): (p: string) => string {
  return (configPath: string): string => {
    const segs = configPath === '' ? [] : configPath.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    for (const [path, envName] of overridden) {
      if (configPath === path || configPath.startsWith(path + '.')) return `${envName} (environment)`;
    }
    for (let i = layers.length - 1; i >= 0; i--) {
      const loc = layers[i].loaded.locate(segs);
      if (loc) return fmt(loc.file, loc.line, dir);
    }
    // Not written anywhere (e.g. a missing required key): point at the nearest parent.
    for (let i = layers.length - 1; i >= 0; i--) {
      const top = segs.length > 0 ? layers[i].loaded.locate(segs.slice(0, 1)) : undefined;
      if (top) {
        const loc = layers[i].loaded.locate(segs, { nearest: true }) ?? top;
        return fmt(loc.file, loc.line, dir);
      }
    }
    return file ? fmt(file, undefined, dir) : configPath;
  };
}

/** Orders `file:line` strings by file, then numerically by line. */
function compareWhere(a: string, b: string): number {
  const ma = /^(.*):(\d+)$/.exec(a);
  const mb = /^(.*):(\d+)$/.exec(b);
  const fa = ma ? ma[1] : a;
  const fb = mb ? mb[1] : b;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (ma ? Number(ma[2]) : 0) - (mb ? Number(mb[2]) : 0);
}

function fmt(f: string, line: number | undefined, dir: string): string {
  const rel = relative(dir, f);
  const shown = rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel) ? f : rel;
  return line !== undefined ? `${shown}:${line}` : shown;
}

function displayPath(p: string, _dir: string, cwd: string): string {
  const rel = relative(cwd, p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

function setPath(root: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const out: Record<string, unknown> = { ...root };
  out[head] = rest.length === 0 ? value : setPath(isPlainObject(root[head]) ? (root[head] as Record<string, unknown>) : {}, rest, value);
  return out;
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function obj(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}


