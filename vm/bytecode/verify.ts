// The bytecode verifier. For every function it checks opcodes, operand ranges and jump
// targets, and runs a dataflow pass over (stack depth, marker stack) that proves the
// operand stack never underflows below the innermost marker nor grows past the declared
// maximum, that markers are popped in order, and that control never runs off the end.
// The compiler runs the same pass (stackDepth) to compute each function's maximum, so
// the two cannot disagree.

import {
  BUILTINS,
  validCmp,
  ARITH_OPS,
  EXCEPTION_MARKER_SLOTS,
  FAILURE_MARKER_SLOTS,
  GEN_MARKER_SLOTS,
  OPS,
  Op,
  type OpDef,
} from './opcodes.js';
import type { CodeDef, UnitDef } from './unit.js';
import { SMALL_MAX, SMALL_MIN } from '../rts/value.js';

export class VerifyError extends Error {}

type MarkerKind = 'fail' | 'failup' | 'gen' | 'exc';
/** The marker stack is an immutable linked list, innermost first, shared between states:
 *  copying it per instruction made deep nesting quadratic in time and memory. */
interface Marker {
  readonly kind: MarkerKind;
  readonly base: number; // stack depth where the marker starts
  readonly next: Marker | null;
}
interface State {
  readonly depth: number;
  readonly markers: Marker | null;
}

const MARKER_SIZE: Record<MarkerKind, number> = {
  fail: FAILURE_MARKER_SLOTS,
  failup: FAILURE_MARKER_SLOTS,
  gen: GEN_MARKER_SLOTS,
  exc: EXCEPTION_MARKER_SLOTS,
};

function sameState(a: State, b: State): boolean {
  if (a.depth !== b.depth) return false;
  let x = a.markers;
  let y = b.markers;
  while (x !== y) {
    if (x === null || y === null || x.kind !== y.kind || x.base !== y.base) return false;
    x = x.next;
    y = y.next;
  }
  return true;
}

/** Stack depth just past the innermost marker (0 if none). */
function floorOf(m: Marker | null): number {
  return m === null ? 0 : m.base + MARKER_SIZE[m.kind];
}

export interface CodeContext {
  readonly unit: UnitDef;
  /** nVars of the enclosing functions: outer[0] = the immediately enclosing one. */
  readonly outerVars: readonly number[];
}

/** Returns the instruction-start pcs of `code`, checking opcodes and instruction bounds. */
function instructionStarts(code: CodeDef, fail: (pc: number, msg: string) => never): Uint8Array {
  const starts = new Uint8Array(code.ops.length + 1);
  let pc = 0;
  while (pc < code.ops.length) {
    const op = code.ops[pc];
    if (op < 0 || op >= OPS.length) fail(pc, `bad opcode ${op}`);
    starts[pc] = 1;
    pc += 1 + OPS[op].operands.length;
    if (pc > code.ops.length) fail(pc, 'instruction runs past the end of the function');
  }
  return starts;
}

function checkOperands(code: CodeDef, pc: number, def: OpDef, ctx: CodeContext, starts: Uint8Array, fail: (pc: number, msg: string) => never): number[] {
  const ops: number[] = [];
  for (let k = 0; k < def.operands.length; k++) {
    const v = code.ops[pc + 1 + k];
    ops.push(v);
    const kind = def.operands[k];
    const u = ctx.unit;
    switch (kind) {
      case 'const':
        if (v < 0 || v >= u.consts.length) fail(pc, `constant ${v} out of range`);
        break;
      case 'name':
        if (v < 0 || v >= u.consts.length || u.consts[v].kind !== 'string') fail(pc, `name operand ${v} is not a string constant`);
        break;
      case 'int':
        if (v < SMALL_MIN || v > SMALL_MAX) fail(pc, `integer operand ${v} out of range`);
        break;
      case 'var': {
        const prev = def.operands[k - 1];
        const limit = prev === 'depth' ? ctx.outerVars[ops[k - 1] - 1] : code.nVars;
        if (v < 0 || v >= limit) fail(pc, `variable ${v} out of range`);
        break;
      }
      case 'depth':
        if (v < 1 || v > ctx.outerVars.length) fail(pc, `closure depth ${v} out of range`);
        break;
      case 'target':
        if (v < 0 || v >= code.ops.length || starts[v] !== 1) fail(pc, `jump target ${v} is not an instruction`);
        break;
      case 'count':
        if (v < 0 || v > 0xffff) fail(pc, `count ${v} out of range`);
        break;
      case 'code':
        if (v < 1 || v >= u.codes.length) fail(pc, `function ${v} out of range`);
        break;
      case 'import':
        if (v < 0 || v >= u.imports.length) fail(pc, `import ${v} out of range`);
        break;
      case 'builtin':
        if (v < 0 || v >= BUILTINS.length) fail(pc, `builtin ${v} out of range`);
        break;
      case 'cmp':
        if (!validCmp(v)) fail(pc, `comparison ${v} out of range`);
        break;
      case 'arith':
        if (v < 0 || v >= ARITH_OPS.length) fail(pc, `arithmetic operator ${v} out of range`);
        break;
    }
  }
  return ops;
}

