// Regression-suite runner: runs every `regress/**/*.cv` that has a `.out` sidecar and compares
// its stdout, stderr and exit status with the expected ones (format described in
// regress/README.md).
//
//   node build/tools/regress.mjs [--gc-stress] [--converge PATH] [--jobs N] [--timeout S] [filters...]
//
// Filters are substrings of the test path (relative to the repository root); a test runs if it
// matches any of them. Exit status 0 iff no test failed (known failures listed in
// regress/known-failures.txt do not count, but a listed test that passes does).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism, constants as osConstants } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import minimist from 'minimist';

const DEFAULT_TIMEOUT_S = 60;
const CONTEXT_LINES = 3;
/** A program that writes more than this is stopped (most likely it loops). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const MAX_DIFF_LINES = 200;

interface Options {
  gcStress: boolean;
  converge: string;
  jobs: number;
  timeoutMs: number;
  filters: string[];
  root: string;
}

interface Test {
  /** Path relative to the repository root, with `/` separators (e.g. `regress/eval/not.cv`). */
  name: string;
  /** Path relative to the regress directory (the form used in known-failures.txt). */
  key: string;
  file: string;
  dir: string;
}

interface Expected {
  stdout: string;
  stderr: string;
  status: number;
  args: string[];
  stdin: Buffer | null;
}

interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
  /** Human-readable description of how the process ended when it was not a normal exit. */
  how: string | null;
}

type Outcome = 'pass' | 'fail' | 'known-failure' | 'unexpected-pass' | 'skipped';

function usage(): string {
  return 'Usage: node build/tools/regress.mjs [--gc-stress] [--converge PATH] [--jobs N] [--timeout SECONDS] [filters...]';
}

/** The repository root: the nearest ancestor of this script (or of the cwd) holding `regress/`. */
function findRoot(): string {
  const starts: string[] = [];
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // Not running from a file URL: fall back on the current directory.
  }
  starts.push(process.cwd());
  for (const start of starts) {
    let d = resolve(start);
    for (;;) {
      if (existsSync(join(d, 'regress')) && existsSync(join(d, 'package.json'))) return d;
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return process.cwd();
}

function parseOptions(argv: string[]): Options {
  const a = minimist(argv, {
    boolean: ['gc-stress', 'help'],
    string: ['converge', 'jobs', 'timeout'],
    alias: { h: 'help', j: 'jobs' },
    unknown: (arg: string) => {
      if (arg === '--update' || arg.startsWith('--update=')) {
        process.stderr.write('regress: --update is not supported: expected files are written by hand\n');
        process.exit(2);
      }
      if (arg.startsWith('-')) {
        process.stderr.write(`regress: unknown option '${arg}'\n${usage()}\n`);
        process.exit(2);
      }
      return true;
    },
  });
  if (a.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }
  const root = findRoot();
  let jobs = availableParallelism();
  if (a.jobs !== undefined) {
    jobs = Number(a.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) {
      process.stderr.write(`regress: --jobs needs a positive integer, got '${String(a.jobs)}'\n`);
      process.exit(2);
    }
  }
  let timeout = DEFAULT_TIMEOUT_S;
  if (a.timeout !== undefined) {
    timeout = Number(a.timeout);
    if (!(timeout > 0)) {
      process.stderr.write(`regress: --timeout needs a positive number of seconds, got '${String(a.timeout)}'\n`);
      process.exit(2);
    }
  }
  const converge = a.converge !== undefined ? resolve(String(a.converge)) : join(root, 'bin', 'converge');
  return {
    gcStress: Boolean(a['gc-stress']),
    converge,
    jobs,
    timeoutMs: timeout * 1000,
    filters: a._.map((f) => String(f)),
    root,
  };
}

function findTests(root: string, filters: string[]): Test[] {
  const regressDir = join(root, 'regress');
  const tests: Test[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(p);
      } else if (entry.name.endsWith('.cv') && existsSync(p.slice(0, -3) + '.out')) {
        const name = relative(root, p).split(sep).join('/');
        const key = relative(regressDir, p).split(sep).join('/');
        tests.push({ name, key, file: p, dir });
      }
    }
  };
  if (existsSync(regressDir)) walk(regressDir);
  tests.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  if (filters.length === 0) return tests;
  return tests.filter((t) => filters.some((f) => t.name.includes(f)));
}

/** Entries of regress/known-failures.txt, as paths relative to regress/. */
function readKnownFailures(root: string): Set<string> {
  const p = join(root, 'regress', 'known-failures.txt');
  const known = new Set<string>();
  if (!existsSync(p)) return known;
  for (let line of readFileSync(p, 'utf8').split(/\r?\n/)) {
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line === '') continue;
    if (line.startsWith('regress/')) line = line.slice('regress/'.length);
    known.add(line);
  }
  return known;
}

function readSidecar(test: Test, ext: string): Buffer | null {
  const p = test.file.slice(0, -3) + ext;
  return existsSync(p) ? readFileSync(p) : null;
}

