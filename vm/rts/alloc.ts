// Allocation (DESIGN D3): size-segregated free lists refilled by the sweeper, then bump
// allocation at the top of the heap. Allocation never collects: it only raises
// `gcWanted` once enough has been allocated, and the interpreter collects at its next
// safepoint. Every object comes back zeroed with its header written.

import { I32, ensureHeap } from './heap.js';
import { T } from './layout.js';

/** Objects up to this many bytes come from exact-size free lists. */
export const SMALL_LIMIT = 512;
const NCLASSES = SMALL_LIMIT >> 3;

/** Largest object: the header keeps the size in 24 bits of 8-byte units. */
export const MAX_OBJECT_BYTES = (1 << 24) * 8 - 8;

export class ObjectTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`object of ${bytes} bytes exceeds the largest object the VM supports (${MAX_OBJECT_BYTES} bytes)`);
  }
}

export const state = {
  /** First byte past the last object. Offsets 0-7 are never used, so 0 is never an object. */
  top: 8,
  /** Bytes allocated since the last collection. */
  allocated: 0,
  /** Collect when `allocated` passes this. */
  threshold: 8 * 1024 * 1024,
  gcWanted: false,
  /** Heads of the exact-size free lists, by size in 8-byte units. 0 = empty. */
  freeHeads: new Int32Array(NCLASSES + 1),
  /** Free blocks larger than SMALL_LIMIT: [ptr, bytes] pairs, first fit. */
  largeFree: [] as number[],
};

export function headerOf(type: number, bytes: number): number {
  return type | ((bytes >>> 3) << 8);
}

export function typeOf(p: number): number {
  return I32[p >> 2] & 0x7f;
}

export function sizeOf(p: number): number {
  return (I32[p >> 2] >>> 8) << 3;
}

function zero(p: number, bytes: number): void {
  const w = p >> 2;
  const end = w + (bytes >> 2);
  for (let i = w + 1; i < end; i++) I32[i] = 0;
}

/** Allocates `bytes` (rounded up to 8) of type `type`, zeroed, header written. */
export function alloc(type: T, bytes: number): number {
  bytes = (bytes + 7) & ~7;
  let p = 0;
  if (bytes <= SMALL_LIMIT) {
    const c = bytes >> 3;
    p = state.freeHeads[c];
    if (p !== 0) state.freeHeads[c] = I32[(p >> 2) + 1];
  } else if (state.largeFree.length > 0) {
    p = takeLarge(bytes);
  }
  if (p === 0) {
    if (bytes > MAX_OBJECT_BYTES) throw new ObjectTooLarge(bytes);
    p = state.top;
    ensureHeap(p + bytes);
    state.top = p + bytes;
  }
  I32[p >> 2] = headerOf(type, bytes);
  zero(p, bytes);
  state.allocated += bytes;
  if (state.allocated > state.threshold) state.gcWanted = true;
  return p;
}

function takeLarge(bytes: number): number {
  const l = state.largeFree;
  for (let i = 0; i < l.length; i += 2) {
    const p = l[i];
    const have = l[i + 1];
    if (have === bytes || have >= bytes + 8) {
      if (have === bytes) {
        l.splice(i, 2);
      } else {
        // Split: the tail stays free (as a properly-headed Free block so the heap stays walkable).
        const rest = p + bytes;
        const restBytes = have - bytes;
        I32[rest >> 2] = headerOf(T.Free, restBytes);
        if (restBytes <= SMALL_LIMIT) {
          l.splice(i, 2);
          pushFree(rest, restBytes);
        } else {
          l[i] = rest;
          l[i + 1] = restBytes;
        }
      }
      return p;
    }
  }
  return 0;
}

/** Puts a Free block (header already written) on the right free list. */
export function pushFree(p: number, bytes: number): void {
  if (bytes <= SMALL_LIMIT) {
    const c = bytes >> 3;
    I32[(p >> 2) + 1] = state.freeHeads[c];
    state.freeHeads[c] = p;
  } else {
    state.largeFree.push(p, bytes);
  }
}
