// The native module PCRE (stdlib.md §4.2): compile(pattern) -> Pattern, whose match and
// search give Match objects. Patterns are translated to V8 regular expressions by
// pcre-translate.ts (see docs/pcre.md) and run over the subject's bytes decoded as latin1,
// so every index is a byte index.
//
// A Pattern is a Handle whose handle indexes `patterns` below; compiling the same text
// twice shares one entry, so the table grows only with the number of distinct patterns a
// program compiles. A Match is a Handle holding the subject string and its group offsets
// (an immutable String of 32-bit integers) in two slots whose names are not identifiers.

import { T, ClassF, GenStateF, HandleF, StringF } from '../rts/layout.js';
import { addr, getI, getV, setI, setV, typeId, val } from '../rts/ll.js';
import { alloc } from '../rts/alloc.js';
import { gcStats } from '../rts/gc.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { allocString, mkInt, ownSlot, setOwnSlot, strFromJs, strLen, strBytes, strBytesView, strSlice, strToJs, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { ConvergeThrow, EXC, K, mkException, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { defGen, newGen } from './gen.js';
import { typeError } from './operators.js';
import { absent, defTyped, pairList, elemIndex, intArg, isStr, sliceIndex } from './types-common.js';
import { defModule } from './native-kit.js';
import { PcreError, translate, type Translation } from './pcre-translate.js';

const PATTERN_KIND = 0x50435245; // "PCRE"
const MATCH_KIND = 0x4d415443; // "MATC"

const S_SUBJECT = sym('%subject');
const S_OFFSETS = sym('%offsets');

interface Compiled {
  /** The pattern's text (bytes as latin1). */
  readonly src: string;
  readonly t: Translation;
  /** Anchored at lastIndex (match, and searches of \G patterns). */
  readonly sticky: RegExp;
  /** Searching from lastIndex. */
  readonly global: RegExp;
  /** A non-empty match anchored at lastIndex, with its own group numbers (made on first need). */
  nonEmpty: { re: RegExp; t: Translation } | null;
}

const patterns: Compiled[] = [];
const patternIndex = new Map<string, number>();

let PatternClass: Value = NONE;
let MatchClass: Value = NONE;
let ExceptionClass: Value = NONE;

function pcreError(msg: string): never {
  throw new ConvergeThrow(mkException(ExceptionClass, msg));
}

/** A RegExp for a translation; V8 refusing it (too large...) is a PCRE_Exception too. */
function regExp(source: string, t: Translation, flags: string): RegExp {
  try {
    return new RegExp(source, (t.groups > 0 ? 'd' : '') + flags);
  } catch (e) {
    pcreError(`Pattern can not be compiled: ${(e as Error).message}.`);
  }
}

function compilePattern(src: string): number {
  const known = patternIndex.get(src);
  if (known !== undefined) return known;
  let t: Translation;
  try {
    t = translate(src);
  } catch (e) {
    if (e instanceof PcreError) pcreError(e.message);
    throw e;
  }
  patterns.push({ src, t, sticky: regExp(t.source, t, 'y'), global: regExp(t.source, t, 'g'), nonEmpty: null });
  patternIndex.set(src, patterns.length - 1);
  return patterns.length - 1;
}

/**
 * The non-empty-match variant: group 1 captures the rest of the subject at the start, and
 * the end must not leave exactly that rest (an empty match would).
 */
function nonEmptyOf(c: Compiled): { re: RegExp; t: Translation } {
  if (c.nonEmpty === null) {
    const t = translate(c.src, 1);
    c.nonEmpty = { re: regExp(`(?=([\\s\\S]*))(?:${t.source})(?!\\1(?![\\s\\S]))`, t, 'y'), t };
  }
  return c.nonEmpty;
}

function isPattern(v: Value): boolean {
  return !isSmall(v) && v !== NONE && typeId(v) === T.Handle && getI(v, HandleF.kind) === PATTERN_KIND;
}

function isMatch(v: Value): boolean {
  return !isSmall(v) && v !== NONE && typeId(v) === T.Handle && getI(v, HandleF.kind) === MATCH_KIND;
}

function allocHandle(cls: Value, kind: number, handle: number): Value {
  const h = val(alloc(T.Handle, HandleF.SIZE));
  setV(h, HandleF.map, getV(cls, ClassF.instMap));
  setI(h, HandleF.handle, handle);
  setI(h, HandleF.kind, kind);
  return h;
}

// -- Subjects ------------------------------------------------------------------------------

// The last long subject decoded, so that matching along one string (a tokenizer calling
// match at each position) does not decode it again every time. Until the next collection
// its address can only hold the same (immutable) string; after one, the bytes are compared.
let cacheAddr = -1;
let cacheGc = -1;
let cacheBytes: Buffer = Buffer.alloc(0);
let cacheText = '';
const CACHE_MIN = 256;

function subjectText(s: Value): string {
  const n = strLen(s);
  if (n < CACHE_MIN) return strToJs(s);
  const a = addr(s) + StringF.SIZE;
  const view = strBytesView(s);
  if (a === cacheAddr && n === cacheBytes.length) {
    if (gcStats.collections === cacheGc) return cacheText;
    if (cacheBytes.equals(view)) {
      cacheGc = gcStats.collections;
      return cacheText;
    }
  }
  cacheBytes = Buffer.from(view);
  cacheText = cacheBytes.toString('latin1');
  cacheAddr = a;
  cacheGc = gcStats.collections;
  return cacheText;
}

