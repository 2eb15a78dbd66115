/**
 * Workspace.secret(name, { stack, component, path?, default? }): the public face of `!secret`'s
 * options, read from a real sops file (sops-real fixtures, age key) through a loaded Workspace.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../../core/workspace';
import { Secret, unsafeUnwrap } from '../../../core/secret';
import { SOPS_REAL } from '../../support/fixtures';

const FIX = SOPS_REAL;

async function project(): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'ik-ws-secret-'));
  mkdirSync(join(dir, 'stacks'));
  mkdirSync(join(dir, 'secrets'));
  copyFileSync(join(FIX, 'secret.enc.yaml'), join(dir, 'secrets/dev.enc.yaml'));
  writeFileSync(
    join(dir, 'atmos.yaml'),
    [
      'base_path: "./"',
      'stacks:',
      '  base_path: stacks',
      '  included_paths: ["*.yaml"]',
      '  name_template: "{{ .vars.stage }}"',
      'secrets:',
      '  providers:',
      '    vault:',
      '      kind: sops/age',
      '      spec:',
      '        file: secrets/{{ .atmos_stack }}.enc.yaml',
      `        age_key_file: ${join(FIX, 'key.txt')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'stacks/dev.yaml'),
    [
      'vars: { stage: dev }',
      // Stack-scoped declarations: the sops file holds them as top-level keys.
      'secrets:',
      '  vars:',
      '    complex: { sops: vault }',
      '    string: { sops: vault }',
      '    absent: { sops: vault, required: false }',
      'components:',
      '  terraform:',
      '    api:',
      '      vars: { name: api }',
      '',
    ].join('\n'),
  );
  return Workspace.load({ cwd: dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg') } });
}

describe('Workspace.secret with path and default', () => {
  const target = { stack: 'dev', component: 'api' };

  it('reads the whole value, a path inside it, and a default for a missing one', async () => {
    const ws = await project();
    const [whole, item, plain, absent] = await Promise.all([
      ws.secret('complex', target),
      ws.secret('complex', { ...target, path: '.array[1]' }),
      ws.secret('string', { ...target, default: 'unused' }),
      ws.secret('absent', { ...target, default: 'fallback' }),
    ]);
    expect(Secret.isSecret(item)).toBe(true);
    expect(unsafeUnwrap(whole)).toMatchObject({ array: expect.arrayContaining(['two']) });
    expect(unsafeUnwrap(item)).toBe('two');
    // A default only stands in for a value the backend does not have.
    expect(unsafeUnwrap(plain)).toBe('string');
    expect(unsafeUnwrap(absent)).toBe('fallback');
    // The four reads of one tick cost one decryption of the file.
    expect(ws.secretsLayer().resolver.stats.batches).toBe(1);
  });

  it('without a default, a missing value is SECRET_NOT_INITIALIZED naming the secret', async () => {
    const ws = await project();
    const err = (await ws.secret('absent', target).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SECRET_NOT_INITIALIZED');
    expect(err.message).toContain('"absent"');
  });

  it('a path that selects nothing fails, naming the secret and the path, no value', async () => {
    const ws = await project();
    const err = (await ws.secret('complex', { ...target, path: '.nope' }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toMatch(/^SECRET_/);
    expect(err.message).toContain('"complex"');
    expect(err.message).toContain('.nope');
    expect(err.message).not.toContain('two');
  });
});
