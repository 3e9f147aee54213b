// The .cvb loader (format-cvb.ts) and the verifier (verify.ts): units the compiler emits
// round-trip through a file and verify; hand-made bad files and bad code are rejected
// with LoadError / VerifyError messages that name the problem.

import test from 'ava';
import { LoadError, MODULE_MAGIC, FORMAT_VERSION, readUnit, writeUnit } from '../format-cvb.js';
import { VerifyError, stackDepth, verifyUnit } from '../verify.js';
import { BUILTINS, Op } from '../opcodes.js';
import { disassemble } from '../disasm.js';
import type { CodeDef, UnitDef } from '../unit.js';
import { SMALL_MAX, SMALL_MIN } from '../../rts/value.js';
import { SAMPLE_SOURCES, compilePrograms, compileSource, mkCode, mkUnit, plain } from './helpers.js';

const programs = compilePrograms();

// -- Round trip ---------------------------------------------------------------------

for (const [name, src] of Object.entries(SAMPLE_SOURCES)) {
  test(`round trip: sample '${name}' survives writeUnit -> readUnit unchanged`, (t) => {
    const u = compileSource(src, name);
    const bytes = writeUnit(u);
    const back = readUnit(bytes, `${name}.cvb`);
    t.deepEqual(back, plain(u));
    // Writing what was read gives the same bytes: the format has one encoding per unit.
    t.deepEqual(writeUnit(back), bytes);
    t.notThrows(() => verifyUnit(back));
  });
}

test('round trip: every compilable bench/ and regress/ program', (t) => {
  t.true(programs.ok.length >= 8, `only ${programs.ok.length} programs compiled`);
  for (const { file, unit } of programs.ok) {
    const bytes = writeUnit(unit);
    const back = readUnit(bytes, file);
    t.deepEqual(back, plain(unit), file);
    t.deepEqual(writeUnit(back), bytes, file);
  }
  if (programs.skipped.length > 0) t.log(`skipped (stage 0 cannot compile them): ${programs.skipped.join(', ')}`);
});

test('round trip keeps every constant kind exactly', (t) => {
  const consts: UnitDef['consts'] = [
    { kind: 'string', value: Uint8Array.from([0, 255, 10, 13, 0x80, 0xc3]) },
    { kind: 'string', value: new Uint8Array(0) },
    { kind: 'int', value: -(1n << 63n) },
    { kind: 'int', value: (1n << 63n) - 1n },
    { kind: 'int', value: -1n },
    { kind: 'int', value: 0x1_0000_0000n },
    { kind: 'float', value: -0 },
    { kind: 'float', value: NaN },
    { kind: 'float', value: Infinity },
    { kind: 'float', value: 5e-324 },
  ];
  const u = mkUnit([mkCode([Op.CONST, 9, Op.RETURN], { name: '' })], { consts });
  const back = readUnit(writeUnit(u), 'c.cvb');
  t.deepEqual(back.consts, plain(u).consts);
  t.true(Object.is((back.consts[6] as { value: number }).value, -0));
});

test('round trip keeps function flags, defaults and names (including non-ASCII)', (t) => {
  const f: CodeDef = {
    ...mkCode([Op.BUILTIN, 0, Op.RETURN], { name: 'fün', nVars: 4, nParams: 2, varargs: true, isBound: true, hasLoop: true }),
    defaults: Uint8Array.from([0, 1]),
  };
  const u = { ...mkUnit([mkCode([Op.FUNC_DEFN, 1, Op.RETURN], { name: '', nVars: 1 }), f]), name: 'mödule', srcMtime: 1234.5 };
  const back = readUnit(writeUnit(u), 'f.cvb');
  t.deepEqual(back, plain(u));
});

// -- The verifier accepts what the compiler emits ---------------------------------

test('verifyUnit accepts every unit stage 0 emits for bench/ and regress/', (t) => {
  for (const { file, unit } of programs.ok) t.notThrows(() => verifyUnit(unit), file);
});

test("the compiler's declared max stack is exactly the verifier's computed depth", (t) => {
  for (const { file, unit } of [...programs.ok, ...Object.entries(SAMPLE_SOURCES).map(([n, s]) => ({ file: n, unit: compileSource(s, n) }))]) {
    // Recompute with the tree of closures the verifier derives (outer depths do not affect the count).
    const outer = unit.codes.map(() => 255);
    for (const c of unit.codes) {
      t.is(stackDepth(c, { unit, outerVars: outer }), c.maxStack, `${file}: ${c.name || '<anon>'}`);
    }
  }
});

