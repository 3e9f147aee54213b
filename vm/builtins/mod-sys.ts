// The Sys module (stdlib.md §3): stdio Files, print/println, argv, exit, version.
// print and println write to whatever Sys::stdout is when they are called, so
// `Sys.set_defn("stdout", f)` redirects them; the usual case (a builtin File) skips the
// method lookup and writes into the buffered stream directly.

import { T, ModuleF, VarsF } from '../rts/layout.js';
import { getV, getItem } from '../rts/ll.js';
import { NONE, small, type Value } from '../rts/value.js';
import { addPermanentRoot, shadowMark, shadowPush, shadowGet, shadowPopTo } from '../rts/gc.js';
import { allocList, allocObject, isInt, listPush, setOwnSlot, strFromJs, sym } from '../rts/objects.js';
import { K, EXC, ConvergeThrow, classOf, defBuiltin, getSlot, hooks, raise } from './kernel.js';
import { typeError } from './operators.js';
import { defineNativeModule, setNativeDefn, unitOf } from '../bytecode/modules.js';
import { VM_FAIL, isStr } from './types-common.js';
import { fileClass, fileWrite, stdFile } from './file-class.js';
import { installPosixFile } from './mod-posix-file.js';

export const SYS_VERSION = '2.1';
export const SYS_VERSION_DATE = '2014-02-25';

export interface SysInfo {
  argv: readonly string[];
  vmPath: string;
  programPath: string;
}

const S_TO_STR = sym('to_str');
const S_WRITE = sym('write');

let sysModule: Value = NONE;
let stdoutIndex = -1;

/** The current value of Sys::stdout. */
function currentStdout(): Value {
  const v = getItem(getV(sysModule, ModuleF.vars), VarsF.SIZE, stdoutIndex);
  if (v === NONE) raise('Mod_Defn_Exception', "Definition 'stdout' unassigned in 'Sys'.");
  return v;
}

let NEWLINE: Value = NONE;

/** Writes String `s` to `out` (rooted at shadow index `pout`): natively if it is a builtin File. */
function writeTo(pout: number, direct: boolean, s: Value): void {
  if (direct) return fileWrite(shadowGet(pout), s);
  if (hooks.call(getSlot(shadowGet(pout), S_WRITE), [s]) === NONE) raise('VM_Exception', VM_FAIL);
}

/** Writes each argument (Strings as they are, others through to_str) to Sys::stdout. */
function printValues(args: readonly Value[], newline: boolean): Value {
  const m = shadowMark();
  const pout = shadowPush(currentStdout());
  const direct = classOf(shadowGet(pout)) === fileClass();
  try {
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (isStr(v)) writeTo(pout, direct, v);
      else {
        const s = hooks.call(getSlot(v, S_TO_STR), []);
        if (s === NONE) raise('VM_Exception', VM_FAIL);
        writeTo(pout, direct, s);
      }
    }
    if (newline) writeTo(pout, direct, NEWLINE);
  } finally {
    shadowPopTo(m);
  }
  return K.null;
}

export function installSys(info: SysInfo): Value {
  const names = ['print', 'println', 'stdin', 'stdout', 'stderr', 'vm_path', 'program_path', 'argv', 'version', 'version_date', 'exit'];
  const defs: Record<string, Value> = {};
  for (const n of names) defs[n] = NONE;
  const mod = defineNativeModule('Sys', defs);
  sysModule = mod;
  NEWLINE = strFromJs('\n');
  addPermanentRoot(NEWLINE);
  stdoutIndex = unitOf(mod).topVarIndex.get(sym('stdout'))!;
  const fn = (name: string, min: number, max: number, f: (a: Value[]) => Value) =>
    setNativeDefn(mod, name, defBuiltin({ name, path: `Sys::${name}`, min, max, fn: f }, false, mod));
  fn('print', 0, -1, (a) => printValues(a, false));
  fn('println', 0, -1, (a) => printValues(a, true));
  fn('exit', 0, 1, (a) => {
    const code = a.length > 0 ? a[0] : small(0);
    if (!isInt(code)) typeError('Int', code);
    const e = allocObject(EXC.System_Exit_Exception, T.Exception);
    setOwnSlot(e, sym('code'), code);
    throw new ConvergeThrow(e);
  });
  installPosixFile();
  setNativeDefn(mod, 'stdin', stdFile(0, 'r'));
  setNativeDefn(mod, 'stdout', stdFile(1, 'w'));
  setNativeDefn(mod, 'stderr', stdFile(2, 'w'));
  const argv = allocList(K.List, info.argv.length);
  for (const s of info.argv) listPush(argv, strFromJs(Buffer.from(s, 'utf8').toString('latin1')));
  setNativeDefn(mod, 'argv', argv);
  setNativeDefn(mod, 'vm_path', strFromJs(info.vmPath));
  setNativeDefn(mod, 'program_path', strFromJs(info.programPath));
  setNativeDefn(mod, 'version', strFromJs(SYS_VERSION));
  setNativeDefn(mod, 'version_date', strFromJs(SYS_VERSION_DATE));
  return mod;
}
