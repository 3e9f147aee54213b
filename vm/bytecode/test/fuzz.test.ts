// Loader fuzzing (DESIGN §6: "a malformed or truncated .cvb gets a clear load error, no
// crash"). Valid .cvb files made by compiling programs are mutated in many ways and fed
// to readUnit + verifyUnit: the only exceptions allowed are LoadError and VerifyError,
// no case may take long, and every unit that is accepted must disassemble.
//
// Reproduce a failure with CONVERGE_FUZZ_SEED=<seed from the test title>; one case alone
// with CONVERGE_FUZZ_CASE=<n>. CONVERGE_FUZZ_CASES sets the number of cases (default
// 12,000). Failing inputs are written to build/fuzz-failures/.

import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadError, MODULE_MAGIC, readUnit, writeUnit } from '../format-cvb.js';
import { VerifyError, verifyUnit } from '../verify.js';
import { disassemble } from '../disasm.js';
import { SAMPLE_SOURCES, compileSource, mkCode, mkUnit, repoRoot } from './helpers.js';
import { OPS, Op } from '../opcodes.js';

const SEED = process.env.CONVERGE_FUZZ_SEED !== undefined ? Number(process.env.CONVERGE_FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const NCASES = Number(process.env.CONVERGE_FUZZ_CASES ?? 12000);
const ONLY = process.env.CONVERGE_FUZZ_CASE !== undefined ? Number(process.env.CONVERGE_FUZZ_CASE) : -1;
/** A case that takes longer than this counts as a hang (real work is well under 50 ms). */
const SLOW_MS = 2000;

// -- A small seeded PRNG ---------------------------------------------------------

type Rng = () => number; // uniform in [0, 2^32)

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The PRNG of case `i`: each case can be replayed alone. */
function caseRng(i: number): Rng {
  return mulberry32(Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35));
}

const below = (r: Rng, n: number): number => (n <= 0 ? 0 : r() % n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[below(r, xs.length)];

// -- The corpus: valid .cvb files ------------------------------------------------------

function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [name, src] of Object.entries(SAMPLE_SOURCES)) out.push(writeUnit(compileSource(src, name)));
  for (const f of ['bench/binary_trees.cv', 'bench/generators.cv', 'regress/scoping/nested_closures.cv', 'regress/scoping/closure_state.cv']) {
    try {
      out.push(writeUnit(compileSource(readFileSync(join(repoRoot(), f)), f.replace(/\W/g, '_'))));
    } catch {
      /* a program this tree cannot compile: the samples suffice */
    }
  }
  // A hand-made unit with every marker kind and a closure, small enough that mutations hit code.
  const init = mkCode([Op.FUNC_DEFN, 1, Op.STORE_VAR, 0, Op.POP, Op.BUILTIN, 0, Op.RETURN], { name: '', nVars: 1, maxStack: 2 });
  const f = mkCode(
    [
      Op.ADD_EXCEPTION_FRAME, 28,
      Op.ADD_FAIL_UP_FRAME,
      Op.LOAD_OUTER, 1, 0,
      Op.APPLY_GEN, 0,
      Op.POP,
      Op.ADD_FAILURE_FRAME, 17,
      Op.INT, 3, Op.EYIELD, Op.POP,
      Op.POP_FAILURE_FRAME,
      Op.FAIL,
      Op.POP_FAILURE_FRAME,
      Op.CONST, 1, Op.LIST, 1, Op.UNPACK, 1, Op.POP, Op.POP_EXCEPTION_FRAME, Op.MODULE, Op.RETURN,
      Op.RETURN, // 28: the handler returns the exception
    ],
    { name: 'g', maxStack: 20 },
  );
  out.push(writeUnit(mkUnit([init, f])));
  return out;
}

/** Byte offsets of every count/length word in a valid file, and of every instruction word. */
function structure(b: Uint8Array): { counts: number[]; code: number[] } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 12;
  const counts: number[] = [];
  const code: number[] = [];
  const word = () => {
    const x = v.getInt32(p, true);
    p += 4;
    return x;
  };
  const str = () => {
    counts.push(p);
    const n = word();
    p += (n + 3) & ~3;
  };
  str();
  str();
  str();
  p += 8;
  counts.push(p);
  const nconsts = word();
  for (let i = 0; i < nconsts; i++) {
    const tag = word();
    if (tag === 0) str();
    else p += 8;
  }
  for (let k = 0; k < 2; k++) {
    counts.push(p);
    const n = word();
    for (let i = 0; i < n; i++) str();
  }
  counts.push(p);
  const ncodes = word();
  for (let i = 0; i < ncodes; i++) {
    str();
    counts.push(p, p + 4, p + 8);
    p += 8;
    const nParams = word();
    p += 4 * nParams + 4;
    counts.push(p);
    const nops = word();
    for (let j = 0; j < nops; j++) code.push(p + 4 * j);
    p += 12 * nops;
    counts.push(p);
    const nranges = word();
    p += 16 * nranges;
    counts.push(p);
    const nnames = word();
    for (let j = 0; j < nnames; j++) str();
  }
  counts.push(p);
  const nentries = word(); // package entries, -1 for a module
  for (let i = 0; i < nentries; i++) {
    str();
    str();
  }
  str(); // the compiler id
  if (p !== b.length) throw new Error(`structure walk ended at ${p} of ${b.length}`);
  return { counts, code };
}

