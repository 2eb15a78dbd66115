import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { decryptSopsFile } from '../../../core/secrets/sops/sops-file';
import { gnupgHome, type GnupgHome } from '../../support/gnupg';

/**
 * The SOPS file lock is the same for every key type: six `infrakey secret set` processes (the
 * real CLI from the TypeScript sources) write different names into one pgp-wrapped file at the
 * same moment (a `sops/gpg` provider with `spec.gnupg_home`); every name survives, the MAC
 * verifies, and the file keeps one pgp entry that the real gpg opens.
 */
jest.setTimeout(240_000);

const CHILD = join(__dirname, '..', 'sops', 'helpers', 'secret-set-child.js');
const NAMES = Array.from({ length: 6 }, (_, i) => `PGP_SECRET_${i}`);

describe('secret set: 6 processes into one pgp SOPS file at once', () => {
  let gpg: GnupgHome;
  let dir: string;
  let fp: string;

  beforeAll(() => {
    gpg = gnupgHome();
    fp = gpg.generate('Concurrent');
    dir = mkdtempSync(join(tmpdir(), 'ik-sops-pgp-mp-'));
    mkdirSync(join(dir, 'stacks', 'deploy'), { recursive: true });
    writeFileSync(
      join(dir, 'atmos.yaml'),
      [
        'base_path: "./"',
        'stacks: { base_path: stacks, included_paths: ["deploy/**/*"], name_template: "{{ .vars.stage }}" }',
        'secrets:',
        '  providers:',
        '    team-pgp:',
        '      kind: sops/gpg',
        '      spec:',
        '        file: secrets/{{ .atmos_stack }}.enc.yaml',
        `        gnupg_home: ${gpg.home}`,
        `        pgp_fingerprints: ${fp}`,
        '',
      ].join('\n'),
    );
    const decls = NAMES.map((n) => `          ${n}: { sops: team-pgp, required: true }`).join('\n');
    writeFileSync(join(dir, 'stacks', 'deploy', 'dev.yaml'), `vars:\n  stage: dev\ncomponents:\n  terraform:\n    api:\n      secrets:\n        vars:\n${decls}\n`);
  });
  afterAll(() => {
    gpg.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all names are there, the MAC verifies, one pgp entry opens with gpg -d', async () => {
    // GNUPGHOME points elsewhere: spec.gnupg_home must win.
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), GNUPGHOME: join(dir, 'not-a-gnupg-home'), ATMOS_IDENTITY: 'false' };
    const children = NAMES.map((name, i) => {
      const child = spawn(process.execPath, [CHILD, 'secret', 'set', name, '-s', 'dev', '-c', 'api'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out = { stdout: '', stderr: '' };
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
      const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.stdout.includes('ready\n') && resolve()));
      const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr: out.stderr })));
      return { child, ready, done, value: `pgp-value-${i}-${'y'.repeat(i)}` };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.end(c.value);
    const results = await Promise.all(children.map((c) => c.done));
    for (const r of results) expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    const file = join(dir, 'secrets', 'dev.enc.yaml');
    const doc = await decryptSopsFile(file, { gnupgHome: gpg.home, gpgEnv: gpg.env() });
    expect(doc).toEqual(Object.fromEntries(children.map((c, i) => [NAMES[i], c.value])));
    const meta = (parse(readFileSync(file, 'utf8')) as { sops: { pgp: { fp: string; enc: string }[] } }).sops;
    expect(meta.pgp.map((p) => p.fp)).toEqual([fp]);
    expect(gpg.gpg(['-d'], meta.pgp[0].enc).stdout).toHaveLength(32);
    expect(readdirSync(join(dir, 'secrets'))).toEqual(['dev.enc.yaml']);
  });
});