test('the disassembler prints every instruction of compiled units by name', (t) => {
  const u = compileSource(SAMPLE_SOURCES.control, 'control');
  const text = disassemble(u);
  for (const name of ['ADD_FAILURE_FRAME', 'APPLY_GEN', 'ADD_EXCEPTION_FRAME', 'UNPACK', 'FUNC_DEFN', 'DICT', 'ASSIGN_SLOT']) t.regex(text, new RegExp(`\\b${name}\\b`));
  t.regex(text, /const \d+: int 12345678901234/);
  t.regex(text, /import 1: Exceptions/);
});

// -- LoadError: bad files -----------------------------------------------------------

const good = writeUnit(compileSource(SAMPLE_SOURCES.hello, 'hello'));

function loadErr(t: import('ava').ExecutionContext, b: Uint8Array, re: RegExp): void {
  const e = t.throws(() => readUnit(b, 'bad.cvb'), { instanceOf: LoadError });
  if (e) {
    t.regex(e.message, /^bad\.cvb: invalid bytecode file: /);
    t.regex(e.message, re);
  }
}

function withWord(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setInt32(at, v, true);
  return c;
}

test('LoadError: empty, short and non-module files', (t) => {
  loadErr(t, new Uint8Array(0), /truncated file/);
  loadErr(t, Buffer.from('CONV'), /truncated file/);
  loadErr(t, Buffer.from('#!/bin/sh\necho hi\n'), /bad magic/);
  loadErr(t, Buffer.from(MODULE_MAGIC), /truncated file/);
});

test('LoadError: wrong format version', (t) => {
  loadErr(t, withWord(good, 8, FORMAT_VERSION + 1), new RegExp(`format version ${FORMAT_VERSION + 1}, expected ${FORMAT_VERSION}`));
});

test('LoadError: every truncation of a valid file', (t) => {
  for (let n = 0; n < good.length; n++) {
    const e = t.throws(() => readUnit(good.subarray(0, n), 'bad.cvb'), { instanceOf: LoadError }, `truncated to ${n}`);
    if (e) t.regex(e.message, /truncated|bad|count|does not match/);
  }
});

test('LoadError: trailing bytes', (t) => {
  const b = new Uint8Array(good.length + 4);
  b.set(good);
  loadErr(t, b, /trailing bytes after the compiler id/);
});

test('LoadError: string length larger than the file or negative', (t) => {
  loadErr(t, withWord(good, 12, 1 << 20), /truncated file/);
  loadErr(t, withWord(good, 12, -5), /bad byte-string length count -5/);
  loadErr(t, withWord(good, 12, 0x7fffffff), /bad byte-string length count/);
});

test('LoadError: bad constant tag, default flag, function flags and counts', (t) => {
  const u = mkUnit([mkCode([Op.BUILTIN, 0, Op.RETURN], { name: '', nVars: 2, nParams: 1 })]);
  const b = writeUnit(u);
  const w = new DataView(b.buffer);
  // Header: magic 8, version 4, three strings ('hand' 4+4, '/virtual/hand.cv' 4+16, same), mtime 8.
  const nconstsAt = 8 + 4 + 8 + 20 + 20 + 8;
  t.is(w.getInt32(nconstsAt, true), 2);
  loadErr(t, withWord(b, nconstsAt + 4, 7), /bad constant tag 7/);
  loadErr(t, withWord(b, nconstsAt, -1), /bad constant count -1/);
  loadErr(t, withWord(b, nconstsAt, 1 << 25), /bad constant count/);
  // The function record ends: flags, nops (3), 3 op words, 6 position words, no failure
  // ranges (a count of 0), 2 names of 2 bytes; then the file ends with no package entries
  // (-1) and an empty compiler id.
  const flagsAt = b.length - (4 + 3 * 4 + 6 * 4 + 4 + 4 + 2 * 8 + 4 + 4) - 4;
  t.is(w.getInt32(flagsAt - 20, true), 0, 'layout assumption: empty function name before the flags');
  loadErr(t, withWord(b, flagsAt - 4, 2), /bad default flag 2/);
  loadErr(t, withWord(b, flagsAt, 8), /bad function flags 8/);
  loadErr(t, withWord(b, flagsAt - 16, 1 << 17), /bad stack size count/);
  loadErr(t, withWord(b, flagsAt - 12, 0), /more parameters than variables/);
  loadErr(t, withWord(b, flagsAt + 4, -1), /bad instruction word count -1/);
});
test('LoadError: no functions, and init code not matching the top-level variables', (t) => {
  const noCodes = { ...mkUnit([mkCode([Op.BUILTIN, 0, Op.RETURN], { name: '' })]), codes: [] };
  loadErr(t, writeUnit(noCodes), /no module initialisation code/);
  const mismatch = { ...mkUnit([mkCode([Op.BUILTIN, 0, Op.RETURN], { name: '', nVars: 1 })]), topVars: [] };
  loadErr(t, writeUnit(mismatch), /does not match its top-level variables/);
});

