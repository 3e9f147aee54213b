// The collector's test cases, written once and run twice: in the ava worker (the default
// heap: mmap on x86-64 Linux) and in a child process with CONVERGE_HEAP=arraybuffer
// (gc-child.ts), since heap.ts picks the heap when it is first imported.
//
// The cases use only what the allocator promises (zeroed objects, headers, space reused
// after a collection) and walk the heap right after collect(), when every block has a
// header; they do not depend on how free space is kept.

import { alloc, sizeOf, state, typeOf } from '../alloc.js';
import { addPermanentRoot, addRootScanner, collect, gcStats, shadowGet, shadowMark, shadowPopTo, shadowPush, shadowSet } from '../gc.js';
import { I32, U8 } from '../heap.js';
import { T, FrameF, VArrayF, ClassF } from '../layout.js';
import { setI, setItem, setV, getItem, typeId, val } from '../ll.js';
import { allLayouts } from '../schema.js';
import { NONE, isSmall, small, type Value } from '../value.js';
import {
  allocList,
  allocObject,
  allocVArray,
  floatOf,
  intBig,
  listGet,
  listLen,
  listPush,
  listSet,
  listSetLen,
  mkFloat,
  mkIntBig,
  ownSlot,
  setOwnSlot,
  strFromJs,
  strToJs,
  sym,
} from '../objects.js';
import { bootClasses, mkClass } from '../../builtins/boot.js';
import { K } from '../../builtins/kernel.js';
import { Creator } from '../classes.js';
import { entryKey, entryVal, newTable, tableCount, tableDel, tableFind, tableSet, tableUsed } from '../../builtins/hashtable.js';

