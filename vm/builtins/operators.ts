// The slow paths of the interpreter's operator instructions (spec/language.md §11):
// arithmetic and comparison on boxed Ints, Floats and Strings, and the fallback to
// user-defined operator methods; indexing; unpacking; exbi; raise checks.

import { alloc } from '../rts/alloc.js';
import { T, FuncF, ListF, ClassF, ObjectF, MapF } from '../rts/layout.js';
import { getV, setV, getI, setI, typeId, val } from '../rts/ll.js';
import { NONE, isSmall, smallOf, small, type Value } from '../rts/value.js';
import {
  allocList, allocPartial, allocVArray, floatOf, intBig, intNum, isFloat, isInt, listGet, listLen, listPush, listSet, mkFloat, mkInt, mkIntBig,
  ownSlot, setOwnSlot, strCmp, strConcat, strEq, strFromJs, strLen, strByte, strSlice, sym, symName, FUNC_BOUND, mapInfo,
} from '../rts/objects.js';
import { findField, isSubclass } from '../rts/classes.js';
import { codes } from '../bytecode/loaded.js';
import { Op } from '../bytecode/opcodes.js';
import { K, EXC, bindIfBound, classOf, className, classPath, getSlot, hooks, raise, mkException } from './kernel.js';
import { newTable, tableSet, tableFind, entryVal } from './hashtable.js';
import { VArrayF } from '../rts/layout.js';
import { setItem as llSetItem } from '../rts/ll.js';

const VM_FAIL_MSG = 'Function attempting to return fail, but caller can not handle failure.';

export function typeError(should: string, got: Value, where?: string): never {
  const w = where ? `'${where}' ` : '';
  raise('Type_Exception', `Expected ${w}to be conformant to ${should}, but got instance of ${classPath(classOf(got))}.`);
}

export function classPathOfValue(v: Value): string {
  return classPath(classOf(v));
}

// -- Numbers ------------------------------------------------------------------

function isNum(v: Value): boolean {
  return isSmall(v) || (v !== NONE && (typeId(v) === T.Int64 || typeId(v) === T.Float));
}

/** A number as a double (Ints converted). */
export function numAsFloat(v: Value): number {
  return isFloat(v) ? floatOf(v) : intNum(v);
}

function divZero(): never {
  raise('Number_Exception', 'Division by zero.');
}

const MIN64 = -(1n << 63n);

/** Int op Int with exact 64-bit wrapping semantics. */
export function intArith(op: number, a: Value, b: Value): Value {
  if (isSmall(a) && isSmall(b)) {
    const x = smallOf(a);
    const y = smallOf(b);
    switch (op) {
      case Op.ADD:
        return mkInt(x + y);
      case Op.SUB:
        return mkInt(x - y);
      case Op.MUL: {
        const r = x * y;
        return Number.isSafeInteger(r) ? mkInt(r) : mkIntBig(BigInt(x) * BigInt(y));
      }
      case Op.DIV:
        if (y === 0) divZero();
        return x % y === 0 ? mkInt(x / y) : mkFloat(x / y);
      case Op.MOD: {
        if (y === 0) divZero();
        let r = x % y;
        if (r !== 0 && r < 0 !== y < 0) r += y;
        return mkInt(r);
      }
    }
  }
  // Boxed operands: exact double arithmetic while everything stays within ±2^53.
  const xn = intNum(a);
  const yn = intNum(b);
  if (Number.isSafeInteger(xn) && Number.isSafeInteger(yn)) {
    let r = NaN;
    if (op === Op.ADD) r = xn + yn;
    else if (op === Op.SUB) r = xn - yn;
    else if (op === Op.MUL) r = xn * yn;
    if (Number.isSafeInteger(r)) return mkInt(r);
  }
  const x = intBig(a);
  const y = intBig(b);
  switch (op) {
    case Op.ADD:
      return mkIntBig(x + y);
    case Op.SUB:
      return mkIntBig(x - y);
    case Op.MUL:
      return mkIntBig(x * y);
    case Op.DIV:
      if (y === 0n) divZero();
      if (x % y === 0n) return mkIntBig(x === MIN64 && y === -1n ? x : x / y);
      return mkFloat(Number(x) / Number(y));
    default: {
      if (y === 0n) divZero();
      let r = x % y;
      if (r !== 0n && r < 0n !== y < 0n) r += y;
      return mkIntBig(r);
    }
  }
}

