// The native module C_Earley_Parser (stdlib.md §4.10): class Parser with
// parse(grammar, rule_names, tokens_map, tokens), which recognises the tokens
// (earley-recognise.ts), picks one parse (earley-forest.ts) and builds it as a tree of
// CPK::Tree::Non_Term objects holding the token objects. On a syntax error it calls
// self.error(token) and then fails (if error returns).
//
// The nodes are made by calling `new` of the class in the field `non_term_class` of the
// parser's class. CPK::Earley::Parser (the module programs use) sets that field of this
// class to CPK::Tree::Non_Term; a subclass may set its own.

import { ClassF } from '../rts/layout.js';
import { setV } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { shadowGet, shadowMark, shadowPopTo, shadowPush } from '../rts/gc.js';
import { allocList, intNum, isInt, listGet, listLen, listPush, mkInt, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { K, defMethods, findSlot, getSlot, hooks, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { typeError } from './operators.js';
import { VM_FAIL, forEachValue, isList, strArg } from './types-common.js';
import { defModule } from './native-kit.js';
import { GrammarFormatError, grammarOf, type EarleyGrammar } from './earley-grammar.js';
import { recognise } from './earley-recognise.js';
import { Forest } from './earley-forest.js';

const S_TYPE = sym('type');
const S_GET = sym('get');
const S_NEW = sym('new');
const S_ERROR = sym('error');
const S_SRC_INFOS = sym('src_infos');
const S_NON_TERM_CLASS = sym('non_term_class');

/** `c` as a List: itself, or a new List of the values of c.iter(). */
function asList(c: Value): Value {
  if (isList(c)) return c;
  const mark = shadowMark();
  try {
    const p = shadowPush(allocList(K.List, 8));
    forEachValue(c, (v) => listPush(shadowGet(p), v));
    return shadowGet(p);
  } finally {
    shadowPopTo(mark);
  }
}

function listAt(l: Value, i: number): Value {
  if (!isList(l)) typeError('List', l);
  const n = listLen(l);
  if (i >= n) raise('Bounds_Exception', `${i} exceeds upper bound ${n}.`);
  return listGet(l, i);
}

/** The first src info of a token: [mod_id, offset, length]. */
function firstSrcInfo(tok: Value): Value {
  return listAt(getSlot(tok, S_SRC_INFOS), 0);
}

function intAt(l: Value, i: number): number {
  const v = listAt(l, i);
  if (!isInt(v)) typeError('Int', v);
  return intNum(v);
}

/** The token number of each token (tokens_map.get(token.type)); may run Converge code. */
function tokenNumbers(pMap: number, pToks: number): Float64Array {
  const n = listLen(shadowGet(pToks));
  const nums = new Float64Array(n);
  const mark = shadowMark();
  const pGet = shadowPush(getSlot(shadowGet(pMap), S_GET));
  for (let i = 0; i < n && i < listLen(shadowGet(pToks)); i++) {
    const type = getSlot(listGet(shadowGet(pToks), i), S_TYPE);
    const num = hooks.call(shadowGet(pGet), [type]);
    if (num === NONE) raise('VM_Exception', VM_FAIL);
    if (!isInt(num)) typeError('Int', num);
    nums[i] = intNum(num);
  }
  shadowPopTo(mark);
  return nums;
}

function grammarArg(v: Value): EarleyGrammar {
  const text = strArg(v);
  try {
    return grammarOf(text);
  } catch (e) {
    if (e instanceof GrammarFormatError) raise('Exception', `Invalid compiled grammar: ${e.message}.`);
    throw e;
  }
}

/** A node being built: its children (forest ids) and where the next one goes. */
interface Build {
  readonly node: number;
  readonly kids: number[];
  next: number;
  /** Shadow stack position of the children List. */
  readonly pList: number;
  /** Source span so far: start (if count > 0), end of the last child, and length. */
  count: number;
  start: number;
  cur: number;
  len: number;
}

function addSpan(b: Build, off: number, len: number): void {
  if (b.count === 0) b.start = off;
  b.count++;
  b.cur = off + len;
  b.len = off - b.start + len;
}

/**
 * Builds the Non_Term tree of complete node `top`. Source positions follow upstream: every
 * node gets the module id of the first token's first src info, its first child's offset
 * and the length up to the end of its last child; a node without children starts where
 * its previous sibling ended.
 */
function buildTree(forest: Forest, top: number, pNew: number, pNames: number, pToks: number, numToks: number): Value {
  const stack: Build[] = [];
  const mark = shadowMark();
  const open = (node: number, cur: number): void => {
    const kids = forest.children(node)!;
    const pList = shadowPush(allocList(K.List, kids.length));
    stack.push({ node, kids, next: 0, pList, count: 0, start: cur, cur, len: 0 });
  };
  open(top, numToks > 0 ? intAt(firstSrcInfo(listAt(shadowGet(pToks), 0)), 1) : 0);
  for (;;) {
    const b = stack[stack.length - 1];
    if (b.next < b.kids.length) {
      const x = b.kids[b.next];
      if (x >= 0) {
        open(x, b.cur);
        continue;
      }
      const tok = listAt(shadowGet(pToks), -x - 1);
      const info = firstSrcInfo(tok);
      addSpan(b, intAt(info, 1), intAt(info, 2));
      listPush(shadowGet(b.pList), tok);
      b.next++;
      continue;
    }
    // All children made: make the node itself.
    const start = b.count > 0 ? b.start : b.cur;
    const pInfos = shadowPush(allocList(K.List, 1));
    if (numToks > 0) {
      const info = shadowPush(allocList(K.List, 3));
      listPush(shadowGet(pInfos), shadowGet(info));
      listPush(shadowGet(info), listAt(firstSrcInfo(listAt(shadowGet(pToks), 0)), 0));
      listPush(shadowGet(info), mkInt(start));
      listPush(shadowGet(info), mkInt(b.len));
    }
    const name = listAt(shadowGet(pNames), forest.rule(b.node));
    const made = hooks.call(shadowGet(pNew), [name, shadowGet(b.pList), shadowGet(pInfos)]);
    if (made === NONE) raise('VM_Exception', VM_FAIL);
    stack.pop();
    shadowPopTo(b.pList);
    if (stack.length === 0) {
      shadowPopTo(mark);
      return made;
    }
    const parent = stack[stack.length - 1];
    const pMade = shadowPush(made);
    listPush(shadowGet(parent.pList), shadowGet(pMade));
    shadowPopTo(pMade);
    addSpan(parent, start, b.len);
    parent.next++;
  }
}

/** Parser.parse(grammar, rule_names, tokens_map, tokens). */
function parse(a: Value[]): Value {
  const g = grammarArg(a[1]);
  const mark = shadowMark();
  try {
    const pSelf = shadowPush(a[0]);
    const pNamesArg = shadowPush(a[2]);
    const pMap = shadowPush(a[3]);
    const pToks = shadowPush(asList(a[4]));
    const pNames = shadowPush(asList(shadowGet(pNamesArg)));
    const numNames = listLen(shadowGet(pNames));
    if (numNames < g.numRules) raise('Exception', `Expected ${g.numRules} rule names, but got ${numNames}.`);
    const nums = tokenNumbers(pMap, pToks);
    const n = nums.length;
    const chart = recognise(g, nums);
    if (chart.root < 0) {
      // The first token that could not be parsed; at the end of the input (nothing left to
      // blame) the last token, as upstream. Upstream passes the last token parsed even
      // when a later one is at fault (docs/differences.md).
      const i = Math.min(chart.lastSet, n - 1);
      const tok = n === 0 ? K.null : listAt(shadowGet(pToks), i);
      hooks.call(getSlot(shadowGet(pSelf), S_ERROR), [tok]);
      return NONE;
    }
    const cls = findSlot(shadowGet(pSelf), S_NON_TERM_CLASS);
    if (cls === NONE || cls === K.null) {
      raise('Exception', 'No node class: import CPK::Earley::Parser (which sets C_Earley_Parser::Parser.non_term_class to CPK::Tree::Non_Term).');
    }
    const pNew = shadowPush(getSlot(cls, S_NEW));
    const forest = new Forest(g, chart);
    // Rule 0's only alternative is the start rule: return that node.
    const top = forest.children(chart.root);
    if (top === null) raise('VM_Exception', 'The parse only has cyclic derivations.');
    const start = top[0];
    return buildTree(forest, start, pNew, pNames, pToks, n);
  } finally {
    shadowPopTo(mark);
  }
}

export function installEarleyParser(): void {
  const parser = mkClass('Parser', [K.Object], Creator.Object);
  defMethods(parser, 'C_Earley_Parser::Parser', [['parse', 5, 5, parse]]);
  const mod = defModule('C_Earley_Parser', {}, { Parser: parser });
  setV(parser, ClassF.container, mod);
}
