// tools/local-views.mjs: functions read the heap views through local constants.

import test from 'ava';
import { localViews } from '../local-views.mjs';

const HEAP = '/p/vm/rts/heap.ts';
const FILE = '/p/vm/bytecode/x.ts';

test('a function indexing a view gets a local constant on its first line, and uses it', (t) => {
  const src = "import { I32, F64 as D } from '../rts/heap.js';\nexport function f(p: number): number {\n  return I32[p] + D[p >> 1];\n}\n";
  t.is(
    localViews(FILE, src, HEAP),
    "import { I32, F64 as D } from '../rts/heap.js';\nexport function f(p: number): number { const __lv_I32 = I32; const __lv_D = D;\n  return __lv_I32[p] + __lv_D[p >> 1];\n}\n",
  );
});

test('an expression-bodied arrow uses its enclosing function\'s constant; property names are left alone', (t) => {
  const src = "import { I32 } from '../rts/heap.js';\nfunction g(o: { I32: number }) {\n  const h = (i: number) => I32[i] + o.I32;\n  return { I32, h };\n}\n";
  t.is(
    localViews(FILE, src, HEAP),
    "import { I32 } from '../rts/heap.js';\nfunction g(o: { I32: number }) { const __lv_I32 = I32;\n  const h = (i: number) => __lv_I32[i] + o.I32;\n  return { I32: __lv_I32, h };\n}\n",
  );
});

test("the file's own top-level const typed arrays are made local too; files without views are unchanged", (t) => {
  const src = 'const table = new Int32Array(8);\nfunction get(i: number) {\n  return table[i];\n}\n';
  t.is(localViews(FILE, src, HEAP), 'const table = new Int32Array(8);\nfunction get(i: number) { const __lv_table = table;\n  return __lv_table[i];\n}\n');
  t.is(localViews(FILE, 'function h(a: number[]) {\n  return a[0];\n}\n', HEAP), null);
});

test('a local that shadows a view is refused rather than renamed', (t) => {
  const src = "import { I32 } from '../rts/heap.js';\nfunction k() {\n  const I32 = [1];\n  return I32[0];\n}\n";
  t.throws(() => localViews(FILE, src, HEAP), { message: /shadows the heap view/ });
});
