// The Earley parser's TypeScript parts: decoding compiled grammars into automata
// (earley-grammar.ts), recognition (earley-recognise.ts) and choosing one parse
// (earley-forest.ts). Grammars are written in the compiled text format directly.

import test from 'ava';
import { GrammarFormatError, StKind, decodeGrammar, grammarOf, type EarleyGrammar } from '../earley-grammar.js';
import { recognise } from '../earley-recognise.js';
import { Forest } from '../earley-forest.js';

const grammar = (...alts: string[]): string => {
  const rules = Math.max(...alts.map((a) => Number(a.split(' ')[0]))) + 1;
  return ['cpk-earley 1', `rules ${rules}`, ...alts.map((a) => `alt ${a}`)].join('\n');
};

/** The chosen parse as an S-expression: (rule child...), tokens as their numbers. */
function parse(text: string, toks: number[]): string | null {
  const g = decodeGrammar(text);
  const ch = recognise(g, toks);
  if (ch.root < 0) return null;
  const f = new Forest(g, ch);
  const show = (c: number): string => {
    const kids = f.children(c)!.map((x) => (x >= 0 ? show(x) : `t${toks[-x - 1]}`));
    return `(${f.rule(c)}${kids.map((k) => ` ${k}`).join('')})`;
  };
  return show(f.children(ch.root)![0]);
}

/** State numbers of alternative `alt`, with the successors and the alternative's initial states. */
function automaton(g: EarleyGrammar, rule: number): { init: number[]; next: number[][]; kinds: StKind[] } {
  const states: number[] = [];
  for (let s = 0; s < g.numStates; s++) if (g.altRule[g.stAlt[s]] === rule) states.push(s);
  const base = states[0];
  const init: number[] = [];
  for (let k = g.predictStart[rule]; k < g.predictStart[rule + 1]; k++) init.push(g.predict[k] - base);
  const next = states.map((s) => Array.from(g.stNext.subarray(g.stNextStart[s], g.stNextStart[s + 1])).map((t) => t - base));
  return { init, next, kinds: states.map((s) => g.stKind[s]) };
}

// -- Decoding --------------------------------------------------------------------------

test('a plain alternative is a chain of states', (t) => {
  const a = automaton(decodeGrammar(grammar('0 0 r1', '1 0 t5 r1 t6')), 1);
  t.deepEqual(a.kinds, [StKind.Token, StKind.Rule, StKind.Token, StKind.End]);
  t.deepEqual(a.init, [0]);
  t.deepEqual(a.next, [[1], [2], [3], []]);
});

test('groups: ( )* loops and can be skipped, ( )? can be skipped, ( )+ loops', (t) => {
  // t1 ( r1 ( t3 r1 )* )? t2: positions 0:t1 1:r1 2:t3 3:r1 4:t2 5:end
  const a = automaton(decodeGrammar(grammar('0 0 r1', '1 0 t1 ( r1 ( t3 r1 )* )? t2')), 1);
  t.deepEqual(a.init, [0]);
  t.deepEqual(a.next, [[1, 4], [2, 4], [3], [2, 4], [5], []]);
  // ( t1 t2 )+ : 0:t1 1:t2 2:end
  const p = automaton(decodeGrammar(grammar('0 0 r1', '1 0 ( t1 t2 )+')), 1);
  t.deepEqual(p.init, [0]);
  t.deepEqual(p.next, [[1], [0, 2], []]);
  // ( t1 )* ( t2 )? : everything optional, so the end is initial too
  const s = automaton(decodeGrammar(grammar('0 0 r1', '1 0 ( t1 )* ( t2 )?')), 1);
  t.deepEqual(s.init, [0, 1, 2]);
  t.deepEqual(s.next, [[0, 1, 2], [2], []]);
});

test('an empty alternative is just an end state', (t) => {
  const a = automaton(decodeGrammar(grammar('0 0 r1', '1 7')), 1);
  t.deepEqual(a.kinds, [StKind.End]);
  t.deepEqual(a.init, [0]);
});

test('nullable rules: empty alternatives, optional groups, nullable references', (t) => {
  const g = decodeGrammar(grammar('0 0 r1', '1 0 r2 r3', '2 0', '2 0 t1', '3 0 ( t1 )?', '4 0 r5', '5 0 t1', '6 0 r4', '6 0 r2 r6'));
  t.deepEqual(Array.from(g.ruleNullable), [1, 1, 1, 1, 0, 0, 0]);
});

