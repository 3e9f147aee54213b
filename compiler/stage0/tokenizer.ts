// Stage-0 tokenizer: bytes in, tokens out, following spec/language.md §2-3.
// Sources are byte strings, so token values are "binary strings" (one JS char per
// byte, i.e. latin1); nothing is ever decoded as UTF-8.

import { CompileError } from './errors.js';

export interface Token {
  /** `ID`, `INT`, `FLOAT`, `STRING`, `DSL_BLOCK`, `NEWLINE`, `INDENT`, `DEDENT`, a
   *  keyword upper-cased (`IF`) or a symbol upper-cased (`:=`, `DICT{`). */
  readonly type: string;
  /** ID/INT/FLOAT text, keyword text, decoded STRING contents, raw DSL text; null for
   *  symbols and layout tokens. Binary string (one char per byte). */
  readonly value: string | null;
  readonly offset: number;
  readonly length: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'as', 'assert', 'bound_func', 'break', 'broken', 'catch', 'class', 'continue', 'elif', 'else',
  'every', 'exbi', 'exhausted', 'fail', 'for', 'func', 'if', 'import', 'in', 'into', 'is',
  'metaclass', 'ndif', 'nonlocal', 'not', 'pass', 'proto', 'raise', 'rename', 'return', 'then',
  'try', 'unbound_func', 'when', 'where', 'while', 'yield',
]);

// Spec §3.7 order matters: at a given position the first entry that matches wins.
const SYMBOLS: readonly string[] = [
  '::', ':=', '==', '!=', '<=', 'Dict{', 'Set{', '*=', '/=', '+=', '-=', '>=', '[|', '[d|', '\\', '|]',
  '+', '-', '*', '/', '{', '}', '[', ']', ',', '=', ':', '.', ';', '(', ')', '<<', '>>', '<', '>',
  '!', '&', '%', '$', '?', '|',
];

/** Candidate symbols indexed by first byte, keeping the list order of spec §3.7. */
const SYMBOLS_BY_FIRST: (readonly { text: string; bytes: number[]; type: string }[])[] = (() => {
  const table: { text: string; bytes: number[]; type: string }[][] = [];
  for (let i = 0; i < 256; i++) table.push([]);
  for (const s of SYMBOLS) {
    const bytes = [...s].map((c) => c.charCodeAt(0));
    table[bytes[0]].push({ text: s, bytes, type: s.toUpperCase() });
  }
  return table;
})();

/** Source text of a symbol token type (`DICT{` -> `Dict{`). */
export const SYMBOL_TEXT: ReadonlyMap<string, string> = new Map(SYMBOLS.map((s) => [s.toUpperCase(), s]));

export const LAYOUT_TYPES: ReadonlySet<string> = new Set(['NEWLINE', 'INDENT', 'DEDENT']);