/**
 * Runs the dataflow pass over one function and returns its maximum stack depth.
 * Throws VerifyError (with the pc) on any violation.
 */
export function stackDepth(code: CodeDef, ctx: CodeContext, fillRangeDepths = false): number {
  // Annotated so that TypeScript narrows after a call (fail never returns).
  const fail: (pc: number, msg: string) => never = (pc, msg) => {
    throw new VerifyError(`function '${code.name || '<anon>'}', pc ${pc}: ${msg}`);
  };
  if (code.ops.length === 0) fail(0, 'empty function');
  const starts = instructionStarts(code, fail);
  const states: (State | undefined)[] = new Array(code.ops.length);
  const work: number[] = [];
  let max = 0;
  const flowTo = (from: number, pc: number, st: State) => {
    if (pc >= code.ops.length) fail(from, 'control runs off the end of the function');
    const old = states[pc];
    if (old === undefined) {
      states[pc] = st;
      work.push(pc);
    } else if (!sameState(old, st)) {
      fail(pc, `inconsistent stack at a join (depth ${old.depth} vs ${st.depth})`);
    }
  };
  // Static failure ranges: well-formed, disjoint, and free of marker instructions. The
  // compiler passes fillRangeDepths to have each range's depth (written as -1) filled in.
  const fr = code.failRanges;
  if (fr.length % 4 !== 0) fail(0, 'malformed failure-range table');
  const rangeAt = new Int32Array(code.ops.length).fill(-1); // the range covering each pc
  for (let k = 0; k < fr.length; k += 4) {
    const start = fr[k];
    const end = fr[k + 1];
    const target = fr[k + 2];
    if (start < 0 || start >= code.ops.length || starts[start] !== 1) fail(0, `failure range ${k / 4} starts inside an instruction`);
    if (end <= start || end > code.ops.length || (end < code.ops.length && starts[end] !== 1)) fail(start, `failure range ${k / 4} has a bad end ${end}`);
    if (target < 0 || target >= code.ops.length || starts[target] !== 1) fail(start, `failure range ${k / 4} has a bad target ${target}`);
    if (fr[k + 3] < 0 && !fillRangeDepths) fail(start, `failure range ${k / 4} has a negative depth`);
    for (let pc = start; pc < end; pc++) {
      if (rangeAt[pc] !== -1) fail(pc, 'failure ranges overlap');
      rangeAt[pc] = k;
      if (starts[pc] === 1 && (OPS[code.ops[pc]] as OpDef).marker) fail(pc, `marker instruction ${OPS[code.ops[pc]].name} inside a static failure range`);
    }
  }
  flowTo(0, 0, { depth: 0, markers: null });
  while (work.length > 0) {
    const pc = work.pop()!;
    const st = states[pc]!;
    const rk = rangeAt[pc];
    if (rk >= 0) {
      // Inside a static failure frame: its depth bounds the stack from below, and a
      // failure here jumps to its target with the stack cut back to that depth.
      if (pc === fr[rk]) {
        if (fillRangeDepths && fr[rk + 3] < 0) fr[rk + 3] = st.depth;
        if (st.depth !== fr[rk + 3]) fail(pc, `failure range declares depth ${fr[rk + 3]} but the stack holds ${st.depth}`);
      }
      if (fr[rk + 3] < 0 || st.depth < fr[rk + 3]) fail(pc, 'stack below the depth of its static failure range (or range entered other than at its start)');
      flowTo(pc, fr[rk + 2], { depth: fr[rk + 3], markers: st.markers });
    }
    const opc = code.ops[pc];
    const def = OPS[opc] as OpDef;
    const operands = checkOperands(code, pc, def, ctx, starts, fail);
    const next = pc + 1 + def.operands.length;
    let depth = st.depth;
    let markers = st.markers;
    const floor = rk >= 0 ? Math.max(floorOf(markers), fr[rk + 3]) : floorOf(markers);
    const pops = typeof def.pops === 'number' ? def.pops : def.pops(operands);
    if (depth - pops < floor) fail(pc, `${def.name} pops below the innermost stack marker`);
    depth -= pops;
    switch (opc) {
      case Op.ADD_FAILURE_FRAME:
        flowTo(pc, operands[0], { depth, markers });
        markers = { kind: 'fail', base: depth, next: markers };
        depth += FAILURE_MARKER_SLOTS;
        break;
      case Op.ADD_FAIL_UP_FRAME:
        markers = { kind: 'failup', base: depth, next: markers };
        depth += FAILURE_MARKER_SLOTS;
        break;
      case Op.POP_FAILURE_FRAME: {
        // Pops the innermost failure frame and the generator markers above it.
        let m = markers;
        while (m !== null && m.kind === 'gen') m = m.next;
        if (m === null || (m.kind !== 'fail' && m.kind !== 'failup')) fail(pc, 'no failure frame to pop');
        depth = m.base;
        markers = m.next;
        break;
      }
      case Op.ADD_EXCEPTION_FRAME:
        flowTo(pc, operands[0], { depth: depth + 1, markers });
        markers = { kind: 'exc', base: depth, next: markers };
        depth += EXCEPTION_MARKER_SLOTS;
        break;
      case Op.POP_EXCEPTION_FRAME: {
        const top = markers;
        if (top === null || top.kind !== 'exc') fail(pc, 'no exception frame to pop');
        depth = top.base;
        markers = top.next;
        break;
      }
      case Op.EYIELD: {
        const top = markers;
        if (top === null || top.kind !== 'fail') fail(pc, 'EYIELD outside an alternative');
        depth = top.base;
        markers = top.next;
        const seg = depth - floorOf(markers);
        markers = { kind: 'gen', base: depth, next: markers };
        depth += GEN_MARKER_SLOTS + seg;
        break;
      }
      case Op.APPLY_GEN:
      case Op.CALL_METHOD_GEN: {
        const seg = depth - floorOf(markers);
        markers = { kind: 'gen', base: depth, next: markers };
        depth += GEN_MARKER_SLOTS + seg;
        break;
      }
    }
    const pushes = typeof def.pushes === 'number' ? def.pushes : def.pushes(operands);
    depth += pushes;
    if (depth > max) max = depth;
    if (def.flow === 'branch') flowTo(pc, operands[operands.length - 1], { depth, markers });
    if (def.flow === 'goto' && opc === Op.BRANCH) flowTo(pc, operands[0], { depth, markers });
    if (def.flow === 'next' || def.flow === 'branch') flowTo(pc, next, { depth, markers });
  }
  if (fillRangeDepths) {
    // Ranges in unreachable code (a `broken:` block with no break) never run.
    for (let k = 0; k < fr.length; k += 4) if (fr[k + 3] < 0) fr[k + 3] = 0;
  }
  return max;
}

