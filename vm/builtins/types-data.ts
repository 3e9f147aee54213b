// Builtins: Int, Float, String, List, Dict, Set (stdlib.md §1.7-1.12).

import { T, GenStateF, ListF, VArrayF } from '../rts/layout.js';
import { getV, getI, setI, typeId } from '../rts/ll.js';
import { NONE, isSmall, small, smallOf, type Value } from '../rts/value.js';
import { shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import {
  allocList, floatOf, intBig, intNum, isFloat, isInt, listGet, listLen, listPush, listSet, listSetLen, mkFloat, mkInt, mkIntBig,
  strByte, strFromJs, strHash, strLen, strSlice, strToJs, strEq,
} from '../rts/objects.js';
import { K, defMethods, hooks, getSlot, raise } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { typeError, toStrJs, formatFloat, checkIndex, compare, arith, intArith } from './operators.js';
import { newTable, tableCount, tableDel, tableFind, tableSet, tableUsed, entryKey, entryVal } from './hashtable.js';
import { isStr, strArg, listArg } from './types-object.js';
import { Op } from '../bytecode/opcodes.js';
import { sym } from '../rts/objects.js';

const S_ITER = sym('iter');

function intArg(v: Value, where?: string): number {
  if (!isInt(v)) typeError('Int', v, where);
  return intNum(v);
}

/** Slice bounds [i, j) of a sequence of length `len` (null = start / end). */
export function sliceBounds(i: Value | undefined, j: Value | undefined, len: number): [number, number] {
  let lo = i === undefined || i === K.null ? 0 : intArg(i);
  let hi = j === undefined || j === K.null ? len : intArg(j);
  if (lo < 0) lo += len;
  if (hi < 0) hi += len;
  if (lo < 0) raise('Bounds_Exception', `${lo} below lower bound 0.`);
  if (lo > len) raise('Bounds_Exception', `${lo} exceeds upper bound ${len}.`);
  if (hi < 0) raise('Bounds_Exception', `${hi} below lower bound 0.`);
  if (hi > len) raise('Bounds_Exception', `${hi} exceeds upper bound ${len}.`);
  if (lo > hi) raise('Indices_Exception', `Lower bound ${lo} exceeds upper bound ${hi}`);
  return [lo, hi];
}

/** Calls f(v) for each value of `c.iter()` (a List directly). May run Converge code. */
export function forEachValue(c: Value, f: (v: Value) => void): void {
  if (!isSmall(c) && typeId(c) === T.List) {
    for (let i = 0; i < listLen(c); i++) f(listGet(c, i));
    return;
  }
  const iter = getSlot(c, S_ITER);
  pumpGenerator(iter, [], f);
}

/** Pumps every value of a call. Installed by the interpreter. */
export let pumpGenerator: (fn: Value, args: Value[], f: (v: Value) => void) => void = () => {
  throw new Error('internal error: generator pump not installed');
};
export function setPumpGenerator(p: typeof pumpGenerator): void {
  pumpGenerator = p;
}

// -- Int ---------------------------------------------------------------------

const GEN_ITER_TO = defGen((g) => {
  const i = getI(g, GenStateF.i);
  const to = getI(g, GenStateF.j);
  const step = getI(g, GenStateF.k);
  if (step > 0 ? i >= to : i <= to) return NONE;
  setI(g, GenStateF.i, i + step);
  return small(i);
});

function installInt(): void {
  defMethods(K.Int, 'Builtins::Int', [
    ['to_str', 1, 1, (a) => strFromJs(intBig(a[0]).toString())],
    ['idiv', 2, 2, (a) => {
      const d = isFloat(a[1]) ? mkIntBig(BigInt(Math.trunc(floatOf(a[1])))) : a[1];
      if (!isInt(d)) typeError('Number', a[1]);
      const x = intBig(a[0]);
      const y = intBig(d);
      if (y === 0n) raise('Number_Exception', 'Division by zero.');
      let q = x / y;
      if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n;
      return mkIntBig(q);
    }],
    ['pow', 2, 2, (a) => {
      const n = intArg(a[1]);
      let r = 1n;
      const x = intBig(a[0]);
      for (let i = 0; i < n; i++) r = BigInt.asIntN(64, r * x);
      return mkIntBig(r);
    }],
    ['hash', 1, 1, (a) => a[0]],
    ['and', 2, 2, (a) => mkIntBig(intBig(a[0]) & intBig(intCheck(a[1])))],
    ['or', 2, 2, (a) => mkIntBig(intBig(a[0]) | intBig(intCheck(a[1])))],
    ['xor', 2, 2, (a) => mkIntBig(intBig(a[0]) ^ intBig(intCheck(a[1])))],
    ['inv', 1, 1, (a) => mkIntBig(~intBig(a[0]))],
    ['lsl', 2, 2, (a) => mkIntBig(intBig(a[0]) << BigInt(intArg(a[1]) & 63))],
    ['lsr', 2, 2, (a) => mkIntBig(intBig(a[0]) >> BigInt(intArg(a[1]) & 63))],
    ['str_val', 1, 1, (a) => {
      const n = intNum(a[0]);
      if (n < 0 || n > 255) raise('Number_Exception', `Number '"'${n}' out of ASCII range."' not valid.`);
      return strFromJs(String.fromCharCode(n));
    }],
    ['iter_to', 2, 3, (a) => {
      const from = intArg(a[0]);
      const to = intArg(a[1]);
      const step = a.length > 2 ? intArg(a[2]) : 1;
      if (step === 0) raise('Number_Exception', 'Step of 0 not valid.');
      if (step > 0 ? from >= to : from <= to) return NONE;
      if (Math.abs(from) > 0x3fffffff || Math.abs(to) > 0x3fffffff) raise('Number_Exception', 'iter_to bounds too large.');
      const g = newGen(GEN_ITER_TO, NONE, from, to);
      setI(g, GenStateF.k, step);
      return g;
    }, GEN_ITER_TO],
    ['+', 2, 2, (a) => arith(Op.ADD, a[0], a[1])],
    ['-', 2, 2, (a) => arith(Op.SUB, a[0], a[1])],
    ['*', 2, 2, (a) => arith(Op.MUL, a[0], a[1])],
    ['/', 2, 2, (a) => arith(Op.DIV, a[0], a[1])],
    ['%', 2, 2, (a) => arith(Op.MOD, a[0], a[1])],
    ['==', 2, 2, (a) => (compare(Op.EQ, a[0], a[1]) ? K.null : NONE)],
    ['<', 2, 2, (a) => (compare(Op.LT, a[0], a[1]) ? K.null : NONE)],
    ['<=', 2, 2, (a) => (compare(Op.LE, a[0], a[1]) ? K.null : NONE)],
    ['>', 2, 2, (a) => (compare(Op.GT, a[0], a[1]) ? K.null : NONE)],
    ['>=', 2, 2, (a) => (compare(Op.GE, a[0], a[1]) ? K.null : NONE)],
  ]);
}

function intCheck(v: Value): Value {
  if (!isInt(v)) typeError('Int', v);
  return v;
}

function installFloat(): void {
  defMethods(K.Float, 'Builtins::Float', [
    ['to_str', 1, 1, (a) => strFromJs(formatFloat(floatOf(a[0])))],
    ['*', 2, 2, (a) => arith(Op.MUL, a[0], a[1])],
    ['/', 2, 2, (a) => arith(Op.DIV, a[0], a[1])],
  ]);
}

// -- String ------------------------------------------------------------------

const GEN_STR_ITER = defGen((g) => {
  const s = getV(g, GenStateF.a);
  const i = getI(g, GenStateF.i);
  if (i >= getI(g, GenStateF.j)) return NONE;
  setI(g, GenStateF.i, i + 1);
  return strSlice(s, i, i + 1);
});

/** find_index/rfind_index: i = next candidate, j = step (+1/-1), k = last valid start. */
const GEN_STR_FIND = defGen((g) => {
  const s = getV(g, GenStateF.a);
  const sub = getV(g, GenStateF.b);
  const step = getI(g, GenStateF.j);
  const n = strLen(sub);
  const last = strLen(s) - n;
  for (let i = getI(g, GenStateF.i); step > 0 ? i <= last : i >= 0; i += step) {
    let ok = true;
    for (let k = 0; k < n; k++) if (strByte(s, i + k) !== strByte(sub, k)) { ok = false; break; }
    if (ok) {
      setI(g, GenStateF.i, i + step);
      return getI(g, GenStateF.k) === 1 ? sub : small(i);
    }
  }
  setI(g, GenStateF.i, step > 0 ? last + 1 : -1);
  return NONE;
});

function isWs(b: number): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}

