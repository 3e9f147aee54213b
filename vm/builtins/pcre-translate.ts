// Translates a PCRE pattern into a JavaScript RegExp source with the same meaning, for the
// PCRE module (stdlib.md §4.2; docs/pcre.md lists what is supported). No maintained PCRE
// engine on the npm registry can be used synchronously, so V8's engine does the matching.
//
// The model is libpcre without UTF mode, as upstream used it: patterns and subjects are
// byte strings, seen here as JS strings of characters 0-255 (latin1), so string indices
// are byte indices; the options are always DOTALL and MULTILINE; letters fold case in the
// C locale only (ASCII). Nothing is left to the JS flags: every character class becomes an
// explicit set of bytes, every anchor an explicit assertion, so neither V8's idea of line
// terminators, white space or case folding nor its flags can leak in, and inline options
// (which Node 20's engine lacks) are applied while translating.
//
// Where the engines would disagree, the translation refuses: each construct it cannot
// express raises a PcreError naming it, so a pattern never silently matches differently.
// Invalid patterns raise PcreError with PCRE2's own message.

/** A pattern PCRE rejects, or one this translation cannot express (`unsupported`). */
export class PcreError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly unsupported: boolean,
  ) {
    super(`${unsupported ? 'Unsupported' : 'Error'} at offset ${offset}: ${reason}.`);
  }
}

export interface Translation {
  /** JS RegExp source, for the flags `d` plus `y` (anchored) or `g` (searching). */
  readonly source: string;
  /** The number of capturing groups of the PCRE pattern. */
  readonly groups: number;
  /** jsGroup[n]: the JS group holding PCRE group n (the translation adds groups of its own). */
  readonly jsGroup: readonly number[];
  /** Every top-level alternative starts with \G: a search may only match at its start offset. */
  readonly anchored: boolean;
  /** The shortest match has this many bytes (0: the pattern can match the empty string). */
  readonly minLength: number;
}

// -- Byte sets -------------------------------------------------------------------------

/** A set of bytes as 256 flags. */
type ByteSet = Uint8Array;

function newSet(): ByteSet {
  return new Uint8Array(256);
}

function setOf(pred: (c: number) => boolean): ByteSet {
  const s = newSet();
  for (let c = 0; c < 256; c++) if (pred(c)) s[c] = 1;
  return s;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
const isWord = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x5f;
/** C-locale isspace: \t \n \v \f \r and space (PCRE's \s includes \v since 8.34). */
const isSpace = (c: number): boolean => (c >= 0x09 && c <= 0x0d) || c === 0x20;

/** The sets behind \d \s \w \h \v (lower case) in libpcre's default (C locale) tables. */
const ESCAPE_SETS: Record<string, ByteSet> = {
  d: setOf(isDigit),
  s: setOf(isSpace),
  w: setOf(isWord),
  h: setOf((c) => c === 0x09 || c === 0x20 || c === 0xa0),
  v: setOf((c) => (c >= 0x0a && c <= 0x0d) || c === 0x85),
};

/** POSIX classes in the C locale. */
const POSIX_SETS: Record<string, ByteSet> = {
  alpha: setOf(isAlpha),
  lower: setOf(isLower),
  upper: setOf(isUpper),
  alnum: setOf((c) => isAlpha(c) || isDigit(c)),
  ascii: setOf((c) => c < 0x80),
  blank: setOf((c) => c === 0x09 || c === 0x20),
  cntrl: setOf((c) => c < 0x20 || c === 0x7f),
  digit: setOf(isDigit),
  graph: setOf((c) => c > 0x20 && c < 0x7f),
  print: setOf((c) => c >= 0x20 && c < 0x7f),
  punct: setOf((c) => c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c)),
  space: setOf(isSpace),
  word: setOf(isWord),
  xdigit: setOf((c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)),
};

function addSet(to: ByteSet, from: ByteSet, negate: boolean): void {
  for (let c = 0; c < 256; c++) if ((from[c] === 1) !== negate) to[c] = 1;
}

/** The other case of an ASCII letter, or -1. */
function otherCase(c: number): number {
  if (isUpper(c)) return c + 0x20;
  if (isLower(c)) return c - 0x20;
  return -1;
}

function addChar(s: ByteSet, c: number, caseless: boolean): void {
  s[c] = 1;
  if (caseless && otherCase(c) >= 0) s[otherCase(c)] = 1;
}

// -- The pattern tree --------------------------------------------------------------------

type Assertion = 'A' | 'z' | 'Z' | 'G' | 'b' | 'B' | '^m' | '$m' | '^' | '$';

