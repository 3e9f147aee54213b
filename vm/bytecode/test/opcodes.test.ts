// The instruction-set table (vm/bytecode/opcodes.ts) against its derived enums: the
// dispatch switch uses the `Op` and `Builtin` const enums, the loader and the compiler
// use OPS/BUILTINS, so the two must agree entry by entry.

import test from 'ava';
import {
  BUILTINS,
  Builtin,
  OPS,
  OP_COUNT,
  Op,
  instrWords,
  opByName,
  type OpDef,
  type OpName,
  type OperandKind,
} from '../opcodes.js';

// Const enums have no runtime object, so each member is spelled out here. `Record<OpName, ...>`
// makes tsc reject this table when OPS gains an op; the tests below catch it at run time.
const OP_ENUM: Record<OpName, number> = {
  CONST: Op.CONST,
  INT: Op.INT,
  BUILTIN: Op.BUILTIN,
  MODULE: Op.MODULE,
  LOAD_VAR: Op.LOAD_VAR,
  STORE_VAR: Op.STORE_VAR,
  LOAD_OUTER: Op.LOAD_OUTER,
  STORE_OUTER: Op.STORE_OUTER,
  IS_ASSIGNED: Op.IS_ASSIGNED,
  POP: Op.POP,
  DUP: Op.DUP,
  SWAP: Op.SWAP,
  ADD_FAILURE_FRAME: Op.ADD_FAILURE_FRAME,
  ADD_FAIL_UP_FRAME: Op.ADD_FAIL_UP_FRAME,
  POP_FAILURE_FRAME: Op.POP_FAILURE_FRAME,
  FAIL: Op.FAIL,
  BRANCH: Op.BRANCH,
  EYIELD: Op.EYIELD,
  APPLY: Op.APPLY,
  APPLY_GEN: Op.APPLY_GEN,
  CALL_METHOD: Op.CALL_METHOD,
  CALL_METHOD_GEN: Op.CALL_METHOD_GEN,
  RETURN: Op.RETURN,
  RETURN_FAIL: Op.RETURN_FAIL,
  YIELD: Op.YIELD,
  GET_SLOT: Op.GET_SLOT,
  SET_SLOT: Op.SET_SLOT,
  MODULE_LOOKUP: Op.MODULE_LOOKUP,
  IMPORT: Op.IMPORT,
  FUNC_DEFN: Op.FUNC_DEFN,
  LIST: Op.LIST,
  SET: Op.SET,
  DICT: Op.DICT,
  IS: Op.IS,
  EQ: Op.EQ,
  NEQ: Op.NEQ,
  LT: Op.LT,
  LE: Op.LE,
  GT: Op.GT,
  GE: Op.GE,
  ADD: Op.ADD,
  SUB: Op.SUB,
  MUL: Op.MUL,
  DIV: Op.DIV,
  MOD: Op.MOD,
  EXBI: Op.EXBI,
  RAISE: Op.RAISE,
  RAISE_NEW: Op.RAISE_NEW,
  ADD_EXCEPTION_FRAME: Op.ADD_EXCEPTION_FRAME,
  POP_EXCEPTION_FRAME: Op.POP_EXCEPTION_FRAME,
  UNPACK: Op.UNPACK,
  GET_ITEM: Op.GET_ITEM,
  SET_ITEM: Op.SET_ITEM,
  COMPARE_BRANCH: Op.COMPARE_BRANCH,
  ASSIGN_VAR: Op.ASSIGN_VAR,
  ASSIGN_SLOT: Op.ASSIGN_SLOT,
  LOAD_VAR2: Op.LOAD_VAR2,
  ASSIGN_ITEM: Op.ASSIGN_ITEM,
  ARITH_VV: Op.ARITH_VV,
  ARITH_VI: Op.ARITH_VI,
  ARITH_SV: Op.ARITH_SV,
  ARITH_SI: Op.ARITH_SI,
  ASSIGN_ARITH_VV: Op.ASSIGN_ARITH_VV,
  ASSIGN_ARITH_VI: Op.ASSIGN_ARITH_VI,
  COMPARE_BRANCH_VV: Op.COMPARE_BRANCH_VV,
  COMPARE_BRANCH_VI: Op.COMPARE_BRANCH_VI,
  COMPARE_BRANCH_SV: Op.COMPARE_BRANCH_SV,
  COMPARE_BRANCH_SI: Op.COMPARE_BRANCH_SI,
  COMPARE_BRANCH_SB: Op.COMPARE_BRANCH_SB,
  GET_SLOT_VAR: Op.GET_SLOT_VAR,
  GET_ITEM_VV: Op.GET_ITEM_VV,
  ASSIGN_ITEM_VV: Op.ASSIGN_ITEM_VV,
  MOVE_VAR: Op.MOVE_VAR,
};

const BUILTIN_ENUM: Record<(typeof BUILTINS)[number], number> = {
  null: Builtin.null,
  Object: Builtin.Object,
  Class: Builtin.Class,
  Func: Builtin.Func,
  String: Builtin.String,
  List: Builtin.List,
  Dict: Builtin.Dict,
  Set: Builtin.Set,
  Int: Builtin.Int,
  Float: Builtin.Float,
  Module: Builtin.Module,
  Exception: Builtin.Exception,
  Partial_Application: Builtin.Partial_Application,
  NDIf_Exception: Builtin.NDIf_Exception,
  Assert_Exception: Builtin.Assert_Exception,
};

const OPERAND_KINDS: readonly OperandKind[] = ['const', 'name', 'int', 'var', 'depth', 'target', 'count', 'code', 'import', 'builtin', 'cmp', 'arith'];
const defs = OPS as readonly OpDef[];

// -- Enums against tables -------------------------------------------------------

