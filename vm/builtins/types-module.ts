// Builtins::Module (stdlib.md §1.5, language.md §14.1): definitions, paths, source
// positions, and Module.new from compiled bytes.

import { readFileSync } from 'node:fs';
import { GenStateF, ModuleF, VarsF } from '../rts/layout.js';
import { getV, getI, setI, setItem } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { mkInt, strBytes, strFromJs, strToJs, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { K, raise } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { linkUnit, moduleLookup, moduleTable, loadUnit, unitOf } from '../bytecode/modules.js';
import { readUnit, LoadError } from '../bytecode/format-cvb.js';
import { verifyUnit, VerifyError } from '../bytecode/verify.js';
import { checkCount, defTyped, pairList, intArg, isModule, setCreator, strArg } from './types-common.js';

export function modulePath(m: Value, stopAt: Value): string {
  if (m === stopAt) return '';
  // A module's container is always null here (packages are not module objects).
  return strToJs(getV(m, ModuleF.name));
}

// -- Source lines ------------------------------------------------------------------------
// Compiled modules do not carry their line starts, so they are computed from the source
// file (as tracebacks are); a module whose source cannot be read has none.

const newlinesOf = new Map<number, number[]>();

/** Byte offsets at which each line of the module's source starts (line 1 at 0). */
function newlines(m: Value): number[] {
  const u = unitOf(m);
  let nl = newlinesOf.get(u.index);
  if (nl !== undefined) return nl;
  nl = [];
  if (u.def !== null && u.srcPath !== '') {
    try {
      const src = readFileSync(u.srcPath);
      nl.push(0);
      for (let i = 0; i < src.length; i++) if (src[i] === 10) nl.push(i + 1);
      // The end of the source is a valid offset (of the last line), kept for the lookup below.
      srcLens.set(u.index, src.length);
    } catch {
      nl = [];
    }
  }
  newlinesOf.set(u.index, nl);
  return nl;
}
const srcLens = new Map<number, number>();

function lineColumn(m: Value, off: number): [number, number] {
  const nl = newlines(m);
  const len = srcLens.get(unitOf(m).index) ?? 0;
  if (off < 0) raise('Bounds_Exception', `${off} below lower bound 0.`);
  if (nl.length === 0 || off > len) raise('Bounds_Exception', `${off} exceeds upper bound ${len}.`);
  let lo = 0;
  let hi = nl.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (nl[mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return [lo + 1, off - nl[lo]];
}

/** iter_newlines: a = module, i = next line. */
const GEN_NEWLINES = defGen((g) => {
  const nl = newlines(getV(g, GenStateF.a));
  const i = getI(g, GenStateF.i);
  if (i >= nl.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  return mkInt(nl[i]);
});

/** iter_defns: a = module, i = next definition (in definition order). */
const GEN_DEFNS = defGen((g) => {
  const m = getV(g, GenStateF.a);
  const names = unitOf(m).topVarNames;
  const i = getI(g, GenStateF.i);
  if (i >= names.length) return NONE;
  setI(g, GenStateF.i, i + 1);
  const v = moduleLookup(m, sym(names[i]));
  return pairList(strFromJs(names[i]), v);
});

// -- Module.new ------------------------------------------------------------------------------

/**
 * Module.new(bc): a module from .cvb bytes, loaded and linked but not initialised. Like
 * upstream it is not entered in the VM's module table (VM::add_modules does that), so
 * a module already loaded under the same id stays the one imports find.
 */
function newModule(a: Value[]): Value {
  checkCount(a, 2, -1);
  strArg(a[1]);
  let def;
  try {
    def = readUnit(strBytes(a[1]), '<Module.new>');
    verifyUnit(def);
  } catch (e) {
    if (e instanceof LoadError || e instanceof VerifyError) raise('VM_Exception', e.message);
    throw e;
  }
  const prev = moduleTable.get(def.modId);
  const u = loadUnit(def);
  if (prev !== undefined) moduleTable.set(def.modId, prev);
  linkUnit(u);
  return u.module;
}

export function installModuleType(): void {
  setCreator(Creator.Module, newModule);
  defTyped(K.Module, 'Builtins::Module', isModule, 'Module', [
    ['get_defn', 2, 2, (a) => moduleLookup(a[0], sym(strArg(a[1])))],
    ['set_defn', 3, 3, (a) => {
      const name = strArg(a[1]);
      const u = unitOf(a[0]);
      const i = u.topVarIndex.get(sym(name));
      if (i === undefined) raise('Mod_Defn_Exception', `No such definition '${name}' in '${u.name}'.`);
      setItem(getV(a[0], ModuleF.vars), VarsF.SIZE, i, a[2]);
      return K.null;
    }],
    ['has_defn', 2, 2, (a) => (unitOf(a[0]).topVarIndex.has(sym(strArg(a[1]))) ? K.null : NONE)],
    ['iter_defns', 1, 1, (a) => newGen(GEN_DEFNS, a[0]), GEN_DEFNS],
    ['iter_newlines', 1, 1, (a) => newGen(GEN_NEWLINES, a[0]), GEN_NEWLINES],
    ['path', 1, 2, (a) => strFromJs(modulePath(a[0], a.length > 1 && a[1] !== K.null ? a[1] : NONE))],
    ['src_offset_to_line_column', 2, 2, (a) => {
      const [line, col] = lineColumn(a[0], intArg(a[1]));
      return pairList(mkInt(line), mkInt(col));
    }],
  ]);
}
