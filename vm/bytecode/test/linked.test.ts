// Executables and libraries (format-linked.ts): round trips, where an executable's magic
// may be, and malformed files rejected with LoadError only.

import test from 'ava';
import { LoadError, readUnit, writeUnit } from '../format-cvb.js';
import { EXEC_MAGIC, executableStart, readExecutable, readLibrary, writeExecutable, writeLibrary } from '../format-linked.js';
import { verifyUnit, VerifyError } from '../verify.js';
import { SAMPLE_SOURCES, compileSource } from './helpers.js';
import type { UnitDef } from '../unit.js';

const units: UnitDef[] = Object.entries(SAMPLE_SOURCES).map(([name, src]) => compileSource(src, name));
const pkg: UnitDef = { ...units[0], name: 'P', modId: '/lib/P', packageEntries: units[0].topVars.map((n, i) => ({ name: n, modId: `/lib/P/m${i}.cv` })) };

test('an executable round-trips its modules, main first, byte for byte', (t) => {
  const b = writeExecutable(units);
  const back = readExecutable(b, 'x');
  t.is(back.length, units.length);
  back.forEach((u, i) => t.deepEqual(writeUnit(u), writeUnit(units[i])));
  for (const u of back) verifyUnit(u);
});

test('an executable starts with a #! line padded with newlines to an 8-byte boundary', (t) => {
  const b = writeExecutable(units);
  const text = Buffer.from(b.subarray(0, 64)).toString('latin1');
  t.true(text.startsWith('#! /usr/bin/env converge\n'));
  const at = executableStart(b);
  t.is(at % 8, 0);
  t.is(text.slice(at, at + 8), EXEC_MAGIC);
});

test('a library round-trips, keeping package entries', (t) => {
  const back = readLibrary(writeLibrary([pkg, ...units]), 'x.cvl');
  t.deepEqual(back[0].packageEntries, pkg.packageEntries);
  t.is(back.length, units.length + 1);
  t.deepEqual(readUnit(writeUnit(pkg), 'p.cvb').packageEntries, pkg.packageEntries);
});

test('the executable magic counts only at the start or after the #! line', (t) => {
  const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
  t.is(executableStart(enc('CONVEXEC....')), 0);
  t.is(executableStart(enc('#!/bin/x\n\n\nCONVEXEC')), 11);
  t.is(executableStart(enc('// CONVEXEC in a comment\nfunc main(): pass\n')), -1);
  t.is(executableStart(enc('#!/bin/x\nimport Sys // CONVEXEC\n')), -1);
  t.is(executableStart(enc('#!/bin/x')), -1);
  t.is(executableStart(new Uint8Array(0)), -1);
});

function rejects(t: import('ava').ExecutionContext, b: Uint8Array, re: RegExp, read = readExecutable): void {
  const e = t.throws(() => read(b, 'bad'), { instanceOf: LoadError });
  if (e) t.regex(e.message, re);
}

test('LoadError: wrong magic, version, module count, truncation, trailing bytes', (t) => {
  const good = writeExecutable(units);
  const at = executableStart(good);
  const withWord = (off: number, v: number) => {
    const c = good.slice();
    new DataView(c.buffer).setInt32(off, v, true);
    return c;
  };
  rejects(t, new Uint8Array(Buffer.from('#!x\nnothing')), /not a Converge executable/);
  rejects(t, withWord(at + 8, 99), /format version 99/);
  rejects(t, withWord(at + 12, 0), /without modules/);
  rejects(t, withWord(at + 12, -5), /bad module count/);
  rejects(t, withWord(at + 12, units.length + 1), /truncated/);
  rejects(t, withWord(at + 16, 3), /module 1: /);
  rejects(t, new Uint8Array([...good, 0, 0, 0, 0]), /trailing bytes/);
  for (let n = at; n < good.length; n += 7) rejects(t, good.subarray(0, n), /invalid bytecode file/);
  rejects(t, writeExecutable(units), /not a Converge library/, readLibrary);
});

test('mutated executables raise only LoadError or VerifyError', (t) => {
  const good = writeExecutable(units);
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const seen = { load: 0, verify: 0, ok: 0 };
  for (let i = 0; i < 2000; i++) {
    const b = good.slice();
    for (let k = 0; k <= (rnd() & 3); k++) b[executableStart(good) + (rnd() % (b.length - executableStart(good)))] ^= 1 << (rnd() & 7);
    try {
      for (const u of readExecutable(b, 'f')) verifyUnit(u);
      seen.ok++;
    } catch (e) {
      if (e instanceof LoadError) seen.load++;
      else if (e instanceof VerifyError) seen.verify++;
      else throw e;
    }
  }
  t.true(seen.load > 100);
  t.true(seen.verify > 10);
});
