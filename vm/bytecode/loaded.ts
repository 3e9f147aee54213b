// Loaded code: the TypeScript-side records of modules and functions the VM has loaded.
// Heap objects refer to them by index (Func.code, Module.unit; a frame by its code's
// instructions, Frame.ops, see CodeWord), so the
// interpreter can reach instruction arrays and constant tables without heap lookups.

import type { CodeDef, UnitDef } from './unit.js';
import type { Value } from '../rts/value.js';
import { getI, getWI } from '../rts/ll.js';
import { FrameF } from '../rts/layout.js';

/**
 * The words just before a code's instructions in their heap copy (LoadedCode.opsWord),
 * which is what a frame names (Frame.ops): what the interpreter needs when it enters a
 * frame, read from the heap rather than through the codes array and a LoadedCode
 * object (a chain of dependent loads and map checks at every call, return and resume).
 */
export const enum CodeWord {
  /** The code's id (index in `codes`). */
  id = -5,
  /** LoadedCode.icWord. */
  ic = -4,
  /** LoadedCode.constsWord. */
  consts = -3,
  /** 1 if LoadedCode.inlineVars, else 0. */
  inlineVars = -2,
  /**
   * n, the number of instruction words. The static failure table follows them: two
   * words per pc at ops + n + 2 * pc, [target pc + 1, stack depth] when pc is inside a
   * static failure range (UnitDef.failRanges), else [0, 0]. Failing finds its range in
   * one load instead of a search.
   */
  nops = -1,
  SIZE = 5,
}

/** Heap word index of the static failure entry of pc in the code whose instructions start at ob. */
export function failEntry(ob: number, pc: number): number {
  return ob + getWI(ob + CodeWord.nops) + 2 * pc;
}

/** The code frame `f` runs. */
export function codeOf(f: number): LoadedCode {
  return codes[getWI(getI(f, FrameF.ops) + CodeWord.id)];
}

export interface LoadedUnit {
  readonly index: number;
  readonly def: UnitDef | null; // null for modules implemented in the VM
  readonly name: string;
  readonly modId: string;
  readonly srcPath: string;
  /** Materialised constants, kept alive by the module's consts array. */
  consts: Value[];
  /** For each constant that is a string: its symbol id (used as a name); else -1. */
  nameSyms: Int32Array;
  readonly topVarIndex: Map<number, number>;
  readonly topVarNames: string[];
  /** Global code ids of this unit's functions; codeIds[0] is the init code. */
  codeIds: number[];
  /** Module objects this unit imports, resolved when the unit is linked. */
  imports: Value[];
  module: Value;
}

export interface LoadedCode {
  readonly id: number;
  readonly def: CodeDef;
  readonly ops: Int32Array;
  readonly unit: LoadedUnit;
  readonly codeIndex: number;
  /**
   * The function's variables live in its frame (Frame.nlocals of them, before the
   * operand stack) rather than in a separate Vars object: true when no nested function
   * can capture them (the code has no FUNC_DEFN) and it is not module initialisation code.
   */
  readonly inlineVars: boolean;
  /**
   * Heap word index of the inline caches, three words per instruction (at 3 * pc), in a
   * permanent VArray: for slot lookups and method calls [map, class version, field] or
   * [map, 0, slot index]; for slot stores [old map, new map, slot index]. Every word is 0,
   * a tagged small int or a pointer, and the collector traces them, so a cached version
   * can never be freed and its address reused while an entry still names it. In the heap
   * rather than in a typed array for the reason given at opsWord.
   */
  readonly icWord: number;
  /**
   * The argument count of the fast call path (frames.enterFrame): the number of
   * parameters when the function has inline variables and no varargs, else -1.
   */
  readonly exactArgs: number;
  /** Bytes of a frame for this code with its variables inline. */
  readonly frameBytes: number;
  /**
   * def.nVars, copied here for the call path: CodeDefs come from the loader, stage 0
   * and automake with different property orders, so reading through def makes V8's
   * code for calls polymorphic (a "wrong map" deoptimisation when a second kind appears).
   */
  readonly nVars: number;
  /**
   * Heap word index of a copy of ops, which the interpreter reads: V8 folds the heap view
   * into its code as a constant, where a per-code typed array is checked and reloaded at
   * every dispatch (2-9% less time on most benchmarks, measured). In the copy, names are
   * symbols and jump targets are heap word indexes (modules.ts heapCopy).
   */
  readonly opsWord: number;
  /** Heap word index of the unit's constants (the module's VArray), which CONST reads. */
  readonly constsWord: number;
}

export const units: LoadedUnit[] = [];
export const codes: LoadedCode[] = [];
