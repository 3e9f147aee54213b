// The object model over the heap (vm/rts/objects.ts, classes.ts): strings, integers,
// floats, lists, maps and slots, classes.

import test from 'ava';
import { T, StringF, ObjectF, ClassF, VArrayF, ListF, MapF } from '../layout.js';
import { getI, getV, objBytes, setI, typeId } from '../ll.js';
import { NONE, SMALL_MAX, SMALL_MIN, isSmall, small, smallOf, fitsSmall, type Value } from '../value.js';
import {
  MAX_INLINE_SLOTS,
  allocList,
  allocObject,
  allocString,
  floatOf,
  intBig,
  intNum,
  isFloat,
  isInt,
  listGet,
  listLen,
  listPush,
  listReserve,
  listSet,
  listSetLen,
  mapInfo,
  mapLookup,
  mkFloat,
  mkInt,
  mkIntBig,
  mkIntWords,
  copyObjectBytes,
  strFromObjectBytes,
  ownSlot,
  setOwnSlot,
  slotGet,
  strByte,
  strBytes,
  strCmp,
  strConcat,
  strEq,
  strFromJs,
  strHash,
  strLen,
  strSlice,
  strToJs,
  sym,
  symName,
  symStr,
  varrayCap,
} from '../objects.js';
import { bumpVersion, findField, isSubclass, ownField, setField, Creator } from '../classes.js';
import { bootClasses, mkClass } from '../../builtins/boot.js';
import { K } from '../../builtins/kernel.js';

bootClasses();

const LATIN1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

// -- Strings ------------------------------------------------------------------------

test('strings: latin1 round trip of every byte, short and long', (t) => {
  for (const s of ['', 'a', 'hello', LATIN1.slice(0, 63), LATIN1, LATIN1.repeat(3), '\0\0\0']) {
    const v = strFromJs(s);
    t.is(typeId(v), T.String);
    t.is(strLen(v), s.length);
    t.is(strToJs(v), s);
    t.deepEqual(strBytes(v), Uint8Array.from(s, (c) => c.charCodeAt(0)));
  }
  const bytes = Uint8Array.from([0, 1, 127, 128, 254, 255]);
  const b = allocString(bytes);
  t.deepEqual(strBytes(b), bytes);
  t.is(strByte(b, 5), 255);
  t.is(strToJs(b), '\x00\x01\x7f\x80\xfe\xff');
});

test('strings: objects are sized to their bytes', (t) => {
  t.is(objBytes(strFromJs('')), 16); // header, len, hash: 12 bytes rounded to 8
  t.is(objBytes(strFromJs('abcd')), 16);
  t.is(objBytes(strFromJs('abcde')), 24);
});

test('strings: hash is computed once and cached in the object, never 0, a small int', (t) => {
  const s = strFromJs('cache me');
  t.is(getI(s, StringF.hash), 0, 'not computed before first use');
  const h = strHash(s);
  t.not(h, 0);
  t.true(fitsSmall(h) && h > 0, 'fits a small int');
  t.is(getI(s, StringF.hash), h, 'cached in the object');
  // The cached value is what later calls return (proves no recomputation).
  setI(s, StringF.hash, 12345);
  t.is(strHash(s), 12345);
  // Equal strings hash equally; the empty string has a non-zero hash too.
  t.is(strHash(strFromJs('same text')), strHash(strFromJs('same text')));
  t.not(strHash(strFromJs('')), 0);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(strHash(strFromJs(`k${i}`)));
  t.true(seen.size > 990, `hashes of 1000 keys spread (${seen.size} distinct)`);
});