function installString(): void {
  defMethods(K.String, 'Builtins::String', [
    ['to_str', 1, 1, (a) => strFromJs(`"${strToJs(a[0])}"`)],
    ['len', 1, 1, (a) => small(strLen(a[0]))],
    ['get', 2, 2, (a) => {
      const i = checkIndex(a[1], strLen(a[0]));
      return strSlice(a[0], i, i + 1);
    }],
    ['get_slice', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], strLen(a[0]));
      return strSlice(a[0], i, j);
    }],
    ['iter', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], strLen(a[0]));
      return i < j ? newGen(GEN_STR_ITER, a[0], i, j) : NONE;
    }, GEN_STR_ITER],
    ['int_val', 1, 2, (a) => small(strByte(a[0], checkIndex(a.length > 1 ? a[1] : small(0), strLen(a[0]))))],
    ['hash', 1, 1, (a) => small(strHash(a[0]))],
    ['==', 2, 2, (a) => (isStr(a[1]) && strEq(a[0], a[1]) ? K.null : NONE)],
    ['!=', 2, 2, (a) => (isStr(a[1]) && strEq(a[0], a[1]) ? NONE : K.null)],
    ['+', 2, 2, (a) => arith(Op.ADD, a[0], a[1])],
    ['*', 2, 2, (a) => arith(Op.MUL, a[0], a[1])],
    ['find_index', 2, 2, (a) => { strArg(a[1]); const g = newGen(GEN_STR_FIND, a[0], 0, 1, a[1]); return g; }, GEN_STR_FIND],
    ['rfind_index', 2, 2, (a) => { strArg(a[1]); return newGen(GEN_STR_FIND, a[0], strLen(a[0]) - strLen(a[1]), -1, a[1]); }, GEN_STR_FIND],
    ['find', 2, 2, (a) => { strArg(a[1]); const g = newGen(GEN_STR_FIND, a[0], 0, 1, a[1]); setI(g, GenStateF.k, 1); return g; }, GEN_STR_FIND],
    ['prefixed_by', 2, 3, (a) => {
      const p = strArg(a[1]);
      const i = a.length > 2 ? intArg(a[2]) : 0;
      return strToJs(a[0]).startsWith(p, i < 0 ? i + strLen(a[0]) : i) ? K.null : NONE;
    }],
    ['suffixed_by', 2, 3, (a) => {
      const p = strArg(a[1]);
      const s = strToJs(a[0]);
      const i = a.length > 2 ? intArg(a[2]) : s.length;
      return s.endsWith(p, i < 0 ? i + s.length : i) ? K.null : NONE;
    }],
    ['replaced', 3, 3, (a) => {
      const old = strArg(a[1]);
      const nw = strArg(a[2]);
      if (old === '') return a[0];
      return strFromJs(strToJs(a[0]).split(old).join(nw));
    }],
    ['split', 2, 2, (a) => {
      const sep = strArg(a[1]);
      if (sep === '') raise('Exception', 'Separator must not be the empty string.');
      const l = allocList(K.List, 4);
      const m = shadowMark();
      const pl = shadowPush(l);
      for (const part of strToJs(a[0]).split(sep)) listPush(shadowGet(pl), strFromJs(part));
      shadowPopTo(m);
      return l;
    }],
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
    ['lower_cased', 1, 1, (a) => strFromJs(strToJs(a[0]).replace(/[A-Z]+/g, (m) => m.toLowerCase()))],
    ['upper_cased', 1, 1, (a) => strFromJs(strToJs(a[0]).replace(/[a-z]+/g, (m) => m.toUpperCase()))],
  ]);
}

