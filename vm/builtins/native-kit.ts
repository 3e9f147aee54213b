// Helpers for writing VM-implemented modules.

import { NONE, type Value } from '../rts/value.js';
import { defBuiltin } from './kernel.js';
import { defineNativeModule, setNativeDefn } from '../bytecode/modules.js';

/**
 * A builtin function table: name -> [min args, max args (-1 = any), implementation,
 * generator kind (for builtin generators, see gen.ts)?].
 */
export type NativeFns = Record<string, [number, number, (a: Value[]) => Value, number?]>;

/**
 * Defines native module `name` with the functions `fns` plus the extra definitions
 * `values` (classes, constants), returning the module object.
 */
export function defModule(name: string, fns: NativeFns, values: Record<string, Value> = {}): Value {
  const defs: Record<string, Value> = { ...values };
  for (const n of Object.keys(fns)) defs[n] = NONE;
  const mod = defineNativeModule(name, defs);
  for (const [n, [min, max, fn, gen]] of Object.entries(fns)) setNativeDefn(mod, n, defBuiltin({ name: n, path: `${name}::${n}`, min, max, fn, gen }, false, mod));
  return mod;
}