const OP_METHOD: Record<number, string> = { [Op.ADD]: '+', [Op.SUB]: '-', [Op.MUL]: '*', [Op.DIV]: '/', [Op.MOD]: '%' };

/** a op b for ADD, SUB, MUL, DIV, MOD. Returns NONE if a user method fails (MUL/DIV/MOD). */
export function arith(op: number, a: Value, b: Value): Value {
  if (isInt(a)) {
    if (isInt(b)) return intArith(op, a, b);
    if (isFloat(b)) {
      if (op === Op.MOD) return intArith(op, a, mkIntFromFloat(floatOf(b)));
      return floatArith(op, intNum(a), floatOf(b));
    }
    typeError('Number', b);
  }
  if (isFloat(a)) {
    if (op === Op.MOD) raise('Slot_Exception', `No such slot '%' in instance of 'Float'.`);
    if (isNum(b)) return floatArith(op, floatOf(a), numAsFloat(b));
    typeError('Number', b);
  }
  if (!isSmall(a) && typeId(a) === T.String) {
    if (op === Op.ADD) {
      if (isSmall(b) || typeId(b) !== T.String) typeError('String', b);
      return strConcat(a, b);
    }
    if (op === Op.MUL) {
      if (!isInt(b)) typeError('Int', b);
      return strRepeat(a, intNum(b));
    }
  }
  const r = hooks.call(getSlot(a, sym(OP_METHOD[op])), [b]);
  if (r === NONE && (op === Op.ADD || op === Op.SUB)) raise('VM_Exception', VM_FAIL_MSG);
  return r;
}

function mkIntFromFloat(x: number): Value {
  return mkIntBig(BigInt(Math.trunc(x)));
}

function floatArith(op: number, x: number, y: number): Value {
  switch (op) {
    case Op.ADD:
      return mkFloat(x + y);
    case Op.SUB:
      return mkFloat(x - y);
    case Op.MUL:
      return mkFloat(x * y);
    default:
      return mkFloat(x / y);
  }
}

export function strRepeat(s: Value, n: number): Value {
  const len = strLen(s);
  const total = Math.max(0, n) * len;
  let r = strFromJs('');
  if (total === 0) return r;
  const bytes = new Uint8Array(total);
  const one = new Uint8Array(len);
  for (let i = 0; i < len; i++) one[i] = strByte(s, i);
  for (let k = 0; k < n; k++) bytes.set(one, k * len);
  r = strFromBytes(bytes);
  return r;
}

import { allocString } from '../rts/objects.js';
function strFromBytes(b: Uint8Array): Value {
  return allocString(b);
}

// -- Comparison ---------------------------------------------------------------

const CMP_METHOD: Record<number, string> = { [Op.EQ]: '==', [Op.NEQ]: '!=', [Op.LT]: '<', [Op.LE]: '<=', [Op.GT]: '>', [Op.GE]: '>=' };

function holds(op: number, c: number): boolean {
  switch (op) {
    case Op.EQ:
      return c === 0;
    case Op.NEQ:
      return c !== 0;
    case Op.LT:
      return c < 0;
    case Op.LE:
      return c <= 0;
    case Op.GT:
      return c > 0;
    default:
      return c >= 0;
  }
}

