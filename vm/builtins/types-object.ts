// Builtins: Object, Class, Func, Partial_Application (stdlib.md §1.1-1.4, language.md §13),
// and Class.new's dispatch to the creation function of the class being instantiated.

import { T, ClassF, ObjectF, FuncF, PartialF, VArrayF, GenStateF, ModuleF } from '../rts/layout.js';
import { getV, getI, setI, setItem, typeId } from '../rts/ll.js';
import { NONE, small, word, type Value } from '../rts/value.js';
import { allocList, allocObject, allocPartial, allocVArray, listGet, listLen, listPush, mapInfo, ownSlot, strFromJs, strToJs, sym, symStr } from '../rts/objects.js';
import { allocClass, Creator, findField, isSubclass, ownField, setField } from '../rts/classes.js';
import { K, classOf, classPath, defMethods, findSlot, getSlot, hooks, raise } from './kernel.js';
import { addSubclass } from './boot.js';
import { typeError, identical, ownOrPseudoSlot, setSlot } from './operators.js';
import { defGen, newGen } from './gen.js';
import {
  VM_FAIL, absent, callInit, checkCount, creatorFn, defTyped, isClass, isFunc, isModule, isPartial, isSlottedValue, listArg, pairList, setCreator, strArg,
} from './types-common.js';
import { installModuleType, modulePath } from './types-module.js';
import { installExceptions } from './exceptions.js';

const S_INIT = sym('init');
const S_PATH = sym('path');
const S_NAME = sym('name');
const S_CONTAINER = sym('container');

function hexAddr(v: Value): string {
  return (word(v) >>> 0).toString(16);
}

// -- Paths ------------------------------------------------------------------------------

/**
 * `container.path(stop_at)` then `::` (module container) or `.` (other) then `name`; just
 * `name` if there is no container or it is `stopAt` (NONE = no stop).
 */
export function joinPath(name: string, container: Value, stopAt: Value): string {
  if (container === NONE || container === K.null || container === stopAt) return name;
  if (isModule(container)) return `${modulePath(container, stopAt)}::${name}`;
  const r = hooks.call(getSlot(container, S_PATH), [stopAt === NONE ? K.null : stopAt]);
  if (r === NONE) raise('VM_Exception', VM_FAIL);
  return `${strArg(r)}.${name}`;
}

/** A class's `name` slot (assignable, as upstream, where it is an ordinary slot). */
function classSlotName(cls: Value): string {
  return strArg(ownOrPseudoSlot(cls, S_NAME));
}

function classPathStop(cls: Value, stopAt: Value): string {
  const name = classSlotName(cls) || '<anon>';
  return joinPath(name, ownOrPseudoSlot(cls, S_CONTAINER), stopAt);
}

function funcPath(f: Value, stopAt: Value): string {
  if (f === stopAt) return '';
  return joinPath(strToJs(getV(f, FuncF.name)), getV(f, FuncF.container), stopAt);
}

function stopArg(a: Value[]): Value {
  return absent(a[1]) ? NONE : a[1];
}

// -- Classes ----------------------------------------------------------------------------

/** The creation function a new class inherits from its superclasses (spec §13.2). */
function inheritedCreator(supers: Value): number {
  const n = listLen(supers);
  // No superclass at all: nothing to inherit (upstream: "has no new_func").
  if (n === 0) return Creator.None;
  let found: number = Creator.Object;
  for (let i = 0; i < n; i++) {
    const c = getI(listGet(supers, i), ClassF.creator);
    if (c === Creator.Object) continue;
    if (found !== Creator.Object && found !== c) raise('VM_Exception', "Can't inherit from classes that instantiated different meta-classes.");
    found = c;
  }
  return found;
}

/** Class.new on Class or a metaclass: `(name, supers, container, *init_args)`. */
function newClass(a: Value[]): Value {
  checkCount(a, 4, -1);
  const meta = a[0];
  const name = a[1];
  strArg(name);
  listArg(a[2]);
  const n = listLen(a[2]);
  const l = allocList(K.List, Math.max(n, 1));
  for (let i = 0; i < n; i++) {
    const s = listGet(a[2], i);
    if (!isClass(s)) raise('VM_Exception', "Can't inherit from an object that's not a direct instance of Class.");
    listPush(l, s);
  }
  const c = allocClass(meta, name, l, a[3], inheritedCreator(l) as Creator);
  for (let i = 0; i < n; i++) addSubclass(listGet(l, i), c);
  return callInit(c, a.slice(4));
}

/** Class.new: instantiate the receiver with its creation function. */
function classNew(a: Value[]): Value {
  const cls = a[0];
  if (!isClass(cls)) typeError('Class', cls);
  const f = creatorFn(getI(cls, ClassF.creator));
  if (f === undefined) raise('VM_Exception', `Instance of ${classPath(cls)} has no new_func.`);
  return f(a);
}

/**
 * Class.conformed_by: every field of the class and its superclasses is reachable as a slot
 * of `o`. Upstream counts only o's own slots, so nearly nothing conforms (language.md
 * §13.6); reachable slots (class fields included) are what the spec recommends.
 */
function conformedBy(cls: Value, o: Value): boolean {
  if (classOf(o) === cls) return true;
  const seen = new Set<number>();
  const check = (c: Value): boolean => {
    for (const s of mapInfo(getV(c, ClassF.fieldMap)).names) {
      if (seen.has(s)) continue;
      seen.add(s);
      if (findSlot(o, s) === NONE) return false;
    }
    const supers = getV(c, ClassF.supers);
    for (let i = 0; i < listLen(supers); i++) if (!check(listGet(supers, i))) return false;
    return true;
  };
  return check(cls);
}

