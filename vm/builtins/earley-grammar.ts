// Compiled Earley grammars: decodes the text written by stdlib/CPK/Earley/Grammar.cv (its
// header comment documents the format) into the automaton the recogniser runs.
//
// The groups ( )*, ( )+ and ( )? make each alternative a regular expression over
// symbols, so an alternative becomes a small Glushkov automaton: one state per symbol
// occurrence (the dot is just before that symbol) plus an end state (the dot is after
// everything). `next` of a state is every state the dot can reach once its symbol has been
// recognised, skipping over group boundaries; `init` of an alternative is where the dot
// can start. Groups therefore cost nothing at parse time and leave no trace in the tree.

/** What the dot of a state stands before. */
export const enum StKind {
  Rule = 0,
  Token = 1,
  End = 2,
}

export interface EarleyGrammar {
  readonly numRules: number;
  readonly numStates: number;
  /** The rule and precedence (0 = none) of each alternative. */
  readonly altRule: Int32Array;
  readonly altPrec: Float64Array;
  readonly stKind: Uint8Array;
  /** Rule number (Rule states) or token number (Token states). */
  readonly stSym: Float64Array;
  readonly stAlt: Int32Array;
  /** Successor states of state s: stNext[stNextStart[s] .. stNextStart[s + 1]). */
  readonly stNext: Int32Array;
  readonly stNextStart: Int32Array;
  /** Initial states of all alternatives of rule r: predict[predictStart[r] .. predictStart[r + 1]). */
  readonly predict: Int32Array;
  readonly predictStart: Int32Array;
  /** 1 if the rule derives the empty string. */
  readonly ruleNullable: Uint8Array;
}

/** The text is not a compiled grammar (message for the user). */
export class GrammarFormatError extends Error {}

// -- Reading the text -------------------------------------------------------------

type Sym = { readonly kind: StKind.Rule | StKind.Token; readonly sym: number } | { readonly kind: 'group'; readonly op: string; readonly body: Sym[] };

interface RawAlt {
  readonly rule: number;
  readonly prec: number;
  readonly syms: Sym[];
}

const INT = /^-?[0-9]+$/;

function intField(s: string, what: string): number {
  const n = Number(s);
  if (!INT.test(s) || !Number.isSafeInteger(n)) throw new GrammarFormatError(`bad ${what} '${s}'`);
  return n;
}

function parseSyms(fields: readonly string[], numRules: number): Sym[] {
  const stack: Sym[][] = [[]];
  for (const f of fields) {
    const top = stack[stack.length - 1];
    if (f === '(') {
      stack.push([]);
    } else if (f === ')*' || f === ')+' || f === ')?') {
      if (stack.length === 1) throw new GrammarFormatError(`unopened group '${f}'`);
      const body = stack.pop()!;
      stack[stack.length - 1].push({ kind: 'group', op: f, body });
    } else if (f.startsWith('r')) {
      const r = intField(f.slice(1), 'rule reference');
      if (r <= 0 || r >= numRules) throw new GrammarFormatError(`rule reference '${f}' out of range`);
      top.push({ kind: StKind.Rule, sym: r });
    } else if (f.startsWith('t')) {
      top.push({ kind: StKind.Token, sym: intField(f.slice(1), 'token') });
    } else {
      throw new GrammarFormatError(`bad symbol '${f}'`);
    }
  }
  if (stack.length !== 1) throw new GrammarFormatError('unclosed group');
  return stack[0];
}

function readText(text: string): { numRules: number; alts: RawAlt[] } {
  const lines = text.split('\n');
  if (lines[0] !== 'cpk-earley 1') throw new GrammarFormatError('not a compiled grammar (version line)');
  const head = (lines[1] ?? '').split(' ');
  if (head.length !== 2 || head[0] !== 'rules') throw new GrammarFormatError('missing rules line');
  const numRules = intField(head[1], 'rule count');
  if (numRules < 1) throw new GrammarFormatError('no rules');
  const alts: RawAlt[] = [];
  for (const line of lines.slice(2)) {
    if (line === '') continue;
    const f = line.split(' ');
    if (f.length < 3 || f[0] !== 'alt') throw new GrammarFormatError(`bad line '${line}'`);
    const rule = intField(f[1], 'rule number');
    if (rule < 0 || rule >= numRules) throw new GrammarFormatError(`rule number ${rule} out of range`);
    if (alts.length > 0 && rule < alts[alts.length - 1].rule) throw new GrammarFormatError('alternatives not in rule order');
    const prec = intField(f[2], 'precedence');
    if (prec < 0) throw new GrammarFormatError('negative precedence');
    alts.push({ rule, prec, syms: parseSyms(f.slice(3), numRules) });
  }
  const starts = alts.filter((a) => a.rule === 0);
  if (starts.length !== 1 || starts[0].syms.length !== 1 || starts[0].syms[0].kind !== StKind.Rule) {
    throw new GrammarFormatError('rule 0 must have one alternative naming the start rule');
  }
  return { numRules, alts };
}

// -- Glushkov automata ------------------------------------------------------------

