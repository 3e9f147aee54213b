// The objects BUILTIN k and RAISE_NEW k refer to, in the order of opcodes.ts BUILTINS.

import { NONE, type Value } from '../rts/value.js';
import { EXC, K } from './kernel.js';

const table: Value[] = [];

/** Fills the table once the classes exist (called from vm boot). */
export function initBuiltinObjects(): void {
  table.length = 0;
  table.push(K.null, K.Object, K.Class, K.Func, K.String, K.List, K.Dict, K.Set, K.Int, K.Float, K.Module, K.Exception, K.Partial_Application, EXC.NDIf_Exception, EXC.Assert_Exception);
}

export function builtinObject(k: number): Value {
  return table[k] ?? NONE;
}
