// Modules at run time (spec/language.md §14): loading verified units into the VM,
// the module table (by module id), VM-implemented modules, lazy initialisation on first
// IMPORT (marked as initialising first, so an import cycle sees the partial module), and
// `M::x` lookups.

import { alloc } from '../rts/alloc.js';
import { T, BytesF, ModuleF, VarsF, VArrayF, ClassF } from '../rts/layout.js';
import { addr, getV, setV, getI, setI, getItem, setItem, setWI, typeId, val } from '../rts/ll.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { addPermanentRoot } from '../rts/gc.js';
import { allocString, allocVArray, mkFloat, mkIntBig, strFromJs, sym, symName } from '../rts/objects.js';
import { K, raise, hooks, getSlot } from '../builtins/kernel.js';
import { setModulePseudo } from '../builtins/operators.js';
import { codes, units, CodeWord, type LoadedUnit } from './loaded.js';
import { allocVars, frameBytes, frameForInit, Mode } from './frames.js';
import type { CodeDef, UnitDef } from './unit.js';
import { OPS, Op, instrWords } from './opcodes.js';

/** Module objects by module id. */
export const moduleTable = new Map<string, Value>();

function newModuleObject(name: string, modId: string, srcPath: string, nVars: number, unitIndex: number): Value {
  const m = val(alloc(T.Module, ModuleF.SIZE));
  setV(m, ModuleF.map, getV(K.Module, ClassF.instMap));
  setV(m, ModuleF.name, strFromJs(name));
  setV(m, ModuleF.modId, strFromJs(modId));
  setV(m, ModuleF.srcPath, strFromJs(srcPath));
  setV(m, ModuleF.vars, allocVars(nVars, NONE));
  setI(m, ModuleF.unit, unitIndex);
  addPermanentRoot(m);
  return m;
}

/** Adds a verified unit to the VM; its imports are resolved by linkUnits. */
export function loadUnit(def: UnitDef): LoadedUnit {
  const index = units.length;
  const module = newModuleObject(def.name, def.modId, def.srcPath, def.topVars.length, index);
  const consts = def.consts.map((c) => (c.kind === 'string' ? allocString(c.value) : c.kind === 'int' ? mkIntBig(c.value) : mkFloat(c.value)));
  // The module keeps its constants alive (the TypeScript array is only a fast view).
  const ca = allocVArray(consts.length);
  consts.forEach((c, i) => setItem(ca, VArrayF.SIZE, i, c));
  setI(ca, VArrayF.len, consts.length);
  setV(module, ModuleF.consts, ca);
  const nameSyms = new Int32Array(def.consts.length).fill(-1);
  def.consts.forEach((c, i) => {
    if (c.kind === 'string') nameSyms[i] = sym(Buffer.from(c.value).toString('latin1'));
  });
  const topVarIndex = new Map<number, number>();
  def.topVars.forEach((n, i) => topVarIndex.set(sym(n), i));
  const unit: LoadedUnit = {
    index,
    def,
    name: def.name,
    modId: def.modId,
    srcPath: def.srcPath,
    consts,
    nameSyms,
    topVarIndex,
    topVarNames: def.topVars.slice(),
    codeIds: [],
    imports: [],
    module,
  };
  def.codes.forEach((c, i) => {
    unit.codeIds.push(codes.length);
    const inlineVars = i !== 0 && !definesFunctions(c.ops);
    const id = codes.length;
    const icWord = cacheWords(3 * c.ops.length);
    const constsWord = (addr(ca) + VArrayF.SIZE) >> 2;
    codes.push({
      id,
      def: c,
      ops: c.ops,
      unit,
      codeIndex: i,
      inlineVars,
      icWord,
      exactArgs: inlineVars && !c.varargs ? c.nParams : -1,
      frameBytes: frameBytes(c.maxStack, c.nVars),
      nVars: c.nVars,
      opsWord: heapCopy(c, nameSyms, [id, icWord, constsWord, inlineVars ? 1 : 0, c.ops.length]),
      constsWord,
    });
  });
  units.push(unit);
  moduleTable.set(def.modId, module);
  return unit;
}

