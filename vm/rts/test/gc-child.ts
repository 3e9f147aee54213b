// A child process for gc.test.ts: heap.ts chooses the heap (mmap or ArrayBuffer) when it
// is loaded, so the ArrayBuffer runs and the heap-limit runs need a fresh process.
//
//   node gc-child.mjs cases     run every GC case, print {heapKind, results} as JSON
//   node gc-child.mjs exhaust   allocate until the heap limit, print what was thrown
//   node gc-child.mjs limit     print the heap limit in bytes

import { isDeepStrictEqual } from 'node:util';
import { GC_CASES, type Check } from './gc-cases.js';
import { HeapExhausted, heapKind, heapLimit } from '../heap.js';
import { alloc, state } from '../alloc.js';
import { T } from '../layout.js';

const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v));

function runCases(): void {
  const results: { name: string; failures: string[] }[] = [];
  for (const [name, f] of GC_CASES) {
    const failures: string[] = [];
    const t: Check = {
      is: (a, b, m) => void (Object.is(a, b) || failures.push(`${m ?? 'is'}: ${show(a)} !== ${show(b)}`)),
      true: (c, m) => void (c === true || failures.push(`${m ?? 'true'}: got ${show(c)}`)),
      false: (c, m) => void (c === false || failures.push(`${m ?? 'false'}: got ${show(c)}`)),
      deepEqual: (a, b, m) => void (isDeepStrictEqual(a, b) || failures.push(`${m ?? 'deepEqual'}: ${show(JSON.stringify(a))} vs ${show(JSON.stringify(b))}`)),
    };
    try {
      f(t);
    } catch (e) {
      failures.push(`threw ${e instanceof Error ? e.stack : String(e)}`);
    }
    results.push({ name, failures: failures.slice(0, 10) });
  }
  process.stdout.write(JSON.stringify({ heapKind, results }));
}

function exhaust(): void {
  const live: number[] = [];
  try {
    for (;;) live.push(alloc(T.VArray, 64 * 1024));
  } catch (e) {
    process.stdout.write(
      JSON.stringify({
        heapKind,
        limit: heapLimit,
        top: state.top,
        heapExhausted: e instanceof HeapExhausted,
        name: e instanceof Error ? e.constructor.name : typeof e,
        message: e instanceof Error ? e.message : String(e),
      }),
    );
  }
}

const mode = process.argv[2];
if (mode === 'cases') runCases();
else if (mode === 'exhaust') exhaust();
else if (mode === 'limit') process.stdout.write(String(heapLimit));
else {
  process.stderr.write(`gc-child: unknown mode ${mode}\n`);
  process.exitCode = 2;
}