test('precedences are read per alternative', (t) => {
  const g = decodeGrammar(grammar('0 0 r1', '1 20 r1 t1 r1', '1 0 t0'));
  t.deepEqual(Array.from(g.altPrec), [0, 20, 0]);
});

test('malformed compiled grammars are rejected with a reason', (t) => {
  const bad = (text: string, msg: RegExp): void => {
    const e = t.throws(() => decodeGrammar(text), { instanceOf: GrammarFormatError });
    t.regex(e!.message, msg);
  };
  bad('', /version/);
  bad('cpk-earley 1\nrules x', /rule count/);
  bad('cpk-earley 1\nrules 0', /no rules/);
  bad(grammar('0 0 r1', '1 0 t1 ( t2'), /unclosed group/);
  bad(grammar('0 0 r1', '1 0 t1 )*'), /unopened group/);
  bad(grammar('0 0 r1', '1 0 x1'), /bad symbol/);
  bad(grammar('0 0 r1', '1 0 r9'), /out of range/);
  bad(grammar('0 0 r1', '1 0 r0'), /out of range/);
  bad(grammar('0 0 r1', '1 -1 t1'), /negative precedence/);
  bad(grammar('0 0 t1', '1 0 t1'), /rule 0/);
  bad(grammar('0 0 r1', '0 0 r1', '1 0 t1'), /rule 0/);
  bad(grammar('0 0 r1', '2 0 t1', '1 0 t1'), /rule order/);
  bad('cpk-earley 1\nrules 2\nalt 0 0 r1\nalpha 1 0', /bad line/);
});

test('decoded grammars are cached by text', (t) => {
  const text = grammar('0 0 r1', '1 0 t1');
  t.is(grammarOf(text), grammarOf(text));
});

// -- Recognition -------------------------------------------------------------------------

test('recognition stops at the last set reached', (t) => {
  // 1 ::= t1 ( t2 )* t3
  const g = decodeGrammar(grammar('0 0 r1', '1 0 t1 ( t2 )* t3'));
  t.true(recognise(g, [1, 2, 2, 3]).root >= 0);
  t.true(recognise(g, [1, 3]).root >= 0);
  const bad = recognise(g, [1, 2, 1, 3]);
  t.is(bad.root, -1);
  t.is(bad.lastSet, 2);
  const short = recognise(g, [1, 2]);
  t.is(short.root, -1);
  t.is(short.lastSet, 2);
  t.is(recognise(g, [3]).lastSet, 0);
  t.is(recognise(g, []).root, -1);
});

test('nullable rules anywhere (Aycock-Horspool)', (t) => {
  // 1 ::= r2 r2 t1 r2 ; 2 ::= | r3 ; 3 ::= r2
  const g = grammar('0 0 r1', '1 0 r2 r2 t1 r2', '2 0', '2 0 r3', '3 0 r2');
  t.is(parse(g, [1]), '(1 (2) (2) t1 (2))');
  t.is(parse(grammar('0 0 r1', '1 0'), []), '(1)');
  t.is(parse(grammar('0 0 r1', '1 0 r2 r2', '2 0 ( t1 )*'), []), '(1 (2) (2))');
});

// -- Choosing a parse ----------------------------------------------------------------------

// E ::= E + E %20 | E * E %40 | INT (tokens: 0 INT, 1 +, 2 *)
const EXPR = grammar('0 0 r1', '1 20 r1 t1 r1', '1 40 r1 t2 r1', '1 0 t0');

test('the lowest precedence is the top-level construct', (t) => {
  t.is(parse(EXPR, [0, 1, 0, 2, 0]), '(1 (1 t0) t1 (1 (1 t0) t2 (1 t0)))');
  t.is(parse(EXPR, [0, 2, 0, 1, 0]), '(1 (1 (1 t0) t2 (1 t0)) t1 (1 t0))');
});

test('equal precedences lean left', (t) => {
  t.is(parse(EXPR, [0, 1, 0, 1, 0]), '(1 (1 (1 t0) t1 (1 t0)) t1 (1 t0))');
  t.is(parse(EXPR, [0, 1, 0, 2, 0, 1, 0]), '(1 (1 (1 t0) t1 (1 (1 t0) t2 (1 t0))) t1 (1 t0))');
});

