/**
 * The documentation stays inside the repository: every Markdown link is relative, lands on a file
 * of the repository, and an `#anchor` on a heading of that file; no web address outside code.
 * The README stays a front door (under 250 lines).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const DOCS = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && !f.startsWith('test/fixtures/') && existsSync(join(ROOT, f)));

/** The text outside fenced code blocks and inline code spans. */
export function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to dashes. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

describe('documentation links', () => {
  it('finds the documentation (self-check)', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'ARCHITECTURE.md', 'docs/errors.md', 'docs/cdktf.md']));
  });

  it.each(DOCS)('%s: links are relative, inside the repository, and resolve', (file) => {
    const text = prose(readFileSync(join(ROOT, file), 'utf8'));
    const problems: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        problems.push(`${target}: points outside the repository`);
        continue;
      }
      const [path, anchor] = target.split('#');
      const abs = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), path);
      const rel = relative(ROOT, abs);
      if (rel.startsWith('..') || path.startsWith('/')) {
        problems.push(`${target}: leaves the repository`);
        continue;
      }
      if (!existsSync(abs)) {
        problems.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && statSync(abs).isFile() && !anchors(readFileSync(abs, 'utf8')).has(anchor)) problems.push(`${target}: no heading #${anchor}`);
    }
    for (const m of text.matchAll(/\bhttps?:\/\/[^\s)>\]]+/g)) problems.push(`${m[0]}: a web address outside a code example`);
    expect(problems).toEqual([]);
  });

  it('the README is a front door: under 250 lines, with the two quick-start commands', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThan(250);
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    expect([...quick.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1].trim())).toEqual(['./scripts/demo.sh', './scripts/test.sh']);
    for (const script of ['scripts/demo.sh', 'scripts/test.sh']) expect(statSync(join(ROOT, script)).mode & 0o111).not.toBe(0);
  });
});
