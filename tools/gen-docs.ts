// Derives docs/bytecode.md from the instruction-set table (vm/bytecode/opcodes.ts) and
// the format constants, with prose on stack markers and the .cvb file format.
//
//   node build/tools/gen-docs.mjs           rewrite docs/bytecode.md
//   node build/tools/gen-docs.mjs --check   exit 1 if docs/bytecode.md is stale
//
// vm/bytecode/test/docs.test.ts checks that the committed file is up to date.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BUILTINS,
  EXCEPTION_MARKER_SLOTS,
  FAILURE_MARKER_SLOTS,
  GEN_MARKER_SLOTS,
  OPS,
  type OpDef,
  type OperandKind,
} from '../vm/bytecode/opcodes.js';
import { FORMAT_VERSION, MODULE_MAGIC } from '../vm/bytecode/format-cvb.js';
import { CODE_FLAG_BOUND, CODE_FLAG_LOOP, CODE_FLAG_VARARGS } from '../vm/bytecode/unit.js';
import { SMALL_MAX, SMALL_MIN } from '../vm/rts/value.js';

/** How each operand kind is written in the table, and what it means. */
const OPERANDS = {
  const: ['k', 'index into the module\'s constant table'],
  name: ['name', 'index into the constant table of a String constant (a slot, method or definition name)'],
  int: ['n', `a literal small integer, ${SMALL_MIN} to ${SMALL_MAX}`],
  var: ['i', 'a variable index: of this function, or after a depth operand of the enclosing function that many levels out'],
  depth: ['d', 'a closure depth: 1 is the immediately enclosing function, at most the function\'s nesting depth'],
  target: ['t', 'a pc (word index) in the same function that starts an instruction'],
  count: ['n', 'an element or argument count, 0 to 65535'],
  code: ['c', 'index of a function of the module, 1 or more (function 0 is the module initialisation code)'],
  import: ['i', 'index into the module\'s import table'],
  builtin: ['k', `index of a VM builtin object, 0 to ${BUILTINS.length - 1} (see below)`],
  cmp: ['cmp', 'a comparison: 0 `==`, 1 `!=`, 2 `<`, 3 `<=`, 4 `>`, 5 `>=`, 6 `is`; plus 8 for its negation (`not a cmp b`, which holds where the comparison fails)'],
  arith: ['op', 'an arithmetic operator: 0 `+`, 1 `-`, 2 `*`, 3 `/`, 4 `%`'],
} as const satisfies Record<OperandKind, readonly [string, string]>;

/** A stack effect as text: a number, or a linear function of the count operand. */
function effectText(def: OpDef, eff: OpDef['pops']): string {
  if (typeof eff === 'number') return String(eff);
  const k = def.operands.indexOf('count');
  const at = (n: number) => eff(def.operands.map((_, i) => (i === k ? n : 0)));
  const b = at(0);
  const a = at(1) - b;
  for (const n of [2, 3, 10, 1000]) {
    if (at(n) !== a * n + b) throw new Error(`${def.name}: stack effect is not linear in its count`);
  }
  const an = a === 0 ? '' : a === 1 ? 'n' : `${a}n`;
  if (an === '') return String(b);
  return b === 0 ? an : `${an}+${b}`;
}