// -- VerifyError: bad code ------------------------------------------------------------
// Each case is a small valid unit with one thing broken; the valid version is checked
// too, so a case cannot pass because the unit was broken in some other way.

interface BadCase {
  readonly name: string;
  readonly good: UnitDef;
  readonly bad: UnitDef;
  readonly message: RegExp;
}

const init = (ops: number[], o: Parameters<typeof mkCode>[1] = {}) => mkCode(ops, { name: '', ...o });
const R = [Op.BUILTIN, 0, Op.RETURN]; // return null

const CASES: BadCase[] = [
  {
    name: 'bad opcode',
    good: mkUnit([init([Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([999, Op.RETURN])]),
    message: /pc 0: bad opcode 999/,
  },
  {
    name: 'negative opcode',
    good: mkUnit([init([Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([-1, Op.RETURN])]),
    message: /pc 0: bad opcode -1/,
  },
  {
    name: 'const operand out of range',
    good: mkUnit([init([Op.CONST, 1, Op.RETURN])]),
    bad: mkUnit([init([Op.CONST, 2, Op.RETURN])]),
    message: /pc 0: constant 2 out of range/,
  },
  {
    name: 'name operand not a string constant',
    good: mkUnit([init([Op.MODULE, Op.GET_SLOT, 0, Op.RETURN])]),
    bad: mkUnit([init([Op.MODULE, Op.GET_SLOT, 1, Op.RETURN])]),
    message: /pc 1: name operand 1 is not a string constant/,
  },
  {
    name: 'var operand out of range',
    good: mkUnit([init([Op.LOAD_VAR, 1, Op.RETURN], { nVars: 2 })]),
    bad: mkUnit([init([Op.LOAD_VAR, 2, Op.RETURN], { nVars: 2 })]),
    message: /pc 0: variable 2 out of range/,
  },
  {
    name: 'negative var operand',
    good: mkUnit([init([Op.MODULE, Op.STORE_VAR, 0, Op.RETURN], { nVars: 1 })]),
    bad: mkUnit([init([Op.MODULE, Op.STORE_VAR, -1, Op.RETURN], { nVars: 1 })]),
    message: /pc 1: variable -1 out of range/,
  },
  {
    name: 'closure depth out of range',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN], { nVars: 3 }), mkCode([Op.LOAD_OUTER, 1, 2, Op.RETURN])]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN], { nVars: 3 }), mkCode([Op.LOAD_OUTER, 2, 2, Op.RETURN])]),
    message: /pc 0: closure depth 2 out of range/,
  },
  {
    name: 'closure depth 0',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN], { nVars: 3 }), mkCode([Op.MODULE, Op.STORE_OUTER, 1, 0, Op.RETURN])]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN], { nVars: 3 }), mkCode([Op.MODULE, Op.STORE_OUTER, 0, 0, Op.RETURN])]),
    message: /pc 1: closure depth 0 out of range/,
  },
  {
    name: 'outer var out of range of the enclosing function',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN], { nVars: 3 }), mkCode([Op.LOAD_OUTER, 1, 2, Op.RETURN], { nVars: 9 })]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN], { nVars: 3 }), mkCode([Op.LOAD_OUTER, 1, 3, Op.RETURN], { nVars: 9 })]),
    message: /pc 0: variable 3 out of range/,
  },
  {
    name: 'import operand out of range',
    good: mkUnit([init([Op.IMPORT, 0, Op.RETURN])]),
    bad: mkUnit([init([Op.IMPORT, 1, Op.RETURN])]),
    message: /pc 0: import 1 out of range/,
  },
  {
    name: 'code operand out of range',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode(R)]),
    bad: mkUnit([init([Op.FUNC_DEFN, 2, Op.RETURN]), mkCode(R)]),
    message: /pc 0: function 2 out of range/,
  },
  {
    name: 'FUNC_DEFN of the init code',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode(R)]),
    bad: mkUnit([init([Op.FUNC_DEFN, 0, Op.RETURN]), mkCode(R)]),
    message: /pc 0: function 0 out of range/,
  },
  {
    name: 'builtin operand out of range',
    good: mkUnit([init([Op.BUILTIN, BUILTINS.length - 1, Op.RETURN])]),
    bad: mkUnit([init([Op.BUILTIN, BUILTINS.length, Op.RETURN])]),
    message: new RegExp(`pc 0: builtin ${BUILTINS.length} out of range`),
  },
  {
    name: 'RAISE_NEW builtin out of range',
    good: mkUnit([init([Op.RAISE_NEW, 13])]),
    bad: mkUnit([init([Op.RAISE_NEW, -3])]),
    message: /pc 0: builtin -3 out of range/,
  },
  {
    name: 'int operand above the small-int range',
    good: mkUnit([init([Op.INT, SMALL_MAX, Op.RETURN])]),
    bad: mkUnit([init([Op.INT, SMALL_MAX + 1, Op.RETURN])]),
    message: new RegExp(`pc 0: integer operand ${SMALL_MAX + 1} out of range`),
  },
  {
    name: 'int operand below the small-int range',
    good: mkUnit([init([Op.INT, SMALL_MIN, Op.RETURN])]),
    bad: mkUnit([init([Op.INT, SMALL_MIN - 1, Op.RETURN])]),
    message: /integer operand -1073741825 out of range/,
  },
  {
    name: 'count operand out of range',
    good: mkUnit([init([Op.LIST, 0, Op.RETURN])]),
    bad: mkUnit([init([Op.LIST, -1, Op.RETURN])]),
    message: /pc 0: count -1 out of range/,
  },
  {
    name: 'jump into the middle of an instruction',
    good: mkUnit([init([Op.BRANCH, 2, Op.INT, 5, Op.RETURN])]),
    bad: mkUnit([init([Op.BRANCH, 3, Op.INT, 5, Op.RETURN])]),
    message: /pc 0: jump target 3 is not an instruction/,
  },
  {
    name: 'jump past the end',
    good: mkUnit([init([Op.BRANCH, 2, Op.INT, 5, Op.RETURN])]),
    bad: mkUnit([init([Op.BRANCH, 5, Op.INT, 5, Op.RETURN])]),
    message: /pc 0: jump target 5 is not an instruction/,
  },
  {
    name: 'handler target inside an instruction',
    good: mkUnit([init([Op.ADD_EXCEPTION_FRAME, 5, Op.POP_EXCEPTION_FRAME, Op.MODULE, Op.RETURN, Op.RETURN])]),
    bad: mkUnit([init([Op.ADD_EXCEPTION_FRAME, 1, Op.POP_EXCEPTION_FRAME, Op.MODULE, Op.RETURN, Op.RETURN])]),
    message: /pc 0: jump target 1 is not an instruction/,
  },
  {
    name: 'instruction runs past the end',
    good: mkUnit([init([Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.MODULE, Op.RETURN, Op.CONST])]),
    message: /instruction runs past the end of the function/,
  },
  {
    name: 'stack underflow at depth 0',
    good: mkUnit([init([Op.MODULE, Op.POP, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.POP, Op.MODULE, Op.RETURN])]),
    message: /pc 0: POP pops below the innermost stack marker/,
  },
  {
    name: 'stack underflow below a failure marker',
    good: mkUnit([init([Op.MODULE, Op.ADD_FAILURE_FRAME, 7, Op.MODULE, Op.POP, Op.POP_FAILURE_FRAME, Op.RETURN, Op.RETURN])]),
    bad: mkUnit([init([Op.MODULE, Op.ADD_FAILURE_FRAME, 7, Op.POP, Op.MODULE, Op.POP_FAILURE_FRAME, Op.RETURN, Op.RETURN])]),
    message: /pc 3: POP pops below the innermost stack marker/,
  },
  {
    name: 'call underflow below an exception marker',
    good: mkUnit([init([Op.MODULE, Op.ADD_EXCEPTION_FRAME, 9, Op.MODULE, Op.APPLY, 0, Op.POP, Op.POP_EXCEPTION_FRAME, Op.RETURN, Op.RETURN])]),
    bad: mkUnit([init([Op.MODULE, Op.ADD_EXCEPTION_FRAME, 9, Op.MODULE, Op.APPLY, 1, Op.POP, Op.POP_EXCEPTION_FRAME, Op.RETURN, Op.RETURN])]),
    message: /pc 4: APPLY pops below the innermost stack marker/,
  },
  {
    name: 'declared max stack too small',
    good: mkUnit([init([Op.MODULE, Op.MODULE, Op.POP, Op.RETURN], { maxStack: 2 })]),
    bad: mkUnit([init([Op.MODULE, Op.MODULE, Op.POP, Op.RETURN], { maxStack: 1 })]),
    message: /needs a stack of 2 but declares 1/,
  },
  {
    name: 'declared max stack too small for a marker',
    good: mkUnit([init([Op.ADD_FAILURE_FRAME, 3, Op.POP_FAILURE_FRAME, Op.MODULE, Op.RETURN], { maxStack: 3 })]),
    bad: mkUnit([init([Op.ADD_FAILURE_FRAME, 3, Op.POP_FAILURE_FRAME, Op.MODULE, Op.RETURN], { maxStack: 2 })]),
    message: /needs a stack of 3 but declares 2/,
  },
  {
    name: 'inconsistent depth at a join',
    good: mkUnit([init([Op.IS_ASSIGNED, 0, 5, Op.MODULE, Op.POP, Op.MODULE, Op.RETURN], { nVars: 1 })]),
    bad: mkUnit([init([Op.IS_ASSIGNED, 0, 5, Op.MODULE, Op.MODULE, Op.MODULE, Op.RETURN], { nVars: 1 })]),
    message: /pc 5: inconsistent stack at a join \(depth \d vs \d\)/,
  },
  {
    name: 'inconsistent markers at a join',
    good: mkUnit([init([Op.ADD_FAILURE_FRAME, 6, Op.POP_FAILURE_FRAME, Op.BRANCH, 6, Op.FAIL, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.ADD_FAILURE_FRAME, 6, Op.ADD_FAIL_UP_FRAME, Op.BRANCH, 6, Op.FAIL, Op.MODULE, Op.RETURN])]),
    message: /pc 6: inconsistent stack at a join/,
  },
  {
    name: 'control falling off the end',
    good: mkUnit([init([Op.MODULE, Op.POP, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.MODULE, Op.POP, Op.MODULE, Op.POP])]),
    message: /pc 3: control runs off the end of the function/,
  },
  {
    name: 'conditional branch falling off the end',
    good: mkUnit([init([Op.IS_ASSIGNED, 0, 3, Op.MODULE, Op.RETURN], { nVars: 1 })]),
    bad: mkUnit([init([Op.IS_ASSIGNED, 0, 0], { nVars: 1 })]),
    message: /pc 0: control runs off the end of the function/,
  },
  {
    name: 'empty function',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode(R)]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode([])]),
    message: /pc 0: empty function/,
  },
  {
    name: 'POP_FAILURE_FRAME without a frame',
    good: mkUnit([init([Op.ADD_FAILURE_FRAME, 3, Op.POP_FAILURE_FRAME, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.MODULE, Op.POP_FAILURE_FRAME, Op.RETURN])]),
    message: /pc 1: no failure frame to pop/,
  },
  {
    name: 'POP_FAILURE_FRAME over an exception frame',
    good: mkUnit([init([Op.ADD_EXCEPTION_FRAME, 4, Op.POP_EXCEPTION_FRAME, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.ADD_EXCEPTION_FRAME, 4, Op.POP_FAILURE_FRAME, Op.MODULE, Op.RETURN])]),
    message: /pc 2: no failure frame to pop/,
  },
  {
    name: 'POP_EXCEPTION_FRAME without a frame',
    good: mkUnit([init([Op.ADD_EXCEPTION_FRAME, 4, Op.POP_EXCEPTION_FRAME, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.ADD_FAILURE_FRAME, 4, Op.POP_EXCEPTION_FRAME, Op.MODULE, Op.RETURN])]),
    message: /pc 2: no exception frame to pop/,
  },
  {
    name: 'EYIELD outside an alternative',
    good: mkUnit([init([Op.ADD_FAILURE_FRAME, 5, Op.MODULE, Op.EYIELD, Op.RETURN, Op.MODULE, Op.RETURN])]),
    bad: mkUnit([init([Op.ADD_FAIL_UP_FRAME, Op.MODULE, Op.EYIELD, Op.RETURN, Op.MODULE, Op.RETURN])]),
    message: /pc 2: EYIELD outside an alternative/,
  },
  {
    name: 'FUNC_DEFN graph not a tree: a function defined in two places',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.POP, Op.FUNC_DEFN, 2, Op.RETURN]), mkCode(R), mkCode(R)]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.POP, Op.FUNC_DEFN, 2, Op.RETURN]), mkCode(R), mkCode([Op.FUNC_DEFN, 1, Op.RETURN])]),
    message: /function 1 is defined in two places/,
  },
  {
    name: 'FUNC_DEFN graph not a tree: a function defining itself',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode([Op.FUNC_DEFN, 2, Op.RETURN]), mkCode(R)]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode(R)]),
    message: /function 1 is defined in two places|function 2 .* is never defined/,
  },
  {
    name: 'FUNC_DEFN graph not a tree: a function never defined',
    good: mkUnit([init([Op.FUNC_DEFN, 1, Op.POP, Op.FUNC_DEFN, 2, Op.RETURN]), mkCode(R), mkCode(R)]),
    bad: mkUnit([init([Op.FUNC_DEFN, 1, Op.POP, Op.MODULE, Op.MODULE, Op.RETURN]), mkCode(R), mkCode(R, { name: 'orphan' })]),
    message: /function 2 \('orphan'\) is never defined/,
  },
];