test('strings: equality and ordering are byte-wise', (t) => {
  const a = strFromJs('abc');
  t.true(strEq(a, a));
  t.true(strEq(a, strFromJs('abc')));
  t.false(strEq(a, strFromJs('abd')));
  t.false(strEq(a, strFromJs('ab')));
  t.false(strEq(strFromJs('\xe9'), strFromJs('e')));
  t.true(strCmp(strFromJs('abc'), strFromJs('abd')) < 0);
  t.true(strCmp(strFromJs('b'), strFromJs('abc')) > 0);
  t.true(strCmp(strFromJs('ab'), strFromJs('abc')) < 0);
  t.is(strCmp(strFromJs('abc'), strFromJs('abc')), 0);
  t.true(strCmp(strFromJs('\xff'), strFromJs('\x7f')) > 0, 'bytes compare unsigned');
});

test('strings: concat and slice make new strings and leave their inputs alone', (t) => {
  const a = strFromJs('Hello, ');
  const b = strFromJs('world');
  const c = strConcat(a, b);
  t.is(strToJs(c), 'Hello, world');
  t.is(strToJs(a), 'Hello, ');
  t.is(strToJs(strConcat(strFromJs(''), strFromJs(''))), '');
  t.is(strToJs(strConcat(strFromJs(LATIN1), strFromJs(LATIN1))), LATIN1 + LATIN1);
  t.is(strToJs(strSlice(c, 7, 12)), 'world');
  t.is(strToJs(strSlice(c, 0, 0)), '');
  t.is(strToJs(strSlice(c, 5, 3)), '', 'a reversed range is empty');
  t.is(strToJs(strSlice(c, 0, strLen(c))), 'Hello, world');
  t.is(strToJs(c), 'Hello, world');
  t.is(strHash(strSlice(c, 7, 12)), strHash(b), 'a slice hashes like an equal string');
});

test('symbols: interned once, with a permanent heap string', (t) => {
  const id = sym('a_symbol_name');
  t.is(sym('a_symbol_name'), id);
  t.not(sym('another_one'), id);
  t.is(symName(id), 'a_symbol_name');
  t.is(strToJs(symStr(id)), 'a_symbol_name');
  t.is(symStr(id), symStr(sym('a_symbol_name')), 'the same heap string');
});

// -- Integers --------------------------------------------------------------------------

