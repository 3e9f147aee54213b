// The native module C_Backtrace, the helper of stdlib/Backtrace.cv (stdlib.md §6.1): where
// a source position (module id, byte offset) of a call chain is, read from the module's
// source file as the VM's own tracebacks do (compiled modules carry no line table), and
// whether a descriptor is a terminal (only terminals get highlighted, language.md §17.2).

import { sourceOf } from '../bytecode/traceback.js';
import { isatty } from 'node:tty';
import type { Value } from '../rts/value.js';
import { NONE } from '../rts/value.js';
import { allocList, allocString, listPush, mkInt, strFromJs } from '../rts/objects.js';
import { K } from './kernel.js';
import { moduleTable, unitOf } from '../bytecode/modules.js';
import { defModule } from './native-kit.js';
import { intArg, strArg } from './types-common.js';


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
  // Lines end at LF, CR or CRLF, as for the VM's tracebacks and compile errors.
  let line = 1;
  let start = 0;
  for (let i = 0; i < off; i++) {
    if (src[i] !== 10 && src[i] !== 13) continue;
    if (src[i] === 13 && src[i + 1] === 10) i++;
    line++;
    start = i + 1;
  }
  let end = start;
  while (end < src.length && src[end] !== 10 && src[end] !== 13) end++;
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
