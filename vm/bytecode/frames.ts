// Frames (DESIGN D4): heap objects linked to their caller, each with a fixed-size operand
// stack sized by the compiler's static maximum. Stack markers (failure, generator and
// exception frames) live on that stack as small integers; ffp/gfp/xfp index the
// innermost of each kind (-1 = none). The header (vm/rts/schema.ts) is only what the
// interpreter cannot get from elsewhere: caller, variables (or closure), pc, sp, the
// three marker indexes, mode, code (its instructions' heap word index, see CodeWord),
// call depth and the number of inline locals.

import { alloc, allocPartlyZeroed } from '../rts/alloc.js';
import { addCollectHook } from '../rts/gc.js';
import { T, FrameF, VarsF, FuncF, ModuleF } from '../rts/layout.js';
import { addr, getI, getV, getW, getWI, setI, setItem, setV, setW, setWI, val } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { allocList, listPush } from '../rts/objects.js';
import { K, raise } from '../builtins/kernel.js';
import { codes, type LoadedCode } from './loaded.js';

/** How a frame's result is delivered when it returns (Frame.mode, low 4 bits). */
export const enum Mode {
  /**
   * Pushed on the caller's stack (or the caller fails). Bits 4+: the length of the
   * calling instruction, so that returning need not decode the caller's code.
   */
  NORMAL = 0,
  /** Called as a generator: values go to the caller's innermost generator marker. */
  GEN = 1,
  /** Called from TypeScript (a builtin): run() returns the value. Bits 4+: builtin index + 1. */
  HOST = 2,
  /** A module's initialisation: the caller gets the module object. */
  IMPORT = 3,
  /** Pumped as a generator from TypeScript: run() returns at each YIELD too. */
  HOST_GEN = 4,
  /** An `init` run by `C.new`: the caller gets the new instance, already on its stack. */
  NEW = 5,
  /** A module initialisation started by `M::x`: the caller then re-runs that lookup. */
  RETRY = 6,
}

/** The mode of a NORMAL call made by an instruction of `callWords` words. */
export function normalMode(callWords: number): number {
  return Mode.NORMAL | (callWords << 4);
}

export function isHostMode(mode: number): boolean {
  const m = mode & 15;
  return m === Mode.HOST || m === Mode.HOST_GEN;
}

/** Deepest Converge call nesting before VM_Exception (the stack is on the heap, so this is a policy). */
export const MAX_DEPTH = 100000;

export function allocVars(n: number, parent: Value): Value {
  const v = val(alloc(T.Vars, VarsF.SIZE + 4 * n));
  setV(v, VarsF.parent, parent);
  setI(v, VarsF.n, n);
  return v;
}

/** The heap word index of frame `f`'s operand stack (after its inline locals). */
export function stackBase(f: number): number {
  return ((f + FrameF.SIZE) >> 2) + getI(f, FrameF.nlocals);
}

/**
 * Allocates a frame for `code` whose caller is `parent` (0 for none), with `nlocals`
 * inline variables (zeroed: unassigned) before its operand stack (not zeroed: the stack
 * is written before it is read, and traced only up to sp).
 */
export function allocFrame(code: LoadedCode, vars: Value, parent: number, mode: number, nlocals = 0): number {
  // Every header field is written here, so only the locals need zeroing.
  const f = takeFrame(frameBytes(code.def.maxStack, nlocals));
  const w = f >> 2;
  const lb = w + (FrameF.SIZE >> 2);
  for (let i = 0; i < nlocals; i++) setWI(lb + i, 0);
  writeHeader(w, code.opsWord, vars, parent, mode, nlocals);
  return f;
}

/** Bytes of a frame with `nlocals` inline variables and an operand stack of `maxStack`. */
export function frameBytes(maxStack: number, nlocals: number): number {
  return (FrameF.SIZE + 4 * (nlocals + Math.max(1, maxStack)) + 7) & ~7;
}

function writeHeader(w: number, ops: number, vars: Value, parent: number, mode: number, nlocals: number): void {
  setWI(w + (FrameF.nlocals >> 2), nlocals);
  setWI(w + (FrameF.parent >> 2), parent);
  setW(w + (FrameF.vars >> 2), vars);
  setWI(w + (FrameF.pc >> 2), 0);
  setWI(w + (FrameF.sp >> 2), 0);
  setWI(w + (FrameF.ffp >> 2), -1);
  setWI(w + (FrameF.gfp >> 2), -1);
  setWI(w + (FrameF.xfp >> 2), -1);
  setWI(w + (FrameF.mode >> 2), mode);
  setWI(w + (FrameF.ops >> 2), ops);
  const depth = parent === 0 ? 0 : getI(parent, FrameF.depth) + 1;
  setWI(w + (FrameF.depth >> 2), depth);
  if (depth > MAX_DEPTH) raise('VM_Exception', `Maximum recursion depth (${MAX_DEPTH}) exceeded.`);
}

