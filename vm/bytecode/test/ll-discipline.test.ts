// DESIGN D5: the interpreter touches the heap only through the ll operations, so that the
// recording build can see every heap access. Heap values are the opaque Value type, which
// TypeScript will not let the code do arithmetic on; what remains to check is that no
// file of the interpreter reaches around ll: no import of the heap's typed arrays and no
// cast that turns a Value into a number or back.

import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

// The interpreter and the builtins (which traces will call into or inline).
const dirs = ['bytecode', 'builtins'].map((d) => join(repoRoot(), 'vm', d));
const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));

test('the interpreter has files to check', (t) => {
  for (const f of ['bytecode/interp.ts', 'bytecode/markers.ts', 'bytecode/returns.ts', 'builtins/kernel.ts', 'builtins/hashtable.ts']) t.true(files.some((p) => p.endsWith(f)), f);
});

for (const f of files) {
  test(`${f.slice(repoRoot().length + 1)} reaches the heap only through ll`, (t) => {
    const src = readFileSync(f, 'utf8');
    t.notRegex(src, /from '\.\.\/rts\/heap\.js'/, 'imports the heap arrays');
    t.notRegex(src, /as unknown as/, 'casts between Value and number');
    t.notRegex(src, /\b(I32|U32|U8|F64)\[/, 'indexes a heap array');
  });
}
