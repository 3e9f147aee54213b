// Stage-0 code generation: syntax tree -> bytecode unit. Each bound expression is
// bracketed by a failure frame; a `for` condition runs under a fail-up frame, and the
// calls directly inside it are compiled as resumable generator calls (APPLY_GEN), which
// is how spec/language.md §8.5 ("goal-directed evaluation happens only in for") becomes
// static. Stack depths are computed by the verifier's dataflow pass over the result.

import type * as A from './ast.js';
import { CompileError } from './errors.js';
import { Scope, collectBindings, declareBindings } from './scope.js';
import { Emitter, Label } from './emitter.js';
import { Builtin, CMP_NOT, Op, OPS } from '../../vm/bytecode/opcodes.js';
import type { CodeDef, Const, UnitDef } from '../../vm/bytecode/unit.js';
import { stackDepth } from '../../vm/bytecode/verify.js';
import { SMALL_MAX, SMALL_MIN } from '../../vm/rts/value.js';

/** What the compiler needs to know about an import: the module id and trailing definition names. */
export interface ResolvedImport {
  readonly modId: string;
  readonly defns: readonly string[];
}

export interface CompileOptions {
  readonly name: string;
  readonly modId: string;
  readonly srcPath: string;
  readonly srcMtime: number;
  /** Resolves an import path (throws CompileError if it cannot be found). */
  readonly resolveImport: (path: readonly string[], span: A.Span) => ResolvedImport;
}

/** A frame the generated code has pushed, so break/continue know what to pop. */
type FrameKind = 'fail' | 'exc' | 'loop';

interface LoopInfo {
  readonly frameDepth: number; // frames.length when the loop's body starts
  readonly isFor: boolean;
  readonly continueLabel: Label | null; // while: the condition
  readonly breakLabel: Label;
}


const CMP_INDEX: Record<A.CompareOp, number> = { '==': 0, '!=': 1, '<': 2, '<=': 3, '>': 4, '>=': 5, is: 6 };

/**
 * Can evaluating `e` fail (as opposed to succeed or raise)? Only expressions that cannot
 * fail may skip the failure frame of a bound expression. Conservative: anything that
 * calls user code which may fail (calls, comparisons, `*`, indexing) can fail.
 */
export function canFail(e: A.Expr): boolean {
  switch (e.kind) {
    case 'Int':
    case 'Float':
    case 'String':
    case 'Var':
    case 'Pass':
    case 'FuncDefn':
    case 'ModuleLookup':
    case 'Import':
      return false;
    case 'SlotLookup':
      return canFail(e.obj);
    case 'List':
    case 'Set':
      return e.elems.some(canFail);
    case 'Dict':
      return e.entries.some((en) => canFail(en.key) || canFail(en.value));
    case 'Neg':
      return canFail(e.value);
    case 'Yield':
      // Resuming the generator continues after the yield with its value: only e can fail.
      return canFail(e.value);
    case 'Binary':
      return (e.op !== '+' && e.op !== '-') || canFail(e.lhs) || canFail(e.rhs);
    case 'Assign':
      if (e.targets.length !== 1 || canFail(e.value)) return true;
      if (e.op !== ':=' && e.op !== '+=' && e.op !== '-=') return true;
      if (e.targets[0].kind === 'Var') return false;
      if (e.targets[0].kind === 'SlotLookup') return canFail(e.targets[0].obj);
      return true;
    default:
      return true;
  }
}

/**
 * Is `e` "flat": does evaluating it push no stack markers (no nested bound expressions,
 * generators, alternation, loops or try)? A flat bound expression gets a static failure
 * range instead of a failure frame pushed at run time.
 */
export function isFlat(e: A.Expr): boolean {
  switch (e.kind) {
    case 'Int':
    case 'Float':
    case 'String':
    case 'Var':
    case 'Pass':
    case 'FuncDefn':
    case 'ModuleLookup':
      return true;
    case 'SlotLookup':
      return isFlat(e.obj);
    case 'Exbi':
      return isFlat(e.cls);
    case 'Apply':
      return isFlat(e.fn) && e.args.every(isFlat);
    case 'Get':
      return isFlat(e.obj) && isFlat(e.index);
    case 'Slice':
      return isFlat(e.obj) && (e.lower === null || isFlat(e.lower)) && (e.upper === null || isFlat(e.upper));
    case 'List':
    case 'Set':
      return e.elems.every(isFlat);
    case 'Dict':
      return e.entries.every((en) => isFlat(en.key) && isFlat(en.value));
    case 'Conjunction':
      return e.exprs.every(isFlat);
    case 'Neg':
      return isFlat(e.value);
    case 'Binary':
    case 'Compare':
      return isFlat(e.lhs) && isFlat(e.rhs);
    case 'Assign':
      return isFlat(e.value) && e.targets.every((t) => isFlat(t));
    default:
      return false;
  }
}

