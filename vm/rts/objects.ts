// The object model over the heap: strings, integers, floats, value arrays, lists, maps
// (shapes), slotted objects and classes. Everything here works through `ll` and the
// layout constants; nothing else knows where a field lives.

import { alloc, allocPartlyZeroed } from './alloc.js';
import { U8 } from './heap.js';
import { addPermanentRoot } from './gc.js';
import { T, StringF, Int64F, FloatF, VArrayF, ListF, ObjectF, ClassF, MapF, FuncF, PartialF, ExceptionF } from './layout.js';
import { getV, setV, getI, setI, getF, setF, getItem, setItem, typeId, objBytes, addr, val } from './ll.js';
import { NONE, fitsSmall, isSmall, small, smallOf, type Value } from './value.js';

// -- Strings ------------------------------------------------------------------

/**
 * One-byte strings are shared, as CPython shares its latin1 characters: indexing and
 * iterating over a string then allocate nothing. Only `is` could tell, and programs
 * should not use it on strings (language.md, identity).
 */
const oneByte = new Int32Array(256);

/**
 * A string of n bytes, its header zeroed but not its bytes: every caller writes them all
 * at once (zeroing first would touch the memory twice).
 */
function allocStr(n: number): number {
  return allocPartlyZeroed(T.String, StringF.SIZE + n, StringF.SIZE);
}

function oneByteStr(b: number): Value {
  let s = oneByte[b] as unknown as Value;
  if (s === NONE) {
    const p = allocStr(1);
    setI(p, StringF.len, 1);
    U8[p + StringF.SIZE] = b;
    s = val(p);
    addPermanentRoot(s);
    oneByte[b] = s as unknown as number;
  }
  return s;
}

export function allocString(bytes: Uint8Array): Value {
  if (bytes.length === 1) return oneByteStr(bytes[0]);
  const p = allocStr(bytes.length);
  setI(p, StringF.len, bytes.length);
  U8.set(bytes, p + StringF.SIZE);
  return val(p);
}

/** A string from a JS string whose characters are bytes (latin1). */
export function strFromJs(s: string): Value {
  if (s.length === 1) return oneByteStr(s.charCodeAt(0) & 0xff);
  const p = allocStr(s.length);
  setI(p, StringF.len, s.length);
  const base = p + StringF.SIZE;
  for (let i = 0; i < s.length; i++) U8[base + i] = s.charCodeAt(i) & 0xff;
  return val(p);
}

export function strLen(s: Value): number {
  return getI(s, StringF.len);
}

/**
 * The bytes of a string as a view into the heap: valid only until the next allocation
 * (a collection may reuse the memory), for comparing or copying at once.
 */
export function strBytesView(s: Value): Uint8Array {
  const a = addr(s) + StringF.SIZE;
  return U8.subarray(a, a + strLen(s));
}

/** The bytes of a string, copied out of the heap. */
export function strBytes(s: Value): Uint8Array {
  const a = addr(s) + StringF.SIZE;
  return U8.slice(a, a + strLen(s));
}

/** The string as a JS string of byte-valued characters (latin1). */
export function strToJs(s: Value): string {
  const a = addr(s) + StringF.SIZE;
  const n = strLen(s);
  if (n < 64) {
    let r = '';
    for (let i = 0; i < n; i++) r += String.fromCharCode(U8[a + i]);
    return r;
  }
  return Buffer.from(U8.buffer, U8.byteOffset + a, n).toString('latin1');
}

export function strByte(s: Value, i: number): number {
  return U8[addr(s) + StringF.SIZE + i];
}

export function strEq(a: Value, b: Value): boolean {
  if (a === b) return true;
  const n = strLen(a);
  if (n !== strLen(b)) return false;
  const pa = addr(a) + StringF.SIZE;
  const pb = addr(b) + StringF.SIZE;
  for (let i = 0; i < n; i++) if (U8[pa + i] !== U8[pb + i]) return false;
  return true;
}

