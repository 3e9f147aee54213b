// Leaving frames: returning and yielding values to the caller according to the frame's
// mode, failing into the caller, and unwinding to the innermost exception frame.

import { I32 } from '../rts/heap.js';
import { FrameF, ModuleF } from '../rts/layout.js';
import { getV, setI } from '../rts/ll.js';
import { NONE, smallOf, type Value } from '../rts/value.js';
import { EXC, ConvergeThrow, raise, mkException } from '../builtins/kernel.js';
import { instrWords } from './opcodes.js';
import { codes } from './loaded.js';
import { Mode, isHostMode, recycleFrame, stackBase } from './frames.js';
import { vs } from './state.js';
import { w, copySegment, failNow, failOut, FN_RESUME_FRAME } from './markers.js';

/**
 * Leaves frame `f` with result `v` (NONE = failure) and prepares its caller. Returns the
 * frame to continue in, or 0 when `f` was called from TypeScript (run() then returns).
 */
export function returnFromFrame(f: number, v: Value): number {
  const mode = I32[w(f, FrameF.mode)] & 15;
  const parent = I32[w(f, FrameF.parent)];
  if (mode === Mode.HOST || mode === Mode.HOST_GEN) {
    vs.hostYielded = false;
    return 0;
  }
  const psb = stackBase(parent);
  let psp = I32[w(parent, FrameF.sp)];
  const ppc = I32[w(parent, FrameF.pc)];
  const pcode = codes[I32[w(parent, FrameF.code)]];
  if (mode === Mode.IMPORT) {
    setI(getV(f, FrameF.module), ModuleF.state, 2);
    I32[psb + psp++] = getV(f, FrameF.module) as unknown as number;
    I32[w(parent, FrameF.sp)] = psp;
    I32[w(parent, FrameF.pc)] = ppc + instrWords(pcode.ops[ppc]);
    return parent;
  }
  if (mode === Mode.RETRY) {
    setI(getV(f, FrameF.module), ModuleF.state, 2);
    return parent;
  }
  if (mode === Mode.NEW) {
    if (v === NONE) raise('VM_Exception', 'Function attempting to return fail, but caller can not handle failure.');
    I32[psb + psp++] = I32[w(f, FrameF.result)];
    I32[w(parent, FrameF.sp)] = psp;
    I32[w(parent, FrameF.pc)] = ppc + instrWords(pcode.ops[ppc]);
    recycleFrame(f);
    return parent;
  }
  if (mode === Mode.GEN) {
    const g = I32[w(parent, FrameF.gfp)];
    if (v === NONE) {
      // The generator is exhausted without a value: drop its marker, fail in the caller.
      I32[w(parent, FrameF.gfp)] = smallOf(I32[psb + g + 1] as unknown as Value);
      I32[w(parent, FrameF.sp)] = g;
      return failInCaller(parent);
    }
    // A returned value is the generator's last one: keep the marker, marked exhausted.
    I32[psb + g + 2] = 0;
    let sp = copySegment(psb, g);
    I32[psb + sp++] = v as unknown as number;
    I32[w(parent, FrameF.sp)] = sp;
    I32[w(parent, FrameF.pc)] = smallOf(I32[psb + g] as unknown as Value);
    return parent;
  }
  // NORMAL: the caller's stack pointer was set below the callee and arguments.
  if (v === NONE) return failInCaller(parent);
  I32[psb + psp++] = v as unknown as number;
  I32[w(parent, FrameF.sp)] = psp;
  I32[w(parent, FrameF.pc)] = ppc + instrWords(pcode.ops[ppc]);
  recycleFrame(f);
  return parent;
}

/** The caller of a frame that failed now fails itself. Returns the frame to continue in. */
function failInCaller(parent: number): number {
  const psb = stackBase(parent);
  const r = failNow(parent, psb, I32[w(parent, FrameF.pc)]);
  if (r >= 0) {
    I32[w(parent, FrameF.pc)] = r;
    I32[w(parent, FrameF.sp)] = failOut.sp;
    return parent;
  }
  if (r === FN_RESUME_FRAME) {
    I32[w(parent, FrameF.sp)] = failOut.sp;
    I32[w(failOut.resume, FrameF.parent)] = parent;
    return failOut.resume;
  }
  return returnFromFrame(parent, NONE);
}

/** YIELD: in generator mode the caller gets the value and f stays suspended. */
export function yieldFromFrame(f: number, v: Value): number {
  const mode = I32[w(f, FrameF.mode)] & 15;
  if (mode === Mode.HOST_GEN) {
    vs.hostYielded = true;
    return 0;
  }
  if (mode !== Mode.GEN) return returnFromFrame(f, v);
  const parent = I32[w(f, FrameF.parent)];
  const psb = stackBase(parent);
  const g = I32[w(parent, FrameF.gfp)];
  let sp = copySegment(psb, g);
  I32[psb + sp++] = v as unknown as number;
  I32[w(parent, FrameF.sp)] = sp;
  I32[w(parent, FrameF.pc)] = smallOf(I32[psb + g] as unknown as Value);
  return parent;
}

/**
 * Unwinds from frame `f` to the innermost exception frame, returning the frame whose
 * handler runs next. Rethrows when the exception leaves `entry` (to the TypeScript caller).
 */
export function unwind(f: number, exc: Value, entry: number): number {
  for (;;) {
    const xfp = I32[w(f, FrameF.xfp)];
    if (xfp >= 0) {
      const sb = stackBase(f);
      const handler = smallOf(I32[sb + xfp] as unknown as Value);
      I32[w(f, FrameF.ffp)] = smallOf(I32[sb + xfp + 1] as unknown as Value);
      I32[w(f, FrameF.gfp)] = smallOf(I32[sb + xfp + 2] as unknown as Value);
      I32[w(f, FrameF.xfp)] = smallOf(I32[sb + xfp + 3] as unknown as Value);
      I32[sb + xfp] = exc as unknown as number;
      I32[w(f, FrameF.sp)] = xfp + 1;
      I32[w(f, FrameF.pc)] = handler;
      return f;
    }
    if (f === entry || isHostMode(I32[w(f, FrameF.mode)])) throw new ConvergeThrow(exc);
    const mode = I32[w(f, FrameF.mode)] & 15;
    if (mode === Mode.IMPORT || mode === Mode.RETRY) setI(getV(f, FrameF.module), ModuleF.state, 2);
    f = I32[w(f, FrameF.parent)];
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
