// The native modules C_Time (clocks) and C_Strings (join), wrapped by the Converge
// modules stdlib/Time.cv and stdlib/Strings.cv (stdlib.md §4.7, §4.8).

import { T } from '../rts/layout.js';
import { typeId } from '../rts/ll.js';
import { isSmall, type Value } from '../rts/value.js';
import { allocString, allocStringOfLength, copyStringBytes, listGet, listLen, mkInt, strBytes, strLen } from '../rts/objects.js';
import { shadowGet, shadowMark, shadowPopTo, shadowPush } from '../rts/gc.js';
import { typeError } from './operators.js';
import { forEachValue } from './types-data.js';
import { pairList } from './types-common.js';
import { defModule } from './native-kit.js';

function pair(sec: number, nsec: number): Value {
  return pairList(mkInt(sec), mkInt(nsec));
}

export function installCTime(): void {
  defModule('C_Time', {
    current: [0, 0, () => {
      const ms = Date.now();
      return pair(Math.floor(ms / 1000), (ms % 1000) * 1000000);
    }],
    current_mono: [0, 0, () => {
      const ns = process.hrtime.bigint();
      return pair(Number(ns / 1000000000n), Number(ns % 1000000000n));
    }],
  });
}

/**
 * join over a List: the result is allocated at its final size and the bytes are copied
 * heap to heap. Nothing here can collect (no Converge code runs, allocation never
 * collects), so the items need no rooting.
 */
function joinList(l: Value, sep: Value): Value {
  const n = listLen(l);
  let total = n > 0 ? (n - 1) * strLen(sep) : 0;
  for (let i = 0; i < n; i++) {
    const v = listGet(l, i);
    if (isSmall(v) || typeId(v) !== T.String) typeError('String', v);
    total += strLen(v);
  }
  const out = allocStringOfLength(total);
  let off = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      copyStringBytes(sep, out, off);
      off += strLen(sep);
    }
    const v = listGet(l, i);
    copyStringBytes(v, out, off);
    off += strLen(v);
  }
  return out;
}

export function installCStrings(): void {
  defModule('C_Strings', {
    join: [2, 2, (a) => {
      const sep = a[1];
      if (isSmall(sep) || typeId(sep) !== T.String) typeError('String', sep);
      if (!isSmall(a[0]) && typeId(a[0]) === T.List) return joinList(a[0], sep);
      const parts: Uint8Array[] = [];
      const mark = shadowMark();
      const ps = shadowPush(sep);
      forEachValue(a[0], (v) => {
        if (isSmall(v) || typeId(v) !== T.String) typeError('String', v);
        parts.push(strBytes(v));
      });
      const sepBytes = strBytes(shadowGet(ps));
      shadowPopTo(mark);
      let total = 0;
      for (const p of parts) total += p.length;
      total += Math.max(0, parts.length - 1) * sepBytes.length;
      const out = new Uint8Array(total);
      let off = 0;
      parts.forEach((p, i) => {
        if (i > 0) {
          out.set(sepBytes, off);
          off += sepBytes.length;
        }
        out.set(p, off);
        off += p.length;
      });
      return allocString(out);
    }],
  });
}
