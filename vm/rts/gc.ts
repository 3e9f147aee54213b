// The collector (DESIGN D3): precise mark-sweep, run only at safepoints. Roots are the
// registered root scanners (frames, modules, constants, symbol and map tables) and the
// shadow stack, where TypeScript code keeps values across calls that may re-enter the
// interpreter. The sweeper rebuilds the free lists, coalescing neighbouring dead objects,
// and gives the space above the last live object back to the bump allocator.

import { I32 } from './heap.js';
import { FIXED_SIZE, PTR_FIELDS, T, TAIL_TRACED, FrameF, VArrayF } from './layout.js';
import { state, retireRegion, writeFree } from './alloc.js';
import type { Value } from './value.js';

const MARK = 0x80;

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
  const h = I32[v >> 2];
  if ((h & MARK) !== 0) return;
  I32[v >> 2] = h | MARK;
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
  for (const v of permanent) push(v);
  for (let i = 0; i < shadowTop; i++) push(shadow[i]);
  for (const f of rootScanners) f(push);
  while (sp > 0) scan(stack[--sp]);
}

// -- Sweep --------------------------------------------------------------------

export interface GcStats {
  collections: number;
  liveBytes: number;
  freedBytes: number;
  heapBytes: number;
}

export const gcStats: GcStats = { collections: 0, liveBytes: 0, freedBytes: 0, heapBytes: 0 };

/** Runs of free space smaller than this are left for a later collection to coalesce. */
const MIN_RUN = 64;

function sweep(): void {
  const runs: number[] = [];
  let live = 0;
  let freed = 0;
  let p = 8;
  const top = state.top;
  let runStart = 0; // start of the current run of dead objects, or 0
  while (p < top) {
    const h = I32[p >> 2];
    const bytes = (h >>> 8) << 3;
    if ((h & MARK) !== 0) {
      I32[p >> 2] = h & ~MARK;
      live += bytes;
      if (runStart !== 0) {
        endRun(runStart, p - runStart, runs);
        runStart = 0;
      }
    } else {
      if ((h & 0x7f) !== T.Free) freed += bytes;
      if (runStart === 0) runStart = p;
    }
    p += bytes;
  }
  if (runStart !== 0) state.top = runStart;
  state.runs = runs;
  state.runIndex = 0;
  state.cur = state.limit = state.top;
  gcStats.liveBytes = live;
  gcStats.freedBytes = freed;
  gcStats.heapBytes = state.top;
}

function endRun(p: number, bytes: number, runs: number[]): void {
  writeFree(p, bytes);
  if (bytes >= MIN_RUN) runs.push(p, bytes);
}

/** Collects garbage. Only call at a safepoint: every live value must be reachable from roots. */
export function collect(): void {
  for (const h of collectHooks) h();
  retireRegion();
  markAll();
  sweep();
  gcStats.collections++;
  state.allocated = 0;
  state.gcWanted = false;
  // Grow the budget with the live size (the heap may reach three times the live data), so
  // marking work stays proportional to allocation.
  state.threshold = Math.max(8 * 1024 * 1024, 2 * gcStats.liveBytes);
}