function readExpected(test: Test): Expected {
  const out = readSidecar(test, '.out');
  const err = readSidecar(test, '.err');
  const exit = readSidecar(test, '.exit');
  const args = readSidecar(test, '.args');
  let status = 0;
  if (exit !== null) {
    const s = exit.toString('utf8').trim();
    if (!/^\d+$/.test(s)) throw new Error(`${test.name}: malformed .exit file '${s}'`);
    status = Number(s);
  }
  let argList: string[] = [];
  if (args !== null) {
    argList = args.toString('utf8').split('\n');
    if (argList.length > 0 && argList[argList.length - 1] === '') argList.pop();
  }
  return {
    stdout: out === null ? '' : out.toString('latin1'),
    stderr: err === null ? '' : err.toString('latin1'),
    status,
    args: argList,
    stdin: readSidecar(test, '.stdin'),
  };
}

/** Process groups of the programs currently running (killed on timeout and on Ctrl-C). */
const running = new Set<number>();

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function runTest(opts: Options, test: Test, exp: Expected): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const argv = [...(opts.gcStress ? ['--gc-stress'] : []), test.file, ...exp.args];
    // Each test runs in its own process group so that a timeout also kills its children.
    const child = spawn(opts.converge, argv, { cwd: test.dir, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | null = null;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let done = false;
    let graceTimer: NodeJS.Timeout | null = null;
    let outputBytes = 0;
    let tooMuchOutput = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid);
    }, opts.timeoutMs);
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (graceTimer !== null) clearTimeout(graceTimer);
      if (pid !== undefined) running.delete(pid);
      let status = exitCode ?? -1;
      let how: string | null = null;
      if (spawnError !== null) {
        how = `could not run ${opts.converge}: ${spawnError.message}`;
      } else if (tooMuchOutput) {
        how = `stopped after writing more than ${MAX_OUTPUT_BYTES} bytes`;
      } else if (timedOut) {
        how = `timed out after ${opts.timeoutMs / 1000} s`;
      } else if (exitSignal !== null) {
        const n = (osConstants.signals as Record<string, number>)[exitSignal] ?? 0;
        status = 128 + n;
        how = `killed by ${exitSignal}`;
      }
      resolvePromise({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('latin1'),
        status,
        how,
      });
    };
    const collect = (into: Buffer[]) => (d: Buffer): void => {
      outputBytes += d.length;
      if (outputBytes > MAX_OUTPUT_BYTES) {
        if (!tooMuchOutput) {
          tooMuchOutput = true;
          killGroup(pid);
        }
        return;
      }
      into.push(d);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.stdin.on('error', () => {
      // The program may exit without reading its input (EPIPE): that is not an error.
    });
    child.on('error', (e: Error) => {
      spawnError = e;
      finish();
    });
    child.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      exitCode = code;
      exitSignal = signal;
      // Output is complete at 'close'; if a left-over grandchild keeps the pipes open, give up
      // waiting for it after a short while.
      graceTimer = setTimeout(() => {
        killGroup(pid);
        finish();
      }, 5000);
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (exitCode === null && exitSignal === null) {
        exitCode = code;
        exitSignal = signal;
      }
      finish();
    });
    if (exp.stdin !== null) child.stdin.end(exp.stdin);
    else child.stdin.end();
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Makes run-dependent text comparable: object addresses and the test's directory. */
function normalise(text: string, dirs: string[]): string {
  let t = text.replace(/<Object@[0-9a-fA-F]+>/g, '<Object@ADDR>');
  for (const d of dirs) {
    if (d === '' || d === sep) continue;
    t = t.replace(new RegExp(escapeRegExp(d), 'g'), '$DIR');
  }
  return t;
}

function testDirs(test: Test): string[] {
  const dirs = new Set<string>([resolve(test.dir)]);
  try {
    dirs.add(realpathSync(test.dir));
  } catch {
    // Keep the unresolved path only.
  }
  // Longest first, so that a symlink-free path that contains the other is replaced whole.
  return [...dirs].sort((x, y) => y.length - x.length);
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of output';
  return lines;
}

type Edit = { op: ' ' | '-' | '+'; line: string };

/** Line diff (longest common subsequence); fine for the small outputs of regression tests. */
function diffLines(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    // Too big for the quadratic table: show everything as replaced.
    return [...a.map((line): Edit => ({ op: '-', line })), ...b.map((line): Edit => ({ op: '+', line }))];
  }
  const lcs: Uint32Array[] = [];
  for (let i = 0; i <= n; i++) lcs.push(new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      edits.push({ op: '-', line: a[i++] });
    } else {
      edits.push({ op: '+', line: b[j++] });
    }
  }
  while (i < n) edits.push({ op: '-', line: a[i++] });
  while (j < m) edits.push({ op: '+', line: b[j++] });
  return edits;
}