const BINOPS: Record<A.BinaryOp, Op> = { '+': Op.ADD, '-': Op.SUB, '*': Op.MUL, '/': Op.DIV, '%': Op.MOD };
const CMPOPS: Record<A.CompareOp, Op> = { is: Op.IS, '==': Op.EQ, '!=': Op.NEQ, '<': Op.LT, '<=': Op.LE, '>': Op.GT, '>=': Op.GE };
const AUGOPS: Record<string, Op> = { '+=': Op.ADD, '-=': Op.SUB, '*=': Op.MUL, '/=': Op.DIV };

class FuncGen extends Emitter {
  readonly frames: FrameKind[] = [];
  readonly loops: LoopInfo[] = [];
  /** Static failure ranges: [start, end) fails to target (depths filled in later). */
  readonly failRanges: { start: Label; end: Label; target: Label }[] = [];
  hasLoop = false;
  /** True while compiling directly under a for condition's fail-up frame. */
  genMode = false;

  constructor(readonly scope: Scope) {
    super();
  }
}

export class CodeGen {
  private readonly consts: Const[] = [];
  private readonly constIndex = new Map<string, number>();
  private readonly imports: string[] = [];
  private readonly codes: (CodeDef | null)[] = [];
  private readonly labels: { fg: FuncGen; label: Label }[] = [];
  private fg!: FuncGen;

  /**
   * Set when the module assigns its top-level `null` (which programs must not rely on,
   * language.md §5.3): until then every read of it is compiled as the null builtin.
   */
  nullAssigned = false;

  constructor(private readonly opts: CompileOptions, private readonly nullConst: boolean) {}

  // -- Constants ---------------------------------------------------------------

