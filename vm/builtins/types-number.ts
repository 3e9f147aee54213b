// Builtins: Int and Float (stdlib.md §1.7, §1.8; language.md §6.4). Ints are exact 64-bit
// two's complement values that wrap (DESIGN D1), not upstream's double-rounded ones.

import { GenStateF } from '../rts/layout.js';
import { getV, getI, setI, setV } from '../rts/ll.js';
import { NONE, bothSmall, isSmall, small, smallOf, type Value } from '../rts/value.js';
import { floatOf, intBig, isFloat, isInt, mkFloat, mkInt, mkIntBig, strFromJs, strToJs } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { K, binary, fixed, raise, unary } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { typeError, toStrJs, formatFloat, compare, arith } from './operators.js';
import { Op } from '../bytecode/opcodes.js';
import { checkCount, defTyped, intArg, isStr, setCreator } from './types-common.js';

const MIN64 = -(1n << 63n);
const MAX64 = (1n << 63n) - 1n;

function bigArg(v: Value): bigint {
  intArg(v);
  return intBig(v);
}

function notValid(v: Value): never {
  raise('Number_Exception', `Number '${toStrJs(v)}' not valid.`);
}

// -- Int.new / Float.new ------------------------------------------------------------------

// Python's int()/float() strip this whitespace, which upstream inherits.
const WS = '[ \\t\\n\\r\\f\\v]*';
const DEC_INT = new RegExp(`^${WS}([+-]?)([0-9]+)${WS}$`);
const HEX_INT = new RegExp(`^${WS}([+-]?)([0-9a-fA-F]+)${WS}$`);
const FLOAT = new RegExp(`^${WS}[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?${WS}$`);

/** An Int from a String: optional whitespace and sign, then decimal, or hex after a leading 0x. */
function parseInt64(s: string): bigint | null {
  const hex = s.startsWith('0x') || s.startsWith('0X');
  const m = (hex ? HEX_INT : DEC_INT).exec(hex ? s.slice(2) : s);
  if (m === null) return null;
  const n = BigInt((hex ? '0x' : '') + m[2]);
  const r = m[1] === '-' ? -n : n;
  // Out of range is "not valid" rather than silently wrapped (upstream overflows).
  return r < MIN64 || r > MAX64 ? null : r;
}

function newInt(a: Value[]): Value {
  // Extra arguments are ignored, as upstream (its new_func takes varargs).
  checkCount(a, 2, -1);
  const x = a[1];
  if (isInt(x)) return x;
  if (isStr(x)) {
    const n = parseInt64(strToJs(x));
    if (n === null) notValid(x);
    return mkIntBig(n);
  }
  if (isFloat(x)) {
    const f = floatOf(x);
    if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) notValid(x);
    return mkIntBig(BigInt(Math.trunc(f)));
  }
  typeError('Number | String', x);
}

function newFloat(a: Value[]): Value {
  checkCount(a, 2, -1);
  const x = a[1];
  if (isFloat(x)) return x;
  if (isInt(x)) return mkFloat(Number(intBig(x)));
  if (isStr(x)) {
    const s = strToJs(x);
    if (!FLOAT.test(s)) notValid(x);
    return mkFloat(Number(s.trim()));
  }
  // Upstream's new_func falls off its end here (a VM_Exception); the spec asks for this.
  typeError('Number | String', x);
}

// -- iter_to ------------------------------------------------------------------------------

/**
 * Small bounds: i = next value, j = limit, k = step, all in the small-int range. The
 * interpreter calls iterToNext itself when a `for` loop resumes one (the commonest loop).
 */
export function iterToNext(g: Value): Value {
  const i = getI(g, GenStateF.i);
  const to = getI(g, GenStateF.j);
  const step = getI(g, GenStateF.k);
  if (step > 0 ? i >= to : i <= to) return NONE;
  setI(g, GenStateF.i, i + step);
  return small(i);
}
export const GEN_ITER_TO = defGen(iterToNext);

/** Any bounds: a = next value, b = limit, c = step (Int values). */
const GEN_ITER_TO_BIG = defGen((g) => {
  const cur = getV(g, GenStateF.a);
  const i = intBig(cur);
  const to = intBig(getV(g, GenStateF.b));
  const step = intBig(getV(g, GenStateF.c));
  if (step > 0n ? i >= to : i <= to) return NONE;
  const next = i + step;
  // A step past the Int range ends the sequence: jump to the limit.
  setV(g, GenStateF.a, next > MAX64 || next < MIN64 ? getV(g, GenStateF.b) : mkIntBig(next));
  return cur;
});

/** `from.iter_to(to, step)`: small bounds and step (the usual loop) need no BigInt. */
function iterTo(from: Value, to: Value, step: Value = small(1)): Value {
  if (bothSmall(from, to) && isSmall(step)) {
    const i = smallOf(from);
    const j = smallOf(to);
    const k = smallOf(step);
    if (k === 0) raise('Number_Exception', 'Number \'0\' not valid.');
    if (k > 0 ? i >= j : i <= j) return NONE;
    // i + k stays within 32 bits, and iteration stops before a value leaves [from, to).
    const g = newGen(GEN_ITER_TO, NONE, i, j);
    setI(g, GenStateF.k, k);
    return g;
  }
  const i = bigArg(from);
  const j = bigArg(to);
  const k = bigArg(step);
  if (k === 0n) raise('Number_Exception', 'Number \'0\' not valid.');
  if (k > 0n ? i >= j : i <= j) return NONE;
  const g = newGen(GEN_ITER_TO_BIG, mkIntBig(i), 0, 0, mkIntBig(j));
  setV(g, GenStateF.c, mkIntBig(k));
  return g;
}