/**
 * Copies (verified) instructions into a permanent Bytes object, never traced: the word
 * index of the first. The interpreter reads them there (LoadedCode.opsWord), with each
 * `name` operand already resolved from its constant index to the name's symbol, and each
 * jump's target made the heap word index of its instruction (the interpreter's ip). A
 * marker's target stays a pc: it is kept in the frame, like the pc of a suspended frame.
 * The words of `header` (CodeWord order) come first, the static failure table last.
 */
function heapCopy(c: CodeDef, nameSyms: Int32Array, header: readonly number[]): number {
  const ops = c.ops;
  const bytes = 4 * (CodeWord.SIZE + 3 * ops.length);
  const p = alloc(T.Bytes, BytesF.SIZE + bytes);
  setI(p, BytesF.len, bytes);
  addPermanentRoot(val(p));
  const w = ((p + BytesF.SIZE) >> 2) + CodeWord.SIZE;
  for (let k = 0; k < CodeWord.SIZE; k++) setWI(w - CodeWord.SIZE + k, header[k]);
  for (let pc = 0; pc < ops.length; pc += instrWords(ops[pc])) {
    const kinds = OPS[ops[pc]].operands;
    setWI(w + pc, ops[pc]);
    const jump = OPS[ops[pc]].flow === 'branch' || OPS[ops[pc]].flow === 'goto';
    for (let k = 0; k < kinds.length; k++) {
      const x = ops[pc + 1 + k];
      setWI(w + pc + 1 + k, kinds[k] === 'name' ? nameSyms[x] : kinds[k] === 'target' && jump ? w + x : x);
    }
  }
  // Verified ranges are disjoint and within the code; the rest of the table is zeroed.
  const ranges = c.failRanges;
  for (let k = 0; k < ranges.length; k += 4) {
    for (let pc = ranges[k]; pc < ranges[k + 1]; pc++) {
      setWI(w + ops.length + 2 * pc, ranges[k + 2] + 1);
      setWI(w + ops.length + 2 * pc + 1, ranges[k + 3]);
    }
  }
  return w;
}

/** A permanent VArray of n zero words, for inline caches: the word index of the first. */
function cacheWords(n: number): number {
  const a = allocVArray(n);
  setI(a, VArrayF.len, n);
  addPermanentRoot(a);
  return (addr(a) + VArrayF.SIZE) >> 2;
}

/** Does this (verified) code create closures? */
function definesFunctions(ops: Int32Array): boolean {
  for (let pc = 0; pc < ops.length; pc += instrWords(ops[pc])) if (ops[pc] === Op.FUNC_DEFN) return true;
  return false;
}

/**
 * Native modules other than Builtins, Exceptions and Sys are installed on first use, so a
 * program pays start-up time only for the modules it imports.
 */
const nativeInstallers = new Map<string, () => void>();

export function registerNativeModule(name: string, install: () => void): void {
  nativeInstallers.set(name, install);
}

/** Is `name` a module implemented in the VM (installed or not yet)? */
export function isNativeModuleName(name: string): boolean {
  return moduleTable.has(name) || nativeInstallers.has(name);
}

/** The module object with id `modId`, installing a native module on first use; NONE if unknown. */
export function findModule(modId: string): Value {
  const m = moduleTable.get(modId);
  if (m !== undefined) return m;
  const install = nativeInstallers.get(modId);
  if (install === undefined) return NONE;
  nativeInstallers.delete(modId);
  install();
  return moduleTable.get(modId) ?? NONE;
}

/**
 * Removes module `modId` from the module table (a native module not yet installed is
 * forgotten too). False if there was no such module.
 */
export function forgetModule(modId: string): boolean {
  const had = moduleTable.delete(modId);
  return nativeInstallers.delete(modId) || had;
}

/** Every module the VM knows, native modules included (installing those not yet used). */
export function allModules(): Value[] {
  for (const name of [...nativeInstallers.keys()]) findModule(name);
  return [...moduleTable.values()];
}