  private constant(c: Const): number {
    const key = c.kind === 'string' ? `s${Buffer.from(c.value).toString('latin1')}` : c.kind === 'int' ? `i${c.value}` : `f${Object.is(c.value, -0) ? '-0' : c.value}`;
    let i = this.constIndex.get(key);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(c);
      this.constIndex.set(key, i);
    }
    return i;
  }

  private name(s: string): number {
    return this.constant({ kind: 'string', value: Buffer.from(s, 'latin1') });
  }

  private importIndex(modId: string): number {
    let i = this.imports.indexOf(modId);
    if (i < 0) {
      i = this.imports.length;
      this.imports.push(modId);
    }
    return i;
  }

  // -- Functions ---------------------------------------------------------------

  private label(): Label {
    const l = new Label();
    this.labels.push({ fg: this.fg, label: l });
    return l;
  }

  private finishCode(fg: FuncGen, name: string, nParams: number, defaults: Uint8Array, varargs: boolean, isBound: boolean): CodeDef {
    for (const { fg: f, label } of this.labels) {
      if (f !== fg) continue;
      if (label.pc < 0) throw new Error('internal compiler error: unplaced label');
      for (const u of label.uses) fg.ops[u] = label.pc;
    }
    const ops = Int32Array.from(fg.ops);
    const positions = new Int32Array(ops.length * 2);
    for (const [pc, off] of fg.posOffset) {
      positions[2 * pc] = off;
      positions[2 * pc + 1] = fg.posLength.get(pc)!;
    }
    const failRanges = new Int32Array(fg.failRanges.length * 4);
    fg.failRanges.forEach((r, i) => failRanges.set([r.start.pc, r.end.pc, r.target.pc, -1], 4 * i));
    return { name, ops, positions, maxStack: 0, nVars: fg.scope.varNames.length, nParams, defaults, failRanges, varargs, isBound, hasLoop: fg.hasLoop, varNames: fg.scope.varNames.slice() };
  }

  compileModule(mod: A.Module): UnitDef {
    const scope = new Scope(null, false);
    scope.add('null');
    scope.add('self_module');
    const found: Parameters<typeof collectBindings>[1] = [];
    collectBindings(mod.defns, found);
    declareBindings(scope, found);
    this.codes.push(null);
    const fg = new FuncGen(scope);
    this.fg = fg;
    const sp = mod.span;
    fg.emit(sp, Op.BUILTIN, Builtin.null);
    fg.emit(sp, Op.STORE_VAR, scope.resolve('null', sp).index);
    fg.emitPop(sp);
    fg.emit(sp, Op.MODULE);
    fg.emit(sp, Op.STORE_VAR, scope.resolve('self_module', sp).index);
    fg.emitPop(sp);
    for (const d of mod.defns) this.boundStmt(d);
    fg.emit(sp, Op.BUILTIN, Builtin.null);
    fg.emit(sp, Op.RETURN);
    this.codes[0] = this.finishCode(fg, '', 0, new Uint8Array(0), false, false);
    const unit: UnitDef = {
      name: this.opts.name,
      modId: this.opts.modId,
      srcPath: this.opts.srcPath,
      srcMtime: this.opts.srcMtime,
      consts: this.consts,
      imports: this.imports,
      topVars: scope.varNames.slice(),
      codes: this.codes as CodeDef[],
    };
    return this.withStackSizes(unit);
  }

  /** Fills in each function's maximum stack depth with the verifier's dataflow pass. */
  private withStackSizes(unit: UnitDef): UnitDef {
    const parent = new Int32Array(unit.codes.length).fill(-1);
    unit.codes.forEach((c, i) => {
      for (let pc = 0; pc < c.ops.length; pc += 1 + OPS[c.ops[pc]].operands.length) {
        if (c.ops[pc] === Op.FUNC_DEFN) parent[c.ops[pc + 1]] = i;
      }
    });
    const codes = unit.codes.map((c, i) => {
      const outerVars: number[] = [];
      for (let p = parent[i]; p >= 0; p = parent[p]) outerVars.push(unit.codes[p].nVars);
      // Also fills in the depth of each static failure range.
      return { ...c, maxStack: stackDepth(c, { unit, outerVars }, true) };
    });
    return { ...unit, codes };
  }

  private compileFunc(f: A.FuncDefn, isBound: boolean): number {
    const outer = this.fg;
    const scope = new Scope(outer.scope, isBound);
    for (const p of f.params) scope.add(p.name);
    if (f.varargs) scope.add(f.varargs.name);
    for (const n of f.nonlocals) {
      outer.scope.resolve(n.name, n.span);
      scope.nonlocals.add(n.name);
    }
    for (const r of f.renames) {
      outer.scope.resolve(r.from, r.span);
      scope.renamesTo.set(r.to, r.from);
      scope.renamedFrom.set(r.from, r.to);
    }
    const found: Parameters<typeof collectBindings>[1] = [];
    collectBindings(f.body, found);
    declareBindings(scope, found);
    const index = this.codes.length;
    this.codes.push(null);
    const fg = new FuncGen(scope);
    this.fg = fg;
    const defaults = new Uint8Array(f.params.length);
    f.params.forEach((p, i) => {
      if (p.default === null) return;
      defaults[i] = 1;
      const skip = this.label();
      fg.emitJump(p.span, Op.IS_ASSIGNED, skip, i);
      fg.emitJump(p.span, Op.ADD_FAILURE_FRAME, skip);
      fg.frames.push('fail');
      this.expr(p.default);
      fg.emit(p.span, Op.STORE_VAR, i);
      fg.emit(p.span, Op.POP_FAILURE_FRAME);
      fg.frames.pop();
      fg.place(skip);
    });
    this.body(f.body);
    fg.emit(f.span, Op.BUILTIN, Builtin.null);
    fg.emit(f.span, Op.RETURN);
    this.codes[index] = this.finishCode(fg, f.name ?? '', f.params.length, defaults, f.varargs !== null, isBound);
    this.fg = outer;
    return index;
  }

  // -- Statements --------------------------------------------------------------

  private body(exprs: readonly A.Expr[]): void {
    for (const e of exprs) this.boundStmt(e);
  }

  /** One statement: a bound expression whose value is discarded. */
  private boundStmt(e: A.Expr): void {
    const fg = this.fg;
    switch (e.kind) {
      case 'If':
      case 'NDIf':
        return this.ifStmt(e, false);
      case 'While':
        return this.whileStmt(e);
      case 'For':
        return this.forStmt(e);
      case 'Try':
        return this.tryStmt(e, false);
      case 'Break':
      case 'Continue':
        return this.breakContinue(e);
      case 'Pass':
        return;
      case 'Return':
      case 'Raise':
      case 'Fail':
        // These leave the function (return catches its own failure), so no wrapper.
        return this.expr(e);
    }
    const saved = fg.genMode;
    fg.genMode = false;
    if (!canFail(e)) {
      // Nothing to catch: evaluate and discard.
      this.exprForEffect(e);
      fg.genMode = saved;
      return;
    }
    const skip = this.label();
    if (isFlat(e)) {
      const start = this.label();
      const end = this.label();
      fg.place(start);
      this.exprForEffect(e);
      fg.place(end);
      fg.failRanges.push({ start, end, target: skip });
    } else {
      fg.emitJump(e.span, Op.ADD_FAILURE_FRAME, skip);
      fg.frames.push('fail');
      this.expr(e);
      fg.emit(e.span, Op.POP_FAILURE_FRAME);
      fg.frames.pop();
    }
    fg.place(skip);
    fg.genMode = saved;
  }

  /** Compiles `e` for its effect only, leaving nothing on the stack. */
  private exprForEffect(e: A.Expr): void {
    const fg = this.fg;
    this.expr(e);
    fg.emitPop(e.span);
  }

  /** Compiles flat `e` under a static failure range whose failures go to `onFail`. */
  private staticallyBound(e: A.Expr, onFail: Label): void {
    const fg = this.fg;
    const start = this.label();
    const end = this.label();
    fg.place(start);
    this.expr(e);
    fg.place(end);
    fg.failRanges.push({ start, end, target: onFail });
  }

  /** Evaluates `cond` as a bound expression; on failure jumps to `onFail`. Leaves nothing. */
  private condition(cond: A.Expr, onFail: Label): void {
    const fg = this.fg;
    if (cond.kind === 'Int' || cond.kind === 'Float' || cond.kind === 'String') {
      // `while 1:`: a literal always succeeds and does nothing, so it costs no code.
      return;
    }
    const saved = fg.genMode;
    fg.genMode = false;
    if (cond.kind === 'Compare' && !canFail(cond.lhs) && !canFail(cond.rhs)) {
      // The common `if a < b:`: one compare-and-branch, no failure frame.
      this.expr(cond.lhs);
      this.expr(cond.rhs);
      fg.emitJump(cond.span, Op.COMPARE_BRANCH, onFail, CMP_INDEX[cond.op]);
      fg.genMode = saved;
      return;
    }
    if (cond.kind === 'Not') {
      const v = cond.value;
      if (v.kind === 'Compare' && !canFail(v.lhs) && !canFail(v.rhs)) {
        // `while not x is null:`: the comparison holding is the condition failing.
        this.expr(v.lhs);
        this.expr(v.rhs);
        fg.emitJump(cond.span, Op.COMPARE_BRANCH, onFail, CMP_INDEX[v.op] | CMP_NOT);
      } else {
        // `not e` fails where e succeeds: e's failure is where the condition goes on.
        const holds = this.label();
        this.condition(v, holds);
        fg.emitJump(cond.span, Op.BRANCH, onFail);
        fg.place(holds);
      }
      fg.genMode = saved;
      return;
    }
    if (cond.kind === 'Alternation') {
      // Bounded, so the first alternative that succeeds decides: no generator markers.
      const holds = this.label();
      const last = cond.exprs.length - 1;
      cond.exprs.forEach((x, i) => {
        if (i === last) return this.condition(x, onFail);
        const next = this.label();
        this.condition(x, next);
        fg.emitJump(x.span, Op.BRANCH, holds);
        fg.place(next);
      });
      fg.place(holds);
      fg.genMode = saved;
      return;
    }
    if (isFlat(cond)) {
      this.staticallyBound(cond, onFail);
      fg.emitPop(cond.span);
      fg.genMode = saved;
      return;
    }
    fg.emitJump(cond.span, Op.ADD_FAILURE_FRAME, onFail);
    fg.frames.push('fail');
    this.expr(cond);
    fg.emit(cond.span, Op.POP_FAILURE_FRAME);
    fg.frames.pop();
    fg.genMode = saved;
  }

  private ifStmt(e: A.If | A.NDIf, asValue: boolean): void {
    const fg = this.fg;
    const end = this.label();
    for (const c of e.clauses) {
      const next = this.label();
      this.condition(c.cond, next);
      this.body(c.body);
      if (asValue) fg.emit(e.span, Op.BUILTIN, Builtin.null);
      fg.emitJump(e.span, Op.BRANCH, end);
      fg.place(next);
    }
    if (e.kind === 'NDIf') {
      fg.emit(e.span, Op.RAISE_NEW, Builtin.NDIf_Exception);
    } else {
      if (e.orelse) this.body(e.orelse);
      if (asValue) fg.emit(e.span, Op.BUILTIN, Builtin.null);
    }
    fg.place(end);
  }

  private loopBody(body: readonly A.Expr[] | null, info: LoopInfo): void {
    if (body === null) return;
    this.fg.loops.push(info);
    this.body(body);
    this.fg.loops.pop();
  }

  private whileStmt(e: A.While): void {
    const fg = this.fg;
    fg.hasLoop = true;
    const top = this.label();
    const exhausted = this.label();
    const broken = this.label();
    const end = this.label();
    fg.place(top);
    this.condition(e.cond, exhausted);
    this.loopBody(e.body, { frameDepth: fg.frames.length, isFor: false, continueLabel: top, breakLabel: broken });
    fg.emitJump(e.span, Op.BRANCH, top);
    fg.place(exhausted);
    if (e.exhausted) this.body(e.exhausted);
    fg.emitJump(e.span, Op.BRANCH, end);
    fg.place(broken);
    if (e.broken) this.body(e.broken);
    fg.place(end);
  }

  private forStmt(e: A.For): void {
    const fg = this.fg;
    fg.hasLoop = true;
    const exhausted = this.label();
    const broken = this.label();
    const end = this.label();
    fg.emitJump(e.span, Op.ADD_FAILURE_FRAME, exhausted);
    fg.frames.push('fail');
    fg.emit(e.span, Op.ADD_FAIL_UP_FRAME);
    fg.frames.push('loop');
    const saved = fg.genMode;
    fg.genMode = true;
    this.expr(e.cond);
    fg.genMode = false;
    fg.emitPop(e.cond.span);
    this.loopBody(e.body, { frameDepth: fg.frames.length, isFor: true, continueLabel: null, breakLabel: broken });
    fg.emit(e.span, Op.FAIL);
    fg.frames.pop();
    fg.frames.pop();
    fg.genMode = saved;
    fg.place(exhausted);
    if (e.exhausted) this.body(e.exhausted);
    fg.emitJump(e.span, Op.BRANCH, end);
    fg.place(broken);
    if (e.broken) this.body(e.broken);
    fg.place(end);
  }

  private breakContinue(e: A.Break | A.Continue): void {
    const fg = this.fg;
    const loop = fg.loops[fg.loops.length - 1];
    if (loop === undefined) {
      const what = e.kind === 'Break' ? 'break' : 'continue';
      throw new CompileError(`Trying to ${what} whilst not in a 'while' or 'for' loop.`, e.span);
    }
    // Unwind the frames pushed inside the loop body, innermost first.
    for (let i = fg.frames.length - 1; i >= loop.frameDepth; i--) {
      fg.emit(e.span, fg.frames[i] === 'exc' ? Op.POP_EXCEPTION_FRAME : Op.POP_FAILURE_FRAME);
    }
    if (e.kind === 'Continue') {
      if (loop.isFor) fg.emit(e.span, Op.FAIL);
      else fg.emitJump(e.span, Op.BRANCH, loop.continueLabel!);
      return;
    }
    if (loop.isFor) {
      fg.emit(e.span, Op.POP_FAILURE_FRAME); // the fail-up frame (and its generators)
      fg.emit(e.span, Op.POP_FAILURE_FRAME); // the exhausted frame
    }
    fg.emitJump(e.span, Op.BRANCH, loop.breakLabel);
  }

  private tryStmt(e: A.Try, asValue: boolean): void {
    const fg = this.fg;
    const handler = this.label();
    const end = this.label();
    fg.emitJump(e.span, Op.ADD_EXCEPTION_FRAME, handler);
    fg.frames.push('exc');
    this.body(e.body);
    fg.emit(e.span, Op.POP_EXCEPTION_FRAME);
    fg.frames.pop();
    if (asValue) fg.emit(e.span, Op.BUILTIN, Builtin.null);
    fg.emitJump(e.span, Op.BRANCH, end);
    fg.place(handler);
    const exc = fg.scope.temp('exc');
    fg.emit(e.span, Op.STORE_VAR, exc);
    fg.emitPop(e.span);
    for (const c of e.catches) {
      const next = this.label();
      fg.emitJump(c.span, Op.ADD_FAILURE_FRAME, next);
      fg.frames.push('fail');
      this.expr(c.cls);
      fg.emit(c.span, Op.LOAD_VAR, exc);
      fg.emit(c.cls.span, Op.CALL_METHOD, this.name('instantiated'), 1);
      fg.emit(c.span, Op.POP_FAILURE_FRAME);
      fg.frames.pop();
      if (c.into) {
        fg.emit(c.span, Op.LOAD_VAR, exc);
        this.storeVar(c.into.name, c.into.span);
        fg.emitPop(c.span);
      }
      this.body(c.body);
      if (asValue) fg.emit(e.span, Op.BUILTIN, Builtin.null);
      fg.emitJump(e.span, Op.BRANCH, end);
      fg.place(next);
    }
    fg.emit(e.span, Op.LOAD_VAR, exc);
    fg.emit(e.span, Op.RAISE);
    fg.place(end);
  }

  // -- Variables ---------------------------------------------------------------

  private loadVar(name: string, span: A.Span): void {
    const r = this.fg.scope.resolve(name, span);
    if (name === 'null' && this.nullConst && r.scope.parent === null && r.index === 0) {
      this.fg.emit(span, Op.BUILTIN, Builtin.null);
      return;
    }
    if (r.depth === 0) this.fg.emit(span, Op.LOAD_VAR, r.index);
    else this.fg.emit(span, Op.LOAD_OUTER, r.depth, r.index);
  }

  private storeVar(name: string, span: A.Span): void {
    const r = this.fg.scope.resolve(name, span);
    if (r.scope.parent === null && r.index === 0) this.nullAssigned = true;
    if (r.depth === 0) this.fg.emit(span, Op.STORE_VAR, r.index);
    else this.fg.emit(span, Op.STORE_OUTER, r.depth, r.index);
  }

  // -- Expressions -------------------------------------------------------------

  /** Compiles `e` so that it leaves exactly one value on the stack (or fails). */
  private expr(e: A.Expr): void {
    const fg = this.fg;
    const s = e.span;
    switch (e.kind) {
      case 'Int':
        if (e.value >= BigInt(SMALL_MIN) && e.value <= BigInt(SMALL_MAX)) fg.emit(s, Op.INT, Number(e.value));
        else fg.emit(s, Op.CONST, this.constant({ kind: 'int', value: e.value }));
        return;
      case 'Float':
        fg.emit(s, Op.CONST, this.constant({ kind: 'float', value: e.value }));
        return;
      case 'String':
        fg.emit(s, Op.CONST, this.constant({ kind: 'string', value: e.value }));
        return;
      case 'Var':
        return this.loadVar(e.name, s);
      case 'List':
      case 'Set':
        for (const x of e.elems) this.expr(x);
        fg.emit(s, e.kind === 'List' ? Op.LIST : Op.SET, e.elems.length);
        return;
      case 'Dict':
        for (const en of e.entries) {
          this.expr(en.key);
          this.expr(en.value);
        }
        fg.emit(s, Op.DICT, e.entries.length);
        return;
      case 'ModuleLookup':
        return this.moduleLookup(e);
      case 'SlotLookup':
        this.expr(e.obj);
        fg.emit(s, Op.GET_SLOT, this.name(e.name));
        return;
      case 'Apply':
        return this.apply(e);
      case 'Get':
        this.expr(e.obj);
        this.expr(e.index);
        fg.emit(s, Op.GET_ITEM);
        return;
      case 'Slice':
        this.sliceOperands(e);
        fg.emit(s, fg.genMode ? Op.CALL_METHOD_GEN : Op.CALL_METHOD, this.name('get_slice'), 2);
        return;
      case 'Exbi':
        return this.exbi(e);
      case 'Return':
        if (e.value === null) {
          fg.emit(s, Op.BUILTIN, Builtin.null);
          fg.emit(s, Op.RETURN);
        } else if (!canFail(e.value)) {
          const saved = fg.genMode;
          fg.genMode = false;
          this.expr(e.value);
          fg.emit(s, Op.RETURN);
          fg.genMode = saved;
        } else {
          const failed = this.label();
          const saved = fg.genMode;
          fg.genMode = false;
          if (isFlat(e.value)) {
            // `return o.m(x)`: a static failure range costs nothing until something fails.
            this.staticallyBound(e.value, failed);
          } else {
            fg.emitJump(s, Op.ADD_FAILURE_FRAME, failed);
            this.expr(e.value);
          }
          fg.emit(s, Op.RETURN);
          fg.place(failed);
          fg.emit(s, Op.RETURN_FAIL);
          fg.genMode = saved;
        }
        // Unreachable, but keeps "every expression pushes one value" true for the verifier.
        return this.unreachableValue(s);
      case 'Yield':
        this.expr(e.value);
        fg.emit(s, Op.YIELD);
        return;
      case 'Fail':
        fg.emit(s, Op.RETURN_FAIL);
        return this.unreachableValue(s);
      case 'Raise':
        this.expr(e.value);
        fg.emit(s, Op.RAISE);
        return this.unreachableValue(s);
      case 'Assert': {
        const failed = this.label();
        const ok = this.label();
        this.condition(e.value, failed);
        fg.emitJump(s, Op.BRANCH, ok);
        fg.place(failed);
        fg.emit(s, Op.RAISE_NEW, Builtin.Assert_Exception);
        fg.place(ok);
        fg.emit(s, Op.BUILTIN, Builtin.null);
        return;
      }
      case 'Break':
      case 'Continue':
        this.breakContinue(e);
        return this.unreachableValue(s);
      case 'Pass':
        fg.emit(s, Op.BUILTIN, Builtin.null);
        return;
      case 'Conjunction':
        e.exprs.forEach((x, i) => {
          this.expr(x);
          if (i < e.exprs.length - 1) fg.emitPop(x.span);
        });
        return;
      case 'Alternation':
        return this.alternation(e);
      case 'Assign':
        return this.assign(e);
      case 'Not': {
        const ok = this.label();
        this.condition(e.value, ok);
        fg.emit(s, Op.FAIL);
        fg.place(ok);
        fg.emit(s, Op.BUILTIN, Builtin.null);
        return;
      }
      case 'Neg':
        fg.emit(s, Op.INT, 0);
        this.expr(e.value);
        fg.emit(s, Op.SUB);
        return;
      case 'Binary':
        this.expr(e.lhs);
        this.expr(e.rhs);
        fg.emit(s, BINOPS[e.op]);
        return;
      case 'Compare':
        this.expr(e.lhs);
        this.expr(e.rhs);
        fg.emit(s, CMPOPS[e.op]);
        return;
      case 'FuncDefn': {
        const code = this.compileFunc(e, e.funcKind === 'bound_func');
        fg.emit(s, Op.FUNC_DEFN, code);
        if (e.name !== null) this.storeVar(e.name, e.nameSpan ?? s);
        return;
      }
      case 'ClassDefn':
        this.classDefn(e);
        if (e.name !== null) this.storeVar(e.name, e.nameSpan ?? s);
        return;
      case 'Import':
        return this.importExpr(e);
      case 'If':
      case 'NDIf':
        return this.ifStmt(e, true);
      case 'Try':
        return this.tryStmt(e, true);
      case 'While':
      case 'For':
        // Loops always fail (spec/language.md §9.3): run it, then fail.
        if (e.kind === 'While') this.whileStmt(e);
        else this.forStmt(e);
        fg.emit(s, Op.FAIL);
        return this.unreachableValue(s);
    }
  }

  /** After an instruction that never continues, code must still be well-formed for the verifier. */
  private unreachableValue(_s: A.Span): void {
    // Nothing is emitted: control never reaches here, and the verifier only follows real flow.
  }

  /** `c[i:j]`: pushes c, then i and j (null where omitted). */
  private sliceOperands(t: A.Slice): void {
    this.expr(t.obj);
    this.optional(t.lower, t.span);
    this.optional(t.upper, t.span);
  }

  private optional(e: A.Expr | null, s: A.Span): void {
    if (e === null) this.fg.emit(s, Op.BUILTIN, Builtin.null);
    else this.expr(e);
  }

  private moduleLookup(e: A.ModuleLookup): void {
    const first = e.names[0];
    const r = this.fg.scope.resolve(first, e.firstSpan);
    const importSpan = r.scope.importSpanOf(first);
    if (importSpan !== null && e.span.offset < importSpan.offset) {
      throw new CompileError(`Module lookup used on '${first}' before it is imported.`, e.firstSpan);
    }
    this.loadVar(first, e.firstSpan);
    for (let i = 1; i < e.names.length; i++) this.fg.emit(e.span, Op.MODULE_LOOKUP, this.name(e.names[i]));
  }

  private apply(e: A.Apply): void {
    const fg = this.fg;
    const gen = fg.genMode;
    if (e.fn.kind === 'SlotLookup') {
      this.expr(e.fn.obj);
      for (const a of e.args) this.expr(a);
      fg.emit(e.span, gen ? Op.CALL_METHOD_GEN : Op.CALL_METHOD, this.name(e.fn.name), e.args.length);
    } else {
      this.expr(e.fn);
      for (const a of e.args) this.expr(a);
      fg.emit(e.span, gen ? Op.APPLY_GEN : Op.APPLY, e.args.length);
    }
  }

  private exbi(e: A.Exbi): void {
    let scope: Scope | null = this.fg.scope;
    let inBound = false;
    for (; scope !== null; scope = scope.parent) if (scope.isBoundFunc) inBound = true;
    if (!inBound) throw new CompileError('exbi can only be used when in scope of a bound function.', e.span);
    this.loadVar('self', e.span);
    this.expr(e.cls);
    this.fg.emit(e.span, Op.EXBI, this.name(e.name));
  }

  private alternation(e: A.Alternation): void {
    const fg = this.fg;
    const end = this.label();
    const saved = fg.genMode;
    fg.genMode = false;
    for (const x of e.exprs) {
      const next = this.label();
      fg.emitJump(x.span, Op.ADD_FAILURE_FRAME, next);
      this.expr(x);
      fg.emit(x.span, Op.EYIELD);
      fg.emitJump(x.span, Op.BRANCH, end);
      fg.place(next);
    }
    fg.emit(e.span, Op.FAIL);
    fg.place(end);
    fg.genMode = saved;
  }

  private importExpr(e: A.Import): void {
    const fg = this.fg;
    e.items.forEach((it, i) => {
      const r = this.opts.resolveImport(it.path, it.span);
      fg.emit(it.span, Op.IMPORT, this.importIndex(r.modId));
      for (const d of r.defns) fg.emit(it.span, Op.MODULE_LOOKUP, this.name(d));
      this.storeVar(it.as ?? it.path[it.path.length - 1], it.span);
      if (i < e.items.length - 1) fg.emitPop(it.span);
    });
  }

  // -- Classes -----------------------------------------------------------------

  private classDefn(c: A.ClassDefn): void {
    const fg = this.fg;
    const s = c.span;
    if (c.metaclass) this.expr(c.metaclass);
    else fg.emit(s, Op.BUILTIN, Builtin.Class);
    fg.emit(s, Op.CONST, this.name(c.name ?? ''));
    if (c.supers.length === 0) fg.emit(s, Op.BUILTIN, Builtin.Object);
    else for (const x of c.supers) this.expr(x);
    fg.emit(s, Op.LIST, Math.max(1, c.supers.length));
    fg.emit(s, Op.MODULE);
    fg.emit(s, Op.CALL_METHOD, this.name('new'), 3);
    for (const f of c.fields) {
      if (f.kind === 'Pass') continue;
      let name: string;
      if (f.kind === 'FuncDefn') {
        if (f.name === null) throw new CompileError('Functions as class fields can not be anonymous.', f.span);
        name = f.name;
      } else if (f.kind === 'ClassDefn') {
        if (f.name === null) throw new CompileError('Classes as class fields can not be anonymous.', f.span);
        name = f.name;
      } else {
        name = f.name;
      }
      fg.emit(f.span, Op.DUP);
      fg.emit(f.span, Op.CONST, this.name(name));
      if (f.kind === 'FuncDefn') fg.emit(f.span, Op.FUNC_DEFN, this.compileFunc(f, f.funcKind !== 'unbound_func'));
      else if (f.kind === 'ClassDefn') this.classDefn(f);
      else this.expr(f.value);
      fg.emit(f.span, Op.CALL_METHOD, this.name('set_field'), 2);
      fg.emitPop(f.span);
    }
  }

  // -- Assignment --------------------------------------------------------------

  private assign(e: A.Assign): void {
    const fg = this.fg;
    if (e.op !== ':=') {
      if (e.targets.length !== 1) throw new CompileError('Augmented assignment can only have one target.', e.span);
      return this.augAssign(e.targets[0], AUGOPS[e.op], e.value, e.span);
    }
    this.expr(e.value);
    if (e.targets.length === 1) return this.storeTarget(e.targets[0], e.span);
    fg.emit(e.span, Op.UNPACK, e.targets.length);
    for (const t of e.targets) {
      this.storeTarget(t, e.span);
      fg.emitPop(t.span);
    }
  }

  /** Stores the value on top of the stack into `t`, leaving the value on the stack. */
  private storeTarget(t: A.Target, s: A.Span): void {
    const fg = this.fg;
    switch (t.kind) {
      case 'Var':
        return this.storeVar(t.name, t.span);
      case 'SlotLookup':
        this.expr(t.obj);
        fg.emit(t.span, Op.SET_SLOT, this.name(t.name));
        return;
      case 'Get':
        this.expr(t.obj);
        this.expr(t.index);
        fg.emit(t.span, Op.SET_ITEM);
        return;
      case 'Slice': {
        const tmp = fg.scope.temp('v');
        fg.emit(s, Op.STORE_VAR, tmp);
        this.sliceOperands(t);
        fg.emit(t.span, Op.LOAD_VAR, tmp);
        fg.emit(t.span, Op.CALL_METHOD, this.name('set_slice'), 3);
        fg.emitPop(t.span);
        return;
      }
    }
  }

  private augAssign(t: A.Target, op: Op, value: A.Expr, s: A.Span): void {
    const fg = this.fg;
    switch (t.kind) {
      case 'Var':
        this.loadVar(t.name, t.span);
        break;
      case 'SlotLookup':
        this.expr(t.obj);
        fg.emit(t.span, Op.GET_SLOT, this.name(t.name));
        break;
      case 'Get':
        this.expr(t.obj);
        this.expr(t.index);
        fg.emit(t.span, Op.GET_ITEM);
        break;
      case 'Slice':
        this.sliceOperands(t);
        fg.emit(t.span, Op.CALL_METHOD, this.name('get_slice'), 2);
        break;
    }
    this.expr(value);
    fg.emit(s, op);
    this.storeTarget(t, s);
  }
}

/** Compiles a parsed module to a bytecode unit. Throws CompileError. */
export function compileModule(mod: A.Module, opts: CompileOptions): UnitDef {
  const g = new CodeGen(opts, true);
  const unit = g.compileModule(mod);
  // A module that reassigns `null` gets ordinary variable reads (compiled again).
  return g.nullAssigned ? new CodeGen(opts, false).compileModule(mod) : unit;
}
