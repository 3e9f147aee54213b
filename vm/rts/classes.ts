// Classes (spec/language.md §6, §13): ObjVLisp-style, fields in a map-indexed array,
// superclasses searched depth-first left to right, and a Version object replaced on every
// change so that caches (and later traces) can depend on "this class has not changed".

import { alloc } from './alloc.js';
import { T, ClassF, VArrayF, ListF } from './layout.js';
import { getV, setV, getI, setI, getItem, setItem, val } from './ll.js';
import { NONE, type Value } from './value.js';
import { allocVArray, mapLookup, mapWith, newMap, varrayCap, listLen, listGet, rootMapOf } from './objects.js';
import { addPermanentRoot } from './gc.js';

/** How instances of a class are created (inherited along the superclass chain). */
export const enum Creator {
  None = 0,
  Object,
  List,
  Dict,
  Set,
  Exception,
  Class,
  Func,
  Partial,
  Module,
  String,
  Int,
  Float,
}

function newVersion(): Value {
  return val(alloc(T.Version, 8));
}

/**
 * Allocates a class. `meta` is its class (NONE only while bootstrapping Class itself);
 * `supers` is a List of classes.
 */
export function allocClass(meta: Value, name: Value, supers: Value, container: Value, creator: Creator): Value {
  const c = val(alloc(T.Class, ClassF.SIZE));
  if (meta !== NONE) setV(c, ClassF.map, rootMapOf(meta));
  setV(c, ClassF.name, name);
  setV(c, ClassF.container, container);
  setV(c, ClassF.supers, supers);
  setV(c, ClassF.fieldMap, newMap(NONE, null, 0));
  setV(c, ClassF.fieldVals, allocVArray(8));
  setV(c, ClassF.version, newVersion());
  setV(c, ClassF.instMap, newMap(c, null, 0));
  setI(c, ClassF.creator, creator);
  addPermanentRoot(c);
  return c;
}

/** Own field `s` of `cls`, or NONE. */
export function ownField(cls: Value, s: number): Value {
  const i = mapLookup(getV(cls, ClassF.fieldMap), s);
  return i < 0 ? NONE : getItem(getV(cls, ClassF.fieldVals), VArrayF.SIZE, i);
}

/** Field `s` from `cls` or its superclasses (depth-first, first listed first), or NONE. */
export function findField(cls: Value, s: number): Value {
  const own = ownField(cls, s);
  if (own !== NONE) return own;
  const supers = getV(cls, ClassF.supers);
  if (supers === NONE) return NONE;
  const n = listLen(supers);
  for (let i = 0; i < n; i++) {
    const v = findField(listGet(supers, i), s);
    if (v !== NONE) return v;
  }
  return NONE;
}

export function setField(cls: Value, s: number, v: Value): void {
  const fm = getV(cls, ClassF.fieldMap);
  let i = mapLookup(fm, s);
  let vals = getV(cls, ClassF.fieldVals);
  if (i < 0) {
    const fm2 = mapWith(fm, s);
    setV(cls, ClassF.fieldMap, fm2);
    i = getI(vals, VArrayF.len);
    if (i >= varrayCap(vals)) {
      const bigger = allocVArray(varrayCap(vals) * 2);
      for (let k = 0; k < i; k++) setItem(bigger, VArrayF.SIZE, k, getItem(vals, VArrayF.SIZE, k));
      setI(bigger, VArrayF.len, i);
      setV(cls, ClassF.fieldVals, bigger);
      vals = bigger;
    }
    setI(vals, VArrayF.len, i + 1);
  }
  setItem(vals, VArrayF.SIZE, i, v);
  bumpVersion(cls);
}

/** Replaces the version of `cls` and of every class that inherits from it. */
export function bumpVersion(cls: Value): void {
  setV(cls, ClassF.version, newVersion());
  const subs = getV(cls, ClassF.subclasses);
  if (subs === NONE) return;
  const n = listLen(subs);
  for (let i = 0; i < n; i++) bumpVersion(listGet(subs, i));
}

/** True if `cls` is `target` or inherits from it. */
export function isSubclass(cls: Value, target: Value): boolean {
  if (cls === target) return true;
  const supers = getV(cls, ClassF.supers);
  if (supers === NONE) return false;
  const n = getI(supers, ListF.len);
  for (let i = 0; i < n; i++) if (isSubclass(listGet(supers, i), target)) return true;
  return false;
}

/** Names of the own fields of `cls`, in definition order (symbol ids). */
export { mapLookup };
