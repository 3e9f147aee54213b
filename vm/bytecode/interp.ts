// The interpreter (DESIGN D4, D5): a stackless dispatch loop. A Converge call switches the
// current frame instead of recursing on the host stack; only builtins that call back
// into Converge re-enter run(). pc and sp live in locals and are written back to the
// frame whenever control leaves it (calls, returns, safepoints, exceptions).
//
// JIT hints (where they will go): the green key is (code id, pc) at backward BRANCHes
// (can_enter_jit) and at the loop head (jit_merge_point); the frame is virtualizable.

import { I32, F64 } from '../rts/heap.js';
import { state as heap } from '../rts/alloc.js';
import { addRootScanner, collect, shadowMark, shadowPush, shadowPopTo } from '../rts/gc.js';
import { T, FrameF, FuncF, PartialF, VarsF, VArrayF, ClassF, FloatF, ObjectF, ListF } from '../rts/layout.js';
import { getV, getI, setV, typeId, getItem } from '../rts/ll.js';
import { NONE, isSmall, smallOf, type Value } from '../rts/value.js';
import { allocList, allocObject, listPush, listGet, mkFloat, sym } from '../rts/objects.js';
import { Creator, findField } from '../rts/classes.js';
import { Op, CMP_IS, FAILURE_MARKER_SLOTS, GEN_MARKER_SLOTS, EXCEPTION_MARKER_SLOTS } from './opcodes.js';
import { codes } from './loaded.js';
import { Mode, frameForCall } from './frames.js';
import { K, ConvergeThrow, builtins, checkCount, raise, mkException } from '../builtins/kernel.js';
import * as rt from '../builtins/operators.js';
import { genNext } from '../builtins/gen.js';
import { builtinObject } from '../builtins/builtin-objects.js';
import { recordChain } from './traceback.js';
import { methodFor, methodIsBound, slotFor, storeSlot } from './lookup.js';
import { importModule, moduleLookup, needsInit } from './modules.js';
import { vs, settings, special } from './state.js';
import { FAIL_UP, EYIELD_TAG, w, segStart, copySegment, pushGenMarker, failNow, failOut, FN_RESUME_FRAME } from './markers.js';
import { returnFromFrame, yieldFromFrame, unwind, asConvergeException } from './returns.js';

export { settings, special };

addRootScanner((mark) => {
  mark(vs.curFrame);
  // Inline caches hold versions and field values: they must not be freed and reused.
  for (const c of codes) {
    const ic = c.ic;
    for (let i = 0; i < ic.length; i += 3) {
      if (ic[i] !== 0) {
        mark(ic[i + 1]);
        mark(ic[i + 2]);
      }
    }
  }
});

function safepoint(): void {
  if (heap.gcWanted || settings.gcStress) collect();
}

// -- The dispatch loop ------------------------------------------------------------

