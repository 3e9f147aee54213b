// Stack markers (DESIGN D4): failure frames, generator frames and exception frames live
// on a frame's operand stack as small integers. This file pushes them and implements
// failure (spec/language.md Appendix A): a normal failure frame catches the failure; a
// fail-up frame resumes its newest generator, or passes the failure outwards.

import { T, FrameF } from '../rts/layout.js';
import { addr, getI, getW, getWI, setI, setW, typeId } from '../rts/ll.js';
import { NONE, small, smallOf, type Value } from '../rts/value.js';
import { FAILURE_MARKER_SLOTS, GEN_MARKER_SLOTS, EXCEPTION_MARKER_SLOTS } from './opcodes.js';
import { genNext } from '../builtins/gen.js';
import { failEntry } from './loaded.js';

export const FAIL_UP = -1;
/** Marker slot 2 of an alternation's generator marker (a call's holds the callee). */
export const EYIELD_TAG = small(0);

/** Start of the current segment: the first stack slot above the innermost marker. */
export function segStart(f: number): number {
  let s = 0;
  const ffp = getI(f, FrameF.ffp);
  const gfp = getI(f, FrameF.gfp);
  const xfp = getI(f, FrameF.xfp);
  if (ffp >= 0) s = ffp + FAILURE_MARKER_SLOTS;
  if (gfp >= 0 && gfp + GEN_MARKER_SLOTS > s) s = gfp + GEN_MARKER_SLOTS;
  if (xfp >= 0 && xfp + EXCEPTION_MARKER_SLOTS > s) s = xfp + EXCEPTION_MARKER_SLOTS;
  return s;
}

/** Copies the segment recorded in generator marker `g` above it; returns the new sp. */
export function copySegment(sb: number, g: number): number {
  const start = smallOf(getW(sb + g + 3));
  let sp = g + GEN_MARKER_SLOTS;
  for (let i = start; i < g; i++) setW(sb + sp++, getW(sb + i));
  return sp;
}

/** Pushes a generator marker at stack index `at` holding `callee`, resuming at `resumePc`. */
export function pushGenMarker(f: number, sb: number, at: number, seg: number, callee: Value, resumePc: number): void {
  setW(sb + at, small(resumePc));
  setW(sb + at + 1, small(getI(f, FrameF.gfp)));
  setW(sb + at + 2, callee);
  setW(sb + at + 3, small(seg));
  setI(f, FrameF.gfp, at);
}


/** Results of failNow besides a pc >= 0. */
export const FN_FUNC_FAILS = -1;
export const FN_RESUME_FRAME = -2;
/** failNow's other results: the stack pointer to continue with, and the frame to resume. */
export const failOut = { sp: 0, resume: 0 };

export function failNow(f: number, sb: number, pc: number): number {
  // A static failure range around pc is the innermost frame (it contains no markers).
  const e = failEntry(getI(f, FrameF.ops), pc);
  if (getWI(e) !== 0) {
    failOut.sp = getWI(e + 1);
    return getWI(e) - 1;
  }
  return failMarkers(f, sb);
}

/** failNow's rules for a pc outside every static failure range: the markers decide. */
export function failMarkers(f: number, sb: number): number {
  for (;;) {
    const ffp = getI(f, FrameF.ffp);
    if (ffp < 0) return FN_FUNC_FAILS;
    const target = smallOf(getW(sb + ffp));
    if (target !== FAIL_UP) {
      setI(f, FrameF.ffp, smallOf(getW(sb + ffp + 1)));
      setI(f, FrameF.gfp, smallOf(getW(sb + ffp + 2)));
      failOut.sp = ffp;
      return target;
    }
    const g = getI(f, FrameF.gfp);
    if (g < 0) {
      // No generator left under this fail-up frame: drop it and fail outwards.
      setI(f, FrameF.ffp, smallOf(getW(sb + ffp + 1)));
      setI(f, FrameF.gfp, smallOf(getW(sb + ffp + 2)));
      continue;
    }
    const resumePc = smallOf(getW(sb + g));
    const callee = getW(sb + g + 2);
    const prevGfp = smallOf(getW(sb + g + 1));
    if (callee === EYIELD_TAG) {
      setI(f, FrameF.gfp, prevGfp);
      failOut.sp = g;
      return resumePc;
    }
    if (callee === NONE) {
      setI(f, FrameF.gfp, prevGfp);
      continue;
    }
    if (typeId(callee) === T.GenState) {
      const v = genNext(callee);
      if (v === NONE) {
        setI(f, FrameF.gfp, prevGfp);
        continue;
      }
      const sp = copySegment(sb, g);
      setW(sb + sp, v);
      failOut.sp = sp + 1;
      return resumePc;
    }
    // A suspended Converge generator: resume it; its YIELD/RETURN comes back here.
    failOut.sp = g + GEN_MARKER_SLOTS;
    failOut.resume = addr(callee);
    return FN_RESUME_FRAME;
  }
}