// -- Slots ------------------------------------------------------------------------------

/** Slots builtin objects derive from their fields, listed before their own slots. */
function pseudoSlotNames(o: Value): readonly string[] {
  switch (typeId(o)) {
    case T.Class:
      return ['name', 'container'];
    case T.Func:
      return ['name', 'container', 'num_params'];
    case T.Module:
      return ['name', 'src_path', 'mod_id', 'container'];
    default:
      return [];
  }
}

function slotNamesOf(o: Value): number[] {
  const own = mapInfo(getV(o, ObjectF.map)).names;
  const pseudo = pseudoSlotNames(o).map(sym).filter((s) => !own.includes(s));
  return pseudo.concat(own);
}

/** iter_slots: i = next slot number. */
const GEN_SLOTS = defGen((g) => {
  const o = getV(g, GenStateF.a);
  const names = slotNamesOf(o);
  const i = getI(g, GenStateF.i);
  if (i >= names.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  return pairList(symStr(names[i]), ownOrPseudoSlot(o, names[i]));
});

/** Class.iter_defns: i = next field number. */
const GEN_FIELDS = defGen((g) => {
  const c = getV(g, GenStateF.a);
  const names = mapInfo(getV(c, ClassF.fieldMap)).names;
  const i = getI(g, GenStateF.i);
  if (i >= names.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  return pairList(symStr(names[i]), ownField(c, names[i]));
});

// -- Application -------------------------------------------------------------------------

/**
 * f.apply(l): calls f with the elements of l, as a generator over whatever the call
 * produces (stdlib.md §1.4), so `for x := o.m.apply(l)` pumps m.
 */
function applyList(f: Value, l: Value): Value {
  listArg(l);
  const n = listLen(l);
  const args: Value[] = new Array(n);
  for (let i = 0; i < n; i++) args[i] = listGet(l, i);
  return hooks.startCall(f, args);
}

function newPartial(a: Value[]): Value {
  checkCount(a, 3, 3);
  const f = a[1];
  if (!isFunc(f)) typeError('Func', f);
  const l = listArg(a[2]);
  const n = listLen(l);
  const args = allocVArray(n);
  for (let i = 0; i < n; i++) setItem(args, VArrayF.SIZE, i, listGet(l, i));
  setI(args, VArrayF.len, n);
  const p = allocPartial(a[0], f, args);
  const initArgs: Value[] = [f];
  for (let i = 0; i < n; i++) initArgs.push(listGet(l, i));
  return callInit(p, initArgs);
}

// -- Installation -------------------------------------------------------------------------

export function installObjectTypes(): void {
  setCreator(Creator.Class, newClass);
  setCreator(Creator.Object, (a) => callInit(allocObject(a[0]), a.slice(1)));
  setCreator(Creator.Partial, newPartial);

  defMethods(K.Object, 'Builtins::Object', [
    ['find_slot', 2, 2, (a) => findSlot(a[0], sym(strArg(a[1])))],
    ['get_slot', 2, 2, (a) => getSlot(a[0], sym(strArg(a[1])))],
    ['set_slot', 3, 3, (a) => {
      setSlot(a[0], sym(strArg(a[1])), a[2]);
      return K.null;
    }],
    ['iter_slots', 1, 1, (a) => (isSlottedValue(a[0]) ? newGen(GEN_SLOTS, a[0]) : NONE), GEN_SLOTS],
    ['init', 1, -1, () => K.null],
    ['is', 2, 2, (a) => (identical(a[0], a[1]) ? K.null : NONE)],
    ['to_str', 1, 1, (a) => strFromJs(`<Object@${hexAddr(a[0])}>`)],
  ]);

  defMethods(K.Class, 'Builtins::Class', [['new', 1, -1, classNew]]);
  defTyped(K.Class, 'Builtins::Class', isClass, 'Class', [
    ['instantiated', 2, 2, (a) => (isSubclass(classOf(a[1]), a[0]) ? K.null : NONE)],
    ['conformed_by', 2, 2, (a) => (conformedBy(a[0], a[1]) ? K.null : NONE)],
    ['get_field', 2, 2, (a) => {
      const f = findField(a[0], sym(strArg(a[1])));
      if (f === NONE) raise('Field_Exception', `No such field '${strToJs(a[1])}' in class '${classPath(a[0])}'.`);
      return f;
    }],
    ['set_field', 3, 3, (a) => {
      setField(a[0], sym(strArg(a[1])), a[2]);
      return K.null;
    }],
    ['iter_defns', 1, 1, (a) => newGen(GEN_FIELDS, a[0]), GEN_FIELDS],
    ['get_supers', 1, 1, (a) => {
      const s = getV(a[0], ClassF.supers);
      const l = allocList(K.List, listLen(s));
      for (let i = 0; i < listLen(s); i++) listPush(l, listGet(s, i));
      return l;
    }],
    ['path', 1, 2, (a) => strFromJs(classPathStop(a[0], stopArg(a)))],
    ['to_str', 1, 1, (a) => strFromJs(`<Class ${classSlotName(a[0])}>`)],
  ]);

  defTyped(K.Func, 'Builtins::Func', isFunc, 'Func', [
    // stop_at is mandatory, as upstream (stdlib.md §1.3).
    ['path', 2, 2, (a) => strFromJs(funcPath(a[0], stopArg(a)))],
    ['apply', 2, 2, (a) => applyList(a[0], a[1]), hooks.genCall],
  ]);

  defTyped(K.Partial_Application, 'Builtins::Partial_Application', isPartial, 'Partial_Application', [
    ['apply', 2, 2, (a) => applyList(a[0], a[1]), hooks.genCall],
  ]);

  installModuleType();
  installExceptions();
}