// -- List --------------------------------------------------------------------

/** List iteration: i = next index, j = end (exclusive); step -1 for riter. */
const GEN_LIST_ITER = defGen((g) => {
  const l = getV(g, GenStateF.a);
  const i = getI(g, GenStateF.i);
  const step = getI(g, GenStateF.k) === 0 ? 1 : -1;
  const end = getI(g, GenStateF.j);
  if (step > 0 ? i >= Math.min(end, listLen(l)) : i < end) return NONE;
  setI(g, GenStateF.i, i + step);
  return listGet(l, i);
});

function listToStr(l: Value): string {
  const m = shadowMark();
  const pl = shadowPush(l);
  const parts: string[] = [];
  for (let i = 0; i < listLen(shadowGet(pl)); i++) parts.push(toStrJs(listGet(shadowGet(pl), i)));
  shadowPopTo(m);
  return `[${parts.join(', ')}]`;
}

function listEq(a: Value, b: Value): boolean {
  if (isSmall(b) || typeId(b) !== T.List) return false;
  const n = listLen(a);
  if (n !== listLen(b)) return false;
  const m = shadowMark();
  const pa = shadowPush(a);
  const pb = shadowPush(b);
  let ok = true;
  for (let i = 0; i < n && ok; i++) ok = compare(Op.EQ, listGet(shadowGet(pa), i), listGet(shadowGet(pb), i));
  shadowPopTo(m);
  return ok;
}