for (const c of CASES) {
  test(`verifier rejects: ${c.name}`, (t) => {
    t.notThrows(() => verifyUnit(c.good), 'the valid variant must verify');
    const e = t.throws(() => verifyUnit(c.bad), { instanceOf: VerifyError });
    if (e) t.regex(e.message, c.message);
    // The same unit written to a file loads (structure is fine) and then fails to verify.
    const back = readUnit(writeUnit(c.bad), 'bad.cvb');
    t.throws(() => verifyUnit(back), { instanceOf: VerifyError });
  });
}

test('verifier errors name the function', (t) => {
  const u = mkUnit([init([Op.FUNC_DEFN, 1, Op.RETURN]), mkCode([Op.POP, Op.MODULE, Op.RETURN], { name: 'frob' })]);
  t.throws(() => verifyUnit(u), { instanceOf: VerifyError, message: /^function 'frob', pc 0: / });
});

test('verifier: unreachable code after RETURN is not checked for stack effects', (t) => {
  // Dead code still has to decode (opcodes and instruction bounds), but its depths are never reached.
  t.notThrows(() => verifyUnit(mkUnit([init([Op.MODULE, Op.RETURN, Op.POP, Op.POP, Op.RETURN])])));
  t.throws(() => verifyUnit(mkUnit([init([Op.MODULE, Op.RETURN, 77])])), { instanceOf: VerifyError, message: /bad opcode 77/ });
});

