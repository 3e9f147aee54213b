// A loop that only allocates must still collect: a `for` over a builtin generator resumes
// it by failing, with no back-edge BRANCH and no call, so resuming a generator is a
// safepoint too. With a 64 MiB heap these loops allocate about 160 MiB of Floats (and
// strings); without safepoints in them the heap is exhausted. Not a regress program:
// the runner sets no heap limit, and under --gc-stress it would collect 10^7 times.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../bytecode/test/helpers.js';

function runWithSmallHeap(t: { teardown(f: () => void): void }, prog: string) {
  const d = mkdtempSync(join(tmpdir(), 'cv-loop-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const file = join(d, 'loop.cv');
  writeFileSync(file, prog);
  return spawnSync(join(repoRoot(), 'bin', 'converge'), [file], {
    encoding: 'utf8',
    env: { ...process.env, CONVERGE_HEAP_MAX: '64' },
  });
}

test('a for loop over iter_to that only allocates collects its garbage', (t) => {
  const r = runWithSmallHeap(t, `import Sys
func main():
    x := 0.0
    for i := 0.iter_to(10000000):
        x := x + 1.5
    Sys::println(x)
`);
  t.is(r.stderr, '');
  t.is(r.stdout, '15000000.000000\n');
  t.is(r.status, 0);
});

test('a for loop over another builtin generator that only allocates collects its garbage', (t) => {
  const r = runWithSmallHeap(t, `import Sys
func main():
    n := 0
    for c := ("ab" * 5000000).iter():
        s := c + c
        n += 1
    Sys::println(n)
`);
  t.is(r.stderr, '');
  t.is(r.stdout, '10000000\n');
  t.is(r.status, 0);
});
