// Benchmark runner (`make bench`): runs every program of bench/ under Converge and
// under each peer language found on PATH, checks that all of them print the same
// `checksum:` line, and prints a table of median times and Converge/peer ratios.
//
// Usage: node build/tools/bench.mjs [--runs N] [--converge PATH] [--only a,b]
//          [--size-scale F] [--json out.json] [--peers python3,pypy3,luajit,node]
//          [--timeout SECONDS]
//
// Each program prints `checksum: <value>` and `elapsed: <seconds>` (its kernel's
// own timing, excluding start-up, compilation and warm-up); the wall time of the
// whole process is used only when `elapsed:` is missing. Timing is never asserted:
// a failing or mismatching run is reported loudly, and the exit status is 0 unless
// the runner itself breaks (bad arguments, unreadable bench/sizes.json: status 2).

import minimist from 'minimist';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// --- Configuration ----------------------------------------------------------------

/** How a benchmark's work grows with its size; used by --size-scale. */
type Work = 'linear' | 'quadratic' | 'exponential' | 'factorial';

interface BenchSpec {
  readonly name: string;
  readonly size: number;
  readonly work: Work;
}

/** A language implementation that runs the programs with one file extension. */
interface Impl {
  /** Column label: `converge` or the peer's command as given. */
  readonly label: string;
  /** Executable (absolute path when found on PATH). */
  readonly command: string;
  /** File extension of its programs in bench/, without the dot. */
  readonly ext: string;
  readonly isConverge: boolean;
}

interface Options {
  readonly runs: number;
  readonly converge: string;
  readonly only: readonly string[] | null;
  readonly sizeScale: number;
  readonly json: string | null;
  readonly peers: readonly string[];
  readonly timeoutMs: number;
}

class UsageError extends Error {}

const USAGE = `Usage: node build/tools/bench.mjs [options]

  --runs N            runs per implementation and benchmark (default 5)
  --converge PATH     the Converge launcher (default <repo>/bin/converge)
  --only a,b,...      run only these benchmarks (names as in bench/sizes.json)
  --size-scale F      scale every size so that the work is about F times the default
  --json FILE         also write all measurements to FILE as JSON
  --peers a,b,...     peer commands to compare with, if found on PATH
                      (default python3,pypy3,luajit,node; 'cmd:ext' names the
                      program extension for an unknown command)
  --timeout S         kill a run after S seconds (default 600)
  --help              show this text
`;

const DEFAULT_PEERS = ['python3', 'pypy3', 'luajit', 'node'];

/** Program file extension for the peers we know about. */
function peerExtension(cmd: string): string | null {
  const base = cmd.split('/').pop() ?? cmd;
  if (/^(python|pypy)/.test(base)) return 'py';
  if (/^(luajit|lua)/.test(base)) return 'lua';
  if (/^(node|bun|deno)/.test(base)) return 'js';
  return null;
}

