// DESIGN D5: the interpreter touches the heap only through the ll operations, so that the
// recording build can see every heap access. Heap values are the opaque Value type, which
// TypeScript will not let the code do arithmetic on; what remains to check is that no
// file of the interpreter reaches around ll: no import of the heap's typed arrays and no
// cast that turns a Value into a number or back.

import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

const dir = join(repoRoot(), 'vm', 'bytecode');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

test('the interpreter has files to check', (t) => {
  for (const f of ['interp.ts', 'markers.ts', 'returns.ts', 'frames.ts', 'host-calls.ts', 'lookup.ts']) t.true(files.includes(f), f);
});

for (const f of files) {
  test(`vm/bytecode/${f} reaches the heap only through ll`, (t) => {
    const src = readFileSync(join(dir, f), 'utf8');
    t.notRegex(src, /from '\.\.\/rts\/heap\.js'/, 'imports the heap arrays');
    t.notRegex(src, /as unknown as/, 'casts between Value and number');
    t.notRegex(src, /\b(I32|U32|U8|F64)\[/, 'indexes a heap array');
  });
}