/**
 * Resolves a loaded unit's imports (and a package's entries) to module objects (NONE if
 * absent: Import_Exception when run).
 */
export function linkUnit(u: LoadedUnit): void {
  if (u.def === null) return;
  u.imports = u.def.imports.map((id) => findModule(id));
  u.def.packageEntries?.forEach((e, i) => setItem(getV(u.module, ModuleF.vars), VarsF.SIZE, i, findModule(e.modId)));
}

/** Links every loaded unit. */
export function linkUnits(): void {
  for (const u of units) linkUnit(u);
}

/** Defines a module implemented in the VM, already initialised, with the given definitions. */
export function defineNativeModule(name: string, defs: Record<string, Value>): Value {
  const index = units.length;
  const names = Object.keys(defs);
  const module = newModuleObject(name, name, '', names.length, index);
  const topVarIndex = new Map<number, number>();
  names.forEach((n, i) => {
    topVarIndex.set(sym(n), i);
    setItem(getV(module, ModuleF.vars), VarsF.SIZE, i, defs[n]);
  });
  setI(module, ModuleF.state, 2);
  units.push({ index, def: null, name, modId: name, srcPath: '', consts: [], nameSyms: new Int32Array(0), topVarIndex, topVarNames: names, codeIds: [], imports: [], module });
  moduleTable.set(name, module);
  return module;
}

/** Sets definition `name` of a native module (for definitions made after the module). */
export function setNativeDefn(module: Value, name: string, v: Value): void {
  const u = units[getI(module, ModuleF.unit)];
  const i = u.topVarIndex.get(sym(name));
  if (i === undefined) throw new Error(`internal error: ${u.name} has no definition ${name}`);
  setItem(getV(module, ModuleF.vars), VarsF.SIZE, i, v);
}

/**
 * IMPORT: returns 0 if `m` is ready (or being initialised: a cycle), else the frame of
 * its initialisation code, to run next with `caller` as its parent.
 */
export function importModule(m: Value, caller: number, mode: Mode = Mode.IMPORT): number {
  if (m === NONE) raise('Import_Exception', 'Unable to import module.');
  if (getI(m, ModuleF.state) !== 0) return 0;
  setI(m, ModuleF.state, 1);
  const u = units[getI(m, ModuleF.unit)];
  return frameForInit(m, codes[u.codeIds[0]], caller, mode);
}

/** True for a module whose initialisation has not started (a lookup through it starts it). */
export function needsInit(m: Value): boolean {
  return !isSmall(m) && typeId(m) === T.Module && getI(m, ModuleF.state) === 0;
}

/** `m::name` (spec §11.4): a module's definition, or the object's get_defn method. */
export function moduleLookup(m: Value, s: number): Value {
  if (isSmall(m) || typeId(m) !== T.Module) {
    const r = hooks.call(getSlot(m, sym('get_defn')), [strFromJs(symName(s))]);
    if (r === NONE) raise('VM_Exception', 'Function attempting to return fail, but caller can not handle failure.');
    return r;
  }
  const u = units[getI(m, ModuleF.unit)];
  const i = u.topVarIndex.get(s);
  if (i === undefined) raise('Mod_Defn_Exception', `No such definition '${symName(s)}' in '${u.name}'.`);
  const v = getItem(getV(m, ModuleF.vars), VarsF.SIZE, i);
  if (v === NONE) raise('Mod_Defn_Exception', `Definition '${symName(s)}' unassigned in '${u.name}'.`);
  return v;
}

export function unitOf(m: Value): LoadedUnit {
  return units[getI(m, ModuleF.unit)];
}

const S_NAME = sym('name');
const S_SRC_PATH = sym('src_path');
const S_MOD_ID = sym('mod_id');
const S_CONTAINER = sym('container');
setModulePseudo((o, t, s) => {
  if (t !== T.Module) return NONE;
  if (s === S_NAME) return getV(o, ModuleF.name);
  if (s === S_SRC_PATH) return getV(o, ModuleF.srcPath);
  if (s === S_MOD_ID) return getV(o, ModuleF.modId);
  if (s === S_CONTAINER) return K.null;
  return NONE;
});
