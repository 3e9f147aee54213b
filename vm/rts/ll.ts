// The low-level operations API ("ll", DESIGN D5). Interpreter code and the builtins that
// traces may enter read and write heap objects only through these functions, by field
// offset from vm/rts/layout.ts. The plain build binds them to direct typed-array access
// (V8 inlines them); the recording build (vm/jit) will bind the same names to versions
// that also append trace operations.

import { I32, F64, U8 } from './heap.js';
import type { Value } from './value.js';

/** Reads a value field. */
export function getV(p: Value | number, off: number): Value {
  return I32[((p as unknown as number) + off) >> 2] as unknown as Value;
}

/** Writes a value field. */
export function setV(p: Value | number, off: number, v: Value): void {
  I32[((p as unknown as number) + off) >> 2] = v as unknown as number;
}

/** Reads a raw 32-bit field. */
export function getI(p: Value | number, off: number): number {
  return I32[((p as unknown as number) + off) >> 2];
}

/** Writes a raw 32-bit field. */
export function setI(p: Value | number, off: number, n: number): void {
  I32[((p as unknown as number) + off) >> 2] = n;
}

export function getF(p: Value | number, off: number): number {
  return F64[((p as unknown as number) + off) >> 3];
}

export function setF(p: Value | number, off: number, x: number): void {
  F64[((p as unknown as number) + off) >> 3] = x;
}

/** Reads value number `i` of a value tail starting at byte offset `base`. */
export function getItem(p: Value | number, base: number, i: number): Value {
  return I32[(((p as unknown as number) + base) >> 2) + i] as unknown as Value;
}

export function setItem(p: Value | number, base: number, i: number, v: Value): void {
  I32[(((p as unknown as number) + base) >> 2) + i] = v as unknown as number;
}

export function getByte(p: Value | number, base: number, i: number): number {
  return U8[(p as unknown as number) + base + i];
}

export function setByte(p: Value | number, base: number, i: number, b: number): void {
  U8[(p as unknown as number) + base + i] = b;
}

/** The type id of an object (bits 0-6 of its header). */
export function typeId(p: Value | number): number {
  return I32[(p as unknown as number) >> 2] & 0x7f;
}

/** The byte size of an object, from its header. */
export function objBytes(p: Value | number): number {
  return (I32[(p as unknown as number) >> 2] >>> 8) << 3;
}

/**
 * Heap word `i`, as a value or as a raw word. Frame operand stacks are addressed by word
 * index (a frame's stack base plus a slot), as they are in native frames.
 */
export function getW(i: number): Value {
  return I32[i] as unknown as Value;
}

export function setW(i: number, v: Value): void {
  I32[i] = v as unknown as number;
}

export function getWI(i: number): number {
  return I32[i];
}

export function setWI(i: number, n: number): void {
  I32[i] = n;
}

/** Address arithmetic is only for ll clients that manage raw words (the frame stack). */
export function addr(p: Value): number {
  return p as unknown as number;
}

export function val(n: number): Value {
  return n as unknown as Value;
}
