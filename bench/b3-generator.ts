import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Generates an Atmos project of `n` stack manifests for benchmark B3. Shape (per manifest):
 * imports of its tenant's `_defaults` (which imports a region mixin), two of ten shared catalog
 * files (abstract bases), and three components that inherit from them (two-level inheritance).
 * Tenants hold 50 stacks each, so every kind of file grows linearly with `n`.
 */
export function generateB3Project(root: string, n: number): { stacks: number; components: number; files: number } {
  rmSync(root, { recursive: true, force: true });
  let files = 0;
  const write = (path: string, text: string) => {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    files++;
  };
  write(
    'atmos.yaml',
    'base_path: "./"\nstacks:\n  base_path: stacks\n  included_paths: ["orgs/**/*"]\n  excluded_paths: ["**/_defaults.yaml"]\n  name_template: "{{ .vars.tenant }}-{{ .vars.stage }}"\n',
  );
  const catalogs = 10;
  for (let c = 0; c < catalogs; c++) {
    write(
      `stacks/catalog/svc-${c}.yaml`,
      [
        'components:',
        '  terraform:',
        `    base-${c}:`,
        '      metadata: { type: abstract }',
        `      vars: { catalog: ${c}, size: small, tags: { team: t${c}, tier: base } }`,
        `      settings: { depends_on: [vpc-${c}] }`,
        `    mid-${c}:`,
        `      metadata: { type: abstract, inherits: [base-${c}] }`,
        '      vars: { size: medium, replicas: 2 }',
        '      secrets: { vars: { API_KEY: { store: ssm } } }',
      ].join('\n') + '\n',
    );
  }
  for (const region of ['us-east-1', 'eu-west-1', 'ap-south-1']) {
    write(`stacks/mixins/region/${region}.yaml`, `vars: { region: ${region} }\nenv: { AWS_REGION: ${region} }\n`);
  }
  const tenants = Math.max(1, Math.ceil(n / 50));
  const regions = ['us-east-1', 'eu-west-1', 'ap-south-1'];
  for (let t = 0; t < tenants; t++) {
    write(
      `stacks/orgs/tenant-${t}/_defaults.yaml`,
      `import: [mixins/region/${regions[t % 3]}]\nvars: { tenant: tenant-${t}, namespace: bench }\nsecrets: { vars: { STACK_TOKEN: { store: ssm } } }\nterraform: { backend_type: s3, backend: { s3: { bucket: tf-state-${t} } } }\n`,
    );
  }
  let components = 0;
  for (let i = 0; i < n; i++) {
    const t = Math.floor(i / 50);
    const a = i % catalogs;
    const b = (i + 3) % catalogs;
    write(
      `stacks/orgs/tenant-${t}/stage-${i}.yaml`,
      [
        'import:',
        '  - ./_defaults',
        `  - catalog/svc-${a}`,
        `  - catalog/svc-${b}`,
        `vars: { stage: s${i} }`,
        'components:',
        '  terraform:',
        `    app-${a}:`,
        `      metadata: { component: app, inherits: [mid-${a}] }`,
        `      vars: { name: app-${i}, tags: { owner: o${i} } }`,
        `    worker-${b}:`,
        `      metadata: { component: worker, inherits: [mid-${b}, base-${a}] }`,
        `      vars: { name: worker-${i} }`,
        '    vpc:',
        `      vars: { cidr: "10.${i % 256}.0.0/16" }`,
      ].join('\n') + '\n',
    );
    components += 3;
  }
  return { stacks: n, components, files };
}
