// Allocation (DESIGN D3): bump allocation inside free regions. The sweeper hands back the
// runs of free space it found (neighbouring dead objects coalesced), in address order;
// allocation bumps through the current run, moves to the next run that fits, and when
// none is left extends the heap's top in chunks. Allocation never collects: it only
// raises the collection-wanted word (GC_WANTED_WORD) once enough has been allocated, and
// the interpreter collects at its next safepoint. Every object comes back zeroed with its
// header written. Unused space always carries a Free header, so the heap can be walked
// object by object.
//
// The fast path checks one bound, `end`: the current run's limit, or earlier, where the
// bytes allocated since the last collection would pass the collection threshold. Bytes
// are counted when a window [windowStart, end) is closed, not at every allocation, so
// allocating a Float is a compare, two stores and the value's store.

import { I32, ensureHeap } from './heap.js';
import { T } from './layout.js';

/** Largest object: the header keeps the size in 24 bits of 8-byte units. */
export const MAX_OBJECT_BYTES = (1 << 24) * 8 - 8;

/** The heap grows by at least this much at a time. */
const CHUNK = 256 * 1024;

export class ObjectTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`object of ${bytes} bytes exceeds the largest object the VM supports (${MAX_OBJECT_BYTES} bytes)`);
  }
}

export const state = {
  /** First byte past the heap's last block. Offsets 0-7 are never used: 0 is never an object. */
  top: 8,
  /** The current allocation region [cur, limit). */
  cur: 8,
  limit: 8,
  /** The fast path's bound (<= limit); see openWindow. */
  end: 8,
  /** Bytes in [windowStart, cur) are allocated but not yet counted in `allocated`. */
  windowStart: 8,
  /** Free runs left by the last sweep: [start, bytes] pairs in address order, from runIndex on. */
  runs: [] as number[],
  runIndex: 0,
  /** Bytes allocated since the last collection, up to windowStart. */
  allocated: 0,
  /** Collect when `allocated` passes this. */
  threshold: 8 * 1024 * 1024,
};

/**
 * Heap word holding 1 when a collection is wanted (allocation passed the threshold, or
 * --gc-stress): in the heap's unused first 8 bytes, so that safepoints test it with one
 * load from a constant address rather than through an object.
 */
export const GC_WANTED_WORD = 1;

export function gcWanted(): boolean {
  return I32[GC_WANTED_WORD] !== 0;
}

export function setGcWanted(on: boolean): void {
  I32[GC_WANTED_WORD] = on ? 1 : 0;
}

export function headerOf(type: number, bytes: number): number {
  return type | ((bytes >>> 3) << 8);
}

export function typeOf(p: number): number {
  return I32[p >> 2] & 0x7f;
}

export function sizeOf(p: number): number {
  return (I32[p >> 2] >>> 8) << 3;
}

/** Marks [p, p + bytes) as free space (several blocks if it is huge). */
export function writeFree(p: number, bytes: number): void {
  while (bytes > 0) {
    const chunk = Math.min(bytes, MAX_OBJECT_BYTES);
    I32[p >> 2] = headerOf(T.Free, chunk);
    p += chunk;
    bytes -= chunk;
  }
}

/** Counts the bytes allocated in the current window. */
function closeWindow(): void {
  state.allocated += state.cur - state.windowStart;
  state.windowStart = state.cur;
}

/**
 * Starts a window at cur. It ends at the region's limit, or where allocation passes the
 * threshold (unless a collection is already wanted), so the fast path never needs to count.
 */
export function openWindow(): void {
  state.windowStart = state.cur;
  const budget = state.threshold - state.allocated;
  state.end = gcWanted() || budget >= state.limit - state.cur ? state.limit : state.cur + Math.max(budget, 0);
}

/** Asks for a collection at the next allocation (and so at the next safepoint after it). */
export function collectSoon(): void {
  closeWindow();
  state.threshold = 0;
  openWindow();
}

/** Closes the current region, leaving its unused tail walkable. */
export function retireRegion(): void {
  closeWindow();
  if (state.limit > state.cur) writeFree(state.cur, state.limit - state.cur);
  state.cur = state.windowStart = state.end = state.limit;
}

function refill(bytes: number): void {
  retireRegion();
  const runs = state.runs;
  while (state.runIndex < runs.length) {
    const start = runs[state.runIndex];
    const size = runs[state.runIndex + 1];
    state.runIndex += 2;
    if (size >= bytes) {
      state.cur = start;
      state.limit = start + size;
      return;
    }
  }
  // No free run fits: extend the top of the heap.
  if (bytes > MAX_OBJECT_BYTES) throw new ObjectTooLarge(bytes);
  const grow = Math.max(bytes, CHUNK);
  ensureHeap(state.top + grow);
  state.cur = state.top;
  state.limit = state.top + grow;
  state.top = state.limit;
}

/**
 * Allocates `bytes` (rounded up to 8) of type `type`, header written, zeroing only the
 * first `zeroBytes` bytes: for objects whose tail is written before it is ever read (a
 * frame's operand stack, which the collector traces only up to its stack pointer).
 */
export function allocPartlyZeroed(type: T, bytes: number, zeroBytes: number): number {
  bytes = (bytes + 7) & ~7;
  let p = state.cur;
  if (p + bytes > state.end) p = allocSlow(bytes);
  else state.cur = p + bytes;
  const w = p >> 2;
  I32[w] = headerOf(type, bytes);
  const end = w + (zeroBytes >> 2);
  for (let i = w + 1; i < end; i++) I32[i] = 0;
  return p;
}

/**
 * The window is over: counts it and the new object, raises gcWanted once past the
 * threshold, moves to a run with room if needed, and opens the next window.
 */
function allocSlow(bytes: number): number {
  closeWindow();
  state.allocated += bytes;
  if (state.allocated > state.threshold) setGcWanted(true);
  if (state.cur + bytes > state.limit) refill(bytes);
  const p = state.cur;
  state.cur = p + bytes;
  openWindow();
  return p;
}

/** Allocates `bytes` (rounded up to 8) of type `type`, zeroed, header written. */
export function alloc(type: T, bytes: number): number {
  bytes = (bytes + 7) & ~7;
  return allocPartlyZeroed(type, bytes, bytes);
}
