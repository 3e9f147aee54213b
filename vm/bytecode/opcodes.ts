// The instruction set: the single source of truth. The encoder (compiler), decoder,
// disassembler, verifier, docs/bytecode.md and the Converge compiler's opcode module
// are all derived from OPS. An instruction is one opcode word followed by its operand
// words; pcs are word indexes into the function's code.
//
// Stack effects: `pops`/`pushes` are numbers, or functions of the operands. Instructions
// flagged `marker` push or pop failure/generator/exception frames (stack markers, see
// docs/bytecode.md): their effect depends on the marker stack, which the verifier tracks.

export type OperandKind =
  | 'const' // index into the module's constant table
  | 'name' // index into the module's constant table; must be a String
  | 'int' // a literal small integer
  | 'var' // local variable index
  | 'depth' // closure depth (1 = enclosing function's variables)
  | 'target' // a pc in the same function
  | 'count' // an element or argument count
  | 'code' // index of a function in the module
  | 'import' // index into the module's import table
  | 'builtin' // index of a VM builtin object (Builtin below)
  | 'cmp' // a comparison: 0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=, 6 is (CMP_OPS below), plus CMP_NOT for its negation
  | 'arith'; // an arithmetic operator: 0 +, 1 -, 2 *, 3 /, 4 % (ARITH_OPS below)

export interface OpDef {
  readonly name: string;
  readonly operands: readonly OperandKind[];
  readonly pops: number | ((ops: readonly number[]) => number);
  readonly pushes: number | ((ops: readonly number[]) => number);
  /** Control flow after the instruction: next, jump (+ next), goto (target only), end (leaves the function). */
  readonly flow: 'next' | 'branch' | 'goto' | 'end';
  /** May fail (transfer to the innermost failure frame). */
  readonly fails?: boolean;
  /** Pushes or pops stack markers; the verifier models it specially. */
  readonly marker?: boolean;
  readonly doc: string;
}

/** Sizes of stack markers in slots. */
export const FAILURE_MARKER_SLOTS = 3;
export const GEN_MARKER_SLOTS = 4;
export const EXCEPTION_MARKER_SLOTS = 4;

