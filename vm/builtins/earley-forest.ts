// Choosing one parse out of the chart's forest (earley-recognise.ts), by the rules of
// language.md §4.6, applied at every node of the forest, children first:
//
//  1. if every competing derivation comes from an alternative with a precedence, keep only
//     those with the lowest precedence (lower numbers bind more loosely);
//  2. then those with the most children (children of groups count: a node's children are
//     flat);
//  3. then the left-leaning ones: comparing children left to right, keep those whose child
//     is the deepest tree;
//  4. any tie left goes to the alternative defined first in the grammar, then to the
//     derivation found first.
//
// Forest nodes are the chart's complete nodes (a rule over a span: the alternatives
// deriving it compete) and its non-end items (an alternative's prefix over a span: the
// ways of splitting it compete). A derivation ("family") of a node is a left part (a
// prefix item, or nothing) plus the last child recognised; as upstream, a rule deriving
// the empty string by an alternative that recognised nothing at all has no family, so it
// gets no children only when no other derivation is left. Upstream (vm/Modules/
// Con_C_Earley_Parser.py) resolves the same shapes but re-resolves shared nodes (time
// exponential in the length of operator chains), compares children counts and depths
// pairwise (so it can keep a shorter derivation) and recurses forever on cyclic forests;
// here each node is resolved once, the maxima are real maxima, and derivations that would
// go round a cycle (a rule deriving itself over the same span) are ignored.
//
// The walk keeps its own stack: a long left-recursive list is a forest as deep as the list.

import type { EarleyGrammar } from './earley-grammar.js';
import { INITIAL, type Chart } from './earley-recognise.js';

const NEW = 0;
const ACTIVE = 1;
const VALID = 2;
const INVALID = 3;

interface Family {
  /** A prefix item, or -1 (the child is the alternative's first). */
  readonly left: number;
  /** A complete node (>= 0) or a token (< 0), as in Chart links. */
  readonly child: number;
  readonly prec: number;
  readonly alt: number;
}

/** A node on the walk's stack: complete node c >= 0, or item -(k + 1). */
interface Frame {
  readonly node: number;
  readonly fams: Family[];
  /** Next dependency to look at: family index * 2 + (0 left, 1 child). */
  next: number;
  /** A family was skipped because it goes round a cycle. */
  cyclic: boolean;
}

export class Forest {
  private readonly cState: Uint8Array;
  private readonly iState: Uint8Array;
  /** The chosen family: left part and last child (complete node with no children: NO_CHILD). */
  private readonly cLeft: Int32Array;
  private readonly cChild: Int32Array;
  private readonly iLeft: Int32Array;
  private readonly iChild: Int32Array;
  /** Number of (flat) children of an item's prefix. */
  private readonly iLen: Int32Array;
  /** Depth of a complete node's tree (0: no children; tokens have depth 0). */
  private readonly cDepth: Int32Array;

  constructor(
    private readonly g: EarleyGrammar,
    private readonly ch: Chart,
  ) {
    const nodes = ch.ndRule.n;
    const items = ch.itState.n;
    this.cState = new Uint8Array(nodes);
    this.iState = new Uint8Array(items);
    this.cLeft = new Int32Array(nodes);
    this.cChild = new Int32Array(nodes);
    this.iLeft = new Int32Array(items);
    this.iChild = new Int32Array(items);
    this.iLen = new Int32Array(items);
    this.cDepth = new Int32Array(nodes);
  }

  /** The rule of complete node c. */
  rule(c: number): number {
    return this.ch.ndRule.a[c];
  }

  /**
   * The children of complete node c in the chosen parse: complete nodes (>= 0) and tokens
   * (< 0, index -x - 1). Resolves c first if need be; null if c has no acyclic derivation.
   */
  children(c: number): number[] | null {
    if (this.cState[c] !== VALID) this.resolve(c);
    if (this.cState[c] !== VALID) return null;
    return this.cChild[c] === NO_CHILD ? [] : this.flat(this.cLeft[c], this.cChild[c]);
  }

  /** The flat children of a family. */
  private flat(left: number, child: number): number[] {
    const out = [child];
    for (let k = left; k >= 0; k = this.iLeft[k]) out.push(this.iChild[k]);
    return out.reverse();
  }

  private stateOf(node: number): number {
    return node >= 0 ? this.cState[node] : this.iState[-node - 1];
  }

  private setState(node: number, s: number): void {
    if (node >= 0) this.cState[node] = s;
    else this.iState[-node - 1] = s;
  }

