/**
 * Benchmark B4 (DESIGN.md §8): 50 reads of 5 entries in one process, file keyring.
 * Target: ≤ 5 key derivations (one per entry), none repeated.
 * The 5 entries are written first as another process would (not through this process's cache),
 * at the production count of 600,000 PBKDF2 iterations. Key derivations are counted twice:
 * by the keyring's own counter (every PBKDF2 it starts, jose's and its own) and, independently, by
 * wrapping WebCrypto's deriveBits (what jose calls). A baseline decrypts the same 50 reads without the cache.
 * Run: `npm run bench:b4`. Writes bench/results/b4.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FileKeyring, unsafeUnwrap, WRITE_ITERATIONS } from '../core/internal';
import { decryptEntry, derivationStats, encryptEntry } from '../core/keyring/jwe-entry';
import { fileNameForKey } from '../core/keyring/file-names';

const ENTRIES = 5;
const READS = 50;
const PASSWORD = 'bench-b4-password';

async function main(): Promise<void> {
  let webcryptoDerivations = 0;
  type DeriveBits = (...args: unknown[]) => Promise<ArrayBuffer>;
  const subtle = crypto.webcrypto.subtle as unknown as { deriveBits: DeriveBits };
  const deriveBits = subtle.deriveBits.bind(subtle);
  subtle.deriveBits = (...args: unknown[]) => {
    webcryptoDerivations++;
    return deriveBits(...args);
  };

  const dir = join(mkdtempSync(join(tmpdir(), 'infrakey-b4-')), 'keyring');
  mkdirSync(dir, { mode: 0o700 });
  const keys = Array.from({ length: ENTRIES }, (_, i) => `atmos_bench_identity-${i}`);
  const jwes: string[] = [];
  for (const key of keys) {
    const jwe = await encryptEntry(key, JSON.stringify({ type: 'aws', data: { access_key_id: `AKIABENCH${key}`, secret_access_key: `secret-${key}` } }), PASSWORD);
    writeFileSync(join(dir, fileNameForKey(key)), jwe, { mode: 0o600 });
    jwes.push(jwe);
  }

  const kr = new FileKeyring({ dir, password: PASSWORD, env: {}, isTTY: false });
  const counters = { stats: derivationStats.count, webcrypto: webcryptoDerivations };
  const t0 = performance.now();
  for (let i = 0; i < READS; i++) {
    const key = keys[i % ENTRIES];
    const v = await kr.get(key);
    if (!v || !unsafeUnwrap(v).includes(`secret-${key}`)) throw new Error(`wrong value for ${key}`);
  }
  const cachedMs = performance.now() - t0;
  const derivations = derivationStats.count - counters.stats;
  const webcrypto = webcryptoDerivations - counters.webcrypto;

  const t1 = performance.now();
  for (let i = 0; i < READS; i++) await decryptEntry(jwes[i % ENTRIES], PASSWORD);
  const uncachedMs = performance.now() - t1;

  rmSync(join(dir, '..'), { recursive: true, force: true });
  const result = {
    benchmark: 'B4',
    work: `${READS} reads of ${ENTRIES} entries in one process, file keyring`,
    target: `<= ${ENTRIES} key derivations (one per entry), none repeated`,
    pbkdf2Iterations: WRITE_ITERATIONS,
    entries: ENTRIES,
    reads: READS,
    keyDerivations: derivations,
    keyDerivationsSeenByWebCrypto: webcrypto,
    msTotal: round(cachedMs),
    msPerRead: round(cachedMs / READS),
    baselineWithoutCache: { keyDerivations: READS, msTotal: round(uncachedMs), msPerRead: round(uncachedMs / READS) },
    speedup: round(uncachedMs / cachedMs),
    pass: derivations <= ENTRIES && webcrypto <= ENTRIES,
    node: process.version,
    date: new Date().toISOString(),
  };
  const out = resolve(__dirname.includes('.cache') ? join(__dirname, '..', '..', '..') : join(__dirname, '..'), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'b4.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  if (!result.pass) process.exitCode = 1;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
