// Values (DESIGN D1): a value is a 32-bit word. Odd words are small integers (31 bits,
// the integer shifted left by one); even non-zero words are byte offsets of objects in
// the VM heap (8-byte aligned). 0 is never an object: it marks "no value" (an unassigned
// variable, an empty slot, a free stack cell).
//
// The type is opaque so that interpreter code cannot apply TypeScript operators to a
// heap value by accident: everything goes through these helpers or `ll`.

declare const valueBrand: unique symbol;
/** Opaque: not a number to TypeScript, so `v + 1` or `v < w` on a heap value is a type error. */
export type Value = { readonly [valueBrand]: true };

/** The absent value (unassigned variable, empty slot). Never a real object. */
export const NONE = 0 as unknown as Value;

export const SMALL_MIN = -0x40000000;
export const SMALL_MAX = 0x3fffffff;

export function isSmall(v: Value): boolean {
  return ((v as unknown as number) & 1) === 1;
}

/** Are both values small ints? (One test of the two tag bits.) */
export function bothSmall(a: Value, b: Value): boolean {
  return ((a as unknown as number) & (b as unknown as number) & 1) === 1;
}

/** Tags a number known to be an integer in [SMALL_MIN, SMALL_MAX]. */
export function small(n: number): Value {
  return ((n << 1) | 1) as unknown as Value;
}

/** The integer of a small-int value. */
export function smallOf(v: Value): number {
  return (v as unknown as number) >> 1;
}

export function fitsSmall(n: number): boolean {
  return n >= SMALL_MIN && n <= SMALL_MAX;
}

export function isPtr(v: Value): boolean {
  const w = v as unknown as number;
  return w !== 0 && (w & 1) === 0;
}

/** Raw word of a value, for storing in the heap or in typed arrays. */
export function word(v: Value): number {
  return v as unknown as number;
}

/** Reinterprets a word read from the heap as a value. */
export function asValue(w: number): Value {
  return w as unknown as Value;
}
