// Instruction emission for one function: the code words, the source position of each
// instruction, labels, and the local rewrites made while emitting. Each rewrite is an
// exact equivalent that saves dispatches and stack traffic:
//
//   LOAD_VAR a, LOAD_VAR b                 -> LOAD_VAR2 a b
//   LOAD_VAR o, GET_SLOT n                 -> GET_SLOT_VAR o n
//   LOAD_VAR c, LOAD_VAR i, GET_ITEM       -> GET_ITEM_VV c i
//   LOAD_VAR a, INT n, <arith>             -> ARITH_VI op a n      (and _VV, _SV, _SI)
//   ARITH_VI/VV ..., ASSIGN_VAR d          -> ASSIGN_ARITH_VI/VV d ...
//   LOAD_VAR a, INT n, COMPARE_BRANCH      -> COMPARE_BRANCH_VI    (and _VV, _SV, _SI, _SB)
//   STORE_VAR/SET_SLOT/SET_ITEM, POP       -> ASSIGN_VAR/ASSIGN_SLOT/ASSIGN_ITEM
//   LOAD_VAR2 c i, ASSIGN_ITEM             -> ASSIGN_ITEM_VV c i
//   LOAD_VAR2 v c, LOAD_VAR i, ASSIGN_ITEM -> LOAD_VAR v, ASSIGN_ITEM_VV c i
//   BRANCH to the very next instruction    -> nothing
//
// Rewrites only merge instructions emitted since the last label was placed, so no jump
// can land inside a merged instruction. The operator's source position is kept at the
// new opcode word and each variable's at its operand word, which is where the
// interpreter points when that variable turns out to be unassigned.

import type * as A from './ast.js';
import { Op } from '../../vm/bytecode/opcodes.js';

export class Label {
  pc = -1;
  readonly uses: number[] = [];
}

/** Stores that push the stored value, and their forms that push nothing. */
const STATEMENT_FORMS = new Map<number, Op>([
  [Op.STORE_VAR, Op.ASSIGN_VAR],
  [Op.SET_SLOT, Op.ASSIGN_SLOT],
  [Op.SET_ITEM, Op.ASSIGN_ITEM],
]);

/** A source position: [offset, length], or undefined where none was recorded. */
type Pos = readonly [number, number] | undefined;

export class Emitter {
  readonly ops: number[] = [];
  /** Source span of each instruction by the pc of its opcode word (and of some operand words). */
  readonly posOffset = new Map<number, number>();
  readonly posLength = new Map<number, number>();

  /** Starts of the instructions emitted since the last label was placed. */
  private tail: number[] = [];
  /** Start of the last instruction emitted (-1 after a rewrite removed it). */
  private lastPc = -1;
  /** Labels placed at the current end of the code. */
  private placedHere: Label[] = [];

  emit(span: A.Span, op: Op, ...operands: number[]): void {
    if (!this.fuse(span, op, operands, null)) this.append(span, op, operands);
  }

  emitJump(span: A.Span, op: Op, label: Label, ...before: number[]): void {
    if (this.fuse(span, op, before, label)) return;
    this.append(span, op, [...before, -1]);
    label.uses.push(this.ops.length - 1);
  }

  place(label: Label): void {
    const at = this.lastPc;
    if (at >= 0 && this.ops[at] === Op.BRANCH && at + 2 === this.ops.length && label.uses.includes(at + 1)) {
      // A jump to the very next instruction (the end of an `if` without `else`) is
      // dropped: labels placed after it move back to where it was.
      label.uses.splice(label.uses.indexOf(at + 1), 1);
      this.truncate(at);
      for (const l of this.placedHere) l.pc = at;
    }
    label.pc = this.ops.length;
    this.placedHere.push(label);
    this.tail = [];
  }