/** The byte offset of the first occurrence of `sub` in `s` at or after `from`, or -1. */
export function strIndexOf(s: Value, sub: Value, from: number): number {
  const n = strLen(sub);
  const last = strLen(s) - n;
  const ps = addr(s) + StringF.SIZE;
  const pt = addr(sub) + StringF.SIZE;
  if (n === 0) return from <= last ? from : -1;
  const first = U8[pt];
  for (let i = from; i <= last; i++) {
    if (U8[ps + i] !== first) continue;
    let k = 1;
    while (k < n && U8[ps + i + k] === U8[pt + k]) k++;
    if (k === n) return i;
  }
  return -1;
}

/** Byte-wise comparison: negative, 0 or positive. */
export function strCmp(a: Value, b: Value): number {
  const na = strLen(a);
  const nb = strLen(b);
  const pa = addr(a) + StringF.SIZE;
  const pb = addr(b) + StringF.SIZE;
  const n = Math.min(na, nb);
  for (let i = 0; i < n; i++) {
    const d = U8[pa + i] - U8[pb + i];
    if (d !== 0) return d;
  }
  return na - nb;
}

/** FNV-1a over the bytes, cached in the string (0 means not yet computed). */
export function strHash(s: Value): number {
  let h = getI(s, StringF.hash);
  if (h !== 0) return h;
  h = 0x811c9dc5 | 0;
  const p = addr(s) + StringF.SIZE;
  const n = strLen(s);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ U8[p + i], 0x01000193);
  h = (h & 0x3fffffff) | 1; // never 0, and fits a small int
  setI(s, StringF.hash, h);
  return h;
}

/** Copies n heap bytes; short copies by hand, which beats copyWithin's call overhead. */
function copyBytes(from: number, to: number, n: number): void {
  if (n < 32) {
    for (let i = 0; i < n; i++) U8[to + i] = U8[from + i];
  } else {
    U8.copyWithin(to, from, from + n);
  }
}

/** Copies n bytes from byte offset `srcOff` of object `src` to byte offset `dstOff` of `dst`. */
export function copyObjectBytes(src: Value, srcOff: number, dst: Value, dstOff: number, n: number): void {
  copyBytes(addr(src) + srcOff, addr(dst) + dstOff, n);
}

/** A new string of the n bytes at byte offset `off` of object `src` (packed data, buffers). */
export function strFromObjectBytes(src: Value, off: number, n: number): Value {
  const p = allocStr(n);
  setI(p, StringF.len, n);
  copyBytes(addr(src) + off, p + StringF.SIZE, n);
  return val(p);
}

export function strConcat(a: Value, b: Value): Value {
  const na = strLen(a);
  const nb = strLen(b);
  const p = allocStr(na + nb);
  setI(p, StringF.len, na + nb);
  copyBytes(addr(a) + StringF.SIZE, p + StringF.SIZE, na);
  copyBytes(addr(b) + StringF.SIZE, p + StringF.SIZE + na, nb);
  return val(p);
}

/** A new string of n bytes for the caller to fill (with copyStringBytes) before anything reads it. */
export function allocStringOfLength(n: number): Value {
  const p = allocStr(n);
  setI(p, StringF.len, n);
  return val(p);
}

/** Copies all of string `src`'s bytes into string `dst` at byte offset `off`. */
export function copyStringBytes(src: Value, dst: Value, off: number): void {
  copyBytes(addr(src) + StringF.SIZE, addr(dst) + StringF.SIZE + off, strLen(src));
}

/** A new string of bytes [i, j) of `s`. */
export function strSlice(s: Value, i: number, j: number): Value {
  const n = Math.max(0, j - i);
  if (n === 1) return oneByteStr(U8[addr(s) + StringF.SIZE + i]);
  const p = allocStr(n);
  setI(p, StringF.len, n);
  copyBytes(addr(s) + StringF.SIZE + i, p + StringF.SIZE, n);
  return val(p);
}