test('every op in OPS has an Op enum member with its table index', (t) => {
  t.is(OP_COUNT, OPS.length);
  for (let i = 0; i < OPS.length; i++) {
    const name = OPS[i].name;
    t.is(opByName(name), i, name);
    t.is(OP_ENUM[name], i, `Op.${name} is ${OP_ENUM[name]}, but ${name} is entry ${i} of OPS`);
  }
});

test('the Op enum has no member that OPS lacks, and no two members share a number', (t) => {
  const names = Object.keys(OP_ENUM);
  t.is(names.length, OPS.length);
  for (const n of names) t.notThrows(() => opByName(n), `Op.${n} is not in OPS`);
  t.is(new Set(Object.values(OP_ENUM)).size, names.length);
});

test('opByName rejects unknown names', (t) => {
  t.throws(() => opByName('NO_SUCH_OP'), { message: /unknown opcode NO_SUCH_OP/ });
  t.throws(() => opByName('const'), { message: /unknown opcode/ });
});

test('every builtin in BUILTINS has a Builtin enum member with its table index', (t) => {
  t.is(Object.keys(BUILTIN_ENUM).length, BUILTINS.length);
  for (let i = 0; i < BUILTINS.length; i++) t.is(BUILTIN_ENUM[BUILTINS[i]], i, BUILTINS[i]);
  t.is(new Set(BUILTINS).size, BUILTINS.length);
});

// -- The table's own invariants ---------------------------------------------------

test('op names are unique UPPER_SNAKE identifiers', (t) => {
  t.is(new Set(OPS.map((o) => o.name)).size, OPS.length);
  for (const o of OPS) t.regex(o.name, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
});

test('every op has a one-sentence doc', (t) => {
  for (const o of defs) {
    t.true(o.doc.length >= 8, `${o.name}: doc too short`);
    t.is(o.doc, o.doc.trim(), `${o.name}: doc has stray whitespace`);
    t.true(o.doc.endsWith('.'), `${o.name}: doc must end with a full stop`);
    t.false(/\s{2}/.test(o.doc as string), `${o.name}: doc has a double space`);
    t.false(/\n/.test(o.doc), `${o.name}: doc spans lines`);
  }
});

test('operand kinds are valid and used consistently', (t) => {
  for (const o of defs) {
    for (let k = 0; k < o.operands.length; k++) {
      const kind = o.operands[k];
      t.true(OPERAND_KINDS.includes(kind), `${o.name}: unknown operand kind ${kind}`);
      // A closure depth is always followed by the variable it qualifies.
      if (kind === 'depth') t.is(o.operands[k + 1], 'var', `${o.name}: depth must precede var`);
    }
    t.is(new Set(o.operands.filter((k) => k !== 'var' && k !== 'count')).size, o.operands.filter((k) => k !== 'var' && k !== 'count').length, `${o.name}: repeated operand kind`);
  }
});

test('jump targets: branch ops end with a target, goto only BRANCH and FAIL', (t) => {
  for (const o of defs) {
    const targets = o.operands.filter((k) => k === 'target').length;
    t.true(targets <= 1, `${o.name}: more than one target`);
    if (o.flow === 'branch') t.is(o.operands[o.operands.length - 1], 'target', `${o.name}: branch without a trailing target`);
    if (targets === 1 && o.flow !== 'branch') {
      // The only non-branch ops with a target are BRANCH (goto) and the frame pushers (handler pc).
      t.true(o.name === 'BRANCH' || o.marker === true, `${o.name}: unexpected target operand`);
    }
  }
  t.deepEqual(defs.filter((o) => o.flow === 'goto').map((o) => o.name).sort(), ['BRANCH', 'FAIL']);
});

test('stack effects are non-negative and operand-dependent only through a count', (t) => {
  const samples = [0, 1, 2, 7, 65535];
  for (const o of defs) {
    for (const eff of [o.pops, o.pushes]) {
      if (typeof eff === 'number') {
        t.true(Number.isInteger(eff) && eff >= 0, `${o.name}: bad stack effect ${eff}`);
        continue;
      }
      t.true(o.operands.includes('count'), `${o.name}: operand-dependent effect without a count operand`);
      for (const n of samples) {
        const operands = o.operands.map((k) => (k === 'count' ? n : 0));
        const v = eff(operands);
        t.true(Number.isInteger(v) && v >= 0, `${o.name}: effect ${v} for count ${n}`);
      }
    }
  }
});

test('stack effects of the call and display ops follow their count', (t) => {
  const eff = (name: OpName, operands: number[]) => {
    const d = defs[opByName(name)];
    const ev = (e: OpDef['pops']) => (typeof e === 'number' ? e : e(operands));
    return [ev(d.pops), ev(d.pushes)];
  };
  t.deepEqual(eff('APPLY', [3]), [4, 1]);
  t.deepEqual(eff('CALL_METHOD', [0, 2]), [3, 1]);
  t.deepEqual(eff('LIST', [5]), [5, 1]);
  t.deepEqual(eff('DICT', [2]), [4, 1]);
  t.deepEqual(eff('UNPACK', [3]), [1, 4]);
});

test('instrWords is one opcode word plus one word per operand', (t) => {
  for (let i = 0; i < OPS.length; i++) t.is(instrWords(i), 1 + OPS[i].operands.length, OPS[i].name);
  t.is(instrWords(Op.LOAD_OUTER), 3);
  t.is(instrWords(Op.POP), 1);
});

test('only ops that leave the function are flow end; RETURN pops its result', (t) => {
  t.deepEqual(defs.filter((o) => o.flow === 'end').map((o) => o.name).sort(), ['RAISE', 'RAISE_NEW', 'RETURN', 'RETURN_FAIL']);
  t.is(defs[Op.RETURN].pops, 1);
  t.is(defs[Op.RAISE].pops, 1);
});
