// The terminfo reader (vm/builtins/terminfo.ts): entries are compiled here by a small
// encoder written from term(5), in both formats, with and without extended capabilities.

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupTerminal, parseTerminfo, terminfoDirs, type TermInfo } from '../terminfo.js';

interface Spec {
  names: string;
  bools?: number[]; // indices of standard booleans set
  nums?: (number | null)[]; // standard numbers by index (null: absent)
  strs?: (string | null | 'cancel')[]; // standard strings by index
  num32?: boolean;
  ext?: { bools: string[]; nums: [string, number][]; strs: [string, string | null | 'cancel'][] };
}

function i16(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}
function i32(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Offsets of `values` in a string table appended to `table`. */
function strTable(values: readonly (string | null | 'cancel')[], table: number[]): number[] {
  return values.map((v) => {
    if (v === null) return -1;
    if (v === 'cancel') return -2;
    const off = table.length;
    for (const c of Buffer.from(v, 'latin1')) table.push(c);
    table.push(0);
    return off;
  });
}

function compile(s: Spec): Uint8Array {
  const num = s.num32 ? i32 : i16;
  const bools: number[] = [];
  for (const i of s.bools ?? []) {
    while (bools.length <= i) bools.push(0);
    bools[i] = 1;
  }
  const table: number[] = [];
  const offs = strTable(s.strs ?? [], table);
  const names = [...Buffer.from(s.names, 'latin1'), 0];
  const nums = s.nums ?? [];
  const out: number[] = [...i16(s.num32 ? 0o1036 : 0o432), ...i16(names.length), ...i16(bools.length), ...i16(nums.length), ...i16(offs.length), ...i16(table.length)];
  out.push(...names, ...bools);
  if (out.length % 2) out.push(0);
  for (const n of nums) out.push(...num(n ?? -1));
  for (const o of offs) out.push(...i16(o));
  out.push(...table);
  if (s.ext) {
    if (out.length % 2) out.push(0);
    const e = s.ext;
    const ext: number[] = [];
    const valueOffs = strTable(e.strs.map(([, v]) => v), ext);
    const namesAt = ext.length;
    const allNames = [...e.bools, ...e.nums.map(([n]) => n), ...e.strs.map(([n]) => n)];
    const nameOffs = allNames.map((n) => {
      const off = ext.length - namesAt;
      ext.push(...Buffer.from(n, 'latin1'), 0);
      return off;
    });
    const used = allNames.length + valueOffs.filter((o) => o >= 0).length;
    out.push(...i16(e.bools.length), ...i16(e.nums.length), ...i16(e.strs.length), ...i16(used), ...i16(ext.length));
    out.push(...e.bools.map(() => 1));
    if (e.bools.length % 2) out.push(0);
    for (const [, v] of e.nums) out.push(...num(v));
    for (const o of [...valueOffs, ...nameOffs]) out.push(...i16(o));
    out.push(...ext);
  }
  return Uint8Array.from(out);
}

function parsed(s: Spec): TermInfo {
  const ti = parseTerminfo(compile(s));
  if (ti === null) throw new Error('did not parse');
  return ti;
}

// Standard indices: booleans am 1, gn 6, hc 7; numbers cols 0, lines 2; strings cr 2,
// clear 5, cup 10, bold 27, smul 36, sgr0 39.

test('legacy format: names, booleans, numbers, strings', (t) => {
  const strs: (string | null | 'cancel')[] = new Array(40).fill(null);
  strs[2] = '\r';
  strs[27] = '\x1b[1m';
  strs[36] = 'cancel';
  strs[39] = '\x1b[0m$<2>';
  const ti = parsed({ names: 'cvt|a test|long name', bools: [1, 7], nums: [80, null, 24], strs });
  t.deepEqual(ti.names, ['cvt', 'a test', 'long name']);
  t.deepEqual([...ti.bools].sort(), ['am', 'hc']);
  t.deepEqual([...ti.nums], [['cols', 80], ['lines', 24]]);
  t.deepEqual([...ti.strs].sort(), [['bold', '\x1b[1m'], ['cr', '\r'], ['sgr0', '\x1b[0m$<2>']]);
});

test('odd-sized names and booleans are padded before the numbers', (t) => {
  const even = parsed({ names: 'ab', bools: [0], nums: [7] }); // 3 + 1 bytes: no pad
  const odd = parsed({ names: 'abc', bools: [0], nums: [7] }); // 4 + 1 bytes: pad
  t.is(even.nums.get('cols'), 7);
  t.is(odd.nums.get('cols'), 7);
});

test('extended-number format: 32-bit numbers, standard and extended', (t) => {
  const strs: (string | null)[] = new Array(28).fill(null);
  strs[27] = 'B';
  const ti = parsed({ names: 'big', nums: [100000, null, 70000], strs, num32: true, ext: { bools: ['XT'], nums: [['RGB', 1 << 20]], strs: [['Smulx', 'U']] } });
  t.is(ti.nums.get('cols'), 100000);
  t.is(ti.nums.get('lines'), 70000);
  t.is(ti.nums.get('RGB'), 1 << 20);
  t.is(ti.strs.get('bold'), 'B');
  t.is(ti.strs.get('Smulx'), 'U');
  t.true(ti.bools.has('XT'));
});

test('extended capabilities: absent and cancelled strings take no space; names follow the values', (t) => {
  const ti = parsed({
    names: 'ext',
    bools: [1],
    ext: { bools: ['AX', 'XT', 'YZ'], nums: [['U8', 1]], strs: [['Ms', null], ['Se', '\x1b[2 q'], ['Ss', 'cancel'], ['E3', 'x']] },
  });
  t.deepEqual([...ti.bools].sort(), ['AX', 'XT', 'YZ', 'am']);
  t.is(ti.nums.get('U8'), 1);
  t.is(ti.strs.get('Se'), '\x1b[2 q');
  t.is(ti.strs.get('E3'), 'x');
  t.false(ti.strs.has('Ms'));
  t.false(ti.strs.has('Ss'));
});

test('malformed entries are rejected', (t) => {
  const good = compile({ names: 'g', strs: ['a', 'b'], ext: { bools: [], nums: [], strs: [['Q', 'q']] } });
  t.not(parseTerminfo(good), null);
  t.is(parseTerminfo(new Uint8Array(0)), null);
  t.is(parseTerminfo(Buffer.from('xterm|not compiled,\n')), null);
  for (const n of [5, 12, 20, good.length - 14, good.length - 1]) t.is(parseTerminfo(good.subarray(0, n)), null, `cut at ${n}`);
  const badMagic = Uint8Array.from(good);
  badMagic[0] = 0;
  t.is(parseTerminfo(badMagic), null);
});

test('a string offset past the table is as good as absent', (t) => {
  const data = compile({ names: 'o', strs: ['abc'] });
  // The first offset follows the 12-byte header and the 2 bytes of names.
  data[12 + 2] = 50;
  const ti = parseTerminfo(data);
  t.not(ti, null);
  t.is(ti!.strs.size, 0);
});

test('the search: $TERMINFO, ~/.terminfo, $TERMINFO_DIRS, then the system', (t) => {
  const dirs = terminfoDirs({ TERMINFO: '/ti', HOME: '/home/u', TERMINFO_DIRS: '/a::/b' });
  t.deepEqual(dirs.slice(0, 4), ['/ti', '/home/u/.terminfo', '/a', '/etc/terminfo']);
  // The empty element stands for the system's directories, which come before /b.
  t.true(dirs.indexOf('/usr/share/terminfo') < dirs.indexOf('/b'));
  t.is(new Set(dirs).size, dirs.length);
  t.deepEqual(terminfoDirs({}), ['/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo', '/usr/lib/terminfo']);
});

test('lookup: letter and hex subdirectories, first directory wins, bad entries skipped', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'terminfo-test-'));
  try {
    const one = join(root, 'one');
    const two = join(root, 'two');
    mkdirSync(join(one, 'c'), { recursive: true });
    mkdirSync(join(two, 'c'), { recursive: true });
    mkdirSync(join(two, '63'), { recursive: true });
    const bold = (v: string) => compile({ names: 'x', strs: [...new Array(27).fill(null), v] });
    writeFileSync(join(one, 'c', 'cv-a'), bold('one'));
    writeFileSync(join(two, 'c', 'cv-a'), bold('two'));
    writeFileSync(join(one, 'c', 'cv-b'), 'garbage');
    writeFileSync(join(two, 'c', 'cv-b'), bold('two-b'));
    writeFileSync(join(two, '63', 'cv-hex'), bold('hex'));
    const find = (name: string) => {
      const r = lookupTerminal(name, [join(root, 'none'), one, two]);
      return typeof r === 'string' ? r : r.strs.get('bold');
    };
    t.is(find('cv-a'), 'one');
    t.is(find('cv-b'), 'two-b');
    t.is(find('cv-hex'), 'hex');
    t.is(find('cv-none'), 'not-found');
    t.is(find('c/cv-a'), 'not-found');
    t.is(find(''), 'not-found');
    t.is(lookupTerminal('cv-a', [join(root, 'none')]), 'no-database');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the system database, where there is one: xterm', (t) => {
  const r = lookupTerminal('xterm', terminfoDirs({}));
  if (typeof r === 'string') {
    t.pass('no xterm entry on this machine');
    return;
  }
  t.is(r.strs.get('bold'), '\x1b[1m');
  t.is(r.strs.get('cr'), '\r');
  t.true(r.bools.has('am'));
  t.is(r.nums.get('cols'), 80);
});
