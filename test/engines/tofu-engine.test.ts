/**
 * OpenTofu (built by scripts/build-engines.sh) runs here: version, and `tofu validate` of a
 * JSON configuration using only the built-in `terraform` provider (no provider can be
 * downloaded), the way synthesized cdk.tf.json is checked. A broken reference must fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, ok, run } from './support/engines';

jest.setTimeout(120_000);

describe('OpenTofu', () => {
  let tofu: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    tofu = engine('tofu');
    dir = mkdtempSync(join(tmpdir(), 'ik-engine-tofu-'));
    env = { PATH: process.env.PATH, HOME: dir, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: join(dir, 'none.tfrc') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the pinned 1.11 release', () => {
    expect(ok(tofu, ['version', '-json'], { env })).toMatch(/"terraform_version":\s*"1\.11\.\d+"/);
  });

  it('validates JSON configuration with ephemeral variables and built-in resources; rejects a bad reference', () => {
    const config = {
      terraform: { required_version: '>= 1.11' },
      variable: { token: { type: 'string', sensitive: true, ephemeral: true } },
      resource: { terraform_data: { marker: { input: 'infrakey' } } },
      output: { marker: { value: '${terraform_data.marker.output}' } },
    };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    ok(tofu, ['init', '-backend=false', '-input=false', '-no-color'], { env, cwd: dir });
    expect(ok(tofu, ['validate', '-json', '-no-color'], { env, cwd: dir })).toMatch(/"valid":\s*true/);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ ...config, output: { marker: { value: '${terraform_data.missing.output}' } } }));
    const bad = run(tofu, ['validate', '-json', '-no-color'], { env, cwd: dir });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/"valid":\s*false/);
  });
});