/** Runs from frame `entry` until it returns; the result, or NONE if it failed. */
export function run(entry: number): Value {
  const savedCur = vs.curFrame;
  const savedBuiltin = vs.curBuiltin;
  const shadowAtEntry = shadowMark();
  vs.curBuiltin = 0;
  let f = entry;
  try {
    for (;;) {
      const code = codes[I32[w(f, FrameF.code)]];
      const ops = code.ops;
      const unit = code.unit;
      const consts = unit.consts;
      const nameSyms = unit.nameSyms;
      let pc = I32[w(f, FrameF.pc)];
      let sp = I32[w(f, FrameF.sp)];
      // Locals are inline in the frame before the stack (Frame.vars is then the closure),
      // or in a Vars object that closures share (whose parent is the closure).
      const sb = ((f + FrameF.SIZE) >> 2) + I32[w(f, FrameF.nlocals)];
      const vars = getV(f, FrameF.vars) as unknown as number;
      const vb = code.inlineVars ? (f + FrameF.SIZE) >> 2 : (vars + VarsF.SIZE) >> 2;
      const outer = code.inlineVars ? vars : I32[w(vars, VarsF.parent)];
      vs.curFrame = f;
      let next = 0; // frame to switch to, when a case sets it
      try {
        dispatch: for (;;) {
          switch (ops[pc]) {
            case Op.CONST:
              I32[sb + sp++] = consts[ops[pc + 1]] as unknown as number;
              pc += 2;
              continue;
            case Op.INT:
              I32[sb + sp++] = (ops[pc + 1] << 1) | 1;
              pc += 2;
              continue;
            case Op.BUILTIN:
              I32[sb + sp++] = builtinObject(ops[pc + 1]) as unknown as number;
              pc += 2;
              continue;
            case Op.MODULE:
              I32[sb + sp++] = unit.module as unknown as number;
              pc += 1;
              continue;
            case Op.LOAD_VAR: {
              const v = I32[vb + ops[pc + 1]];
              if (v === 0) raise('Unassigned_Var_Exception', '');
              I32[sb + sp++] = v;
              pc += 2;
              continue;
            }
            case Op.STORE_VAR:
              I32[vb + ops[pc + 1]] = I32[sb + sp - 1];
              pc += 2;
              continue;
            case Op.ASSIGN_VAR:
              I32[vb + ops[pc + 1]] = I32[sb + --sp];
              pc += 2;
              continue;
            case Op.LOAD_OUTER: {
              let env = outer;
              for (let d = ops[pc + 1]; d > 1; d--) env = I32[w(env, VarsF.parent)];
              const v = I32[((env + VarsF.SIZE) >> 2) + ops[pc + 2]];
              if (v === 0) raise('Unassigned_Var_Exception', '');
              I32[sb + sp++] = v;
              pc += 3;
              continue;
            }
            case Op.STORE_OUTER: {
              let env = outer;
              for (let d = ops[pc + 1]; d > 1; d--) env = I32[w(env, VarsF.parent)];
              I32[((env + VarsF.SIZE) >> 2) + ops[pc + 2]] = I32[sb + sp - 1];
              pc += 3;
              continue;
            }
            case Op.IS_ASSIGNED:
              pc = I32[vb + ops[pc + 1]] !== 0 ? ops[pc + 2] : pc + 3;
              continue;
            case Op.POP:
              sp--;
              pc += 1;
              continue;
            case Op.DUP:
              I32[sb + sp] = I32[sb + sp - 1];
              sp++;
              pc += 1;
              continue;
            case Op.SWAP: {
              const t = I32[sb + sp - 1];
              I32[sb + sp - 1] = I32[sb + sp - 2];
              I32[sb + sp - 2] = t;
              pc += 1;
              continue;
            }
            case Op.ADD_FAILURE_FRAME:
            case Op.ADD_FAIL_UP_FRAME: {
              const target = ops[pc] === Op.ADD_FAILURE_FRAME ? ops[pc + 1] : FAIL_UP;
              I32[sb + sp] = (target << 1) | 1;
              I32[sb + sp + 1] = (I32[w(f, FrameF.ffp)] << 1) | 1;
              I32[sb + sp + 2] = (I32[w(f, FrameF.gfp)] << 1) | 1;
              I32[w(f, FrameF.ffp)] = sp;
              I32[w(f, FrameF.gfp)] = -1;
              sp += FAILURE_MARKER_SLOTS;
              pc += ops[pc] === Op.ADD_FAILURE_FRAME ? 2 : 1;
              continue;
            }
            case Op.POP_FAILURE_FRAME: {
              const ffp = I32[w(f, FrameF.ffp)];
              I32[w(f, FrameF.ffp)] = smallOf(I32[sb + ffp + 1] as unknown as Value);
              I32[w(f, FrameF.gfp)] = smallOf(I32[sb + ffp + 2] as unknown as Value);
              sp = ffp;
              pc += 1;
              continue;
            }
            case Op.FAIL: {
              const r = failNow(f, sb, pc);
              if (r >= 0) {
                pc = r;
                sp = failOut.sp;
                continue;
              }
              if (r === FN_RESUME_FRAME) {
                I32[w(f, FrameF.sp)] = failOut.sp;
                I32[w(f, FrameF.pc)] = pc;
                next = failOut.resume;
                I32[w(next, FrameF.parent)] = f;
                break dispatch;
              }
              next = returnFromFrame(f, NONE);
              if (next === 0) return NONE;
              break dispatch;
            }
            case Op.BRANCH: {
              const target = ops[pc + 1];
              if (target < pc) {
                // A loop's back edge: a safepoint (and where can_enter_jit will go).
                I32[w(f, FrameF.sp)] = sp;
                safepoint();
              }
              pc = target;
              continue;
            }
            case Op.EYIELD: {
              const v = I32[sb + sp - 1];
              const ffp = I32[w(f, FrameF.ffp)];
              const resume = smallOf(I32[sb + ffp] as unknown as Value);
              I32[w(f, FrameF.ffp)] = smallOf(I32[sb + ffp + 1] as unknown as Value);
              I32[w(f, FrameF.gfp)] = smallOf(I32[sb + ffp + 2] as unknown as Value);
              const seg = segStart(f);
              pushGenMarker(f, sb, ffp, seg, EYIELD_TAG as unknown as number, resume);
              sp = copySegment(sb, ffp);
              I32[sb + sp++] = v;
              pc += 1;
              continue;
            }
            case Op.APPLY:
            case Op.APPLY_GEN:
            case Op.CALL_METHOD:
            case Op.CALL_METHOD_GEN: {
              const op = ops[pc];
              const isMethod = op === Op.CALL_METHOD || op === Op.CALL_METHOD_GEN;
              const gen = op === Op.APPLY_GEN || op === Op.CALL_METHOD_GEN;
              const n = isMethod ? ops[pc + 2] : ops[pc + 1];
              const base = sp - n - 1; // stack index of the callee (APPLY) or receiver (CALL_METHOD)
              I32[w(f, FrameF.sp)] = sp;
              I32[w(f, FrameF.pc)] = pc;
              safepoint();
              let fn: Value;
              let pre: Value[] = NO_ARGS;
              let selfOnStack = false; // the receiver at `base` is the first argument
              if (isMethod) {
                // o.m(args) without allocating a bound method: a bound function found as a
                // class field gets the receiver, which is already on the stack, first.
                fn = methodFor(I32[sb + base] as unknown as Value, nameSyms[ops[pc + 1]], code.ic, 3 * pc);
                selfOnStack = methodIsBound;
              } else {
                fn = I32[sb + base] as unknown as Value;
              }
              if (!isSmall(fn) && typeId(fn) === T.Partial) {
                const stored = getV(fn, PartialF.args);
                const k = getI(stored, VArrayF.len);
                const all: Value[] = [];
                for (let i = 0; i < k; i++) all.push(getItem(stored, VArrayF.SIZE, i));
                pre = pre.length === 0 ? all : pre.concat(all);
                fn = getV(fn, PartialF.func);
              }
              if (isSmall(fn) || typeId(fn) !== T.Func) raise('Apply_Exception', `Do not know how to apply instance of '${rt.classPathOfValue(fn)}'.`);
              const codeId = getI(fn, FuncF.code);
              const resumePc = pc + (isMethod ? 3 : 2);
              if (codeId < 0) {
                // A builtin: called directly, its arguments still on our stack (so rooted).
                const first = selfOnStack ? 0 : 1; // stack index (from base) of the first argument
                const k = n + 1 - first;
                const args = pre.length === 0 ? new Array<Value>(k) : pre.concat(new Array<Value>(k));
                for (let i = 0; i < k; i++) args[pre.length + i] = I32[sb + base + first + i] as unknown as Value;
                const idx = -1 - codeId;
                if (idx === special.classNew && !gen) {
                  const init = newInstance(args, f);
                  if (init > 0) {
                    I32[w(f, FrameF.sp)] = base;
                    next = init;
                    break dispatch;
                  }
                  if (init === 0) {
                    sp = base;
                    I32[sb + sp++] = newResult as unknown as number;
                    pc = resumePc;
                    continue;
                  }
                }
                const def = builtins[idx];
                // The count is checked inside the builtin (its traceback entry shows), as upstream.
                vs.curBuiltin = idx + 1;
                checkCount(args, def.min, def.max);
                let r = def.fn(args);
                vs.curBuiltin = 0;
                if (def.gen !== undefined && r !== NONE) {
                  const state = r;
                  r = genNext(state);
                  if (gen && r !== NONE) {
                    const seg = segStart(f);
                    pushGenMarker(f, sb, base, seg, state as unknown as number, resumePc);
                    sp = copySegment(sb, base);
                    I32[sb + sp++] = r as unknown as number;
                    pc = resumePc;
                    continue;
                  }
                }
                if (r === NONE) {
                  sp = base;
                  const fr = failNow(f, sb, pc);
                  if (fr >= 0) {
                    pc = fr;
                    sp = failOut.sp;
                    continue;
                  }
                  I32[w(f, FrameF.sp)] = base;
                  if (fr === FN_RESUME_FRAME) {
                    I32[w(f, FrameF.sp)] = failOut.sp;
                    next = failOut.resume;
                    I32[w(next, FrameF.parent)] = f;
                    break dispatch;
                  }
                  next = returnFromFrame(f, NONE);
                  if (next === 0) return NONE;
                  break dispatch;
                }
                if (gen) {
                  // A plain builtin in a for condition: one value, then exhausted.
                  const seg = segStart(f);
                  pushGenMarker(f, sb, base, seg, 0, resumePc);
                  sp = copySegment(sb, base);
                } else sp = base;
                I32[sb + sp++] = r as unknown as number;
                pc = resumePc;
                continue;
              }
              // A Converge function: a new frame, arguments bound straight from our stack.
              const callee = selfOnStack
                ? frameForCall(fn, pre, sb + base, n + 1, f, gen ? Mode.GEN : Mode.NORMAL)
                : frameForCall(fn, pre, sb + base + 1, n, f, gen ? Mode.GEN : Mode.NORMAL);
              if (gen) {
                const seg = segStart(f);
                pushGenMarker(f, sb, base, seg, callee, resumePc);
                I32[w(f, FrameF.sp)] = base + GEN_MARKER_SLOTS;
              } else {
                I32[w(f, FrameF.sp)] = base;
              }
              next = callee;
              break dispatch;
            }
            case Op.RETURN:
            case Op.RETURN_FAIL: {
              const v = ops[pc] === Op.RETURN ? (I32[sb + sp - 1] as unknown as Value) : NONE;
              I32[w(f, FrameF.pc)] = pc;
              next = returnFromFrame(f, v);
              if (next === 0) return v;
              break dispatch;
            }
            case Op.YIELD: {
              const v = I32[sb + sp - 1] as unknown as Value;
              I32[w(f, FrameF.pc)] = pc + 1;
              I32[w(f, FrameF.sp)] = sp;
              next = yieldFromFrame(f, v);
              if (next === 0) return v;
              break dispatch;
            }
            case Op.GET_SLOT: {
              const ow = I32[sb + sp - 1];
              if ((ow & 1) === 0 && (I32[ow >> 2] & 0x7f) === T.Object) {
                // Inline-cache hit on an instance's own inline slot: no call at all.
                const ic = code.ic;
                const at = 3 * pc;
                if (ic[at] === I32[(ow + ObjectF.map) >> 2] && ic[at + 1] === 0) {
                  const idx = ic[at + 2] >> 1;
                  const inl = ((I32[ow >> 2] >>> 8) << 1) - (ObjectF.SIZE >> 2);
                  const v = idx < inl ? I32[((ow + ObjectF.SIZE) >> 2) + idx] : I32[((I32[(ow + ObjectF.spill) >> 2] + VArrayF.SIZE) >> 2) + idx - inl];
                  if ((v & 1) === 1 || (I32[v >> 2] & 0x7f) !== T.Func) {
                    I32[sb + sp - 1] = v;
                    pc += 2;
                    continue;
                  }
                }
              }
              const o = I32[sb + sp - 1] as unknown as Value;
              I32[sb + sp - 1] = slotFor(o, nameSyms[ops[pc + 1]], code.ic, 3 * pc) as unknown as number;
              pc += 2;
              continue;
            }
            case Op.SET_SLOT:
            case Op.ASSIGN_SLOT: {
              // The statement form also pops the value.
              const popped = ops[pc] === Op.SET_SLOT ? 1 : 2;
              const ow = I32[sb + sp - 1];
              if ((ow & 1) === 0 && (I32[ow >> 2] & 0x7f) === T.Object) {
                const ic = code.ic;
                const at = 3 * pc;
                if (ic[at] === I32[(ow + ObjectF.map) >> 2] && ic[at] === ic[at + 1]) {
                  // Cached store to an existing inline slot (no map transition).
                  // The slot exists (same map), inline or in the spill array.
                  const idx = ic[at + 2] >> 1;
                  const inl = ((I32[ow >> 2] >>> 8) << 1) - (ObjectF.SIZE >> 2);
                  if (idx < inl) I32[((ow + ObjectF.SIZE) >> 2) + idx] = I32[sb + sp - 2];
                  else I32[((I32[(ow + ObjectF.spill) >> 2] + VArrayF.SIZE) >> 2) + idx - inl] = I32[sb + sp - 2];
                  sp -= popped;
                  pc += 2;
                  continue;
                }
              }
              const o = I32[sb + sp - 1] as unknown as Value;
              const v = I32[sb + sp - 2] as unknown as Value;
              storeSlot(o, nameSyms[ops[pc + 1]], v, code.ic, 3 * pc);
              sp -= popped;
              pc += 2;
              continue;
            }
            case Op.MODULE_LOOKUP: {
              I32[w(f, FrameF.sp)] = sp;
              const m = I32[sb + sp - 1] as unknown as Value;
              if (needsInit(m)) {
                // A lookup through a module initialises it first (spec §14.4).
                I32[w(f, FrameF.pc)] = pc;
                next = importModule(m, f, Mode.RETRY);
                break dispatch;
              }
              I32[sb + sp - 1] = moduleLookup(m, nameSyms[ops[pc + 1]]) as unknown as number;
              pc += 2;
              continue;
            }
            case Op.IMPORT: {
              const m = unit.imports[ops[pc + 1]];
              I32[w(f, FrameF.sp)] = sp;
              I32[w(f, FrameF.pc)] = pc;
              const init = importModule(m, f);
              if (init === 0) {
                I32[sb + sp++] = m as unknown as number;
                pc += 2;
                continue;
              }
              next = init;
              break dispatch;
            }
            case Op.FUNC_DEFN: {
              const c = unit.codeIds[ops[pc + 1]];
              I32[sb + sp++] = rt.mkFunc(c, vars as unknown as Value, unit.module) as unknown as number;
              pc += 2;
              continue;
            }
            case Op.LIST: {
              const n = ops[pc + 1];
              const l = allocList(K.List, n);
              for (let i = 0; i < n; i++) listPush(l, I32[sb + sp - n + i] as unknown as Value);
              sp -= n;
              I32[sb + sp++] = l as unknown as number;
              pc += 2;
              continue;
            }
            case Op.SET:
            case Op.DICT: {
              const n = ops[pc + 1];
              const isDict = ops[pc] === Op.DICT;
              const width = isDict ? 2 : 1;
              I32[w(f, FrameF.sp)] = sp;
              const c = isDict ? rt.newDict(n) : rt.newSet(n);
              // Keys may be user objects whose hash/== run Converge code; keep c rooted.
              const mark = shadowMark();
              shadowPush(c);
              for (let i = 0; i < n; i++) {
                const k = I32[sb + sp - n * width + i * width] as unknown as Value;
                if (isDict) rt.dictSet(c, k, I32[sb + sp - n * width + i * width + 1] as unknown as Value);
                else rt.setAdd(c, k);
              }
              shadowPopTo(mark);
              sp -= n * width;
              I32[sb + sp++] = c as unknown as number;
              pc += 2;
              continue;
            }
            case Op.IS: {
              const b = I32[sb + sp - 1] as unknown as Value;
              const a = I32[sb + sp - 2] as unknown as Value;
              if (rt.identical(a, b)) {
                I32[sb + sp - 2] = b as unknown as number;
                sp--;
                pc += 1;
                continue;
              }
              sp -= 2;
              I32[sb + sp] = 0;
              break; // failed: handled after the switch
            }
            case Op.EQ:
            case Op.NEQ:
            case Op.LT:
            case Op.LE:
            case Op.GT:
            case Op.GE: {
              const b = I32[sb + sp - 1];
              const a = I32[sb + sp - 2];
              let ok: boolean;
              if ((a & b & 1) === 1) {
                // Both small ints: the common case, decided inline.
                switch (ops[pc]) {
                  case Op.EQ: ok = a === b; break;
                  case Op.NEQ: ok = a !== b; break;
                  case Op.LT: ok = a < b; break;
                  case Op.LE: ok = a <= b; break;
                  case Op.GT: ok = a > b; break;
                  default: ok = a >= b; break;
                }
              } else {
                const c = a !== 0 && b !== 0 ? floatCmp(a, b) : -2;
                if (c !== -2) ok = cmpHolds(ops[pc] - Op.EQ, c);
                else {
                  I32[w(f, FrameF.sp)] = sp;
                  I32[w(f, FrameF.pc)] = pc;
                  ok = rt.compare(ops[pc], a as unknown as Value, b as unknown as Value);
                }
              }
              if (ok) {
                I32[sb + sp - 2] = b;
                sp--;
                pc += 1;
                continue;
              }
              sp -= 2;
              break; // failed: handled after the switch
            }
            case Op.ADD:
            case Op.SUB: {
              const b = I32[sb + sp - 1];
              const a = I32[sb + sp - 2];
              if ((a & b & 1) === 1) {
                const r = ops[pc] === Op.ADD ? (a >> 1) + (b >> 1) : (a >> 1) - (b >> 1);
                if (r >= -0x40000000 && r <= 0x3fffffff) {
                  I32[sb + sp - 2] = (r << 1) | 1;
                  sp--;
                  pc += 1;
                  continue;
                }
              }
              if ((a & 1) === 0 && (b & 1) === 0 && (I32[a >> 2] & 0x7f) === T.Float && (I32[b >> 2] & 0x7f) === T.Float) {
                const x = F64[(a + FloatF.val) >> 3];
                const y = F64[(b + FloatF.val) >> 3];
                I32[sb + sp - 2] = mkFloat(ops[pc] === Op.ADD ? x + y : x - y) as unknown as number;
                sp--;
                pc += 1;
                continue;
              }
              I32[w(f, FrameF.sp)] = sp;
              I32[w(f, FrameF.pc)] = pc;
              const r = rt.arith(ops[pc], a as unknown as Value, b as unknown as Value);
              I32[sb + sp - 2] = r as unknown as number;
              sp--;
              pc += 1;
              continue;
            }
            case Op.MUL:
            case Op.DIV:
            case Op.MOD: {
              const b = I32[sb + sp - 1];
              const a = I32[sb + sp - 2];
              if ((a & b & 1) === 1 && b !== 1) {
                // Small ints (and no division by zero): the result is exact in a double.
                const x = a >> 1;
                const y = b >> 1;
                let r: number;
                if (ops[pc] === Op.MUL) r = x * y;
                else if (ops[pc] === Op.MOD) {
                  r = x % y;
                  if (r !== 0 && r < 0 !== y < 0) r += y;
                } else r = x % y === 0 ? x / y : 0.5; // 0.5: not an Int result, take the slow path
                if (r >= -0x40000000 && r <= 0x3fffffff && (r | 0) === r) {
                  I32[sb + sp - 2] = (r << 1) | 1;
                  sp--;
                  pc += 1;
                  continue;
                }
              }
              if ((a & 1) === 0 && (b & 1) === 0 && ops[pc] !== Op.MOD && (I32[a >> 2] & 0x7f) === T.Float && (I32[b >> 2] & 0x7f) === T.Float) {
                const x = F64[(a + FloatF.val) >> 3];
                const y = F64[(b + FloatF.val) >> 3];
                I32[sb + sp - 2] = mkFloat(ops[pc] === Op.MUL ? x * y : x / y) as unknown as number;
                sp--;
                pc += 1;
                continue;
              }
              I32[w(f, FrameF.sp)] = sp;
              I32[w(f, FrameF.pc)] = pc;
              const r = rt.arith(ops[pc], a as unknown as Value, b as unknown as Value);
              if (r === NONE) {
                sp -= 2;
                break; // failed: handled after the switch
              }
              I32[sb + sp - 2] = r as unknown as number;
              sp--;
              pc += 1;
              continue;
            }
            case Op.EXBI: {
              const cls = I32[sb + sp - 1] as unknown as Value;
              const self = I32[sb + sp - 2] as unknown as Value;
              I32[sb + sp - 2] = rt.exbi(self, cls, nameSyms[ops[pc + 1]]) as unknown as number;
              sp--;
              pc += 2;
              continue;
            }
            case Op.RAISE: {
              const e = I32[sb + sp - 1] as unknown as Value;
              sp--;
              throw new ConvergeThrow(rt.checkRaisable(e));
            }
            case Op.RAISE_NEW:
              throw new ConvergeThrow(mkException(builtinObject(ops[pc + 1]), ''));
            case Op.ADD_EXCEPTION_FRAME:
              I32[sb + sp] = (ops[pc + 1] << 1) | 1;
              I32[sb + sp + 1] = (I32[w(f, FrameF.ffp)] << 1) | 1;
              I32[sb + sp + 2] = (I32[w(f, FrameF.gfp)] << 1) | 1;
              I32[sb + sp + 3] = (I32[w(f, FrameF.xfp)] << 1) | 1;
              I32[w(f, FrameF.xfp)] = sp;
              sp += EXCEPTION_MARKER_SLOTS;
              pc += 2;
              continue;
            case Op.POP_EXCEPTION_FRAME: {
              const xfp = I32[w(f, FrameF.xfp)];
              I32[w(f, FrameF.ffp)] = smallOf(I32[sb + xfp + 1] as unknown as Value);
              I32[w(f, FrameF.gfp)] = smallOf(I32[sb + xfp + 2] as unknown as Value);
              I32[w(f, FrameF.xfp)] = smallOf(I32[sb + xfp + 3] as unknown as Value);
              sp = xfp;
              pc += 1;
              continue;
            }
            case Op.UNPACK: {
              const n = ops[pc + 1];
              const l = I32[sb + sp - 1] as unknown as Value;
              rt.checkUnpack(l, n);
              for (let i = 0; i < n; i++) I32[sb + sp + i] = listGet(l, n - 1 - i) as unknown as number;
              sp += n;
              pc += 2;
              continue;
            }
            case Op.GET_ITEM: {
              const item = listItemWord(I32[sb + sp - 2], I32[sb + sp - 1]);
              if (item >= 0) {
                I32[sb + sp - 2] = I32[item];
                sp--;
                pc += 1;
                continue;
              }
              I32[w(f, FrameF.sp)] = sp;
              I32[w(f, FrameF.pc)] = pc;
              // The fast paths stand for List.get / Dict.get: name them in backtraces.
              vs.curBuiltin = itemBuiltin(I32[sb + sp - 2], special.listGet, special.dictGet);
              const r = rt.getItem(I32[sb + sp - 2] as unknown as Value, I32[sb + sp - 1] as unknown as Value);
              vs.curBuiltin = 0;
              if (r === NONE) {
                sp -= 2;
                break; // failed: handled after the switch
              }
              I32[sb + sp - 2] = r as unknown as number;
              sp--;
              pc += 1;
              continue;
            }
            case Op.SET_ITEM:
            case Op.ASSIGN_ITEM: {
              const popped = ops[pc] === Op.SET_ITEM ? 2 : 3;
              const item = listItemWord(I32[sb + sp - 2], I32[sb + sp - 1]);
              if (item >= 0) {
                I32[item] = I32[sb + sp - 3];
                sp -= popped;
                pc += 1;
                continue;
              }
              I32[w(f, FrameF.sp)] = sp;
              I32[w(f, FrameF.pc)] = pc;
              const v = I32[sb + sp - 3] as unknown as Value;
              vs.curBuiltin = itemBuiltin(I32[sb + sp - 2], special.listSet, special.dictSet);
              const r = rt.setItem(I32[sb + sp - 2] as unknown as Value, I32[sb + sp - 1] as unknown as Value, v);
              vs.curBuiltin = 0;
              if (r === NONE) {
                sp -= 3;
                break; // failed: handled after the switch
              }
              sp -= popped;
              pc += 1;
              continue;
            }
            case Op.COMPARE_BRANCH: {
              const b = I32[sb + sp - 1];
              const a = I32[sb + sp - 2];
              const cmp = ops[pc + 1];
              let ok: boolean;
              if (cmp === CMP_IS) {
                ok = a === b || rt.identical(a as unknown as Value, b as unknown as Value);
              } else if ((a & b & 1) === 1) {
                switch (cmp) {
                  case 0: ok = a === b; break;
                  case 1: ok = a !== b; break;
                  case 2: ok = a < b; break;
                  case 3: ok = a <= b; break;
                  case 4: ok = a > b; break;
                  default: ok = a >= b; break;
                }
              } else {
                const c = a !== 0 && b !== 0 ? floatCmp(a, b) : -2;
                if (c !== -2) ok = cmpHolds(cmp, c);
                else {
                  I32[w(f, FrameF.sp)] = sp;
                  I32[w(f, FrameF.pc)] = pc;
                  ok = rt.compare(Op.EQ + cmp, a as unknown as Value, b as unknown as Value);
                }
              }
              sp -= 2;
              pc = ok ? pc + 3 : ops[pc + 2];
              continue;
            }
            default:
              throw new Error(`internal error: bad opcode ${ops[pc]} at pc ${pc}`);
          }
          // Only failing instructions get here (the others `continue`), with pc still
          // at the failing instruction and sp already below its operands.
          {
            const r = failNow(f, sb, pc);
            if (r >= 0) {
              pc = r;
              sp = failOut.sp;
              continue;
            }
            if (r === FN_RESUME_FRAME) {
              I32[w(f, FrameF.sp)] = failOut.sp;
              next = failOut.resume;
              I32[w(next, FrameF.parent)] = f;
              break dispatch;
            }
            next = returnFromFrame(f, NONE);
            if (next === 0) return NONE;
            break dispatch;
          }
        }
        f = next;
      } catch (e) {
        I32[w(f, FrameF.pc)] = pc;
        I32[w(f, FrameF.sp)] = sp;
        const exc = asConvergeException(e);
        // Builtins between the raise and here are gone: so are their shadow-stack roots.
        shadowPopTo(shadowAtEntry);
        recordChain(exc, f, vs.curBuiltin);
        vs.curBuiltin = 0;
        f = unwind(f, exc, entry);
      }
    }
  } finally {
    vs.curFrame = savedCur;
    vs.curBuiltin = savedBuiltin;
  }
}


