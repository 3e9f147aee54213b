// The interpreter (DESIGN D4, D5): a stackless dispatch loop. A Converge call switches the
// current frame instead of recursing on the host stack; only builtins that call back
// into Converge re-enter run(). The instruction pointer (ip: the pc as a word index into
// the heap copy of the code) and sp live in locals and are written back to the
// frame whenever control leaves it (calls, returns, safepoints, exceptions).
//
// JIT hints (where they will go): the green key is (code id, pc) at backward BRANCHes
// (can_enter_jit) and at the loop head (jit_merge_point); the frame is virtualizable.

import { collectSoon, gcWanted } from '../rts/alloc.js';
import { addRootScanner, collect, shadowMark, shadowPush, shadowPopTo } from '../rts/gc.js';
import { T, FrameF, FuncF, PartialF, VarsF, VArrayF, ClassF, FloatF, ObjectF, ListF, GenStateF } from '../rts/layout.js';
import { addr, getF, getI, getItem, getV, getW, getWI, objBytes, setI, setItem, setV, setW, typeId, val } from '../rts/ll.js';
import { NONE, asValue, bothSmall, fitsSmall, isSmall, small, smallOf, type Value } from '../rts/value.js';
import { allocList, allocObject, listPush, listGet, mkFloat, strCmp, sym } from '../rts/objects.js';
import { Creator, findField } from '../rts/classes.js';
import { Op, CMP_IS, CMP_NOT, FAILURE_MARKER_SLOTS, GEN_MARKER_SLOTS, EXCEPTION_MARKER_SLOTS } from './opcodes.js';
import { codes, CodeWord, failEntry } from './loaded.js';
import { Mode, enterFrame, frameForCall, frameForCode, normalMode } from './frames.js';
import { K, ConvergeThrow, builtins, checkCount, raise, mkException } from '../builtins/kernel.js';
import * as rt from '../builtins/operators.js';
import { genNext } from '../builtins/gen.js';
import { GEN_ITER_TO, iterToNext } from '../builtins/types-number.js';
import { builtinObject } from '../builtins/builtin-objects.js';
import { recordChain } from './traceback.js';
import { methodFor, methodIsBound, slotFor, storeSlot } from './lookup.js';
import { importModule, moduleLookup, needsInit } from './modules.js';
import { vs, special } from './state.js';
import { FAIL_UP, EYIELD_TAG, segStart, copySegment, pushGenMarker, failMarkers, failOut, FN_RESUME_FRAME } from './markers.js';
import { returnFromFrame, yieldFromFrame, unwind, asConvergeException } from './returns.js';

export { special };

addRootScanner((mark) => {
  mark(vs.curFrame);
});

/**
 * Where an unassigned variable is reported: the word of the instruction that names it
 * (the opcode word for LOAD_VAR and LOAD_OUTER, else the operand word, where the compiler
 * recorded that variable's source position). runSlice's handler reads it.
 */
let faultPc = -1;

function unassigned(word: number): never {
  faultPc = word;
  raise('Unassigned_Var_Exception', '');
}

function safepoint(): void {
  if (gcWanted()) collect(); // always raised under --gc-stress
}

// -- The dispatch loop ------------------------------------------------------------

/** Runs from frame `entry` until it returns; the result, or NONE if it failed. */
export function run(entry: number): Value {
  const savedCur = vs.curFrame;
  const savedBuiltin = vs.curBuiltin;
  const shadowAtEntry = shadowMark();
  vs.curBuiltin = 0;
  try {
    let f = entry;
    for (;;) {
      const r = runSlice(entry, f, shadowAtEntry);
      if (r !== SLICE_OVER) return r;
      if (++slicesRun === EARLY_COLLECTION_SLICE) collectSoon();
      f = sliceResume;
      if (exitPc >= 0) {
        setI(f, FrameF.pc, exitPc);
        setI(f, FrameF.sp, exitSp);
        exitPc = -1;
      }
      // f is the frame to run next (at a frame switch, not yet the current one): its
      // parent chain holds every frame that is still live.
      vs.curFrame = f;
      safepoint();
    }
  } finally {
    vs.curFrame = savedCur;
    vs.curBuiltin = savedBuiltin;
  }
}

/**
 * A program that runs this many slices gets its first collection then, whatever it has
 * allocated: the next allocation asks for it, the next safepoint collects. V8 optimises
 * the dispatch loop early, before any collection happened; the first collection then
 * takes paths (safepoint's call of collect, the allocator's request) that had never run,
 * which deoptimises the loop, and it runs unoptimised until V8 has recompiled it (about
 * 0.1 s). Doing that once, early, keeps it out of the program's steady state.
 */
const EARLY_COLLECTION_SLICE = 2;
let slicesRun = 0;

/**
 * runSlice returns SLICE_OVER (never a value: an even word below the heap) after this
 * many frame switches and loop back edges, to be called again at sliceResume. A program
 * runs in one call of run(), so without slices V8 would only ever run the dispatch loop
 * as on-stack-replaced code; called again and again, it gets optimised as a whole
 * function, which measured 4-17% faster on the benchmarks. On-stack-replaced code is
 * slower (the heap views are not constants in it), and with slices of 10,000 V8 still
 * sometimes settled on it after a deoptimisation: fannkuch_redux then took 1.05 s
 * instead of 0.67 s in about half the runs. Slices of 1,000 end that; 3,000 did not.
 */
const SLICE_SWITCHES = 1000;
const SLICE_OVER = asValue(-2);
let sliceResume = 0;
/** When >= 0, the pc and sp at which sliceResume resumes, not yet written to the frame. */
let exitPc = -1;
let exitSp = 0;

