// `converge` with no program: the interactive interpreter (spec/tools.md §5), driven
// through its standard input.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../bytecode/test/helpers.js';

function session(input: string): { status: number; out: string; err: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'cv-repl-'));
  const r = spawnSync(join(repoRoot(), 'bin', 'converge'), [], { cwd, input, encoding: 'utf8' });
  rmSync(cwd, { recursive: true, force: true });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('expressions are evaluated and their values printed; variables persist', (t) => {
  const r = session('2 + 3\nx := 18\nx > 7\nx * 2\n3 < 2\n');
  t.is(r.status, 0);
  t.regex(r.out, /^Converge \S+ \(\S+\)\n/);
  t.is(r.out.replace(/^.*\n/, ''), '>>> 5\n>>> 18\n>>> 7\n>>> 36\n>>> >>> \n');
  t.is(r.err, '');
});

test('a block is read until a blank line, with the ... prompt', (t) => {
  const r = session('func f(a):\n    return a * 10\n\nf(4)\n');
  t.is(r.status, 0);
  t.regex(r.out, />>> \.\.\. \.\.\. <Object@[0-9a-f]+>\n>>> 40\n/);
});

test('compile errors and exceptions are reported and the loop goes on', (t) => {
  const r = session('y\n1 +\n[].pop()\n7\n');
  t.is(r.status, 0);
  t.regex(r.out, />>> 7\n/);
  t.regex(r.err, /^Error: Unknown variable 'y'\.\nError: Parsing error at or near `\+' token\.\nTraceback \(most recent call at bottom\):\n/);
  t.regex(r.err, /Bounds_Exception: -1 below lower bound 0\.\n$/);
});

test('imports made at the prompt persist; Sys::exit(n) exits with n', (t) => {
  const r = session('import Sys\nSys::println("hi")\nSys::exit(3)\n9\n');
  t.is(r.status, 3);
  t.regex(r.out, />>> hi\n/);
  t.notRegex(r.out, />>> 9/);
});
