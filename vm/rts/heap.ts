// The VM heap (DESIGN D2): one contiguous region viewed as typed arrays. With the FFI
// it is a 4 GiB MAP_NORESERVE reservation (pages are committed as they are touched) whose
// base address native code can use; without it, a resizable ArrayBuffer that grows in
// place. The views are bound once, at module level, so V8 bakes in their address.
//
// CONVERGE_HEAP=arraybuffer forces the fallback (used by tests); CONVERGE_HEAP_MAX sets
// the limit in MiB (default and maximum 2047). Exceeding the limit is a HeapExhausted error, reported
// to the user as such.

import { createRequire } from 'node:module';

const RESERVE = 4 * 1024 * 1024 * 1024;
const INITIAL = 64 * 1024 * 1024;

export class HeapExhausted extends Error {
  constructor(readonly wanted: number, readonly limit: number) {
    super(`heap exhausted: the VM heap limit is ${Math.round(limit / (1024 * 1024))} MiB (set CONVERGE_HEAP_MAX, in MiB, to raise it)`);
  }
}

interface Region {
  buffer: ArrayBuffer;
  base: bigint; // address of byte 0, or 0n without the FFI
  kind: 'mmap' | 'arraybuffer';
  grow(bytes: number): void;
}

/**
 * Heap offsets are 32-bit words turned into indexes with signed shifts (`p >> 2`), and a
 * pointer is a Value word: an object must start below 2^31. Larger limits are capped.
 */
const MAX_LIMIT = 2 ** 31 - 8;

function envLimit(): number {
  const s = process.env.CONVERGE_HEAP_MAX;
  const mib = s ? Number(s) : 2047;
  if (!Number.isFinite(mib) || mib < 16) return 2047 * 1024 * 1024;
  return Math.min(mib * 1024 * 1024, MAX_LIMIT, RESERVE - 8);
}

function mmapRegion(): Region | null {
  if (process.env.CONVERGE_HEAP === 'arraybuffer') return null;
  if (process.arch !== 'x64' || process.platform !== 'linux') return null;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi');
    const libc = koffi.load('libc.so.6');
    const mmap = libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, intptr_t off)');
    const PROT_READ_WRITE = 3, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    const p = mmap(null, RESERVE, PROT_READ_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    const base = BigInt(koffi.address(p));
    if (base === 0n || base === 0xffffffffffffffffn) return null;
    const buffer: ArrayBuffer = koffi.view(p, RESERVE);
    return { buffer, base, kind: 'mmap', grow() { /* already reserved */ } };
  } catch {
    return null;
  }
}

function arrayBufferRegion(): Region {
  const AB = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
  const buffer = new AB(INITIAL, { maxByteLength: RESERVE - 8 });
  return {
    buffer,
    base: 0n,
    kind: 'arraybuffer',
    grow(bytes: number) {
      if (bytes > buffer.byteLength) buffer.resize(Math.min(RESERVE - 8, Math.max(bytes, buffer.byteLength * 2)));
    },
  };
}

const region: Region = mmapRegion() ?? arrayBufferRegion();

/** The heap as 32-bit words, bytes and doubles. Length-tracking in the fallback. */
export const I32 = new Int32Array(region.buffer);
export const U32 = new Uint32Array(region.buffer);
export const U8 = new Uint8Array(region.buffer);
export const F64 = new Float64Array(region.buffer);

export const heapKind = region.kind;
export const heapBase = region.base;
export const heapLimit = envLimit();

/** Makes sure bytes [0, end) are usable; throws HeapExhausted past the limit. */
export function ensureHeap(end: number): void {
  if (end > heapLimit) throw new HeapExhausted(end, heapLimit);
  if (region.kind === 'arraybuffer' && end > region.buffer.byteLength) region.grow(end);
}