type Node =
  | { k: 'set'; s: ByteSet }
  | { k: 'assert'; a: Assertion; off: number }
  | { k: 'group'; cap: number; body: Alt }
  | { k: 'look'; behind: boolean; neg: boolean; body: Alt; off: number }
  | { k: 'atomic'; body: Alt }
  | { k: 'rep'; body: Node; min: number; max: number; lazy: boolean; possessive: boolean; off: number }
  | { k: 'ref'; n: number; name: string | null; caseless: boolean; off: number }
  | { k: 'newline' };

interface Alt {
  alts: Node[][];
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  U: boolean;
}

const MAX_QUANT = 65535;
const MAX_NAME = 32;
const MAX_NESTING = 250;

function hex2(c: number): string {
  return c.toString(16).padStart(2, '0');
}

// -- Parsing -------------------------------------------------------------------------------

class Parser {
  pos = 0;
  groups = 0;
  /** How many groups are open (libpcre2's default limit, which also bounds recursion here). */
  depth = 0;
  readonly names = new Map<string, number>();
  readonly refs: Extract<Node, { k: 'ref' }>[] = [];

  constructor(readonly p: string) {}

  err(reason: string, off = this.pos): never {
    throw new PcreError(reason, off, false);
  }

  unsupported(what: string, off = this.pos): never {
    throw new PcreError(what, off, true);
  }

  peek(d = 0): string {
    return this.p[this.pos + d] ?? '';
  }

  code(d = 0): number {
    return this.pos + d < this.p.length ? this.p.charCodeAt(this.pos + d) : -1;
  }

  /** Matches sticky regexp `re` at pos: the match, or null. Nothing is consumed. */
  at(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    return re.exec(this.p);
  }

