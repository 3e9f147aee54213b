// The collector (DESIGN D3): precise mark-sweep, run only at safepoints. Roots are the
// registered root scanners (frames, modules, constants, symbol and map tables) and the
// shadow stack, where TypeScript code keeps values across calls that may re-enter the
// interpreter. The sweeper rebuilds the free lists, coalescing neighbouring dead objects,
// and gives the space above the last live object back to the bump allocator.

import { I32 } from './heap.js';
import { FIXED_SIZE, PTR_FIELDS, T, TAIL_TRACED, FrameF, VArrayF } from './layout.js';
import { state, retireRegion, writeFree, openWindow, setGcWanted } from './alloc.js';
import type { Value } from './value.js';

// Marks live in a side bitmap, one bit per 8-byte granule of the heap (so one 32-bit
// word covers 256 bytes): the sweep then visits live objects and the gaps between them,
// never the dead objects one by one. Short-lived garbage (boxed floats, say) costs the
// collector next to nothing.
let bits = new Int32Array(1024);

// -- Shadow stack -------------------------------------------------------------

let shadow = new Int32Array(4096);
let shadowTop = 0;

/** Keeps `v` alive until `shadowPopTo` below its position. Returns the position. */
export function shadowPush(v: Value): number {
  if (shadowTop === shadow.length) {
    const n = new Int32Array(shadow.length * 2);
    n.set(shadow);
    shadow = n;
  }
  shadow[shadowTop] = v as unknown as number;
  return shadowTop++;
}

export function shadowGet(i: number): Value {
  return shadow[i] as unknown as Value;
}

export function shadowSet(i: number, v: Value): void {
  shadow[i] = v as unknown as number;
}

export function shadowMark(): number {
  return shadowTop;
}

export function shadowPopTo(mark: number): void {
  shadowTop = mark;
}

// -- Roots --------------------------------------------------------------------

export type Marker = (v: number) => void;
const rootScanners: ((mark: Marker) => void)[] = [];

/** Registers a function that reports roots to the collector. */
export function addRootScanner(f: (mark: Marker) => void): void {
  rootScanners.push(f);
}

/**
 * Functions run before each collection: caches of dead objects kept outside the heap's
 * free space (such as recycled frames) must forget them, since sweeping reclaims them.
 */
const collectHooks: (() => void)[] = [];
export function addCollectHook(f: () => void): void {
  collectHooks.push(f);
}

/** Values kept alive for the life of the VM (builtin classes, interned names...). */
const permanent: number[] = [];
export function addPermanentRoot(v: Value): void {
  permanent.push(v as unknown as number);
}

// -- Mark ---------------------------------------------------------------------

let stack = new Int32Array(1 << 16);
let sp = 0;

function push(v: number): void {
  if (v === 0 || (v & 1) === 1) return;
  const word = v >>> 8;
  const bit = 1 << ((v >>> 3) & 31);
  if ((bits[word] & bit) !== 0) return;
  bits[word] |= bit;
  if (sp === stack.length) {
    const n = new Int32Array(stack.length * 2);
    n.set(stack);
    stack = n;
  }
  stack[sp++] = v;
}

function scan(p: number): void {
  const h = I32[p >> 2];
  const type = h & 0x7f;
  const w = p >> 2;
  const fields = PTR_FIELDS[type];
  for (let i = 0; i < fields.length; i++) push(I32[w + fields[i]]);
  if (TAIL_TRACED[type] === 0) return;
  const start = w + (FIXED_SIZE[type] >> 2);
  let end: number;
  if (type === T.Frame) end = start + I32[(p + FrameF.nlocals) >> 2] + I32[(p + FrameF.sp) >> 2];
  else if (type === T.VArray) end = start + I32[(p + VArrayF.len) >> 2];
  else end = w + ((h >>> 8) << 1);
  for (let i = start; i < end; i++) push(I32[i]);
}

function markAll(): void {
  const words = (state.top >>> 8) + 1;
  if (bits.length < words) bits = new Int32Array(Math.max(words, bits.length * 2));
  else bits.fill(0, 0, words);
  for (const v of permanent) push(v);
  for (let i = 0; i < shadowTop; i++) push(shadow[i]);
  for (const f of rootScanners) f(push);
  while (sp > 0) scan(stack[--sp]);
}

// -- Sweep --------------------------------------------------------------------

export interface GcStats {
  collections: number;
  liveBytes: number;
  /** Bytes below the heap's top that the last sweep found free (dead or already free). */
  freedBytes: number;
  heapBytes: number;
}

export const gcStats: GcStats = { collections: 0, liveBytes: 0, freedBytes: 0, heapBytes: 0 };

/** Runs of free space smaller than this are left for a later collection to coalesce. */
const MIN_RUN = 64;

/**
 * Walks the mark bitmap in address order: each marked granule starts a live object, and
 * each gap between the end of one live object and the start of the next becomes free
 * space. The heap's top comes down to the end of the last live object.
 */
function sweep(): void {
  const runs: number[] = [];
  let live = 0;
  let freed = 0;
  const top = state.top;
  const words = (top >>> 8) + 1;
  let end = 8; // end of the last live object seen (offsets 0-7 are never used)
  for (let i = 0; i < words; i++) {
    let m = bits[i];
    while (m !== 0) {
      const b = 31 - Math.clz32(m & -m); // lowest set bit
      m &= m - 1;
      const p = (i << 8) + (b << 3);
      if (p >= top) break;
      if (p > end) {
        endRun(end, p - end, runs);
        freed += p - end;
      }
      const bytes = (I32[p >> 2] >>> 8) << 3;
      live += bytes;
      end = p + bytes;
    }
  }
  if (end < top) freed += top - end;
  state.top = end;
  state.runs = runs;
  state.runIndex = 0;
  state.cur = state.limit = state.end = state.windowStart = state.top;
  gcStats.liveBytes = live;
  gcStats.freedBytes = freed;
  gcStats.heapBytes = state.top;
}

function endRun(p: number, bytes: number, runs: number[]): void {
  writeFree(p, bytes);
  if (bytes >= MIN_RUN) runs.push(p, bytes);
}

/** Collect at every safepoint (--gc-stress): gcWanted then stays raised. */
let stress = false;

export function setGcStress(on: boolean): void {
  stress = on;
  if (on) setGcWanted(true);
}

/** Collects garbage. Only call at a safepoint: every live value must be reachable from roots. */
export function collect(): void {
  for (const h of collectHooks) h();
  retireRegion();
  markAll();
  sweep();
  gcStats.collections++;
  state.allocated = 0;
  setGcWanted(stress);
  // Grow the budget with the live size (the heap may reach three times the live data), so
  // marking work stays proportional to allocation.
  state.threshold = Math.max(8 * 1024 * 1024, 2 * gcStats.liveBytes);
  openWindow();
}