interface Shape {
  readonly nullable: boolean;
  readonly first: number[];
  readonly last: number[];
}

/**
 * Numbers the symbol occurrences of `syms` (appending them to `leaves`) and records in
 * `follow` which positions may come right after which; returns the sequence's shape.
 */
function glushkov(syms: readonly Sym[], leaves: { kind: StKind; sym: number }[], follow: Set<number>[]): Shape {
  const parts: Shape[] = syms.map((s) => {
    if (s.kind !== 'group') {
      const p = leaves.length;
      leaves.push({ kind: s.kind, sym: s.sym });
      follow.push(new Set());
      return { nullable: false, first: [p], last: [p] };
    }
    const body = glushkov(s.body, leaves, follow);
    if (s.op !== ')?') for (const x of body.last) for (const y of body.first) follow[x].add(y);
    return { nullable: s.op === ')+' ? body.nullable : true, first: body.first, last: body.last };
  });
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      for (const x of parts[i].last) for (const y of parts[j].first) follow[x].add(y);
      if (!parts[j].nullable) break;
    }
  }
  const first: number[] = [];
  for (const p of parts) {
    first.push(...p.first);
    if (!p.nullable) break;
  }
  const last: number[] = [];
  for (let i = parts.length - 1; i >= 0; i--) {
    last.push(...parts[i].last);
    if (!parts[i].nullable) break;
  }
  return { nullable: parts.every((p) => p.nullable), first, last };
}

/** Builds the automaton of a grammar given as text; throws GrammarFormatError. */
export function decodeGrammar(text: string): EarleyGrammar {
  const { numRules, alts } = readText(text);
  const stKind: number[] = [];
  const stSym: number[] = [];
  const stAlt: number[] = [];
  const next: number[][] = [];
  const altInit: number[][] = [];
  alts.forEach((alt, a) => {
    const base = stKind.length;
    const leaves: { kind: StKind; sym: number }[] = [];
    const follow: Set<number>[] = [];
    const shape = glushkov(alt.syms, leaves, follow);
    const end = base + leaves.length;
    leaves.forEach((l, p) => {
      stKind.push(l.kind);
      stSym.push(l.sym);
      stAlt.push(a);
      next.push([...follow[p]].sort((x, y) => x - y).map((q) => base + q));
    });
    for (const p of shape.last) next[base + p].push(end);
    stKind.push(StKind.End);
    stSym.push(0);
    stAlt.push(a);
    next.push([]);
    altInit.push(shape.first.map((p) => base + p).concat(shape.nullable ? [end] : []));
  });

  const predict: number[] = [];
  const predictStart = new Int32Array(numRules + 1);
  for (let r = 0; r < numRules; r++) {
    predictStart[r] = predict.length;
    alts.forEach((alt, a) => {
      if (alt.rule === r) predict.push(...altInit[a]);
    });
  }
  predictStart[numRules] = predict.length;

  const g: EarleyGrammar = {
    numRules,
    numStates: stKind.length,
    altRule: Int32Array.from(alts.map((a) => a.rule)),
    altPrec: Float64Array.from(alts.map((a) => a.prec)),
    stKind: Uint8Array.from(stKind),
    stSym: Float64Array.from(stSym),
    stAlt: Int32Array.from(stAlt),
    stNext: Int32Array.from(next.flat()),
    stNextStart: Int32Array.from(prefixSums(next.map((n) => n.length))),
    predict: Int32Array.from(predict),
    predictStart,
    ruleNullable: new Uint8Array(numRules),
  };
  computeNullable(g, altInit);
  return g;
}

function prefixSums(counts: readonly number[]): number[] {
  const out = [0];
  for (const c of counts) out.push(out[out.length - 1] + c);
  return out;
}

/** A rule is nullable if one of its alternatives can reach its end over nullable rules only. */
function computeNullable(g: EarleyGrammar, altInit: readonly number[][]): void {
  for (let changed = true; changed; ) {
    changed = false;
    altInit.forEach((init, a) => {
      const r = g.altRule[a];
      if (g.ruleNullable[r] === 1) return;
      const seen = new Set<number>(init);
      const todo = [...init];
      while (todo.length > 0) {
        const s = todo.pop()!;
        if (g.stKind[s] === StKind.End) {
          g.ruleNullable[r] = 1;
          changed = true;
          return;
        }
        if (g.stKind[s] !== StKind.Rule || g.ruleNullable[g.stSym[s]] === 0) continue;
        for (let k = g.stNextStart[s]; k < g.stNextStart[s + 1]; k++) {
          const t = g.stNext[k];
          if (!seen.has(t)) {
            seen.add(t);
            todo.push(t);
          }
        }
      }
    });
  }
}

// -- Cache ------------------------------------------------------------------------

const CACHE_SIZE = 32;
const cache = new Map<string, EarleyGrammar>();

/** decodeGrammar, remembering the last few grammars (a DSL parses with the same one often). */
export function grammarOf(text: string): EarleyGrammar {
  let g = cache.get(text);
  if (g === undefined) {
    g = decodeGrammar(text);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(text, g);
  }
  return g;
}
