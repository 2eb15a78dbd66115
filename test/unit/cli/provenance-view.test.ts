import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { captureIO } from '../../../cli/io';
import { run } from '../../../cli/program';
import { goYamlKeyLess, renderProvenanceView } from '../../../cli/provenance-view';
import type { ComponentProvenance, ValueOrigin } from '../../../core/index';
import { ATMOS_TESTS } from '../../support/fixtures';

const TESTS = join(ATMOS_TESTS, 'tests');
const golden = (name: string) => readFileSync(join(TESTS, 'snapshots', `TestCLICommands_${name}.stdout.golden`), 'utf8');

async function describeIn(workdir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const io = captureIO();
  const cwd = join(TESTS, workdir);
  const code = await run(args, { io, cwd, env: { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1', ...env } });
  expect(io.stderr).toBe('');
  expect(code).toBe(0);
  return io.stdout;
}

describe('the provenance view (describe component --provenance)', () => {
  it("prints Atmos's own provenance fixture exactly as Atmos's golden snapshot", async () => {
    const workdir = 'fixtures/scenarios/provenance';
    const out = await describeIn(workdir, ['describe', 'component', 'mock', '-s', 'acme-dev-us-east-1', '--provenance'], { ATMOS_CLI_CONFIG_PATH: join(TESTS, workdir) });
    expect(out).toBe(golden('describe_component_provenance_basic'));
  });

  it('is the default YAML output, as in Atmos (the nested-dir golden, byte for byte)', async () => {
    const out = await describeIn('fixtures/scenarios/opentofu-module-source-interpolation/components/terraform/test-component', ['describe', 'component', '.', '--stack', 'test']);
    // This golden was recorded without the blank line Atmos's view ends with (the basic one has it).
    expect(out.replace(/\n+$/, '\n')).toBe(golden('describe_component_from_nested_dir_discovers_atmos.yaml_in_parent'));
  });

  it('parses back to the same data, whatever the strings, and puts each comment at column 50 or on the next line', () => {
    const data = {
      vars: {
        long: 'x'.repeat(60),
        'long words': 'terraform workspace select $WORKSPACE || terraform workspace new $WORKSPACE',
        lines: 'first\nsecond\n  indented\n',
        lead: `  ${'leading spaces then a long tail '.repeat(2)}`,
        quote: "it's \"quoted\" # not a comment",
        number_text: '0123',
        bool_text: 'true',
        empty: '',
        nothing: null,
        unicode: 'é'.repeat(30),
        '1': { component: 'x' },
        'key with: colon': 1,
        list: [{ run: 'a', then: [1, 2] }, [3, [4]], {}, [], 'plain'],
        nested: { deep: { deeper: { value: 1.5 } } },
        empty_map: {},
      },
    };
    const origin: ValueOrigin = { file: 'orgs/acme/dev.yaml', line: 7, depth: 2, computed: false };
    const provenance: ComponentProvenance = { stackFile: 'orgs/acme/dev', sections: new Set(['vars']), originOf: () => origin };
    const text = renderProvenanceView(data, provenance);
    expect(YAML.parse(text)).toEqual(data);
    const columns = text.split('\n').map((line) => line.indexOf('# ○ [2] orgs/acme/dev.yaml:7')).filter((i) => i >= 0);
    expect(columns.length).toBeGreaterThan(20);
    expect(new Set(columns)).toEqual(new Set([50]));
    expect(text).toContain('# Stack: orgs/acme/dev\n');
    expect(text).toMatch(/^ {2}long: >-/m);
  });

  it("orders keys as Go's yaml.v3 does: numbers by value, letters by code point", () => {
    expect(['b', 'a10', 'a2', 'a_b', 'ab', '10', '9', 'B'].sort(goYamlKeyLess)).toEqual(['9', '10', 'B', 'a_b', 'a2', 'a10', 'ab', 'b']);
  });
});
