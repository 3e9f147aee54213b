// The collector and allocator (vm/rts/gc.ts, alloc.ts, heap.ts). The cases in gc-cases.ts
// run here on the default heap and again in a child process on the ArrayBuffer heap;
// heap exhaustion is checked in child processes too (a small CONVERGE_HEAP_MAX), both
// at the rts level and through bin/converge.

import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GC_CASES, type Check } from './gc-cases.js';
import { heapBase, heapKind } from '../heap.js';

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(d, 'package.json')) && existsSync(join(d, 'vm')))) {
    const up = dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
  return d;
}
const ROOT = repoRoot();

const check = (t: ExecutionContext): Check => ({
  is: (a, b, m) => void t.is(a, b, m),
  true: (c, m) => void t.true(c, m),
  false: (c, m) => void t.false(c, m),
  deepEqual: (a, b, m) => void t.deepEqual(a, b, m),
});

// -- The default heap, in this process ----------------------------------------------

test.serial('the default heap is mmap on x86-64 Linux (koffi), else the ArrayBuffer fallback', (t) => {
  if (process.arch === 'x64' && process.platform === 'linux') {
    t.is(heapKind, 'mmap');
    t.not(heapBase, 0n, 'native code gets the base address');
  } else {
    t.is(heapKind, 'arraybuffer');
  }
});

for (const [name, f] of GC_CASES) test.serial(`${heapKind} heap: ${name}`, (t) => f(check(t)));

// -- Child processes ------------------------------------------------------------------

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string>, timeout = 90000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

let childScript: string | null = null;

/** Bundles gc-child.ts (build.mjs bundles only *.test.ts files). */
function childBundle(): string {
  if (childScript !== null) return childScript;
  const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild') as typeof import('esbuild');
  const out = join(ROOT, 'build', 'test-child', 'gc-child.mjs');
  mkdirSync(dirname(out), { recursive: true });
  esbuild.buildSync({
    entryPoints: [join(ROOT, 'vm/rts/test/gc-child.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  childScript = out;
  return out;
}

interface CasesResult {
  readonly heapKind: string;
  readonly results: readonly { name: string; failures: string[] }[];
}

let arrayBufferRun: Promise<CasesResult> | null = null;
function arrayBufferCases(): Promise<CasesResult> {
  arrayBufferRun ??= run(process.execPath, [childBundle(), 'cases'], { CONVERGE_HEAP: 'arraybuffer' }).then((r) => {
    if (r.status !== 0) throw new Error(`gc-child exited with ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as CasesResult;
  });
  return arrayBufferRun;
}

test('CONVERGE_HEAP=arraybuffer selects the ArrayBuffer heap', async (t) => {
  t.is((await arrayBufferCases()).heapKind, 'arraybuffer');
});

for (const [name] of GC_CASES) {
  test(`arraybuffer heap (child process): ${name}`, async (t) => {
    const r = (await arrayBufferCases()).results.find((x) => x.name === name);
    t.truthy(r, 'the child ran the case');
    t.deepEqual(r?.failures, []);
  });
}

for (const heap of ['default', 'arraybuffer']) {
  test(`${heap} heap: allocating past CONVERGE_HEAP_MAX throws HeapExhausted with a clear message`, async (t) => {
    const env: Record<string, string> = { CONVERGE_HEAP_MAX: '16' };
    if (heap === 'arraybuffer') env.CONVERGE_HEAP = 'arraybuffer';
    const r = await run(process.execPath, [childBundle(), 'exhaust'], env);
    t.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { heapKind: string; limit: number; top: number; heapExhausted: boolean; message: string };
    if (heap === 'arraybuffer') t.is(out.heapKind, 'arraybuffer');
    t.true(out.heapExhausted, `threw ${out.message}`);
    t.is(out.limit, 16 * 1024 * 1024);
    t.true(out.top <= out.limit, 'nothing was allocated past the limit');
    t.is(out.message, 'heap exhausted: the VM heap limit is 16 MiB (set CONVERGE_HEAP_MAX, in MiB, to raise it)');
  });
}

test('the heap limit defaults to 2047 MiB, and larger CONVERGE_HEAP_MAX values are capped below 2 GiB (offsets are signed words)', async (t) => {
  const limit = async (env: Record<string, string>) => Number((await run(process.execPath, [childBundle(), 'limit'], env)).stdout);
  t.is(await limit({}), 2047 * 1024 * 1024);
  t.is(await limit({ CONVERGE_HEAP_MAX: '4000' }), 2 ** 31 - 8);
  t.is(await limit({ CONVERGE_HEAP_MAX: '100' }), 100 * 1024 * 1024);
});

test('bin/converge: a program that outgrows CONVERGE_HEAP_MAX=32 reports heap exhaustion, exits non-zero, no JS stack trace', async (t) => {
  const vm = join(ROOT, 'build', 'converge.cjs');
  if (!existsSync(vm)) return t.fail('build/converge.cjs is missing: run node build.mjs first');
  const dir = mkdtempSync(join(tmpdir(), 'converge-heap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const prog = join(dir, 'grow.cv');
  writeFileSync(prog, ['import Sys', '', 'func main():', '    l := []', '    i := 0', '    while 1:', '        l.append([i, i + 1, "abc" + i.to_str()])', '        i += 1', ''].join('\n'));
  const r = await run(process.execPath, ['--stack-size=4000', vm, prog], { CONVERGE_HEAP_MAX: '32' });
  t.not(r.status, 0, 'non-zero exit status');
  t.not(r.status, null, 'exited rather than being killed');
  t.regex(r.stderr, /heap exhausted: the VM heap limit is 32 MiB \(set CONVERGE_HEAP_MAX, in MiB, to raise it\)/);
  t.notRegex(r.stderr, /\n\s+at .*(\.mjs|\.ts|node:)/, 'no JavaScript stack trace');
  t.notRegex(r.stderr, /internal VM error/);
});
