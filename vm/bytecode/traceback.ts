// Call chains and backtraces (spec/language.md §17.2). An exception records the chain of
// active calls when it is first raised, as (code id, pc) pairs innermost first, with
// builtins as (-1 - builtin index, 0); re-raising keeps the original chain.

import { readFileSync } from 'node:fs';
import { FrameF, ExceptionF, VArrayF } from '../rts/layout.js';
import { getI, getItem, getV, getWI, setI, setItem, setV } from '../rts/ll.js';
import { NONE, small, smallOf, type Value } from '../rts/value.js';
import { allocVArray } from '../rts/objects.js';
import { lineColumn } from '../../compiler/stage0/errors.js';
import { builtins } from '../builtins/kernel.js';
import { codes, codeOf } from './loaded.js';
import { Mode } from './frames.js';
import { vs } from './state.js';

/**
 * The active calls from frame `f` outwards as (code id, pc) pairs, innermost first, the
 * builtin `curBuiltin` (index + 1, or 0) first of all and builtins that called back into
 * Converge code as (-1 - index, 0); at most `limit` pairs.
 */
function chainPairs(f: number, curBuiltin: number, limit = Infinity): number[] {
  const pairs: number[] = [];
  if (curBuiltin > 0) pairs.push(-curBuiltin, 0);
  for (let fr = f; fr !== 0 && pairs.length < 2 * limit; fr = getI(fr, FrameF.parent)) {
    pairs.push(codeOf(fr).id, getI(fr, FrameF.pc));
    const mode = getI(fr, FrameF.mode);
    if ((mode & 15) === Mode.HOST && mode >> 4 > 0) pairs.push(-(mode >> 4), 0);
  }
  return pairs;
}

export function recordChain(exc: Value, f: number, curBuiltin: number): void {
  if (getV(exc, ExceptionF.chain) !== NONE) return;
  const pairs = chainPairs(f, curBuiltin);
  const a = allocVArray(pairs.length);
  for (let i = 0; i < pairs.length; i++) setItem(a, VArrayF.SIZE, i, small(pairs[i]));
  setI(a, VArrayF.len, pairs.length);
  setV(exc, ExceptionF.chain, a);
}

export interface ChainEntry {
  readonly builtin: string | null; // path of a builtin, or null for bytecode
  readonly codeId: number;
  readonly pc: number;
}

/** The recorded chain, innermost first. */
export function chainOf(exc: Value): ChainEntry[] {
  const a = getV(exc, ExceptionF.chain);
  if (a === NONE) return [];
  const n = getI(a, VArrayF.len);
  const out: ChainEntry[] = [];
  for (let i = 0; i < n; i += 2) {
    const c = smallOf(getItem(a, VArrayF.SIZE, i));
    const pc = smallOf(getItem(a, VArrayF.SIZE, i + 1));
    if (c < 0) out.push({ builtin: builtins[-c - 1].path, codeId: -1, pc: 0 });
    else out.push({ builtin: null, codeId: c, pc });
  }
  return out;
}

/**
 * Entry `level` of the running call chain (0 = the builtin running now, 1 = its caller...)
 * as [code id, pc] with a negative code id for a builtin; `depth` if the chain is shorter.
 */
export function continuationAt(level: number): [number, number] | { depth: number } {
  const pairs = chainPairs(vs.curFrame, vs.curBuiltin, level + 1);
  if (2 * level >= pairs.length) return { depth: pairs.length >> 1 };
  return [pairs[2 * level], pairs[2 * level + 1]];
}

/** A code position's source span: [offset, length] in its module's source. */
export function srcSpan(codeId: number, pc: number): [number, number] {
  const pos = codes[codeId].def.positions;
  return [pos[2 * pc], pos[2 * pc + 1]];
}

const sources = new Map<string, Uint8Array | null>();
/** A module's source text, read once (null if it can no longer be read). */
export function sourceOf(path: string): Uint8Array | null {
  let s = sources.get(path);
  if (s === undefined) {
    try {
      s = readFileSync(path);
    } catch {
      s = null;
    }
    sources.set(path, s);
  }
  return s;
}

/**
 * A run of identical entries longer than this (deep recursion) shows its first
 * REPEATS_SHOWN entries and one line counting the rest, instead of one entry per call.
 */
const REPEATS_SHOWN = 3;

function sameEntry(a: ChainEntry, b: ChainEntry): boolean {
  return a.builtin === b.builtin && (a.builtin !== null || (a.codeId === b.codeId && a.pc === b.pc));
}

/** The traceback text (without the final exception line). */
export function formatChain(chain: readonly ChainEntry[]): string {
  const lines = ['Traceback (most recent call at bottom):'];
  let n = 1;
  for (let i = chain.length - 1; i >= 0; ) {
    let j = i;
    while (j > 0 && sameEntry(chain[j - 1], chain[i])) j--;
    const run = i - j + 1;
    const shown = run > REPEATS_SHOWN + 1 ? REPEATS_SHOWN : run;
    for (let k = 0; k < shown; k++) formatEntry(chain[i], n++, lines);
    if (shown < run) {
      lines.push(`  ${n}-${n + run - shown - 1}: the entry above, ${run - shown} more times`);
      n += run - shown;
    }
    i = j - 1;
  }
  return lines.join('\n');
}

function formatEntry(e: ChainEntry, n: number, lines: string[]): void {
  if (e.builtin !== null) {
    lines.push(`  ${n}: (internal), in ${e.builtin}`);
    return;
  }
  const code = codes[e.codeId];
  const off = code.def.positions[2 * e.pc];
  const len = code.def.positions[2 * e.pc + 1];
  const src = sourceOf(code.unit.srcPath);
  if (src === null) {
    lines.push(`  ${n}: Mod ID "${code.unit.modId}", offset ${off}, length ${len}`);
    return;
  }
  const lc = lineColumn(src, off);
  lines.push(`  ${n}: File "${code.unit.srcPath}", line ${lc.line}, column ${lc.column}, length ${len}`);
  lines.push(`       ${Buffer.from(src.subarray(lc.lineStart, lc.lineEnd)).toString('latin1').replace(/^[ \t]+/, '')}`);
}
