// `converge prog.cv` as users see it (spec/tools.md §1.2-1.3): the cached executable
// beside the source, when it is used, rebuilt or left alone, and running executables.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../bytecode/test/helpers.js';

const converge = join(repoRoot(), 'bin', 'converge');

function run(cwd: string, ...args: string[]): { status: number; out: string; err: string } {
  const r = spawnSync(converge, args, { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const made: string[] = [];
test.after.always(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'cv-automake-'));
  made.push(d);
  for (const [n, s] of Object.entries(files)) writeFileSync(join(d, n), s);
  return d;
}

const MAIN = 'import Sys, Lib\nfunc main():\n    Sys::println(Lib::greeting())\n';
const LIB = 'func greeting():\n    return "hello"\n';

/** Sets a file's modification time `s` seconds into the past. */
function age(p: string, s: number): void {
  const t = Date.now() / 1000 - s;
  utimesSync(p, t, t);
}

test('the first run compiles, links and writes an executable 0755 beside the source', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  const r = run(d, '-v', 'prog.cv');
  t.is(r.status, 0);
  t.is(r.out, 'hello\n');
  t.regex(r.err, /===> Compiling .*prog\.cv\.\.\.\n/);
  t.regex(r.err, /===> Linking\./);
  t.is(statSync(join(d, 'prog')).mode & 0o777, 0o755);
  t.true(readFileSync(join(d, 'prog')).subarray(0, 64).toString('latin1').startsWith('#! /usr/bin/env converge\n'));
});

test('an up-to-date executable is run without any compiler output, even with -v', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  age(join(d, 'prog.cv'), 100);
  age(join(d, 'Lib.cv'), 100);
  t.is(run(d, 'prog.cv').status, 0);
  const r = run(d, '-v', 'prog.cv');
  t.is(r.out, 'hello\n');
  t.is(r.err, '');
});

test('a module source newer than the executable makes it stale', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  age(join(d, 'prog.cv'), 100);
  age(join(d, 'Lib.cv'), 100);
  t.is(run(d, 'prog.cv').status, 0);
  writeFileSync(join(d, 'Lib.cv'), 'func greeting():\n    return "changed"\n');
  const r = run(d, '-v', 'prog.cv');
  t.is(r.out, 'changed\n');
  t.regex(r.err, /Compiling .*Lib\.cv/);
  t.notRegex(r.err, /Compiling .*prog\.cv/);
});

test('-f recompiles everything and refreshes the executable', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  t.is(run(d, 'prog.cv').status, 0);
  const r = run(d, '-v', '-f', 'prog.cv');
  t.is(r.out, 'hello\n');
  t.regex(r.err, /Compiling .*prog\.cv[\s\S]*Compiling .*Lib\.cv/);
});

test('a file in the executable\'s place that is not an executable is never overwritten', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB, prog: 'my notes\n' });
  t.is(run(d, 'prog.cv').out, 'hello\n');
  t.is(readFileSync(join(d, 'prog'), 'utf8'), 'my notes\n');
});

test('an executable is run directly, by converge or through its #! line', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  t.is(run(d, 'prog.cv').status, 0);
  const r = run(d, 'prog');
  t.is(r.status, 0);
  t.is(r.out, 'hello\n');
  const viaShebang = spawnSync(join(d, 'prog'), [], { cwd: d, encoding: 'utf8', env: { ...process.env, PATH: `${join(repoRoot(), 'bin')}:${process.env.PATH}` } });
  t.is(viaShebang.stdout, 'hello\n');
});

test('a damaged executable given to converge is rejected with a load error', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  t.is(run(d, 'prog.cv').status, 0);
  const b = readFileSync(join(d, 'prog'));
  writeFileSync(join(d, 'prog'), b.subarray(0, b.length - 9));
  chmodSync(join(d, 'prog'), 0o755);
  const r = run(d, 'prog');
  t.is(r.status, 1);
  t.regex(r.err, /^converge: prog: invalid bytecode file: /);
});

test('a damaged cached executable is rebuilt from source', (t) => {
  const d = project({ 'prog.cv': MAIN, 'Lib.cv': LIB });
  t.is(run(d, 'prog.cv').status, 0);
  const b = readFileSync(join(d, 'prog'));
  writeFileSync(join(d, 'prog'), b.subarray(0, 80));
  const r = run(d, 'prog.cv');
  t.is(r.out, 'hello\n');
  t.true(statSync(join(d, 'prog')).size > 80);
});

test('source mentioning the executable magic is still source', (t) => {
  const d = project({ 'odd.cv': 'import Sys\n// CONVEXEC\nfunc main():\n    Sys::println("src")\n' });
  t.is(run(d, 'odd.cv').out, 'src\n');
});

test('--dis of a source with a compile error reports it like a run does, exit status 1', (t) => {
  const d = project({ 'bad.cv': 'func main():\n    x := Nowhere::y\n' });
  const r = run(d, '--dis', 'bad.cv');
  t.is(r.status, 1);
  t.is(r.out, '');
  t.is(r.err, "bad.cv:2:10: error: Unknown variable 'Nowhere'.\n    x := Nowhere::y\n         ^~~~~~~\n");
});