/**
 * The common call, kept apart from frameForCode's general binding rules: a call of a
 * function with inline variables and exactly `code.exactArgs` arguments, which are the
 * words at heap word index `src`, delivering its result as `mode` says (NORMAL or NEW).
 */
export function enterFrame(code: LoadedCode, closure: Value, src: number, parent: number, mode: number): number {
  const f = takeFrame(code.frameBytes);
  const w = f >> 2;
  const lb = w + (FrameF.SIZE >> 2);
  const np = code.exactArgs;
  const nv = code.nVars;
  // Most functions take few arguments: copying them without a loop is measurably faster.
  if (np <= 3) {
    if (np > 0) setWI(lb, getWI(src));
    if (np > 1) setWI(lb + 1, getWI(src + 1));
    if (np > 2) setWI(lb + 2, getWI(src + 2));
  } else for (let i = 0; i < np; i++) setWI(lb + i, getWI(src + i));
  for (let i = np; i < nv; i++) setWI(lb + i, 0);
  writeHeader(w, code.opsWord, closure, parent, mode, nv);
  return f;
}

/**
 * Frames that returned normally are dead (nothing refers to a frame but its callees,
 * generator markers and the host, none of which exist for a NORMAL or NEW call), so they
 * are kept for reuse by size, linked through their parent field: a call then costs no
 * allocation and touches memory that is still in the cache. The lists are dropped before
 * each collection, which reclaims those frames as garbage.
 */
const RECYCLE_LIMIT = 1024;
const recycled = new Int32Array(RECYCLE_LIMIT >> 3);
addCollectHook(() => recycled.fill(0));

/** A frame of `bytes` bytes (header and stack not zeroed): a recycled one if there is one. */
function takeFrame(bytes: number): number {
  const f = bytes < RECYCLE_LIMIT ? recycled[bytes >> 3] : 0;
  if (f === 0) return allocPartlyZeroed(T.Frame, bytes, 0);
  recycled[bytes >> 3] = getI(f, FrameF.parent);
  return f;
}

export function recycleFrame(f: number): void {
  const bytes = (getWI(f >> 2) >>> 8) << 3;
  if (bytes >= RECYCLE_LIMIT) return;
  setI(f, FrameF.parent, recycled[bytes >> 3]);
  recycled[bytes >> 3] = f;
}

/**
 * Creates the frame for calling Converge function `func` with arguments `pre` followed
 * by the `n` words at heap word index `src`. Checks the argument count (spec §12.2).
 */
export function frameForCall(func: Value, pre: readonly Value[], src: number, n: number, parent: number, mode: number): number {
  return frameForCode(codes[getI(func, FuncF.code)], func, pre, src, n, parent, mode);
}

/** As frameForCall, for a function whose code is already known. */
export function frameForCode(code: LoadedCode, func: Value, pre: readonly Value[], src: number, n: number, parent: number, mode: number): number {
  const def = code.def;
  const total = pre.length + n;
  const np = def.nParams;
  if (total > np && !def.varargs) raise('Parameters_Exception', `Too many parameters (${total} passed, but a maximum of ${np} allowed).`);
  let f = 0;
  let vb: number;
  if (code.inlineVars) {
    // Frame.vars then holds the closure: the environment LOAD_OUTER starts from.
    f = allocFrame(code, getV(func, FuncF.closure), parent, mode, def.nVars);
    vb = (f + FrameF.SIZE) >> 2;
  } else {
    const vars = allocVars(def.nVars, getV(func, FuncF.closure));
    vb = (VarsF.SIZE >> 2) + (addr(vars) >> 2);
    f = allocFrame(code, vars, parent, mode);
  }
  let i = 0;
  for (; i < pre.length && i < np; i++) setW(vb + i, pre[i]);
  for (let k = 0; i < np && k < n; i++, k++) setWI(vb + i, getWI(src + k));
  if (total < np) {
    for (let j = total; j < np; j++) {
      if (def.defaults[j] === 0) raise('Parameters_Exception', `No value passed for parameter ${j + 1}.`);
    }
  }
  if (def.varargs) {
    const rest = allocList(K.List, Math.max(0, total - np));
    for (let j = np; j < total; j++) listPush(rest, j < pre.length ? pre[j] : (getW(src + j - pre.length)));
    setW(vb + np, rest);
  }
  return f;
}

/** The module's init frame (its variables are the module's top-level variables). */
export function frameForInit(module: Value, initCode: LoadedCode, parent: number, mode: number): number {
  return allocFrame(initCode, getV(module, ModuleF.vars), parent, mode);
}
