// The kernel of the object system: the well-known classes (bootstrapped here, since
// Class is an instance of itself), the class of any value, slot lookup with method
// binding, builtin functions, and Converge exceptions as seen from TypeScript.

import { T, ClassF, FuncF, ObjectF, MapF, ExceptionF, ModuleF, PartialF, VArrayF } from '../rts/layout.js';
import { getV, setV, getI, setI, setItem, typeId, val } from '../rts/ll.js';
import { alloc } from '../rts/alloc.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { addPermanentRoot } from '../rts/gc.js';
import {
  allocList,
  allocPartial,
  allocVArray,
  allocObject,
  listPush,
  mapLookup,
  ownSlot,
  slotGet,
  strFromJs,
  strToJs,
  sym,
  symStr,
  setOwnSlot,
  FUNC_BOUND,
} from '../rts/objects.js';
import { allocClass, Creator, findField, setField } from '../rts/classes.js';

// -- Well-known objects ---------------------------------------------------------

/** The well-known classes and objects; filled in by bootstrap(). */
export const K = {
  null: NONE,
  Object: NONE,
  Class: NONE,
  Func: NONE,
  Partial_Application: NONE,
  Module: NONE,
  Number: NONE,
  Int: NONE,
  Float: NONE,
  String: NONE,
  List: NONE,
  Dict: NONE,
  Set: NONE,
  Exception: NONE,
  BuiltinsModule: NONE,
};

/**
 * Entry points into the interpreter, installed by vm/bytecode/interp.ts, so builtins can
 * call Converge code without importing the interpreter. `call` returns NONE on failure.
 */
export const hooks = {
  call: (_fn: Value, _args: readonly Value[]): Value => {
    throw new Error('internal error: interpreter not initialised');
  },
  /** Starts a call as a builtin generator (a GenState of kind genCall), or NONE. */
  startCall: (_fn: Value, _args: readonly Value[]): Value => {
    throw new Error('internal error: interpreter not initialised');
  },
  genCall: -1,
  /** Initialises module `m` if that has not started (running its top level to completion). */
  importModule: (_m: Value): void => {
    throw new Error('internal error: interpreter not initialised');
  },
};

/** Calls method `name` of `o` (the re-entrant path; failure is NONE). */
export function callMethodNamed(o: Value, name: string, args: readonly Value[]): Value {
  return hooks.call(getSlot(o, sym(name)), args);
}

/** Exception classes by name (the Exceptions module). */
export const EXC: Record<string, Value> = {};

// -- Builtin functions --------------------------------------------------------

/**
 * A builtin: `fn(args)` returns a value, or NONE to fail. For generators, `gen` is set:
 * fn then returns the first value and later values come from the generator protocol.
 */
export interface BuiltinDef {
  readonly name: string;
  /** Qualified name for backtraces, e.g. `Builtins::List.get`. */
  readonly path: string;
  readonly min: number;
  /** -1 = any number. Counts the receiver for methods. */
  readonly max: number;
  readonly fn: (args: Value[]) => Value;
  /** For builtin generators: start + next over a GenState (vm/builtins/gen.ts). */
  readonly gen?: number;
  /**
   * Fixed-arity entries, which defBuiltin takes from `fixed` (callers do not pass them):
   * the same builtin called with exactly one or two arguments (the receiver counts),
   * without an argument array, for the interpreter's call fast path. They must behave
   * exactly as `fn` does with that many arguments.
   */
  readonly f1?: Fixed1;
  readonly f2?: Fixed2;
}

export type Fixed1 = (a: Value) => Value;
export type Fixed2 = (a: Value, b: Value) => Value;

export const builtins: BuiltinDef[] = [];
/** The Func object of each builtin, by builtin index (for call chains). */
export const builtinFuncs: Value[] = [];

/** Parameters_Exception unless `min <= args.length <= max` (max -1: no limit). */
export function checkCount(args: readonly Value[], min: number, max: number): void {
  if (args.length < min) raise('Parameters_Exception', `Too few parameters (${args.length} passed, but ${min} needed).`);
  if (max >= 0 && args.length > max) raise('Parameters_Exception', `Too many parameters (${args.length} passed, but a maximum of ${max} allowed).`);
}

/** Creates a Func for a builtin. `bound` makes it a method (binds its receiver). */
export function defBuiltin(def: BuiltinDef, bound: boolean, container: Value): Value {
  const idx = builtins.length;
  const fx = fixedEntries.get(def.fn);
  const takes = (n: number): boolean => def.min <= n && (def.max < 0 || n <= def.max);
  // Every entry gets the same fields in the same order: the interpreter reads them at one site.
  builtins.push({
    name: def.name,
    path: def.path,
    min: def.min,
    max: def.max,
    fn: def.fn,
    gen: def.gen,
    f1: takes(1) ? fx?.f1 : undefined,
    f2: takes(2) ? fx?.f2 : undefined,
  });
  const f = val(alloc(T.Func, FuncF.SIZE));
  setV(f, FuncF.map, getV(K.Func, ClassF.instMap));
  setI(f, FuncF.code, -1 - idx);
  setI(f, FuncF.flags, bound ? FUNC_BOUND : 0);
  setI(f, FuncF.numParams, -1);
  setV(f, FuncF.name, strFromJs(def.name));
  setV(f, FuncF.container, container);
  addPermanentRoot(f);
  builtinFuncs.push(f);
  return f;
}

export type MethodImpl = (args: Value[]) => Value;