// -- Symbols: interned names --------------------------------------------------

const symIds = new Map<string, number>();
const symNames: string[] = [];
const symStrs: Value[] = [];

/** The symbol id of a name (a latin1 JS string). */
export function sym(name: string): number {
  let id = symIds.get(name);
  if (id === undefined) {
    id = symNames.length;
    symIds.set(name, id);
    symNames.push(name);
    const s = strFromJs(name);
    addPermanentRoot(s);
    symStrs.push(s);
  }
  return id;
}

export function symName(id: number): string {
  return symNames[id];
}

/** The interned heap string of a symbol. */
export function symStr(id: number): Value {
  return symStrs[id];
}

export function symOfStr(s: Value): number {
  return sym(strToJs(s));
}

// -- Integers -----------------------------------------------------------------

const TWO32 = 4294967296;

/** An Int from a JS integer in the safe range. */
export function mkInt(n: number): Value {
  if (fitsSmall(n)) return small(n);
  const p = allocPartlyZeroed(T.Int64, Int64F.SIZE, 0); // both halves are written at once
  setI(p, Int64F.lo, n | 0);
  setI(p, Int64F.hi, Math.floor(n / TWO32) | 0);
  return val(p);
}

/** An Int from a bigint, wrapped to 64 bits. */
export function mkIntBig(b: bigint): Value {
  b = BigInt.asIntN(64, b);
  if (b >= -0x40000000n && b <= 0x3fffffffn) return small(Number(b));
  const p = allocPartlyZeroed(T.Int64, Int64F.SIZE, 0); // both halves are written at once
  setI(p, Int64F.lo, Number(BigInt.asIntN(32, b)));
  setI(p, Int64F.hi, Number(BigInt.asIntN(32, b >> 32n)));
  return val(p);
}

/**
 * An Int from its two's-complement 32-bit halves: a small int when it fits (so packed
 * integer reads allocate nothing in the common case), else a box.
 */
export function mkIntWords(lo: number, hi: number): Value {
  if (hi === lo >> 31 && fitsSmall(lo)) return small(lo);
  const p = allocPartlyZeroed(T.Int64, Int64F.SIZE, 0); // both halves are written at once
  setI(p, Int64F.lo, lo);
  setI(p, Int64F.hi, hi);
  return val(p);
}

export function isInt(v: Value): boolean {
  return isSmall(v) || (v !== NONE && typeId(v) === T.Int64);
}

/** The value of an Int as a bigint. */
export function intBig(v: Value): bigint {
  if (isSmall(v)) return BigInt(smallOf(v));
  return (BigInt(getI(v, Int64F.hi)) << 32n) | BigInt(getI(v, Int64F.lo) >>> 0);
}

/** The value of an Int as a JS number (exact within ±2^53). */
export function intNum(v: Value): number {
  if (isSmall(v)) return smallOf(v);
  return getI(v, Int64F.hi) * TWO32 + (getI(v, Int64F.lo) >>> 0);
}

/** True if the Int is exactly representable as a JS number (|v| <= 2^53). */
export function intIsSafe(v: Value): boolean {
  return isSmall(v) || Number.isSafeInteger(intNum(v));
}

// -- Floats -------------------------------------------------------------------

export function mkFloat(x: number): Value {
  // Nothing in a Float is traced and its value is written at once: no zeroing (the pad
  // word is never read).
  const p = allocPartlyZeroed(T.Float, FloatF.SIZE, 0);
  setF(p, FloatF.val, x);
  return val(p);
}

export function isFloat(v: Value): boolean {
  return !isSmall(v) && v !== NONE && typeId(v) === T.Float;
}

export function floatOf(v: Value): number {
  return getF(v, FloatF.val);
}

// -- Value arrays -------------------------------------------------------------