function installList(): void {
  defMethods(K.List, 'Builtins::List', [
    ['init', 1, 2, (a) => {
      if (a.length > 1 && a[1] !== K.null) {
        const l = a[0];
        const m = shadowMark();
        const pl = shadowPush(l);
        forEachValue(a[1], (v) => listPush(shadowGet(pl), v));
        shadowPopTo(m);
      }
      return K.null;
    }],
    ['to_str', 1, 1, (a) => strFromJs(listToStr(a[0]))],
    ['len', 1, 1, (a) => small(listLen(a[0]))],
    ['append', 2, 2, (a) => { listPush(a[0], a[1]); return K.null; }],
    ['extend', 2, 2, (a) => {
      const m = shadowMark();
      const pl = shadowPush(a[0]);
      forEachValue(a[1], (v) => listPush(shadowGet(pl), v));
      shadowPopTo(m);
      return K.null;
    }],
    ['get', 2, 2, (a) => listGet(a[0], checkIndex(a[1], listLen(a[0])))],
    ['set', 3, 3, (a) => { listSet(a[0], checkIndex(a[1], listLen(a[0])), a[2]); return K.null; }],
    ['insert', 3, 3, (a) => {
      const len = listLen(a[0]);
      let i = intArg(a[1]);
      if (i < 0) i += len;
      if (i < 0) raise('Bounds_Exception', `${i} below lower bound 0.`);
      if (i > len) raise('Bounds_Exception', `${i} exceeds upper bound ${len}.`);
      listPush(a[0], a[2]);
      for (let k = len; k > i; k--) listSet(a[0], k, listGet(a[0], k - 1));
      listSet(a[0], i, a[2]);
      return K.null;
    }],
    ['del', 2, 2, (a) => {
      const len = listLen(a[0]);
      const i = checkIndex(a[1], len);
      for (let k = i; k < len - 1; k++) listSet(a[0], k, listGet(a[0], k + 1));
      listSetLen(a[0], len - 1);
      return K.null;
    }],
    ['pop', 1, 1, (a) => {
      const len = listLen(a[0]);
      if (len === 0) raise('Bounds_Exception', '-1 below lower bound 0.');
      const v = listGet(a[0], len - 1);
      listSetLen(a[0], len - 1);
      return v;
    }],
    ['get_slice', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], listLen(a[0]));
      const l = allocList(K.List, j - i);
      for (let k = i; k < j; k++) listPush(l, listGet(a[0], k));
      return l;
    }],
    ['iter', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], listLen(a[0]));
      return i < j ? newGen(GEN_LIST_ITER, a[0], i, j) : NONE;
    }, GEN_LIST_ITER],
    ['riter', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], listLen(a[0]));
      if (i >= j) return NONE;
      const g = newGen(GEN_LIST_ITER, a[0], j - 1, i);
      setI(g, GenStateF.k, 1);
      return g;
    }, GEN_LIST_ITER],
    ['==', 2, 2, (a) => (listEq(a[0], a[1]) ? K.null : NONE)],
    ['!=', 2, 2, (a) => {
      if (isSmall(a[1]) || typeId(a[1]) !== T.List) typeError('List', a[1]);
      return listEq(a[0], a[1]) ? NONE : K.null;
    }],
    ['+', 2, 2, (a) => {
      const l = allocList(K.List, listLen(a[0]));
      for (let i = 0; i < listLen(a[0]); i++) listPush(l, listGet(a[0], i));
      const m = shadowMark();
      const pl = shadowPush(l);
      forEachValue(a[1], (v) => listPush(shadowGet(pl), v));
      shadowPopTo(m);
      return l;
    }],
    ['*', 2, 2, (a) => {
      const n = intArg(a[1]);
      const len = listLen(a[0]);
      const l = allocList(K.List, Math.max(0, n * len));
      for (let k = 0; k < n; k++) for (let i = 0; i < len; i++) listPush(l, listGet(a[0], i));
      return l;
    }],
  ]);
}

