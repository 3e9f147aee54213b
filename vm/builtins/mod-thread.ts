// The Thread module (stdlib.md §4.5, ctmp.md §8): get_continuation_src_infos(n), the
// source position of the call in progress n levels up the call stack, where level 0 is
// this builtin itself. No threads: Converge 2.1 has none either.

import { type Value } from '../rts/value.js';
import { allocList, listPush, mkInt, strFromJs } from '../rts/objects.js';
import { K, raise } from './kernel.js';
import { defModule } from './native-kit.js';
import { codes } from '../bytecode/loaded.js';
import { continuationAt, srcSpan } from '../bytecode/traceback.js';
import { intArg } from './types-common.js';

/** Src infos (a List of [mod_id, offset, length]) of level `n`, or null for a builtin. */
function continuationSrcInfos(n: number): Value {
  if (n < 0) raise('Bounds_Exception', `${n} below lower bound 0.`);
  const c = continuationAt(n);
  if (!Array.isArray(c)) raise('Bounds_Exception', `${n} exceeds upper bound ${c.depth}.`);
  const [codeId, pc] = c;
  if (codeId < 0) return K.null;
  const [off, len] = srcSpan(codeId, pc);
  const info = allocList(K.List, 3);
  listPush(info, strFromJs(codes[codeId].unit.modId));
  listPush(info, mkInt(off));
  listPush(info, mkInt(len));
  const infos = allocList(K.List, 1);
  listPush(infos, info);
  return infos;
}

export function installThread(): void {
  defModule('Thread', {
    get_continuation_src_infos: [1, 1, (a) => continuationSrcInfos(intArg(a[0]))],
  });
}
