import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * HCL (`.tfvars`, `.hcl`, `.tf`) to plain values, for `!include`, with HashiCorp's own parser:
 * `@cdktn/hcl2json` ships hashicorp/hcl compiled to WebAssembly. Its published entry point is
 * asynchronous only because it instantiates the module asynchronously; the parse itself is a
 * synchronous Go call. Stack loading is synchronous (the CDKTF adapter needs it), so the module is
 * instantiated synchronously here, once, on the first HCL include (about 0.3 s), and never for
 * repositories that include no HCL.
 *
 * Attribute values come out as JSON values; expressions that are not literals (`var.x`,
 * `"${…}"`) come out as their `${…}` text, and blocks as lists of objects (hcl2json's shape).
 */

type ParseFn = (filename: string, contents: string, cb: (err: string | null, json: string | null) => void) => void;

let parseFn: ParseFn | undefined;

function bridge(): ParseFn {
  if (parseFn) return parseFn;
  const pkgDir = dirname(require.resolve('@cdktn/hcl2json/package.json'));
  // The Go runtime glue that hcl2json ships with its module (defines globalThis.Go).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(pkgDir, 'wasm', 'bridge_wasm_exec.js'));
  const g = globalThis as unknown as {
    Go: new () => { importObject: unknown; run(i: unknown): Promise<void> };
    WebAssembly: { Module: new (bytes: Uint8Array) => unknown; Instance: new (m: unknown, imports: unknown) => unknown };
  };
  const go = new g.Go();
  // Synchronous compile and instantiation: allowed in Node for modules of any size.
  const module = new g.WebAssembly.Module(gunzipSync(readFileSync(join(pkgDir, 'main.wasm.gz'))));
  const instance = new g.WebAssembly.Instance(module, go.importObject);
  const root: Record<string, unknown> = {};
  (globalThis as unknown as Record<string, unknown>).__parse_terraform_config_wasm__ = root;
  // main() registers its functions and then waits; run() returns once it blocks.
  void go.run(instance);
  if (typeof root.parse !== 'function') throw new Error('the HCL parser did not start (@cdktn/hcl2json)');
  parseFn = root.parse as ParseFn;
  return parseFn;
}

/** A syntax error reported by the HCL parser, with the line when it names one. */
export class HclSyntaxError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** Parses HCL text into plain values. Throws {@link HclSyntaxError}. */
export function parseHcl(filename: string, text: string): Record<string, unknown> {
  const parse = bridge();
  let result: { err: string | null; json: string | null } | undefined;
  parse(filename, text, (err, json) => {
    result = { err, json };
  });
  if (!result) throw new Error('the HCL parser did not answer synchronously (@cdktn/hcl2json)');
  if (result.err) {
    // "parse config: [file:3,5-6: Invalid expression; Expected the start of an expression, ...]"
    const m = /:(\d+),(\d+)(?:-\d+)?: ([^\]]*)/.exec(result.err);
    throw new HclSyntaxError(m ? m[3].trim() : result.err.replace(/^parse config: /, ''), m ? Number(m[1]) : undefined, m ? Number(m[2]) : undefined);
  }
  return JSON.parse(result.json ?? '{}') as Record<string, unknown>;
}
