import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { ATMOS_TESTS } from '../support/fixtures';

/**
 * Runs Atmos's own CLI test cases (`tests/test-cases/*.yaml` in ../shared/reference/atmos-tests)
 * against infrakey for the commands infrakey implements, the way Atmos's harness does
 * (tests/cli_test.go): the case's args in its workdir with a fresh HOME and XDG folders, then the
 * exit code, the regular expressions (`!not` ones must not match), `valid: [yaml|json]`, and the
 * golden stdout where Atmos ships one.
 *
 * Golden stdout is compared as data when it parses as JSON or YAML: every key infrakey prints must
 * equal Atmos's value; a key Atmos prints that infrakey leaves out must be in {@link OMITTED_KEYS}
 * (documented in docs with the reason). Text goldens are compared line by line after trimming.
 * Atmos's stderr goldens hold its own UI text (Markdown error boxes, telemetry notice) and are not
 * compared; the case's stderr expressions are.
 */

/** A case as Atmos writes it. */
export interface AtmosCase {
  file: string;
  name: string;
  enabled: boolean;
  workdir: string;
  args: string[];
  env: Record<string, string>;
  snapshot: boolean;
  expect: {
    exit_code?: number;
    stdout?: Pattern[];
    stderr?: Pattern[];
    valid?: string[];
    /** Regular expression → replacement, applied to the output before the golden comparison. */
    sanitize?: Record<string, string>;
  };
}

interface Pattern {
  re: string;
  not: boolean;
}

/** The result of one case. */
export interface CaseResult {
  id: string;
  passed: boolean;
  reasons: string[];
}

/**
 * Atmos keys infrakey does not print (path patterns: `*` = any one key, a leading `**.` = at any
 * depth, so describe stacks' per-component keys match too). Each is documented with its reason.
 */
export const OMITTED_KEYS: readonly string[] = [
  // Terraform module inspection (terraform-config-inspect) and Atmos's provenance tracking.
  '**.component_info.terraform_config',
  '**.sources',
  // Terraform code generation and provisioning features infrakey does not have.
  '**.generate',
  '**.provision',
  '**.source',
  '**.required_providers',
  '**.required_version',
  '**.tf_cli_vars',
  '**.env_vars',
  // atmos.yaml settings infrakey does not model (Atmos prints its whole CLI config struct).
  'atmos_cli_config.*',
  'atmos_cli_config.*.*',
  'atmos_cli_config.*.*.*',
  'atmos_cli_config.*.*.*.*',
];

/**
 * Expectations about Atmos's own product text that infrakey does not print, by design: Atmos's
 * telemetry notice (infrakey collects no telemetry). Documented in docs/atmos-conformance.md.
 */
export const NOT_APPLICABLE_PATTERNS: readonly string[] = ['Telemetry Enabled'];

const ROOT = ATMOS_TESTS;
const TESTS = join(ROOT, 'tests');

/** True for the commands infrakey implements (`describe component|stacks`, `list stacks`, `validate stacks`, `auth …`, `secret …`). */
export function inScope(args: readonly string[]): boolean {
  const words = args.filter((a) => !a.startsWith('-'));
  const [a, b] = words;
  if (a === 'describe') return b === 'component' || b === 'stacks';
  if (a === 'list') return b === 'stacks';
  if (a === 'validate') return b === 'stacks';
  return a === 'auth' || a === 'secret';
}

const NOT_TAG = {
  tag: '!not',
  resolve: (s: string) => ({ __not: s }),
};

function patterns(list: unknown): Pattern[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((p) => (typeof p === 'object' && p !== null && '__not' in p ? { re: String((p as { __not: string }).__not), not: true } : { re: String(p), not: false }));
}