  /** The derivations of a complete node (by alternative order) or of an item. */
  private families(node: number): Family[] {
    const ch = this.ch;
    const fams: Family[] = [];
    const ofItem = (k: number): void => {
      const alt = this.g.stAlt[ch.itState.a[k]];
      const prec = this.g.altPrec[alt];
      for (let l = ch.itLink.a[k]; l >= 0; l = ch.lkNext.a[l]) {
        const pred = ch.lkPred.a[l];
        const child = ch.lkChild.a[l];
        if ((ch.itFlags.a[pred] & INITIAL) !== 0) fams.push({ left: -1, child, prec, alt });
        if (ch.itLink.a[pred] >= 0) fams.push({ left: pred, child, prec, alt });
      }
    };
    if (node < 0) {
      ofItem(-node - 1);
      return fams;
    }
    for (let k = ch.ndEndItems.a[node]; k >= 0; k = ch.itEndNext.a[k]) ofItem(k);
    // Stable: derivations of one alternative stay in the order they were found.
    return fams.sort((a, b) => a.alt - b.alt);
  }

  /** Can complete node c derive the empty string directly (an alternative with nothing recognised)? */
  private hasEmpty(c: number): boolean {
    const ch = this.ch;
    for (let k = ch.ndEndItems.a[c]; k >= 0; k = ch.itEndNext.a[k]) {
      if ((ch.itFlags.a[k] & INITIAL) !== 0) return true;
    }
    return false;
  }

  private resolve(root: number): void {
    const stack: Frame[] = [];
    const enter = (node: number): void => {
      this.setState(node, ACTIVE);
      stack.push({ node, fams: this.families(node), next: 0, cyclic: false });
    };
    enter(root);
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      let pushed = false;
      while (f.next < f.fams.length * 2) {
        const fam = f.fams[f.next >> 1];
        const dep = (f.next & 1) === 0 ? (fam.left >= 0 ? -fam.left - 1 : NONE_DEP) : fam.child >= 0 ? fam.child : NONE_DEP;
        f.next++;
        if (dep === NONE_DEP) continue;
        const s = this.stateOf(dep);
        if (s === NEW) {
          enter(dep);
          pushed = true;
          break;
        }
        if (s === ACTIVE) f.cyclic = true;
      }
      if (pushed) continue;
      stack.pop();
      this.finish(f);
    }
  }

  private ok(fam: Family): boolean {
    if (fam.left >= 0 && this.iState[fam.left] !== VALID) return false;
    return fam.child < 0 || this.cState[fam.child] === VALID;
  }

  private finish(f: Frame): void {
    const valid = f.fams.filter((fam) => this.ok(fam));
    const node = f.node;
    if (valid.length === 0) {
      if (node >= 0 && this.hasEmpty(node)) {
        this.cState[node] = VALID;
        this.cChild[node] = NO_CHILD;
        this.cDepth[node] = 0;
      } else {
        // Invalid only because of a cycle through an ancestor: another path may do better.
        this.setState(node, f.cyclic ? NEW : INVALID);
      }
      return;
    }
    const best = this.choose(valid);
    if (node < 0) {
      const k = -node - 1;
      this.iLeft[k] = best.left;
      this.iChild[k] = best.child;
      this.iLen[k] = this.lenOf(best);
      this.iState[k] = VALID;
    } else {
      this.cLeft[node] = best.left;
      this.cChild[node] = best.child;
      let depth = 0;
      for (const x of this.flat(best.left, best.child)) depth = Math.max(depth, 1 + this.depthOf(x));
      this.cDepth[node] = depth;
      this.cState[node] = VALID;
    }
  }

  private lenOf(fam: Family): number {
    return (fam.left >= 0 ? this.iLen[fam.left] : 0) + 1;
  }

  private depthOf(x: number): number {
    return x >= 0 ? this.cDepth[x] : 0;
  }

  private choose(fams: Family[]): Family {
    if (fams.length > 1 && fams.every((fam) => fam.prec !== 0)) fams = keepMax(fams, (fam) => -fam.prec);
    if (fams.length > 1) fams = keepMax(fams, (fam) => this.lenOf(fam));
    if (fams.length > 1) {
      let flats = fams.map((fam) => ({ fam, kids: this.flat(fam.left, fam.child) }));
      for (let i = 0; flats.length > 1 && i < flats[0].kids.length; i++) flats = keepMax(flats, (x) => this.depthOf(x.kids[i]));
      return flats[0].fam;
    }
    return fams[0];
  }
}

/** The elements of `xs` (in order) for which `score` is highest. */
function keepMax<X>(xs: X[], score: (x: X) => number): X[] {
  let best = -Infinity;
  for (const x of xs) best = Math.max(best, score(x));
  return xs.filter((x) => score(x) === best);
}

/** cChild of a complete node that derives the empty string. */
const NO_CHILD = 0x7fffffff;
/** A family part that is no forest node (no left part, or a token). */
const NONE_DEP = 0x7fffffff;