/** Compares two words when both are Floats (or a Float and a small Int): -2 if not. */
function floatCmp(a: number, b: number): number {
  let x: number;
  let y: number;
  if ((a & 1) === 1) x = a >> 1;
  else if ((I32[a >> 2] & 0x7f) === T.Float) x = F64[(a + FloatF.val) >> 3];
  else return -2;
  if ((b & 1) === 1) y = b >> 1;
  else if ((I32[b >> 2] & 0x7f) === T.Float) y = F64[(b + FloatF.val) >> 3];
  else return -2;
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : 2; // 2: unordered (NaN)
}

/** Does comparison `cmp` (0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=) hold for a floatCmp result? */
function cmpHolds(cmp: number, c: number): boolean {
  switch (cmp) {
    case 0: return c === 0;
    case 1: return c !== 0;
    case 2: return c === -1;
    case 3: return c === -1 || c === 0;
    case 4: return c === 1;
    default: return c === 1 || c === 0;
  }
}

const NO_ARGS: Value[] = [];

/**
 * The fast path of indexing: for a List and a small-int index in range (negative counts
 * from the end), the heap word index of the item; else -1 (take the general path).
 */
function listItemWord(c: number, i: number): number {
  if ((i & 1) === 0 || (c & 1) === 1 || c === 0 || (I32[c >> 2] & 0x7f) !== T.List) return -1;
  const len = I32[(c + ListF.len) >> 2];
  let idx = i >> 1;
  if (idx < 0) idx += len;
  if (idx < 0 || idx >= len) return -1;
  return ((I32[(c + ListF.items) >> 2] + VArrayF.SIZE) >> 2) + idx;
}