// -- Mutators ----------------------------------------------------------------------------

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 15, 16, 255, 256, 0xffff, 0x10000, 0x10001, 1 << 24, (1 << 24) + 1, 0x3fffffff, 0x40000000, 0x7fffffff, -1, -2, -4, -0x80000000, -0x40000000, -0x40000001, OPS.length, OPS.length - 1];

interface Seed {
  readonly bytes: Uint8Array;
  readonly counts: readonly number[];
  readonly code: readonly number[];
}

type Mutator = (r: Rng, s: Seed, b: Uint8Array) => Uint8Array;

function setWord(b: Uint8Array, at: number, x: number): void {
  if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset, b.byteLength).setInt32(at, x, true);
}

function splice(b: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at));
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() & 0xff;
  return out;
}

const MUTATORS: Record<string, Mutator> = {
  bitflip: (r, _s, b) => {
    const n = 1 + below(r, 8);
    for (let i = 0; i < n && b.length > 0; i++) b[below(r, b.length)] ^= 1 << below(r, 8);
    return b;
  },
  overwrite: (r, _s, b) => {
    const n = 1 + below(r, 8);
    for (let i = 0; i < n && b.length > 0; i++) b[below(r, b.length)] = pick(r, [0, 0xff, 0x7f, 0x80, r() & 0xff]);
    return b;
  },
  word: (r, _s, b) => {
    setWord(b, 4 * below(r, b.length >> 2), pick(r, INTERESTING));
    return b;
  },
  truncate: (r, _s, b) => b.slice(0, below(r, b.length)),
  insert: (r, _s, b) => {
    const aligned = (r() & 1) === 0;
    const at = aligned ? 4 * below(r, (b.length >> 2) + 1) : below(r, b.length + 1);
    return splice(b, at, 0, randomBytes(r, aligned ? 4 * (1 + below(r, 4)) : 1 + below(r, 16)));
  },
  delete: (r, _s, b) => {
    const aligned = (r() & 1) === 0;
    const at = aligned ? 4 * below(r, b.length >> 2) : below(r, b.length);
    const n = Math.min(b.length - at, aligned ? 4 * (1 + below(r, 4)) : 1 + below(r, 16));
    return splice(b, at, n, new Uint8Array(0));
  },
  garbage: (r) => {
    const n = below(r, 2048);
    const g = randomBytes(r, n);
    if ((r() & 1) === 0 && n >= 12) {
      // Past the magic and version, so the reader gets as far as the lengths.
      for (let i = 0; i < 8; i++) g[i] = MODULE_MAGIC.charCodeAt(i);
      setWord(g, 8, 1);
      for (let i = 12; i + 4 <= n; i += 4) if ((r() & 3) !== 0) setWord(g, i, below(r, 64));
    }
    return g;
  },
  length: (r, s, b) => {
    const at = pick(r, s.counts);
    if (at + 4 > b.length) return b; // an earlier step shortened the file
    const old = new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(at, true);
    setWord(b, at, pick(r, [pick(r, INTERESTING), old + 1, old - 1, old + 4, old * 2, old + below(r, 100) - 50]));
    return b;
  },
  code: (r, s, b) => {
    if (s.code.length === 0) return b;
    const n = 1 + below(r, 3);
    for (let i = 0; i < n; i++) setWord(b, pick(r, s.code), pick(r, [below(r, OPS.length + 2), below(r, 40) - 4, pick(r, INTERESTING)]));
    return b;
  },
  swapcode: (r, s, b) => {
    // Exchanges two instruction words: valid opcodes in the wrong places.
    if (s.code.length < 2) return b;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const i = pick(r, s.code);
    const j = pick(r, s.code);
    if (Math.max(i, j) + 4 > b.length) return b;
    const x = v.getInt32(i, true);
    v.setInt32(i, v.getInt32(j, true), true);
    v.setInt32(j, x, true);
    return b;
  },
};
const MUTATOR_NAMES = Object.keys(MUTATORS);

