// Insertion-ordered hash tables for Dict and Set (spec/language.md §16: iteration in
// insertion order; re-setting a key keeps its place). Entries are [hash, key, value]
// triples in a VArray, appended in order; deleted entries keep their place with key
// NONE until the next rebuild. The index is an open-addressing table of entry numbers
// (+1; 0 = empty) in a Bytes object. Keys hash and compare with their `hash` and `==`
// methods, natively for Ints and Strings.

import { alloc } from '../rts/alloc.js';
import { T, DictF, VArrayF, BytesF, ClassF } from '../rts/layout.js';
import { getV, setV, getI, setI, getItem, setItem, objBytes, typeId, val } from '../rts/ll.js';
import { NONE, isSmall, small, smallOf, type Value } from '../rts/value.js';
import { allocVArray, intBig, isInt, strEq, strHash, sym } from '../rts/objects.js';
import { shadowMark, shadowPopTo, shadowPush, shadowGet } from '../rts/gc.js';
import { K, getSlot, hooks, raise, classOf, classPath } from './kernel.js';

const S_HASH = sym('hash');
const S_EQ = sym('==');

/** Hash of a key as a small non-negative integer. */
export function keyHash(k: Value): number {
  if (isSmall(k)) return smallOf(k) & 0x3fffffff;
  const t = typeId(k);
  if (t === T.String) return strHash(k);
  if (t === T.Int64) return Number(BigInt.asUintN(30, intBig(k)));
  const h = hooks.call(getSlot(k, S_HASH), []);
  // As upstream: a failing hash is a call that cannot fail; a non-Int is a type error.
  if (h === NONE) raise('VM_Exception', 'Function attempting to return fail, but caller can not handle failure.');
  if (!isInt(h)) raise('Type_Exception', `Expected to be conformant to Int, but got instance of ${classPath(classOf(h))}.`);
  return isSmall(h) ? smallOf(h) & 0x3fffffff : Number(BigInt.asUintN(30, intBig(h)));
}

/** Key equality: native for Ints and Strings, else the key's `==` method. */
export function keyEq(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (isSmall(a) || isSmall(b)) {
    if (isInt(a) && isInt(b)) return intBig(a) === intBig(b);
    if (isSmall(a)) return false;
  }
  const t = typeId(a);
  if (t === T.String) return !isSmall(b) && typeId(b) === T.String && strEq(a, b);
  if (t === T.Int64) return isInt(b) && intBig(a) === intBig(b);
  return hooks.call(getSlot(a, S_EQ), [b]) !== NONE;
}

const ENTRY = 3; // hash, key, value

function newIndex(cap: number): Value {
  return val(alloc(T.Bytes, BytesF.SIZE + 4 * cap));
}

function indexCap(index: Value): number {
  return getI(index, BytesF.len);
}

/** A new empty table (Dict or Set object) of class `cls`. */
export function newTable(type: T.Dict | T.Set, cls: Value, expected: number): Value {
  const d = val(alloc(type, DictF.SIZE));
  setV(d, DictF.map, getV(cls, ClassF.instMap));
  let cap = 8;
  while (cap * 2 < expected * 3) cap *= 2;
  setV(d, DictF.entries, allocVArray(Math.max(4, expected) * ENTRY));
  const index = newIndex(cap);
  setI(index, BytesF.len, cap);
  setV(d, DictF.index, index);
  return d;
}

export function tableCount(d: Value): number {
  return getI(d, DictF.count);
}

/** Number of entry slots in use (including deleted ones), for iteration. */
export function tableUsed(d: Value): number {
  return getI(d, DictF.used);
}

export function entryKey(d: Value, i: number): Value {
  return getItem(getV(d, DictF.entries), VArrayF.SIZE, i * ENTRY + 1);
}

export function entryVal(d: Value, i: number): Value {
  return getItem(getV(d, DictF.entries), VArrayF.SIZE, i * ENTRY + 2);
}

/** Ints and Strings hash and compare without running Converge code. */
function isNativeKey(k: Value): boolean {
  if (isSmall(k)) return true;
  const t = typeId(k);
  return t === T.String || t === T.Int64;
}

const NEEDS_GENERAL = -2;

/**
 * probe for a native key, which needs no rooting because no Converge code runs: the
 * entry number, -1, or NEEDS_GENERAL when a stored key with the same hash is not native
 * (its `==` decides, so the general probe must run).
 */
function probeNative(d: Value, k: Value, h: number): number {
  const index = getV(d, DictF.index);
  const entries = getV(d, DictF.entries);
  const cap = indexCap(index);
  let i = h & (cap - 1);
  for (let n = 0; n < cap; n++) {
    const slot = getI(index, BytesF.SIZE + 4 * i);
    if (slot === 0) return -1;
    const e = slot - 1;
    const ek = getItem(entries, VArrayF.SIZE, e * ENTRY + 1);
    if (ek !== NONE && smallOf(getItem(entries, VArrayF.SIZE, e * ENTRY)) === h) {
      if (!isNativeKey(ek)) return NEEDS_GENERAL;
      if (keyEq(ek, k)) return e;
    }
    i = (i + 1) & (cap - 1);
  }
  return -1;
}

