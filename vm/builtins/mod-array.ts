// The Array module (stdlib.md §4.1): packed arrays of machine numbers. An Array is a
// slotted heap object (T.Array) whose elements live in a Bytes object the collector never
// scans, so a million-element array is one untraced block rather than a million values.
// Elements are converted when stored (Floats truncated into integer arrays, integers
// wrapped to the element width, Ints rounded into "f" arrays) and read back as Ints or
// Floats. get/set/append are kept small and allocation-free for small ints: the JIT will
// enter them directly.

import { T, ArrayF, BytesF, ClassF, GenStateF, Int64F, StringF } from '../rts/layout.js';
import { getF, getI, getV, setF, setI, setV, typeId, val } from '../rts/ll.js';
import { alloc } from '../rts/alloc.js';
import { NONE, fitsSmall, isSmall, small, smallOf, type Value } from '../rts/value.js';
import { shadowGet, shadowMark, shadowPopTo, shadowPush } from '../rts/gc.js';
import { copyObjectBytes, floatOf, mkFloat, mkInt, mkIntWords, rootMapOf, strFromObjectBytes, strLen, strToJs } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { ConvergeThrow, EXC, K, mkException, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { defGen, newGen } from './gen.js';
import { formatFloat, typeError } from './operators.js';
import { defModule } from './native-kit.js';
import { absent, callInit, checkCount, defCreator, defTyped, elemIndex, forEachValue, isStr, sliceBounds } from './types-common.js';

// -- Element kinds ------------------------------------------------------------------------
// The heap is viewed in the host's byte order, so each integer type is either native or
// byte-swapped; "f" is always a native double.

const enum Elem {
  Native32 = 0,
  Swapped32 = 1,
  Native64 = 2,
  Swapped64 = 3,
  Float = 4,
}

const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Byte offsets of the low and high words of a native 64-bit integer. */
const LO = LITTLE ? 0 : 4;
const HI = 4 - LO;

const ELEM_OF: Record<string, Elem> = {
  i: Elem.Native64,
  i32: Elem.Native32,
  i32le: LITTLE ? Elem.Native32 : Elem.Swapped32,
  i32be: LITTLE ? Elem.Swapped32 : Elem.Native32,
  i64: Elem.Native64,
  i64le: LITTLE ? Elem.Native64 : Elem.Swapped64,
  i64be: LITTLE ? Elem.Swapped64 : Elem.Native64,
  f: Elem.Float,
};

function elemSize(e: number): number {
  return e <= Elem.Swapped32 ? 4 : 8;
}

function bswap(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

// -- Module state -----------------------------------------------------------------------------

let ArrayClass: Value = NONE;
let ArrayException: Value = NONE;

function arrayError(msg: string): never {
  throw new ConvergeThrow(mkException(ArrayException, msg));
}

export function isArray(v: Value): boolean {
  return !isSmall(v) && v !== NONE && typeId(v) === T.Array;
}

// -- Storage ----------------------------------------------------------------------------------

/** Room for `bytes` bytes of elements: 8-aligned (the tail starts at 8), never traced. */
function allocData(bytes: number): Value {
  const d = val(alloc(T.Bytes, BytesF.SIZE + bytes));
  setI(d, BytesF.len, bytes);
  return d;
}

function allocArray(cls: Value, elem: Elem, capBytes: number): Value {
  const a = val(alloc(T.Array, ArrayF.SIZE));
  setV(a, ArrayF.map, rootMapOf(cls));
  setI(a, ArrayF.elem, elem);
  setV(a, ArrayF.data, allocData(capBytes));
  return a;
}

/** Makes room for `more` further elements. */
function reserve(a: Value, more: number): void {
  const size = elemSize(getI(a, ArrayF.elem));
  const used = getI(a, ArrayF.len) * size;
  const need = used + more * size;
  const d = getV(a, ArrayF.data);
  const cap = getI(d, BytesF.len);
  if (need <= cap) return;
  const bigger = allocData(Math.max(need, cap * 2, 64));
  copyObjectBytes(d, BytesF.SIZE, bigger, BytesF.SIZE, used);
  setV(a, ArrayF.data, bigger);
}

/** Element `i` (in bounds) as an Int or Float. */
export function arrayGet(a: Value, i: number): Value {
  const d = getV(a, ArrayF.data);
  switch (getI(a, ArrayF.elem)) {
    case Elem.Native32: {
      const n = getI(d, BytesF.SIZE + 4 * i);
      return fitsSmall(n) ? small(n) : mkInt(n);
    }
    case Elem.Swapped32: {
      const n = bswap(getI(d, BytesF.SIZE + 4 * i));
      return fitsSmall(n) ? small(n) : mkInt(n);
    }
    case Elem.Native64: {
      const off = BytesF.SIZE + 8 * i;
      return mkIntWords(getI(d, off + LO), getI(d, off + HI));
    }
    case Elem.Swapped64: {
      // The swapped layout has each half byte-swapped and the halves exchanged.
      const off = BytesF.SIZE + 8 * i;
      return mkIntWords(bswap(getI(d, off + HI)), bswap(getI(d, off + LO)));
    }
    default:
      return mkFloat(getF(d, BytesF.SIZE + 8 * i));
  }
}

const TWO32 = 4294967296;

/** Float to integer storage: truncated; not representable in 64 bits is Number_Exception. */
function floatWords(x: number): [number, number] {
  const t = Math.trunc(x);
  if (!Number.isFinite(t) || t >= 2 ** 63 || t < -(2 ** 63)) raise('Number_Exception', `Number '${formatFloat(x)}' not valid.`);
  return [t | 0, Math.floor(t / TWO32) | 0];
}

/** Stores number `o` as element `i` (in bounds), converted to the element type. */
export function arraySet(a: Value, i: number, o: Value): void {
  const d = getV(a, ArrayF.data);
  const elem = getI(a, ArrayF.elem);
  let lo: number;
  let hi: number;
  if (isSmall(o)) {
    lo = smallOf(o);
    hi = lo >> 31;
    if (elem === Elem.Float) return setF(d, BytesF.SIZE + 8 * i, lo);
  } else if (o !== NONE && typeId(o) === T.Int64) {
    lo = getI(o, Int64F.lo);
    hi = getI(o, Int64F.hi);
    if (elem === Elem.Float) return setF(d, BytesF.SIZE + 8 * i, hi * TWO32 + (lo >>> 0));
  } else if (o !== NONE && typeId(o) === T.Float) {
    if (elem === Elem.Float) return setF(d, BytesF.SIZE + 8 * i, floatOf(o));
    [lo, hi] = floatWords(floatOf(o));
  } else {
    typeError('Number', o);
  }
  switch (elem) {
    case Elem.Native32:
      return setI(d, BytesF.SIZE + 4 * i, lo);
    case Elem.Swapped32:
      return setI(d, BytesF.SIZE + 4 * i, bswap(lo));
    case Elem.Native64: {
      const off = BytesF.SIZE + 8 * i;
      setI(d, off + LO, lo);
      return setI(d, off + HI, hi);
    }
    default: {
      const off = BytesF.SIZE + 8 * i;
      setI(d, off + LO, bswap(hi));
      return setI(d, off + HI, bswap(lo));
    }
  }
}

export function arrayAppend(a: Value, o: Value): void {
  const n = getI(a, ArrayF.len);
  reserve(a, 1);
  arraySet(a, n, o);
  setI(a, ArrayF.len, n + 1);
}

export function arrayLen(a: Value): number {
  return getI(a, ArrayF.len);
}

function lenBytes(a: Value): number {
  return getI(a, ArrayF.len) * elemSize(getI(a, ArrayF.elem));
}

/** Appends the raw bytes of String `s` (whole elements only). */
function extendFromString(a: Value, s: Value): void {
  if (!isStr(s)) typeError('String', s);
  const n = strLen(s);
  const size = elemSize(getI(a, ArrayF.elem));
  if (n % size !== 0) arrayError(`Data of len ${n} not aligned to a multiple of ${size}.`);
  reserve(a, n / size);
  copyObjectBytes(s, StringF.SIZE, getV(a, ArrayF.data), BytesF.SIZE + lenBytes(a), n);
  setI(a, ArrayF.len, getI(a, ArrayF.len) + n / size);
}

/** Appends every value of `c.iter()`; an Array of the same element type is copied raw. */
function extend(a: Value, c: Value): void {
  if (isArray(c) && getI(c, ArrayF.elem) === getI(a, ArrayF.elem)) {
    const n = getI(c, ArrayF.len); // read first: a.extend(a) doubles a
    reserve(a, n);
    copyObjectBytes(getV(c, ArrayF.data), BytesF.SIZE, getV(a, ArrayF.data), BytesF.SIZE + lenBytes(a), n * elemSize(getI(a, ArrayF.elem)));
    setI(a, ArrayF.len, getI(a, ArrayF.len) + n);
    return;
  }
  const m = shadowMark();
  try {
    const pa = shadowPush(a);
    forEachValue(c, (v) => arrayAppend(shadowGet(pa), v));
  } finally {
    shadowPopTo(m);
  }
}

function serialize(a: Value): Value {
  return strFromObjectBytes(getV(a, ArrayF.data), BytesF.SIZE, lenBytes(a));
}

// -- Creation ---------------------------------------------------------------------------------

/** Array.new(type, data := null). */
function newArray(a: Value[]): Value {
  checkCount(a, 2, 3);
  const tv = a[1];
  if (!isStr(tv)) typeError('String', tv);
  const name = strToJs(tv);
  if (!Object.prototype.hasOwnProperty.call(ELEM_OF, name)) arrayError(`Unknown array type '${name}'.`);
  const elem = ELEM_OF[name];
  const data = a.length > 2 ? a[2] : K.null;
  const m = shadowMark();
  try {
    const pd = shadowPush(data);
    const pt = shadowPush(tv);
    let arr: Value;
    if (isStr(data)) {
      arr = allocArray(a[0], elem, strLen(data));
      extendFromString(arr, data);
    } else {
      arr = allocArray(a[0], elem, 64);
      if (!absent(data)) extend(arr, data);
    }
    return callInit(arr, [shadowGet(pt), shadowGet(pd)]);
  } finally {
    shadowPopTo(m);
  }
}

// -- Methods ------------------------------------------------------------------------------------

/** iter: a = the array, i = next index, j = end (exclusive). */
const GEN_ITER = defGen((g) => {
  const a = getV(g, GenStateF.a);
  const i = getI(g, GenStateF.i);
  if (i >= getI(g, GenStateF.j) || i >= getI(a, ArrayF.len)) return NONE;
  setI(g, GenStateF.i, i + 1);
  return arrayGet(a, i);
});

export function installArray(): void {
  ArrayException = mkClass('Array_Exception', [EXC.User_Exception], Creator.Exception);
  ArrayClass = mkClass('Array', [K.Object], defCreator(newArray) as Creator);
  const mod = defModule('Array', {}, { Array_Exception: ArrayException, Array: ArrayClass });
  setV(ArrayException, ClassF.container, mod);
  setV(ArrayClass, ClassF.container, mod);
  defTyped(ArrayClass, 'Array::Array', isArray, 'Array', [
    ['append', 2, 2, (a) => {
      arrayAppend(a[0], a[1]);
      return K.null;
    }],
    ['extend', 2, 2, (a) => {
      extend(a[0], a[1]);
      return K.null;
    }],
    ['extend_from_string', 2, 2, (a) => {
      extendFromString(a[0], a[1]);
      return K.null;
    }],
    ['get', 2, 2, (a) => arrayGet(a[0], elemIndex(a[1], getI(a[0], ArrayF.len)))],
    ['set', 3, 3, (a) => {
      arraySet(a[0], elemIndex(a[1], getI(a[0], ArrayF.len)), a[2]);
      return K.null;
    }],
    ['get_slice', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], getI(a[0], ArrayF.len));
      const elem = getI(a[0], ArrayF.elem);
      const size = elemSize(elem);
      const r = allocArray(ArrayClass, elem, (j - i) * size);
      copyObjectBytes(getV(a[0], ArrayF.data), BytesF.SIZE + i * size, getV(r, ArrayF.data), BytesF.SIZE, (j - i) * size);
      setI(r, ArrayF.len, j - i);
      return r;
    }],
    ['iter', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], getI(a[0], ArrayF.len));
      return i < j ? newGen(GEN_ITER, a[0], i, j) : NONE;
    }, GEN_ITER],
    ['len', 1, 1, (a) => small(getI(a[0], ArrayF.len))],
    ['len_bytes', 1, 1, (a) => mkInt(lenBytes(a[0]))],
    ['serialize', 1, 1, (a) => serialize(a[0])],
    ['to_str', 1, 1, (a) => serialize(a[0])],
  ]);
}
