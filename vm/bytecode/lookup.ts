// Slot and method lookup for the interpreter, with per-instruction inline caches. A
// cache entry remembers, for one receiver map, the class version under which a field
// was found; maps never change and a class gets a new Version object whenever one of its
// (or its superclasses') fields changes, so (map, version) identifies the answer.

import { T, ClassF, MapF, ObjectF, FuncF } from '../rts/layout.js';
import { getV, getI, getWI, setV, setWI, typeId } from '../rts/ll.js';
import { NONE, asValue, isSmall, small, smallOf, word, type Value } from '../rts/value.js';
import { findField } from '../rts/classes.js';
import { mapLookup, mapWith, slotGet, slotSet, FUNC_BOUND } from '../rts/objects.js';
import { K, getSlot, bindIfBound, S_INSTANCE_OF } from '../builtins/kernel.js';
import { ownOrPseudoSlot, setSlot } from '../builtins/operators.js';
import { MapF as MapLayout } from '../rts/layout.js';
import { getI as llGetI } from '../rts/ll.js';

/** The map that stands for `o`'s shape: its own map, or its class's for Ints, Floats and Strings. */
function mapOf(o: Value): Value {
  if (isSmall(o)) return getV(K.Int, ClassF.instMap);
  const t = typeId(o);
  if (t === T.Int64) return getV(K.Int, ClassF.instMap);
  if (t === T.Float) return getV(K.Float, ClassF.instMap);
  if (t === T.String) return getV(K.String, ClassF.instMap);
  return getV(o, ObjectF.map);
}

function hasPseudoSlots(t: number): boolean {
  return t === T.Class || t === T.Func || t === T.Module;
}

/**
 * Inline caches are VArrays in the heap (LoadedCode.icWord), addressed here by the heap
 * word index of an entry's first word; values are compared and stored as raw words.
 */
const w = word;

/** Set by methodFor: the method is a bound function, to be passed the receiver first. */
export let methodIsBound = false;

/**
 * The callee of `o.s(...)` (without building a bound method). A call instruction is
 * three words long, so its site has three cache entries (e, e + 3, e + 6): a site that
 * sees several receiver classes (`self.task.run(p)` over four task classes) keeps the
 * newest three, the first one checked inline.
 */
export function methodFor(o: Value, s: number, e: number): Value {
  const m = mapOf(o);
  const cls = getV(m, MapF.cls);
  const ver = getV(cls, ClassF.version);
  let f: Value;
  if (getWI(e) === w(m) && getWI(e + 1) === w(ver)) f = asValue(getWI(e + 2));
  else {
    f = methodMiss(o, m, cls, ver, s, e);
    if (f === NONE) return ownOrMissing;
  }
  methodIsBound = !isSmall(f) && typeId(f) === T.Func && (getI(f, FuncF.flags) & FUNC_BOUND) !== 0;
  return f;
}

/** methodFor's result when methodMiss returns NONE: an own slot, or what getSlot gives. */
let ownOrMissing: Value = NONE;

/** methodFor after its first cache entry missed: the other two entries, else a full lookup. */
function methodMiss(o: Value, m: Value, cls: Value, ver: Value, s: number, e: number): Value {
  for (let x = e + 3; x <= e + 6; x += 3) {
    if (getWI(x) === w(m) && getWI(x + 1) === w(ver)) return asValue(getWI(x + 2));
  }
  const slotted = !isSmall(o) && typeId(o) !== T.Int64 && typeId(o) !== T.Float && typeId(o) !== T.String;
  if (slotted) {
    const own = hasPseudoSlots(typeId(o)) ? ownOrPseudoSlot(o, s) : mapLookup(m, s) >= 0 ? slotGet(o, mapLookup(m, s)) : NONE;
    if (own !== NONE) {
      methodIsBound = !isSmall(own) && typeId(own) === T.Func && (getI(own, FuncF.flags) & FUNC_BOUND) !== 0;
      ownOrMissing = own;
      return NONE;
    }
  }
  const f = findField(cls, s);
  if (f === NONE) {
    methodIsBound = false;
    ownOrMissing = s === S_INSTANCE_OF ? cls : getSlot(o, s); // getSlot raises Slot_Exception
    return NONE;
  }
  // The newest entry first; the oldest of the three is dropped.
  for (let k = 5; k >= 0; k--) setWI(e + 3 + k, getWI(e + k));
  setWI(e, w(m));
  setWI(e + 1, w(ver));
  setWI(e + 2, w(f));
  return f;
}

/** `o.s` (GET_SLOT): own slot, else class field (bound to o if a bound function). */
export function slotFor(o: Value, s: number, e: number): Value {
  const m = mapOf(o);
  if (getWI(e) === w(m)) {
    if (getWI(e + 1) === 0) return bindIfBound(o, slotGet(o, smallOf(asValue(getWI(e + 2)))));
    const cls = getV(m, MapF.cls);
    if (getWI(e + 1) === w(getV(cls, ClassF.version))) return bindIfBound(o, asValue(getWI(e + 2)));
  }
  if (!isSmall(o)) {
    const t = typeId(o);
    if (t !== T.Int64 && t !== T.Float && t !== T.String) {
      if (!hasPseudoSlots(t)) {
        const i = mapLookup(m, s);
        if (i >= 0) {
          setWI(e, w(m));
          setWI(e + 1, 0);
          setWI(e + 2, w(small(i)));
          return bindIfBound(o, slotGet(o, i));
        }
      } else {
        const own = ownOrPseudoSlot(o, s);
        if (own !== NONE) return bindIfBound(o, own);
      }
    }
  }
  const cls = getV(m, MapF.cls);
  const f = findField(cls, s);
  if (f === NONE) return getSlot(o, s); // instance_of, or Slot_Exception
  setWI(e, w(m));
  setWI(e + 1, w(getV(cls, ClassF.version)));
  setWI(e + 2, w(f));
  return bindIfBound(o, f);
}

/** `o.s := v` (SET_SLOT), caching the map transition of plain objects. */
export function storeSlot(o: Value, s: number, v: Value, e: number): void {
  if (!isSmall(o) && typeId(o) === T.Object) {
    const m = getV(o, ObjectF.map);
    if (getWI(e) === w(m)) {
      setV(o, ObjectF.map, asValue(getWI(e + 1)));
      slotSet(o, smallOf(asValue(getWI(e + 2))), v);
      return;
    }
    setSlot(o, s, v);
    const m2 = getV(o, ObjectF.map);
    setWI(e, w(m));
    setWI(e + 1, w(m2));
    setWI(e + 2, w(small(mapLookup(m2, s))));
    return;
  }
  setSlot(o, s, v);
}

export { mapWith, MapLayout, llGetI };