/** Every in-scope case with `command: atmos`, in file order; names made unique as Go's t.Run does (`#01`). */
export function loadCases(): AtmosCase[] {
  const dir = join(TESTS, 'test-cases');
  const out: AtmosCase[] = [];
  const seen = new Map<string, number>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = YAML.parse(readFileSync(join(dir, file), 'utf8'), { customTags: [NOT_TAG] }) as { tests?: Record<string, unknown>[] };
    for (const t of doc.tests ?? []) {
      const args = (t.args as string[] | undefined) ?? [];
      const baseName = String(t.name);
      // Go's subtest names are unique per parent: later duplicates get #01, #02, …
      const n = seen.get(baseName) ?? 0;
      seen.set(baseName, n + 1);
      if (t.command !== 'atmos' || !inScope(args)) continue;
      const expect = (t.expect ?? {}) as Record<string, unknown>;
      out.push({
        file,
        name: n === 0 ? baseName : `${baseName}#${String(n).padStart(2, '0')}`,
        enabled: t.enabled !== false,
        workdir: String(t.workdir ?? '.'),
        args: args.map(String),
        env: Object.fromEntries(Object.entries((t.env ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
        snapshot: t.snapshot === true,
        expect: {
          exit_code: typeof expect.exit_code === 'number' ? expect.exit_code : undefined,
          stdout: patterns(expect.stdout),
          stderr: patterns(expect.stderr),
          valid: Array.isArray(expect.valid) ? expect.valid.map(String) : undefined,
          sanitize: expect.sanitize !== null && typeof expect.sanitize === 'object' ? Object.fromEntries(Object.entries(expect.sanitize as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : undefined,
        },
      });
    }
  }
  return out;
}

function goldenName(name: string, stream: 'stdout' | 'stderr'): string {
  return join(TESTS, 'snapshots', `TestCLICommands_${name.replace(/ /g, '_')}.${stream}.golden`);
}

/** Runs one case in process and checks it. */
export async function runCase(c: AtmosCase): Promise<CaseResult> {
  const id = `${c.file}: ${c.name}`;
  const reasons: string[] = [];
  const cwd = resolve(TESTS, c.workdir);
  const home = mkdtempSync(join(tmpdir(), 'infrakey-conf-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    ATMOS_KEYRING_TYPE: 'memory',
    NO_COLOR: '1',
    // As Atmos's harness (tests/cli_test.go): OpenTofu as the Terraform command, and atmos.yaml
    // taken from the workdir when it has one (unless the case changes directory itself).
    ATMOS_COMPONENTS_TERRAFORM_COMMAND: 'tofu',
    ...(existsSync(join(cwd, 'atmos.yaml')) && !c.args.some((a) => a === '-C' || a === '--chdir' || a.startsWith('--chdir=')) ? { ATMOS_CLI_CONFIG_PATH: cwd } : {}),
    ...c.env,
  };
  const io = captureIO();
  let code: number;
  try {
    code = await run(c.args, { io, cwd, env });
  } catch (e) {
    return { id, passed: false, reasons: [`threw: ${(e as Error).message}`] };
  }
  const stdout = sanitize(io.stdout);
  const stderr = sanitize(io.stderr);
  if (c.expect.exit_code !== undefined && code !== c.expect.exit_code) reasons.push(`exit ${code}, Atmos ${c.expect.exit_code}: ${firstLine(stderr)}`);
  checkPatterns('stdout', stdout, c.expect.stdout, reasons);
  checkPatterns('stderr', stderr, c.expect.stderr, reasons);
  for (const v of c.expect.valid ?? []) {
    try {
      if (v === 'json') JSON.parse(stdout);
      else YAML.parse(stdout);
    } catch {
      reasons.push(`stdout is not valid ${v}`);
    }
  }
  if (c.snapshot) {
    const golden = goldenName(c.name, 'stdout');
    if (existsSync(golden)) compareGolden(customSanitize(stdout, c.expect.sanitize), readFileSync(golden, 'utf8'), reasons);
  }
  return { id, passed: reasons.length === 0, reasons };
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.slice(0, 200) ?? '';
}

let rootReal: string | undefined;
function sanitize(text: string): string {
  rootReal ??= realpathSync(ROOT);
  return text.split(rootReal).join('/absolute/path/to/repo').split(ROOT).join('/absolute/path/to/repo');
}

/** The case's own `sanitize` rules, as Atmos's harness applies them before comparing snapshots. */
function customSanitize(text: string, rules: Record<string, string> | undefined): string {
  let out = text;
  for (const [re, replacement] of Object.entries(rules ?? {})) out = out.replace(new RegExp(goRegex(re), 'g'), replacement);
  return out;
}

function checkPatterns(stream: string, text: string, list: Pattern[] | undefined, reasons: string[]): void {
  for (const p of list ?? []) {
    if (NOT_APPLICABLE_PATTERNS.includes(p.re)) continue;
    // The program is called infrakey: `atmos list stacks` in a hint reads `infrakey list stacks`.
    const re = new RegExp(goRegex(p.re).replace(/\batmos (?=[a-z])/g, '(?:atmos|infrakey) '), 'm');
    const hit = re.test(text);
    if (hit === p.not) reasons.push(`${stream} ${p.not ? 'matches' : 'does not match'} ${JSON.stringify(p.re)}`);
  }
}

/** Go RE2 syntax that JavaScript spells differently (inline flags). */
function goRegex(re: string): string {
  return re.replace(/^\(\?s\)/, '').replace(/^\(\?i\)/, '');
}

function parseData(text: string): { ok: boolean; value?: unknown } {
  const t = text.trim();
  if (t === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    /* not JSON */
  }
  try {
    const v = YAML.parse(t);
    if (v !== null && typeof v === 'object') return { ok: true, value: v };
  } catch {
    /* not YAML */
  }
  return { ok: false };
}

function compareGolden(actual: string, golden: string, reasons: string[]): void {
  const g = parseData(golden);
  if (g.ok) {
    const a = parseData(actual);
    if (!a.ok) {
      reasons.push('stdout is not data; the golden is');
      return;
    }
    const diffs: string[] = [];
    compareData(a.value, g.value, [], diffs);
    if (diffs.length > 0) reasons.push(`golden differs: ${diffs.slice(0, 5).join('; ')}${diffs.length > 5 ? ` (+${diffs.length - 5} more)` : ''}`);
    return;
  }
  const lines = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const al = lines(actual);
  const gl = lines(golden);
  if (al.join('\n') !== gl.join('\n')) reasons.push(`golden text differs: got ${JSON.stringify(al.slice(0, 5))}, Atmos ${JSON.stringify(gl.slice(0, 5))}`);
}

function omitted(path: readonly string[]): boolean {
  return OMITTED_KEYS.some((p) => {
    const anyDepth = p.startsWith('**.');
    const parts = (anyDepth ? p.slice(3) : p).split('.');
    const tail = anyDepth ? path.slice(Math.max(0, path.length - parts.length)) : path;
    return tail.length === parts.length && parts.every((x, i) => x === '*' || x === tail[i]);
  });
}

function compareData(a: unknown, g: unknown, path: string[], diffs: string[]): void {
  const at = path.join('.') || '(root)';
  if (g !== null && typeof g === 'object' && !Array.isArray(g)) {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) {
      diffs.push(`${at}: got ${JSON.stringify(a)?.slice(0, 80)}`);
      return;
    }
    const am = a as Record<string, unknown>;
    const gm = g as Record<string, unknown>;
    for (const k of Object.keys(gm)) {
      if (!(k in am)) {
        if (!omitted([...path, k])) diffs.push(`${[...path, k].join('.')}: missing`);
        continue;
      }
      compareData(am[k], gm[k], [...path, k], diffs);
    }
    for (const k of Object.keys(am)) if (!(k in gm)) diffs.push(`${[...path, k].join('.')}: not in Atmos's output`);
    return;
  }
  if (Array.isArray(g)) {
    if (!Array.isArray(a) || a.length !== g.length) {
      diffs.push(`${at}: got ${JSON.stringify(a)?.slice(0, 80)}, Atmos ${JSON.stringify(g).slice(0, 80)}`);
      return;
    }
    g.forEach((x, i) => compareData(a[i], x, [...path, String(i)], diffs));
    return;
  }
  if (a !== g) diffs.push(`${at}: got ${JSON.stringify(a)?.slice(0, 80)}, Atmos ${JSON.stringify(g)?.slice(0, 80)}`);
}