export const OPS = [
  { name: 'CONST', operands: ['const'], pops: 0, pushes: 1, flow: 'next', doc: 'Push constant k of the module.' },
  { name: 'INT', operands: ['int'], pops: 0, pushes: 1, flow: 'next', doc: 'Push the small integer n.' },
  { name: 'BUILTIN', operands: ['builtin'], pops: 0, pushes: 1, flow: 'next', doc: 'Push VM builtin object k (null, Object, Class...).' },
  { name: 'MODULE', operands: [], pops: 0, pushes: 1, flow: 'next', doc: 'Push the module the running code belongs to (self_module).' },
  { name: 'LOAD_VAR', operands: ['var'], pops: 0, pushes: 1, flow: 'next', doc: 'Push local variable i; Unassigned_Var_Exception if unassigned.' },
  { name: 'STORE_VAR', operands: ['var'], pops: 1, pushes: 1, flow: 'next', doc: 'Store the top of stack (left in place) in local variable i.' },
  { name: 'LOAD_OUTER', operands: ['depth', 'var'], pops: 0, pushes: 1, flow: 'next', doc: 'Push variable i of the closure d levels out.' },
  { name: 'STORE_OUTER', operands: ['depth', 'var'], pops: 1, pushes: 1, flow: 'next', doc: 'Store the top of stack (left in place) in variable i of the closure d levels out.' },
  { name: 'IS_ASSIGNED', operands: ['var', 'target'], pops: 0, pushes: 0, flow: 'branch', doc: 'Jump to t if local variable i is assigned (skips a parameter default).' },
  { name: 'POP', operands: [], pops: 1, pushes: 0, flow: 'next', doc: 'Discard the top of stack.' },
  { name: 'DUP', operands: [], pops: 1, pushes: 2, flow: 'next', doc: 'Duplicate the top of stack.' },
  { name: 'SWAP', operands: [], pops: 2, pushes: 2, flow: 'next', doc: 'Exchange the two top stack values.' },
  { name: 'ADD_FAILURE_FRAME', operands: ['target'], pops: 0, pushes: 0, flow: 'next', marker: true, doc: 'Start a bound expression: failure inside it jumps to t.' },
  { name: 'ADD_FAIL_UP_FRAME', operands: [], pops: 0, pushes: 0, flow: 'next', marker: true, doc: 'Start a for condition: failure inside it resumes the newest generator.' },
  { name: 'POP_FAILURE_FRAME', operands: [], pops: 0, pushes: 0, flow: 'next', marker: true, doc: 'End the innermost bound expression, discarding everything above its marker.' },
  { name: 'FAIL', operands: [], pops: 0, pushes: 0, flow: 'goto', fails: true, doc: 'Fail now.' },
  { name: 'BRANCH', operands: ['target'], pops: 0, pushes: 0, flow: 'goto', doc: 'Jump to t.' },
  { name: 'EYIELD', operands: [], pops: 1, pushes: 1, flow: 'next', marker: true, doc: 'Alternation: end the alternative\'s failure frame, leaving a generator marker that resumes at its target.' },
  { name: 'APPLY', operands: ['count'], pops: (o) => o[0] + 1, pushes: 1, flow: 'next', fails: true, doc: 'Call f(a1..an): [f, a1..an] -> [result]; fails if the callee fails.' },
  { name: 'APPLY_GEN', operands: ['count'], pops: (o) => o[0] + 1, pushes: 1, flow: 'next', fails: true, marker: true, doc: 'Call f(a1..an) as a resumable generator (inside a for condition).' },
  { name: 'CALL_METHOD', operands: ['name', 'count'], pops: (o) => o[1] + 1, pushes: 1, flow: 'next', fails: true, doc: 'Call o.name(a1..an): [o, a1..an] -> [result], without building a bound method.' },
  { name: 'CALL_METHOD_GEN', operands: ['name', 'count'], pops: (o) => o[1] + 1, pushes: 1, flow: 'next', fails: true, marker: true, doc: 'As CALL_METHOD, as a resumable generator.' },
  { name: 'RETURN', operands: [], pops: 1, pushes: 0, flow: 'end', doc: 'Return the top of stack.' },
  { name: 'RETURN_FAIL', operands: [], pops: 0, pushes: 0, flow: 'end', doc: 'Make the call fail.' },
  { name: 'YIELD', operands: [], pops: 1, pushes: 1, flow: 'next', doc: 'Produce the top of stack (left in place) to the caller and suspend.' },
  { name: 'GET_SLOT', operands: ['name'], pops: 1, pushes: 1, flow: 'next', doc: 'o.name: [o] -> [value]; binds bound functions.' },
  { name: 'SET_SLOT', operands: ['name'], pops: 2, pushes: 1, flow: 'next', doc: 'o.name := v: [v, o] -> [v].' },
  { name: 'MODULE_LOOKUP', operands: ['name'], pops: 1, pushes: 1, flow: 'next', doc: 'm::name: [m] -> [definition].' },
  { name: 'IMPORT', operands: ['import'], pops: 0, pushes: 1, flow: 'next', doc: 'Push imported module i, initialising it on first use.' },
  { name: 'FUNC_DEFN', operands: ['code'], pops: 0, pushes: 1, flow: 'next', doc: 'Push a new function for code c, closing over the current variables.' },
  { name: 'LIST', operands: ['count'], pops: (o) => o[0], pushes: 1, flow: 'next', doc: '[e1..en] -> [list].' },
  { name: 'SET', operands: ['count'], pops: (o) => o[0], pushes: 1, flow: 'next', doc: '[e1..en] -> [set].' },
  { name: 'DICT', operands: ['count'], pops: (o) => 2 * o[0], pushes: 1, flow: 'next', doc: '[k1, v1..kn, vn] -> [dict].' },
  { name: 'IS', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a is b, else fail.' },
  { name: 'EQ', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a == b, else fail.' },
  { name: 'NEQ', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a != b, else fail.' },
  { name: 'LT', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a < b, else fail.' },
  { name: 'LE', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a <= b, else fail.' },
  { name: 'GT', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a > b, else fail.' },
  { name: 'GE', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [b] if a >= b, else fail.' },
  { name: 'ADD', operands: [], pops: 2, pushes: 1, flow: 'next', doc: '[a, b] -> [a + b].' },
  { name: 'SUB', operands: [], pops: 2, pushes: 1, flow: 'next', doc: '[a, b] -> [a - b].' },
  { name: 'MUL', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [a * b] (a user * method may fail).' },
  { name: 'DIV', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [a / b].' },
  { name: 'MOD', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[a, b] -> [a % b].' },
  { name: 'EXBI', operands: ['name'], pops: 2, pushes: 1, flow: 'next', doc: '[self, C] -> [C.get_field(name) bound to self].' },
  { name: 'RAISE', operands: [], pops: 1, pushes: 0, flow: 'end', doc: 'Raise the exception on top of the stack.' },
  { name: 'RAISE_NEW', operands: ['builtin'], pops: 0, pushes: 0, flow: 'end', doc: 'Raise a new exception of builtin class k with an empty message (ndif, assert).' },
  { name: 'ADD_EXCEPTION_FRAME', operands: ['target'], pops: 0, pushes: 0, flow: 'next', marker: true, doc: 'Start a try body: an exception inside it jumps to t with the exception pushed.' },
  { name: 'POP_EXCEPTION_FRAME', operands: [], pops: 0, pushes: 0, flow: 'next', marker: true, doc: 'End the innermost try body.' },
  { name: 'UNPACK', operands: ['count'], pops: 1, pushes: (o) => o[0] + 1, flow: 'next', doc: '[l] -> [l, en..e1] (e1 on top); l must be a list of n elements.' },
  { name: 'GET_ITEM', operands: [], pops: 2, pushes: 1, flow: 'next', fails: true, doc: '[c, i] -> [c.get(i)].' },
  { name: 'SET_ITEM', operands: [], pops: 3, pushes: 1, flow: 'next', fails: true, doc: '[v, c, i] -> [v] after c.set(i, v).' },
  { name: 'COMPARE_BRANCH', operands: ['cmp', 'target'], pops: 2, pushes: 0, flow: 'branch', doc: 'A condition that is one comparison: [a, b] -> [], jumping to t unless `a cmp b` holds.' },
  { name: 'ASSIGN_VAR', operands: ['var'], pops: 1, pushes: 0, flow: 'next', doc: 'Statement `x := e`: pop the top of stack into local variable i (STORE_VAR then POP).' },
  { name: 'ASSIGN_SLOT', operands: ['name'], pops: 2, pushes: 0, flow: 'next', doc: 'Statement `o.name := v`: [v, o] -> [] (SET_SLOT then POP).' },
  { name: 'LOAD_VAR2', operands: ['var', 'var'], pops: 0, pushes: 2, flow: 'next', doc: 'Two LOAD_VARs in one: push local variables i then j (the second\'s source position is recorded at the word of j).' },
  { name: 'ASSIGN_ITEM', operands: [], pops: 3, pushes: 0, flow: 'next', fails: true, doc: 'Statement `c[i] := v`: [v, c, i] -> [] after c.set(i, v) (SET_ITEM then POP).' },
  // Operators whose operands are named by the instruction (variables of this function,
  // small integers) instead of being pushed first: one dispatch instead of two to four.
  // The operator's source position is recorded at the opcode word, each variable's at
  // its operand word.
  { name: 'ARITH_VV', operands: ['arith', 'var', 'var'], pops: 0, pushes: 1, flow: 'next', fails: true, doc: 'LOAD_VAR a, LOAD_VAR b, then arithmetic operator op: [] -> [a op b].' },
  { name: 'ARITH_VI', operands: ['arith', 'var', 'int'], pops: 0, pushes: 1, flow: 'next', fails: true, doc: 'LOAD_VAR a, INT n, then arithmetic operator op: [] -> [a op n].' },
  { name: 'ARITH_SV', operands: ['arith', 'var'], pops: 1, pushes: 1, flow: 'next', fails: true, doc: 'LOAD_VAR b, then arithmetic operator op: [a] -> [a op b].' },
  { name: 'ARITH_SI', operands: ['arith', 'int'], pops: 1, pushes: 1, flow: 'next', fails: true, doc: 'INT n, then arithmetic operator op: [a] -> [a op n].' },
  { name: 'ASSIGN_ARITH_VV', operands: ['var', 'arith', 'var', 'var'], pops: 0, pushes: 0, flow: 'next', fails: true, doc: 'Statement `d := a op b` (ARITH_VV then ASSIGN_VAR d).' },
  { name: 'ASSIGN_ARITH_VI', operands: ['var', 'arith', 'var', 'int'], pops: 0, pushes: 0, flow: 'next', fails: true, doc: 'Statement `d := a op n`, e.g. `i += 1` (ARITH_VI then ASSIGN_VAR d).' },
  { name: 'COMPARE_BRANCH_VV', operands: ['cmp', 'var', 'var', 'target'], pops: 0, pushes: 0, flow: 'branch', doc: 'LOAD_VAR a, LOAD_VAR b, COMPARE_BRANCH: jump to t unless `a cmp b` holds.' },
  { name: 'COMPARE_BRANCH_VI', operands: ['cmp', 'var', 'int', 'target'], pops: 0, pushes: 0, flow: 'branch', doc: 'LOAD_VAR a, INT n, COMPARE_BRANCH: jump to t unless `a cmp n` holds.' },
  { name: 'COMPARE_BRANCH_SV', operands: ['cmp', 'var', 'target'], pops: 1, pushes: 0, flow: 'branch', doc: 'LOAD_VAR b, COMPARE_BRANCH: [a] -> [], jumping to t unless `a cmp b` holds.' },
  { name: 'COMPARE_BRANCH_SI', operands: ['cmp', 'int', 'target'], pops: 1, pushes: 0, flow: 'branch', doc: 'INT n, COMPARE_BRANCH: [a] -> [], jumping to t unless `a cmp n` holds.' },
  { name: 'COMPARE_BRANCH_SB', operands: ['cmp', 'builtin', 'target'], pops: 1, pushes: 0, flow: 'branch', doc: 'BUILTIN k, COMPARE_BRANCH: [a] -> [], jumping to t unless `a cmp k` holds (e.g. `x is null`).' },
  { name: 'GET_SLOT_VAR', operands: ['var', 'name'], pops: 0, pushes: 1, flow: 'next', doc: 'LOAD_VAR o, GET_SLOT name: [] -> [o.name].' },
  { name: 'GET_ITEM_VV', operands: ['var', 'var'], pops: 0, pushes: 1, flow: 'next', doc: 'LOAD_VAR c, LOAD_VAR i, GET_ITEM: [] -> [c[i]].' },
  { name: 'ASSIGN_ITEM_VV', operands: ['var', 'var'], pops: 1, pushes: 0, flow: 'next', doc: 'LOAD_VAR c, LOAD_VAR i, ASSIGN_ITEM: [v] -> [], setting c[i] := v (the statement).' },
  { name: 'MOVE_VAR', operands: ['var', 'var'], pops: 0, pushes: 0, flow: 'next', doc: 'LOAD_VAR a, ASSIGN_VAR b: b := a; Unassigned_Var_Exception if a is unassigned.' },
] as const satisfies readonly OpDef[];

/** The operators of the ARITH instructions, by operand value: Op.ADD + operand. */
export const ARITH_OPS = ['+', '-', '*', '/', '%'] as const;

/** The comparisons of COMPARE_BRANCH, by operand value; each is also its own opcode. */
export const CMP_OPS = ['EQ', 'NEQ', 'LT', 'LE', 'GT', 'GE', 'IS'] as const;
export const CMP_IS = 6;
/** Added to a comparison operand: `not a cmp b`, which holds where the comparison fails. */
export const CMP_NOT = 8;

/** Is `v` a valid comparison operand? */
export function validCmp(v: number): boolean {
  return v >= 0 && (v & ~CMP_NOT) < CMP_OPS.length;
}

/** A comparison operand as the disassembler and docs show it (`IS`, `NOT IS`). */
export function cmpName(v: number): string {
  if (!validCmp(v)) return `${v}?`;
  return (v & CMP_NOT ? 'NOT ' : '') + CMP_OPS[v & ~CMP_NOT];
}

export type OpName = (typeof OPS)[number]['name'];

/** Opcode numbers, for the dispatch switch (a const enum, so V8 sees literal cases). */
export const enum Op {
  CONST = 0,
  INT,
  BUILTIN,
  MODULE,
  LOAD_VAR,
  STORE_VAR,
  LOAD_OUTER,
  STORE_OUTER,
  IS_ASSIGNED,
  POP,
  DUP,
  SWAP,
  ADD_FAILURE_FRAME,
  ADD_FAIL_UP_FRAME,
  POP_FAILURE_FRAME,
  FAIL,
  BRANCH,
  EYIELD,
  APPLY,
  APPLY_GEN,
  CALL_METHOD,
  CALL_METHOD_GEN,
  RETURN,
  RETURN_FAIL,
  YIELD,
  GET_SLOT,
  SET_SLOT,
  MODULE_LOOKUP,
  IMPORT,
  FUNC_DEFN,
  LIST,
  SET,
  DICT,
  IS,
  EQ,
  NEQ,
  LT,
  LE,
  GT,
  GE,
  ADD,
  SUB,
  MUL,
  DIV,
  MOD,
  EXBI,
  RAISE,
  RAISE_NEW,
  ADD_EXCEPTION_FRAME,
  POP_EXCEPTION_FRAME,
  UNPACK,
  GET_ITEM,
  SET_ITEM,
  COMPARE_BRANCH,
  ASSIGN_VAR,
  ASSIGN_SLOT,
  LOAD_VAR2,
  ASSIGN_ITEM,
  ARITH_VV,
  ARITH_VI,
  ARITH_SV,
  ARITH_SI,
  ASSIGN_ARITH_VV,
  ASSIGN_ARITH_VI,
  COMPARE_BRANCH_VV,
  COMPARE_BRANCH_VI,
  COMPARE_BRANCH_SV,
  COMPARE_BRANCH_SI,
  COMPARE_BRANCH_SB,
  GET_SLOT_VAR,
  GET_ITEM_VV,
  ASSIGN_ITEM_VV,
  MOVE_VAR,
}

export const OP_COUNT = OPS.length;

export function opByName(name: string): number {
  const i = OPS.findIndex((o) => o.name === name);
  if (i < 0) throw new Error(`unknown opcode ${name}`);
  return i;
}

/** Number of words of the instruction with opcode `op`. */
const INSTR_WORDS = Int8Array.from(OPS, (o) => 1 + o.operands.length);

export function instrWords(op: number): number {
  return INSTR_WORDS[op];
}

/** VM builtin objects reachable with BUILTIN k / RAISE_NEW k. */
export const BUILTINS = [
  'null',
  'Object',
  'Class',
  'Func',
  'String',
  'List',
  'Dict',
  'Set',
  'Int',
  'Float',
  'Module',
  'Exception',
  'Partial_Application',
  'NDIf_Exception',
  'Assert_Exception',
] as const;

export const enum Builtin {
  null = 0,
  Object,
  Class,
  Func,
  String,
  List,
  Dict,
  Set,
  Int,
  Float,
  Module,
  Exception,
  Partial_Application,
  NDIf_Exception,
  Assert_Exception,
}