  /**
   * Discards the top of stack. When it was just pushed by a store that nothing jumps
   * past, the store becomes its statement form instead (one dispatch, not two).
   */
  emitPop(span: A.Span): void {
    const n = this.tail.length;
    const p1 = n > 0 ? this.tail[n - 1] : -1;
    const form = p1 >= 0 ? STATEMENT_FORMS.get(this.ops[p1]) : undefined;
    if (form === undefined) {
      this.emit(span, Op.POP);
      return;
    }
    this.ops[p1] = form;
    const p0 = n > 1 ? this.tail[n - 2] : -1;
    if (form === Op.ASSIGN_VAR && p0 >= 0 && (this.ops[p0] === Op.ARITH_VV || this.ops[p0] === Op.ARITH_VI)) {
      const d = this.ops[p1 + 1];
      const [k, a, b] = [this.ops[p0 + 1], this.ops[p0 + 2], this.ops[p0 + 3]];
      const fused = this.ops[p0] === Op.ARITH_VV ? Op.ASSIGN_ARITH_VV : Op.ASSIGN_ARITH_VI;
      this.replace(p0, fused, [d, k, a, b], [this.pos(p0), undefined, undefined, this.pos(p0 + 2), this.pos(p0 + 3)]);
    } else if (form === Op.ASSIGN_VAR && p0 >= 0 && this.ops[p0] === Op.LOAD_VAR) {
      // `b := a`: the read keeps its position (an unassigned `a` is reported there).
      this.replace(p0, Op.MOVE_VAR, [this.ops[p0 + 1], this.ops[p1 + 1]], [this.pos(p1), this.pos(p0)]);
    } else if (form === Op.ASSIGN_ITEM && p0 >= 0 && this.ops[p0] === Op.LOAD_VAR2) {
      const [c, i] = [this.ops[p0 + 1], this.ops[p0 + 2]];
      this.replace(p0, Op.ASSIGN_ITEM_VV, [c, i], [this.pos(p1), this.pos(p0), this.pos(p0 + 2)]);
    } else if (form === Op.ASSIGN_ITEM && p0 >= 0 && this.ops[p0] === Op.LOAD_VAR && n > 2 && this.ops[this.tail[n - 3]] === Op.LOAD_VAR2) {
      // `c[i] := v` with v a variable: v and c were loaded as a pair, then i.
      const pm = this.tail[n - 3];
      const [v, c, i] = [this.ops[pm + 1], this.ops[pm + 2], this.ops[p0 + 1]];
      const [atV, atC, atI, atStore] = [this.pos(pm), this.pos(pm + 2), this.pos(p0), this.pos(p1)];
      this.replace(pm, Op.LOAD_VAR, [v], [atV]);
      this.replace(this.ops.length, Op.ASSIGN_ITEM_VV, [c, i], [atStore, atC, atI]);
    }
  }

  private append(span: A.Span, op: Op, operands: readonly number[]): void {
    const pc = this.ops.length;
    this.posOffset.set(pc, span.offset);
    this.posLength.set(pc, span.length);
    this.ops.push(op, ...operands);
    this.tail.push(pc);
    this.lastPc = pc;
    this.placedHere = [];
  }

  private pos(pc: number): Pos {
    const o = this.posOffset.get(pc);
    return o === undefined ? undefined : [o, this.posLength.get(pc)!];
  }

  /** Drops the code from `pc` (an instruction start in the tail) onwards. */
  private truncate(pc: number): void {
    for (let i = pc; i < this.ops.length; i++) {
      this.posOffset.delete(i);
      this.posLength.delete(i);
    }
    this.ops.length = pc;
    while (this.tail.length > 0 && this.tail[this.tail.length - 1] >= pc) this.tail.pop();
    this.lastPc = -1;
  }

  /** Replaces the tail from `pc` with one instruction; `pos[i]` is the position of word pc + i. */
  private replace(pc: number, op: Op, operands: readonly number[], pos: readonly Pos[]): void {
    this.truncate(pc);
    this.ops.push(op, ...operands);
    pos.forEach((p, i) => {
      if (p !== undefined) {
        this.posOffset.set(pc + i, p[0]);
        this.posLength.set(pc + i, p[1]);
      }
    });
    this.tail.push(pc);
    this.lastPc = pc;
  }

