// The Sys module (stdlib.md §3): printing, argv, exit, version. Output goes through the
// buffered writers of out.ts.

import { T } from '../rts/layout.js';
import { typeId } from '../rts/ll.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { allocList, listPush, strBytes, strFromJs, sym, setOwnSlot, allocObject, isInt } from '../rts/objects.js';
import { K, EXC, ConvergeThrow, defBuiltin } from './kernel.js';
import { toStrJs, typeError } from './operators.js';
import { stdout } from './out.js';
import { defineNativeModule, setNativeDefn } from '../bytecode/modules.js';

function writeValue(v: Value): void {
  if (!isSmall(v) && typeId(v) === T.String) stdout.writeBytes(strBytes(v));
  else stdout.write(toStrJs(v));
}

export const SYS_VERSION = '2.1';
export const SYS_VERSION_DATE = '2014-02-25';

export interface SysInfo {
  argv: readonly string[];
  vmPath: string;
  programPath: string;
}

export function installSys(info: SysInfo): Value {
  const names = ['print', 'println', 'exit', 'argv', 'vm_path', 'program_path', 'version', 'version_date', 'stdin', 'stdout', 'stderr'];
  const defs: Record<string, Value> = {};
  for (const n of names) defs[n] = NONE;
  const mod = defineNativeModule('Sys', defs);
  const fn = (name: string, min: number, max: number, f: (a: Value[]) => Value) => setNativeDefn(mod, name, defBuiltin({ name, path: `Sys::${name}`, min, max, fn: f }, false, mod));
  fn('print', 0, -1, (a) => {
    for (const v of a) writeValue(v);
    return K.null;
  });
  fn('println', 0, -1, (a) => {
    for (const v of a) writeValue(v);
    stdout.write('\n');
    return K.null;
  });
  fn('exit', 0, 1, (a) => {
    const code = a.length > 0 ? a[0] : (1 as unknown as Value); // small(0) is the word 1
    if (!isInt(code)) typeError('Int', code);
    const e = allocObject(EXC.System_Exit_Exception, T.Exception);
    setOwnSlot(e, sym('code'), code);
    throw new ConvergeThrow(e);
  });
  const argv = allocList(K.List, info.argv.length);
  for (const s of info.argv) listPush(argv, strFromJs(Buffer.from(s, 'utf8').toString('latin1')));
  setNativeDefn(mod, 'argv', argv);
  setNativeDefn(mod, 'vm_path', strFromJs(info.vmPath));
  setNativeDefn(mod, 'program_path', strFromJs(info.programPath));
  setNativeDefn(mod, 'version', strFromJs(SYS_VERSION));
  setNativeDefn(mod, 'version_date', strFromJs(SYS_VERSION_DATE));
  return mod;
}
