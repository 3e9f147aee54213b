// docs/bytecode.md is generated from the instruction-set table by tools/gen-docs.ts; the
// committed file must match what the generator produces now.

import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytecodeDoc } from '../../../tools/gen-docs.js';
import { BUILTINS, OPS } from '../opcodes.js';
import { repoRoot } from './helpers.js';

test('docs/bytecode.md is up to date with vm/bytecode/opcodes.ts (regenerate: node build/tools/gen-docs.mjs)', (t) => {
  const committed = readFileSync(join(repoRoot(), 'docs', 'bytecode.md'), 'utf8');
  t.is(committed, bytecodeDoc());
});

test('the generated instruction table has one row per op, in opcode order, with its doc', (t) => {
  const rows = bytecodeDoc().split('\n').filter((l) => /^\| \d+ \| `[A-Z_0-9]+` \|/.test(l));
  t.is(rows.length, OPS.length);
  OPS.forEach((op, i) => {
    t.true(rows[i].startsWith(`| ${i} | \`${op.name}\` |`), op.name);
    t.true(rows[i].includes(op.doc.replace(/\|/g, '\\|')), `${op.name}: doc in its row`);
  });
  for (const b of BUILTINS) t.true(bytecodeDoc().includes(`| \`${b}\` |`), b);
});

test('stack effects that depend on a count are written in terms of n', (t) => {
  const row = (name: string) => bytecodeDoc().split('\n').find((l) => l.includes(`| \`${name}\` |`))!;
  t.regex(row('APPLY'), /\| n:count \| n\+1 \| 1 \|/);
  t.regex(row('CALL_METHOD'), /\| name:name n:count \| n\+1 \| 1 \|/);
  t.regex(row('DICT'), /\| n:count \| 2n \| 1 \|/);
  t.regex(row('UNPACK'), /\| n:count \| 1 \| n\+1 \|/);
  t.regex(row('LOAD_OUTER'), /\| d:depth i:var \| 0 \| 1 \|/);
});