/** Entry number of key `k` in table `d`, or -1. May run Converge code (hash, ==). */
export function tableFind(d: Value, k: Value): number {
  const native = isNativeKey(k);
  const h = native ? keyHash(k) : 0;
  if (native) {
    const e = probeNative(d, k, h);
    if (e !== NEEDS_GENERAL) return e;
  }
  // try/finally: a raising hash or == must not leave its roots on the shadow stack.
  const mark = shadowMark();
  try {
    const pd = shadowPush(d);
    const pk = shadowPush(k);
    return probe(pd, pk, native ? h : keyHash(k));
  } finally {
    shadowPopTo(mark);
  }
}

function probe(pd: number, pk: number, h: number): number {
  const d0 = shadowGet(pd);
  const cap = indexCap(getV(d0, DictF.index));
  let i = h & (cap - 1);
  for (let n = 0; n < cap; n++) {
    const d = shadowGet(pd);
    const index = getV(d, DictF.index);
    const slot = getI(index, BytesF.SIZE + 4 * i);
    if (slot === 0) return -1;
    const e = slot - 1;
    const entries = getV(d, DictF.entries);
    const ek = getItem(entries, VArrayF.SIZE, e * ENTRY + 1);
    if (ek !== NONE && smallOf(getItem(entries, VArrayF.SIZE, e * ENTRY)) === h && keyEq(ek, shadowGet(pk))) return e;
    i = (i + 1) & (cap - 1);
  }
  return -1;
}

function insertIndex(d: Value, h: number, e: number): void {
  const index = getV(d, DictF.index);
  const cap = indexCap(index);
  let i = h & (cap - 1);
  while (getI(index, BytesF.SIZE + 4 * i) !== 0) i = (i + 1) & (cap - 1);
  setI(index, BytesF.SIZE + 4 * i, e + 1);
}

/** Rebuilds entries (dropping deleted ones) and the index, with room to grow. */
function rebuild(d: Value, want: number): void {
  const old = getV(d, DictF.entries);
  const used = getI(d, DictF.used);
  const count = getI(d, DictF.count);
  const entries = allocVArray(Math.max(4, want) * ENTRY);
  let n = 0;
  for (let i = 0; i < used; i++) {
    const k = getItem(old, VArrayF.SIZE, i * ENTRY + 1);
    if (k === NONE) continue;
    for (let j = 0; j < ENTRY; j++) setItem(entries, VArrayF.SIZE, n * ENTRY + j, getItem(old, VArrayF.SIZE, i * ENTRY + j));
    n++;
  }
  setI(entries, VArrayF.len, n * ENTRY);
  let cap = 8;
  while (cap * 2 < want * 3) cap *= 2;
  const index = newIndex(cap);
  setI(index, BytesF.len, cap);
  setV(d, DictF.entries, entries);
  setV(d, DictF.index, index);
  setI(d, DictF.used, n);
  for (let i = 0; i < n; i++) insertIndex(d, smallOf(getItem(entries, VArrayF.SIZE, i * ENTRY)), i);
  if (n !== count) throw new Error('internal error: table count mismatch');
}

/** Sets key `k` to `v` (Sets pass NONE as v). May run Converge code. */
export function tableSet(d: Value, k: Value, v: Value): void {
  const native = isNativeKey(k);
  let h = native ? keyHash(k) : 0;
  let e = native ? probeNative(d, k, h) : NEEDS_GENERAL;
  if (e === NEEDS_GENERAL) {
    const mark = shadowMark();
    try {
      const pd = shadowPush(d);
      const pk = shadowPush(k);
      const pv = shadowPush(v);
      if (!native) h = keyHash(k);
      e = probe(pd, pk, h);
      d = shadowGet(pd);
      k = shadowGet(pk);
      v = shadowGet(pv);
    } finally {
      shadowPopTo(mark);
    }
  }
  if (e >= 0) {
    setItem(getV(d, DictF.entries), VArrayF.SIZE, e * ENTRY + 2, v);
    return;
  }
  let used = getI(d, DictF.used);
  const cap = indexCap(getV(d, DictF.index));
  const entries = getV(d, DictF.entries);
  if ((used + 1) * 3 > cap * 2 || (used + 1) * ENTRY > (objBytes(entries) - VArrayF.SIZE) >> 2) {
    rebuild(d, (getI(d, DictF.count) + 1) * 2);
    used = getI(d, DictF.used);
  }
  const ents = getV(d, DictF.entries);
  setItem(ents, VArrayF.SIZE, used * ENTRY, small(h));
  setItem(ents, VArrayF.SIZE, used * ENTRY + 1, k);
  setItem(ents, VArrayF.SIZE, used * ENTRY + 2, v);
  setI(ents, VArrayF.len, (used + 1) * ENTRY);
  insertIndex(d, h, used);
  setI(d, DictF.used, used + 1);
  setI(d, DictF.count, getI(d, DictF.count) + 1);
}

/** Removes key `k`; returns false if absent. */
export function tableDel(d: Value, k: Value): boolean {
  const mark = shadowMark();
  let e: number;
  try {
    shadowPush(d);
    e = tableFind(d, k);
  } finally {
    shadowPopTo(mark);
  }
  if (e < 0) return false;
  // The index keeps pointing at the entry, which now reads as deleted (key NONE).
  setItem(getV(d, DictF.entries), VArrayF.SIZE, e * ENTRY + 1, NONE);
  setItem(getV(d, DictF.entries), VArrayF.SIZE, e * ENTRY + 2, NONE);
  setI(d, DictF.count, getI(d, DictF.count) - 1);
  return true;
}

export { K };
