// Builtins: Object, Class, Func, Partial_Application, Module, Exception (stdlib.md §1.1-1.5, §1.13).

import { T, ClassF, ObjectF, MapF, FuncF, PartialF, VArrayF, ExceptionF, ModuleF } from '../rts/layout.js';
import { getV, setV, getI, setI, getItem, typeId } from '../rts/ll.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import { allocList, allocObject, allocPartial, allocVArray, listGet, listLen, listPush, mapInfo, ownSlot, setOwnSlot, strFromJs, strToJs, sym, symName, symStr, mapLookup } from '../rts/objects.js';
import { allocClass, Creator, findField, isSubclass, ownField, setField } from '../rts/classes.js';
import { K, EXC, builtins, classOf, className, classPath, defMethods, findSlot, getSlot, hooks, raise } from './kernel.js';
import { addSubclass } from './boot.js';
import { typeError, toStrJs, identical, ownOrPseudoSlot } from './operators.js';
import { setItem } from '../rts/ll.js';
import { defGen, newGen } from './gen.js';
import { GenStateF } from '../rts/layout.js';

const VM_FAIL = 'Function attempting to return fail, but caller can not handle failure.';

export function isStr(v: Value): boolean {
  return !isSmall(v) && typeId(v) === T.String;
}

export function strArg(v: Value, where?: string): string {
  if (!isStr(v)) typeError('String', v, where);
  return strToJs(v);
}

export function listArg(v: Value): Value {
  if (isSmall(v) || typeId(v) !== T.List) typeError('List', v);
  return v;
}

function isClass(v: Value): boolean {
  return !isSmall(v) && typeId(v) === T.Class;
}

function hexAddr(v: Value): string {
  return (v as unknown as number).toString(16);
}

/** Calls o.init(args), rooting `o` meanwhile; init failing is a VM_Exception. */
function callInit(o: Value, args: Value[]): Value {
  const mark = shadowMark();
  const p = shadowPush(o);
  const r = hooks.call(getSlot(o, sym('init')), args);
  o = shadowGet(p);
  shadowPopTo(mark);
  if (r === NONE) raise('VM_Exception', VM_FAIL);
  return o;
}

/** The creation function a new class inherits from its superclasses (spec §13.2). */
function inheritedCreator(supers: Value): Creator {
  let found = Creator.Object;
  const n = listLen(supers);
  for (let i = 0; i < n; i++) {
    const c = getI(listGet(supers, i), ClassF.creator) as Creator;
    if (c === Creator.Object) continue;
    if (found !== Creator.Object && found !== c) raise('VM_Exception', "Can't inherit from classes that instantiated different meta-classes.");
    found = c;
  }
  return found;
}

function newClass(meta: Value, args: Value[]): Value {
  const name = args[1];
  if (!isStr(name)) typeError('String', name);
  const supers = args.length > 2 ? args[2] : K.null;
  const container = args.length > 3 ? args[3] : K.null;
  const l = allocList(K.List, 2);
  if (supers === K.null || supers === NONE) listPush(l, K.Object);
  else {
    listArg(supers);
    const n = listLen(supers);
    for (let i = 0; i < n; i++) {
      const s = listGet(supers, i);
      if (!isClass(s)) raise('VM_Exception', "Can't inherit from an object that's not a direct instance of Class.");
      listPush(l, s);
    }
  }
  const c = allocClass(meta, name, l, container, inheritedCreator(l));
  for (let i = 0; i < listLen(l); i++) addSubclass(listGet(l, i), c);
  return args.length > 4 ? callInit(c, args.slice(4)) : c;
}

/** Class.new: instantiate the receiver (or, for metaclasses, make a class). */
function classNew(args: Value[]): Value {
  const cls = args[0];
  if (!isClass(cls)) typeError('Class', cls);
  const creator = getI(cls, ClassF.creator) as Creator;
  const rest = args.slice(1);
  switch (creator) {
    case Creator.Class:
      return newClass(cls, args);
    case Creator.Object:
      return callInit(allocObject(cls), rest);
    case Creator.Exception:
      return callInit(allocObject(cls, T.Exception), rest);
    case Creator.List:
      return callInit(allocList(cls, 4), rest);
    case Creator.Partial: {
      const f = rest[0];
      const l = listArg(rest[1]);
      const n = listLen(l);
      const a = allocVArray(n);
      for (let i = 0; i < n; i++) setItem(a, VArrayF.SIZE, i, listGet(l, i));
      setI(a, VArrayF.len, n);
      return allocPartial(cls, f, a);
    }
    default:
      raise('VM_Exception', `Instance of ${classPath(cls)} has no new_func.`);
  }
}

/** The names of the own slots of a slotted object, in order. */
function slotNames(o: Value): number[] {
  return mapInfo(getV(o, ObjectF.map)).names;
}

function isSlottedValue(o: Value): boolean {
  if (isSmall(o)) return false;
  const t = typeId(o);
  return t !== T.Int64 && t !== T.Float && t !== T.String;
}

/** Class.conformed_by: every field of the class (and its supers) is reachable as a slot of o. */
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

/** `Mod::C` path of a class; stop_at ends the path at that container. */
function pathOf(cls: Value, stopAt: Value): string {
  const name = strToJs(getV(cls, ClassF.name)) || '<anon>';
  const cont = getV(cls, ClassF.container);
  if (cont === NONE || cont === K.null || cont === stopAt) return name;
  if (typeId(cont) === T.Module) return `${strToJs(getV(cont, ModuleF.name))}::${name}`;
  if (typeId(cont) === T.Class) return `${pathOf(cont, stopAt)}.${name}`;
  return name;
}

