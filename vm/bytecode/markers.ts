// Stack markers (DESIGN D4): failure frames, generator frames and exception frames live
// on a frame's operand stack as small integers. This file pushes them and implements
// failure (spec/language.md Appendix A): a normal failure frame catches the failure; a
// fail-up frame resumes its newest generator, or passes the failure outwards.

import { I32 } from '../rts/heap.js';
import { T, FrameF } from '../rts/layout.js';
import { typeId } from '../rts/ll.js';
import { NONE, small, smallOf, type Value } from '../rts/value.js';
import { FAILURE_MARKER_SLOTS, GEN_MARKER_SLOTS, EXCEPTION_MARKER_SLOTS } from './opcodes.js';
import { genNext } from '../builtins/gen.js';
import { codes } from './loaded.js';

export const FAIL_UP = -1;
/** Marker slot 2 of an alternation's generator marker (a call's holds the callee). */
export const EYIELD_TAG = small(0);

export function w(f: number, off: number): number {
  return (f + off) >> 2;
}

/** Start of the current segment: the first stack slot above the innermost marker. */
export function segStart(f: number): number {
  let s = 0;
  const ffp = I32[w(f, FrameF.ffp)];
  const gfp = I32[w(f, FrameF.gfp)];
  const xfp = I32[w(f, FrameF.xfp)];
  if (ffp >= 0) s = ffp + FAILURE_MARKER_SLOTS;
  if (gfp >= 0 && gfp + GEN_MARKER_SLOTS > s) s = gfp + GEN_MARKER_SLOTS;
  if (xfp >= 0 && xfp + EXCEPTION_MARKER_SLOTS > s) s = xfp + EXCEPTION_MARKER_SLOTS;
  return s;
}

/** Copies the segment recorded in generator marker `g` above it; returns the new sp. */
export function copySegment(sb: number, g: number): number {
  const start = smallOf(I32[sb + g + 3] as unknown as Value);
  let sp = g + GEN_MARKER_SLOTS;
  for (let i = start; i < g; i++) I32[sb + sp++] = I32[sb + i];
  return sp;
}

/** Pushes a generator marker at stack index `at` holding `callee`, resuming at `resumePc`. */
export function pushGenMarker(f: number, sb: number, at: number, seg: number, callee: number, resumePc: number): void {
  I32[sb + at] = (resumePc << 1) | 1;
  I32[sb + at + 1] = (I32[w(f, FrameF.gfp)] << 1) | 1;
  I32[sb + at + 2] = callee;
  I32[sb + at + 3] = (seg << 1) | 1;
  I32[w(f, FrameF.gfp)] = at;
}


/** Results of failNow besides a pc >= 0. */
export const FN_FUNC_FAILS = -1;
export const FN_RESUME_FRAME = -2;
/** failNow's other results: the stack pointer to continue with, and the frame to resume. */
export const failOut = { sp: 0, resume: 0 };

export function failNow(f: number, sb: number, pc: number): number {
  // A static failure range around pc is the innermost frame (it contains no markers).
  const ranges = codes[I32[w(f, FrameF.code)]].def.failRanges;
  if (ranges.length > 0) {
    let lo = 0;
    let hi = (ranges.length >> 2) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = mid << 2;
      if (pc < ranges[k]) hi = mid - 1;
      else if (pc >= ranges[k + 1]) lo = mid + 1;
      else {
        failOut.sp = ranges[k + 3];
        return ranges[k + 2];
      }
    }
  }
  for (;;) {
    const ffp = I32[w(f, FrameF.ffp)];
    if (ffp < 0) return FN_FUNC_FAILS;
    const target = smallOf(I32[sb + ffp] as unknown as Value);
    if (target !== FAIL_UP) {
      I32[w(f, FrameF.ffp)] = smallOf(I32[sb + ffp + 1] as unknown as Value);
      I32[w(f, FrameF.gfp)] = smallOf(I32[sb + ffp + 2] as unknown as Value);
      failOut.sp = ffp;
      return target;
    }
    const g = I32[w(f, FrameF.gfp)];
    if (g < 0) {
      // No generator left under this fail-up frame: drop it and fail outwards.
      I32[w(f, FrameF.ffp)] = smallOf(I32[sb + ffp + 1] as unknown as Value);
      I32[w(f, FrameF.gfp)] = smallOf(I32[sb + ffp + 2] as unknown as Value);
      continue;
    }
    const resumePc = smallOf(I32[sb + g] as unknown as Value);
    const callee = I32[sb + g + 2];
    const prevGfp = smallOf(I32[sb + g + 1] as unknown as Value);
    if (callee === (EYIELD_TAG as unknown as number)) {
      I32[w(f, FrameF.gfp)] = prevGfp;
      failOut.sp = g;
      return resumePc;
    }
    if (callee === 0) {
      I32[w(f, FrameF.gfp)] = prevGfp;
      continue;
    }
    if (typeId(callee) === T.GenState) {
      const v = genNext(callee as unknown as Value);
      if (v === NONE) {
        I32[w(f, FrameF.gfp)] = prevGfp;
        continue;
      }
      const sp = copySegment(sb, g);
      I32[sb + sp] = v as unknown as number;
      failOut.sp = sp + 1;
      return resumePc;
    }
    // A suspended Converge generator: resume it; its YIELD/RETURN comes back here.
    failOut.sp = g + GEN_MARKER_SLOTS;
    failOut.resume = callee;
    return FN_RESUME_FRAME;
  }
}