/** The assertions the cases use: ava's `t`, or the child's throwing version. */
export interface Check {
  is(actual: unknown, expected: unknown, message?: string): void;
  true(actual: boolean, message?: string): void;
  false(actual: boolean, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
}

export type GcCase = (t: Check) => void;

bootClasses();

// -- Helpers ----------------------------------------------------------------------------

const MARK = 0x80;

/** Walks the heap block by block (valid right after collect()); start -> type of every block. */
export function walkHeap(): Map<number, number> {
  const blocks = new Map<number, number>();
  let p = 8;
  while (p < state.top) {
    const bytes = sizeOf(p);
    if (bytes <= 0 || (I32[p >> 2] & MARK) !== 0) throw new Error(`heap walk: bad header ${I32[p >> 2]} at ${p}`);
    blocks.set(p, typeOf(p));
    p += bytes;
  }
  if (p !== state.top) throw new Error(`heap walk overran the top: ${p} vs ${state.top}`);
  return blocks;
}

/** Collects, checks the heap is walkable, and returns the addresses of live (non-Free) objects. */
function collectAndWalk(): Set<number> {
  collect();
  const live = new Set<number>();
  for (const [p, type] of walkHeap()) if (type !== T.Free) live.add(p);
  return live;
}

const addr = (v: Value): number => v as unknown as number;

/** The i32 fields that bound how much of a value tail the collector traces (gc.ts scan). */
const TAIL_BOUNDS: Record<string, readonly string[] | undefined> = { Frame: ['nlocals', 'sp'], VArray: ['len'] };

/** Runs `f` with a shadow-stack mark, popping everything it pushed afterwards. */
function rooted(f: (root: (v: Value) => number) => void): void {
  const m = shadowMark();
  try {
    f((v) => shadowPush(v));
  } finally {
    shadowPopTo(m);
  }
}

/** A VArray of `n` words, every word set to `fill` (raw). */
function filledVArray(n: number, fill: number): Value {
  const a = allocVArray(n);
  const base = (addr(a) + VArrayF.SIZE) >> 2;
  for (let i = 0; i < n; i++) I32[base + i] = fill;
  return a;
}

function wordsOf(v: Value): number[] {
  const out: number[] = [];
  const w = addr(v) >> 2;
  for (let i = 0; i < sizeOf(addr(v)) >> 2; i++) out.push(I32[w + i]);
  return out;
}

/** The free lists are a cache the sweeper rebuilds; every case starts from a fresh sweep. */
function fresh(): void {
  collect();
}

const scanned: Value[] = [];
addRootScanner((mark) => {
  for (const v of scanned) mark(v as unknown as number);
});

// -- Cases --------------------------------------------------------------------------------

const allocation: GcCase = (t) => {
  fresh();
  for (const bytes of [4, 8, 12, 20, 100, 512, 520, 4096, 100000]) {
    const p = alloc(T.VArray, bytes);
    const rounded = (bytes + 7) & ~7;
    t.true(p > 0 && p % 8 === 0, `address ${p} is 8-aligned and not 0`);
    t.is(typeOf(p), T.VArray);
    t.is(sizeOf(p), rounded, `size of a ${bytes}-byte request`);
    t.is(I32[p >> 2] & MARK, 0, 'mark bit clear');
    let nonzero = 0;
    for (let i = 4; i < rounded; i++) nonzero += U8[p + i] === 0 ? 0 : 1;
    t.is(nonzero, 0, `a fresh ${bytes}-byte object is zeroed`);
  }
  // Dirty memory that was freed comes back zeroed.
  fresh();
  const before = state.top;
  const dirty: number[] = [];
  rooted((root) => {
    root(filledVArray(2, 7)); // a live neighbour below
    for (let i = 0; i < 200; i++) dirty.push(addr(filledVArray(62, 0x5a5a5a5a)));
  });
  collect();
  let reused = 0;
  let nonzero = 0;
  const dirtySet = new Set(dirty);
  for (let i = 0; i < 400; i++) {
    const p = alloc(T.VArray, 256);
    if (dirtySet.has(p)) reused++;
    for (let k = 4; k < 256; k += 4) nonzero += I32[(p + k) >> 2] === 0 ? 0 : 1;
  }
  t.is(nonzero, 0, 'objects allocated over freed dirty memory are zeroed');
  t.true(reused > 0 || state.top <= before + 400 * 256 + 64 * 1024, 'freed memory is allocated again');
};

const reuse: GcCase = (t) => {
  fresh();
  rooted((root) => {
    const keep = root(filledVArray(4, small(1) as unknown as number));
    const dead: number[] = [];
    for (let i = 0; i < 2000; i++) dead.push(addr(strFromJs(`garbage ${i} ${'x'.repeat(i % 50)}`)));
    const end = root(filledVArray(4, small(2) as unknown as number));
    const live = collectAndWalk();
    t.true(live.has(addr(shadowGet(keep))) && live.has(addr(shadowGet(end))), 'rooted objects survive');
    t.is(dead.filter((p) => live.has(p)).length, 0, 'unreachable strings are freed');
    t.true(gcStats.freedBytes >= dead.length * 16, `freedBytes ${gcStats.freedBytes}`);
    // The same allocations again go (almost all) into the space just freed.
    const lo = Math.min(...dead);
    const hi = Math.max(...dead);
    let inside = 0;
    for (let i = 0; i < 2000; i++) {
      const p = addr(strFromJs(`garbage ${i} ${'x'.repeat(i % 50)}`));
      if (p >= lo && p <= hi) inside++;
    }
    t.true(inside >= 1800, `only ${inside} of 2000 new strings reuse the ${hi - lo} bytes just freed`);
  });
  // Garbage at the top of the heap gives the space back.
  fresh();
  const mark = state.top;
  for (let i = 0; i < 100; i++) allocVArray(100);
  collect();
  t.true(state.top <= mark + 8, `top ${state.top} returned to ${mark}`);
};

const fieldKinds: GcCase = (t) => {
  fresh();
  rooted((root) => {
    interface Expect {
      obj: number;
      header: number;
      alive: [Value, string][];
      dead: number[];
    }
    const expects: Expect[] = [];
    let n = 0;
    const str = (what: string) => strFromJs(`${what} #${n++}`);
    for (const l of allLayouts()) {
      if (l.id === T.Free) continue;
      const tail = l.tail === null ? 0 : 12;
      const p = alloc(l.id as T, l.size + tail);
      root(val(p));
      const e: Expect = { obj: p, header: 0, alive: [], dead: [] };
      for (const f of l.fields) {
        if (f.kind === 'value') {
          const s = str(`${l.name}.${f.name}`);
          setV(p, f.offset, s);
          e.alive.push([s, strToJs(s)]);
        } else if (f.kind === 'i32') {
          // Fields that bound the traced part of a tail are set below.
          if (TAIL_BOUNDS[l.name]?.includes(f.name)) continue;
          const decoy = str(`${l.name}.${f.name} (i32, not traced)`);
          setI(p, f.offset, addr(decoy));
          e.dead.push(addr(decoy));
        }
      }
      if (l.tail === 'values') {
        // A Frame traces nlocals + sp tail slots, a VArray len: here 2 of the 3.
        const bounded = TAIL_BOUNDS[l.name] !== undefined;
        if (l.id === T.Frame) setI(p, FrameF.nlocals, 1), setI(p, FrameF.sp, 1);
        if (l.id === T.VArray) setI(p, VArrayF.len, 2);
        for (let i = 0; i < 3; i++) {
          const s = str(`${l.name} tail ${i}`);
          setItem(p, l.size, i, s);
          if (bounded && i >= 2) e.dead.push(addr(s));
          else e.alive.push([s, strToJs(s)]);
        }
      } else if (l.tail === 'bytes') {
        const decoy = str(`${l.name} bytes (not traced)`);
        I32[(p + l.size + 3) >> 2] = addr(decoy); // word-aligned inside the byte tail
        e.dead.push(addr(decoy));
      }
      e.header = I32[p >> 2];
      expects.push(e);
    }
    for (let round = 0; round < 20; round++) {
      const live = collectAndWalk();
      for (const e of expects) {
        const name = allLayouts().find((l) => l.id === (e.header & 0x7f))!.name;
        t.is(I32[e.obj >> 2], e.header, `${name}: header unchanged`);
        for (const [s, text] of e.alive) {
          if (!live.has(addr(s)) || strToJs(s) !== text) t.is(live.has(addr(s)) ? strToJs(s) : '<freed>', text, `${name}: traced value kept`);
        }
        for (const d of e.dead) t.true(!live.has(d), `${name}: ${d} is not traced, so it is freed`);
      }
      if (round === 0) for (const e of expects) e.dead.length = 0; // freed once; their space may be reused
    }
  });
};

const stackAndVArrayBounds: GcCase = (t) => {
  fresh();
  rooted((root) => {
    const f = alloc(T.Frame, FrameF.SIZE + 4 * 6);
    root(val(f));
    const a = allocVArray(6);
    root(a);
    const fs: Value[] = [];
    const as: Value[] = [];
    for (let i = 0; i < 6; i++) {
      fs.push(strFromJs(`frame slot ${i}`));
      as.push(strFromJs(`array item ${i}`));
      setItem(f, FrameF.SIZE, i, fs[i]);
      setItem(a, VArrayF.SIZE, i, as[i]);
    }
    setI(f, FrameF.nlocals, 1); // slot 0 is a local, slots 1-3 the operand stack
    setI(f, FrameF.sp, 3);
    setI(a, VArrayF.len, 3);
    for (let round = 0; round < 10; round++) {
      const live = collectAndWalk();
      for (let i = 0; i < 4; i++) t.is(strToJs(getItem(f, FrameF.SIZE, i)), `frame slot ${i}`);
      for (let i = 0; i < 3; i++) t.is(strToJs(getItem(a, VArrayF.SIZE, i)), `array item ${i}`);
      if (round === 0) {
        t.deepEqual([4, 5].map((i) => live.has(addr(fs[i]))), [false, false], 'frame slots past nlocals + sp are not roots');
        t.deepEqual([3, 4, 5].map((i) => live.has(addr(as[i]))), [false, false, false], 'VArray items at and above len are not roots');
      }
      // Growing sp/len again exposes only what is stored from now on.
      if (round === 0) {
        setItem(f, FrameF.SIZE, 4, NONE);
        setItem(f, FrameF.SIZE, 5, small(3));
        setI(f, FrameF.sp, 5);
      }
    }
  });
};

const roots: GcCase = (t) => {
  fresh();
  const m = shadowMark();
  const viaShadow = strFromJs('on the shadow stack');
  const pos = shadowPush(viaShadow);
  shadowPush(small(12345)); // small ints and NONE on the roots are ignored
  shadowPush(NONE);
  const viaPermanent = strFromJs('a permanent root');
  addPermanentRoot(viaPermanent);
  const viaScanner = strFromJs('reported by a root scanner');
  scanned.push(viaScanner);
  for (let i = 0; i < 30; i++) {
    const live = collectAndWalk();
    t.true(live.has(addr(viaShadow)) && live.has(addr(viaPermanent)) && live.has(addr(viaScanner)), `round ${i}: roots alive`);
  }
  t.is(strToJs(viaShadow), 'on the shadow stack');
  t.is(strToJs(viaPermanent), 'a permanent root');
  t.is(strToJs(viaScanner), 'reported by a root scanner');
  // Replacing a shadow slot drops the old value; popping drops the rest.
  const replacement = strFromJs('replacement');
  shadowSet(pos, replacement);
  let live = collectAndWalk();
  t.false(live.has(addr(viaShadow)), 'a replaced shadow-stack value is freed');
  t.true(live.has(addr(replacement)));
  shadowPopTo(m);
  scanned.length = 0;
  live = collectAndWalk();
  t.false(live.has(addr(replacement)), 'a popped shadow-stack value is freed');
  t.false(live.has(addr(viaScanner)), 'a value the scanner stopped reporting is freed');
  t.true(live.has(addr(viaPermanent)), 'permanent roots stay');
  // The shadow stack grows past its initial capacity.
  const many: Value[] = [];
  const m2 = shadowMark();
  for (let i = 0; i < 10000; i++) many.push(strFromJs(`s${i}`)), shadowPush(many[i]);
  live = collectAndWalk();
  t.is(many.filter((v) => !live.has(addr(v))).length, 0, 'all 10,000 shadow-stack values survive');
  t.is(strToJs(many[9999]), 's9999');
  shadowPopTo(m2);
};

const cyclesAndDeepChains: GcCase = (t) => {
  fresh();
  // An unreachable cycle is freed; a reachable one survives.
  const a = allocList(K.List, 1);
  const b = allocList(K.List, 1);
  listPush(a, b);
  listPush(b, a);
  let live = collectAndWalk();
  t.false(live.has(addr(a)) || live.has(addr(b)), 'an unreachable cycle is freed');
  rooted((root) => {
    const c = allocList(K.List, 1);
    root(c);
    const d = allocList(K.List, 1);
    listPush(c, d);
    listPush(d, c);
    listPush(d, strFromJs('in a cycle'));
    // A chain 100,000 long: marking must not recurse on the host stack.
    let head = allocList(K.List, 1);
    listPush(d, head);
    for (let i = 0; i < 100000; i++) {
      const next = allocList(K.List, 1);
      listPush(head, small(i));
      listPush(head, next);
      head = next;
    }
    for (let round = 0; round < 3; round++) {
      live = collectAndWalk();
      t.is(listGet(listGet(c, 0), 0), c);
      t.is(strToJs(listGet(d, 1)), 'in a cycle');
      let l = listGet(d, 2);
      let count = 0;
      while (listLen(l) === 2) {
        if (listGet(l, 0) !== small(count)) break;
        l = listGet(l, 1);
        count++;
      }
      t.is(count, 100000, 'the whole chain survives');
    }
  });
};

// -- The big random graph against a JS mirror ---------------------------------------

type Node =
  | { kind: 'list'; v: Value; items: Node[] }
  | { kind: 'dict'; v: Value; entries: Map<string, { key: Value; val: Node }> }
  | { kind: 'obj'; v: Value; slots: Map<string, Node> }
  | { kind: 'str'; v: Value; s: string }
  | { kind: 'int'; v: Value; n: bigint }
  | { kind: 'float'; v: Value; x: number }
  | { kind: 'small'; v: Value; n: number };

function rngOf(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SLOT_NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function randomGraph(t: Check, seed: number, rounds: number): void {
  fresh();
  const rnd = rngOf(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const cls = mkClass('GcTestThing', [K.Object], Creator.Object);
  setI(cls, ClassF.instSlots, 3); // three inline slots, the rest spill
  const leaf = (): Node => {
    switch (int(5)) {
      case 0: {
        const s = `str ${int(1e6)} ${'y'.repeat(int(40))}`;
        return { kind: 'str', v: strFromJs(s), s };
      }
      case 1: {
        const n = BigInt.asIntN(64, (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32)));
        return { kind: 'int', v: mkIntBig(n), n: BigInt.asIntN(64, n) };
      }
      case 2: {
        const x = (rnd() - 0.5) * 1e10;
        return { kind: 'float', v: mkFloat(x), x };
      }
      default: {
        const n = int(2000) - 1000;
        return { kind: 'small', v: small(n), n };
      }
    }
  };
  const container = (): Node => {
    const k = int(3);
    if (k === 0) return { kind: 'list', v: allocList(K.List, int(6)), items: [] };
    if (k === 1) return { kind: 'dict', v: newTable(T.Dict, K.Dict, int(6)), entries: new Map() };
    return { kind: 'obj', v: allocObject(cls), slots: new Map() };
  };
  const store = (c: Node, child: Node): void => {
    if (c.kind === 'list') {
      if (c.items.length > 0 && int(3) === 0) {
        const i = int(c.items.length);
        c.items[i] = child;
        listSet(c.v, i, child.v);
      } else {
        c.items.push(child);
        listPush(c.v, child.v);
      }
    } else if (c.kind === 'dict') {
      const k = `key${int(40)}`;
      const old = c.entries.get(k);
      const key = old ? old.key : strFromJs(k);
      c.entries.set(k, { key, val: child });
      tableSet(c.v, key, child.v);
    } else if (c.kind === 'obj') {
      const name = SLOT_NAMES[int(SLOT_NAMES.length)];
      c.slots.set(name, child);
      setOwnSlot(c.v, sym(name), child.v);
    }
  };
  const remove = (c: Node): void => {
    if (c.kind === 'list' && c.items.length > 0) {
      const n = int(c.items.length);
      c.items.length = n;
      listSetLen(c.v, n);
    } else if (c.kind === 'dict' && c.entries.size > 0) {
      const k = [...c.entries.keys()][int(c.entries.size)];
      t.true(tableDel(c.v, c.entries.get(k)!.key), 'tableDel finds the key');
      c.entries.delete(k);
    } else if (c.kind === 'obj' && c.slots.size > 0) {
      const name = [...c.slots.keys()][int(c.slots.size)];
      const z: Node = { kind: 'small', v: small(0), n: 0 };
      c.slots.set(name, z);
      setOwnSlot(c.v, sym(name), z.v);
    }
  };
  const children = (n: Node): Node[] =>
    n.kind === 'list' ? n.items : n.kind === 'dict' ? [...n.entries.values()].map((e) => e.val) : n.kind === 'obj' ? [...n.slots.values()] : [];
  const reachable = (root: Node): Node[] => {
    const seen = new Set<Node>([root]);
    const stack = [root];
    while (stack.length > 0) for (const c of children(stack.pop()!)) if (!seen.has(c)) seen.add(c), stack.push(c);
    return [...seen];
  };
  const check = (n: Node, live: Set<number>, bad: string[]): void => {
    if (!isSmall(n.v) && !live.has(addr(n.v))) return void bad.push(`${n.kind} at ${addr(n.v)} was freed`);
    switch (n.kind) {
      case 'small':
        if (!isSmall(n.v) || n.v !== small(n.n)) bad.push(`small ${n.n}`);
        break;
      case 'str':
        if (typeId(n.v) !== T.String || strToJs(n.v) !== n.s) bad.push(`string ${JSON.stringify(n.s)}`);
        break;
      case 'int':
        if (intBig(n.v) !== n.n) bad.push(`int ${n.n} reads ${intBig(n.v)}`);
        break;
      case 'float':
        if (floatOf(n.v) !== n.x) bad.push(`float ${n.x}`);
        break;
      case 'list':
        if (listLen(n.v) !== n.items.length) bad.push(`list length ${listLen(n.v)} vs ${n.items.length}`);
        else n.items.forEach((c, i) => listGet(n.v, i) !== c.v && bad.push(`list item ${i}`));
        break;
      case 'dict': {
        if (tableCount(n.v) !== n.entries.size) bad.push(`dict count ${tableCount(n.v)} vs ${n.entries.size}`);
        for (const [k, e] of n.entries) {
          const i = tableFind(n.v, e.key);
          if (i < 0 || strToJs(entryKey(n.v, i)) !== k || entryVal(n.v, i) !== e.val.v) bad.push(`dict entry ${k}`);
        }
        let present = 0;
        for (let i = 0; i < tableUsed(n.v); i++) if (entryKey(n.v, i) !== NONE) present++;
        if (present !== n.entries.size) bad.push(`dict iterates ${present} entries`);
        break;
      }
      case 'obj':
        for (const [name, c] of n.slots) if (ownSlot(n.v, sym(name)) !== c.v) bad.push(`slot ${name}`);
        break;
    }
  };

  rooted((root) => {
    const top: Node = { kind: 'list', v: allocList(K.List, 16), items: [] };
    root(top.v);
    let containers: Node[] = [top];
    // Build an initial graph of a few thousand values.
    for (let i = 0; i < 3000; i++) {
      const c = containers[int(containers.length)];
      const child = int(3) === 0 ? container() : leaf();
      store(c, child);
      if (child.kind === 'list' || child.kind === 'dict' || child.kind === 'obj') containers.push(child);
    }
    for (let round = 0; round < rounds; round++) {
      const all = reachable(top);
      containers = all.filter((n) => n.kind === 'list' || n.kind === 'dict' || n.kind === 'obj');
      const size = all.length;
      for (let op = 0; op < 60; op++) {
        const c = containers[int(containers.length)];
        const r = int(10);
        if (r < 3 || size > 6000) remove(c);
        else if (r < 5) store(c, all[int(all.length)]); // share an existing value, often making a cycle
        else {
          const child = int(3) === 0 ? container() : leaf();
          store(c, child);
          if (child.kind !== 'str' && child.kind !== 'int' && child.kind !== 'float' && child.kind !== 'small') containers.push(child);
        }
      }
      for (let g = 0; g < 200; g++) strFromJs(`churn ${g}`); // garbage between collections
      const live = collectAndWalk();
      const bad: string[] = [];
      for (const n of reachable(top)) check(n, live, bad);
      if (bad.length > 0) {
        t.deepEqual(bad.slice(0, 10), [], `round ${round} (seed ${seed})`);
        return;
      }
    }
    t.true(gcStats.collections >= rounds);
  });
}

const bigGraph: GcCase = (t) => randomGraph(t, 20240601, 100);

const neighbours: GcCase = (t) => {
  // Random runs of live and dead objects of random sizes; after each collection every
  // new object is filled completely, and the live ones around it must not change.
  const rnd = rngOf(777);
  const int = (n: number) => Math.floor(rnd() * n);
  fresh();
  rooted((root) => {
    const keepers: { v: Value; words: number[] }[] = [];
    const holder = allocVArray(4000);
    root(holder);
    let held = 0;
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 300; i++) {
        const n = int(8) === 0 ? 100 + int(600) : int(24);
        const v = filledVArray(n, (round << 16) | i | 1);
        if (int(3) === 0 && held < 4000) {
          setItem(holder, VArrayF.SIZE, held++, v);
          setI(holder, VArrayF.len, held);
          keepers.push({ v, words: [] });
        }
      }
      for (const k of keepers) if (k.words.length === 0) k.words = wordsOf(k.v);
      collectAndWalk();
      // Fill the freed space with junk objects of random sizes.
      for (let i = 0; i < 300; i++) {
        const p = alloc(T.Bytes, 8 + 8 * int(40));
        for (let w = (p >> 2) + 1; w < (p + sizeOf(p)) >> 2; w++) I32[w] = -1;
      }
      let broken = 0;
      for (const k of keepers) {
        const now = wordsOf(k.v);
        if (now.length !== k.words.length || now.some((x, i) => x !== k.words[i])) broken++;
      }
      t.is(broken, 0, `round ${round}: live neighbours unchanged by reuse of free space`);
      if (broken > 0) return;
    }
    collectAndWalk();
  });
};

export const GC_CASES: readonly (readonly [string, GcCase])[] = [
  ['alloc returns zeroed objects with correct headers, also over freed dirty memory', allocation],
  ['unreachable objects are freed and their space reused', reuse],
  ['every traced field kind of every struct keeps its value alive; i32 fields and byte tails do not', fieldKinds],
  ['Frames are traced up to their locals plus sp, VArrays up to len', stackAndVArrayBounds],
  ['shadow stack, permanent roots and root scanners keep values alive, and only while they do', roots],
  ['unreachable cycles are freed; reachable cycles and a 100,000-long chain survive', cyclesAndDeepChains],
  ['a random graph of lists, dicts, objects, strings and numbers survives 100 collections (JS mirror)', bigGraph],
  ['reusing freed space never corrupts live neighbours (coalesced runs, random sizes)', neighbours],
];
