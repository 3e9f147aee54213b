// Recursion without end (docs/differences.md): a VM_Exception at depth 100,000, whose
// traceback shows each run of identical entries as three of them and a count. Not a
// regress program: under --gc-stress every one of the 100,000 calls would collect.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../bytecode/test/helpers.js';

const PROG = `import Sys

func down(n):
    if n > 2:
        return down(n - 1)
    return forever(0)

func forever(n):
    return forever(n + 1)

func main():
    Sys::println("start")
    down(9)
`;

test('deep recursion: VM_Exception, and runs of identical traceback entries are counted', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'cv-deep-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const file = join(d, 'deep.cv');
  writeFileSync(file, PROG);
  const r = spawnSync(join(repoRoot(), 'bin', 'converge'), [file], { encoding: 'utf8' });
  t.is(r.status, 1);
  t.is(r.stdout, 'start\n');
  const entry = (n: number | string, line: number, col: number, len: number, text: string) =>
    `  ${n}: File "${file}", line ${line}, column ${col}, length ${len}\n       ${text}\n`;
  const down = (n: number) => entry(n, 5, 15, 11, 'return down(n - 1)');
  const fwd = (n: number) => entry(n, 9, 11, 14, 'return forever(n + 1)');
  t.is(
    r.stderr,
    'Traceback (most recent call at bottom):\n' +
      entry(1, 13, 4, 7, 'down(9)') +
      down(2) + down(3) + down(4) +
      '  5-8: the entry above, 4 more times\n' +
      entry(9, 6, 11, 10, 'return forever(0)') +
      fwd(10) + fwd(11) + fwd(12) +
      '  13-100001: the entry above, 99989 more times\n' +
      'VM_Exception: Maximum recursion depth (100000) exceeded.\n',
  );
});