/** The builtin (index + 1) an indexing fast path stands for, for backtraces. */
function itemBuiltin(c: number, forList: number, forDict: number): number {
  if ((c & 1) === 1 || c === 0) return 0;
  const t = typeId(c);
  return t === T.List ? forList : t === T.Dict ? forDict : 0;
}

const S_INIT = sym('init');
let newResult: Value = NONE;

/**
 * `C.new(args)` for classes whose instances are plain objects or exceptions, without
 * re-entering the interpreter: allocates the instance and returns the frame of its
 * Converge `init` (run in NEW mode), or 0 when there is no init to run (the instance is
 * in newResult), or -1 to take the general path. args[0] is the class, then the
 * arguments for init.
 */
function newInstance(args: Value[], caller: number): number {
  const cls = args[0];
  if (isSmall(cls) || typeId(cls) !== T.Class) return -1;
  const creator = getI(cls, ClassF.creator);
  if (creator !== Creator.Object && creator !== Creator.Exception) return -1;
  const init = findField(cls, S_INIT);
  if (init === NONE || isSmall(init) || typeId(init) !== T.Func || (getI(init, FuncF.flags) & 1) === 0) return -1;
  const initCode = getI(init, FuncF.code);
  if (initCode < 0 && -1 - initCode !== special.objectInit) return -1;
  const inst = allocObject(cls, creator === Creator.Exception ? T.Exception : T.Object);
  if (initCode < 0) {
    newResult = inst;
    return 0;
  }
  args[0] = inst;
  const fr = frameForCall(init, args, 0, 0, caller, Mode.NEW);
  setV(fr, FrameF.result, inst);
  return fr;
}


