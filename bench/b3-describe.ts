/**
 * Benchmark B3 (DESIGN.md §8): describe every component of N generated stack manifests (imports,
 * inheritance) for N = 200 and N = 2,000; target: time grows linearly (10× input ≤ 11× time).
 * The same runs again with the provenance view (`describe component`'s default YAML output: the
 * merged section, each value traced to its manifest and line, rendered), side by side.
 * Each measurement runs in a fresh Node process so that peak memory is that run's own.
 * Build: `tsc -p tsconfig.bench.json`; run: `npm run bench:b3`; writes bench/results/b3.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Workspace } from '../core/index';
import { renderProvenanceView } from '../cli/provenance-view';
import { generateB3Project } from './b3-generator';

interface Run {
  n: number;
  stacks: number;
  components: number;
  files: number;
  milliseconds: number;
  peakRssMb: number;
}

type Mode = 'plain' | 'provenance';

async function child(n: number, mode: Mode): Promise<void> {
  const root = join(tmpdir(), `infrakey-b3-${process.pid}-${n}`);
  const gen = generateB3Project(root, n);
  const start = performance.now();
  const ws = await Workspace.load({ cwd: root, env: {} });
  let components = 0;
  for (const stack of ws.listStacks()) {
    for (const name of stack.components.terraform ?? []) {
      if (name.startsWith('base-') || name.startsWith('mid-')) continue; // abstract bases
      if (mode === 'plain') await ws.describeComponent(name, stack.name);
      else {
        const { section, provenance } = await ws.describeComponentWithProvenance(name, stack.name);
        if (renderProvenanceView(section, provenance).length === 0) throw new Error('empty provenance view');
      }
      components++;
    }
  }
  const milliseconds = performance.now() - start;
  const run: Run = {
    n,
    stacks: ws.listStacks().length,
    components,
    files: gen.files,
    milliseconds: Math.round(milliseconds * 10) / 10,
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  };
  process.stdout.write(JSON.stringify(run));
  rmSync(root, { recursive: true, force: true });
}

function measure(n: number, repeats: number, mode: Mode = 'plain'): Run {
  const runs: Run[] = [];
  for (let i = 0; i < repeats; i++) {
    const out = execFileSync(process.execPath, [__filename, '--child', String(n), mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
    runs.push(JSON.parse(out) as Run);
  }
  runs.sort((a, b) => a.milliseconds - b.milliseconds);
  return runs[Math.floor(runs.length / 2)]; // median
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--child');
  if (i >= 0) return child(Number(process.argv[i + 1]), process.argv[i + 2] as Mode);
  const repeats = Number(process.env.B3_REPEATS ?? 3);
  const small = measure(200, repeats);
  const large = measure(2000, repeats);
  const ratio = Math.round((large.milliseconds / small.milliseconds) * 100) / 100;
  const provSmall = measure(200, repeats, 'provenance');
  const provLarge = measure(2000, repeats, 'provenance');
  const overhead = (a: Run, b: Run) => Math.round((b.milliseconds / a.milliseconds) * 100) / 100;
  const result = {
    benchmark: 'B3',
    work: 'describe every component of N stack manifests (imports, inheritance)',
    node: process.version,
    repeats,
    runs: [small, large],
    timeRatio: ratio,
    inputRatio: large.n / small.n,
    target: '10x input <= 11x time',
    pass: ratio <= 11,
    provenance: {
      work: 'the same, each component traced and rendered as the provenance view',
      runs: [provSmall, provLarge],
      timeRatio: Math.round((provLarge.milliseconds / provSmall.milliseconds) * 100) / 100,
      overVersusPlain: [overhead(small, provSmall), overhead(large, provLarge)],
    },
  };
  const dir = resolve(__dirname.includes('.cache') ? join(__dirname, '../../../bench/results') : join(__dirname, 'results'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'b3.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