/** Verifies every function of a unit; throws VerifyError naming the first problem. */
export function verifyUnit(unit: UnitDef): void {
  // The FUNC_DEFN graph must be a tree rooted at the init code: it gives each function
  // its closure nesting, which bounds LOAD_OUTER/STORE_OUTER.
  const parent = new Int32Array(unit.codes.length).fill(-1);
  const order: number[] = [0];
  const seen = new Uint8Array(unit.codes.length);
  seen[0] = 1;
  for (let qi = 0; qi < order.length; qi++) {
    const c = unit.codes[order[qi]];
    const fail = (pc: number, msg: string): never => {
      throw new VerifyError(`function '${c.name || '<anon>'}', pc ${pc}: ${msg}`);
    };
    const starts = instructionStarts(c, fail);
    for (let pc = 0; pc < c.ops.length; pc++) {
      if (starts[pc] === 1 && c.ops[pc] === Op.FUNC_DEFN) {
        const child = c.ops[pc + 1];
        if (child < 1 || child >= unit.codes.length) fail(pc, `function ${child} out of range`);
        if (seen[child] === 1) {
          if (parent[child] !== order[qi]) fail(pc, `function ${child} is defined in two places`);
          continue;
        }
        seen[child] = 1;
        parent[child] = order[qi];
        order.push(child);
      }
    }
  }
  for (let i = 0; i < unit.codes.length; i++) {
    const code = unit.codes[i];
    if (seen[i] !== 1) throw new VerifyError(`function ${i} ('${code.name}') is never defined`);
    const outerVars: number[] = [];
    for (let p = parent[i]; p >= 0; p = parent[p]) outerVars.push(unit.codes[p].nVars);
    const need = stackDepth(code, { unit, outerVars });
    if (need > code.maxStack) throw new VerifyError(`function '${code.name || '<anon>'}' needs a stack of ${need} but declares ${code.maxStack}`);
  }
}
