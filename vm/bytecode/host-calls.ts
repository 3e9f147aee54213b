// Calls from TypeScript into Converge code (the re-entrant path builtins use): a plain
// call, pumping a generator call, and calls wrapped as builtin generators (for apply).

import { T, FrameF, FuncF, ModuleF, PartialF, VArrayF } from '../rts/layout.js';
import { addr, getI, getItem, getV, getW, getWI, setI, setV, setW, setWI, typeId, val } from '../rts/ll.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { shadowMark, shadowPush, shadowPopTo, shadowGet as shadowGetV } from '../rts/gc.js';
import { builtins, checkCount, classOf, classPath, getSlot, raise, hooks } from '../builtins/kernel.js';
import { genNext } from '../builtins/gen.js';
import { setPumpGenerator } from '../builtins/types-data.js';
import { Mode, frameForCall } from './frames.js';
import { vs } from './state.js';
import { run } from './interp.js';
import { importModule } from './modules.js';

// -- Calls from TypeScript ------------------------------------------------------

/**
 * The function a callable stands for and its full argument list: a partial application
 * contributes its stored arguments first. Anything else that is not a Func cannot be
 * applied (spec/language.md §11.5).
 */
function resolveCallee(fn: Value, args: readonly Value[]): { fn: Value; args: readonly Value[] } {
  if (!isSmall(fn) && typeId(fn) === T.Partial) {
    const stored = getV(fn, PartialF.args);
    const n = getI(stored, VArrayF.len);
    const all: Value[] = [];
    for (let i = 0; i < n; i++) all.push(getItem(stored, VArrayF.SIZE, i));
    return resolveCallee(getV(fn, PartialF.func), all.concat(args));
  }
  if (isSmall(fn) || typeId(fn) !== T.Func) raise('Apply_Exception', `Do not know how to apply instance of '${classPath(classOf(fn))}'.`);
  return { fn, args };
}

/**
 * Calls any callable with `args` from TypeScript (re-entering the interpreter for
 * Converge functions). Returns the result, or NONE if the call failed.
 */
export function callValue(fn: Value, args: readonly Value[], builtinIndex = 0): Value {
  const callee = resolveCallee(fn, args);
  fn = callee.fn;
  const pre = callee.args;
  const code = getI(fn, FuncF.code);
  if (code < 0) return callBuiltin(-1 - code, pre.slice());
  const f = frameForCall(fn, pre, 0, 0, vs.curFrame, Mode.HOST | ((builtinIndex || vs.curBuiltin) << 4));
  return run(f);
}

/** Calls method `name` of `o` from TypeScript. */
export function callMethod(o: Value, name: number, args: readonly Value[]): Value {
  return callValue(getSlot(o, name), args);
}

/** Calls builtin `idx`; a generator gives only its first value here. */
export function callBuiltin(idx: number, args: Value[]): Value {
  const r = callBuiltinRaw(idx, args);
  if (builtins[idx].gen !== undefined && r !== NONE) return genNext(r);
  return r;
}


/**
 * Calls `fn(args)` as a generator from TypeScript, passing each value it produces to
 * `each` (spec: what a for loop would see). Builtin generators run natively.
 */
export function pumpGenerator(fn: Value, args: readonly Value[], each: (v: Value) => void): void {
  const callee = resolveCallee(fn, args);
  fn = callee.fn;
  const pre = callee.args;
  const codeId = getI(fn, FuncF.code);
  const mark = shadowMark();
  try {
    if (codeId < 0) {
      const idx = -1 - codeId;
      const def = builtins[idx];
      const r = callBuiltinRaw(idx, pre.slice());
      if (r === NONE) return;
      if (def.gen === undefined) return each(r);
      const p = shadowPush(r);
      for (let v = genNext(r); v !== NONE; v = genNext(shadowGetV(p))) each(v);
      return;
    }
    const f = frameForCall(fn, pre, 0, 0, vs.curFrame, Mode.HOST_GEN | (vs.curBuiltin << 4));
    shadowPush(val(f));
    for (;;) {
      const v = run(f);
      const yielded = vs.hostYielded;
      if (v !== NONE) each(v);
      if (!yielded) return;
    }
  } finally {
    shadowPopTo(mark);
  }
}

/** Calls builtin `idx` (for a generator: its start, giving the GenState). */
function callBuiltinRaw(idx: number, args: Value[]): Value {
  const def = builtins[idx];
  const saved = vs.curBuiltin;
  // The count is checked inside the builtin (its traceback entry shows), as upstream.
  vs.curBuiltin = idx + 1;
  try {
    checkCount(args, def.min, def.max);
    return def.fn(args);
  } finally {
    vs.curBuiltin = saved;
  }
}

// -- Calls as builtin generators -------------------------------------------------
// Func.apply and Partial_Application.apply are generators over whatever their callee
// produces (stdlib.md §1.4). A GenState of this kind wraps the call: a Converge callee as
// a suspended HOST_GEN frame (a), a builtin generator's own state (b), or a plain
// builtin's single result (c, with i = 1 until it has been produced).

import { defGen, newGen } from '../builtins/gen.js';
import { GenStateF as GS } from '../rts/layout.js';

export const GEN_CALL = defGen((g) => {
  const fr = getV(g, GS.a);
  if (fr !== NONE) {
    const f = addr(fr);
    setI(f, FrameF.parent, vs.curFrame);
    const v = run(f);
    if (!vs.hostYielded) setV(g, GS.a, NONE);
    return v;
  }
  const inner = getV(g, GS.b);
  if (inner !== NONE) return genNext(inner);
  if (getI(g, GS.i) === 1) {
    setI(g, GS.i, 0);
    return getV(g, GS.c);
  }
  return NONE;
});

/** Starts `fn(args)` as a generator (see GEN_CALL); NONE if it fails before producing anything. */
export function startCall(fn: Value, args: readonly Value[]): Value {
  const callee = resolveCallee(fn, args);
  fn = callee.fn;
  const pre = callee.args;
  const codeId = getI(fn, FuncF.code);
  if (codeId < 0) {
    const idx = -1 - codeId;
    const r = callBuiltinRaw(idx, pre.slice());
    if (r === NONE) return NONE;
    if (builtins[idx].gen !== undefined) return newGen(GEN_CALL, NONE, 0, 0, r);
    const g = newGen(GEN_CALL, NONE, 1);
    setV(g, GS.c, r);
    return g;
  }
  const f = frameForCall(fn, pre, 0, 0, vs.curFrame, Mode.HOST_GEN | (vs.curBuiltin << 4));
  return newGen(GEN_CALL, val(f));
}

/**
 * Runs a module's initialisation from TypeScript (VM::import_module). As with IMPORT, the
 * module counts as initialised once its top level ends, normally or by an exception.
 */
function importFromHost(m: Value): void {
  const f = importModule(m, vs.curFrame, Mode.HOST | (vs.curBuiltin << 4));
  if (f === 0) return;
  try {
    run(f);
  } finally {
    setI(m, ModuleF.state, 2);
  }
}

hooks.call = (fn, args) => callValue(fn, args);
hooks.importModule = importFromHost;
hooks.startCall = startCall;
hooks.genCall = GEN_CALL;
setPumpGenerator(pumpGenerator);