const fixedEntries = new WeakMap<MethodImpl, { f1?: Fixed1; f2?: Fixed2 }>();

/**
 * An implementation `fn` together with fixed-arity versions of it, which defBuiltin then
 * gives the interpreter (for each arity the builtin accepts).
 */
export function fixed(fn: MethodImpl, entries: { f1?: Fixed1; f2?: Fixed2 }): MethodImpl {
  fixedEntries.set(fn, entries);
  return fn;
}

/** A builtin taking exactly one argument (a method: its receiver). */
export function unary(f: Fixed1): MethodImpl {
  return fixed((a) => f(a[0]), { f1: f });
}

/** A builtin taking exactly two arguments (a method: its receiver and one more). */
export function binary(f: Fixed2): MethodImpl {
  return fixed((a) => f(a[0], a[1]), { f2: f });
}

/** The fixed-arity versions of `fn`, if it was made by fixed, unary or binary. */
export function fixedOf(fn: MethodImpl): { f1?: Fixed1; f2?: Fixed2 } | undefined {
  return fixedEntries.get(fn);
}

/** Installs methods as fields of `cls`. Each entry: [name, min args, max args, impl, gen kind?]. */
export function defMethods(cls: Value, clsPath: string, table: readonly (readonly [string, number, number, MethodImpl, number?])[]): void {
  for (const [name, min, max, fn, gen] of table) {
    const f = defBuiltin({ name, path: `${clsPath}.${name}`, min, max, fn, gen }, true, cls);
    setField(cls, sym(name), f);
  }
}

// -- Exceptions ---------------------------------------------------------------

/** A Converge exception travelling through TypeScript code. */
export class ConvergeThrow {
  constructor(readonly exc: Value) {}
}

/** Creates an exception instance of class `cls` with message `msg`. */
export function mkException(cls: Value, msg: string | Value): Value {
  const e = allocObject(cls, T.Exception);
  setSlotValue(e, 'msg', typeof msg === 'string' ? strFromJs(msg) : msg);
  return e;
}

/** Throws a new exception of the named class of the Exceptions module. */
export function raise(className: string, msg: string): never {
  throw new ConvergeThrow(mkException(EXC[className], msg));
}

function setSlotValue(o: Value, name: string, v: Value): void {
  setOwnSlot(o, sym(name), v);
}

// -- Classes of values --------------------------------------------------------

/** The class of any value (its `instance_of`). */
export function classOf(v: Value): Value {
  if (isSmall(v)) return K.Int;
  switch (typeId(v)) {
    case T.Int64:
      return K.Int;
    case T.Float:
      return K.Float;
    case T.String:
      return K.String;
    default:
      return getV(getV(v, ObjectF.map), MapF.cls);
  }
}

export function className(v: Value): string {
  return strToJs(getV(classOf(v), ClassF.name));
}

/** `Builtins::Int`-style path of a class. */
export function classPath(cls: Value): string {
  const name = strToJs(getV(cls, ClassF.name)) || '<anon>';
  const cont = getV(cls, ClassF.container);
  if (cont === NONE || cont === K.null) return name;
  if (typeId(cont) === T.Module) return `${strToJs(getV(cont, ModuleF.name))}::${name}`;
  if (typeId(cont) === T.Class) return `${classPath(cont)}.${name}`;
  return name;
}

// -- Slot lookup (spec/language.md §6.1) ----------------------------------------

const S_INSTANCE_OF = sym('instance_of');

/** Binds a bound function found on `o` into a partial application. */
export function bindIfBound(o: Value, f: Value): Value {
  if (!isSmall(f) && typeId(f) === T.Func && (getI(f, FuncF.flags) & FUNC_BOUND) !== 0) {
    const args = allocVArray(1);
    setItem(args, VArrayF.SIZE, 0, o);
    setI(args, VArrayF.len, 1);
    return allocPartial(K.Partial_Application, f, args);
  }
  return f;
}

/** `o.name` (own slot, class field bound, instance_of), or NONE if absent. */
export function findSlot(o: Value, s: number): Value {
  if (!isSmall(o)) {
    const t = typeId(o);
    if (t !== T.Int64 && t !== T.Float && t !== T.String) {
      // A bound function is bound to whatever object it is found on, own slot or field.
      const own = ownSlot(o, s);
      if (own !== NONE) return bindIfBound(o, own);
      const pseudo = pseudoSlot(o, t, s);
      if (pseudo !== NONE) return pseudo;
    }
  }
  const cls = classOf(o);
  const f = findField(cls, s);
  if (f !== NONE) return bindIfBound(o, f);
  if (s === S_INSTANCE_OF) return cls;
  return NONE;
}

/** Slots that builtin objects answer from their fields (name, container...). */
const pseudoSlots = new Map<number, (o: Value, t: number) => Value>();
export function defPseudoSlot(name: string, f: (o: Value, t: number) => Value): void {
  pseudoSlots.set(sym(name), f);
}
function pseudoSlot(o: Value, t: number, s: number): Value {
  const f = pseudoSlots.get(s);
  return f === undefined ? NONE : f(o, t);
}

export function getSlot(o: Value, s: number): Value {
  const v = findSlot(o, s);
  if (v === NONE) raise('Slot_Exception', `No such slot '${strToJs(symStr(s))}' in instance of '${className(o)}'.`);
  return v;
}

export { S_INSTANCE_OF, allocList, listPush, mapLookup, slotGet, ExceptionF, PartialF, Creator, allocClass };
