// Shared machinery of the builtin types: receiver and argument checks (stdlib.md preamble:
// wrong types raise Type_Exception), index and slice translation (language.md §11.10),
// iteration over "anything with iter()", and creation functions for classes defined
// outside the kernel's Creator enum.

import { T } from '../rts/layout.js';
import { typeId } from '../rts/ll.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import { allocList, intNum, isFloat, isInt, listGet, listLen, listPush, strToJs, sym } from '../rts/objects.js';
import { K, defMethods, fixed, fixedOf, getSlot, hooks, raise, type MethodImpl, checkCount } from './kernel.js';
import { typeError } from './operators.js';

export const VM_FAIL = 'Function attempting to return fail, but caller can not handle failure.';

const S_INIT = sym('init');

/** Calls o.init(args), rooting `o` meanwhile; init failing is a VM_Exception (language.md §13.2). */
export function callInit(o: Value, args: Value[]): Value {
  const mark = shadowMark();
  try {
    const p = shadowPush(o);
    const r = hooks.call(getSlot(o, S_INIT), args);
    if (r === NONE) raise('VM_Exception', VM_FAIL);
    return shadowGet(p);
  } finally {
    shadowPopTo(mark);
  }
}

// -- Type tests -------------------------------------------------------------------

function hasType(v: Value, t: T): boolean {
  return !isSmall(v) && v !== NONE && typeId(v) === t;
}

export const isStr = (v: Value): boolean => hasType(v, T.String);
export const isList = (v: Value): boolean => hasType(v, T.List);
export const isDict = (v: Value): boolean => hasType(v, T.Dict);
export const isSet = (v: Value): boolean => hasType(v, T.Set);
export const isClass = (v: Value): boolean => hasType(v, T.Class);
export const isFunc = (v: Value): boolean => hasType(v, T.Func);
export const isPartial = (v: Value): boolean => hasType(v, T.Partial);
export const isModule = (v: Value): boolean => hasType(v, T.Module);
export const isExc = (v: Value): boolean => hasType(v, T.Exception);
export const isNumber = (v: Value): boolean => isInt(v) || isFloat(v);

/** Values that can carry slots (everything but Ints, Floats and Strings). */
export function isSlottedValue(v: Value): boolean {
  if (isSmall(v)) return false;
  const t = typeId(v);
  return t !== T.Int64 && t !== T.Float && t !== T.String;
}

// -- Argument checks ----------------------------------------------------------------

/**
 * The List `[a, b]` (name/value pairs, [start, end] indexes...). Both values exist before
 * the list is allocated, and nothing collects between (no safepoint), so they need no
 * rooting.
 */
export function pairList(a: Value, b: Value): Value {
  const l = allocList(K.List, 2);
  listPush(l, a);
  listPush(l, b);
  return l;
}

export function strArg(v: Value, where?: string): string {
  if (!isStr(v)) typeError('String', v, where);
  return strToJs(v);
}

export function listArg(v: Value): Value {
  if (!isList(v)) typeError('List', v);
  return v;
}

export function intArg(v: Value, where?: string): number {
  if (!isInt(v)) typeError('Int', v, where);
  return intNum(v);
}

/** An optional argument: absent or null. */
export function absent(v: Value | undefined): boolean {
  return v === undefined || v === K.null;
}

// -- Methods with a checked receiver ------------------------------------------------

export type MethodRow = readonly [string, number, number, MethodImpl, number?];

/**
 * Installs methods whose receiver must pass `check` (else Type_Exception naming
 * `typeName`): a method fetched with get_field can be applied to anything, and the
 * implementations read the receiver's heap layout directly.
 */
export function defTyped(cls: Value, clsPath: string, check: (v: Value) => boolean, typeName: string, table: readonly MethodRow[]): void {
  defMethods(
    cls,
    clsPath,
    table.map(([name, min, max, fn, gen]) => {
      const checked: MethodImpl = (a) => {
        if (!check(a[0])) typeError(typeName, a[0]);
        return fn(a);
      };
      const fx = fixedOf(fn);
      const f1 = fx?.f1;
      const f2 = fx?.f2;
      const entries = {
        f1: f1 === undefined ? undefined : (x: Value): Value => {
          if (!check(x)) typeError(typeName, x);
          return f1(x);
        },
        f2: f2 === undefined ? undefined : (x: Value, y: Value): Value => {
          if (!check(x)) typeError(typeName, x);
          return f2(x, y);
        },
      };
      return [name, min, max, fixed(checked, entries), gen] as const;
    }),
  );
}

export { checkCount };

// -- Indices (language.md §11.10) ------------------------------------------------------

function boundsError(i: number, upper: number): never {
  if (i < 0) raise('Bounds_Exception', `${i} below lower bound 0.`);
  raise('Bounds_Exception', `${i} exceeds upper bound ${upper}.`);
}

/** An element index: negative counts from the end; must land in [0, len). */
export function elemIndex(v: Value, len: number): number {
  let i = intArg(v);
  if (i < 0) i += len;
  if (i < 0 || i >= len) boundsError(i, len);
  return i;
}

/** A slice bound: negative counts from the end; must land in [0, len]. */
export function sliceIndex(i: number, len: number): number {
  if (i < 0) i += len;
  if (i < 0 || i > len) boundsError(i, len);
  return i;
}

/** Slice bounds [i, j) of a sequence of length `len` (absent or null = start / end). */
export function sliceBounds(i: Value | undefined, j: Value | undefined, len: number): [number, number] {
  const lo = sliceIndex(absent(i) ? 0 : intArg(i!), len);
  const hi = sliceIndex(absent(j) ? len : intArg(j!), len);
  if (hi < lo) raise('Indices_Exception', `Lower bound ${lo} exceeds upper bound ${hi}`);
  return [lo, hi];
}

// -- Iteration ------------------------------------------------------------------------

const S_ITER = sym('iter');

/**
 * Calls f(v) for each value of `c.iter()`; a List is read directly, its length taken
 * first (so `l.extend(l)` terminates). `f` may run Converge code: `c` is kept rooted
 * here, and f must root whatever else it holds.
 */
export function forEachValue(c: Value, f: (v: Value) => void): void {
  const m = shadowMark();
  const pc = shadowPush(c);
  try {
    if (isList(c)) {
      const n = listLen(c);
      for (let i = 0; i < n && i < listLen(shadowGet(pc)); i++) f(listGet(shadowGet(pc), i));
      return;
    }
    pumpGenerator(getSlot(c, S_ITER), [], f);
  } finally {
    shadowPopTo(m);
  }
}

/** Pumps every value of a call. Installed by the interpreter. */
export let pumpGenerator: (fn: Value, args: Value[], f: (v: Value) => void) => void = () => {
  throw new Error('internal error: generator pump not installed');
};
export function setPumpGenerator(p: typeof pumpGenerator): void {
  pumpGenerator = p;
}

// -- Creation functions ----------------------------------------------------------------

/** A creation function (`new_func` upstream): receives the class then the arguments of `new`. */
export type CreateFn = (args: Value[]) => Value;

const creators = new Map<number, CreateFn>();
let nextCreator = 100;

/** Installs the creation function of a kernel Creator kind (Class.new dispatches on it). */
export function setCreator(id: number, f: CreateFn): void {
  creators.set(id, f);
}

/**
 * Registers a creation function for classes made outside the kernel (File...); returns
 * the number to store as the class's creator, which subclasses inherit like any other.
 */
export function defCreator(f: CreateFn): number {
  const id = nextCreator++;
  creators.set(id, f);
  return id;
}

export function creatorFn(id: number): CreateFn | undefined {
  return creators.get(id);
}
