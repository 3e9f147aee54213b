// Wires the VM together: boots the class graph, installs the builtin types and modules,
// loads compiled units, runs a program's main and turns its outcome into an exit status.

import { T, ExceptionF } from './rts/layout.js';
import { getV, typeId } from './rts/ll.js';
import { NONE, isSmall, smallOf, type Value } from './rts/value.js';
import { intNum, isInt, ownSlot, strToJs, sym } from './rts/objects.js';
import { bootClasses, setContainers, EXCEPTION_TREE } from './builtins/boot.js';
import { K, EXC, ConvergeThrow, getSlot, className } from './builtins/kernel.js';
import { initBuiltinObjects } from './builtins/builtin-objects.js';
import { installObjectTypes } from './builtins/types-object.js';
import { installDataTypes } from './builtins/types-data.js';
import { installSys, type SysInfo } from './builtins/mod-sys.js';
import { registerNativeModules } from './builtins/native-modules.js';
import { toStrJs } from './builtins/operators.js';
import { stderr, flushAll } from './builtins/out.js';
import { defineNativeModule, isNativeModuleName, linkUnits, loadUnit, moduleLookup, moduleTable } from './bytecode/modules.js';
import { run, special } from './bytecode/interp.js';
import { callValue } from './bytecode/host-calls.js';
import { findField } from './rts/classes.js';
import { FuncF } from './rts/layout.js';
import { getI } from './rts/ll.js';
import { frameForInit, Mode } from './bytecode/frames.js';
import { codes, units } from './bytecode/loaded.js';
import { chainOf, formatChain } from './bytecode/traceback.js';
import type { UnitDef } from './bytecode/unit.js';
import { ModuleF } from './rts/layout.js';
import { gcStats } from './rts/gc.js';
import { state as heapState } from './rts/alloc.js';
import { setI } from './rts/ll.js';

export function bootVM(info: SysInfo): void {
  bootClasses();
  installObjectTypes();
  installDataTypes();
  const builtinsDefs: Record<string, Value> = {
    Object: K.Object, Class: K.Class, Func: K.Func, Partial_Application: K.Partial_Application, String: K.String, Module: K.Module,
    Number: K.Number, Int: K.Int, Float: K.Float, List: K.List, Set: K.Set, Dict: K.Dict, Exception: K.Exception,
  };
  const builtinsMod = defineNativeModule('Builtins', builtinsDefs);
  const excDefs: Record<string, Value> = { Exception: K.Exception };
  for (const [name] of EXCEPTION_TREE) excDefs[name] = EXC[name];
  const excMod = defineNativeModule('Exceptions', excDefs);
  setContainers(builtinsMod, excMod);
  initBuiltinObjects();
  installSys(info);
  registerNativeModules();
  special.classNew = builtinIndexOf(findField(K.Class, sym('new')));
  special.objectInit = builtinIndexOf(findField(K.Object, sym('init')));
  special.listGet = builtinIndexOf(findField(K.List, sym('get'))) + 1;
  special.listSet = builtinIndexOf(findField(K.List, sym('set'))) + 1;
  special.dictGet = builtinIndexOf(findField(K.Dict, sym('get'))) + 1;
  special.dictSet = builtinIndexOf(findField(K.Dict, sym('set'))) + 1;
  special.stringGet = builtinIndexOf(findField(K.String, sym('get'))) + 1;
}

function builtinIndexOf(f: Value): number {
  return -1 - getI(f, FuncF.code);
}

/** Names of the modules implemented inside the VM (import resolution stops here). */
export function isNativeModule(name: string): boolean {
  return isNativeModuleName(name);
}

/** How a program run ended. */
export interface Outcome {
  readonly status: number;
}

/** The text printed for an uncaught exception: traceback then the exception line. */
export function describeException(exc: Value): string {
  let line: string;
  try {
    line = toStrJs(exc);
  } catch (e) {
    line = `${className(exc)}: <to_str failed>`;
  }
  return `${formatChain(chainOf(exc))}\n${line}\n`;
}

function exitStatusOf(exc: Value): number | null {
  if (isSmall(exc) || typeId(exc) !== T.Exception) return null;
  let cls = getV(getV(exc, 4), 4); // map.cls
  void cls;
  if (!isInstance(exc, EXC.System_Exit_Exception)) return null;
  const code = ownSlot(exc, sym('code'));
  if (code === NONE || !isInt(code)) return 0;
  return ((intNum(code) % 256) + 256) % 256;
}

import { classOf } from './builtins/kernel.js';
import { isSubclass } from './rts/classes.js';
function isInstance(v: Value, cls: Value): boolean {
  return isSubclass(classOf(v), cls);
}

/** Loads units (main module first), initialises the main module, calls its main. */
export function runProgram(unitDefs: readonly UnitDef[]): Outcome {
  for (const d of unitDefs) loadUnit(d);
  linkUnits();
  const main = units.find((u) => u.def === unitDefs[0])!;
  try {
    try {
      setI(main.module, ModuleF.state, 1);
      const f = frameForInit(main.module, codes[main.codeIds[0]], 0, Mode.HOST);
      run(f);
      setI(main.module, ModuleF.state, 2);
      const mainFn = moduleLookup(main.module, sym('main'));
      const r = callValue(mainFn, []);
      if (r === NONE) {
        stderr.write('Traceback (most recent call at bottom):\nVM_Exception: Function attempting to return fail, but caller can not handle failure.\n');
        return { status: 1 };
      }
      return { status: 0 };
    } catch (e) {
      if (!(e instanceof ConvergeThrow)) throw e;
      const status = exitStatusOf(e.exc);
      if (status !== null) return { status };
      flushStdoutFirst();
      stderr.write(describeException(e.exc));
      return { status: 1 };
    }
  } finally {
    flushAll();
    if (process.env.CONVERGE_GC_STATS === '1') {
      process.stderr.write(`gc: ${gcStats.collections} collections, live ${gcStats.liveBytes} bytes, heap top ${heapState.top} bytes\n`);
    }
  }
}

function flushStdoutFirst(): void {
  flushAll();
}

export { strToJs, getSlot, ExceptionF, smallOf };
