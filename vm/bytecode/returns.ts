// Leaving frames: returning and yielding values to the caller according to the frame's
// mode, failing into the caller, and unwinding to the innermost exception frame.

import { FrameF, ModuleF } from '../rts/layout.js';
import { getI, getV, getW, getWI, setI, setW, setWI } from '../rts/ll.js';
import { NONE, smallOf, type Value } from '../rts/value.js';
import { EXC, ConvergeThrow, raise, mkException } from '../builtins/kernel.js';
import { instrWords } from './opcodes.js';
import { codeOf } from './loaded.js';
import { Mode, isHostMode, recycleFrame, stackBase } from './frames.js';
import { vs } from './state.js';
import { copySegment, failNow, failOut, FN_RESUME_FRAME } from './markers.js';

/** The module a module-initialisation frame initialises: its code's. */
function moduleOf(f: number): Value {
  return codeOf(f).unit.module;
}

/**
 * Leaves frame `f` with result `v` (NONE = failure) and prepares its caller. Returns the
 * frame to continue in, or 0 when `f` was called from TypeScript (run() then returns).
 */
export function returnFromFrame(f: number, v: Value): number {
  const mode = getI(f, FrameF.mode) & 15;
  const parent = getI(f, FrameF.parent);
  if (mode === Mode.NORMAL) return returnNormal(f, v, parent);
  if (mode === Mode.HOST || mode === Mode.HOST_GEN) {
    vs.hostYielded = false;
    return 0;
  }
  const psb = stackBase(parent);
  let psp = getI(parent, FrameF.sp);
  const ppc = getI(parent, FrameF.pc);
  const pcode = codeOf(parent);
  if (mode === Mode.IMPORT) {
    setI(moduleOf(f), ModuleF.state, 2);
    setW(psb + psp++, moduleOf(f));
    setI(parent, FrameF.sp, psp);
    setI(parent, FrameF.pc, ppc + instrWords(pcode.ops[ppc]));
    return parent;
  }
  if (mode === Mode.RETRY) {
    setI(moduleOf(f), ModuleF.state, 2);
    return parent;
  }
  if (mode === Mode.NEW) {
    // `C.new(...)`'s result, the new instance, is already on the caller's stack.
    if (v === NONE) raise('VM_Exception', 'Function attempting to return fail, but caller can not handle failure.');
    setI(parent, FrameF.pc, ppc + instrWords(pcode.ops[ppc]));
    recycleFrame(f);
    return parent;
  }
  // GEN: values go to the caller's innermost generator marker.
  const g = getI(parent, FrameF.gfp);
  if (v === NONE) {
    // The generator is exhausted without a value: drop its marker, fail in the caller.
    setI(parent, FrameF.gfp, smallOf(getW(psb + g + 1)));
    setI(parent, FrameF.sp, g);
    return failInCaller(parent);
  }
  // A returned value is the generator's last one: keep the marker, marked exhausted.
  setWI(psb + g + 2, 0);
  let sp = copySegment(psb, g);
  setW(psb + sp++, v);
  setI(parent, FrameF.sp, sp);
  setI(parent, FrameF.pc, smallOf(getW(psb + g)));
  return parent;
}

/**
 * Leaves a NORMAL frame: the result goes on the caller's stack (whose stack pointer was
 * set below the callee and arguments), the caller resumes after the call, whose length
 * the mode holds, and the frame is recycled.
 */
function returnNormal(f: number, v: Value, parent: number): number {
  if (v === NONE) return failInCaller(parent);
  const psp = getI(parent, FrameF.sp);
  setW(stackBase(parent) + psp, v);
  setI(parent, FrameF.sp, psp + 1);
  setI(parent, FrameF.pc, getI(parent, FrameF.pc) + (getI(f, FrameF.mode) >> 4));
  recycleFrame(f);
  return parent;
}

/** The caller of a frame that failed now fails itself. Returns the frame to continue in. */
function failInCaller(parent: number): number {
  const psb = stackBase(parent);
  const r = failNow(parent, psb, getI(parent, FrameF.pc));
  if (r >= 0) {
    setI(parent, FrameF.pc, r);
    setI(parent, FrameF.sp, failOut.sp);
    return parent;
  }
  if (r === FN_RESUME_FRAME) {
    setI(parent, FrameF.sp, failOut.sp);
    setI(failOut.resume, FrameF.parent, parent);
    return failOut.resume;
  }
  return returnFromFrame(parent, NONE);
}

/** YIELD: in generator mode the caller gets the value and f stays suspended. */
export function yieldFromFrame(f: number, v: Value): number {
  const mode = getI(f, FrameF.mode) & 15;
  if (mode === Mode.HOST_GEN) {
    vs.hostYielded = true;
    return 0;
  }
  if (mode !== Mode.GEN) return returnFromFrame(f, v);
  const parent = getI(f, FrameF.parent);
  const psb = stackBase(parent);
  const g = getI(parent, FrameF.gfp);
  let sp = copySegment(psb, g);
  setW(psb + sp++, v);
  setI(parent, FrameF.sp, sp);
  setI(parent, FrameF.pc, smallOf(getW(psb + g)));
  return parent;
}

/**
 * Unwinds from frame `f` to the innermost exception frame, returning the frame whose
 * handler runs next. Rethrows when the exception leaves `entry` (to the TypeScript caller).
 */
export function unwind(f: number, exc: Value, entry: number): number {
  for (;;) {
    const xfp = getI(f, FrameF.xfp);
    if (xfp >= 0) {
      const sb = stackBase(f);
      const handler = smallOf(getW(sb + xfp));
      setI(f, FrameF.ffp, smallOf(getW(sb + xfp + 1)));
      setI(f, FrameF.gfp, smallOf(getW(sb + xfp + 2)));
      setI(f, FrameF.xfp, smallOf(getW(sb + xfp + 3)));
      setW(sb + xfp, exc);
      setI(f, FrameF.sp, xfp + 1);
      setI(f, FrameF.pc, handler);
      return f;
    }
    if (f === entry || isHostMode(getI(f, FrameF.mode))) throw new ConvergeThrow(exc);
    const mode = getI(f, FrameF.mode) & 15;
    if (mode === Mode.IMPORT || mode === Mode.RETRY) setI(moduleOf(f), ModuleF.state, 2);
    f = getI(f, FrameF.parent);
  }
}

/** Turns host-level errors that a program can cause into Converge exceptions. */
export function asConvergeException(e: unknown): Value {
  if (e instanceof ConvergeThrow) return e.exc;
  if (e instanceof RangeError && /call stack/.test(e.message)) {
    return mkException(EXC.VM_Exception, 'Maximum recursion depth exceeded (in a builtin calling back into Converge).');
  }
  throw e;
}
