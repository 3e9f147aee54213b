// Builtins::List (stdlib.md §1.10). Element equality (==, find, find_index, remove) may
// run user `==` methods, so those paths keep their objects on the shadow stack.

import { GenStateF } from '../rts/layout.js';
import { getV, getI, setI } from '../rts/ll.js';
import { NONE, small, type Value } from '../rts/value.js';
import { shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import { allocList, listGet, listLen, listPush, listSet, listSetLen, strFromJs, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { K, binary, getSlot, hooks, raise, unary } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { typeError, toStrJs, compare } from './operators.js';
import { Op } from '../bytecode/opcodes.js';
import { VM_FAIL, absent, callInit, defTyped, elemIndex, forEachValue, intArg, isList, listArg, setCreator, sliceBounds, sliceIndex } from './types-common.js';

const S_FLATTENED = sym('flattened');

function pred(b: boolean): Value {
  return b ? K.null : NONE;
}

/** Removes elements [i, j). */
function delRange(l: Value, i: number, j: number): void {
  const len = listLen(l);
  const n = j - i;
  if (n <= 0) return;
  for (let k = j; k < len; k++) listSet(l, k - n, listGet(l, k));
  listSetLen(l, len - n);
}

/** Inserts `vs` before index i (0 <= i <= len). */
function insertAt(l: Value, i: number, vs: readonly Value[]): void {
  const len = listLen(l);
  const n = vs.length;
  if (n === 0) return;
  listSetLen(l, len + n);
  for (let k = len - 1; k >= i; k--) listSet(l, k + n, listGet(l, k));
  for (let k = 0; k < n; k++) listSet(l, i + k, vs[k]);
}

function copyList(l: Value, i = 0, j = listLen(l)): Value {
  const r = allocList(K.List, j - i);
  for (let k = i; k < j; k++) listPush(r, listGet(l, k));
  return r;
}

/** Appends every value of `c.iter()` (c's elements if it is a List) to `l`. */
function extendFrom(l: Value, c: Value): void {
  const m = shadowMark();
  try {
    const pl = shadowPush(l);
    forEachValue(c, (v) => listPush(shadowGet(pl), v));
  } finally {
    shadowPopTo(m);
  }
}

function listToStr(l: Value): string {
  const m = shadowMark();
  const parts: string[] = [];
  try {
    const pl = shadowPush(l);
    for (let i = 0; i < listLen(shadowGet(pl)); i++) parts.push(toStrJs(listGet(shadowGet(pl), i)));
  } finally {
    shadowPopTo(m);
  }
  return `[${parts.join(', ')}]`;
}

/** Same length and pairwise `==` (each element of a compared with its `==`). */
function listEq(a: Value, b: Value): boolean {
  if (!isList(b)) return false;
  const n = listLen(a);
  if (n !== listLen(b)) return false;
  const m = shadowMark();
  try {
    const pa = shadowPush(a);
    const pb = shadowPush(b);
    for (let i = 0; i < n; i++) {
      // A user == may have shortened either list.
      if (i >= listLen(shadowGet(pa)) || i >= listLen(shadowGet(pb))) return false;
      if (!compare(Op.EQ, listGet(shadowGet(pa), i), listGet(shadowGet(pb), i))) return false;
    }
    return true;
  } finally {
    shadowPopTo(m);
  }
}

function flattened(l: Value): Value {
  const m = shadowMark();
  try {
    const pl = shadowPush(l);
    const pr = shadowPush(allocList(K.List, listLen(l)));
    for (let i = 0; i < listLen(shadowGet(pl)); i++) {
      const e = listGet(shadowGet(pl), i);
      if (!isList(e)) {
        listPush(shadowGet(pr), e);
        continue;
      }
      // Nested lists flatten themselves, so a subclass can override flattened.
      const f = hooks.call(getSlot(e, S_FLATTENED), []);
      if (f === NONE) raise('VM_Exception', VM_FAIL);
      listArg(f);
      for (let k = 0; k < listLen(f); k++) listPush(shadowGet(pr), listGet(f, k));
    }
    return shadowGet(pr);
  } finally {
    shadowPopTo(m);
  }
}

// -- Generators -----------------------------------------------------------------------------

/** iter / riter: a = list, i = next index, j = end (exclusive) or lower bound, k = 1 reversed. */
const GEN_LIST_ITER = defGen((g) => {
  const l = getV(g, GenStateF.a);
  let i = getI(g, GenStateF.i);
  const end = getI(g, GenStateF.j);
  if (getI(g, GenStateF.k) === 0) {
    if (i >= end || i >= listLen(l)) return NONE;
    setI(g, GenStateF.i, i + 1);
    return listGet(l, i);
  }
  // The list may have shrunk since the last value.
  if (i >= listLen(l)) i = listLen(l) - 1;
  if (i < end) return NONE;
  setI(g, GenStateF.i, i - 1);
  return listGet(l, i);
});

const SEARCH_FIND = 0;
const SEARCH_INDEX = 1;
const SEARCH_REMOVE = 2;

/**
 * find / find_index / remove: a = list, b = the value sought, i = next index, k = which.
 * Each comparison may run Converge code, so the state is re-read after it.
 */
const GEN_LIST_SEARCH = defGen((g) => {
  const m = shadowMark();
  const pg = shadowPush(g);
  try {
    for (;;) {
      g = shadowGet(pg);
      const l = getV(g, GenStateF.a);
      const i = getI(g, GenStateF.i);
      if (i >= listLen(l)) return NONE;
      const e = listGet(l, i);
      const o = getV(g, GenStateF.b);
      const what = getI(g, GenStateF.k);
      // Upstream asks the sought value for find and remove, the element for find_index.
      const eq = what === SEARCH_INDEX ? compare(Op.EQ, e, o) : compare(Op.EQ, o, e);
      g = shadowGet(pg);
      if (!eq) {
        setI(g, GenStateF.i, i + 1);
        continue;
      }
      if (what === SEARCH_INDEX) {
        setI(g, GenStateF.i, i + 1);
        return small(i);
      }
      if (what === SEARCH_FIND) {
        setI(g, GenStateF.i, i + 1);
        return K.null;
      }
      const list = getV(g, GenStateF.a);
      // The element may have moved if == changed the list: remove what was compared.
      if (i < listLen(list) && listGet(list, i) === e) delRange(list, i, i + 1);
      return e;
    }
  } finally {
    shadowPopTo(m);
  }
});

function search(l: Value, o: Value, what: number): Value {
  const g = newGen(GEN_LIST_SEARCH, l, 0, 0, o);
  setI(g, GenStateF.k, what);
  return g;
}

// -- Installation ----------------------------------------------------------------------------

export function installList(): void {
  setCreator(Creator.List, (a) => callInit(allocList(a[0], 4), a.slice(1)));

  defTyped(K.List, 'Builtins::List', isList, 'List', [
    ['init', 1, 2, (a) => {
      const c = a[1];
      if (absent(c)) return K.null;
      if (isList(c)) {
        const n = listLen(c);
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.push(listGet(c, i));
        listSetLen(a[0], 0);
        insertAt(a[0], 0, items);
      } else extendFrom(a[0], c);
      return K.null;
    }],
    ['+', 2, 2, (a) => {
      const l = copyList(a[0]);
      extendFrom(l, a[1]);
      return l;
    }],
    ['*', 2, 2, (a) => {
      const n = intArg(a[1]);
      const len = listLen(a[0]);
      const l = allocList(K.List, Math.max(0, n) * len);
      for (let k = 0; k < n; k++) for (let i = 0; i < len; i++) listPush(l, listGet(a[0], i));
      return l;
    }],
    ['==', 2, 2, binary((x, y) => pred(listEq(x, y)))],
    // "not ==" (the spec's recommendation; upstream needs every pair to differ).
    ['!=', 2, 2, (a) => {
      if (!isList(a[1])) typeError('List', a[1]);
      return pred(!listEq(a[0], a[1]));
    }],
    ['append', 2, 2, binary((l, x) => {
      listPush(l, x);
      return K.null;
    })],
    ['extend', 2, 2, (a) => {
      extendFrom(a[0], a[1]);
      return K.null;
    }],
    // Returns null where upstream fails after inserting (the spec's recommendation).
    ['insert', 3, 3, (a) => {
      insertAt(a[0], sliceIndex(intArg(a[1]), listLen(a[0])), [a[2]]);
      return K.null;
    }],
    ['get', 2, 2, binary((x, y) => listGet(x, elemIndex(y, listLen(x))))],
    ['set', 3, 3, (a) => {
      listSet(a[0], elemIndex(a[1], listLen(a[0])), a[2]);
      return K.null;
    }],
    ['del', 2, 2, (a) => {
      const i = elemIndex(a[1], listLen(a[0]));
      delRange(a[0], i, i + 1);
      return K.null;
    }],
    ['get_slice', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], listLen(a[0]));
      return copyList(a[0], i, j);
    }],
    ['set_slice', 4, 4, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], listLen(a[0]));
      const src = listArg(a[3]);
      // Read the new elements first: the source may be the list itself.
      const items: Value[] = [];
      for (let k = 0; k < listLen(src); k++) items.push(listGet(src, k));
      delRange(a[0], i, j);
      insertAt(a[0], i, items);
      return K.null;
    }],
    ['del_slice', 1, 3, (a) => {
      const [i, j] = sliceBounds(a[1], a[2], listLen(a[0]));
      delRange(a[0], i, j);
      return K.null;
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
    ['len', 1, 1, unary((x) => small(listLen(x)))],
    ['pop', 1, 1, (a) => {
      const len = listLen(a[0]);
      if (len === 0) raise('Bounds_Exception', '-1 below lower bound 0.');
      const v = listGet(a[0], len - 1);
      listSetLen(a[0], len - 1);
      return v;
    }],
    ['find', 2, 2, binary((x, y) => search(x, y, SEARCH_FIND)), GEN_LIST_SEARCH],
    ['find_index', 2, 2, binary((x, y) => search(x, y, SEARCH_INDEX)), GEN_LIST_SEARCH],
    ['remove', 2, 2, binary((x, y) => search(x, y, SEARCH_REMOVE)), GEN_LIST_SEARCH],
    ['flattened', 1, 1, unary((x) => flattened(x))],
    ['to_str', 1, 1, unary((x) => strFromJs(listToStr(x)))],
  ]);
}