/** How a token is named in ``Parsing error at or near `X' token.`` messages. */
export function tokenDisplay(t: Token): string {
  if (t.value !== null) return t.value;
  return SYMBOL_TEXT.get(t.type) ?? t.type;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BACKSLASH = 92;
const SLASH = 47;
const DQUOTE = 34;
const SQUOTE = 39;

const MAX_U64 = (1n << 64n) - 1n;

function isNewline(c: number): boolean {
  return c === LF || c === CR;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdChar(c: number): boolean {
  return isIdStart(c) || isDigit(c);
}

function binaryString(src: Uint8Array, start: number, end: number): string {
  let s = '';
  if (end - start < 64) {
    for (let i = start; i < end; i++) s += String.fromCharCode(src[i]);
    return s;
  }
  // Chunked to stay clear of argument-count limits on huge DSL blocks.
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(null, Array.from(src.subarray(i, Math.min(end, i + 8192))));
  }
  return s;
}

class Tokenizer {
  private readonly src: Uint8Array;
  private readonly n: number;
  private pos = 0;
  private readonly tokens: Token[] = [];
  /** Indentation widths; empty until the first non-blank line fixes the base level. */
  private readonly indents: number[] = [];

  constructor(src: Uint8Array) {
    this.src = src;
    this.n = src.length;
  }

  run(): Token[] {
    const { src, n } = this;
    if (n >= 2 && src[0] === 35 /* # */ && src[1] === 33 /* ! */) {
      while (this.pos < n && !isNewline(src[this.pos])) this.pos++;
    }
    while (this.pos < n) {
      const lineStart = this.pos;
      let p = lineStart;
      while (p < n && (src[p] === SPACE || src[p] === TAB)) p++;
      // Comment-only lines are treated as blank (spec §3.5 explicitly allows this).
      if (p >= n || isNewline(src[p]) || (src[p] === SLASH && src[p + 1] === SLASH)) {
        this.pos = this.skipRestOfLine(p);
        continue;
      }
      for (let q = lineStart; q < p; q++) {
        if (src[q] === TAB) throw this.err('Tabs can not be used for indentation (use spaces)', q, 1);
      }
      this.layout(p - lineStart, p);
      this.pos = p;
      this.lineBody();
    }
    const end = this.lastEnd();
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('DEDENT', null, end, 0);
    }
    return this.tokens;
  }

  private err(msg: string, offset: number, length: number): CompileError {
    return new CompileError(msg, { offset, length });
  }

  private push(type: string, value: string | null, offset: number, length: number): void {
    this.tokens.push({ type, value, offset, length });
  }

  private lastEnd(): number {
    const t = this.tokens[this.tokens.length - 1];
    return t === undefined ? 0 : t.offset + t.length;
  }

  /** Position just after the line terminator that ends the line containing `p` (or EOF). */
  private skipRestOfLine(p: number): number {
    const { src, n } = this;
    while (p < n && !isNewline(src[p])) p++;
    return this.skipNewline(p);
  }

  /** `p` is at a line terminator (or EOF); step over it, CRLF counting as one. */
  private skipNewline(p: number): number {
    const { src, n } = this;
    if (p >= n) return p;
    if (src[p] === CR && p + 1 < n && src[p + 1] === LF) return p + 2;
    return p + 1;
  }

  /** NEWLINE/INDENT/DEDENT for a non-blank line of indentation `width` whose text starts at `textStart`. */
  private layout(width: number, textStart: number): void {
    const indents = this.indents;
    if (indents.length === 0) {
      indents.push(width);
      return;
    }
    const top = indents[indents.length - 1];
    if (width > top) {
      // Placed at the indented text so that an unexpected INDENT points at the culprit line.
      this.push('INDENT', null, textStart, 0);
      indents.push(width);
      return;
    }
    const end = this.lastEnd();
    if (width < top) {
      if (width < indents[0]) throw this.err('Indentation can not fall below base level', textStart, 1);
      while (width < indents[indents.length - 1]) {
        indents.pop();
        this.push('DEDENT', null, end, 0);
      }
      // Upstream would emit an INDENT here, which can never parse; say what is wrong instead.
      if (width !== indents[indents.length - 1]) {
        throw this.err('Inconsistent dedent: indentation does not match any enclosing level', textStart, 1);
      }
    }
    if (this.tokens.length > 0) this.push('NEWLINE', null, end, 0);
  }

  /** Tokenizes the rest of a logical line, leaving `pos` at the start of the next physical line. */
  private lineBody(): void {
    const { src, n } = this;
    while (this.pos < n) {
      const i = this.pos;
      const c = src[i];
      if (isNewline(c)) {
        this.pos = this.skipNewline(i);
        return;
      }
      if (c === BACKSLASH && this.continuation(i)) continue;
      if (c === SPACE || c === TAB) {
        this.pos++;
        continue;
      }
      if (c === SLASH && src[i + 1] === SLASH) {
        let p = i;
        while (p < n && !isNewline(src[p])) p++;
        this.pos = p;
        continue;
      }
      if (isDigit(c)) {
        this.number(i);
        continue;
      }
      const sym = this.matchSymbol(i);
      if (sym !== null) {
        this.push(sym.type, null, i, sym.text.length);
        this.pos = i + sym.text.length;
        const prev = this.tokens[this.tokens.length - 2];
        if (prev !== undefined && prev.type === '>>') {
          if (sym.type === ':' && this.dslBlock()) return;
          if (sym.type === '<<') this.dslPhrase();
        }
        continue;
      }
      if (isIdStart(c)) {
        let p = i + 1;
        while (p < n && isIdChar(src[p])) p++;
        const word = binaryString(src, i, p);
        if (KEYWORDS.has(word)) this.push(word.toUpperCase(), word, i, p - i);
        else this.push('ID', word, i, p - i);
        this.pos = p;
        continue;
      }
      if (c === DQUOTE || c === SQUOTE) {
        this.string(i);
        continue;
      }
      throw this.err(`Unknown char '${String.fromCharCode(c)}'`, i, 1);
    }
  }

  /** A `\` that is the last non-blank character of a physical line joins the next non-blank line. */
  private continuation(i: number): boolean {
    const { src, n } = this;
    let p = i + 1;
    while (p < n && (src[p] === SPACE || src[p] === TAB)) p++;
    if (p >= n || !isNewline(src[p])) return false;
    p = this.skipNewline(p);
    // Blank (whitespace-only) lines are skipped; a comment line becomes the continuation
    // line and, its comment being skipped, ends the logical line (as upstream).
    for (;;) {
      let q = p;
      while (q < n && (src[q] === SPACE || src[q] === TAB)) q++;
      if (q < n && isNewline(src[q])) {
        p = this.skipNewline(q);
        continue;
      }
      break;
    }
    let spaces = 0;
    while (p + spaces < n && src[p + spaces] === SPACE) spaces++;
    if (p + spaces < n && spaces < this.indents[this.indents.length - 1]) {
      throw this.err("Can't decrease indentation level after a line continuation", p + spaces, 1);
    }
    this.pos = p + spaces;
    return true;
  }

  private number(i: number): void {
    const { src, n } = this;
    let p = i;
    while (p < n && isDigit(src[p])) p++;
    if (src[p] === 46 /* . */ && p + 1 < n && isDigit(src[p + 1])) {
      p++;
      while (p < n && isDigit(src[p])) p++;
      this.push('FLOAT', binaryString(src, i, p), i, p - i);
      this.pos = p;
      return;
    }
    if (src[i] === 48 /* 0 */ && src[i + 1] === 120 /* x */ && i + 2 < n && isHexDigit(src[i + 2])) {
      p = i + 2;
      while (p < n && isHexDigit(src[p])) p++;
    }
    const text = binaryString(src, i, p);
    // Literals are 64-bit bit patterns: anything below 2^64 is accepted (and read as two's
    // complement later, like upstream's modulo-2^64 reduction); wider ones are an error.
    if (p - i > 16 && BigInt(text) > MAX_U64) {
      throw this.err(`Integer literal '${text}' does not fit in 64 bits`, i, p - i);
    }
    this.push('INT', text, i, p - i);
    this.pos = p;
  }

  private matchSymbol(i: number): { text: string; type: string } | null {
    const src = this.src;
    const cands = SYMBOLS_BY_FIRST[src[i]];
    outer: for (const cand of cands) {
      const b = cand.bytes;
      for (let k = 1; k < b.length; k++) if (src[i + k] !== b[k]) continue outer;
      return cand;
    }
    return null;
  }

  private string(start: number): void {
    const { src, n } = this;
    const q = src[start];
    const triple = q === DQUOTE && src[start + 1] === DQUOTE && src[start + 2] === DQUOTE;
    const qlen = triple ? 3 : 1;
    let p = start + qlen;
    const out: number[] = [];
    for (;;) {
      if (p >= n) throw this.err('Unterminated string', start, qlen);
      const c = src[p];
      if (c === q && (!triple || (src[p + 1] === DQUOTE && src[p + 2] === DQUOTE))) {
        // Four or more quotes end a """ string at its last three.
        if (triple && src[p + 3] === DQUOTE) {
          out.push(DQUOTE);
          p++;
          continue;
        }
        p += qlen;
        break;
      }
      if (c === BACKSLASH && p + 1 < n) {
        const e = src[p + 1];
        if (e === 110) out.push(LF);
        else if (e === 116) out.push(TAB);
        else if (e === 114) out.push(CR);
        else if (e === 48) out.push(0);
        else if (e === CR && src[p + 2] === LF) {
          // An escaped line break keeps the break as written; CRLF is one break.
          out.push(CR, LF);
          p++;
        } else out.push(e);
        p += 2;
        continue;
      }
      if (isNewline(c)) {
        if (!triple) {
          throw this.err(`String quoted by '${String.fromCharCode(q)}' can not contain a newline`, p, 1);
        }
        // Upstream quirk (spec §3.9): keep this line break, drop following blank lines.
        const after = this.skipNewline(p);
        for (let k = p; k < after; k++) out.push(src[k]);
        p = after;
        for (;;) {
          let r = p;
          while (r < n && (src[r] === SPACE || src[r] === TAB)) r++;
          if (r < n && isNewline(src[r])) p = this.skipNewline(r);
          else break;
        }
        continue;
      }
      out.push(c);
      p++;
    }
    let value = '';
    for (let k = 0; k < out.length; k += 8192) value += String.fromCharCode.apply(null, out.slice(k, k + 8192));
    this.push('STRING', value, start, p - start);
    this.pos = p;
  }

  /**
   * Called just after a `:` that follows `>>`. If only blank space remains on the line, the
   * following more-indented lines become one DSL_BLOCK token and the logical line ends.
   */
  private dslBlock(): boolean {
    const { src, n } = this;
    let p = this.pos;
    while (p < n && (src[p] === SPACE || src[p] === TAB)) p++;
    if (p >= n || !isNewline(src[p])) return false;
    p = this.skipNewline(p);
    const minIndent = this.indents[this.indents.length - 1] + 1;
    let start = -1;
    let end = -1;
    let resume = n;
    while (p < n) {
      let spaces = 0;
      while (p + spaces < n && src[p + spaces] === SPACE) spaces++;
      let q = p + spaces;
      while (q < n && (src[q] === SPACE || src[q] === TAB)) q++;
      const blank = q >= n || isNewline(src[q]);
      if (blank) {
        p = this.skipNewline(q);
        continue;
      }
      if (spaces < minIndent) {
        resume = p;
        break;
      }
      if (start < 0) start = p;
      while (q < n && !isNewline(src[q])) q++;
      end = q;
      p = this.skipNewline(q);
    }
    if (start < 0) {
      // No block lines at all: an empty block at the start of the next line.
      start = end = resume;
    }
    this.push('DSL_BLOCK', binaryString(src, start, end), start, end - start);
    this.pos = resume;
    return true;
  }

  /** Called just after a `<<` that follows `>>`: raw text up to the next `>>` on this line. */
  private dslPhrase(): void {
    const { src, n } = this;
    const start = this.pos;
    let p = start;
    while (p < n && !isNewline(src[p])) {
      if (src[p] === 62 /* > */ && src[p + 1] === 62) {
        this.push('DSL_BLOCK', binaryString(src, start, p), start, p - start);
        this.push('>>', null, p, 2);
        this.pos = p + 2;
        return;
      }
      p++;
    }
    throw this.err('DSL fragments must begin and end on the same line', start, 1);
  }
}

/** Splits Converge source bytes into tokens; throws CompileError on lexical errors. */
export function tokenize(src: Uint8Array): Token[] {
  return new Tokenizer(src).run();
}