// -- The run -----------------------------------------------------------------------------

interface Failure {
  readonly index: number;
  readonly how: string;
  readonly what: string;
  readonly file: string;
}

function saveInput(index: number, b: Uint8Array): string {
  const dir = join(repoRoot(), 'build', 'fuzz-failures');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `seed-${SEED}-case-${index}.cvb`);
  writeFileSync(file, b);
  return file;
}

test(`loader fuzz: ${NCASES} mutated .cvb files only raise LoadError or VerifyError (seed ${SEED})`, (t) => {
  const seeds: Seed[] = corpus().map((bytes) => ({ bytes, ...structure(bytes) }));
  t.true(seeds.length >= 4);
  for (const s of seeds) verifyUnit(readUnit(s.bytes, 'seed.cvb'));
  const tally: Record<string, number> = { load: 0, verify: 0, accepted: 0 };
  const byMutator: Record<string, { load: number; verify: number; accepted: number }> = {};
  for (const m of MUTATOR_NAMES) byMutator[m] = { load: 0, verify: 0, accepted: 0 };
  const failures: Failure[] = [];
  let slowest = 0;
  for (let i = 0; i < NCASES; i++) {
    if (ONLY >= 0 && i !== ONLY) continue;
    const r = caseRng(i);
    const s = pick(r, seeds);
    const steps = 1 + (below(r, 4) === 0 ? below(r, 3) : 0);
    let b: Uint8Array = s.bytes.slice();
    const how: string[] = [];
    for (let k = 0; k < steps; k++) {
      const m = pick(r, MUTATOR_NAMES);
      how.push(m);
      b = MUTATORS[m](r, s, b);
    }
    const t0 = performance.now();
    let outcome: 'load' | 'verify' | 'accepted';
    try {
      const u = readUnit(b, 'fuzz.cvb');
      // Even a unit that fails verification must disassemble (converge --dis on a bad file).
      disassemble(u);
      verifyUnit(u);
      disassemble(u);
      outcome = 'accepted';
    } catch (e) {
      if (e instanceof LoadError) outcome = 'load';
      else if (e instanceof VerifyError) outcome = 'verify';
      else {
        const what = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
        failures.push({ index: i, how: how.join('+'), what, file: saveInput(i, b) });
        continue;
      }
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (ms > SLOW_MS) failures.push({ index: i, how: how.join('+'), what: `took ${ms.toFixed(0)} ms`, file: saveInput(i, b) });
    tally[outcome]++;
    byMutator[how[0]][outcome]++;
  }
  t.log(`seed ${SEED}: ${JSON.stringify(tally)}, slowest case ${slowest.toFixed(1)} ms`);
  t.log(`by first mutator: ${MUTATOR_NAMES.map((m) => `${m} ${byMutator[m].load}/${byMutator[m].verify}/${byMutator[m].accepted}`).join(', ')} (load/verify/accepted)`);
  for (const f of failures.slice(0, 5)) t.log(`case ${f.index} (${f.how}) -> ${f.file}\n${f.what}`);
  t.deepEqual(
    failures.map((f) => `case ${f.index} (${f.how}): ${f.what.split('\n')[0]}`),
    [],
    `reproduce with CONVERGE_FUZZ_SEED=${SEED} CONVERGE_FUZZ_CASE=<n>`,
  );
  if (ONLY < 0) {
    // The mutations must reach every stage, or the run proves little.
    t.true(tally.load > NCASES / 10, 'too few load errors');
    t.true(tally.verify > NCASES / 50, 'too few verify errors');
    t.true(tally.accepted > 0, 'no mutated file was accepted');
  }
});

test('fuzz corpus structure walk matches the format (so length mutations hit real length words)', (t) => {
  const b = writeUnit(mkUnit([mkCode([Op.MODULE, Op.RETURN], { name: '', nVars: 1 })]));
  const s = structure(b);
  // name, modId, srcPath, #consts, const string, #imports, import string, #topVars, top var,
  // #codes, code name, maxStack, nVars, nParams, #ops, #failure ranges, #names, var name,
  // #package entries and the compiler id's length.
  t.is(s.counts.length, 20);
  t.deepEqual(s.code.length, 2);
  for (const at of s.counts) {
    const c = b.slice();
    setWord(c, at, 0x7fffffff);
    t.throws(() => readUnit(c, 'x.cvb'), { instanceOf: LoadError }, `count at ${at}`);
  }
});
