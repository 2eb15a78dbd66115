import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a minimal Atmos project for SOPS tests: one `sops/age` provider `local-sops` with one
 * file per stack (`secrets/<stack>.enc.yaml`), stacks named by `vars.stage`, and one stack
 * manifest per entry of `stacks` whose `api` component declares `names` on that provider.
 */
export function writeSopsProject(repo: string, opts: { keyFile: string; recipient: string; stacks: Record<string, { stage: string; names: readonly string[] }> }): void {
  mkdirSync(join(repo, 'stacks', 'deploy'), { recursive: true });
  writeFileSync(
    join(repo, 'atmos.yaml'),
    [
      'base_path: "./"',
      'stacks: { base_path: stacks, included_paths: ["deploy/**/*"], name_template: "{{ .vars.stage }}" }',
      'secrets:',
      '  providers:',
      '    local-sops:',
      '      kind: sops/age',
      '      spec:',
      '        file: secrets/{{ .atmos_stack }}.enc.yaml',
      `        age_key_file: ${opts.keyFile}`,
      `        age_recipients: ${opts.recipient}`,
      '',
    ].join('\n'),
  );
  for (const [file, { stage, names }] of Object.entries(opts.stacks)) {
    const decls = names.map((n) => `          ${n}: { sops: local-sops, required: true }`).join('\n');
    writeFileSync(join(repo, 'stacks', 'deploy', `${file}.yaml`), `vars:\n  stage: ${JSON.stringify(stage)}\ncomponents:\n  terraform:\n    api:\n      secrets:\n        vars:\n${decls}\n`);
  }
}
