// A compiled module ("unit"): what the compiler produces, what a .cvb file holds, and
// what the loader hands to the VM after validating it.

export type Const =
  | { readonly kind: 'string'; readonly value: Uint8Array }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number };

export interface CodeDef {
  /** Function name for backtraces ('' for anonymous functions and module init). */
  readonly name: string;
  /** Instructions: opcode word then operand words (vm/bytecode/opcodes.ts). */
  readonly ops: Int32Array;
  /** Source span per instruction start: positions[2*pc] = offset, positions[2*pc+1] = length. */
  readonly positions: Int32Array;
  /** Maximum operand-stack depth, computed statically by the compiler. */
  readonly maxStack: number;
  /** Number of local variables (parameters first). */
  readonly nVars: number;
  /** Number of named parameters (not counting *rest). */
  readonly nParams: number;
  /** Per named parameter: 1 if it has a default value (a missing argument is then no error). */
  readonly defaults: Uint8Array;
  /** Has a *rest parameter, stored in variable nParams. */
  readonly varargs: boolean;
  /** A bound function (a method): lookup on an instance binds it. */
  readonly isBound: boolean;
  /**
   * Static failure frames, four words each: [start, end, target, depth]. A failure at a
   * pc in [start, end) jumps to target with the stack cut back to depth, exactly as a
   * failure frame pushed at start would. Used for bound expressions that push no stack
   * markers of their own, so they cost nothing unless they fail. Ranges do not overlap.
   */
  readonly failRanges: Int32Array;
  /** Contains a loop (a hint for the JIT). */
  readonly hasLoop: boolean;
  readonly varNames: readonly string[];
}

export interface UnitDef {
  readonly name: string;
  readonly modId: string;
  readonly srcPath: string;
  readonly consts: readonly Const[];
  /** Module ids this module imports (IMPORT i). */
  readonly imports: readonly string[];
  /** Top-level variable names; the init code's variables, in order. */
  readonly topVars: readonly string[];
  /** codes[0] is the module initialisation code. */
  readonly codes: readonly CodeDef[];
  /** Modification time (ms) of the source when compiled, for cache checks. */
  readonly srcMtime: number;
  /**
   * Which compiler produced the unit (a hash of the compiler's sources, set at build
   * time); a cache made by another compiler is stale. Absent in hand-made units.
   */
  readonly compilerId?: string;
  /**
   * For a package (a directory): its entries, in topVars order. The VM sets each
   * definition to the entry's module object when linking; nothing is compiled.
   */
  readonly packageEntries?: readonly { readonly name: string; readonly modId: string }[];
}

export const CODE_FLAG_VARARGS = 1;
export const CODE_FLAG_BOUND = 2;
export const CODE_FLAG_LOOP = 4;
