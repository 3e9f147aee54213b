// The native module C_Backtrace, the helper of stdlib/Backtrace.cv (stdlib.md §6.1): where
// a source position (module id, byte offset) of a call chain is, read from the module's
// source file as the VM's own tracebacks do (compiled modules carry no line table), and
// whether a descriptor is a terminal (only terminals get highlighted, language.md §17.2).

import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Value } from '../rts/value.js';
import { NONE } from '../rts/value.js';
import { allocList, allocString, listPush, mkInt, strFromJs } from '../rts/objects.js';
import { K } from './kernel.js';
import { moduleTable, unitOf } from '../bytecode/modules.js';
import { defModule } from './native-kit.js';
import { intArg, strArg } from './types-common.js';

const sources = new Map<string, Buffer | null>();

function sourceOf(path: string): Buffer | null {
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
 * src_location(mod_id, offset): [source path, line (from 1), column (from 0), text of the
 * line]; fails if the module is unknown or its source cannot be read.
 */
function srcLocation(a: Value[]): Value {
  const modId = strArg(a[0]);
  const off = intArg(a[1]);
  const m = moduleTable.get(modId);
  if (m === undefined) return NONE;
  const path = unitOf(m).srcPath;
  const src = path === '' ? null : sourceOf(path);
  if (src === null || off < 0 || off > src.length) return NONE;
  let line = 1;
  let start = 0;
  for (let i = src.indexOf(10); i >= 0 && i < off; i = src.indexOf(10, i + 1)) {
    line++;
    start = i + 1;
  }
  let end = src.indexOf(10, start);
  if (end < 0) end = src.length;
  const l = allocList(K.List, 4);
  listPush(l, strFromJs(path));
  listPush(l, mkInt(line));
  listPush(l, mkInt(off - start));
  listPush(l, allocString(src.subarray(start, end)));
  return l;
}

export function installCBacktrace(): void {
  defModule('C_Backtrace', {
    src_location: [2, 2, srcLocation],
    is_tty: [1, 1, (a) => (isatty(intArg(a[0])) ? K.null : NONE)],
  });
}