  eat(s: string): boolean {
    if (this.p.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  atEnd(): boolean {
    return this.pos >= this.p.length;
  }

  /** In extended mode: skips white space and # comments (to the next newline). */
  skipExtended(f: Flags): void {
    if (!f.x) return;
    for (;;) {
      const c = this.code();
      if (c >= 0 && isSpace(c)) this.pos++;
      else if (c === 0x23) {
        while (!this.atEnd() && this.peek() !== '\n') this.pos++;
      } else return;
    }
  }

  /** Alternatives up to a `)` or the end (not consumed). Option changes last to the end. */
  parseAlt(outer: Flags): Alt {
    const f = { ...outer };
    const alts: Node[][] = [[]];
    for (;;) {
      this.skipExtended(f);
      if (this.atEnd() || this.peek() === ')') return { alts };
      if (this.peek() === '|') {
        this.pos++;
        alts.push([]);
        continue;
      }
      const seq = alts[alts.length - 1];
      const start = this.pos;
      const atoms = this.parseAtom(f);
      this.skipExtended(f);
      if (atoms === null) {
        // An option setting: nothing a quantifier could repeat.
        if (this.quantifierAhead()) this.err('quantifier does not follow a repeatable item');
        continue;
      }
      if (atoms.length === 0) {
        // A comment or an empty quotation: a quantifier after it repeats the item before.
        const last = seq.pop();
        if (last !== undefined) seq.push(this.quantifierAhead() ? this.parseQuantifiers(last, f, start) : last);
        else if (this.quantifierAhead()) this.err('quantifier does not follow a repeatable item');
        continue;
      }
      const last = atoms.pop()!;
      seq.push(...atoms);
      seq.push(this.parseQuantifiers(last, f, start));
    }
  }

  quantifierAhead(): boolean {
    const c = this.peek();
    return c === '*' || c === '+' || c === '?' || (c === '{' && this.braceQuantifier() !== null);
  }

  /** `{n}`, `{n,}` or `{n,m}` at pos: [min, max, length], or null (then `{` is a literal). */
  braceQuantifier(): [number, number, number] | null {
    const m = this.at(/\{(\d+)(,(\d*))?\}/y);
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_QUANT || (max !== Infinity && max > MAX_QUANT)) this.err('number too big in {} quantifier', this.pos + m[0].length - 1);
    if (max < min) this.err('numbers out of order in {} quantifier', this.pos + m[0].length - 1);
    return [min, max, m[0].length];
  }

  parseQuantifiers(atom: Node, f: Flags, start: number): Node {
    const qstart = this.pos;
    let min: number;
    let max: number;
    const c = this.peek();
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{' && this.braceQuantifier() !== null) {
      const q = this.braceQuantifier()!;
      [min, max] = [q[0], q[1]];
      this.pos += q[2] - 1;
    } else return atom;
    this.pos++;
    if (atom.k === 'assert') this.err('quantifier does not follow a repeatable item', qstart);
    this.skipExtended(f);
    let lazy = f.U;
    let possessive = false;
    if (this.peek() === '?') {
      lazy = !f.U;
      this.pos++;
    } else if (this.peek() === '+') {
      possessive = true;
      lazy = false;
      this.pos++;
    }
    this.skipExtended(f);
    if (this.quantifierAhead()) this.err('quantifier does not follow a repeatable item');
    if (min === 1 && max === 1) return possessive ? { k: 'atomic', body: { alts: [[atom]] } } : atom;
    return { k: 'rep', body: atom, min, max, lazy, possessive, off: start };
  }

  /**
   * One item, or several for \Q...\E (a quantifier binds only the last); [] for a
   * comment or an empty quotation; null for an option setting.
   */
  parseAtom(f: Flags): Node[] | null {
    const start = this.pos;
    const c = this.peek();
    switch (c) {
      case '(':
        return this.parseGroup(f);
      case '[':
        if (this.at(/\[([:.=])\^?[a-z]*\1\]/y) !== null) {
          this.err(this.peek(1) === ':' ? 'POSIX named classes are supported only within a class' : 'POSIX collating elements are not supported');
        }
        return [{ k: 'set', s: this.parseClass(f) }];
      case '.':
        this.pos++;
        return [{ k: 'set', s: f.s ? setOf(() => true) : setOf((b) => b !== 0x0a) }];
      case '^':
        this.pos++;
        return [{ k: 'assert', a: f.m ? '^m' : '^', off: start }];
      case '$':
        this.pos++;
        return [{ k: 'assert', a: f.m ? '$m' : '$', off: start }];
      case '\\':
        return this.parseEscape(f);
      case '*':
      case '+':
      case '?':
        this.err('quantifier does not follow a repeatable item', start);
        break;
      case '{':
        if (this.braceQuantifier() !== null) this.err('quantifier does not follow a repeatable item', start);
        break;
    }
    this.pos++;
    return [this.literal(c.charCodeAt(0), f)];
  }

  literal(c: number, f: Flags): Node {
    const s = newSet();
    addChar(s, c, f.i);
    return { k: 'set', s };
  }

  parseEscape(f: Flags): Node[] | null {
    const start = this.pos;
    this.pos++;
    if (this.atEnd()) this.err('\\ at end of pattern');
    const c = this.peek();
    this.pos++;
    switch (c) {
      case 'Q': {
        const end = this.p.indexOf('\\E', this.pos);
        const text = end < 0 ? this.p.slice(this.pos) : this.p.slice(this.pos, end);
        this.pos = end < 0 ? this.p.length : end + 2;
        return Array.from(text, (ch) => this.literal(ch.charCodeAt(0), f));
      }
      case 'E':
        return [];
      case 'A':
        return [{ k: 'assert', a: 'A', off: start }];
      case 'z':
        return [{ k: 'assert', a: 'z', off: start }];
      case 'Z':
        return [{ k: 'assert', a: 'Z', off: start }];
      case 'G':
        return [{ k: 'assert', a: 'G', off: start }];
      case 'b':
        return [{ k: 'assert', a: 'b', off: start }];
      case 'B':
        return [{ k: 'assert', a: 'B', off: start }];
      case 'R':
        return [{ k: 'newline' }];
      case 'N':
        if (this.peek() === '{' && this.braceQuantifier() === null) {
          this.err(this.p.startsWith('{U+', this.pos) ? '\\N{U+dddd} is supported only in Unicode (UTF) mode' : 'PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u');
        }
        return [{ k: 'set', s: setOf((b) => b !== 0x0a) }];
      case 'C':
        return [{ k: 'set', s: setOf(() => true) }];
      case 'K':
        this.unsupported('\\K (resetting the match start)', start);
        break;
      case 'X':
        this.unsupported('\\X (extended grapheme cluster)', start);
        break;
      case 'p':
      case 'P':
        this.unsupported(`\\${c} (Unicode property)`, start);
        break;
      case 'g':
        return [this.parseGRef(f, start)];
      case 'k':
        return [this.namedRef(this.bracketedName('\\k is not followed by a braced, angle-bracketed, or quoted name', ['<>', "''", '{}']), f, start)];
    }
    if (c >= '1' && c <= '9') {
      this.pos--;
      const digits = this.at(/\d+/y)![0];
      this.pos++;
      const n = Number(digits);
      if (n < 10 || c === '8' || c === '9' || n <= this.groups) {
        this.pos += digits.length - 1;
        return [this.numRef(n, f, start)];
      }
    }
    this.pos--;
    const set = this.escapeSet();
    if (set !== null) return [{ k: 'set', s: set }];
    const ch = this.escapeChar(false);
    return [this.literal(ch, f)];
  }

  /** \d \D \s \S \w \W \h \H \v \V at pos (after the backslash), or null. */
  escapeSet(): ByteSet | null {
    const c = this.peek();
    const base = ESCAPE_SETS[c.toLowerCase()];
    if (base === undefined) return null;
    this.pos++;
    const s = newSet();
    addSet(s, base, c !== c.toLowerCase());
    return s;
  }

  /** A character escape at pos (after the backslash): its byte. */
  escapeChar(inClass: boolean): number {
    const start = this.pos - 1;
    const c = this.peek();
    this.pos++;
    switch (c) {
      case 'a':
        return 0x07;
      case 'e':
        return 0x1b;
      case 'f':
        return 0x0c;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'b':
        return 0x08; // only reached inside a class
      case 'c': {
        if (this.atEnd()) this.err('\\c at end of pattern');
        const x = this.code();
        if (x < 0x20 || x > 0x7e) this.err('\\c must be followed by a printable ASCII character');
        this.pos++;
        return (isLower(x) ? x - 0x20 : x) ^ 0x40;
      }
      case 'x': {
        if (this.peek() === '{') return this.bracedNumber(/[0-9a-fA-F]*/y, 16, 'non-hex character in \\x{} (closing brace missing?)');
        const m = this.at(/[0-9a-fA-F]{0,2}/y)![0];
        this.pos += m.length;
        return m.length === 0 ? 0 : parseInt(m, 16);
      }
      case 'o':
        if (this.peek() !== '{') this.err('missing opening brace after \\o', this.pos - 1);
        return this.bracedNumber(/[0-7]*/y, 8, 'non-octal character in \\o{} (closing brace missing?)');
      case 'u':
      case 'U':
      case 'l':
      case 'L':
      case 'F':
        this.err('PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u');
    }
    if (c >= '0' && c <= '7') {
      this.pos--;
      const m = this.at(/[0-7]{1,3}/y)![0];
      this.pos += m.length;
      const v = parseInt(m, 8);
      if (v > 255) this.err('octal value is greater than \\377 in 8-bit non-UTF-8 mode');
      return v;
    }
    if (inClass && (c === '8' || c === '9')) return c.charCodeAt(0);
    if (/[A-Za-z0-9]/.test(c)) {
      this.pos = start + 1;
      this.err(inClass ? 'escape sequence is invalid in character class' : 'unrecognized character follows \\');
    }
    return c.charCodeAt(0);
  }

  /** `{digits}` at pos, for \\x{...} and \\o{...}: the byte it stands for. */
  bracedNumber(digits: RegExp, radix: number, bad: string): number {
    this.pos++;
    const d = this.at(digits)![0];
    this.pos += d.length;
    if (this.peek() !== '}') this.err(bad);
    if (d.length === 0) this.err('digits missing in \\x{} or \\o{} or \\N{U+}');
    this.pos++;
    return this.byteValue(parseInt(d, radix));
  }

  byteValue(v: number): number {
    if (v > 255) this.err('character code point value in \\x{} or \\o{} is too large', this.pos - 1);
    return v;
  }

  /** A name in one of the bracket pairs `pairs` (e.g. '<>') at pos. */
  bracketedName(missing: string, pairs: string[]): string {
    const pair = pairs.find((b) => this.peek() === b[0]);
    if (pair === undefined) this.err(missing);
    this.pos++;
    return this.readName(pair[1]);
  }

  /** A group name ending with `close` (consumed). */
  readName(close: string): string {
    const start = this.pos;
    if (isDigit(this.code())) this.err('subpattern name must start with a non-digit');
    while (this.code() >= 0 && isWord(this.code())) this.pos++;
    const name = this.p.slice(start, this.pos);
    if (name.length === 0) this.err('subpattern name expected');
    if (name.length > MAX_NAME) this.err(`subpattern name is too long (maximum ${MAX_NAME} code units)`, start);
    if (this.peek() !== close) this.err('syntax error in subpattern name (missing terminator?)');
    this.pos++;
    return name;
  }

  numRef(n: number, f: Flags, off: number): Node {
    const r = { k: 'ref' as const, n, name: null, caseless: f.i, off };
    this.refs.push(r);
    return r;
  }

  namedRef(name: string, f: Flags, off: number): Node {
    const r = { k: 'ref' as const, n: -1, name, caseless: f.i, off };
    this.refs.push(r);
    return r;
  }

  /** \g1, \g-1, \g{1}, \g{-1}, \g{name}; \g<...> and \g'...' are subroutine calls. */
  parseGRef(f: Flags, start: number): Node {
    if (this.peek() === '<' || this.peek() === "'") this.unsupported('subroutine call \\g<...>', start);
    let text: string;
    if (this.peek() === '{') {
      const m = this.at(/\{(-?\d+|[A-Za-z_]\w*)\}/y);
      if (m === null) this.err('\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number', this.pos);
      text = m[1];
      this.pos += m[0].length;
    } else {
      const m = this.at(/[+-]?\d+/y);
      if (m === null) this.err('\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number');
      text = m[0];
      this.pos += m[0].length;
    }
    if (!/^[+-]?\d/.test(text)) return this.namedRef(text, f, start);
    if (text.startsWith('+')) this.unsupported('relative forward reference \\g+n', start);
    let n = Number(text);
    if (n === 0) this.err('a numbered reference must not be zero', start);
    if (n < 0) {
      n = this.groups + 1 + n;
      if (n <= 0) this.err('reference to non-existent subpattern', start);
    }
    return this.numRef(n, f, start);
  }

  parseGroup(f: Flags): Node[] | null {
    const start = this.pos;
    this.pos++;
    if (this.peek() === '*') {
      if (/[A-Za-z:]/.test(this.peek(1))) this.unsupported('backtracking verbs and (*...) option settings', start);
      this.err('quantifier does not follow a repeatable item', this.pos);
    }
    if (this.peek() !== '?') return [this.groupBody(f, { k: 'group', cap: ++this.groups, body: { alts: [] } })];
    this.pos++;
    const c = this.peek();
    if (this.eat(':')) return [this.groupBody(f, { k: 'group', cap: 0, body: { alts: [] } })];
    if (this.eat('>')) return [this.groupBody(f, { k: 'atomic', body: { alts: [] } })];
    if (this.eat('=')) return [this.groupBody(f, { k: 'look', behind: false, neg: false, body: { alts: [] }, off: start })];
    if (this.eat('!')) return [this.groupBody(f, { k: 'look', behind: false, neg: true, body: { alts: [] }, off: start })];
    if (this.eat('<=')) return [this.groupBody(f, { k: 'look', behind: true, neg: false, body: { alts: [] }, off: start })];
    if (this.eat('<!')) return [this.groupBody(f, { k: 'look', behind: true, neg: true, body: { alts: [] }, off: start })];
    if (this.eat('#')) {
      const end = this.p.indexOf(')', this.pos);
      if (end < 0) this.err('missing ) at end of (?# comment', this.p.length);
      this.pos = end + 1;
      return [];
    }
    if (c === '<' || c === "'" || (c === 'P' && this.peek(1) === '<')) {
      if (c === 'P') this.pos++;
      const close = this.peek() === '<' ? '>' : "'";
      this.pos++;
      const name = this.readName(close);
      const n = ++this.groups;
      if (this.names.has(name)) this.err('two named subpatterns have the same name (PCRE2_DUPNAMES not set)');
      this.names.set(name, n);
      return [this.groupBody(f, { k: 'group', cap: n, body: { alts: [] } })];
    }
    if (c === 'P' && this.peek(1) === '=') {
      this.pos += 2;
      return [this.namedRef(this.readName(')'), f, start)];
    }
    if (c === 'P' && this.peek(1) === '>') this.unsupported('recursion (?P>name)', start);
    if (c === '&') this.unsupported('recursion (?&name)', start);
    if (c === 'R') this.unsupported('recursion (?R)', start);
    if (isDigit(this.code()) || ((c === '+' || c === '-') && isDigit(this.code(1)))) this.unsupported('subroutine call (?n)', start);
    if (c === '(') this.unsupported('conditional group (?(...)...)', start);
    if (c === '|') this.unsupported('branch reset group (?|...)', start);
    if (c === 'C') this.unsupported('callout (?C...)', start);
    // Option settings: (?imsxU-imsx) for the rest of the group, (?imsxU-imsx:...) scoped.
    const g = { ...f };
    let on = true;
    for (;;) {
      const o = this.peek();
      this.pos++;
      if (o === ')') {
        Object.assign(f, g);
        return null;
      }
      if (o === ':') return [this.groupBody(g, { k: 'group', cap: 0, body: { alts: [] } })];
      if (o === '-' && on) on = false;
      else if (o === 'i' || o === 'm' || o === 's' || o === 'x' || o === 'U') g[o] = on;
      else if (o === 'J') this.unsupported('duplicate group names (?J)', this.pos - 1);
      else if (o === 'n' || o === '^') this.unsupported(`option (?${o})`, this.pos - 1);
      else if (o === '') this.err('missing closing parenthesis', this.pos - 1);
      else this.err('unrecognized character after (? or (?-', this.pos - 1);
    }
  }

  groupBody<N extends Extract<Node, { body: Alt }>>(f: Flags, node: N): N {
    if (++this.depth > MAX_NESTING) this.err('parentheses are too deeply nested');
    node.body = this.parseAlt(f);
    if (!this.eat(')')) this.err('missing closing parenthesis', this.p.length);
    this.depth--;
    return node;
  }

  parseClass(f: Flags): ByteSet {
    this.pos++;
    const POSIX = /\[:(\^?)([a-z]+):\]/y;
    const s = newSet();
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.pos++;
    }
    let first = true;
    for (;;) {
      if (this.atEnd()) this.err('missing terminating ] for character class');
      const c = this.peek();
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && (this.peek(1) === '.' || this.peek(1) === '=') && this.p.indexOf(this.peek(1) + ']', this.pos + 2) >= 0) {
        this.err('POSIX collating elements are not supported');
      }
      const pm = c === '[' ? this.at(POSIX) : null;
      if (pm !== null) {
        let name = pm[2];
        if (POSIX_SETS[name] === undefined) this.err('unknown POSIX class name', this.pos + 2);
        // As in libpcre: caseless [:upper:] and [:lower:] are [:alpha:].
        if (f.i && (name === 'upper' || name === 'lower')) name = 'alpha';
        addSet(s, POSIX_SETS[name], pm[1] === '^');
        this.pos += pm[0].length;
        if (this.peek() === '-' && this.peek(1) !== ']') this.err('invalid range in character class');
        continue;
      }
      let ch: number;
      if (c === '\\') {
        this.pos++;
        if (this.atEnd()) this.err('\\ at end of pattern');
        const e = this.peek();
        if (e === 'Q') {
          const end = this.p.indexOf('\\E', this.pos + 1);
          const text = end < 0 ? this.p.slice(this.pos + 1) : this.p.slice(this.pos + 1, end);
          this.pos = end < 0 ? this.p.length : end + 2;
          for (let k = 0; k < text.length; k++) addChar(s, text.charCodeAt(k), f.i);
          continue;
        }
        if (e === 'E') {
          this.pos++;
          continue;
        }
        if (e === 'N') this.err('\\N is not supported in a class');
        if (e === 'p' || e === 'P') this.unsupported(`\\${e} (Unicode property)`, this.pos - 1);
        const set = this.escapeSet();
        if (set !== null) {
          addSet(s, set, false);
          if (this.peek() === '-' && this.peek(1) !== ']') this.err('invalid range in character class');
          continue;
        }
        if ('BRXAZzGgk'.includes(e)) this.err('escape sequence is invalid in character class');
        ch = this.escapeChar(true);
      } else {
        this.pos++;
        ch = c.charCodeAt(0);
      }
      // A range: prev-ch, where `-` is not last and the next item is a character.
      if (this.peek() === '-' && this.peek(1) !== ']' && this.pos + 1 < this.p.length) {
        this.pos++;
        const hiStart = this.pos;
        let hi: number;
        if (this.peek() === '\\') {
          this.pos++;
          if (this.atEnd()) this.err('\\ at end of pattern');
          const e = this.peek();
          if (ESCAPE_SETS[e.toLowerCase()] !== undefined || 'BRXAZzGgkNpPQE'.includes(e)) this.err('invalid range in character class', hiStart + 2);
          hi = this.escapeChar(true);
        } else if (this.peek() === '[' && this.at(POSIX) !== null) {
          this.err('invalid range in character class', hiStart);
        } else {
          hi = this.code();
          this.pos++;
        }
        if (hi < ch) this.err('range out of order in character class', this.pos - 1);
        for (let b = ch; b <= hi; b++) addChar(s, b, f.i);
        continue;
      }
      addChar(s, ch, f.i);
    }
    if (!negate) return s;
    const out = newSet();
    addSet(out, s, true);
    return out;
  }
}

