import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../core/errors';
import { loadAtmosConfig, loadAtmosConfigSync } from '../../../core/config/load-config';
import { discoverAtmosConfig } from '../../../core/config/discovery';
import { YamlFunction } from '../../../core/yaml/yaml-function';
import { rejection } from '../../support/errors';

let root: string;
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'infrakey-config-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder with the given files; also a fake HOME so the real one is never read. */
function repo(files: Record<string, string>): { dir: string; home: string } {
  const dir = join(root, `r${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  }
  const home = join(dir, '__home');
  mkdirSync(home, { recursive: true });
  return { dir, home };
}


describe('discovery', () => {
  it('ATMOS_CLI_CONFIG_PATH (a folder or a file) beats the working directory', async () => {
    const { dir, home } = repo({ 'atmos.yaml': 'base_path: cwd\n', 'elsewhere/atmos.yaml': 'base_path: env\n', 'file/custom.yaml': 'base_path: file\n' });
    expect((await loadAtmosConfig({ cwd: dir, env: { HOME: home, ATMOS_CLI_CONFIG_PATH: join(dir, 'elsewhere') } })).raw.base_path).toBe('env');
    const c = await loadAtmosConfig({ cwd: dir, env: { HOME: home, ATMOS_CLI_CONFIG_PATH: 'file/custom.yaml' } });
    expect(c.file).toBe(join(dir, 'file/custom.yaml'));
    expect(c.dir).toBe(join(dir, 'file'));
  });

  it('ATMOS_CLI_CONFIG_PATH pointing at nothing is CONFIG_NOT_FOUND (no silent fallback)', async () => {
    const { dir, home } = repo({ 'atmos.yaml': 'base_path: cwd\n' });
    const e = await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home, ATMOS_CLI_CONFIG_PATH: join(dir, 'nope') } }));
    expect(e.code).toBe('CONFIG_NOT_FOUND');
    expect(e.where).toBe('ATMOS_CLI_CONFIG_PATH');
    expect(e.message).toContain(join(dir, 'nope'));
  });

  it('the working directory, then parents up to the git root; .atmos.yaml also counts', async () => {
    const { dir, home } = repo({
      'atmos.yaml': 'base_path: outside-repo\n',
      'repo/.git/HEAD': 'ref: x\n',
      'repo/.atmos.yaml': 'base_path: repo-root\n',
      'repo/a/b/.keep': '',
      'repo/sub/atmos.yaml': 'base_path: sub\n',
      'repo/sub/deeper/.keep': '',
    });
    const env = { HOME: home };
    expect((await loadAtmosConfig({ cwd: join(dir, 'repo/sub'), env })).raw.base_path).toBe('sub');
    expect((await loadAtmosConfig({ cwd: join(dir, 'repo/sub/deeper'), env })).raw.base_path).toBe('sub');
    expect((await loadAtmosConfig({ cwd: join(dir, 'repo/a/b'), env })).raw.base_path).toBe('repo-root');
    const d = discoverAtmosConfig({ cwd: join(dir, 'repo/a/b'), env });
    expect(d.via).toBe('parent');
  });

  it('the walk stops at the git root; then ~/.atmos/atmos.yaml', async () => {
    const { dir, home } = repo({ 'atmos.yaml': 'base_path: above-git-root\n', 'repo/.git/HEAD': '', 'repo/x/.keep': '' });
    mkdirSync(join(home, '.atmos'), { recursive: true });
    writeFileSync(join(home, '.atmos/atmos.yaml'), 'base_path: home\n');
    const c = await loadAtmosConfig({ cwd: join(dir, 'repo/x'), env: { HOME: home } });
    expect(c.raw.base_path).toBe('home');
    expect(c.file).toBe(join(home, '.atmos/atmos.yaml'));
  });

  it('nothing found → CONFIG_NOT_FOUND saying where it looked and how to point at one', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'x/.keep': '' });
    const e = await rejection(loadAtmosConfig({ cwd: join(dir, 'x'), env: { HOME: home } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('CONFIG_NOT_FOUND');
    expect(e.message).toContain(join(dir, 'x', 'atmos.yaml'));
    expect(e.message).toContain(join(home, '.atmos', 'atmos.yaml'));
    expect(e.fix).toContain('ATMOS_CLI_CONFIG_PATH');
  });

  it('allowMissing gives defaults rooted at the working directory', async () => {
    const { dir, home } = repo({ '.git/HEAD': '' });
    const c = await loadAtmosConfig({ cwd: dir, env: { HOME: home }, allowMissing: true });
    expect(c.file).toBeUndefined();
    expect(c.basePath).toBe(dir);
    expect(c.stacks.basePath).toBe(join(dir, 'stacks'));
  });
});

describe('paths and ATMOS_* overrides', () => {
  const yaml = [
    'base_path: ./infra',
    'stacks:',
    '  base_path: stacks',
    '  included_paths: ["orgs/**/*"]',
    '  excluded_paths: ["**/_defaults.yaml"]',
    '  name_pattern: "{tenant}-{stage}"',
    'components:',
    '  terraform:',
    '    base_path: components/terraform',
    'logs:',
    '  level: Info',
  ].join('\n');

  it('resolves base_path against the config folder and section paths against the base path', async () => {
    const { dir, home } = repo({ 'atmos.yaml': yaml, '.git/HEAD': '' });
    const c = await loadAtmosConfig({ cwd: dir, env: { HOME: home } });
    expect(c.basePath).toBe(join(dir, 'infra'));
    expect(c.stacks).toEqual({
      basePath: join(dir, 'infra/stacks'),
      includedPaths: ['orgs/**/*'],
      excludedPaths: ['**/_defaults.yaml'],
      namePattern: '{tenant}-{stage}',
      nameTemplate: undefined,
    });
    expect(c.components.terraform.basePath).toBe(join(dir, 'infra/components/terraform'));
    expect(c.logsLevel).toBe('Info');
  });

  it('ATMOS_* variables override the file, and locate() says so', async () => {
    const { dir, home } = repo({ 'atmos.yaml': yaml, '.git/HEAD': '' });
    const c = await loadAtmosConfig({
      cwd: dir,
      env: {
        HOME: home,
        ATMOS_BASE_PATH: 'other',
        ATMOS_STACKS_BASE_PATH: 'st',
        ATMOS_STACKS_INCLUDED_PATHS: 'a/**/*, b/**/*',
        ATMOS_STACKS_EXCLUDED_PATHS: 'x/**',
        ATMOS_STACKS_NAME_PATTERN: '{stage}',
        ATMOS_STACKS_NAME_TEMPLATE: '{{ .vars.stage }}',
        ATMOS_COMPONENTS_TERRAFORM_BASE_PATH: 'tf',
        ATMOS_LOGS_LEVEL: 'Debug',
      },
    });
    expect(c.basePath).toBe(join(dir, 'other'));
    expect(c.stacks).toEqual({
      basePath: join(dir, 'other/st'),
      includedPaths: ['a/**/*', 'b/**/*'],
      excludedPaths: ['x/**'],
      namePattern: '{stage}',
      nameTemplate: '{{ .vars.stage }}',
    });
    expect(c.components.terraform.basePath).toBe(join(dir, 'other/tf'));
    expect(c.logsLevel).toBe('Debug');
    expect(c.raw.base_path).toBe('other');
    expect(c.locate('stacks.base_path')).toBe('ATMOS_STACKS_BASE_PATH (environment)');
    expect(c.locate('logs.level')).toBe('ATMOS_LOGS_LEVEL (environment)');
    expect(c.locate('components')).toBe('atmos.yaml:7');
  });
});

describe('merged sources', () => {
  it('atmos.d, imports, the file, then profiles in order; maps merge, lists are replaced', async () => {
    const { dir, home } = repo({
      '.git/HEAD': '',
      'atmos.d/10-base.yaml': 'settings: { a: d, b: d, list: [1, 2] }\nstores: { s1: { kind: redis } }\n',
      'config/extra.yaml': 'settings: { b: import, c: import }\n',
      'atmos.yaml': 'import: [config/extra.yaml]\nsettings:\n  c: main\n  list: [3]\n',
      'profiles/dev/b.yaml': 'settings: { d: dev-b }\n',
      'profiles/dev/a.yaml': 'settings: { d: dev-a, e: dev-a }\n',
      'profiles/ci/x.yml': 'settings: { e: ci }\nstores: { s2: { type: aws-ssm-parameter-store } }\n',
    });
    const c = await loadAtmosConfig({ cwd: dir, env: { HOME: home, ATMOS_PROFILE: 'ignored-by-flag' }, profile: 'dev, ci' });
    expect(c.settings).toEqual({ a: 'd', b: 'import', c: 'main', list: [3], d: 'dev-b', e: 'ci' });
    expect(Object.keys(c.stores)).toEqual(['s1', 's2']);
    expect(c.profiles).toEqual(['dev', 'ci']);
    expect(c.profile).toBe('dev,ci');
    expect(c.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'atmos.d/10-base.yaml',
      'config/extra.yaml',
      'atmos.yaml',
      'profiles/dev/a.yaml',
      'profiles/dev/b.yaml',
      'profiles/ci/x.yml',
    ]);
    expect(c.locate('settings.e')).toBe('profiles/ci/x.yml:1');
    expect(c.locate('settings.a')).toBe('atmos.d/10-base.yaml:1');
  });

  it('ATMOS_PROFILE selects profiles; profiles.base_path moves them', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': 'profiles: { base_path: conf/p }\n', 'conf/p/prod/x.yaml': 'settings: { who: prod }\n' });
    const c = await loadAtmosConfig({ cwd: dir, env: { HOME: home, ATMOS_PROFILE: 'prod' } });
    expect(c.settings.who).toBe('prod');
  });

  it('an unknown profile is CONFIG_PROFILE_NOT_FOUND listing the available ones', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': 'base_path: .\n', 'profiles/dev/a.yaml': '{}\n', 'profiles/prod/a.yaml': '{}\n' });
    const e = await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home }, profile: 'staging' }));
    expect(e.code).toBe('CONFIG_PROFILE_NOT_FOUND');
    expect(e.message).toContain('"staging"');
    expect(e.fix).toContain('dev, prod');
  });

  it('a missing import is CONFIG_IMPORT_NOT_FOUND at its line', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': 'base_path: .\nimport:\n  - nope.yaml\n' });
    const e = await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home } }));
    expect(e.code).toBe('CONFIG_IMPORT_NOT_FOUND');
    expect(e.where).toBe(`${join(dir, 'atmos.yaml')}:3:5`);
  });

  it('!env, !exec and !include are resolved; !secret and !store stay nodes', async () => {
    const { dir, home } = repo({
      '.git/HEAD': '',
      'auth.yaml': 'realm: from-include\n',
      'atmos.yaml': [
        'auth: !include ./auth.yaml',
        'stores:',
        '  ssm:',
        '    kind: aws/ssm',
        '    options:',
        '      region: !env REGION eu-west-1',
        '      prefix: !env PREFIX',
        '      endpoint: !exec echo http://127.0.0.1:5000',
        'settings:',
        '  s: !secret X',
      ].join('\n'),
    });
    const c = await loadAtmosConfig({ cwd: dir, env: { HOME: home, PATH: process.env.PATH, PREFIX: '/p' } });
    expect(c.auth).toEqual({ realm: 'from-include' });
    expect(c.stores.ssm.options).toEqual({ region: 'eu-west-1', prefix: '/p', endpoint: 'http://127.0.0.1:5000' });
    expect(c.settings.s).toBeInstanceOf(YamlFunction);
  });
});

describe('loadAtmosConfigSync (the CDKTF constructs load without awaiting)', () => {
  it('gives what loadAtmosConfig gives: imports, profiles, !env, !exec, ATMOS_* overrides', async () => {
    const { dir, home } = repo({
      '.git/HEAD': '',
      'atmos.d/a.yaml': 'logs: { level: Debug }\n',
      'profiles/ci/p.yaml': 'auth: { realm: ci-realm }\n',
      'atmos.yaml': ['stores:', '  ssm:', '    kind: aws/ssm', '    options:', '      region: !env REGION eu-west-1', '      endpoint: !exec echo http://127.0.0.1:5000', 'settings:', '  s: !secret X'].join('\n'),
    });
    const env = { HOME: home, PATH: process.env.PATH, ATMOS_PROFILE: 'ci', ATMOS_STACKS_BASE_PATH: 'st' };
    const sync = loadAtmosConfigSync({ cwd: dir, env });
    const async = await loadAtmosConfig({ cwd: dir, env });
    expect(sync.stores.ssm.options).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' });
    expect(sync.auth).toEqual({ realm: 'ci-realm' });
    expect(sync.stacks.basePath).toBe(join(dir, 'st'));
    expect(sync.settings.s).toBeInstanceOf(YamlFunction);
    expect({ ...sync, locate: undefined, settings: undefined }).toEqual({ ...async, locate: undefined, settings: undefined });
  });

  it('a failing or slow !exec is YAML_EXEC_FAILED with the file:line, as in the asynchronous load', () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': 'base_path: .\nvars:\n  a: !exec exit 3\n' });
    expect(() => loadAtmosConfigSync({ cwd: dir, env: { HOME: home, PATH: process.env.PATH } })).toThrow(
      expect.objectContaining({ code: 'YAML_EXEC_FAILED', where: expect.stringContaining('atmos.yaml:3'), message: expect.stringContaining('exit status 3') }),
    );
    const slow = repo({ '.git/HEAD': '', 'atmos.yaml': 'vars:\n  a: !exec sleep 5\n' });
    const t0 = Date.now();
    expect(() => loadAtmosConfigSync({ cwd: slow.dir, env: { HOME: slow.home, PATH: process.env.PATH }, execTimeoutMs: 300 })).toThrow(
      expect.objectContaining({ code: 'YAML_EXEC_FAILED', message: expect.stringContaining('within 300 ms') }),
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('errors', () => {
  it('reports every schema problem at once, each with atmos.yaml:LINE and the config path', async () => {
    const { dir, home } = repo({
      '.git/HEAD': '',
      'atmos.yaml': [
        'base_path: .', //                      1
        'stacks:', //                           2
        '  included_paths: orgs/**', //         3
        'stores:', //                           4
        '  ssm:', //                            5
        '    options: { region: x }', //        6
        '  redis:', //                          7
        '    kind: redis', //                   8
        '    secret: "yes"', //                 9
        'auth:', //                             10
        '  identities:', //                     11
        '    admin:', //                        12
        '      via: { provider: p }', //        13
        'unknown_section: { anything: 1 }', //  14
      ].join('\n'),
    });
    const e = await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.problems).toHaveLength(4);
    const byPath = Object.fromEntries(e.problems.map((p) => [p.summary.split(':')[0], p.where]));
    expect(byPath).toEqual({
      'stacks.included_paths': 'atmos.yaml:3',
      'stores.ssm': 'atmos.yaml:5',
      'stores.redis.secret': 'atmos.yaml:9',
      'auth.identities.admin.kind': 'atmos.yaml:12',
    });
    expect(e.message).toContain('needs a `kind` (e.g. aws/ssm) or a legacy `type`');
    expect(e.message).toContain('atmos.yaml:9: stores.redis.secret');
  });

  it('malformed YAML in atmos.yaml is a ConfigError YAML_PARSE with file:line:col', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': 'base_path: .\nstacks:\n  base_path: [\n' });
    const e = await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toMatch(new RegExp(`^${join(dir, 'atmos.yaml')}:\\d+:\\d+$`));
  });

  it('an unknown tag in atmos.yaml is YAML_UNKNOWN_TAG with file:line', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': 'base_path: .\nx: !frobnicate\n' });
    const e = await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home } }));
    expect(e.code).toBe('YAML_UNKNOWN_TAG');
    expect(e.where).toBe(`${join(dir, 'atmos.yaml')}:2:4`);
  });

  it('a top level that is not a map is CONFIG_INVALID', async () => {
    const { dir, home } = repo({ '.git/HEAD': '', 'atmos.yaml': '- a\n- b\n' });
    expect((await rejection(loadAtmosConfig({ cwd: dir, env: { HOME: home } }))).code).toBe('CONFIG_INVALID');
  });
});