function numCmp(a: Value, b: Value): number {
  if (isInt(a) && isInt(b)) {
    if (isSmall(a) && isSmall(b)) return smallOf(a) - smallOf(b);
    const x = intBig(a);
    const y = intBig(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = numAsFloat(a);
  const y = numAsFloat(b);
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
}

/** Does `a op b` hold? (EQ..GE.) Calls user methods for other receivers. */
export function compare(op: number, a: Value, b: Value): boolean {
  if (isNum(a)) {
    if (isNum(b)) {
      const c = numCmp(a, b);
      return c === c ? holds(op, c) : op === Op.NEQ; // NaN: unordered, only != holds
    }
    if (op === Op.EQ) return false;
    if (op === Op.NEQ) return true;
    typeError('Number', b);
  }
  if (!isSmall(a) && typeId(a) === T.String) {
    const bs = !isSmall(b) && typeId(b) === T.String;
    if (op === Op.EQ) return bs && strEq(a, b);
    if (op === Op.NEQ) return !(bs && strEq(a, b));
    if (!bs) typeError('String', b);
    return holds(op, strCmp(a, b));
  }
  return hooks.call(getSlot(a, sym(CMP_METHOD[op])), [b]) !== NONE;
}

/** `a is b`: identity, except that equal Ints are identical. */
export function identical(a: Value, b: Value): boolean {
  if (a === b) return true;
  return isInt(a) && isInt(b) && intBig(a) === intBig(b);
}

// -- Indexing -----------------------------------------------------------------

/** Translates a possibly negative index for a sequence of `len` elements; Bounds_Exception if outside. */
export function checkIndex(i: Value, len: number, where?: string): number {
  if (!isInt(i)) typeError('Int', i, where);
  let n = intNum(i);
  if (n < 0) n += len;
  if (n < 0) raise('Bounds_Exception', `${n} below lower bound 0.`);
  if (n >= len) raise('Bounds_Exception', `${n} exceeds upper bound ${len}.`);
  return n;
}

const S_GET = sym('get');
const S_SET = sym('set');

/** c[i]. NONE if a user `get` fails. */
export function getItem(c: Value, i: Value): Value {
  if (!isSmall(c)) {
    const t = typeId(c);
    if (t === T.List) return listGet(c, checkIndex(i, listLen(c)));
    if (t === T.String) {
      const k = checkIndex(i, strLen(c));
      return strSlice(c, k, k + 1);
    }
    if (t === T.Dict && getV(getV(c, ObjectF.map), MapF.cls) === K.Dict) {
      const e = tableFind(c, i);
      if (e < 0) raise('Key_Exception', `Key '${toStrJs(i)}' not found.`);
      return entryVal(c, e);
    }
  }
  return hooks.call(getSlot(c, S_GET), [i]);
}

/** c[i] := v. NONE if a user `set` fails. */
export function setItem(c: Value, i: Value, v: Value): Value {
  if (!isSmall(c)) {
    const t = typeId(c);
    if (t === T.List) {
      listSet(c, checkIndex(i, listLen(c)), v);
      return K.null;
    }
    if (t === T.Dict && getV(getV(c, ObjectF.map), MapF.cls) === K.Dict) {
      tableSet(c, i, v);
      return K.null;
    }
  }
  return hooks.call(getSlot(c, S_SET), [i, v]);
}

export function checkUnpack(l: Value, n: number): void {
  if (isSmall(l) || typeId(l) !== T.List) typeError('List', l);
  const len = listLen(l);
  if (len !== n) raise('Unpack_Exception', `Unpack of ${n} elements failed, as ${len} elements present`);
}

// -- Objects, functions, exceptions ---------------------------------------------

export function exbi(self: Value, cls: Value, s: number): Value {
  if (isSmall(cls) || typeId(cls) !== T.Class) typeError('Class', cls);
  const f = findField(cls, s);
  if (f === NONE) raise('Field_Exception', `No such field '${symName(s)}' in class '${classPath(cls)}'.`);
  if (!isSmall(f) && typeId(f) === T.Func) {
    const args = allocVArray(1);
    llSetItem(args, VArrayF.SIZE, 0, self);
    setI(args, VArrayF.len, 1);
    return allocPartial(K.Partial_Application, f, args);
  }
  return f;
}

export function checkRaisable(e: Value): Value {
  if (isSmall(e) || typeId(e) !== T.Exception) typeError('Exception', e);
  return e;
}

/** Own slots and the read-only slots builtin objects derive from their fields. */
export function ownOrPseudoSlot(o: Value, s: number): Value {
  const own = ownSlot(o, s);
  if (own !== NONE) return own;
  return pseudo(o, s);
}

const S_NAME = sym('name');
const S_CONTAINER = sym('container');
const S_NUM_PARAMS = sym('num_params');

function pseudo(o: Value, s: number): Value {
  const t = typeId(o);
  if (t === T.Class) {
    if (s === S_NAME) return getV(o, ClassF.name);
    if (s === S_CONTAINER) return getV(o, ClassF.container) === NONE ? K.null : getV(o, ClassF.container);
  } else if (t === T.Func) {
    if (s === S_NAME) return getV(o, FuncF.name);
    if (s === S_CONTAINER) return getV(o, FuncF.container) === NONE ? K.null : getV(o, FuncF.container);
    if (s === S_NUM_PARAMS) return small(getI(o, FuncF.numParams));
  }
  return modulePseudo(o, t, s);
}

/** Module slots (name, src_path, mod_id, container), installed by vm/bytecode/modules.ts. */
export let modulePseudo: (o: Value, t: number, s: number) => Value = () => NONE;
export function setModulePseudo(f: (o: Value, t: number, s: number) => Value): void {
  modulePseudo = f;
}

export function setSlot(o: Value, s: number, v: Value): void {
  if (isSmall(o)) raise('Slot_Exception', `No such slot '${symName(s)}' in instance of 'Int'.`);
  const t = typeId(o);
  if (t === T.Int64 || t === T.Float || t === T.String) raise('Slot_Exception', `No such slot '${symName(s)}' in instance of '${className(o)}'.`);
  setOwnSlot(o, s, v);
  if (t === T.Object) {
    // Teach the class how many slots its instances get, so the next ones hold them inline.
    const m = getV(o, ObjectF.map);
    const cls = getV(m, MapF.cls);
    const n = mapInfo(m).names.length;
    if (getI(cls, ClassF.instSlots) < n) setI(cls, ClassF.instSlots, n);
  }
}

export function mkFunc(codeId: number, closure: Value, module: Value): Value {
  const code = codes[codeId];
  const f = val(alloc(T.Func, FuncF.SIZE));
  setV(f, FuncF.map, getV(K.Func, ClassF.instMap));
  setI(f, FuncF.code, codeId);
  setI(f, FuncF.flags, code.def.isBound ? FUNC_BOUND : 0);
  setI(f, FuncF.numParams, code.def.nParams);
  setV(f, FuncF.closure, closure);
  setV(f, FuncF.name, strFromJs(code.def.name));
  setV(f, FuncF.container, module);
  return f;
}

export function newDict(n: number): Value {
  return newTable(T.Dict, K.Dict, n);
}

export function newSet(n: number): Value {
  return newTable(T.Set, K.Set, n);
}

export function dictSet(d: Value, k: Value, v: Value): void {
  tableSet(d, k, v);
}

export function setAdd(s: Value, k: Value): void {
  tableSet(s, k, NONE);
}

// -- Printing -------------------------------------------------------------------

/** to_str() of any value, as a JS latin1 string; runs user to_str methods. */
export function toStrJs(v: Value): string {
  return strToJsChecked(hooks.call(getSlot(v, sym('to_str')), []));
}

function strToJsChecked(s: Value): string {
  if (s === NONE) raise('VM_Exception', VM_FAIL_MSG);
  if (isSmall(s) || typeId(s) !== T.String) typeError('String', s);
  return strToJsImpl(s);
}

import { strToJs as strToJsImpl } from '../rts/objects.js';

/** Formats a float like C's "%.6f" (the printed form of Floats). */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Math.abs(x) < 1e21) {
    const s = x.toFixed(6);
    return Object.is(x, -0) || (x < 0 && s.startsWith('0')) ? `-${s.replace(/^-/, '')}` : s;
  }
  // toFixed switches to exponents past 1e21: build the digits exactly from the bigint.
  const neg = x < 0;
  const digits = BigInt(Math.abs(x)).toString();
  return `${neg ? '-' : ''}${digits}.000000`;
}

export { allocList, listPush, isSubclass, mkException, EXC, bindIfBound, strSlice };