// -- Dict and Set ----------------------------------------------------------------

/** Table iteration: i = next entry; k = 0 pairs, 1 keys, 2 values. */
const GEN_TABLE_ITER = defGen((g) => {
  const d = getV(g, GenStateF.a);
  for (let i = getI(g, GenStateF.i); i < tableUsed(d); i++) {
    const k = entryKey(d, i);
    if (k === NONE) continue;
    setI(g, GenStateF.i, i + 1);
    const what = getI(g, GenStateF.k);
    if (what === 1) return k;
    if (what === 2) return entryVal(d, i);
    const l = allocList(K.List, 2);
    listPush(l, entryKey(d, i));
    listPush(l, entryVal(d, i));
    return l;
  }
  setI(g, GenStateF.i, tableUsed(d));
  return NONE;
});

function tableIter(d: Value, what: number): Value {
  if (tableCount(d) === 0) return NONE;
  const g = newGen(GEN_TABLE_ITER, d);
  setI(g, GenStateF.k, what);
  return g;
}

function tableToStr(d: Value, isDict: boolean): string {
  const m = shadowMark();
  const pd = shadowPush(d);
  const parts: string[] = [];
  for (let i = 0; i < tableUsed(shadowGet(pd)); i++) {
    const k = entryKey(shadowGet(pd), i);
    if (k === NONE) continue;
    parts.push(isDict ? `${toStrJs(k)} : ${toStrJs(entryVal(shadowGet(pd), i))}` : toStrJs(k));
  }
  shadowPopTo(m);
  return isDict ? `Dict{${parts.join(', ')}}` : `Set{${parts.join(', ')}}`;
}

function keyError(k: Value): never {
  raise('Key_Exception', `Key '${toStrJs(k)}' not found.`);
}

