// The Earley recogniser behind C_Earley_Parser: builds the chart of a token sequence, with
// enough links between items to recover every derivation afterwards (earley-forest.ts).
//
// Everything lives in growable typed arrays, not heap objects. An item is (state, origin)
// in the Earley set of the tokens recognised so far; the sets are stored one after the
// other. Nullable rules are handled as Aycock and Horspool do: predicting a nullable rule
// also moves the dot over it at once, so an empty completion never has to look at items
// added to its set after it.
//
// A link of item X says: X was reached from item `pred` by recognising `child`, which is
// a token (by index) or a complete node (rule, start, end) — one node for all the
// alternatives of the rule that derive that span. Items predicted with nothing recognised
// yet are flagged INITIAL. This is a shared packed parse forest in disguise: a non-end
// item is the forest's intermediate node for its alternative's prefix.

import { StKind, type EarleyGrammar } from './earley-grammar.js';

/** Item flag: the item was predicted (its dot is where it is with nothing recognised). */
export const INITIAL = 1;

/** Growable Int32Array. */
class IntVec {
  a: Int32Array;
  n = 0;
  constructor(cap = 256) {
    this.a = new Int32Array(cap);
  }
  push(v: number): number {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n] = v;
    return this.n++;
  }
}

export class Chart {
  // Items (index = item id).
  readonly itState = new IntVec();
  readonly itOrigin = new IntVec();
  readonly itFlags = new IntVec();
  /** First and last link of the item (-1: none). */
  readonly itLink = new IntVec();
  readonly itLinkLast = new IntVec();
  /** End items: the complete node; others: next item of the same set waiting on the same rule. */
  readonly itAux = new IntVec();
  /** End items: the next end item of the same complete node (-1: none). */
  readonly itEndNext = new IntVec();
  /** Items of set i: setStart[i] .. setStart[i + 1]. */
  readonly setStart = new IntVec();

  // Links.
  readonly lkPred = new IntVec();
  /** >= 0: a complete node; < 0: the token at index -child - 1. */
  readonly lkChild = new IntVec();
  readonly lkNext = new IntVec();

  // Complete nodes.
  readonly ndRule = new IntVec();
  readonly ndStart = new IntVec();
  readonly ndEnd = new IntVec();
  /** First end item of the node (-1: none yet). */
  readonly ndEndItems = new IntVec();
  /** 1 once the items waiting on the node's rule have been advanced over it. */
  readonly ndCompleted = new IntVec();

  /** The last set reached (the number of tokens recognised). */
  lastSet = 0;
  /** The complete node of the start rule over all the tokens, or -1 (no parse). */
  root = -1;

  private readonly nodeIndex = new Map<number, number>();

  constructor(
    readonly g: EarleyGrammar,
    readonly numTokens: number,
  ) {}

  /** The complete node for rule r over tokens [start, end), made on first use. */
  node(r: number, start: number, end: number): number {
    const key = (end * this.g.numRules + r) * (this.numTokens + 1) + start;
    let c = this.nodeIndex.get(key);
    if (c === undefined) {
      c = this.ndRule.push(r);
      this.ndStart.push(start);
      this.ndEnd.push(end);
      this.ndEndItems.push(-1);
      this.ndCompleted.push(0);
      this.nodeIndex.set(key, c);
    }
    return c;
  }

  findNode(r: number, start: number, end: number): number {
    return this.nodeIndex.get((end * this.g.numRules + r) * (this.numTokens + 1) + start) ?? -1;
  }

  /**
   * Links `item` to how it was reached. Only an empty node can be found twice the same way
   * (by the predictor's shortcut and by completion), so only then are duplicates looked for.
   */
  addLink(item: number, pred: number, child: number): void {
    if (child >= 0 && this.ndStart.a[child] === this.ndEnd.a[child]) {
      for (let l = this.itLink.a[item]; l >= 0; l = this.lkNext.a[l]) {
        if (this.lkPred.a[l] === pred && this.lkChild.a[l] === child) return;
      }
    }
    const l = this.lkPred.push(pred);
    this.lkChild.push(child);
    this.lkNext.push(-1);
    const last = this.itLinkLast.a[item];
    if (last < 0) this.itLink.a[item] = l;
    else this.lkNext.a[last] = l;
    this.itLinkLast.a[item] = l;
  }
}