/** The repository root: the nearest ancestor of this script holding bench/sizes.json. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'bench', 'sizes.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no bench/sizes.json above the runner)');
    dir = parent;
  }
}

function parseOptions(argv: readonly string[], repo: string): Options | null {
  const args = minimist([...argv], {
    string: ['runs', 'converge', 'only', 'size-scale', 'json', 'peers', 'timeout'],
    boolean: ['help'],
    alias: { h: 'help' },
    unknown: (a) => {
      if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
      return true;
    },
  });
  if (args.help) return null;
  if (args._.length > 0) throw new UsageError(`unexpected argument '${args._[0]}'`);
  const one = (name: string): string | undefined => {
    const v: unknown = args[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) throw new UsageError(`--${name} given more than once`);
    if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} needs a value`);
    return v;
  };
  const num = (name: string, dflt: number, integer: boolean): number => {
    const v = one(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name} needs a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
    }
    return n;
  };
  const list = (name: string): string[] | undefined => {
    const v = one(name);
    return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  };
  const conv = one('converge');
  return {
    runs: num('runs', 5, true),
    converge: conv === undefined ? join(repo, 'bin', 'converge') : conv,
    only: list('only') ?? null,
    sizeScale: num('size-scale', 1, false),
    json: one('json') ?? null,
    peers: list('peers') ?? DEFAULT_PEERS,
    timeoutMs: num('timeout', 600, false) * 1000,
  };
}

function loadSpecs(repo: string): BenchSpec[] {
  const path = join(repo, 'bench', 'sizes.json');
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${path}: expected an object`);
  const specs: BenchSpec[] = [];
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    // Either a bare size (linear work) or { "size": N, "work": "..." }.
    let size: unknown = v;
    let work: unknown = 'linear';
    if (typeof v === 'object' && v !== null) {
      size = (v as Record<string, unknown>).size;
      work = (v as Record<string, unknown>).work ?? 'linear';
    }
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new Error(`${path}: ${name}: bad size`);
    if (work !== 'linear' && work !== 'quadratic' && work !== 'exponential' && work !== 'factorial') {
      throw new Error(`${path}: ${name}: unknown work kind ${JSON.stringify(work)}`);
    }
    specs.push({ name, size, work });
  }
  return specs;
}

/** Log of the work done at size n (up to a constant), for the discrete work kinds. */
function logWork(work: 'exponential' | 'factorial', n: number): number {
  if (work === 'exponential') return n * Math.LN2 + Math.log(Math.max(n, 1));
  let s = Math.log(Math.max(n, 1));
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** The size whose work is closest to `scale` times the work at `size` (at least 1). */
export function scaleSize(size: number, work: Work, scale: number): number {
  if (scale === 1) return size;
  switch (work) {
    case 'linear':
      return Math.max(1, Math.round(size * scale));
    case 'quadratic':
      return Math.max(1, Math.round(size * Math.sqrt(scale)));
    case 'exponential':
    case 'factorial': {
      const target = logWork(work, size) + Math.log(scale);
      let best = 1;
      for (let m = 1; m <= size + 64; m++) {
        if (Math.abs(logWork(work, m) - target) < Math.abs(logWork(work, best) - target)) best = m;
      }
      return best;
    }
  }
}

/** Absolute path of an executable command, searching PATH if it has no slash. */
function whichCommand(cmd: string): string | null {
  const isExec = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return isExec(cmd) ? resolve(cmd) : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, cmd);
    if (isExec(p)) return p;
  }
  return null;
}

/** The peers of --peers that exist on this machine, in the order given. */
function findPeers(names: readonly string[]): { found: Impl[]; missing: string[] } {
  const found: Impl[] = [];
  const missing: string[] = [];
  for (const entry of names) {
    const colon = entry.lastIndexOf(':');
    const cmd = colon > 0 ? entry.slice(0, colon) : entry;
    const ext = colon > 0 ? entry.slice(colon + 1) : peerExtension(cmd);
    if (ext === null) throw new UsageError(`don't know the program extension for peer '${cmd}'; write it as ${cmd}:EXT`);
    const path = whichCommand(cmd);
    if (path === null) missing.push(`${cmd} (not on PATH)`);
    else found.push({ label: cmd, command: path, ext, isConverge: false });
  }
  return { found, missing };
}

// --- Running ------------------------------------------------------------------------

interface RunResult {
  readonly ok: boolean;
  /** Seconds: the program's `elapsed:` figure, else the wall time. */
  readonly seconds: number;
  readonly fromElapsed: boolean;
  /** The full `checksum: ...` line, or null. */
  readonly checksum: string | null;
  /** Why the run failed (exit status, signal, timeout, missing checksum, spawn error). */
  readonly failure: string | null;
  readonly stderr: string;
}

const OUTPUT_CAP = 1 << 20;

/** The benchmark process running now, if any (killed on ^C). */
let currentChild: ChildProcess | null = null;

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (currentChild !== null) killGroup(currentChild);
    process.stderr.write(`\nbench: interrupted\n`);
    process.exit(130);
  });
}