// -- Installation ---------------------------------------------------------------------------

function pred(b: boolean): Value {
  return b ? K.null : NONE;
}

export function installNumbers(): void {
  setCreator(Creator.Int, newInt);
  setCreator(Creator.Float, newFloat);

  defTyped(K.Int, 'Builtins::Int', isInt, 'Int', [
    ['+', 2, 2, binary((x, y) => arith(Op.ADD, x, y))],
    ['-', 2, 2, binary((x, y) => arith(Op.SUB, x, y))],
    ['*', 2, 2, binary((x, y) => arith(Op.MUL, x, y))],
    ['/', 2, 2, binary((x, y) => arith(Op.DIV, x, y))],
    ['%', 2, 2, binary((x, y) => arith(Op.MOD, x, y))],
    ['idiv', 2, 2, binary(idiv)],
    ['pow', 2, 2, (a) => {
      let e = bigArg(a[1]);
      let x = intBig(a[0]);
      let r = 1n;
      // Squaring gives the same wrapped result as upstream's repeated multiplication.
      while (e > 0n) {
        if ((e & 1n) === 1n) r = BigInt.asIntN(64, r * x);
        x = BigInt.asIntN(64, x * x);
        e >>= 1n;
      }
      return mkIntBig(r);
    }],
    ['==', 2, 2, binary((x, y) => pred(compare(Op.EQ, x, y)))],
    ['<', 2, 2, binary((x, y) => pred(compare(Op.LT, x, y)))],
    ['<=', 2, 2, binary((x, y) => pred(compare(Op.LE, x, y)))],
    ['>', 2, 2, binary((x, y) => pred(compare(Op.GT, x, y)))],
    ['>=', 2, 2, binary((x, y) => pred(compare(Op.GE, x, y)))],
    // Small ints are 31-bit, so JS's 32-bit bitwise operators give the exact result.
    ['and', 2, 2, binary((x, y) => (bothSmall(x, y) ? small(smallOf(x) & smallOf(y)) : mkIntBig(intBig(x) & bigArg(y))))],
    ['or', 2, 2, binary((x, y) => (bothSmall(x, y) ? small(smallOf(x) | smallOf(y)) : mkIntBig(intBig(x) | bigArg(y))))],
    ['xor', 2, 2, binary((x, y) => (bothSmall(x, y) ? small(smallOf(x) ^ smallOf(y)) : mkIntBig(intBig(x) ^ bigArg(y))))],
    ['inv', 1, 1, unary((x) => (isSmall(x) ? small(~smallOf(x)) : mkIntBig(~intBig(x))))],
    ['lsl', 2, 2, binary(lsl)],
    ['lsr', 2, 2, binary(lsr)],
    ['hash', 1, 1, unary((x) => x)],
    ['iter_to', 2, 3, fixed((a) => iterTo(a[0], a[1], a[2]), { f2: iterTo }), GEN_ITER_TO],
    ['str_val', 1, 1, unary((x) => {
      if (isSmall(x) && smallOf(x) >= 0 && smallOf(x) <= 255) return strFromJs(String.fromCharCode(smallOf(x)));
      raise('Number_Exception', `Number '"'${intBig(x)}' out of ASCII range."' not valid.`);
    })],
    ['to_str', 1, 1, unary((x) => strFromJs(intBig(x).toString()))],
  ]);

  defTyped(K.Float, 'Builtins::Float', isFloat, 'Float', [
    ['*', 2, 2, binary((x, y) => arith(Op.MUL, x, y))],
    ['/', 2, 2, binary((x, y) => arith(Op.DIV, x, y))],
    ['to_str', 1, 1, unary((x) => strFromJs(formatFloat(floatOf(x))))],
  ]);
}

/** Floor division; a Float divisor is truncated to an Int first (as upstream). */
function idiv(a: Value, d: Value): Value {
  if (bothSmall(a, d) && d !== small(0)) return mkInt(Math.floor(smallOf(a) / smallOf(d))); // exact for 31-bit operands
  if (!isInt(d) && !isFloat(d)) typeError('Number', d);
  const x = intBig(a);
  const y = isFloat(d) ? truncFloat(floatOf(d)) : intBig(d);
  if (y === 0n) raise('Number_Exception', 'Division by zero.');
  let q = x / y;
  if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n;
  return mkIntBig(q);
}

// Shift counts are taken modulo 64, as the machine shift upstream compiles to.

function lsl(a: Value, n: Value): Value {
  // A small int shifted by at most 31 places is below 2^61: exact as a double, no wrap.
  if (bothSmall(a, n) && (smallOf(n) & 63) <= 31) return mkInt(smallOf(a) * 2 ** (smallOf(n) & 63));
  return mkIntBig(intBig(a) << (bigArg(n) & 63n));
}

function lsr(a: Value, n: Value): Value {
  if (bothSmall(a, n)) return small(smallOf(a) >> Math.min(smallOf(n) & 63, 31));
  return mkIntBig(intBig(a) >> (bigArg(n) & 63n));
}

function truncFloat(f: number): bigint {
  if (!Number.isFinite(f)) raise('Number_Exception', `Number '${formatFloat(f)}' not valid.`);
  return BigInt(Math.trunc(f));
}