function flagsText(def: OpDef): string {
  const flags: string[] = [];
  if (def.flow !== 'next') flags.push(def.flow);
  if (def.fails) flags.push('fails');
  if (def.marker) flags.push('marker');
  return flags.join(', ');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function instructionTable(): string[] {
  const out = ['| # | Instruction | Operands | Pops | Pushes | Flags | Description |', '|---|---|---|---|---|---|---|'];
  (OPS as readonly OpDef[]).forEach((def, i) => {
    const operands = def.operands.map((k) => `${OPERANDS[k][0]}:${k}`).join(' ');
    out.push(`| ${i} | \`${def.name}\` | ${operands} | ${effectText(def, def.pops)} | ${effectText(def, def.pushes)} | ${flagsText(def)} | ${cell(def.doc)} |`);
  });
  return out;
}

const MARKERS = `## Stack markers

Failure, generator and exception frames live on the operand stack as *markers*: a few
slots of tagged small integers (and, in a generator marker, a pointer). The frame
fields \`ffp\`, \`gfp\` and \`xfp\` hold the stack index of the innermost marker of each
kind (-1 = none). Everything below the innermost marker belongs to the code outside
it: no instruction may pop below it, and the verifier checks this.

| Marker | Slots | Contents | Pushed by | Removed by |
|---|---|---|---|---|
| failure frame | ${FAILURE_MARKER_SLOTS} | failure target pc, saved \`ffp\`, saved \`gfp\` | \`ADD_FAILURE_FRAME t\` | \`POP_FAILURE_FRAME\`, a failure, \`EYIELD\` |
| fail-up frame | ${FAILURE_MARKER_SLOTS} | -1 (instead of a target), saved \`ffp\`, saved \`gfp\` | \`ADD_FAIL_UP_FRAME\` | \`POP_FAILURE_FRAME\`, a failure with no generator left |
| generator marker | ${GEN_MARKER_SLOTS} + segment | resume pc, saved \`gfp\`, the generator, start of the copied segment; then a copy of the segment | \`APPLY_GEN\`, \`CALL_METHOD_GEN\`, \`EYIELD\` | \`POP_FAILURE_FRAME\` of the enclosing frame, exhaustion |
| exception frame | ${EXCEPTION_MARKER_SLOTS} | handler pc, saved \`ffp\`, saved \`gfp\`, saved \`xfp\` | \`ADD_EXCEPTION_FRAME t\` | \`POP_EXCEPTION_FRAME\`, an exception |

**Failure frames** bracket a bound expression. Pushing one clears \`gfp\`: generators
started inside belong to it. When an instruction fails, the innermost failure frame
is popped (restoring \`ffp\` and \`gfp\`), the stack is cut back to where the marker
started, and execution continues at its target. With no failure frame the function
call itself fails.

**Fail-up frames** bracket a \`for\` condition. A failure that reaches one resumes the
newest generator under it (\`gfp\`); when none is left the frame is dropped and the
failure goes on outwards.

**Generator markers** record a resumable computation: a suspended Converge generator
frame, a builtin generator's state, the raw word 0 for a plain builtin called in
generator position (one value, then exhausted), or the small integer 0 for an
alternation left by \`EYIELD\` (which resumes at the alternative's failure target).
The *segment* is the part of the stack between the previous innermost marker and the
call: it is copied above the marker, so every resumption starts from the same
operands and pushes its next value on top. After \`APPLY_GEN n\` or
\`CALL_METHOD_GEN name n\` the depth is therefore base + ${GEN_MARKER_SLOTS} + segment + 1, where base
is the depth with the callee and arguments popped. \`POP_FAILURE_FRAME\` removes the
innermost failure frame together with every generator marker above it.

**Exception frames** bracket a \`try\` body. An exception unwinds to the innermost one
(in this frame or a caller), restores \`ffp\`, \`gfp\` and \`xfp\`, cuts the stack back to
the marker, pushes the exception and jumps to the handler: the handler starts at the
depth \`ADD_EXCEPTION_FRAME\` saw, plus one.

The verifier (vm/bytecode/verify.ts) runs a dataflow pass over (depth, marker stack)
for every function; the compiler runs the same pass to compute each function's
maximum stack depth. It rejects a function unless:

- every instruction decodes (a known opcode, all operands inside the function) and
  every operand is in range for its kind (see the operand table);
- every jump and handler target starts an instruction;
- no instruction pops below the innermost marker, \`POP_FAILURE_FRAME\` finds a failure
  frame under any generator markers, \`POP_EXCEPTION_FRAME\` finds an exception frame on
  top, and \`EYIELD\` finds a failure frame on top;
- every path into an instruction arrives with the same depth and the same markers;
- control never runs off the end of the function;
- the deepest stack fits the function's declared maximum.

Across a module, the \`FUNC_DEFN\` references must form a tree rooted at the
initialisation code (each function defined in exactly one place, every function
defined): the tree gives each function its closure nesting, which bounds the depth
operand of \`LOAD_OUTER\` and \`STORE_OUTER\`. Unreachable instructions must decode but
are not otherwise checked.
`;

const FORMAT = `## The module file format (.cvb)

A \`.cvb\` file holds one compiled module. Every number is a little-endian 32-bit word
unless noted; a *string* is a word giving its byte length followed by the bytes,
zero-padded to a multiple of 4 (names and paths are UTF-8; string constants are raw
bytes). The file is, in order:

| Field | Encoding |
|---|---|
| magic | the 8 bytes \`${MODULE_MAGIC}\` |
| format version | word, currently ${FORMAT_VERSION} |
| module name, module id, source path | three strings |
| source modification time | 64-bit little-endian double (ms), for the cache check |
| constants | word count, then per constant a tag word: 0 string (a string), 1 integer (low word, high word of a 64-bit two's complement value), 2 float (a double) |
| imports | word count, then one string (module id) per \`IMPORT i\` index |
| top-level variables | word count, then one string each; must equal function 0's variable count |
| functions | word count (at least 1: function 0 is the module initialisation code), then each function |

Each function is:

| Field | Encoding |
|---|---|
| name | string ('' for anonymous functions and the initialisation code) |
| max stack | word, 0 to 65536: the deepest operand stack, markers included |
| variables | word, 0 to 65536: locals, parameters first |
| parameters | word, 0 to 65536; then one word per parameter, 1 if it has a default value else 0 |
| flags | word: ${CODE_FLAG_VARARGS} varargs (a \`*rest\` parameter, stored in variable *parameters*), ${CODE_FLAG_BOUND} bound (a method), ${CODE_FLAG_LOOP} contains a loop; other bits must be 0 |
| code | word count *w*, then *w* instruction words (opcode word, then its operand words) |
| positions | 2*w* words: a source offset and length per code word (read at instruction starts); never negative |
| failure ranges | word count *r*, then 4*r* words: [start, end, target, depth] per static failure frame (below) |
| variable names | word count, then one string each |

A static failure frame stands for a bound expression that pushes no stack markers: a
failure at a pc in [start, end) jumps to target with the stack cut back to depth, as if a
failure frame had been pushed at start, but nothing is executed unless it fails. The
verifier checks that ranges are disjoint, start, end and target are instruction
boundaries, no marker instruction lies inside a range, and the stack holds exactly depth
at start (and never less inside).

After the last function come the package entries: a word, -1 for a module; for a package
(a directory of modules) the number of entries, equal to the number of top-level
variables, then two strings per entry (its name and the module id it stands for). Then one
string: the id of the compiler that produced the file (a hash of the compiler's sources,
set when the VM is built; auto-make treats a cache made by another compiler as stale). The
file must end right after it. The loader (vm/bytecode/format-cvb.ts)
checks every count and length against the bytes that remain (counts above 2^24 are
corrupt, not large) and throws \`LoadError\` naming the byte offset; it never throws
anything else and never allocates more than the file can describe. It also checks that
the parameters (plus a varargs parameter) fit in the variables. The verifier then
checks the code, as above, and throws \`VerifyError\` naming the function and pc.
\`converge --dis file.cvb\` loads, verifies and disassembles a file.

## Executables and libraries

A linked file is a list of module files (vm/bytecode/format-linked.ts):

| Field | Encoding |
|---|---|
| prefix | executables only: the line \`#! /usr/bin/env converge\` padded with newlines to a multiple of 8 bytes, so the file can be run directly |
| magic | the 8 bytes \`CONVEXEC\` (executable) or \`CONVLIBR\` (library, \`.cvl\`) |
| version | word, currently 1 |
| modules | word count (at least 1), then each module as a string holding a whole .cvb file |

An executable holds every module a program needs, its main module first; a library's first
module is its package. The executable magic is recognised only at the start of a file or
right after its \`#!\` line and the padding newlines. Auto-make writes the linked program as
the *cached executable* (the source path without its extension, mode 0755, never replacing
a file that is not an executable) and runs it directly while it is up to date: made by this
compiler, and no linked module's source newer than it. \`converge prog\` runs an executable
\`prog\`; \`converge --dis prog\` disassembles every module in it.
`;

/** The text of docs/bytecode.md. */
export function bytecodeDoc(): string {
  const out: string[] = [];
  out.push('<!-- GENERATED by tools/gen-docs.ts from vm/bytecode/opcodes.ts: do not edit by hand. -->');
  out.push('');
  out.push('# Converge bytecode');
  out.push('');
  out.push('The instruction set, its stack markers and the module file format. The instruction');
  out.push('table below is generated from `OPS` in vm/bytecode/opcodes.ts, the single source of');
  out.push('truth for the compiler, the loader, the verifier, the disassembler and the interpreter.');
  out.push('');
  out.push('## Instructions');
  out.push('');
  out.push('An instruction is one opcode word followed by its operand words; a pc is a word');
  out.push('index into the function\'s code. *Pops* and *pushes* are the operand-stack effect;');
  out.push('*n* is the instruction\'s count operand. Flags: *branch* may jump to its target or');
  out.push('fall through, *goto* never falls through, *end* leaves the function, *fails* may');
  out.push('fail (control goes to the innermost failure frame), *marker* pushes or pops stack');
  out.push('markers as well (see below).');
  out.push('');
  out.push(...instructionTable());
  out.push('');
  out.push('### Operand kinds');
  out.push('');
  out.push('| Kind | Written | Meaning |');
  out.push('|---|---|---|');
  for (const [kind, [short, doc]] of Object.entries(OPERANDS)) out.push(`| \`${kind}\` | ${short} | ${cell(doc)} |`);
  out.push('');
  out.push('### Builtin objects');
  out.push('');
  out.push('`BUILTIN k` pushes, and `RAISE_NEW k` raises an instance of, VM builtin object *k*:');
  out.push('');
  out.push('| k | Object |');
  out.push('|---|---|');
  BUILTINS.forEach((b, i) => out.push(`| ${i} | \`${b}\` |`));
  out.push('');
  out.push(MARKERS);
  out.push(FORMAT);
  return out.join('\n');
}

/** docs/bytecode.md, found from this file (tools/ or, bundled, build/tools/). */
function docPath(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('gen-docs: cannot find the repository root');
    d = up;
  }
  return join(d, 'docs', 'bytecode.md');
}

function main(argv: readonly string[]): number {
  const text = bytecodeDoc();
  const DOC_PATH = docPath();
  if (argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(DOC_PATH, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (old !== text) {
      process.stderr.write('docs/bytecode.md is stale: run node build/tools/gen-docs.mjs\n');
      return 1;
    }
    return 0;
  }
  writeFileSync(DOC_PATH, text);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