function copyTable(d: Value, type: T.Dict | T.Set, cls: Value): Value {
  const c = newTable(type, cls, tableCount(d));
  for (let i = 0; i < tableUsed(d); i++) {
    const k = entryKey(d, i);
    if (k !== NONE) tableSet(c, k, entryVal(d, i));
  }
  return c;
}

function installDictSet(): void {
  defMethods(K.Dict, 'Builtins::Dict', [
    ['to_str', 1, 1, (a) => strFromJs(tableToStr(a[0], true))],
    ['len', 1, 1, (a) => small(tableCount(a[0]))],
    ['get', 2, 2, (a) => {
      const e = tableFind(a[0], a[1]);
      if (e < 0) keyError(a[1]);
      return entryVal(a[0], e);
    }],
    ['find', 2, 2, (a) => {
      const e = tableFind(a[0], a[1]);
      return e < 0 ? NONE : entryVal(a[0], e);
    }],
    ['set', 3, 3, (a) => { tableSet(a[0], a[1], a[2]); return K.null; }],
    ['del', 2, 2, (a) => { if (!tableDel(a[0], a[1])) keyError(a[1]); return K.null; }],
    ['extend', 2, 2, (a) => {
      const src = a[1];
      for (let i = 0; i < tableUsed(src); i++) {
        const k = entryKey(src, i);
        if (k !== NONE) tableSet(a[0], k, entryVal(src, i));
      }
      return K.null;
    }],
    ['iter', 1, 1, (a) => tableIter(a[0], 0), GEN_TABLE_ITER],
    ['iter_keys', 1, 1, (a) => tableIter(a[0], 1), GEN_TABLE_ITER],
    ['iter_vals', 1, 1, (a) => tableIter(a[0], 2), GEN_TABLE_ITER],
    ['scopy', 1, 1, (a) => copyTable(a[0], T.Dict, K.Dict)],
  ]);
  defMethods(K.Set, 'Builtins::Set', [
    ['to_str', 1, 1, (a) => strFromJs(tableToStr(a[0], false))],
    ['len', 1, 1, (a) => small(tableCount(a[0]))],
    ['add', 2, 2, (a) => { tableSet(a[0], a[1], NONE); return K.null; }],
    ['find', 2, 2, (a) => (tableFind(a[0], a[1]) < 0 ? NONE : a[1])],
    ['del', 2, 2, (a) => { if (!tableDel(a[0], a[1])) keyError(a[1]); return K.null; }],
    ['extend', 2, 2, (a) => {
      const m = shadowMark();
      const ps = shadowPush(a[0]);
      forEachValue(a[1], (v) => tableSet(shadowGet(ps), v, NONE));
      shadowPopTo(m);
      return K.null;
    }],
    ['+', 2, 2, (a) => {
      const c = copyTable(a[0], T.Set, K.Set);
      const m = shadowMark();
      const pc = shadowPush(c);
      forEachValue(a[1], (v) => tableSet(shadowGet(pc), v, NONE));
      shadowPopTo(m);
      return c;
    }],
    ['complement', 2, 2, (a) => {
      if (isSmall(a[1]) || typeId(a[1]) !== T.Set) typeError('Set', a[1]);
      const c = newTable(T.Set, K.Set, tableCount(a[0]));
      for (let i = 0; i < tableUsed(a[0]); i++) {
        const k = entryKey(a[0], i);
        if (k !== NONE && tableFind(a[1], k) < 0) tableSet(c, k, NONE);
      }
      return c;
    }],
    ['iter', 1, 1, (a) => tableIter(a[0], 1), GEN_TABLE_ITER],
    ['scopy', 1, 1, (a) => copyTable(a[0], T.Set, K.Set)],
  ]);
}

export function installDataTypes(): void {
  installInt();
  installFloat();
  installString();
  installList();
  installDictSet();
}

export { mkInt, mkFloat, intArith, ListF, VArrayF, hooks, listArg, isStr };
