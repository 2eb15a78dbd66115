/**
 * `infrakey secret get|set|delete|list|validate|import` and `!store`/`!store.get` with the hosted
 * store kinds, each against its named fake: 1Password in Connect mode (FAKE 1Password Connect),
 * GitHub Actions (FAKE GitHub; `get` inside a runner, whose variables are made from the values the
 * fake received and opened with its private key) and Artifactory (FAKE Artifactory, a plain store
 * that `!store` reads and `secret import` adopts values from).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { FakeArtifactory } from '../fakes/fake-artifactory';
import { FakeGithub } from '../fakes/fake-github';
import { FakeOnePasswordConnect } from '../fakes/fake-onepassword-connect';

const VALUE = 'op-db-pass-9Xq3';
const GH_VALUE = 'gh-deploy-token-4Kd8';
const op = new FakeOnePasswordConnect();
const gh = new FakeGithub();
const art = new FakeArtifactory();
let dir = '';

beforeAll(async () => {
  op.addVault('Infra');
  const [opUrl, ghUrl, artUrl] = await Promise.all([op.start(), gh.start(), art.start()]);
  dir = mkdtempSync(join(tmpdir(), 'ik-cli-hosted-'));
  mkdirSync(join(dir, 'stacks', 'deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'atmos.yaml'),
    `base_path: "./"
stacks:
  base_path: stacks
  included_paths: ["deploy/**/*"]
  name_template: "{{ .vars.stage }}"
stores:
  op:
    kind: onepassword
    options: { mode: connect, connect_host: "${opUrl}", connect_token: "${op.token}", vault: Infra }
  gh:
    type: github-actions
    options: { owner: acme, repo: infra, token: "${gh.token}", api_url: "${ghUrl}", prefix: app }
  art:
    kind: artifactory
    options: { url: "${artUrl}", repo_name: atmos-values, prefix: outputs, access_token: "${art.token}" }
`,
  );
  writeFileSync(
    join(dir, 'stacks', 'deploy', 'dev.yaml'),
    `vars:
  stage: dev
components:
  terraform:
    api:
      vars:
        db_password: !secret DB_PASSWORD
        vpc_id: !store art vpc vpc_id
        shared: !store.get art shared/config | query .name
      secrets:
        vars:
          DB_PASSWORD:
            store: op
            reference: "{{ .atmos_stack }}-{{ .atmos_component }}/password"
            required: true
          DEPLOY_TOKEN:
            store: gh
            required: true
`,
  );
  art.repos.get('atmos-values')!.set('outputs/dev/vpc/vpc_id', Buffer.from('"vpc-123"'));
  art.repos.get('atmos-values')!.set('outputs/shared/config.json', Buffer.from('{"name":"shared-cfg"}'));
  art.repos.get('atmos-values')!.set('outputs/dev/legacy/db_password', Buffer.from(JSON.stringify(VALUE)));
});
afterAll(async () => {
  await Promise.all([op.stop(), gh.stop(), art.stop()]);
});

async function cli(argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const io = captureIO({ stdin: Readable.from(opts.stdin !== undefined ? [opts.stdin] : []) });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), ...opts.env };
  const code = await run(argv, { io, env, cwd: dir });
  return { code, out: io.stdout, err: io.stderr };
}

describe('infrakey secret with 1Password, GitHub Actions and Artifactory (fakes)', () => {
  it('validate fails before the values exist, naming each backend path', async () => {
    const r = await cli(['secret', 'validate', '-s', 'dev', '-c', 'api']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('op://Infra/dev-api/password');
    expect(r.err).toContain('APP_DEPLOY_TOKEN');
  });

  it('import adopts a legacy Artifactory value into the 1Password item the reference names', async () => {
    const r = await cli(['secret', 'import', 'DB_PASSWORD', '-s', 'dev', '-c', 'api', '--from-store', 'art', '--from-stack', 'dev', '--from-component', 'legacy', '--from-key', 'db_password']);
    expect([r.code, r.err]).toEqual([0, expect.stringContaining('atmos-values/outputs/dev/legacy/db_password')]);
    expect(op.item('Infra', 'dev-api')).toMatchObject({ category: 'API_CREDENTIAL', fields: [{ label: 'password', type: 'CONCEALED', value: VALUE }] });
    expect(r.out + r.err).not.toContain(VALUE);
  });

  it('set writes the GitHub secret sealed; list shows each exact backend path, and --verify the status', async () => {
    const set = await cli(['secret', 'set', 'DEPLOY_TOKEN', '-s', 'dev', '-c', 'api', '--stdin'], { stdin: `${GH_VALUE}\n` });
    expect(set.code).toBe(0);
    expect(gh.open('APP_DEPLOY_TOKEN')).toBe(GH_VALUE);
    const list = await cli(['secret', 'list', '-s', 'dev', '-c', 'api', '--verify', '--format', 'json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { name: string; status: string; location: string }[];
    expect(rows.map((r) => [r.name, r.status, r.location])).toEqual([
      ['DB_PASSWORD', 'initialized', 'op://Infra/dev-api/password'],
      ['DEPLOY_TOKEN', 'initialized', 'APP_DEPLOY_TOKEN'],
    ]);
    const v = await cli(['secret', 'validate', '-s', 'dev', '-c', 'api']);
    expect([v.code, v.err]).toEqual([0, expect.stringContaining('All required secrets are initialized')]);
  });

  it('get reads 1Password anywhere, masked unless --mask=false; GitHub only inside a runner', async () => {
    expect((await cli(['secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'])).out).toBe('<MASKED>\n');
    expect((await cli(['--mask=false', 'secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'])).out).toBe(`${VALUE}\n`);
    const outside = await cli(['--mask=false', 'secret', 'get', 'DEPLOY_TOKEN', '-s', 'dev', '-c', 'api']);
    expect(outside.code).toBe(1);
    expect(outside.err).toContain('STORE_VALUE_UNREADABLE');
    expect(outside.err).not.toContain(GH_VALUE);
    const runner = await cli(['--mask=false', 'secret', 'get', 'DEPLOY_TOKEN', '-s', 'dev', '-c', 'api'], { env: { GITHUB_ACTIONS: 'true', APP_DEPLOY_TOKEN: gh.open('APP_DEPLOY_TOKEN') } });
    expect([runner.code, runner.out]).toEqual([0, `${GH_VALUE}\n`]);
  });

  it('describe component reads !store and !store.get from Artifactory and masks !secret', async () => {
    const r = await cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']);
    expect(r.code).toBe(0);
    const vars = (JSON.parse(r.out) as { vars: Record<string, unknown> }).vars;
    expect(vars).toMatchObject({ db_password: '<MASKED>', vpc_id: 'vpc-123', shared: 'shared-cfg' });
  });

  it('delete removes the 1Password field (then the empty item) and the GitHub secret', async () => {
    for (const name of ['DB_PASSWORD', 'DEPLOY_TOKEN']) expect((await cli(['secret', 'delete', name, '-s', 'dev', '-c', 'api', '-f'])).code).toBe(0);
    expect(op.item('Infra', 'dev-api')).toBeUndefined();
    expect(gh.open('APP_DEPLOY_TOKEN')).toBeUndefined();
    const list = await cli(['secret', 'list', '-s', 'dev', '-c', 'api', '--verify', '--format', 'json']);
    expect((JSON.parse(list.out) as { status: string }[]).map((r) => r.status)).toEqual(['missing', 'missing']);
  });
});