function runSlice(entry: number, f: number, shadowAtEntry: number): Value {
  let budget = SLICE_SWITCHES;
  for (;;) {
    if (--budget === 0) {
      sliceResume = f;
      return SLICE_OVER;
    }
    // The instructions, read from their copy in the heap: the heap view is a constant in
    // V8's code, a per-code typed array would be checked and reloaded at every dispatch.
    // The words before them say the rest of what entering the frame needs (CodeWord).
    const ob = getI(f, FrameF.ops);
    // Inline cache of the instruction at ip: icb + 3 * ip.
    const icb = getWI(ob + CodeWord.ic) - 3 * ob;
    const cw = getWI(ob + CodeWord.consts);
    let ip = ob + getI(f, FrameF.pc); // word index of the current instruction in the heap
    let sp = getI(f, FrameF.sp);
    // Locals are inline in the frame before the stack (Frame.vars is then the closure),
    // or in a Vars object that closures share (whose parent is the closure).
    const sb = ((f + FrameF.SIZE) >> 2) + getI(f, FrameF.nlocals);
    const vars = getV(f, FrameF.vars);
    const inlineVars = getWI(ob + CodeWord.inlineVars) !== 0;
    const vb = inlineVars ? (f + FrameF.SIZE) >> 2 : (addr(vars) + VarsF.SIZE) >> 2;
    const outer = inlineVars ? vars : getV(vars, VarsF.parent);
    vs.curFrame = f;
    let next = 0; // frame to switch to, when a case sets it
    try {
      dispatch: for (;;) {
        switch (getWI(ip)) {
          case Op.CONST:
            setW(sb + sp++, getW(cw + getWI(ip + 1)));
            ip += 2;
            continue;
          case Op.INT:
            setW(sb + sp++, small(getWI(ip + 1)));
            ip += 2;
            continue;
          case Op.BUILTIN:
            setW(sb + sp++, builtinObject(getWI(ip + 1)));
            ip += 2;
            continue;
          case Op.MODULE:
            setW(sb + sp++, codes[getWI(ob + CodeWord.id)].unit.module);
            ip += 1;
            continue;
          case Op.LOAD_VAR: {
            const v = getW(vb + getWI(ip + 1));
            if (v === NONE) unassigned(ip - ob);
            setW(sb + sp++, v);
            ip += 2;
            continue;
          }
          case Op.LOAD_VAR2: {
            const v = getW(vb + getWI(ip + 1));
            const u = getW(vb + getWI(ip + 2));
            if (v === NONE) unassigned(ip - ob);
            if (u === NONE) unassigned(ip - ob + 2);
            setW(sb + sp, v);
            setW(sb + sp + 1, u);
            sp += 2;
            ip += 3;
            continue;
          }
          case Op.STORE_VAR:
            setW(vb + getWI(ip + 1), getW(sb + sp - 1));
            ip += 2;
            continue;
          case Op.ASSIGN_VAR:
            setW(vb + getWI(ip + 1), getW(sb + --sp));
            ip += 2;
            continue;
          case Op.MOVE_VAR: {
            const v = getW(vb + getWI(ip + 1));
            if (v === NONE) unassigned(ip - ob + 1);
            setW(vb + getWI(ip + 2), v);
            ip += 3;
            continue;
          }
          case Op.LOAD_OUTER: {
            let env = outer;
            for (let d = getWI(ip + 1); d > 1; d--) env = getV(env, VarsF.parent);
            const v = getItem(env, VarsF.SIZE, getWI(ip + 2));
            if (v === NONE) unassigned(ip - ob);
            setW(sb + sp++, v);
            ip += 3;
            continue;
          }
          case Op.STORE_OUTER: {
            let env = outer;
            for (let d = getWI(ip + 1); d > 1; d--) env = getV(env, VarsF.parent);
            setItem(env, VarsF.SIZE, getWI(ip + 2), getW(sb + sp - 1));
            ip += 3;
            continue;
          }
          case Op.IS_ASSIGNED:
            ip = getW(vb + getWI(ip + 1)) !== NONE ? getWI(ip + 2) : ip + 3;
            continue;
          case Op.POP:
            sp--;
            ip += 1;
            continue;
          case Op.DUP:
            setW(sb + sp, getW(sb + sp - 1));
            sp++;
            ip += 1;
            continue;
          case Op.SWAP: {
            const t = getW(sb + sp - 1);
            setW(sb + sp - 1, getW(sb + sp - 2));
            setW(sb + sp - 2, t);
            ip += 1;
            continue;
          }
          case Op.ADD_FAILURE_FRAME:
          case Op.ADD_FAIL_UP_FRAME: {
            const target = getWI(ip) === Op.ADD_FAILURE_FRAME ? getWI(ip + 1) : FAIL_UP;
            setW(sb + sp, small(target));
            setW(sb + sp + 1, small(getI(f, FrameF.ffp)));
            setW(sb + sp + 2, small(getI(f, FrameF.gfp)));
            setI(f, FrameF.ffp, sp);
            setI(f, FrameF.gfp, -1);
            sp += FAILURE_MARKER_SLOTS;
            ip += getWI(ip) === Op.ADD_FAILURE_FRAME ? 2 : 1;
            continue;
          }
          case Op.POP_FAILURE_FRAME: {
            const ffp = getI(f, FrameF.ffp);
            setI(f, FrameF.ffp, smallOf(getW(sb + ffp + 1)));
            setI(f, FrameF.gfp, smallOf(getW(sb + ffp + 2)));
            sp = ffp;
            ip += 1;
            continue;
          }
          case Op.FAIL:
            break; // handled after the switch
          case Op.BRANCH: {
            const target = getWI(ip + 1);
            if (target < ip) {
              // A loop's back edge: a safepoint (and where can_enter_jit will go).
              setI(f, FrameF.sp, sp);
              safepoint();
              if (--budget === 0) {
                setI(f, FrameF.pc, target - ob);
                sliceResume = f;
                return SLICE_OVER;
              }
            }
            ip = target;
            continue;
          }
          case Op.EYIELD: {
            const v = getW(sb + sp - 1);
            const ffp = getI(f, FrameF.ffp);
            const resume = smallOf(getW(sb + ffp));
            setI(f, FrameF.ffp, smallOf(getW(sb + ffp + 1)));
            setI(f, FrameF.gfp, smallOf(getW(sb + ffp + 2)));
            const seg = segStart(f);
            pushGenMarker(f, sb, ffp, seg, EYIELD_TAG, resume);
            sp = copySegment(sb, ffp);
            setW(sb + sp++, v);
            ip += 1;
            continue;
          }
          case Op.APPLY:
          case Op.APPLY_GEN:
          case Op.CALL_METHOD:
          case Op.CALL_METHOD_GEN: {
            const op = getWI(ip);
            const isMethod = op === Op.CALL_METHOD || op === Op.CALL_METHOD_GEN;
            const gen = op === Op.APPLY_GEN || op === Op.CALL_METHOD_GEN;
            const n = isMethod ? getWI(ip + 2) : getWI(ip + 1);
            const base = sp - n - 1; // stack index of the callee (APPLY) or receiver (CALL_METHOD)
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            safepoint();
            let fn: Value;
            let pre: Value[] = NO_ARGS;
            let selfOnStack = false; // the receiver at `base` is the first argument
            if (isMethod) {
              // o.m(args) without allocating a bound method: a bound function found as a
              // class field gets the receiver, which is already on the stack, first.
              fn = methodFor(getW(sb + base), getWI(ip + 1), icb + 3 * ip);
              selfOnStack = methodIsBound;
            } else {
              fn = getW(sb + base);
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
            const callWords = isMethod ? 3 : 2;
            const resumePc = ip - ob + callWords;
            if (codeId >= 0 && !gen && pre.length === 0) {
              const cc = codes[codeId];
              if (cc.exactArgs === (selfOnStack ? n + 1 : n)) {
                next = enterFrame(cc, getV(fn, FuncF.closure), selfOnStack ? sb + base : sb + base + 1, f, normalMode(callWords));
                setI(f, FrameF.sp, base);
                break dispatch;
              }
            }
            if (codeId < 0) {
              // A builtin: called directly, its arguments still on our stack (so rooted).
              const first = selfOnStack ? 0 : 1; // stack index (from base) of the first argument
              const k = n + 1 - first;
              const idx = -1 - codeId;
              const def = builtins[idx];
              const f1 = def.f1;
              const f2 = def.f2;
              let r: Value;
              if (idx === special.classNew && !gen && pre.length === 0) {
                const init = newInstance(sb + base + first, k, f);
                if (init >= 0) {
                  // The instance is the call's result: it waits (rooted) on our stack.
                  if (first === 1) setW(sb + base, getW(sb + base + 1));
                  if (init > 0) {
                    setI(f, FrameF.sp, base + 1);
                    next = init;
                    break dispatch;
                  }
                  sp = base + 1;
                  ip = ob + resumePc;
                  continue;
                }
              }
              if (pre.length === 0 && (k === 1 ? f1 !== undefined : k === 2 && f2 !== undefined)) {
                // One or two arguments: the builtin's fixed-arity entry, without an array.
                vs.curBuiltin = idx + 1;
                r = k === 1 ? f1!(getW(sb + base + first)) : f2!(getW(sb + base + first), getW(sb + base + first + 1));
              } else {
                const args = pre.length === 0 ? new Array<Value>(k) : pre.concat(new Array<Value>(k));
                for (let i = 0; i < k; i++) args[pre.length + i] = getW(sb + base + first + i);
                // The count is checked inside the builtin (its traceback entry shows), as upstream.
                vs.curBuiltin = idx + 1;
                checkCount(args, def.min, def.max);
                r = def.fn(args);
              }
              vs.curBuiltin = 0;
              if (def.gen !== undefined && r !== NONE) {
                const state = r;
                r = genNext(state);
                if (gen && r !== NONE) {
                  const seg = segStart(f);
                  pushGenMarker(f, sb, base, seg, state, resumePc);
                  sp = copySegment(sb, base);
                  setW(sb + sp++, r);
                  ip = ob + resumePc;
                  continue;
                }
              }
              if (r === NONE) {
                sp = base;
                break; // failed: handled after the switch
              }
              if (gen) {
                // A plain builtin in a for condition: one value, then exhausted.
                const seg = segStart(f);
                pushGenMarker(f, sb, base, seg, NONE, resumePc);
                sp = copySegment(sb, base);
              } else sp = base;
              setW(sb + sp++, r);
              ip = ob + resumePc;
              continue;
            }
            // A Converge function: a new frame, arguments bound straight from our stack.
            const callee = selfOnStack
              ? frameForCall(fn, pre, sb + base, n + 1, f, gen ? Mode.GEN : normalMode(callWords))
              : frameForCall(fn, pre, sb + base + 1, n, f, gen ? Mode.GEN : normalMode(callWords));
            if (gen) {
              const seg = segStart(f);
              pushGenMarker(f, sb, base, seg, val(callee), resumePc);
              setI(f, FrameF.sp, base + GEN_MARKER_SLOTS);
            } else {
              setI(f, FrameF.sp, base);
            }
            next = callee;
            break dispatch;
          }
          case Op.RETURN:
          case Op.RETURN_FAIL: {
            const v = getWI(ip) === Op.RETURN ? (getW(sb + sp - 1)) : NONE;
            setI(f, FrameF.pc, ip - ob);
            next = returnFromFrame(f, v);
            if (next === 0) return v;
            break dispatch;
          }
          case Op.YIELD: {
            const v = getW(sb + sp - 1);
            setI(f, FrameF.pc, ip - ob + 1);
            setI(f, FrameF.sp, sp);
            next = yieldFromFrame(f, v);
            if (next === 0) return v;
            break dispatch;
          }
          case Op.GET_SLOT: {
            const o = getW(sb + sp - 1);
            if (!isSmall(o) && typeId(o) === T.Object) {
              // Inline-cache hit on an instance's own slot: no call at all.
              const e = icb + 3 * ip;
              if (getWI(e) === getI(o, ObjectF.map) && getWI(e + 1) === 0) {
                const idx = getWI(e + 2) >> 1;
                const inl = (objBytes(o) - ObjectF.SIZE) >> 2; // slots stored inline
                const v = idx < inl ? getItem(o, ObjectF.SIZE, idx) : getItem(getV(o, ObjectF.spill), VArrayF.SIZE, idx - inl);
                if (isSmall(v) || typeId(v) !== T.Func) {
                  setW(sb + sp - 1, v);
                  ip += 2;
                  continue;
                }
              }
            }
            setW(sb + sp - 1, slotFor(o, getWI(ip + 1), icb + 3 * ip));
            ip += 2;
            continue;
          }
          case Op.SET_SLOT:
          case Op.ASSIGN_SLOT: {
            // The statement form also pops the value.
            const popped = getWI(ip) === Op.SET_SLOT ? 1 : 2;
            const o = getW(sb + sp - 1);
            const v = getW(sb + sp - 2);
            if (!isSmall(o) && typeId(o) === T.Object) {
              const e = icb + 3 * ip;
              if (getWI(e) === getI(o, ObjectF.map) && getWI(e) === getWI(e + 1)) {
                // Cached store to a slot that exists (same map: no map transition),
                // inline or in the spill array.
                const idx = getWI(e + 2) >> 1;
                const inl = (objBytes(o) - ObjectF.SIZE) >> 2;
                if (idx < inl) setItem(o, ObjectF.SIZE, idx, v);
                else setItem(getV(o, ObjectF.spill), VArrayF.SIZE, idx - inl, v);
                sp -= popped;
                ip += 2;
                continue;
              }
            }
            storeSlot(o, getWI(ip + 1), v, icb + 3 * ip);
            sp -= popped;
            ip += 2;
            continue;
          }
          case Op.MODULE_LOOKUP: {
            setI(f, FrameF.sp, sp);
            const m = getW(sb + sp - 1);
            if (needsInit(m)) {
              // A lookup through a module initialises it first (spec §14.4).
              setI(f, FrameF.pc, ip - ob);
              next = importModule(m, f, Mode.RETRY);
              break dispatch;
            }
            setW(sb + sp - 1, moduleLookup(m, getWI(ip + 1)));
            ip += 2;
            continue;
          }
          case Op.IMPORT: {
            const m = codes[getWI(ob + CodeWord.id)].unit.imports[getWI(ip + 1)];
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            const init = importModule(m, f);
            if (init === 0) {
              setW(sb + sp++, m);
              ip += 2;
              continue;
            }
            next = init;
            break dispatch;
          }
          case Op.FUNC_DEFN: {
            const unit = codes[getWI(ob + CodeWord.id)].unit;
            const c = unit.codeIds[getWI(ip + 1)];
            setW(sb + sp++, rt.mkFunc(c, vars, unit.module));
            ip += 2;
            continue;
          }
          case Op.LIST: {
            const n = getWI(ip + 1);
            const l = allocList(K.List, n);
            for (let i = 0; i < n; i++) listPush(l, getW(sb + sp - n + i));
            sp -= n;
            setW(sb + sp++, l);
            ip += 2;
            continue;
          }
          case Op.SET:
          case Op.DICT: {
            const n = getWI(ip + 1);
            const isDict = getWI(ip) === Op.DICT;
            const width = isDict ? 2 : 1;
            setI(f, FrameF.sp, sp);
            const c = isDict ? rt.newDict(n) : rt.newSet(n);
            // Keys may be user objects whose hash/== run Converge code; keep c rooted.
            const mark = shadowMark();
            shadowPush(c);
            for (let i = 0; i < n; i++) {
              const k = getW(sb + sp - n * width + i * width);
              if (isDict) rt.dictSet(c, k, getW(sb + sp - n * width + i * width + 1));
              else rt.setAdd(c, k);
            }
            shadowPopTo(mark);
            sp -= n * width;
            setW(sb + sp++, c);
            ip += 2;
            continue;
          }
          case Op.IS: {
            const b = getW(sb + sp - 1);
            const a = getW(sb + sp - 2);
            if (rt.identical(a, b)) {
              setW(sb + sp - 2, b);
              sp--;
              ip += 1;
              continue;
            }
            sp -= 2;
            setW(sb + sp, NONE);
            break; // failed: handled after the switch
          }
          case Op.EQ:
          case Op.NEQ:
          case Op.LT:
          case Op.LE:
          case Op.GT:
          case Op.GE: {
            const b = getW(sb + sp - 1);
            const a = getW(sb + sp - 2);
            let ok: boolean;
            if (bothSmall(a, b)) ok = smallHolds(getWI(ip) - Op.EQ, a, b);
            else ok = compareValues(getWI(ip) - Op.EQ, a, b, f, ip - ob, sp);
            if (ok) {
              setW(sb + sp - 2, b);
              sp--;
              ip += 1;
              continue;
            }
            sp -= 2;
            break; // failed: handled after the switch
          }
          case Op.ADD:
          case Op.SUB: {
            const b = getW(sb + sp - 1);
            const a = getW(sb + sp - 2);
            if (bothSmall(a, b)) {
              const r = getWI(ip) === Op.ADD ? smallOf(a) + smallOf(b) : smallOf(a) - smallOf(b);
              if (fitsSmall(r)) {
                setW(sb + sp - 2, small(r));
                sp--;
                ip += 1;
                continue;
              }
            }
            if (!isSmall(a) && !isSmall(b) && typeId(a) === T.Float && typeId(b) === T.Float) {
              const x = getF(a, FloatF.val);
              const y = getF(b, FloatF.val);
              setW(sb + sp - 2, mkFloat(getWI(ip) === Op.ADD ? x + y : x - y));
              sp--;
              ip += 1;
              continue;
            }
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            const r = rt.arith(getWI(ip), a, b);
            setW(sb + sp - 2, r);
            sp--;
            ip += 1;
            continue;
          }
          case Op.MUL:
          case Op.DIV:
          case Op.MOD: {
            const b = getW(sb + sp - 1);
            const a = getW(sb + sp - 2);
            if (bothSmall(a, b) && b !== small(0)) {
              // Small ints (and no division by zero): the result is exact in a double.
              const x = smallOf(a);
              const y = smallOf(b);
              let r: number;
              if (getWI(ip) === Op.MUL) r = x * y;
              else if (getWI(ip) === Op.MOD) {
                r = x % y;
                if (r !== 0 && r < 0 !== y < 0) r += y;
              } else r = x % y === 0 ? x / y : 0.5; // 0.5: not an Int result, take the slow path
              if (fitsSmall(r) && (r | 0) === r) {
                setW(sb + sp - 2, small(r));
                sp--;
                ip += 1;
                continue;
              }
            }
            if (!isSmall(a) && !isSmall(b) && getWI(ip) !== Op.MOD && typeId(a) === T.Float && typeId(b) === T.Float) {
              const x = getF(a, FloatF.val);
              const y = getF(b, FloatF.val);
              setW(sb + sp - 2, mkFloat(getWI(ip) === Op.MUL ? x * y : x / y));
              sp--;
              ip += 1;
              continue;
            }
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            const r = rt.arith(getWI(ip), a, b);
            if (r === NONE) {
              sp -= 2;
              break; // failed: handled after the switch
            }
            setW(sb + sp - 2, r);
            sp--;
            ip += 1;
            continue;
          }
          case Op.EXBI: {
            const cls = getW(sb + sp - 1);
            const self = getW(sb + sp - 2);
            setW(sb + sp - 2, rt.exbi(self, cls, getWI(ip + 1)));
            sp--;
            ip += 2;
            continue;
          }
          case Op.RAISE: {
            const e = getW(sb + sp - 1);
            sp--;
            throw new ConvergeThrow(rt.checkRaisable(e));
          }
          case Op.RAISE_NEW:
            throw new ConvergeThrow(mkException(builtinObject(getWI(ip + 1)), ''));
          case Op.ADD_EXCEPTION_FRAME:
            setW(sb + sp, small(getWI(ip + 1)));
            setW(sb + sp + 1, small(getI(f, FrameF.ffp)));
            setW(sb + sp + 2, small(getI(f, FrameF.gfp)));
            setW(sb + sp + 3, small(getI(f, FrameF.xfp)));
            setI(f, FrameF.xfp, sp);
            sp += EXCEPTION_MARKER_SLOTS;
            ip += 2;
            continue;
          case Op.POP_EXCEPTION_FRAME: {
            const xfp = getI(f, FrameF.xfp);
            setI(f, FrameF.ffp, smallOf(getW(sb + xfp + 1)));
            setI(f, FrameF.gfp, smallOf(getW(sb + xfp + 2)));
            setI(f, FrameF.xfp, smallOf(getW(sb + xfp + 3)));
            sp = xfp;
            ip += 1;
            continue;
          }
          case Op.UNPACK: {
            const n = getWI(ip + 1);
            const l = getW(sb + sp - 1);
            rt.checkUnpack(l, n);
            for (let i = 0; i < n; i++) setW(sb + sp + i, listGet(l, n - 1 - i));
            sp += n;
            ip += 2;
            continue;
          }
          case Op.GET_ITEM: {
            const item = listItemWord(getW(sb + sp - 2), getW(sb + sp - 1));
            if (item >= 0) {
              setW(sb + sp - 2, getW(item));
              sp--;
              ip += 1;
              continue;
            }
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            // The fast paths stand for List.get / Dict.get: name them in backtraces.
            vs.curBuiltin = itemBuiltin(getW(sb + sp - 2), special.listGet, special.dictGet, special.stringGet);
            const r = rt.getItem(getW(sb + sp - 2), getW(sb + sp - 1));
            vs.curBuiltin = 0;
            if (r === NONE) {
              sp -= 2;
              break; // failed: handled after the switch
            }
            setW(sb + sp - 2, r);
            sp--;
            ip += 1;
            continue;
          }
          case Op.SET_ITEM:
          case Op.ASSIGN_ITEM: {
            const popped = getWI(ip) === Op.SET_ITEM ? 2 : 3;
            const item = listItemWord(getW(sb + sp - 2), getW(sb + sp - 1));
            if (item >= 0) {
              setW(item, getW(sb + sp - 3));
              sp -= popped;
              ip += 1;
              continue;
            }
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            const v = getW(sb + sp - 3);
            vs.curBuiltin = itemBuiltin(getW(sb + sp - 2), special.listSet, special.dictSet, 0);
            const r = rt.setItem(getW(sb + sp - 2), getW(sb + sp - 1), v);
            vs.curBuiltin = 0;
            if (r === NONE) {
              sp -= 3;
              break; // failed: handled after the switch
            }
            sp -= popped;
            ip += 1;
            continue;
          }
          case Op.GET_ITEM_VV:
          case Op.ASSIGN_ITEM_VV: {
            // c[i], or the statement c[i] := v with v on the stack.
            const get = getWI(ip) === Op.GET_ITEM_VV;
            const c = getW(vb + getWI(ip + 1));
            const i = getW(vb + getWI(ip + 2));
            if (c === NONE) unassigned(ip - ob + 1);
            if (i === NONE) unassigned(ip - ob + 2);
            const item = listItemWord(c, i);
            if (item >= 0) {
              if (get) setW(sb + sp++, getW(item));
              else setW(item, getW(sb + --sp));
              ip += 3;
              continue;
            }
            // c and i are variables and v is on the stack: rooted while a user get/set runs.
            setI(f, FrameF.sp, sp);
            setI(f, FrameF.pc, ip - ob);
            vs.curBuiltin = get ? itemBuiltin(c, special.listGet, special.dictGet, special.stringGet) : itemBuiltin(c, special.listSet, special.dictSet, 0);
            const r = get ? rt.getItem(c, i) : rt.setItem(c, i, getW(sb + sp - 1));
            vs.curBuiltin = 0;
            if (!get) sp--;
            if (r === NONE) break; // failed: handled after the switch
            if (get) setW(sb + sp++, r);
            ip += 3;
            continue;
          }
          case Op.COMPARE_BRANCH: {
            const b = getW(sb + sp - 1);
            const a = getW(sb + sp - 2);
            let ok: boolean;
            if (bothSmall(a, b)) ok = smallHolds(getWI(ip + 1), a, b);
            else ok = compareValues(getWI(ip + 1), a, b, f, ip - ob, sp);
            sp -= 2;
            ip = ok ? ip + 3 : getWI(ip + 2);
            continue;
          }
          // -- Operators with named operands (LOAD_VARs and INTs fused in) --------------
          // A variable that is unassigned raises with pc at its operand word, where the
          // compiler recorded the variable's source position.
          case Op.ARITH_VV:
          case Op.ARITH_VI:
          case Op.ASSIGN_ARITH_VV:
          case Op.ASSIGN_ARITH_VI: {
            const assign = getWI(ip) === Op.ASSIGN_ARITH_VV || getWI(ip) === Op.ASSIGN_ARITH_VI ? 1 : 0;
            const a = getW(vb + getWI(ip + 2 + assign));
            if (a === NONE) unassigned(ip - ob + 2 + assign);
            const byVar = getWI(ip) === Op.ARITH_VV || getWI(ip) === Op.ASSIGN_ARITH_VV;
            const b = byVar ? getW(vb + getWI(ip + 3 + assign)) : small(getWI(ip + 3 + assign));
            if (b === NONE) unassigned(ip - ob + 3 + assign);
            const k = getWI(ip + 1 + assign);
            let r = arithFast(k, a, b);
            if (r === NONE) {
              setI(f, FrameF.sp, sp);
              setI(f, FrameF.pc, ip - ob);
              r = rt.arith(Op.ADD + k, a, b);
              if (r === NONE) break; // failed: handled after the switch
            }
            if (assign === 1) setW(vb + getWI(ip + 1), r);
            else setW(sb + sp++, r);
            ip += 4 + assign;
            continue;
          }
          case Op.ARITH_SV:
          case Op.ARITH_SI: {
            const a = getW(sb + sp - 1);
            const b = getWI(ip) === Op.ARITH_SV ? getW(vb + getWI(ip + 2)) : small(getWI(ip + 2));
            if (b === NONE) unassigned(ip - ob + 2);
            const k = getWI(ip + 1);
            let r = arithFast(k, a, b);
            if (r === NONE) {
              // The left operand stays on the stack (rooted) while Converge code may run.
              setI(f, FrameF.sp, sp);
              setI(f, FrameF.pc, ip - ob);
              r = rt.arith(Op.ADD + k, a, b);
              if (r === NONE) {
                sp--;
                break; // failed: handled after the switch
              }
            }
            setW(sb + sp - 1, r);
            ip += 3;
            continue;
          }
          case Op.COMPARE_BRANCH_VV:
          case Op.COMPARE_BRANCH_VI: {
            const a = getW(vb + getWI(ip + 2));
            if (a === NONE) unassigned(ip - ob + 2);
            const b = getWI(ip) === Op.COMPARE_BRANCH_VV ? getW(vb + getWI(ip + 3)) : small(getWI(ip + 3));
            if (b === NONE) unassigned(ip - ob + 3);
            let ok: boolean;
            if (bothSmall(a, b)) ok = smallHolds(getWI(ip + 1), a, b);
            else ok = compareValues(getWI(ip + 1), a, b, f, ip - ob, sp);
            ip = ok ? ip + 5 : getWI(ip + 4);
            continue;
          }
          case Op.COMPARE_BRANCH_SV:
          case Op.COMPARE_BRANCH_SI:
          case Op.COMPARE_BRANCH_SB: {
            const a = getW(sb + sp - 1);
            const op = getWI(ip);
            const b = op === Op.COMPARE_BRANCH_SV ? getW(vb + getWI(ip + 2)) : op === Op.COMPARE_BRANCH_SI ? small(getWI(ip + 2)) : builtinObject(getWI(ip + 2));
            if (b === NONE) unassigned(ip - ob + 2);
            let ok: boolean;
            if (bothSmall(a, b)) ok = smallHolds(getWI(ip + 1), a, b);
            else ok = compareValues(getWI(ip + 1), a, b, f, ip - ob, sp);
            sp--;
            ip = ok ? ip + 4 : getWI(ip + 3);
            continue;
          }
          case Op.GET_SLOT_VAR: {
            const o = getW(vb + getWI(ip + 1));
            if (o === NONE) unassigned(ip - ob + 1);
            if (!isSmall(o) && typeId(o) === T.Object) {
              const e = icb + 3 * ip;
              if (getWI(e) === getI(o, ObjectF.map) && getWI(e + 1) === 0) {
                const idx = getWI(e + 2) >> 1;
                const inl = (objBytes(o) - ObjectF.SIZE) >> 2;
                const v = idx < inl ? getItem(o, ObjectF.SIZE, idx) : getItem(getV(o, ObjectF.spill), VArrayF.SIZE, idx - inl);
                if (isSmall(v) || typeId(v) !== T.Func) {
                  setW(sb + sp++, v);
                  ip += 3;
                  continue;
                }
              }
            }
            setW(sb + sp++, o); // rooted while the lookup runs
            setW(sb + sp - 1, slotFor(o, getWI(ip + 2), icb + 3 * ip));
            ip += 3;
            continue;
          }
          default:
            throw new Error(`internal error: bad opcode ${getWI(ip)} at pc ${ip - ob}`);
        }
        // Only failing instructions get here (the others `continue`), with ip still
        // at the failing instruction and sp already below its operands.
        {
          // The common cases first, inline: a static failure range, a failure frame, or
          // a `for` over Int.iter_to that has a next value. failMarkers has the rules.
          const e = failEntry(ob, ip - ob);
          if (getWI(e) !== 0) {
            sp = getWI(e + 1);
            ip = ob + getWI(e) - 1;
            continue;
          }
          const ffp = getI(f, FrameF.ffp);
          if (ffp >= 0) {
            const target = smallOf(getW(sb + ffp));
            if (target !== FAIL_UP) {
              setI(f, FrameF.ffp, smallOf(getW(sb + ffp + 1)));
              setI(f, FrameF.gfp, smallOf(getW(sb + ffp + 2)));
              sp = ffp;
              ip = ob + target;
              continue;
            }
            const g = getI(f, FrameF.gfp);
            if (g >= 0) {
              const callee = getW(sb + g + 2);
              if (callee !== NONE && !isSmall(callee) && typeId(callee) === T.GenState && getI(callee, GenStateF.kind) === GEN_ITER_TO) {
                const v = iterToNext(callee);
                if (v !== NONE) {
                  sp = copySegment(sb, g);
                  setW(sb + sp++, v);
                  const rp = smallOf(getW(sb + g));
                  ip = ob + rp;
                  // The loop's next iteration: a back edge (see below).
                  if (--budget === 0 || gcWanted()) {
                    sliceResume = f;
                    exitPc = rp;
                    exitSp = sp;
                    return SLICE_OVER;
                  }
                  continue;
                }
              }
            }
          }
          const r = failMarkers(f, sb);
          if (r >= 0) {
            const back = ob + r < ip;
            ip = ob + r;
            sp = failOut.sp;
            // Resuming a generator is a loop's next iteration (a `for` has no backward
            // BRANCH): a back edge, which counts towards the slice and is a safepoint, where
            // the slice ends and run() collects. The exit only writes module variables,
            // which V8 compiles without feedback: a loop that first collects here mid-run
            // is then not deoptimised (an inline call of collect measured up to 10% slower).
            if (back && (--budget === 0 || gcWanted())) {
              sliceResume = f;
              exitPc = r;
              exitSp = sp;
              return SLICE_OVER;
            }
            continue;
          }
          if (r === FN_RESUME_FRAME) {
            // The generator's traceback entries sit under this instruction.
            setI(f, FrameF.sp, failOut.sp);
            setI(f, FrameF.pc, ip - ob);
            next = failOut.resume;
            setI(next, FrameF.parent, f);
            break dispatch;
          }
          next = returnFromFrame(f, NONE);
          if (next === 0) return NONE;
          break dispatch;
        }
      }
      f = next;
    } catch (e) {
      setI(f, FrameF.pc, faultPc >= 0 ? faultPc : ip - ob);
      faultPc = -1;
      setI(f, FrameF.sp, sp);
      const exc = asConvergeException(e);
      // Builtins between the raise and here are gone: so are their shadow-stack roots.
      shadowPopTo(shadowAtEntry);
      recordChain(exc, f, vs.curBuiltin);
      vs.curBuiltin = 0;
      f = unwind(f, exc, entry);
    }
  }
}


/**
 * Compares two words that the VM orders itself: numbers that are Floats or small Ints,
 * or two Strings (byte-wise). -1, 0, 1, 2 (unordered: NaN), or -2 for anything else.
 */
function nativeCmp(a: Value, b: Value): number {
  let x: number;
  let y: number;
  if (isSmall(a)) x = smallOf(a);
  else {
    const t = typeId(a);
    if (t === T.Float) x = getF(a, FloatF.val);
    else if (t === T.String && !isSmall(b) && typeId(b) === T.String) {
      const d = a === b ? 0 : strCmp(a, b);
      return d < 0 ? -1 : d > 0 ? 1 : 0;
    } else return -2;
  }
  if (isSmall(b)) y = smallOf(b);
  else if (typeId(b) === T.Float) y = getF(b, FloatF.val);
  else return -2;
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : 2; // 2: unordered (NaN)
}

/** Does comparison `cmp` (0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=, 6 is, each maybe + CMP_NOT) hold for two small ints? */
function smallHolds(cmp: number, a: Value, b: Value): boolean {
  switch (cmp) {
    case 0: return a === b;
    case 1: return a !== b;
    case 2: return smallOf(a) < smallOf(b);
    case 3: return smallOf(a) <= smallOf(b);
    case 4: return smallOf(a) > smallOf(b);
    case 5: return smallOf(a) >= smallOf(b);
    case 6: return a === b;
    default: return !smallHolds(cmp & ~CMP_NOT, a, b);
  }
}

/**
 * `a op b` (op: 0 +, 1 -, 2 *, 3 /, 4 %) for two small ints with a small-int result, or
 * two Floats; else NONE, leaving the case to rt.arith (overflow, division by zero or an
 * inexact quotient, other types).
 */
function arithFast(op: number, a: Value, b: Value): Value {
  if (bothSmall(a, b)) {
    const x = smallOf(a);
    const y = smallOf(b);
    const z = op === 0 ? x + y : op === 1 ? x - y : op === 2 ? x * y : y === 0 ? NaN : op === 4 ? ((x % y) + y) % y : x % y === 0 ? x / y : NaN;
    return fitsSmall(z) ? small(z) : NONE;
  }
  if (op === 4 || isSmall(a) || isSmall(b) || typeId(a) !== T.Float || typeId(b) !== T.Float) return NONE;
  const x = getF(a, FloatF.val);
  const y = getF(b, FloatF.val);
  return mkFloat(op === 0 ? x + y : op === 1 ? x - y : op === 2 ? x * y : x / y);
}

/**
 * Does `a cmp b` hold? Numbers and strings are decided here; anything else asks
 * rt.compare, which may run Converge code, so frame f's pc and sp are saved first (the
 * operands are still on its stack, or in its variables).
 */
function compareValues(cmp: number, a: Value, b: Value, f: number, pc: number, sp: number): boolean {
  if (cmp >= CMP_NOT) return !compareValues(cmp & ~CMP_NOT, a, b, f, pc, sp);
  if (cmp === CMP_IS) return a === b || rt.identical(a, b);
  const c = nativeCmp(a, b);
  if (c !== -2) return cmpHolds(cmp, c);
  setI(f, FrameF.sp, sp);
  setI(f, FrameF.pc, pc);
  return rt.compare(Op.EQ + cmp, a, b);
}

/** Does comparison `cmp` (0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=) hold for a nativeCmp result? */
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
function listItemWord(c: Value, i: Value): number {
  if (!isSmall(i) || isSmall(c) || c === NONE || typeId(c) !== T.List) return -1;
  const len = getI(c, ListF.len);
  let idx = smallOf(i);
  if (idx < 0) idx += len;
  if (idx < 0 || idx >= len) return -1;
  return ((addr(getV(c, ListF.items)) + VArrayF.SIZE) >> 2) + idx;
}

/** The builtin (index + 1) an indexing fast path stands for, for backtraces. */
function itemBuiltin(c: Value, forList: number, forDict: number, forString: number): number {
  if (isSmall(c) || c === NONE) return 0;
  const t = typeId(c);
  return t === T.List ? forList : t === T.Dict ? forDict : t === T.String ? forString : 0;
}

/** The class's `init` field, cached in the class under its current version. */
function initOf(cls: Value): Value {
  const ver = getV(cls, ClassF.version);
  if (getV(cls, ClassF.initVersion) === ver) return getV(cls, ClassF.initFunc);
  const init = findField(cls, S_INIT);
  setV(cls, ClassF.initFunc, init);
  setV(cls, ClassF.initVersion, ver);
  return init;
}

const S_INIT = sym('init');

/**
 * `C.new(args)` for classes whose instances are plain objects or exceptions, without
 * re-entering the interpreter. The class and then init's arguments are the k words at
 * heap word index `src` on the caller's stack. Allocates the instance, which replaces
 * the class there, and returns the frame of its Converge `init` (run in NEW mode), or 0
 * when there is no init to run; or -1, having done nothing, to take the general path.
 */
function newInstance(src: number, k: number, caller: number): number {
  const cls = getW(src);
  if (isSmall(cls) || typeId(cls) !== T.Class) return -1;
  const creator = getI(cls, ClassF.creator);
  if (creator !== Creator.Object && creator !== Creator.Exception) return -1;
  const init = initOf(cls);
  if (init === NONE || isSmall(init) || typeId(init) !== T.Func || (getI(init, FuncF.flags) & 1) === 0) return -1;
  const initCode = getI(init, FuncF.code);
  if (initCode < 0 && -1 - initCode !== special.objectInit) return -1;
  setW(src, allocObject(cls, creator === Creator.Exception ? T.Exception : T.Object));
  if (initCode < 0) return 0;
  const code = codes[initCode];
  if (code.exactArgs === k) return enterFrame(code, getV(init, FuncF.closure), src, caller, Mode.NEW);
  return frameForCode(code, init, NO_ARGS, src, k, caller, Mode.NEW);
}