export function allocVArray(capacity: number): Value {
  return val(alloc(T.VArray, VArrayF.SIZE + 4 * capacity));
}

export function varrayCap(a: Value): number {
  return (objBytes(a) - VArrayF.SIZE) >> 2;
}

// -- Lists --------------------------------------------------------------------

export function allocList(cls: Value, capacity: number): Value {
  const l = val(alloc(T.List, ListF.SIZE));
  setV(l, ListF.map, rootMapOf(cls));
  setV(l, ListF.items, allocVArray(Math.max(capacity, 4)));
  return l;
}

export function listLen(l: Value): number {
  return getI(l, ListF.len);
}

export function listGet(l: Value, i: number): Value {
  return getItem(getV(l, ListF.items), VArrayF.SIZE, i);
}

export function listSet(l: Value, i: number, v: Value): void {
  setItem(getV(l, ListF.items), VArrayF.SIZE, i, v);
}

/** Makes room for `n` elements. */
export function listReserve(l: Value, n: number): void {
  const items = getV(l, ListF.items);
  const cap = varrayCap(items);
  if (n <= cap) return;
  const len = listLen(l);
  const bigger = allocVArray(Math.max(n, cap * 2));
  for (let i = 0; i < len; i++) setItem(bigger, VArrayF.SIZE, i, getItem(items, VArrayF.SIZE, i));
  setI(bigger, VArrayF.len, len);
  setV(l, ListF.items, bigger);
}

export function listPush(l: Value, v: Value): void {
  const len = listLen(l);
  listReserve(l, len + 1);
  const items = getV(l, ListF.items);
  setItem(items, VArrayF.SIZE, len, v);
  setI(items, VArrayF.len, len + 1);
  setI(l, ListF.len, len + 1);
}

/** Sets the length (the new tail must be filled by the caller when growing). */
export function listSetLen(l: Value, n: number): void {
  listReserve(l, n);
  const items = getV(l, ListF.items);
  for (let i = n; i < listLen(l); i++) setItem(items, VArrayF.SIZE, i, NONE);
  setI(items, VArrayF.len, n);
  setI(l, ListF.len, n);
}

// -- Maps (shapes) ------------------------------------------------------------
// A map records which slot names an object has, in order, and the object's class.
// Maps form a transition tree from each class's root map; they are immortal. The name
// index lives on the TypeScript side, keyed by the map's id.

interface MapInfo {
  readonly ptr: Value;
  readonly names: number[]; // symbol ids in slot order
  readonly index: Map<number, number>;
  readonly transitions: Map<number, Value>;
}

const maps: MapInfo[] = [];

export function newMap(cls: Value, parent: MapInfo | null, added: number): Value {
  const p = val(alloc(T.Map, MapF.SIZE));
  setV(p, MapF.cls, cls);
  setI(p, MapF.id, maps.length);
  const names = parent ? [...parent.names, added] : [];
  setI(p, MapF.count, names.length);
  const index = new Map<number, number>(parent ? parent.index : []);
  if (parent) index.set(added, names.length - 1);
  maps.push({ ptr: p, names, index, transitions: new Map() });
  addPermanentRoot(p);
  return p;
}

export function mapInfo(m: Value): MapInfo {
  return maps[getI(m, MapF.id)];
}

/** Slot index of `s` in map `m`, or -1. */
export function mapLookup(m: Value, s: number): number {
  const i = maps[getI(m, MapF.id)].index.get(s);
  return i === undefined ? -1 : i;
}

export function mapWith(m: Value, s: number): Value {
  const info = maps[getI(m, MapF.id)];
  let next = info.transitions.get(s);
  if (next === undefined) {
    next = newMap(getV(m, MapF.cls), info, s);
    info.transitions.set(s, next);
  }
  return next;
}

/** The map new instances of `cls` start with. */
export function rootMapOf(cls: Value): Value {
  return getV(cls, ClassF.instMap);
}