test('ints: small/boxed boundary', (t) => {
  for (const n of [0, 1, -1, SMALL_MAX, SMALL_MIN, 12345, -98765]) {
    const v = mkInt(n);
    t.true(isSmall(v), `${n} is small`);
    t.is(smallOf(v), n);
    t.is(intNum(v), n);
    t.is(intBig(v), BigInt(n));
  }
  for (const n of [SMALL_MAX + 1, SMALL_MIN - 1, 2 ** 31, -(2 ** 31), 2 ** 32, -(2 ** 32) - 1, 2 ** 40 + 7, -(2 ** 40) + 3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    const v = mkInt(n);
    t.false(isSmall(v), `${n} is boxed`);
    t.is(typeId(v), T.Int64);
    t.is(intNum(v), n, `intNum of ${n}`);
    t.is(intBig(v), BigInt(n), `intBig of ${n}`);
    t.true(isInt(v));
  }
  t.true(isSmall(mkIntBig(BigInt(SMALL_MAX))));
  t.false(isSmall(mkIntBig(BigInt(SMALL_MAX) + 1n)));
  t.true(isSmall(mkIntBig(BigInt(SMALL_MIN))));
  t.false(isSmall(mkIntBig(BigInt(SMALL_MIN) - 1n)));
});

test('ints: mkIntBig wraps to 64-bit two\'s complement', (t) => {
  const max = (1n << 63n) - 1n;
  const min = -(1n << 63n);
  t.is(intBig(mkIntBig(max)), max);
  t.is(intBig(mkIntBig(min)), min);
  t.is(intBig(mkIntBig(max + 1n)), min, '2^63 wraps to -2^63');
  t.is(intBig(mkIntBig(min - 1n)), max, '-2^63 - 1 wraps to 2^63 - 1');
  t.is(intBig(mkIntBig(1n << 64n)), 0n);
  t.true(isSmall(mkIntBig((1n << 64n) + 5n)), '2^64 + 5 wraps to a small int');
  t.is(intBig(mkIntBig((1n << 64n) + 5n)), 5n);
  t.is(intBig(mkIntBig(-(1n << 64n) - 2n)), -2n);
  for (const b of [0x1_2345_6789n, -0x1_2345_6789n, 0xffff_ffffn, -0x8000_0000n, 0x7fff_ffff_ffff_ffffn, (1n << 53n) + 1n]) {
    t.is(intBig(mkIntBig(b)), b, `${b} round-trips`);
  }
  t.is(intNum(mkIntBig((1n << 53n) - 1n)), 2 ** 53 - 1);
});

test('ints: mkIntWords builds an Int from its 32-bit halves, small when it fits', (t) => {
  const words = (b: bigint): [number, number] => [Number(BigInt.asIntN(32, b)), Number(BigInt.asIntN(32, b >> 32n))];
  for (const b of [0n, 1n, -1n, BigInt(SMALL_MAX), BigInt(SMALL_MIN), BigInt(SMALL_MAX) + 1n, BigInt(SMALL_MIN) - 1n, 0x7fff_ffffn, -0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, -0x1_0000_0001n, (1n << 63n) - 1n, -(1n << 63n)]) {
    const v = mkIntWords(...words(b));
    t.is(intBig(v), b, `${b} round-trips`);
    t.is(isSmall(v), b >= BigInt(SMALL_MIN) && b <= BigInt(SMALL_MAX), `${b} small iff in range`);
  }
  // A high word that is not the low word's sign extension is never small.
  t.false(isSmall(mkIntWords(5, 1)));
  t.is(intBig(mkIntWords(5, 1)), (1n << 32n) + 5n);
});

test('strings: bytes copied between objects at byte offsets', (t) => {
  const src = strFromJs('0123456789');
  const dst = strFromJs('abcdefghij');
  copyObjectBytes(src, StringF.SIZE + 2, dst, StringF.SIZE + 5, 4);
  t.is(strToJs(dst), 'abcde2345j');
  t.is(strToJs(src), '0123456789');
  const s = strFromObjectBytes(dst, StringF.SIZE + 3, 5);
  t.is(strToJs(s), 'de234');
  t.is(strLen(strFromObjectBytes(dst, StringF.SIZE, 0)), 0);
});

test('ints and floats are told apart', (t) => {
  t.true(isInt(small(3)));
  t.false(isInt(mkFloat(3)));
  t.false(isInt(strFromJs('3')));
  t.false(isInt(NONE));
  t.true(isFloat(mkFloat(3)));
  t.false(isFloat(small(3)));
  t.false(isFloat(mkInt(2 ** 40)));
  t.false(isFloat(NONE));
});

test('floats: boxed doubles keep every value exactly', (t) => {
  for (const x of [0, -0, 1.5, -2.25, Math.PI, 1e308, 5e-324, Infinity, -Infinity, 2 ** 53 + 2]) {
    const v = mkFloat(x);
    t.is(typeId(v), T.Float);
    t.true(Object.is(floatOf(v), x), `${x}`);
  }
  t.true(Number.isNaN(floatOf(mkFloat(NaN))));
  t.is(objBytes(mkFloat(1)), 16);
});

// -- Lists -------------------------------------------------------------------------------

test('lists: growth keeps every item and the capacity covers the length', (t) => {
  const l = allocList(K.List, 0);
  t.is(listLen(l), 0);
  t.true(varrayCap(getV(l, ListF.items)) >= 4, 'a new list has room for a few items');
  const caps = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    listPush(l, small(i));
    const items = getV(l, ListF.items);
    t.true(varrayCap(items) >= listLen(l));
    t.is(getI(items, VArrayF.len), listLen(l), 'the VArray length tracks the list');
    caps.add(varrayCap(items));
  }
  t.true(caps.size <= 12, `capacity grows geometrically (${caps.size} sizes for 1000 pushes)`);
  t.is(listLen(l), 1000);
  let ok = 0;
  for (let i = 0; i < 1000; i++) ok += listGet(l, i) === small(i) ? 1 : 0;
  t.is(ok, 1000);
  listSet(l, 500, strFromJs('x'));
  t.is(strToJs(listGet(l, 500)), 'x');
});