// -- Generators over slots and fields --------------------------------------------

const GEN_SLOTS = defGen((g) => {
  const o = getV(g, GenStateF.a);
  const names = slotNames(o);
  const i = getI(g, GenStateF.i);
  if (i >= names.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  const l = allocList(K.List, 2);
  listPush(l, symStr(names[i]));
  listPush(l, ownSlot(o, names[i]));
  return l;
});

const GEN_FIELDS = defGen((g) => {
  const c = getV(g, GenStateF.a);
  const names = mapInfo(getV(c, ClassF.fieldMap)).names;
  const i = getI(g, GenStateF.i);
  if (i >= names.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  const l = allocList(K.List, 2);
  listPush(l, symStr(names[i]));
  listPush(l, ownField(c, names[i]));
  return l;
});

// -- Function application from a list ------------------------------------------------

function applyList(f: Value, l: Value): Value {
  listArg(l);
  const n = listLen(l);
  const args: Value[] = [];
  for (let i = 0; i < n; i++) args.push(listGet(l, i));
  return hooks.call(f, args);
}

export function installObjectTypes(): void {
  defMethods(K.Object, 'Builtins::Object', [
    ['find_slot', 2, 2, (a) => findSlot(a[0], sym(strArg(a[1])))],
    ['get_slot', 2, 2, (a) => getSlot(a[0], sym(strArg(a[1])))],
    [
      'set_slot',
      3,
      3,
      (a) => {
        const s = sym(strArg(a[1]));
        if (!isSlottedValue(a[0])) raise('Slot_Exception', `No such slot '${symName(s)}' in instance of '${className(a[0])}'.`);
        setOwnSlot(a[0], s, a[2]);
        return K.null;
      },
    ],
    ['init', 1, -1, () => K.null],
    ['is', 2, 2, (a) => (identical(a[0], a[1]) ? K.null : NONE)],
    ['to_str', 1, 1, (a) => strFromJs(`<Object@${hexAddr(a[0])}>`)],
    ['iter_slots', 1, 1, (a) => (isSlottedValue(a[0]) ? newGen(GEN_SLOTS, a[0]) : NONE), GEN_SLOTS],
  ]);

  defMethods(K.Class, 'Builtins::Class', [
    ['new', 1, -1, classNew],
    ['instantiated', 2, 2, (a) => (isSubclass(classOf(a[1]), a[0]) ? K.null : NONE)],
    ['conformed_by', 2, 2, (a) => (conformedBy(a[0], a[1]) ? K.null : NONE)],
    [
      'get_field',
      2,
      2,
      (a) => {
        const f = findField(a[0], sym(strArg(a[1])));
        if (f === NONE) raise('Field_Exception', `No such field '${strToJs(a[1])}' in class '${pathOf(a[0], NONE)}'.`);
        return f;
      },
    ],
    [
      'set_field',
      3,
      3,
      (a) => {
        setField(a[0], sym(strArg(a[1])), a[2]);
        return K.null;
      },
    ],
    ['path', 1, 2, (a) => strFromJs(pathOf(a[0], a.length > 1 ? a[1] : NONE))],
    ['to_str', 1, 1, (a) => strFromJs(`<Class ${strToJs(getV(a[0], ClassF.name))}>`)],
    [
      'get_supers',
      1,
      1,
      (a) => {
        const s = getV(a[0], ClassF.supers);
        const l = allocList(K.List, listLen(s));
        for (let i = 0; i < listLen(s); i++) listPush(l, listGet(s, i));
        return l;
      },
    ],
    ['iter_fields', 1, 1, (a) => newGen(GEN_FIELDS, a[0]), GEN_FIELDS],
  ]);

  defMethods(K.Func, 'Builtins::Func', [
    [
      'path',
      1,
      2,
      (a) => {
        const code = getI(a[0], FuncF.code);
        if (code < 0) return strFromJs(builtins[-1 - code].path);
        const cont = getV(a[0], FuncF.container);
        const name = strToJs(getV(a[0], FuncF.name)) || '<anon>';
        return strFromJs(cont !== NONE && typeId(cont) === T.Module ? `${strToJs(getV(cont, ModuleF.name))}::${name}` : name);
      },
    ],
    ['apply', 2, 2, (a) => applyList(a[0], a[1])],
  ]);

  defMethods(K.Partial_Application, 'Builtins::Partial_Application', [['apply', 2, 2, (a) => applyList(a[0], a[1])]]);

  defMethods(K.Exception, 'Builtins::Exception', [
    [
      'init',
      1,
      2,
      (a) => {
        setOwnSlot(a[0], sym('msg'), a.length > 1 ? a[1] : strFromJs(''));
        return K.null;
      },
    ],
    [
      'to_str',
      1,
      1,
      (a) => {
        const msg = getSlot(a[0], sym('msg'));
        return strFromJs(`${className(a[0])}: ${strArg(msg)}`);
      },
    ],
  ]);
  // System_Exit_Exception takes a code, not a message.
  defMethods(EXC.System_Exit_Exception, 'Exceptions::System_Exit_Exception', [
    [
      'init',
      1,
      2,
      (a) => {
        setOwnSlot(a[0], sym('code'), a.length > 1 ? a[1] : K.null);
        return K.null;
      },
    ],
  ]);
}

export { toStrJs, ownOrPseudoSlot, mapLookup, getItem, PartialF, MapF, ExceptionF };
