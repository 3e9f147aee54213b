// Builtins: Dict and Set (stdlib.md §1.11, §1.12), and the installation of the data types
// (Int, Float, String, List live in their own files). Keys hash and compare with their
// `hash` and `==` methods, which may run Converge code: tables being filled stay rooted.

import { T, GenStateF } from '../rts/layout.js';
import { getV, getI, setI } from '../rts/ll.js';
import { NONE, small, type Value } from '../rts/value.js';
import { shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import { allocList, listPush, strFromJs } from '../rts/objects.js';
import { K, binary, raise, unary } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { typeError, toStrJs } from './operators.js';
import { newTable, tableCount, tableDel, tableFind, tableSet, tableUsed, entryKey, entryVal } from './hashtable.js';
import { defTyped, forEachValue, isDict, isSet } from './types-common.js';
import { installNumbers } from './types-number.js';
import { installString } from './types-string.js';
import { installList } from './types-list.js';

/** Table iteration: a = table, i = next entry; k = 0 [key, value] pairs, 1 keys, 2 values. */
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
    listPush(l, k);
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

function tableToStr(d: Value, isDictionary: boolean): string {
  const m = shadowMark();
  const parts: string[] = [];
  try {
    const pd = shadowPush(d);
    for (let i = 0; i < tableUsed(shadowGet(pd)); i++) {
      const k = entryKey(shadowGet(pd), i);
      if (k === NONE) continue;
      if (!isDictionary) {
        parts.push(toStrJs(k));
        continue;
      }
      const ks = toStrJs(k);
      parts.push(`${ks} : ${toStrJs(entryVal(shadowGet(pd), i))}`);
    }
  } finally {
    shadowPopTo(m);
  }
  return isDictionary ? `Dict{${parts.join(', ')}}` : `Set{${parts.join(', ')}}`;
}

function keyError(k: Value): never {
  raise('Key_Exception', `Key '${toStrJs(k)}' not found.`);
}

/** Copies every entry of `src` into `dst` (both rooted: keys may hash in Converge code). */
function copyEntries(dst: Value, src: Value): void {
  const m = shadowMark();
  try {
    const pd = shadowPush(dst);
    const ps = shadowPush(src);
    for (let i = 0; i < tableUsed(shadowGet(ps)); i++) {
      const k = entryKey(shadowGet(ps), i);
      if (k !== NONE) tableSet(shadowGet(pd), k, entryVal(shadowGet(ps), i));
    }
  } finally {
    shadowPopTo(m);
  }
}

function copyTable(d: Value, type: T.Dict | T.Set, cls: Value): Value {
  const m = shadowMark();
  try {
    const pc = shadowPush(newTable(type, cls, tableCount(d)));
    copyEntries(shadowGet(pc), d);
    return shadowGet(pc);
  } finally {
    shadowPopTo(m);
  }
}

/** Adds every value of `c.iter()` (every element of a Set) to set `s`. */
function addAll(s: Value, c: Value): void {
  if (isSet(c)) return copyEntries(s, c);
  const m = shadowMark();
  try {
    const ps = shadowPush(s);
    forEachValue(c, (v) => tableSet(shadowGet(ps), v, NONE));
  } finally {
    shadowPopTo(m);
  }
}

function installDict(): void {
  defTyped(K.Dict, 'Builtins::Dict', isDict, 'Dict', [
    ['get', 2, 2, binary((d, k) => {
      const e = tableFind(d, k);
      if (e < 0) keyError(k);
      return entryVal(d, e);
    })],
    ['set', 3, 3, (a) => {
      tableSet(a[0], a[1], a[2]);
      return K.null;
    }],
    ['find', 2, 2, binary((d, k) => {
      const e = tableFind(d, k);
      return e < 0 ? NONE : entryVal(d, e);
    })],
    ['del', 2, 2, (a) => {
      if (!tableDel(a[0], a[1])) keyError(a[1]);
      return K.null;
    }],
    // Returns null where upstream fails after copying (the spec's recommendation).
    ['extend', 2, 2, (a) => {
      if (!isDict(a[1])) typeError('Dict', a[1]);
      copyEntries(a[0], a[1]);
      return K.null;
    }],
    ['iter', 1, 1, unary((x) => tableIter(x, 0)), GEN_TABLE_ITER],
    ['iter_keys', 1, 1, unary((x) => tableIter(x, 1)), GEN_TABLE_ITER],
    ['iter_vals', 1, 1, unary((x) => tableIter(x, 2)), GEN_TABLE_ITER],
    ['len', 1, 1, unary((x) => small(tableCount(x)))],
    ['scopy', 1, 1, unary((x) => copyTable(x, T.Dict, K.Dict))],
    ['to_str', 1, 1, unary((x) => strFromJs(tableToStr(x, true)))],
  ]);
}

function installSet(): void {
  defTyped(K.Set, 'Builtins::Set', isSet, 'Set', [
    ['add', 2, 2, (a) => {
      tableSet(a[0], a[1], NONE);
      return K.null;
    }],
    ['+', 2, 2, (a) => {
      const m = shadowMark();
      try {
        const pc = shadowPush(copyTable(a[0], T.Set, K.Set));
        addAll(shadowGet(pc), a[1]);
        return shadowGet(pc);
      } finally {
        shadowPopTo(m);
      }
    }],
    ['extend', 2, 2, (a) => {
      addAll(a[0], a[1]);
      return K.null;
    }],
    ['del', 2, 2, (a) => {
      if (!tableDel(a[0], a[1])) keyError(a[1]);
      return K.null;
    }],
    ['find', 2, 2, binary((x, y) => (tableFind(x, y) < 0 ? NONE : y))],
    ['complement', 2, 2, (a) => {
      if (!isSet(a[1])) typeError('Set', a[1]);
      const m = shadowMark();
      try {
        const ps = shadowPush(a[0]);
        const po = shadowPush(a[1]);
        const pc = shadowPush(newTable(T.Set, K.Set, tableCount(a[0])));
        for (let i = 0; i < tableUsed(shadowGet(ps)); i++) {
          const k = entryKey(shadowGet(ps), i);
          if (k !== NONE && tableFind(shadowGet(po), k) < 0) tableSet(shadowGet(pc), k, NONE);
        }
        return shadowGet(pc);
      } finally {
        shadowPopTo(m);
      }
    }],
    ['iter', 1, 1, unary((x) => tableIter(x, 1)), GEN_TABLE_ITER],
    ['len', 1, 1, unary((x) => small(tableCount(x)))],
    ['scopy', 1, 1, unary((x) => copyTable(x, T.Set, K.Set))],
    ['to_str', 1, 1, unary((x) => strFromJs(tableToStr(x, false)))],
  ]);
}

export function installDataTypes(): void {
  installNumbers();
  installString();
  installList();
  installDict();
  installSet();
}

// Other parts of the VM reach these through this module.
export { forEachValue, pumpGenerator, setPumpGenerator, sliceBounds } from './types-common.js';