test('lists: shrinking clears the dropped items; reserve keeps contents', (t) => {
  const l = allocList(K.List, 8);
  for (let i = 0; i < 8; i++) listPush(l, small(i));
  listSetLen(l, 3);
  t.is(listLen(l), 3);
  const items = getV(l, ListF.items);
  t.is(getI(items, VArrayF.len), 3);
  for (let i = 3; i < 8; i++) t.is(listGet(l, i), NONE, `item ${i} cleared (the GC must not see stale values)`);
  listReserve(l, 100);
  t.true(varrayCap(getV(l, ListF.items)) >= 100);
  t.deepEqual([0, 1, 2].map((i) => smallOf(listGet(l, i))), [0, 1, 2]);
  t.is(listLen(l), 3);
});

// -- Maps and slots --------------------------------------------------------------------

function classWithSlots(name: string, n: number): Value {
  const c = mkClass(name, [K.Object], Creator.Object);
  setI(c, ClassF.instSlots, n);
  return c;
}

test('slots: an instance of a class whose instances get 3 slots occupies at most 24 bytes', (t) => {
  const c = classWithSlots('Three', 3);
  const o = allocObject(c);
  t.true(objBytes(o) <= 24, `${objBytes(o)} bytes`);
  for (const [i, name] of ['x', 'y', 'z'].entries()) setOwnSlot(o, sym(name), small(i + 10));
  t.true(objBytes(o) <= 24);
  t.is(getV(o, ObjectF.spill), NONE, 'three slots fit inline: no spill array');
  t.deepEqual(['x', 'y', 'z'].map((n) => smallOf(ownSlot(o, sym(n)))), [10, 11, 12]);
});

test('slots: inline up to the class hint (capped), the rest spill', (t) => {
  t.is(objBytes(allocObject(classWithSlots('None', 0))), 16);
  const capped = allocObject(classWithSlots('Many', 50));
  t.is(objBytes(capped), (ObjectF.SIZE + 4 * MAX_INLINE_SLOTS + 7) & ~7, 'inline slots are capped');
  const c = classWithSlots('Two', 2);
  const o = allocObject(c);
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  names.forEach((n, i) => setOwnSlot(o, sym(n), strFromJs(`v${i}`)));
  t.not(getV(o, ObjectF.spill), NONE, 'slots past the inline ones go to the spill array');
  t.is(typeId(getV(o, ObjectF.spill)), T.VArray);
  t.deepEqual(names.map((n) => strToJs(ownSlot(o, sym(n)))), names.map((_, i) => `v${i}`));
  t.deepEqual(names.map((_, i) => strToJs(slotGet(o, i))), names.map((_, i) => `v${i}`), 'slot i is the i-th name added');
  // Overwriting keeps the slot (no new map).
  const m = getV(o, ObjectF.map);
  setOwnSlot(o, sym('c'), small(99));
  t.is(getV(o, ObjectF.map), m);
  t.is(ownSlot(o, sym('c')), small(99));
  t.is(ownSlot(o, sym('not_there')), NONE);
});

