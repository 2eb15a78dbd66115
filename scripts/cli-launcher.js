#!/usr/bin/env node
// The `infrakey` bin (copied to dist/cli/infrakey.js by scripts/bundle-cli.js): loads the one-file
// bundle with a V8 code cache.
//
// Why not Node's own `module.enableCompileCache()`: it stores the code V8 made when it compiled
// the file, which for a bundle is little more than the top level; every function a command runs
// is still compiled on each start. This launcher asks V8 for the cache when the process exits
// (`vm.Script#createCachedData`), so it holds every function the command ran, and it works on
// Node 20, which has no compile cache at all. Benchmark B2 (docs/benchmarks.md) measures both.
//
// One cache file per command (`secret get`, `describe component`, ...: the first two words): the
// first run of a command writes it, later runs start from it. (A name or a stack in second place,
// `auth login dev`, only makes one more file for that command.) The cache lives where Node keeps its
// own (`NODE_COMPILE_CACHE`, else a folder of the user's in the temp folder), in a folder that
// must be the user's own with mode 0700 (code is read from it, so nobody else may write there).
// `NODE_DISABLE_COMPILE_CACHE=1` turns it off. Any problem with the cache only costs speed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const bundle = path.join(__dirname, 'infrakey-bundle.js');

/** `secret-get` for `infrakey secret get …`: the leading words of the command line (two at most). */
function commandKey(args) {
  const words = [];
  for (const a of args.slice(0, 2)) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(a)) break;
    words.push(a);
  }
  return words.length ? words.join('-') : '_';
}

/** The cache folder, created 0700; undefined when it cannot be trusted or made. */
function cacheFolder() {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const base = process.env.NODE_COMPILE_CACHE || path.join(require('node:os').tmpdir(), `infrakey-compile-cache-${uid ?? 'user'}`);
  const dir = path.join(base, 'infrakey');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0))) return undefined;
  return dir;
}

function load() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return require(bundle);
  let source;
  let cacheFile;
  let cached;
  try {
    source = fs.readFileSync(bundle, 'utf8');
    const st = fs.statSync(bundle);
    const verb = commandKey(process.argv.slice(2));
    const dir = cacheFolder();
    if (dir) {
      cacheFile = path.join(dir, `${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}-${verb}.cache`);
      try {
        cached = fs.readFileSync(cacheFile);
      } catch {
        // first run of this verb
      }
    }
  } catch {
    return require(bundle);
  }
  // Keep line and column numbers: the hashbang becomes a comment of the same length.
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const vm = require('node:vm');
  // The bundle has no `import()` (scripts/bundle-cli.js makes sure): a script run this way could
  // only use it behind an experimental flag.
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cached });
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a full or read-only disk only costs speed
      }
    });
  }
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  const wrapper = script.runInThisContext();
  wrapper.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, __dirname);
  mod.loaded = true;
  return mod.exports;
}

load();