// -- Checks --------------------------------------------------------------------------------

const INF = Infinity;

/** [min, max] length of what a node matches (max Infinity when unbounded or unknown). */
function widthOf(n: Node): [number, number] {
  switch (n.k) {
    case 'set':
      return [1, 1];
    case 'assert':
    case 'look':
      return [0, 0];
    case 'group':
    case 'atomic':
      return altWidth(n.body);
    case 'rep': {
      const [a, b] = widthOf(n.body);
      return [a * n.min, n.max === 0 ? 0 : b === 0 ? 0 : b * n.max];
    }
    case 'ref':
      return [0, INF];
    case 'newline':
      return [1, 2];
  }
}

function seqWidth(seq: Node[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const n of seq) {
    const [a, b] = widthOf(n);
    lo += a;
    hi += b;
  }
  return [lo, hi];
}

function altWidth(alt: Alt): [number, number] {
  let lo = INF;
  let hi = 0;
  for (const s of alt.alts) {
    const [a, b] = seqWidth(s);
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  return alt.alts.length === 0 ? [0, 0] : [lo, hi];
}

function firstRef(alt: Alt): Extract<Node, { k: 'ref' }> | null {
  for (const s of alt.alts) {
    for (const n of s) {
      if (n.k === 'ref') return n;
      const inner = n.k === 'rep' ? firstRef({ alts: [[n.body]] }) : 'body' in n ? firstRef(n.body) : null;
      if (inner !== null) return inner;
    }
  }
  return null;
}

function capturesIn(n: Node, out: number[] = []): number[] {
  if (n.k === 'group' && n.cap > 0) out.push(n.cap);
  if ('body' in n) {
    if (n.k === 'rep') capturesIn(n.body, out);
    else for (const s of n.body.alts) for (const m of s) capturesIn(m, out);
  }
  return out;
}

/**
 * Walks the tree in matching order with the set of groups certainly set at each point,
 * refusing what V8 would match differently:
 * - a back reference to a group that may be unset (PCRE fails there, JS matches "");
 * - case-insensitive back references (JS has no per-reference case folding);
 * - capturing groups in repetitions that may not set them on every pass (JS clears a
 *   repeated group's captures at each pass, PCRE keeps the last value) or whose passes
 *   may be empty (JS rejects an empty optional pass, PCRE records it);
 * - lookbehinds that are not fixed length (PCRE's rule), hold references, atomic groups,
 *   \R or repeated captures (JS matches lookbehinds backwards);
 * - \G anywhere but at the start of the pattern.
 */
class Checker {
  flowAlt(alt: Alt, set: Set<number>, ctx: Ctx): Set<number> {
    let out: Set<number> | null = null;
    for (const s of alt.alts) {
      const r = this.flowSeq(s, new Set(set), ctx);
      if (out === null) out = r;
      else for (const g of out) if (!r.has(g)) out.delete(g);
    }
    return out ?? set;
  }

  flowSeq(seq: Node[], set: Set<number>, ctx: Ctx): Set<number> {
    for (const n of seq) set = this.flow(n, set, ctx);
    return set;
  }

  flow(n: Node, set: Set<number>, ctx: Ctx): Set<number> {
    switch (n.k) {
      case 'set':
      case 'newline':
        if (n.k === 'newline' && ctx.behind) throw new PcreError('lookbehind assertion is not fixed length', ctx.behindOff, false);
        return set;
      case 'assert':
        if (n.a === 'G') throw new PcreError('\\G other than at the start of every top-level alternative', n.off, true);
        return set;
      case 'ref':
        if (n.caseless) throw new PcreError('case-insensitive back reference', n.off, true);
        if (!set.has(n.n)) throw new PcreError('back reference to a group that may be unset at that point', n.off, true);
        return set;
      case 'group': {
        const out = this.flowAlt(n.body, set, ctx);
        if (n.cap > 0) out.add(n.cap);
        return out;
      }
      case 'atomic':
        if (ctx.behind) throw new PcreError('atomic group or possessive quantifier in a lookbehind assertion', ctx.behindOff, true);
        return this.flowAlt(n.body, set, ctx);
      case 'look': {
        let inner = ctx;
        if (n.behind) {
          const ref = firstRef(n.body);
          if (ref !== null) throw new PcreError('back reference in a lookbehind assertion', ref.off, true);
          for (const s of n.body.alts) {
            const [a, b] = seqWidth(s);
            if (a !== b) throw new PcreError('lookbehind assertion is not fixed length', n.off, false);
          }
          inner = { behind: true, behindOff: n.off };
        }
        const out = this.flowAlt(n.body, set, inner);
        return n.neg ? set : out;
      }
      case 'rep': {
        if (n.possessive && ctx.behind) throw new PcreError('atomic group or possessive quantifier in a lookbehind assertion', ctx.behindOff, true);
        const caps = capturesIn(n.body);
        if (caps.length > 0 && n.max !== 0) {
          if (ctx.behind && n.max > 1) throw new PcreError('capturing group repeated inside a lookbehind assertion', n.off, true);
          if (n.max > n.min && widthOf(n.body)[0] === 0) throw new PcreError('capturing group in a repetition that can match the empty string', n.off, true);
        }
        const after = this.flow(n.body, new Set(set), ctx);
        if (n.max > 1) for (const g of caps) if (!after.has(g)) throw new PcreError('capturing group that a repetition may pass without setting', n.off, true);
        return n.min >= 1 ? after : set;
      }
    }
  }
}

interface Ctx {
  behind: boolean;
  behindOff: number;
}

// -- Emitting --------------------------------------------------------------------------------

const ANY = '[\\s\\S]';

const ASSERTIONS: Record<Exclude<Assertion, 'G'>, string> = {
  A: `(?<!${ANY})`,
  z: `(?!${ANY})`,
  Z: `(?=\\n?(?!${ANY}))`,
  '^': `(?<!${ANY})`,
  $: `(?=\\n?(?!${ANY}))`,
  // MULTILINE: after any newline but one ending the subject; before any newline.
  '^m': `(?:(?<!${ANY})|(?<=\\n)(?=${ANY}))`,
  '$m': `(?=\\n|(?!${ANY}))`,
  b: '\\b',
  B: '\\B',
};

function charText(c: number): string {
  return isAlpha(c) ? String.fromCharCode(c) : `\\x${hex2(c)}`;
}

function setText(s: ByteSet): string {
  let count = 0;
  for (let c = 0; c < 256; c++) count += s[c];
  if (count === 256) return ANY;
  if (count === 0) return '[]';
  if (count === 1) return charText(s.indexOf(1));
  const negate = count > 128;
  let out = negate ? '[^' : '[';
  for (let c = 0; c < 256; ) {
    if ((s[c] === 1) === negate) {
      c++;
      continue;
    }
    let e = c;
    while (e + 1 < 256 && (s[e + 1] === 1) !== negate) e++;
    out += e === c ? charText(c) : e === c + 1 ? charText(c) + charText(e) : `${charText(c)}-${charText(e)}`;
    c = e + 1;
  }
  return out + ']';
}

class Emitter {
  /** The next JS group number. */
  next: number;
  readonly jsGroup: number[] = [0];

  constructor(base: number) {
    this.next = base + 1;
  }

  alt(a: Alt): string {
    return a.alts.map((s) => s.map((n) => this.node(n)).join('')).join('|');
  }

  /** A node as something a JS quantifier can follow. */
  atom(n: Node): string {
    const t = this.node(n);
    return n.k === 'set' || (n.k === 'group' && n.cap > 0) ? t : `(?:${t})`;
  }

  /** `(?=(body))\k`: V8 never backtracks into a lookahead, which makes it atomic. */
  atomic(body: () => string): string {
    const g = this.next++;
    return `(?=(${body()}))\\${g}`;
  }

  node(n: Node): string {
    switch (n.k) {
      case 'set':
        return setText(n.s);
      case 'assert':
        return n.a === 'G' ? '' : ASSERTIONS[n.a];
      case 'newline':
        // \R is atomic: a \r\n pair is never split.
        return '(?:\\r\\n|\\r(?!\\n)|[\\n\\x0b\\x0c\\x85])';
      case 'group':
        if (n.cap === 0) return `(?:${this.alt(n.body)})`;
        this.jsGroup[n.cap] = this.next++;
        return `(${this.alt(n.body)})`;
      case 'look':
        return `(?${n.behind ? '<' : ''}${n.neg ? '!' : '='}${this.alt(n.body)})`;
      case 'atomic':
        return this.atomic(() => this.alt(n.body));
      case 'ref':
        return `\\${this.jsGroup[n.n]}`;
      case 'rep': {
        const q = n.min === 0 && n.max === INF ? '*' : n.min === 1 && n.max === INF ? '+' : n.min === 0 && n.max === 1 ? '?' : n.max === INF ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
        if (n.possessive) return this.atomic(() => this.atom(n.body) + q);
        return this.atom(n.body) + q + (n.lazy ? '?' : '');
      }
    }
  }
}

// -- Entry point -----------------------------------------------------------------------------

/** True if every top-level alternative starts with \G (which is then dropped). */
function stripLeadingG(top: Alt): boolean {
  if (top.alts.length === 0) return false;
  if (!top.alts.every((s) => s.length > 0 && s[0].k === 'assert' && s[0].a === 'G')) return false;
  for (const s of top.alts) s.shift();
  return true;
}

/**
 * Translates PCRE pattern `pattern` (a latin1 string of bytes). `base` JS groups are
 * assumed to come before the translation's own (for wrappers that capture first).
 */
export function translate(pattern: string, base = 0): Translation {
  const parser = new Parser(pattern);
  const flags: Flags = { i: false, m: true, s: true, x: false, U: false };
  const top = parser.parseAlt(flags);
  if (!parser.atEnd()) parser.err('unmatched closing parenthesis');
  for (const r of parser.refs) {
    if (r.name !== null) {
      const n = parser.names.get(r.name);
      if (n === undefined) throw new PcreError('reference to non-existent subpattern', r.off, false);
      r.n = n;
    } else if (r.n > parser.groups) throw new PcreError('reference to non-existent subpattern', r.off, false);
  }
  const anchored = stripLeadingG(top);
  new Checker().flowAlt(top, new Set(), { behind: false, behindOff: 0 });
  const e = new Emitter(base);
  const source = e.alt(top);
  const jsGroup = e.jsGroup;
  for (let g = 1; g <= parser.groups; g++) if (jsGroup[g] === undefined) throw new Error(`internal error: group ${g} not emitted`);
  return { source, groups: parser.groups, jsGroup, anchored, minLength: altWidth(top)[0] };
}