  /** Emits `op` merged with the instructions before it, if a rewrite applies. */
  private fuse(span: A.Span, op: Op, operands: readonly number[], label: Label | null): boolean {
    const n = this.tail.length;
    if (n === 0) return false;
    const p1 = this.tail[n - 1];
    const o1 = this.ops[p1];
    const p0 = n > 1 ? this.tail[n - 2] : -1;
    const o0 = p0 >= 0 ? this.ops[p0] : -1;
    const here: Pos = [span.offset, span.length];
    const w = (pc: number) => this.ops[pc];
    switch (op) {
      case Op.LOAD_VAR:
        if (o1 !== Op.LOAD_VAR) return false;
        this.replace(p1, Op.LOAD_VAR2, [w(p1 + 1), operands[0]], [this.pos(p1), undefined, here]);
        return true;
      case Op.GET_SLOT:
        if (o1 !== Op.LOAD_VAR) return false;
        this.replace(p1, Op.GET_SLOT_VAR, [w(p1 + 1), operands[0]], [here, this.pos(p1)]);
        return true;
      case Op.GET_ITEM:
        if (o1 !== Op.LOAD_VAR2) return false;
        this.replace(p1, Op.GET_ITEM_VV, [w(p1 + 1), w(p1 + 2)], [here, this.pos(p1), this.pos(p1 + 2)]);
        return true;
      case Op.ADD:
      case Op.SUB:
      case Op.MUL:
      case Op.DIV:
      case Op.MOD: {
        const k = op - Op.ADD;
        if (o1 === Op.INT && o0 === Op.LOAD_VAR) {
          this.replace(p0, Op.ARITH_VI, [k, w(p0 + 1), w(p1 + 1)], [here, undefined, this.pos(p0)]);
        } else if (o1 === Op.LOAD_VAR2) {
          this.replace(p1, Op.ARITH_VV, [k, w(p1 + 1), w(p1 + 2)], [here, undefined, this.pos(p1), this.pos(p1 + 2)]);
        } else if (o1 === Op.LOAD_VAR) {
          this.replace(p1, Op.ARITH_SV, [k, w(p1 + 1)], [here, undefined, this.pos(p1)]);
        } else if (o1 === Op.INT) {
          this.replace(p1, Op.ARITH_SI, [k, w(p1 + 1)], [here]);
        } else return false;
        return true;
      }
      case Op.COMPARE_BRANCH: {
        if (label === null) return false;
        const cmp = operands[0];
        if (o1 === Op.INT && o0 === Op.LOAD_VAR) {
          this.replace(p0, Op.COMPARE_BRANCH_VI, [cmp, w(p0 + 1), w(p1 + 1), -1], [here, undefined, this.pos(p0)]);
        } else if (o1 === Op.LOAD_VAR2) {
          this.replace(p1, Op.COMPARE_BRANCH_VV, [cmp, w(p1 + 1), w(p1 + 2), -1], [here, undefined, this.pos(p1), this.pos(p1 + 2)]);
        } else if (o1 === Op.LOAD_VAR) {
          this.replace(p1, Op.COMPARE_BRANCH_SV, [cmp, w(p1 + 1), -1], [here, undefined, this.pos(p1)]);
        } else if (o1 === Op.INT) {
          this.replace(p1, Op.COMPARE_BRANCH_SI, [cmp, w(p1 + 1), -1], [here]);
        } else if (o1 === Op.BUILTIN) {
          this.replace(p1, Op.COMPARE_BRANCH_SB, [cmp, w(p1 + 1), -1], [here]);
        } else return false;
        label.uses.push(this.ops.length - 1);
        return true;
      }
      default:
        return false;
    }
  }
}
