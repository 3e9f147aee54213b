// Builtins::String (stdlib.md §1.9): immutable byte strings. JS strings stand for byte
// strings here as latin1 (one char per byte).

import { GenStateF } from '../rts/layout.js';
import { getV, getI, setI } from '../rts/ll.js';
import { NONE, small, type Value } from '../rts/value.js';
import { allocList, listPush, strByte, strEq, strFromJs, strHash, strIndexOf, strLen, strSlice, strToJs } from '../rts/objects.js';
import { K, binary, fixed, raise, unary } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { arith } from './operators.js';
import { Op } from '../bytecode/opcodes.js';
import { defTyped, elemIndex, intArg, isStr, sliceBounds, sliceIndex, strArg } from './types-common.js';

/** iter: a = string, i = next index, j = end. */
const GEN_STR_ITER = defGen((g) => {
  const i = getI(g, GenStateF.i);
  if (i >= getI(g, GenStateF.j)) return NONE;
  setI(g, GenStateF.i, i + 1);
  return strSlice(getV(g, GenStateF.a), i, i + 1);
});

/**
 * find / find_index / rfind_index: a = string, b = what is sought, i = next candidate
 * start, j = step (+1 / -1), k = 1 to yield the sought string rather than the index.
 * Occurrences may overlap.
 */
const GEN_STR_FIND = defGen((g) => {
  const s = getV(g, GenStateF.a);
  const sub = getV(g, GenStateF.b);
  const step = getI(g, GenStateF.j);
  const n = strLen(sub);
  const last = strLen(s) - n;
  for (let i = getI(g, GenStateF.i); step > 0 ? i <= last : i >= 0; i += step) {
    let k = 0;
    while (k < n && strByte(s, i + k) === strByte(sub, k)) k++;
    if (k === n) {
      setI(g, GenStateF.i, i + step);
      return getI(g, GenStateF.k) === 1 ? sub : small(i);
    }
  }
  setI(g, GenStateF.i, step > 0 ? last + 1 : -1);
  return NONE;
});

function findGen(s: Value, sub: Value, reverse: boolean, yieldSub: boolean): Value {
  strArg(sub);
  const g = newGen(GEN_STR_FIND, s, reverse ? strLen(s) - strLen(sub) : 0, reverse ? -1 : 1, sub);
  setI(g, GenStateF.k, yieldSub ? 1 : 0);
  return g;
}

function isWs(b: number): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}

function pred(b: boolean): Value {
  return b ? K.null : NONE;
}

/** Does `s` hold `sub` at byte offset `at`? */
function matchesAt(s: Value, sub: Value, at: number): boolean {
  const n = strLen(sub);
  if (at < 0 || at + n > strLen(s)) return false;
  for (let k = 0; k < n; k++) if (strByte(s, at + k) !== strByte(sub, k)) return false;
  return true;
}

/** `s[i]`: the one-byte string at index i (negative counts from the end). */
export function strGet(s: Value, i: Value): Value {
  const k = elemIndex(i, strLen(s));
  return strSlice(s, k, k + 1);
}

function intVal(s: Value, i: Value): Value {
  return small(strByte(s, elemIndex(i, strLen(s))));
}

/** The pieces of `s` between occurrences of `sep`, found byte by byte in the heap. */
function split(s: Value, sep: Value): Value {
  strArg(sep);
  const n = strLen(sep);
  if (n === 0) raise('Exception', 'Can not split on the empty string.');
  // Allocation never collects, so `s` and `sep` stay put while the pieces are made.
  const l = allocList(K.List, 4);
  let start = 0;
  for (let k = strIndexOf(s, sep, 0); k >= 0; k = strIndexOf(s, sep, start)) {
    listPush(l, strSlice(s, start, k));
    start = k + n;
  }
  listPush(l, strSlice(s, start, strLen(s)));
  return l;
}

export function installString(): void {
  defTyped(K.String, 'Builtins::String', isStr, 'String', [
    ['+', 2, 2, binary((x, y) => arith(Op.ADD, x, y))],
    ['*', 2, 2, binary((x, y) => arith(Op.MUL, x, y))],
    ['==', 2, 2, binary((x, y) => pred(isStr(y) && strEq(x, y)))],
    ['!=', 2, 2, binary((x, y) => pred(!(isStr(y) && strEq(x, y))))],
    ['get', 2, 2, binary(strGet)],
    ['get_slice', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], strLen(a[0]));
      return strSlice(a[0], i, j);
    }],
    ['iter', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], strLen(a[0]));
      return i < j ? newGen(GEN_STR_ITER, a[0], i, j) : NONE;
    }, GEN_STR_ITER],
    ['len', 1, 1, unary((x) => small(strLen(x)))],
    ['int_val', 1, 2, fixed((a) => intVal(a[0], a.length > 1 ? a[1] : small(0)), { f1: (x) => intVal(x, small(0)), f2: intVal })],
    ['find', 2, 2, binary((x, y) => findGen(x, y, false, true)), GEN_STR_FIND],
    ['find_index', 2, 2, binary((x, y) => findGen(x, y, false, false)), GEN_STR_FIND],
    ['rfind_index', 2, 2, binary((x, y) => findGen(x, y, true, false)), GEN_STR_FIND],
    ['prefixed_by', 2, 3, (a) => {
      strArg(a[1]);
      const i = a.length > 2 ? sliceIndex(intArg(a[2]), strLen(a[0])) : 0;
      return pred(matchesAt(a[0], a[1], i));
    }],
    ['suffixed_by', 2, 3, (a) => {
      strArg(a[1]);
      const i = a.length > 2 ? sliceIndex(intArg(a[2]), strLen(a[0])) : strLen(a[0]);
      return pred(matchesAt(a[0], a[1], i - strLen(a[1])));
    }],
    ['replaced', 3, 3, (a) => {
      const old = strArg(a[1]);
      const nw = strArg(a[2]);
      // Upstream loops forever on an empty `old`; the spec asks for the string unchanged.
      if (old === '') return a[0];
      return strFromJs(strToJs(a[0]).split(old).join(nw));
    }],
    ['split', 2, 2, binary(split)],
    ['stripped', 1, 1, (a) => {
      let i = 0;
      let j = strLen(a[0]);
      while (i < j && isWs(strByte(a[0], i))) i++;
      while (j > i && isWs(strByte(a[0], j - 1))) j--;
      return strSlice(a[0], i, j);
    }],
    ['lstripped', 1, 1, (a) => {
      let i = 0;
      const j = strLen(a[0]);
      while (i < j && isWs(strByte(a[0], i))) i++;
      return strSlice(a[0], i, j);
    }],
    ['lower_cased', 1, 1, unary((x) => strFromJs(strToJs(x).replace(/[A-Z]+/g, (m) => m.toLowerCase())))],
    ['upper_cased', 1, 1, (a) => strFromJs(strToJs(a[0]).replace(/[a-z]+/g, (m) => m.toUpperCase()))],
    ['hash', 1, 1, unary((x) => small(strHash(x)))],
    ['to_str', 1, 1, unary((x) => strFromJs(`"${strToJs(x)}"`))],
  ]);
}