// -- Matching ------------------------------------------------------------------------------

/** Runs `re` from `i`; V8 giving up (its backtracking stack) is a PCRE_Exception. */
function exec(re: RegExp, text: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  try {
    return re.exec(text);
  } catch (e) {
    pcreError(`Match failed: ${(e as Error).message}.`);
  }
}

/** A Match for result `r` of pattern `pi` (translated as `t`) on subject `s`. */
function newMatch(pi: number, t: Translation, s: Value, r: RegExpExecArray): Value {
  const offs = new Int32Array(2 * (t.groups + 1));
  offs[0] = r.index;
  offs[1] = r.index + r[0].length;
  for (let g = 1; g <= t.groups; g++) {
    const span = r.indices![t.jsGroup[g]];
    offs[2 * g] = span === undefined ? -1 : span[0];
    offs[2 * g + 1] = span === undefined ? -1 : span[1];
  }
  const packed = allocString(new Uint8Array(offs.buffer));
  const m = allocHandle(MatchClass, MATCH_KIND, pi);
  setOwnSlot(m, S_SUBJECT, s);
  setOwnSlot(m, S_OFFSETS, packed);
  return m;
}

function subjectArg(v: Value): Value {
  if (!isStr(v)) typeError('String', v);
  return v;
}

/** The start index argument: negative counts from the end; 0 <= i <= len. */
function startArg(v: Value | undefined, s: Value): number {
  return absent(v) ? 0 : sliceIndex(intArg(v!), strLen(s));
}

/**
 * search's generator: a = the Pattern, b = the subject, i = where the next search starts,
 * j = 1 if the previous match was empty and ended at i (the next may not be empty there),
 * k = 1 once exhausted. Successive matches as libpcre's own demo program finds them.
 */
const GEN_SEARCH = defGen((g) => {
  if (getI(g, GenStateF.k) === 1) return NONE;
  const pat = getV(g, GenStateF.a);
  const s = getV(g, GenStateF.b);
  const pi = getI(pat, HandleF.handle);
  const c = patterns[pi];
  const text = subjectText(s);
  let i = getI(g, GenStateF.i);
  let r: RegExpExecArray | null = null;
  let t = c.t;
  if (getI(g, GenStateF.j) === 1) {
    const ne = nonEmptyOf(c);
    r = exec(ne.re, text, i);
    if (r === null) i++;
    else t = ne.t;
  }
  if (r === null && i <= text.length) r = exec(c.t.anchored ? c.sticky : c.global, text, i);
  if (r === null) {
    setI(g, GenStateF.k, 1);
    return NONE;
  }
  const end = r.index + r[0].length;
  setI(g, GenStateF.i, end);
  setI(g, GenStateF.j, end === r.index ? 1 : 0);
  return newMatch(pi, t, s, r);
});

// -- Match methods ---------------------------------------------------------------------------

function matchParts(m: Value): [Value, Int32Array] {
  const s = ownSlot(m, S_SUBJECT);
  const o = ownSlot(m, S_OFFSETS);
  if (!isStr(s) || !isStr(o)) raise('VM_Exception', 'Match object has been tampered with.');
  const bytes = strBytes(o);
  return [s, new Int32Array(bytes.buffer, 0, bytes.length >> 2)];
}

export function installPCRE(): void {
  ExceptionClass = mkClass('PCRE_Exception', [EXC.User_Exception], Creator.Exception);
  PatternClass = mkClass('Pattern', [K.Object], Creator.None);
  MatchClass = mkClass('Match', [K.Object], Creator.None);

  defTyped(PatternClass, 'PCRE::Pattern', isPattern, 'Pattern', [
    ['match', 2, 3, (a) => {
      const s = subjectArg(a[1]);
      const i = startArg(a[2], s);
      const pi = getI(a[0], HandleF.handle);
      const r = exec(patterns[pi].sticky, subjectText(s), i);
      return r === null ? NONE : newMatch(pi, patterns[pi].t, s, r);
    }],
    ['search', 2, 3, (a) => {
      const s = subjectArg(a[1]);
      const i = startArg(a[2], s);
      return newGen(GEN_SEARCH, a[0], i, 0, s);
    }, GEN_SEARCH],
  ]);

  defTyped(MatchClass, 'PCRE::Match', isMatch, 'Match', [
    ['get', 2, 2, (a) => {
      const [s, offs] = matchParts(a[0]);
      const g = elemIndex(a[1], offs.length >> 1);
      const start = offs[2 * g];
      return start < 0 ? strFromJs('') : strSlice(s, start, offs[2 * g + 1]);
    }],
    ['get_indexes', 2, 2, (a) => {
      const [, offs] = matchParts(a[0]);
      const g = elemIndex(a[1], offs.length >> 1);
      return pairList(mkInt(offs[2 * g]), mkInt(offs[2 * g + 1]));
    }],
  ]);

  const mod = defModule(
    'PCRE',
    {
      compile: [1, 1, (a) => {
        const src = a[0];
        if (!isStr(src)) typeError('String', src);
        const pi = compilePattern(strToJs(src));
        return allocHandle(PatternClass, PATTERN_KIND, pi);
      }],
    },
    { PCRE_Exception: ExceptionClass, Pattern: PatternClass, Match: MatchClass },
  );
  for (const c of [ExceptionClass, PatternClass, MatchClass]) setV(c, ClassF.container, mod);
}