test('precedence only decides among alternatives that all have one', (t) => {
  // E ::= - E | E + E %20 | INT : "- 1 + 2" has 3 children at the top with +, 2 with -
  const g = grammar('0 0 r1', '1 0 t3 r1', '1 20 r1 t1 r1', '1 0 t0');
  t.is(parse(g, [3, 0, 1, 0]), '(1 (1 t3 (1 t0)) t1 (1 t0))');
});

test('the derivation with the most children wins', (t) => {
  // S ::= ( A )* ; A ::= t1 | t1 t1  — "1 1 1 1" as four As beats two or three
  const g = grammar('0 0 r1', '1 0 ( r2 )*', '2 0 t1', '2 0 t1 t1');
  t.is(parse(g, [1, 1, 1, 1]), '(1 (2 t1) (2 t1) (2 t1) (2 t1))');
  // Dangling else: S ::= if S | if S else S | x — the else goes to the outer if (4 children, not 2).
  const d = grammar('0 0 r1', '1 0 t1 r1', '1 0 t1 r1 t2 r1', '1 0 t0');
  t.is(parse(d, [1, 1, 0, 2, 0]), '(1 t1 (1 t1 (1 t0)) t2 (1 t0))');
});

test('remaining ties go to the alternative defined first', (t) => {
  const g = grammar('0 0 r1', '1 0 r2', '1 0 r3', '2 0 t0', '3 0 t0');
  t.is(parse(g, [0]), '(1 (2 t0))');
  const h = grammar('0 0 r1', '1 0 r3', '1 0 r2', '2 0 t0', '3 0 t0');
  t.is(parse(h, [0]), '(1 (3 t0))');
});

test('groups leave no node: their symbols are children of the rule', (t) => {
  const g = grammar('0 0 r1', '1 0 t1 ( r2 ( t3 r2 )* )? t2', '2 0 t0');
  t.is(parse(g, [1, 0, 3, 0, 3, 0, 2]), '(1 t1 (2 t0) t3 (2 t0) t3 (2 t0) t2)');
  t.is(parse(g, [1, 2]), '(1 t1 t2)');
  t.is(parse(grammar('0 0 r1', '1 0 ( t1 t2 )+'), [1, 2, 1, 2]), '(1 t1 t2 t1 t2)');
  t.is(parse(grammar('0 0 r1', '1 0 ( t1 t2 )+'), []), null);
});

test('cyclic grammars terminate and give an acyclic parse', (t) => {
  // A ::= A | x
  t.is(parse(grammar('0 0 r1', '1 0 r1', '1 0 t0'), [0]), '(1 t0)');
  // S ::= ( N )* t1 ; N ::= | t0 (a nullable rule repeated: infinitely many empty Ns; the
  // most children without going round a cycle is one empty N at each position)
  t.is(parse(grammar('0 0 r1', '1 0 ( r2 )* t1', '2 0', '2 0 t0'), [0, 1]), '(1 (2) (2 t0) (2) t1)');
  // A ::= B | t0 ; B ::= A ; S ::= A B t1 with A, B deriving each other over the same span
  t.is(parse(grammar('0 0 r1', '1 0 r2 r3 t1', '2 0 r3', '2 0', '3 0 r2'), [1]), '(1 (2) (3 (2)) t1)');
});

test('long inputs need no deep JavaScript recursion', (t) => {
  // L ::= L , x | x  (left recursive) and R ::= x , R | x (right recursive: quadratic, as
  // there is no Leo optimisation, so a shorter list)
  const list = (n: number): number[] => {
    const toks: number[] = [];
    for (let i = 0; i < n; i++) toks.push(...(i > 0 ? [1, 0] : [0]));
    return toks;
  };
  const cases: [string, number][] = [
    [grammar('0 0 r1', '1 0 r1 t1 t0', '1 0 t0'), 20000],
    [grammar('0 0 r1', '1 0 t0 t1 r1', '1 0 t0'), 1500],
  ];
  for (const [g, n] of cases) {
    const toks = list(n);
    const dg = decodeGrammar(g);
    const ch = recognise(dg, toks);
    t.true(ch.root >= 0);
    const f = new Forest(dg, ch);
    let depth = 0;
    for (let c = f.children(ch.root)![0]; ; depth++) {
      const kids = f.children(c)!;
      const sub = kids.find((x) => x >= 0);
      if (sub === undefined) break;
      c = sub;
    }
    t.is(depth, n - 1);
  }
});