test('maps: objects that get the same slots in the same order share a map; the map names the class', (t) => {
  const c = classWithSlots('Shape', 2);
  const p = allocObject(c);
  const q = allocObject(c);
  const r = allocObject(c);
  t.is(getV(p, ObjectF.map), getV(q, ObjectF.map), 'fresh instances share the root map');
  for (const o of [p, q]) {
    setOwnSlot(o, sym('x'), small(1));
    setOwnSlot(o, sym('y'), small(2));
  }
  setOwnSlot(r, sym('y'), small(2));
  setOwnSlot(r, sym('x'), small(1));
  t.is(getV(p, ObjectF.map), getV(q, ObjectF.map), 'same transitions, same map');
  t.not(getV(p, ObjectF.map), getV(r, ObjectF.map), 'another order, another map');
  const m = getV(p, ObjectF.map);
  t.is(mapLookup(m, sym('x')), 0);
  t.is(mapLookup(m, sym('y')), 1);
  t.is(mapLookup(m, sym('z')), -1);
  t.deepEqual(mapInfo(m).names, [sym('x'), sym('y')]);
  t.is(getV(m, MapF.cls), c, 'the map records the class');
  t.not(getV(allocObject(classWithSlots('Other', 2)), ObjectF.map), getV(allocObject(c), ObjectF.map), 'each class has its own root map');
});

// -- Classes ------------------------------------------------------------------------------

test('classes: field lookup is own first, then superclasses depth-first, left to right', (t) => {
  // D(B, C), B(A): A.x is found through B before C.x; C.y is found after B's chain has none.
  const A = mkClass('A', [K.Object], Creator.Object);
  const B = mkClass('B', [A], Creator.Object);
  const C = mkClass('C', [K.Object], Creator.Object);
  const D = mkClass('D', [B, C], Creator.Object);
  setField(A, sym('x'), small(1));
  setField(C, sym('x'), small(2));
  setField(C, sym('y'), small(3));
  t.is(findField(D, sym('x')), small(1), 'depth-first: A (via B) before C');
  t.is(findField(D, sym('y')), small(3));
  t.is(findField(D, sym('nope')), NONE);
  t.is(ownField(D, sym('x')), NONE);
  setField(D, sym('x'), small(4));
  t.is(findField(D, sym('x')), small(4), 'own field first');
  t.is(findField(B, sym('x')), small(1));
  setField(B, sym('x'), small(5));
  t.is(findField(B, sym('x')), small(5));
  t.is(findField(D, sym('x')), small(4));
  t.true(isSubclass(D, A) && isSubclass(D, C) && isSubclass(D, D) && isSubclass(D, K.Object));
  t.false(isSubclass(A, D) || isSubclass(C, B));
});

test('classes: many fields grow the field array and keep their values', (t) => {
  const c = mkClass('Wide', [K.Object], Creator.Object);
  for (let i = 0; i < 100; i++) setField(c, sym(`f${i}`), small(i));
  let ok = 0;
  for (let i = 0; i < 100; i++) ok += ownField(c, sym(`f${i}`)) === small(i) ? 1 : 0;
  t.is(ok, 100);
  setField(c, sym('f7'), small(-7));
  t.is(ownField(c, sym('f7')), small(-7), 'redefining replaces the value');
});

test('classes: set_field replaces the version of the class and of every subclass, not of others', (t) => {
  const A = mkClass('VA', [K.Object], Creator.Object);
  const B = mkClass('VB', [A], Creator.Object);
  const C = mkClass('VC', [B], Creator.Object);
  const X = mkClass('VX', [K.Object], Creator.Object);
  const ver = (c: Value) => getV(c, ClassF.version);
  const before = [A, B, C, X].map(ver);
  t.is(typeId(before[0]), T.Version);
  setField(B, sym('m'), small(1));
  const after = [A, B, C, X].map(ver);
  t.is(after[0], before[0], 'the superclass keeps its version');
  t.not(after[1], before[1], 'the class gets a new version');
  t.not(after[2], before[2], 'a subclass (two levels down) gets a new version');
  t.is(after[3], before[3], 'an unrelated class keeps its version');
  // Redefining an existing field is a change too.
  setField(B, sym('m'), small(2));
  t.not(ver(B), after[1]);
  t.not(ver(C), after[2]);
  const a = ver(A);
  const c = ver(C);
  const x = ver(X);
  bumpVersion(A);
  t.not(ver(A), a);
  t.not(ver(C), c, 'bumping the root reaches every descendant');
  t.is(ver(X), x);
});
