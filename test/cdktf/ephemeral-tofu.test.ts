/**
 * OpenTofu judges the ephemeral-mode JSON: `tofu validate` (OpenTofu 1.11, built from its Go module
 * into .cache/engines/bin/tofu) on the cdk.tf.json of a stack whose ephemeral variable flows into a
 * provisioner (accepted), and on the same document edited so that it flows into an ordinary
 * argument or an output (refused by OpenTofu, and by infrakey's own synth-time rule). Only
 * built-in resources (`terraform_data`): no provider can be downloaded here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeclaredSecret, infrakeyContext } from '../../cdktf/index';
import { ephemeralFlowProblems } from '../../cdktf/ephemeral';
import { ENGINES } from './support/engines';
import { makeProject, type TestProject } from './support/project';

const TOFU = resolve(__dirname, '../../.cache/engines/bin/tofu');
let project: TestProject;
beforeAll(async () => {
  if (!existsSync(TOFU)) {
    throw new Error(`${TOFU} is missing: build OpenTofu from its Go module (scripts/install-test-deps.sh does it; by hand: GOBIN=$PWD/.cache/engines/bin go install github.com/opentofu/opentofu/cmd/tofu@v1.11.0)`);
  }
  project = await makeProject();
});

type Doc = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function validate(doc: unknown): { ok: boolean; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ik-tofu-'));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(doc));
  mkdirSync(join(dir, '.home'));
  const r = spawnSync(TOFU, ['validate', '-no-color'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, HOME: join(dir, '.home'), TF_IN_AUTOMATION: '1' } });
  if (r.error) throw r.error;
  return { ok: r.status === 0, text: `${r.stdout}${r.stderr}` };
}

describe.each(ENGINES)('tofu validate of ephemeral-mode JSON ($name)', ({ lib }) => {
  let doc: Doc;
  beforeAll(() => {
    const s = new lib.TerraformStack(lib.Testing.app(), 'api-dev');
    infrakeyContext(s, { workspace: project.workspace, stack: 'dev', component: 'api' });
    const key = new DeclaredSecret(s, 'key', { name: 'SIGNING_KEY', ephemeral: true });
    new lib.TerraformResource(s, 'use', {
      terraformResourceType: 'terraform_data',
      provisioners: [{ type: 'local-exec', command: 'true', environment: { KEY: key.value } }],
    });
    doc = JSON.parse(lib.Testing.synth(s)) as Doc;
  });

  it('accepts the synthesized document (an ephemeral variable used by a provisioner)', () => {
    expect(doc.variable.SIGNING_KEY).toMatchObject({ ephemeral: true, sensitive: true });
    expect(ephemeralFlowProblems(doc)).toEqual([]);
    const r = validate(doc);
    expect(r.text).toContain('The configuration is valid');
    expect(r.ok).toBe(true);
  });

  it('refuses the value in an ordinary argument or an output, as infrakey does at synth time', () => {
    const intoInput = structuredClone(doc);
    intoInput.resource.terraform_data.use.input = '${var.SIGNING_KEY}';
    const intoOutput = { ...structuredClone(doc), output: { leak: { value: '${var.SIGNING_KEY}', sensitive: true } } };
    for (const bad of [intoInput, intoOutput]) {
      expect(ephemeralFlowProblems(bad)).toHaveLength(1);
      const r = validate(bad);
      expect(r.ok).toBe(false);
      expect(r.text).toMatch(/[Ee]phemeral/);
    }
  });
});
