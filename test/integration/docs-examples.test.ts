/**
 * Every code block in the documentation that claims to run is run here. In a Markdown file, a
 * block whose info string has `file=PATH` is written to PATH of a fresh folder (one per file), and
 * a `sh run` block is then run there with bash (`set -euo pipefail`), `infrakey` on PATH being the
 * built CLI (`npm run build`; scripts/test.sh builds before jest). It must exit 0.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist/cli/infrakey.js');

interface Block {
  readonly info: string[];
  readonly body: string;
  readonly line: number;
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  for (const m of text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```/gm)) {
    out.push({ info: m[1].trim().split(/\s+/).filter(Boolean), body: m[2], line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

const DOCS = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && !f.startsWith('test/fixtures/') && existsSync(join(ROOT, f)));
const RUNNABLE = DOCS.filter((f) => blocks(readFileSync(join(ROOT, f), 'utf8')).some((b) => b.info.includes('run')));

describe('runnable documentation', () => {
  it('finds runnable blocks (self-check); `run` is only used on sh blocks', () => {
    expect(RUNNABLE.length).toBeGreaterThanOrEqual(2);
    for (const f of DOCS) {
      for (const b of blocks(readFileSync(join(ROOT, f), 'utf8'))) {
        if (b.info.includes('run')) expect([f, b.line, b.info[0]]).toEqual([f, b.line, 'sh']);
      }
    }
  });

  it.each(RUNNABLE)('%s: its `sh run` blocks exit 0 against its `file=` blocks', (doc) => {
    if (!existsSync(BIN)) throw new Error('dist/cli/infrakey.js is missing: run `npm run build` first (./scripts/test.sh does it before jest)');
    const dir = mkdtempSync(join(tmpdir(), 'ik-docs-'));
    const bin = join(dir, '.bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'infrakey'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'infrakey'), 0o755);
    const env: NodeJS.ProcessEnv = { PATH: `${bin}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), XDG_DATA_HOME: join(dir, '.xdg-data'), NO_COLOR: '1' };
    const all = blocks(readFileSync(join(ROOT, doc), 'utf8'));
    for (const b of all) {
      const file = b.info.find((i) => i.startsWith('file='))?.slice('file='.length);
      if (!file) continue;
      const abs = resolve(dir, file);
      expect([doc, b.line, relative(dir, abs).startsWith('..')]).toEqual([doc, b.line, false]);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, b.body);
    }
    for (const b of all.filter((x) => x.info.includes('run'))) {
      const r = spawnSync('bash', ['--noprofile', '--norc', '-c', `set -euo pipefail\n${b.body}`], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
      // stderr is shown only when the block fails: status lines (e.g. `validate stacks`'s
      // success line, on stderr as in Atmos) are part of a passing run.
      expect([`${doc}:${b.line}`, r.status, r.status === 0 ? '' : r.stderr]).toEqual([`${doc}:${b.line}`, 0, '']);
    }
  });
});