function runOnce(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const start = process.hrtime.bigint();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | null = null;
    // Its own process group, so that a timeout or ^C also ends whatever a launcher
    // script started.
    const child = spawn(command, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    currentChild = child;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < OUTPUT_CAP) stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      if (stderr.length < OUTPUT_CAP) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (e: Error) => {
      spawnError = e.message;
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      currentChild = null;
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const checksum = /^checksum:.*$/m.exec(stdout)?.[0].trimEnd() ?? null;
      const elapsedMatch = /^elapsed:\s*([-+0-9.eE]+|inf|nan)\s*$/m.exec(stdout);
      const elapsed = elapsedMatch === null ? NaN : Number(elapsedMatch[1]);
      const fromElapsed = Number.isFinite(elapsed) && elapsed >= 0;
      let failure: string | null = null;
      if (spawnError !== null) failure = `cannot run ${command}: ${spawnError}`;
      else if (timedOut) failure = `timed out after ${timeoutMs / 1000} s`;
      else if (signal !== null) failure = `killed by signal ${signal}`;
      else if (code !== 0) failure = `exit status ${code}`;
      else if (checksum === null) failure = 'no checksum line in its output';
      resolvePromise({
        ok: failure === null,
        seconds: fromElapsed ? elapsed : wall,
        fromElapsed,
        checksum,
        failure,
        stderr: failure !== null && checksum === null && stderr === '' ? stdout : stderr,
      });
    });
  });
}

interface ImplResult {
  readonly impl: Impl;
  /** 'missing': this implementation has no program for the benchmark. */
  status: 'ok' | 'fail' | 'missing';
  readonly times: number[];
  checksum: string | null;
  failure: string | null;
  stderrHead: string[];
  /** Runs whose checksum line differed from the reference. */
  mismatches: string[];
  wallFallback: boolean;
}

interface BenchResult {
  readonly spec: BenchSpec;
  readonly size: number;
  readonly results: ImplResult[];
  reference: { label: string; checksum: string } | null;
}

function progress(msg: string): void {
  process.stderr.write(msg);
}

async function runImpl(impl: Impl, spec: BenchSpec, size: number, repo: string, opts: Options): Promise<ImplResult> {
  const program = join(repo, 'bench', `${spec.name}.${impl.ext}`);
  const res: ImplResult = {
    impl,
    status: 'missing',
    times: [],
    checksum: null,
    failure: null,
    stderrHead: [],
    mismatches: [],
    wallFallback: false,
  };
  if (!existsSync(program)) return res;
  res.status = 'ok';
  progress(`  ${impl.label.padEnd(10)}`);
  for (let i = 0; i < opts.runs; i++) {
    const r = await runOnce(impl.command, [program, String(size)], repo, opts.timeoutMs);
    if (!r.ok) {
      // A failing program fails the same way every time: don't repeat it.
      res.status = 'fail';
      res.failure = r.failure;
      res.stderrHead = r.stderr.split('\n').filter((l) => l.trim() !== '').slice(0, 6);
      progress(` FAIL (${r.failure})`);
      break;
    }
    res.times.push(r.seconds);
    if (!r.fromElapsed) res.wallFallback = true;
    if (res.checksum === null) res.checksum = r.checksum;
    else if (r.checksum !== res.checksum) res.mismatches.push(`run ${i + 1} printed '${r.checksum}', run 1 printed '${res.checksum}'`);
    progress(` ${r.seconds.toFixed(3)}`);
  }
  progress('\n');
  return res;
}

