// Builtins::Exception (stdlib.md §1.13) and the constructors of the Exceptions module
// (stdlib.md §2): each class whose message is built from other arguments gets its own
// `init`. The VM raises these classes through kernel.raise(name, msg), which sets `msg`
// directly and never runs an init.

import { T, ClassF, ExceptionF, FuncF, GenStateF, ModuleF, VArrayF, VarsF } from '../rts/layout.js';
import { getV, getI, setI, getItem } from '../rts/ll.js';
import { NONE, smallOf, type Value } from '../rts/value.js';
import { addPermanentRoot, shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import { allocList, allocObject, intBig, listPush, mapInfo, mkInt, strFromJs, sym } from '../rts/objects.js';
import { Creator, ownField } from '../rts/classes.js';
import { unitOf } from '../bytecode/modules.js';
import { EXC, K, builtinFuncs, classOf, className, defMethods, getSlot, hooks, raise, type MethodImpl } from './kernel.js';
import { mkFunc, setSlot, toStrJs } from './operators.js';
import { defGen, newGen } from './gen.js';
import { chainOf } from '../bytecode/traceback.js';
import { codes, units } from '../bytecode/loaded.js';
import { Op, instrWords } from '../bytecode/opcodes.js';
import { VM_FAIL, absent, callInit, defTyped, intArg, isClass, isExc, isFunc, setCreator, strArg } from './types-common.js';

const S_MSG = sym('msg');
const S_PATH = sym('path');

function setMsg(e: Value, msg: string): Value {
  setSlot(e, S_MSG, strFromJs(msg));
  return K.null;
}

/** Sets msg of `e` from a text computed by Converge code (to_str, path), rooting `e` meanwhile. */
function setMsgAfter(e: Value, text: () => string): Value {
  const m = shadowMark();
  try {
    const p = shadowPush(e);
    const t = text();
    return setMsg(shadowGet(p), t);
  } finally {
    shadowPopTo(m);
  }
}

/** `o.path()` of a class (or anything with a path method), as a JS string. */
function pathOfClassLike(c: Value): string {
  const r = hooks.call(getSlot(c, S_PATH), []);
  if (r === NONE) raise('VM_Exception', VM_FAIL);
  return strArg(r);
}

function intText(v: Value): string {
  intArg(v);
  return intBig(v).toString();
}

// -- Call chains --------------------------------------------------------------------------

/** Per unit: the code indexes its initialisation code defines (top-level functions and methods). */
const topLevelCodes = new Map<number, Set<number>>();

function topLevelOf(unitIndex: number): Set<number> {
  let s = topLevelCodes.get(unitIndex);
  if (s !== undefined) return s;
  s = new Set();
  const u = units[unitIndex];
  if (u.codeIds.length > 0) {
    const ops = codes[u.codeIds[0]].ops;
    for (let pc = 0; pc < ops.length; pc += instrWords(ops[pc])) if (ops[pc] === Op.FUNC_DEFN) s.add(ops[pc + 1]);
  }
  topLevelCodes.set(unitIndex, s);
  return s;
}

const funcOfCode = new Map<number, Value>();

/** The Func for `codeId` that module `m` holds as a definition or as a field of one of its classes. */
function definedFunc(m: Value, codeId: number): Value {
  const vars = getV(m, ModuleF.vars);
  const n = unitOf(m).topVarNames.length;
  const isIt = (f: Value): boolean => isFunc(f) && getI(f, FuncF.code) === codeId;
  for (let i = 0; i < n; i++) {
    const v = getItem(vars, VarsF.SIZE, i);
    if (v === NONE) continue;
    if (isIt(v)) return v;
    if (isClass(v) && getV(v, ClassF.container) === m) {
      for (const s of mapInfo(getV(v, ClassF.fieldMap)).names) {
        const f = ownField(v, s);
        if (isIt(f)) return f;
      }
    }
  }
  return NONE;
}

/**
 * The Func reported for a bytecode frame. Frames record only their code, so the function
 * is looked up where module-level code put it (a definition, or a field of a class the
 * module defines); failing that, a function defined at module level is rebuilt from its
 * code and the module's variables, which is exactly what its definition closed over.
 * Module initialisation code and nested functions (whose closure is gone) report their
 * module.
 */
function funcForCode(codeId: number): Value {
  const cached = funcOfCode.get(codeId);
  if (cached !== undefined) return cached;
  const code = codes[codeId];
  const module = code.unit.module;
  if (code.codeIndex === 0 || !topLevelOf(code.unit.index).has(code.codeIndex)) return module;
  let f = definedFunc(module, codeId);
  if (f === NONE) f = mkFunc(codeId, getV(module, ModuleF.vars), module);
  addPermanentRoot(f);
  funcOfCode.set(codeId, f);
  return f;
}

/** iter_call_chain: a = the exception, i = next chain entry (innermost first). */
const GEN_CALL_CHAIN = defGen((g) => {
  const chain = chainOf(getV(g, GenStateF.a));
  const i = getI(g, GenStateF.i);
  if (i >= chain.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  const e = chain[i];
  const l = allocList(K.List, 2);
  if (e.builtin !== null) {
    listPush(l, builtinFuncs[builtinIndexOf(getV(g, GenStateF.a), i)]);
    listPush(l, K.null);
    return l;
  }
  listPush(l, funcForCode(e.codeId));
  const code = codes[e.codeId];
  const info = allocList(K.List, 3);
  listPush(info, strFromJs(code.unit.modId));
  listPush(info, mkInt(code.def.positions[2 * e.pc]));
  listPush(info, mkInt(code.def.positions[2 * e.pc + 1]));
  const infos = allocList(K.List, 1);
  listPush(infos, info);
  listPush(l, infos);
  return l;
});

/** The builtin index of chain entry `i`: chainOf gives only its path, the raw chain its index. */
function builtinIndexOf(exc: Value, i: number): number {
  // (code, pc) pairs of small ints; a builtin's code is -1 - its index (traceback.ts).
  return -1 - smallOf(getItem(getV(exc, ExceptionF.chain), VArrayF.SIZE, 2 * i));
}

// -- Constructors --------------------------------------------------------------------------

/** init methods of the Exceptions classes, by class name: [min, max, impl] (counting self). */
const INITS: Record<string, readonly [number, number, MethodImpl]> = {
  System_Exit_Exception: [2, 2, (a) => {
    setSlot(a[0], sym('code'), a[1]);
    return K.null;
  }],
  // Class paths come from the class's path method, which a metaclass may override.
  Apply_Exception: [2, 2, (a) => setMsgAfter(a[0], () => `Do not know how to apply instance of '${pathOfClassLike(classOf(a[1]))}'.`)],
  Bounds_Exception: [3, 3, (a) => {
    const idx = intText(a[1]);
    const upper = intText(a[2]);
    return setMsg(a[0], intBig(a[1]) < 0n ? `${idx} below lower bound 0.` : `${idx} exceeds upper bound ${upper}.`);
  }],
  Field_Exception: [3, 3, (a) => {
    const name = strArg(a[1]);
    return setMsgAfter(a[0], () => `No such field '${name}' in class '${pathOfClassLike(a[2])}'.`);
  }],
  Import_Exception: [2, 2, (a) => setMsg(a[0], `Unable to import '${strArg(a[1])}'.`)],
  Indices_Exception: [3, 3, (a) => setMsg(a[0], `Lower bound ${intText(a[1])} exceeds upper bound ${intText(a[2])}`)],
  Key_Exception: [2, 2, (a) => setMsgAfter(a[0], () => `Key '${toStrJs(a[1])}' not found.`)],
  Number_Exception: [2, 2, (a) => setMsgAfter(a[0], () => `Number '${toStrJs(a[1])}' not valid.`)],
  Slot_Exception: [3, 3, (a) => setMsg(a[0], `No such slot '${strArg(a[1])}' in instance of '${className(a[2])}'.`)],
  Type_Exception: [3, 4, (a) => {
    const should = strArg(a[1]);
    const where = absent(a[3]) ? '' : `'${strArg(a[3])}' `;
    return setMsgAfter(a[0], () => `Expected ${where}to be conformant to ${should}, but got instance of ${pathOfClassLike(classOf(a[2]))}.`);
  }],
  Unpack_Exception: [3, 3, (a) => setMsg(a[0], `Unpack of ${intText(a[1])} elements failed, as ${intText(a[2])} elements present`)],
};

export function installExceptions(): void {
  setCreator(Creator.Exception, (a) => callInit(allocObject(a[0], T.Exception), a.slice(1)));

  defMethods(K.Exception, 'Builtins::Exception', [
    ['init', 1, 2, (a) => {
      setSlot(a[0], S_MSG, a.length > 1 ? a[1] : strFromJs(''));
      return K.null;
    }],
  ]);
  defTyped(K.Exception, 'Builtins::Exception', isExc, 'Exception', [
    ['to_str', 1, 1, (a) => {
      const msg = strArg(getSlot(a[0], S_MSG));
      return strFromJs(`${className(a[0])}: ${msg}`);
    }],
    // Never raised: no chain, so no values (upstream crashes).
    ['iter_call_chain', 1, 1, (a) => newGen(GEN_CALL_CHAIN, a[0]), GEN_CALL_CHAIN],
  ]);

  for (const [name, [min, max, fn]] of Object.entries(INITS)) defMethods(EXC[name], `Exceptions::${name}`, [['init', min, max, fn]]);
}

