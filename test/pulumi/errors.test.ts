/**
 * Bad input as a Pulumi user meets it: each program runs in its own process under the mock
 * engine (test/pulumi/mock-host.js reports unhandled rejections as the Pulumi language host does),
 * headless (CI=true, stdin not a terminal, no D-Bus, file keyring).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { motoEndpoint } from '../support/services';
import { authConfig, CI_USER_KEYS, headlessEnv, makeProject, runProgram, storeUserKeys, type TestProject } from './pulumi-project';

describe('adapter errors (Pulumi-style, one program per process)', () => {
  let project: TestProject;
  const password = 'errors-keyring-password';

  beforeAll(async () => {
    const moto = motoEndpoint();
    project = makeProject({ endpoint: moto, extraConfig: authConfig(moto, 'pulumi-errors') });
    await storeUserKeys(headlessEnv(project.dir, password), 'pulumi-errors', 'ci-user');
  });
  afterAll(() => project.cleanup());

  function run(name: string, body: string, env: NodeJS.ProcessEnv) {
    const file = join(project.dir, `${name}.ts`);
    writeFileSync(file, `import { awsProvider, getSecret } from 'infrakey/pulumi';\n${body}\n`);
    return runProgram(file, { project: 'api', stack: 'dev', env, cwd: project.dir });
  }

  it('an undeclared secret name: one error naming the secret and the component, with the fix', () => {
    const r = run('undeclared', `export const x = getSecret('NOT_DECLARED');`, headlessEnv(project.dir, password));
    expect(r.status).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('infrakey: getSecret("NOT_DECLARED")');
    expect(errors[0]).toContain('secret is not declared: "NOT_DECLARED" in component "api" of stack "dev"');
    expect(r.stderr).toContain('fix:');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an unknown identity: an error naming the identity', () => {
    const r = run('unknown-identity', `const p = awsProvider('nobody');\nexport const urn = p.urn;`, headlessEnv(project.dir, password));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('infrakey: awsProvider("nobody")');
    expect(r.stderr).toMatch(/identity "nobody"|"nobody"/);
    expect(r.resources.filter((x) => x.type === 'pulumi:providers:aws')).toEqual([]);
  });

  it('CI without ATMOS_KEYRING_PASSWORD: no prompt, an error naming the identity and the variable, no key in it', () => {
    const r = run('no-password', `const p = awsProvider('deployer');\nexport const urn = p.urn;`, headlessEnv(project.dir, undefined));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('infrakey: awsProvider("deployer")');
    expect(r.stderr).toContain('ATMOS_KEYRING_PASSWORD');
    expect(r.stderr).not.toContain(CI_USER_KEYS.secret_access_key);
    expect(r.stderr).not.toContain(CI_USER_KEYS.access_key_id);
  });
});