async function runBenchmark(spec: BenchSpec, converge: Impl, peers: readonly Impl[], repo: string, opts: Options): Promise<BenchResult> {
  const size = scaleSize(spec.size, spec.work, opts.sizeScale);
  progress(`${spec.name} (size ${size})\n`);
  const results: ImplResult[] = [];
  // Peers first, so the reference checksum is known before Converge runs.
  for (const p of peers) results.push(await runImpl(p, spec, size, repo, opts));
  const conv = await runImpl(converge, spec, size, repo, opts);
  results.unshift(conv);
  const bench: BenchResult = { spec, size, results, reference: null };

  // The reference is the first peer (in --peers order) that produced a checksum;
  // without one, Converge's own first run (so its runs are at least self-consistent).
  for (const r of [...results.slice(1), conv]) {
    if (r.checksum !== null) {
      bench.reference = { label: r.impl.label, checksum: r.checksum };
      break;
    }
  }
  if (bench.reference !== null) {
    const ref = bench.reference;
    for (const r of results) {
      if (r.checksum !== null && r.checksum !== ref.checksum && r.impl.label !== ref.label) {
        r.mismatches.unshift(`printed '${r.checksum}', ${ref.label} printed '${ref.checksum}'`);
      }
    }
  }
  for (const r of results) {
    for (const m of r.mismatches) progress(`  *** CHECKSUM MISMATCH: ${r.impl.label} ${m}\n`);
  }
  return bench;
}

// --- Reporting ----------------------------------------------------------------------

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function stats(r: ImplResult): { median: number; min: number; max: number } | null {
  if (r.status !== 'ok' || r.times.length === 0) return null;
  return { median: median(r.times), min: Math.min(...r.times), max: Math.max(...r.times) };
}

function fmtSeconds(s: number): string {
  return s >= 100 ? s.toFixed(1) : s.toFixed(3);
}

function fmtRatio(x: number): string {
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;
}

/** `median [min..max]`, `FAIL`, or `-` for a missing program; `!` marks a checksum mismatch. */
function timeCell(r: ImplResult): string {
  const st = stats(r);
  if (r.status === 'missing') return '-';
  if (st === null) return 'FAIL';
  const mark = r.mismatches.length > 0 ? ' !' : r.wallFallback ? ' w' : '';
  return `${fmtSeconds(st.median)} [${fmtSeconds(st.min)}..${fmtSeconds(st.max)}]${mark}`;
}

function ratioOf(bench: BenchResult, peerIndex: number): number | null {
  const c = stats(bench.results[0]);
  const p = stats(bench.results[peerIndex]);
  if (c === null || p === null || p.median <= 0) return null;
  return c.median / p.median;
}