/** A unified-style diff of expected (`-`) against actual (`+`), with a few lines of context. */
function unifiedDiff(what: string, expected: string, actual: string): string {
  const a = splitLines(expected);
  const b = splitLines(actual);
  const edits = diffLines(a, b);
  const out: string[] = [`--- expected ${what}`, `+++ actual ${what}`];
  // Group changes into hunks with CONTEXT_LINES of context.
  const changed = edits.map((e) => e.op !== ' ');
  let k = 0;
  let printed = 0;
  while (k < edits.length) {
    if (!changed[k]) {
      k++;
      continue;
    }
    let start = Math.max(0, k - CONTEXT_LINES);
    let end = k;
    // Extend the hunk while the next change is within 2 * context lines.
    for (;;) {
      while (end < edits.length && changed[end]) end++;
      let next = end;
      while (next < edits.length && !changed[next]) next++;
      if (next < edits.length && next - end <= 2 * CONTEXT_LINES) end = next;
      else break;
    }
    const stop = Math.min(edits.length, end + CONTEXT_LINES);
    // Line numbers of the hunk in both texts.
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) {
      if (edits[x].op !== '+') aLine++;
      if (edits[x].op !== '-') bLine++;
    }
    let aCount = 0;
    let bCount = 0;
    for (let x = start; x < stop; x++) {
      if (edits[x].op !== '+') aCount++;
      if (edits[x].op !== '-') bCount++;
    }
    out.push(`@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@`);
    for (let x = start; x < stop; x++) {
      if (printed >= MAX_DIFF_LINES) {
        out.push('... (diff truncated)');
        return out.join('\n');
      }
      out.push(edits[x].op + edits[x].line);
      printed++;
    }
    k = stop;
    start = stop;
  }
  return out.join('\n');
}

interface Report {
  outcome: Outcome;
  details: string;
}

async function checkTest(opts: Options, test: Test, known: Set<string>): Promise<Report> {
  let exp: Expected;
  try {
    exp = readExpected(test);
  } catch (e) {
    return { outcome: 'fail', details: (e as Error).message };
  }
  const res = await runTest(opts, test, exp);
  const dirs = testDirs(test);
  const problems: string[] = [];
  if (res.how !== null) problems.push(`process ${res.how}`);
  const expOut = normalise(exp.stdout, dirs);
  const actOut = normalise(res.stdout, dirs);
  const expErr = normalise(exp.stderr, dirs);
  const actErr = normalise(res.stderr, dirs);
  if (expOut !== actOut) problems.push(unifiedDiff('stdout', expOut, actOut));
  if (expErr !== actErr) problems.push(unifiedDiff('stderr', expErr, actErr));
  if (exp.status !== res.status) problems.push(`exit status: expected ${exp.status}, got ${res.status}`);
  const isKnown = known.has(test.key);
  if (problems.length === 0) {
    if (isKnown) {
      return {
        outcome: 'unexpected-pass',
        details: `${test.name} passes but is listed in regress/known-failures.txt: remove it from the list`,
      };
    }
    return { outcome: 'pass', details: '' };
  }
  return { outcome: isKnown ? 'known-failure' : 'fail', details: problems.join('\n') };
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const tests = findTests(opts.root, opts.filters);
  const known = readKnownFailures(opts.root);
  if (opts.filters.length === 0) {
    const names = new Set(tests.map((t) => t.key));
    for (const k of known) {
      if (!names.has(k)) process.stdout.write(`warning: regress/known-failures.txt lists '${k}', which is not a test\n`);
    }
  }
  if (!existsSync(opts.converge) || !statSync(opts.converge).isFile()) {
    process.stderr.write(`regress: converge not found at ${opts.converge} (use --converge PATH)\n`);
    return 2;
  }

  const counts: Record<Outcome, number> = { pass: 0, fail: 0, 'known-failure': 0, 'unexpected-pass': 0, skipped: 0 };
  let interrupted = false;
  process.on('SIGINT', () => {
    interrupted = true;
    for (const pid of running) killGroup(pid);
  });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tests.length) {
      const test = tests[next++];
      if (interrupted) {
        counts.skipped++;
        continue;
      }
      const r = await checkTest(opts, test, known);
      counts[r.outcome]++;
      switch (r.outcome) {
        case 'pass':
          break;
        case 'fail':
          process.stdout.write(`FAIL ${test.name}\n${r.details}\n\n`);
          break;
        case 'known-failure':
          process.stdout.write(`known failure ${test.name}\n`);
          break;
        case 'unexpected-pass':
          process.stdout.write(`FAIL ${r.details}\n\n`);
          break;
        case 'skipped':
          break;
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(opts.jobs, Math.max(1, tests.length)); i++) workers.push(worker());
  await Promise.all(workers);

  const failed = counts.fail + counts['unexpected-pass'];
  let summary = `${counts.pass} passed, ${failed} failed`;
  if (counts['known-failure'] > 0) summary += `, ${counts['known-failure']} known failures`;
  if (counts.skipped > 0) summary += `, ${counts.skipped} skipped`;
  process.stdout.write(`${summary}\n`);
  return failed === 0 && !interrupted ? 0 : 1;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    process.stderr.write(`regress: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