test('verifier: generator markers keep a copy of the segment below them', (t) => {
  // [f] APPLY_GEN 0 under a fail-up frame: gen marker (4) + the segment copy + the result.
  const ops = [Op.MODULE, Op.ADD_FAIL_UP_FRAME, Op.MODULE, Op.MODULE, Op.APPLY_GEN, 0, Op.POP, Op.POP, Op.POP_FAILURE_FRAME, Op.RETURN];
  const u = mkUnit([init(ops, { maxStack: 64 })]);
  t.notThrows(() => verifyUnit(u));
  t.is(stackDepth(u.codes[0], { unit: u, outerVars: [] }), 1 + 3 + 1 + 4 + 1 + 1);
});

test('verifier: a pathological file with deep marker nesting is rejected in linear time', (t) => {
  // 200,000 nested fail-up frames: a quadratic marker model would take minutes here.
  const n = Number(process.env.PATHO_N ?? 200000);
  const ops = new Array<number>(n).fill(Op.ADD_FAIL_UP_FRAME);
  ops.push(Op.MODULE, Op.RETURN);
  const u = mkUnit([init(ops, { maxStack: 65535 })]);
  const t0 = performance.now();
  t.throws(() => verifyUnit(u), { instanceOf: VerifyError, message: /needs a stack of \d+ but declares 65535/ });
  const ms = performance.now() - t0;
  t.true(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