/**
 * Recognises `toks` (token numbers) from rule 0. On success chart.root is set; otherwise
 * chart.lastSet tells how many tokens could be recognised.
 */
export function recognise(g: EarleyGrammar, toks: ArrayLike<number>): Chart {
  const n = toks.length;
  const ch = new Chart(g, n);
  const { stKind, stSym, stAlt, stNext, stNextStart, altRule, predict, predictStart, ruleNullable } = g;
  const numRules = g.numRules;
  // (state, origin) -> item, for the set being built.
  const inSet = new Map<number, number>();
  // Heads of the lists of items waiting on a rule, by set * numRules + rule.
  const waiting = new Map<number, number>();
  const predicted = new Int32Array(numRules).fill(-1);
  // Items for the next set found by scanning: state, origin, pred triples.
  let scanned: number[] = [];
  let set = 0;

  const add = (state: number, origin: number): number => {
    const key = state * (n + 1) + origin;
    const found = inSet.get(key);
    if (found !== undefined) return found;
    const k = ch.itState.push(state);
    ch.itOrigin.push(origin);
    ch.itFlags.push(0);
    ch.itLink.push(-1);
    ch.itLinkLast.push(-1);
    ch.itEndNext.push(-1);
    inSet.set(key, k);
    if (stKind[state] === StKind.Rule) {
      const wk = set * numRules + stSym[state];
      ch.itAux.push(waiting.get(wk) ?? -1);
      waiting.set(wk, k);
    } else if (stKind[state] === StKind.End) {
      const c = ch.node(altRule[stAlt[state]], origin, set);
      ch.itAux.push(c);
      ch.itEndNext.a[k] = ch.ndEndItems.a[c];
      ch.ndEndItems.a[c] = k;
    } else {
      ch.itAux.push(-1);
    }
    return k;
  };

  // (IntVec arrays may be replaced when they grow, so `add` is called before `.a` is read.)
  const addInitial = (state: number): void => {
    const k = add(state, set);
    ch.itFlags.a[k] |= INITIAL;
  };

  ch.setStart.push(0);
  for (let k = predictStart[0]; k < predictStart[1]; k++) addInitial(predict[k]);
  for (;;) {
    for (let k = ch.setStart.a[set]; k < ch.itState.n; k++) {
      const s = ch.itState.a[k];
      const origin = ch.itOrigin.a[k];
      const kind = stKind[s];
      if (kind === StKind.End) {
        // Complete: advance every item of the origin set waiting on this rule, once per
        // node (the links name the node, whichever alternative completed it).
        const c = ch.itAux.a[k];
        if (ch.ndCompleted.a[c] === 1) continue;
        ch.ndCompleted.a[c] = 1;
        for (let w = waiting.get(origin * numRules + ch.ndRule.a[c]) ?? -1; w >= 0; w = ch.itAux.a[w]) {
          const ws = ch.itState.a[w];
          const wo = ch.itOrigin.a[w];
          for (let x = stNextStart[ws]; x < stNextStart[ws + 1]; x++) ch.addLink(add(stNext[x], wo), w, c);
        }
      } else if (kind === StKind.Rule) {
        const r = stSym[s];
        if (predicted[r] !== set) {
          predicted[r] = set;
          for (let x = predictStart[r]; x < predictStart[r + 1]; x++) addInitial(predict[x]);
        }
        if (ruleNullable[r] === 1) {
          const c = ch.node(r, set, set);
          for (let x = stNextStart[s]; x < stNextStart[s + 1]; x++) ch.addLink(add(stNext[x], origin), k, c);
        }
      } else if (set < n && stSym[s] === toks[set]) {
        for (let x = stNextStart[s]; x < stNextStart[s + 1]; x++) scanned.push(stNext[x], origin, k);
      }
    }
    if (set === n || scanned.length === 0) break;
    set++;
    inSet.clear();
    ch.setStart.push(ch.itState.n);
    const todo = scanned;
    scanned = [];
    for (let x = 0; x < todo.length; x += 3) ch.addLink(add(todo[x], todo[x + 1]), todo[x + 2], -set);
  }
  ch.setStart.push(ch.itState.n);
  ch.lastSet = set;
  if (set === n) {
    const root = ch.findNode(0, 0, n);
    if (root >= 0 && ch.ndEndItems.a[root] >= 0) ch.root = root;
  }
  return ch;
}