// -- Slotted objects ----------------------------------------------------------
// Objects and exceptions keep their first slots inline (as many as fit the size they
// were allocated with) and the rest in a spill array; other slotted types (lists,
// functions...) keep all their slots in the spill array.

/** Byte offset of the first inline slot of a slotted object type, or 0 if it has none. */
function inlineBase(type: number): number {
  if (type === T.Object) return ObjectF.SIZE;
  if (type === T.Exception) return ExceptionF.SIZE;
  return 0;
}

function inlineCount(o: Value, type: number): number {
  const base = inlineBase(type);
  return base === 0 ? 0 : (objBytes(o) - base) >> 2;
}

export function slotGet(o: Value, i: number): Value {
  const type = typeId(o);
  const n = inlineCount(o, type);
  if (i < n) return getItem(o, inlineBase(type), i);
  return getItem(getV(o, ObjectF.spill), VArrayF.SIZE, i - n);
}

export function slotSet(o: Value, i: number, v: Value): void {
  const type = typeId(o);
  const n = inlineCount(o, type);
  if (i < n) return setItem(o, inlineBase(type), i, v);
  let spill = getV(o, ObjectF.spill);
  const j = i - n;
  if (spill === NONE || j >= varrayCap(spill)) {
    const bigger = allocVArray(Math.max(4, (j + 1) * 2));
    if (spill !== NONE) {
      const len = getI(spill, VArrayF.len);
      for (let k = 0; k < len; k++) setItem(bigger, VArrayF.SIZE, k, getItem(spill, VArrayF.SIZE, k));
    }
    setV(o, ObjectF.spill, bigger);
    spill = bigger;
  }
  setItem(spill, VArrayF.SIZE, j, v);
  if (j >= getI(spill, VArrayF.len)) setI(spill, VArrayF.len, j + 1);
}

/** Reads own slot `s` of a slotted object, or NONE. */
export function ownSlot(o: Value, s: number): Value {
  const i = mapLookup(getV(o, ObjectF.map), s);
  return i < 0 ? NONE : slotGet(o, i);
}

/** Sets (creating if needed) own slot `s` of a slotted object. */
export function setOwnSlot(o: Value, s: number, v: Value): void {
  const m = getV(o, ObjectF.map);
  let i = mapLookup(m, s);
  if (i < 0) {
    const m2 = mapWith(m, s);
    i = getI(m2, MapF.count) - 1;
    setV(o, ObjectF.map, m2);
  }
  slotSet(o, i, v);
}

/** Maximum inline slots given to an instance (PyPy uses 5 too). */
export const MAX_INLINE_SLOTS = 5;

/** A new plain instance of `cls`, sized for the slots its class's instances usually get. */
export function allocObject(cls: Value, type: T.Object | T.Exception = T.Object): Value {
  const hint = Math.min(MAX_INLINE_SLOTS, getI(cls, ClassF.instSlots));
  const base = type === T.Object ? ObjectF.SIZE : ExceptionF.SIZE;
  const o = val(alloc(type, base + 4 * hint));
  setV(o, ObjectF.map, rootMapOf(cls));
  return o;
}

export function isSlotted(type: number): boolean {
  return type === T.Object || type === T.Exception || type === T.Class || type === T.List || type === T.Dict || type === T.Set || type === T.Func || type === T.Partial || type === T.Module || type === T.Handle || type === T.Array;
}

// -- Functions ----------------------------------------------------------------

export const FUNC_BOUND = 1;

export function funcIsBound(f: Value): boolean {
  return (getI(f, FuncF.flags) & FUNC_BOUND) !== 0;
}

export function allocPartial(cls: Value, f: Value, args: Value): Value {
  const p = val(alloc(T.Partial, PartialF.SIZE));
  setV(p, PartialF.map, rootMapOf(cls));
  setV(p, PartialF.func, f);
  setV(p, PartialF.args, args);
  return p;
}

export { isSmall, small, smallOf, NONE };