function renderTable(benches: readonly BenchResult[], peers: readonly Impl[]): string {
  const header = ['benchmark', 'size', 'converge (s)'];
  for (const p of peers) header.push(`${p.label} (s)`, `conv/${p.label}`);
  const rows: string[][] = [];
  for (const b of benches) {
    const row = [b.spec.name, String(b.size), timeCell(b.results[0])];
    peers.forEach((_, i) => {
      const ratio = ratioOf(b, i + 1);
      row.push(timeCell(b.results[i + 1]), ratio === null ? '-' : fmtRatio(ratio));
    });
    rows.push(row);
  }
  // Geometric mean of the ratios, over the benchmarks where both sides succeeded.
  if (peers.length > 0 && benches.length > 1) {
    const row = ['geomean', '', ''];
    peers.forEach((_, i) => {
      const rs = benches.map((b) => ratioOf(b, i + 1)).filter((r): r is number => r !== null && r > 0);
      const g = rs.length === 0 ? null : Math.exp(rs.reduce((a, r) => a + Math.log(r), 0) / rs.length);
      row.push('', g === null ? '-' : `${fmtRatio(g)} (${rs.length})`);
    });
    rows.push(row);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  rows.forEach((r, i) => {
    if (i === benches.length) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
    out.push(line(r));
  });
  return out.join('\n') + '\n';
}

function renderProblems(benches: readonly BenchResult[]): string {
  const out: string[] = [];
  for (const b of benches) {
    for (const r of b.results) {
      if (r.status === 'fail') {
        out.push(`${b.spec.name}: ${r.impl.label} FAIL (${r.failure})`);
        for (const l of r.stderrHead) out.push(`    ${l}`);
      }
    }
  }
  const mism: string[] = [];
  for (const b of benches) {
    for (const r of b.results) for (const m of r.mismatches) mism.push(`${b.spec.name}: ${r.impl.label} ${m}`);
  }
  if (mism.length > 0) {
    out.push('', '*'.repeat(72), `*** CHECKSUM MISMATCH in ${mism.length} case(s): the results below are WRONG`);
    for (const m of mism) out.push(`***   ${m}`);
    out.push('*'.repeat(72));
  }
  const wall = benches.flatMap((b) => b.results.filter((r) => r.wallFallback).map((r) => `${b.spec.name}/${r.impl.label}`));
  if (wall.length > 0) out.push(`w: no 'elapsed:' line, wall time used (${wall.join(', ')})`);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

function toJson(benches: readonly BenchResult[], opts: Options, peers: readonly Impl[], converge: Impl): unknown {
  return {
    date: new Date().toISOString(),
    converge: converge.command,
    runs: opts.runs,
    sizeScale: opts.sizeScale,
    peers: peers.map((p) => ({ label: p.label, command: p.command, ext: p.ext })),
    benchmarks: benches.map((b) => ({
      name: b.spec.name,
      size: b.size,
      reference: b.reference,
      results: Object.fromEntries(
        b.results.map((r) => {
          const st = stats(r);
          return [
            r.impl.label,
            {
              status: r.status,
              times: r.times,
              median: st?.median ?? null,
              min: st?.min ?? null,
              max: st?.max ?? null,
              checksum: r.checksum,
              checksumOk: r.status === 'ok' ? r.mismatches.length === 0 : null,
              mismatches: r.mismatches,
              wallTime: r.wallFallback,
              failure: r.failure,
              stderr: r.stderrHead,
            },
          ];
        }),
      ),
      ratios: Object.fromEntries(peers.map((p, i) => [p.label, ratioOf(b, i + 1)])),
    })),
  };
}

// --- Main ---------------------------------------------------------------------------

async function main(): Promise<number> {
  let repo: string;
  let opts: Options | null;
  let specs: BenchSpec[];
  let peers: Impl[];
  let missing: string[];
  try {
    repo = findRepoRoot();
    opts = parseOptions(process.argv.slice(2), repo);
    if (opts === null) {
      process.stdout.write(USAGE);
      return 0;
    }
    specs = loadSpecs(repo);
    if (opts.only !== null) {
      const known = new Set(specs.map((s) => s.name));
      const unknown = opts.only.filter((n) => !known.has(n));
      if (unknown.length > 0) throw new UsageError(`unknown benchmark(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
      const wanted = new Set(opts.only);
      specs = specs.filter((s) => wanted.has(s.name));
    }
    ({ found: peers, missing } = findPeers(opts.peers));
    // A peer with no program for any selected benchmark would only add empty columns.
    const noPrograms = peers.filter((p) => !specs.some((s) => existsSync(join(repo, 'bench', `${s.name}.${p.ext}`))));
    peers = peers.filter((p) => !noPrograms.includes(p));
    missing.push(...noPrograms.map((p) => `${p.label} (no .${p.ext} programs)`));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }

  const convPath = isAbsolute(opts.converge) || !opts.converge.includes('/') ? opts.converge : resolve(opts.converge);
  const converge: Impl = { label: 'converge', command: whichCommand(convPath) ?? convPath, ext: 'cv', isConverge: true };
  process.stderr.write(
    `bench: converge = ${converge.command}; peers: ${peers.map((p) => p.label).join(', ') || 'none'}` +
      (missing.length > 0 ? ` (not used: ${missing.join(', ')})` : '') +
      `; ${opts.runs} run(s) each` +
      (opts.sizeScale !== 1 ? `; size scale ${opts.sizeScale}` : '') +
      '\n',
  );

  const benches: BenchResult[] = [];
  for (const spec of specs) benches.push(await runBenchmark(spec, converge, peers, repo, opts));

  process.stdout.write('\n' + renderTable(benches, peers));
  const problems = renderProblems(benches);
  if (problems !== '') process.stdout.write('\n' + problems);
  if (opts.json !== null) {
    writeFileSync(opts.json, JSON.stringify(toJson(benches, opts, peers, converge), null, 2) + '\n');
    process.stderr.write(`bench: wrote ${opts.json}\n`);
  }
  return 0;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    process.stderr.write(`bench: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
