// The Random module (stdlib.md §4.3): random(), shuffle(c) and pluck(c). The collection
// is used only through its len, get and set methods (so any object providing them
// works), called back through the interpreter. The generator (xoshiro128**) is seeded
// from the system's entropy source when the module is first imported.

import { getRandomValues } from 'node:crypto';
import { GenStateF } from '../rts/layout.js';
import { getV } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { shadowGet, shadowMark, shadowPopTo, shadowPush, shadowSet } from '../rts/gc.js';
import { intNum, isInt, mkInt } from '../rts/objects.js';
import { K, callMethodNamed, raise } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { typeError } from './operators.js';
import { defModule } from './native-kit.js';
import { VM_FAIL } from './types-common.js';

// -- The generator --------------------------------------------------------------------------

const s = new Uint32Array(4);

function seed(): void {
  do getRandomValues(s);
  while ((s[0] | s[1] | s[2] | s[3]) === 0); // the all-zero state is a fixed point
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The next 32 random bits, as an unsigned number. */
function next32(): number {
  const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return r;
}

/** A uniformly distributed integer in [0, n), n >= 1. */
function below(n: number): number {
  if (n <= 0x100000000) {
    // Rejection sampling: drop the top partial range so every residue is equally likely.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = next32();
      if (r < limit) return r % n;
    }
  }
  // Lengths beyond 2^32: 53 random bits scaled (bias below 2^-20 for any real length).
  return Math.floor(((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992 * n);
}

// -- Collections through their methods --------------------------------------------------------

/** c.method(args); a failing call cannot be handled here (VM_Exception). */
function call(c: Value, method: string, args: readonly Value[]): Value {
  const r = callMethodNamed(c, method, args);
  if (r === NONE) raise('VM_Exception', VM_FAIL);
  return r;
}

function lenOf(c: Value): number {
  const n = call(c, 'len', []);
  if (!isInt(n)) typeError('Int', n);
  return intNum(n);
}

/** Fisher-Yates, swapping through c.get and c.set. */
function shuffle(c: Value): Value {
  const m = shadowMark();
  try {
    const pc = shadowPush(c);
    const pi = shadowPush(NONE);
    for (let i = lenOf(c) - 1; i > 0; i--) {
      const j = below(i + 1);
      shadowSet(pi, call(shadowGet(pc), 'get', [mkInt(i)]));
      const jth = call(shadowGet(pc), 'get', [mkInt(j)]);
      call(shadowGet(pc), 'set', [mkInt(i), jth]);
      call(shadowGet(pc), 'set', [mkInt(j), shadowGet(pi)]);
    }
  } finally {
    shadowPopTo(m);
  }
  return K.null;
}

/** pluck: a = the collection. Its length is read afresh for each value; empty ends it. */
const GEN_PLUCK = defGen((g) => {
  const m = shadowMark();
  try {
    const pg = shadowPush(g);
    const n = lenOf(getV(g, GenStateF.a));
    if (n <= 0) return NONE;
    return call(getV(shadowGet(pg), GenStateF.a), 'get', [mkInt(below(n))]);
  } finally {
    shadowPopTo(m);
  }
});

export function installRandom(): void {
  seed();
  defModule('Random', {
    pluck: [1, 1, (a) => newGen(GEN_PLUCK, a[0]), GEN_PLUCK],
    random: [0, 0, () => mkInt(next32() >>> 1)],
    shuffle: [1, 1, (a) => shuffle(a[0])],
  });
}
