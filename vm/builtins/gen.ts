// Builtin generators (List.iter, Int.iter_to, String.find_index...). A builtin generator
// keeps its whole state in a GenState heap object, so a suspended one is an ordinary
// traced value sitting in a generator marker: nothing hides in a TypeScript closure.

import { alloc } from '../rts/alloc.js';
import { T, GenStateF } from '../rts/layout.js';
import { getI, setI, setV, val } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';

/** Produces the next value of a generator of this kind, or NONE when exhausted. */
export type GenNext = (state: Value) => Value;

const kinds: GenNext[] = [];

/** Registers a generator kind; returns its id (stored in GenState.kind and BuiltinDef.gen). */
export function defGen(next: GenNext): number {
  kinds.push(next);
  return kinds.length - 1;
}

export function newGen(kind: number, a: Value = NONE, i = 0, j = 0, b: Value = NONE): Value {
  const g = val(alloc(T.GenState, GenStateF.SIZE));
  setI(g, GenStateF.kind, kind);
  setI(g, GenStateF.i, i);
  setI(g, GenStateF.j, j);
  setV(g, GenStateF.a, a);
  setV(g, GenStateF.b, b);
  return g;
}

export function genNext(state: Value): Value {
  return kinds[getI(state, GenStateF.kind)](state);
}
