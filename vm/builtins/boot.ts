// Bootstrapping the class graph. Class is an instance of itself and Object's class is
// Class, so the first classes are made before List exists and their superclass lists are
// filled in afterwards.

import { ClassF, ListF, T } from '../rts/layout.js';
import { getV, setV } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { allocList, allocObject, listPush, strFromJs } from '../rts/objects.js';
import { allocClass, Creator } from '../rts/classes.js';
import { addPermanentRoot } from '../rts/gc.js';
import { EXC, K } from './kernel.js';

function emptyList(): Value {
  return allocList(K.List, 2);
}

/** Makes a class whose metaclass is Class. */
export function mkClass(name: string, supers: readonly Value[], creator: Creator, container: Value = NONE): Value {
  const l = emptyList();
  for (const s of supers) listPush(l, s);
  const c = allocClass(K.Class, strFromJs(name), l, container, creator);
  for (const s of supers) addSubclass(s, c);
  return c;
}

export function addSubclass(sup: Value, sub: Value): void {
  let subs = getV(sup, ClassF.subclasses);
  if (subs === NONE) {
    subs = emptyList();
    setV(sup, ClassF.subclasses, subs);
  }
  listPush(subs, sub);
}

export const EXCEPTION_TREE: readonly (readonly [string, string])[] = [
  ['User_Exception', 'Exception'],
  ['Internal_Exception', 'Exception'],
  ['VM_Exception', 'Internal_Exception'],
  ['System_Exit_Exception', 'Internal_Exception'],
  ['Apply_Exception', 'Internal_Exception'],
  ['Assert_Exception', 'Internal_Exception'],
  ['Bounds_Exception', 'Internal_Exception'],
  ['Field_Exception', 'Internal_Exception'],
  ['Import_Exception', 'Internal_Exception'],
  ['Indices_Exception', 'Internal_Exception'],
  ['Key_Exception', 'Internal_Exception'],
  ['Mod_Defn_Exception', 'Internal_Exception'],
  ['NDIf_Exception', 'Internal_Exception'],
  ['Number_Exception', 'Internal_Exception'],
  ['Parameters_Exception', 'Internal_Exception'],
  ['Slot_Exception', 'Internal_Exception'],
  ['Type_Exception', 'Internal_Exception'],
  ['Unassigned_Var_Exception', 'Internal_Exception'],
  ['Unpack_Exception', 'Internal_Exception'],
  ['IO_Exception', 'Internal_Exception'],
  ['File_Exception', 'IO_Exception'],
];

/** Creates the builtin classes (containers are set when the modules exist). */
export function bootClasses(): void {
  // Class first, as its own class; then Object; then List so superclass lists can exist.
  K.Class = allocClass(NONE, strFromJs('Class'), NONE, NONE, Creator.Class);
  setV(K.Class, ClassF.map, getV(K.Class, ClassF.instMap));
  K.Object = allocClass(K.Class, strFromJs('Object'), NONE, NONE, Creator.Object);
  K.List = allocClass(K.Class, strFromJs('List'), NONE, NONE, Creator.List);
  setV(K.Object, ClassF.supers, emptyList());
  for (const c of [K.Class, K.List]) {
    const l = emptyList();
    listPush(l, K.Object);
    setV(c, ClassF.supers, l);
    addSubclass(K.Object, c);
  }
  K.Func = mkClass('Func', [K.Object], Creator.None);
  K.Partial_Application = mkClass('Partial_Application', [K.Object], Creator.Partial);
  K.Module = mkClass('Module', [K.Object], Creator.Module);
  K.Number = mkClass('Number', [K.Object], Creator.None);
  K.Int = mkClass('Int', [K.Object], Creator.Int);
  K.Float = mkClass('Float', [K.Object], Creator.Float);
  K.String = mkClass('String', [K.Object], Creator.String);
  K.Dict = mkClass('Dict', [K.Object], Creator.Dict);
  K.Set = mkClass('Set', [K.Object], Creator.Set);
  K.Exception = mkClass('Exception', [K.Object], Creator.Exception);
  EXC.Exception = K.Exception;
  for (const [name, sup] of EXCEPTION_TREE) EXC[name] = mkClass(name, [EXC[sup]], Creator.Exception);
  K.null = allocObject(K.Object);
  addPermanentRoot(K.null);
}

/** Sets the container of the builtin classes once their modules exist. */
export function setContainers(builtinsMod: Value, exceptionsMod: Value): void {
  for (const key of ['Class', 'Object', 'List', 'Func', 'Partial_Application', 'Module', 'Number', 'Int', 'Float', 'String', 'Dict', 'Set', 'Exception'] as const) {
    setV(K[key], ClassF.container, builtinsMod);
  }
  for (const [name] of EXCEPTION_TREE) setV(EXC[name], ClassF.container, exceptionsMod);
}

export { ListF, T };
