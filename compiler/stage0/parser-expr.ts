// Expression half of the stage-0 parser: token stream handling, the precedence-climbing
// expression parser, displays, and the CTMP syntax that stage 0 parses only to reject.
//
// Upstream parses an ambiguous grammar with Earley and keeps, among parses of the same
// span, the one whose top construct binds most loosely (spec/language.md §4.6). A
// precedence climber reproduces that if every prefix-like construct (`not`, `-`,
// `return`, `target :=`, ...) parses its operand at the tighter of its own level and the
// level of the context it appears in: `a + not b == c` is then `(a + not b) == c`.

import type * as A from './ast.js';
import { CompileError } from './errors.js';
import { type Token, tokenDisplay } from './tokenizer.js';

// Context flags: punctuation that, after an expression, belongs to an enclosing construct.
export const NO_COMMA = 1; // call args, displays, supers, defaults: `,` separates items
export const NO_COLON = 2; // conditions, dict keys, slice bounds: `:` is not a loop body
export const NO_GT = 4; // `$<e>`, `[<e>|`: `>` closes the splice

// Precedence levels (larger binds tighter); values follow spec §4.6.
export const L_LOOSE = 0;
export const L_CONJ = 10; // `&` and `|`, one level
export const L_ASSIGN = 15;
export const L_NOT = 17;
export const L_CMP = 20;
const L_ADD = 30; // `+` `-`
const L_DIV = 32; // `/` `%`
const L_MUL = 34; // `*` binds tighter than `/` (spec §4.6 consequence 2)
const L_NEG = 35;

/** Deeper nesting is refused rather than risking a JS stack overflow. */
const MAX_DEPTH = 400;

const ASSIGN_OPS: ReadonlySet<string> = new Set([':=', '+=', '-=', '*=', '/=']);
const COMPARE_TYPES: ReadonlyMap<string, A.CompareOp> = new Map<string, A.CompareOp>([
  ['IS', 'is'], ['==', '=='], ['!=', '!='], ['<', '<'], ['<=', '<='], ['>', '>'], ['>=', '>='],
]);

/** Tokens that can begin an expression (used by the optional operand of `return`). */
const EXPR_START: ReadonlySet<string> = new Set([
  'ID', 'INT', 'FLOAT', 'STRING', '(', '[', '[|', 'DICT{', 'SET{', '-', '$', '&',
  'CLASS', 'FUNC', 'BOUND_FUNC', 'UNBOUND_FUNC', 'IF', 'NDIF', 'WHILE', 'FOR', 'TRY', 'EXBI',
  'RETURN', 'YIELD', 'FAIL', 'RAISE', 'ASSERT', 'BREAK', 'CONTINUE', 'PASS', 'NOT', 'IMPORT',
]);

/** A `name` of the grammar: an identifier, or CTMP syntax standing where one may be. */
export interface Name {
  readonly name: string;
  readonly span: A.Span;
  /** A splice or insertion, which may also stand alone for a whole definition/field/rename. */
  readonly dollar: boolean;
}

/** Stand-in name for CTMP constructs; never escapes, as CTMP aborts the parse. */
export const CTMP_NAME = '$ctmp';

export abstract class ExprParser {
  protected readonly toks: Token[];
  protected i = 0;
  /** End offset of the last non-layout token consumed; node spans end here. */
  protected lastEnd = 0;
  private depth = 0;
  /** Expressions written in parentheses, which are not assignment targets. */
  private readonly parenthesized = new WeakSet<A.Expr>();
  /** Earliest CTMP construct; reported once the whole module has parsed. */
  protected ctmp: { what: string; span: A.Span } | null = null;
  private readonly eof: Token;

  constructor(tokens: Token[], srcLength: number) {
    this.toks = tokens;
    this.eof = { type: 'EOF', value: null, offset: srcLength, length: 0 };
  }

  // -- Token stream -----------------------------------------------------------

  protected peek(k = 0): Token {
    return this.toks[this.i + k] ?? this.eof;
  }

  protected at(type: string): boolean {
    return this.peek().type === type;
  }

  protected next(): Token {
    const t = this.peek();
    if (t !== this.eof) {
      this.i++;
      if (t.type !== 'NEWLINE' && t.type !== 'INDENT' && t.type !== 'DEDENT') this.lastEnd = t.offset + t.length;
    }
    return t;
  }

  protected accept(type: string): Token | null {
    return this.at(type) ? this.next() : null;
  }

  protected expect(type: string): Token {
    if (!this.at(type)) throw this.syntaxError();
    return this.next();
  }

  /** The parse error for the token at the current position (the offending token). */
  protected syntaxError(t: Token = this.peek()): CompileError {
    // At end of input there is no offending token; name the last one, as upstream does.
    if (t === this.eof && this.toks.length > 0) t = this.toks[this.toks.length - 1];
    return new CompileError(`Parsing error at or near \`${tokenDisplay(t)}' token.`, { offset: t.offset, length: t.length });
  }

  protected span(start: number): A.Span {
    return { offset: start, length: Math.max(0, this.lastEnd - start) };
  }

  /** Keeps the construct that starts first (an enclosing one completes after its parts). */
  protected noteCtmp(what: string, span: A.Span): void {
    const cur = this.ctmp;
    if (cur === null || span.offset < cur.span.offset || (span.offset === cur.span.offset && span.length > cur.span.length)) {
      this.ctmp = { what, span };
    }
  }

  protected enter(): void {
    if (++this.depth > MAX_DEPTH) {
      const t = this.peek();
      throw new CompileError('Expression nested too deeply.', { offset: t.offset, length: t.length });
    }
  }

  protected leave(): void {
    this.depth--;
  }

  // -- Provided by the statement-level parser ---------------------------------

  protected abstract parseClass(): A.ClassDefn;
  protected abstract parseFunc(): A.FuncDefn;
  protected abstract parseIf(): A.If | A.NDIf;
  protected abstract parseTry(): A.Try;
  protected abstract parseLoop(min: number, fl: number): A.While | A.For;
  protected abstract parseImport(fl: number): A.Import;

  // -- Expressions ------------------------------------------------------------

  /** `expr ( NEWLINE expr )*` */
  protected parseExprSeq(): A.Expr[] {
    const seq = [this.parseExpr(L_LOOSE, 0)];
    while (this.accept('NEWLINE')) seq.push(this.parseExpr(L_LOOSE, 0));
    return seq;
  }

  /** An expression whose top construct binds at least as tightly as level `min`. */
  protected parseExpr(min: number, fl: number): A.Expr {
    this.enter();
    const start = this.peek().offset;
    let left = this.parseUnary(min, fl);
    for (;;) {
      const t = this.peek();
      const ty = t.type;
      if (ty === '&' || ty === '|') {
        if (L_CONJ < min) break;
        // A maximal run of one operator is one n-ary node; runs chain left-associatively.
        const exprs = [left];
        while (this.accept(ty)) exprs.push(this.parseExpr(L_CONJ + 1, fl));
        left = { kind: ty === '&' ? 'Conjunction' : 'Alternation', span: this.span(start), exprs };
        continue;
      }
      const cmp = COMPARE_TYPES.get(ty);
      if (cmp !== undefined) {
        if (L_CMP < min || (ty === '>' && (fl & NO_GT) !== 0)) break;
        this.next();
        const rhs = this.parseExpr(L_CMP + 1, fl);
        left = { kind: 'Compare', span: this.span(start), op: cmp, lhs: left, rhs };
        continue;
      }
      let level: number;
      if (ty === '+' || ty === '-') level = L_ADD;
      else if (ty === '/' || ty === '%') level = L_DIV;
      else if (ty === '*') level = L_MUL;
      else break;
      if (level < min) break;
      this.next();
      const rhs = this.parseExpr(level + 1, fl);
      left = { kind: 'Binary', span: this.span(start), op: ty as A.BinaryOp, lhs: left, rhs };
    }
    this.leave();
    return left;
  }

  /** Prefix constructs, then a postfix chain possibly followed by an assignment. */
  private parseUnary(min: number, fl: number): A.Expr {
    const t = this.peek();
    const start = t.offset;
    switch (t.type) {
      case 'NOT': {
        this.next();
        const value = this.parseExpr(Math.max(min, L_NOT), fl);
        return { kind: 'Not', span: this.span(start), value };
      }
      case '-': {
        this.next();
        const value = this.parseExpr(Math.max(min, L_NEG), fl);
        return { kind: 'Neg', span: this.span(start), value };
      }
      case 'RETURN': {
        this.next();
        const value = this.startsExpr() ? this.parseExpr(Math.max(min, L_CONJ), fl) : null;
        return { kind: 'Return', span: this.span(start), value };
      }
      case 'YIELD':
      case 'RAISE':
      case 'ASSERT': {
        this.next();
        const value = this.parseExpr(Math.max(min, L_CONJ), fl);
        const kind = t.type === 'YIELD' ? 'Yield' : t.type === 'RAISE' ? 'Raise' : 'Assert';
        return { kind, span: this.span(start), value };
      }
      case 'FOR':
      case 'WHILE':
        return this.parseLoop(min, fl);
      case 'IMPORT':
        return this.parseImport(fl);
      default: {
        const e = this.parsePostfixExpr();
        return this.maybeAssign(e, start, min, fl);
      }
    }
  }

  private startsExpr(): boolean {
    const t = this.peek();
    if (t.type === '&') return this.peek(1).type === 'ID';
    return EXPR_START.has(t.type);
  }

  private isTarget(e: A.Expr): e is A.Target {
    return (e.kind === 'Var' || e.kind === 'SlotLookup' || e.kind === 'Get' || e.kind === 'Slice') && !this.parenthesized.has(e);
  }

  /**
   * A target followed by an assignment operator can only be an assignment (nothing else
   * in the grammar continues it), so it is recognised wherever it occurs; the right side
   * then extends as far as the surrounding context allows.
   */
  private maybeAssign(e: A.Expr, start: number, min: number, fl: number): A.Expr {
    const t = this.peek();
    if (!this.isTarget(e)) return e;
    if (ASSIGN_OPS.has(t.type)) {
      this.next();
      const value = this.parseExpr(Math.max(min, L_ASSIGN), fl);
      return { kind: 'Assign', span: this.span(start), targets: [e], op: t.type as A.AssignOp, value };
    }
    if (t.type !== ',' || (fl & NO_COMMA) !== 0) return e;
    const targets: A.Target[] = [e];
    while (this.accept(',')) {
      const te = this.parsePostfixExpr();
      if (!this.isTarget(te)) throw this.syntaxError();
      targets.push(te);
    }
    const op = this.peek();
    if (!ASSIGN_OPS.has(op.type)) throw this.syntaxError();
    if (op.type !== ':=') {
      throw new CompileError(`Several targets can only be assigned with ':=', not '${op.type}'.`, { offset: op.offset, length: op.length });
    }
    this.next();
    const value = this.parseExpr(Math.max(min, L_ASSIGN), fl);
    return { kind: 'Assign', span: this.span(start), targets, op: ':=', value };
  }

  protected parsePostfixExpr(): A.Expr {
    const start = this.peek().offset;
    return this.parsePostfix(this.parsePrimary(), start);
  }

  /** Slot lookups, calls, indexing and slicing, all left to right. */
  private parsePostfix(e: A.Expr, start: number): A.Expr {
    for (;;) {
      switch (this.peek().type) {
        case '.': {
          this.next();
          const name = this.parseSlotName();
          e = { kind: 'SlotLookup', span: this.span(start), obj: e, name };
          break;
        }
        case '(': {
          this.next();
          const args = this.parseItems(')');
          e = { kind: 'Apply', span: this.span(start), fn: e, args };
          break;
        }
        case '[':
          this.next();
          e = this.parseIndex(e, start);
          break;
        default:
          return e;
      }
    }
  }

  private parseSlotName(): string {
    if (this.at('$')) {
      this.parseDollar();
      return CTMP_NAME;
    }
    const t = this.peek();
    if (t.type !== 'ID') throw this.syntaxError();
    this.next();
    return t.value as string;
  }

  /** After `[` in postfix position: `x[i]`, `x[i:j]`, `x[:j]`, `x[i:]`, `x[:]`. */
  private parseIndex(obj: A.Expr, start: number): A.Expr {
    let lower: A.Expr | null = null;
    if (!this.at(':')) {
      lower = this.parseExpr(L_LOOSE, NO_COLON);
      if (this.accept(']')) return { kind: 'Get', span: this.span(start), obj, index: lower };
    }
    this.expect(':');
    const upper = this.at(']') ? null : this.parseExpr(L_LOOSE, 0);
    this.expect(']');
    return { kind: 'Slice', span: this.span(start), obj, lower, upper };
  }

  /** Comma-separated expressions up to `close` (already past the opener); may be empty. */
  private parseItems(close: string): A.Expr[] {
    const items: A.Expr[] = [];
    if (this.accept(close)) return items;
    do items.push(this.parseExpr(L_LOOSE, NO_COMMA));
    while (this.accept(','));
    this.expect(close);
    return items;
  }

  private parsePrimary(): A.Expr {
    const t = this.peek();
    const start = t.offset;
    switch (t.type) {
      case 'INT': {
        this.next();
        // The tokenizer has checked that the literal fits in 64 bits.
        return { kind: 'Int', span: this.span(start), value: BigInt.asIntN(64, BigInt(t.value as string)) };
      }
      case 'FLOAT':
        this.next();
        return { kind: 'Float', span: this.span(start), value: Number(t.value) };
      case 'STRING': {
        this.next();
        const s = t.value as string;
        const bytes = new Uint8Array(s.length);
        for (let k = 0; k < s.length; k++) bytes[k] = s.charCodeAt(k);
        return { kind: 'String', span: this.span(start), value: bytes };
      }
      case 'ID':
      case '&':
      case '$':
        return this.parseNameExpr();
      case '(': {
        this.next();
        this.enter();
        const e = this.parseExpr(L_LOOSE, 0);
        this.leave();
        this.expect(')');
        this.parenthesized.add(e);
        return e;
      }
      case '[':
        return this.parseList();
      case '[|':
        this.next();
        return this.parseQuasiQuote(start);
      case 'DICT{':
        return this.parseDict();
      case 'SET{': {
        this.next();
        const elems = this.parseItems('}');
        return { kind: 'Set', span: this.span(start), elems };
      }
      case 'CLASS':
        return this.parseClass();
      case 'FUNC':
      case 'BOUND_FUNC':
      case 'UNBOUND_FUNC':
        return this.parseFunc();
      case 'IF':
      case 'NDIF':
        return this.parseIf();
      case 'TRY':
        return this.parseTry();
      case 'EXBI':
        return this.parseExbi();
      case 'BREAK':
        this.next();
        return { kind: 'Break', span: this.span(start) };
      case 'CONTINUE':
        this.next();
        return { kind: 'Continue', span: this.span(start) };
      case 'PASS':
        this.next();
        return { kind: 'Pass', span: this.span(start) };
      case 'FAIL':
        this.next();
        return { kind: 'Fail', span: this.span(start) };
      default:
        throw this.syntaxError();
    }
  }

  /** A variable, or a module lookup `A::b::c`. */
  private parseNameExpr(): A.Expr {
    const start = this.peek().offset;
    const first = this.parseName();
    if (this.at('::')) {
      const names = [first.name];
      while (this.accept('::')) names.push(this.parseName().name);
      return { kind: 'ModuleLookup', span: this.span(start), names, firstSpan: first.span };
    }
    return { kind: 'Var', span: first.span, name: first.name };
  }

  /** `name ::= ID | "&" ID | splice | insert` */
  protected parseName(): Name {
    const t = this.peek();
    const start = t.offset;
    if (t.type === 'ID') {
      this.next();
      return { name: t.value as string, span: this.span(start), dollar: false };
    }
    if (t.type === '&') {
      this.next();
      this.expect('ID');
      this.noteCtmp('dynamically scoped variable', this.span(start));
      return { name: CTMP_NAME, span: this.span(start), dollar: false };
    }
    if (t.type === '$') {
      this.parseDollar();
      return { name: CTMP_NAME, span: this.span(start), dollar: true };
    }
    throw this.syntaxError();
  }

  protected startsName(): boolean {
    const ty = this.peek().type;
    return ty === 'ID' || ty === '&' || ty === '$';
  }

  /** Splices `$<e>` `$c<e>` `$p<e>`, DSL blocks/phrases, `$if<<c>>t<<e>>`, insertions `${e}`. */
  protected parseDollar(): void {
    const start = this.peek().offset;
    this.expect('$');
    if (this.accept('IF')) {
      this.expect('<<');
      this.parseExpr(L_LOOSE, 0);
      this.expect('>>');
      this.accept('ID');
      this.expect('<<');
      this.parseExpr(L_LOOSE, 0);
      this.expect('>>');
      this.noteCtmp('conditional splice', this.span(start));
      return;
    }
    this.accept('ID'); // splice or insertion type, checked by the full compiler
    if (this.accept('<')) {
      this.parseExpr(L_LOOSE, NO_GT);
      this.expect('>');
      this.noteCtmp('splice', this.span(start));
    } else if (this.accept('<<')) {
      this.parseExpr(L_LOOSE, 0);
      this.expect('>>');
      if (this.accept(':')) {
        this.expect('DSL_BLOCK');
        this.noteCtmp('DSL block', this.span(start));
      } else {
        this.expect('<<');
        this.expect('DSL_BLOCK');
        this.expect('>>');
        this.noteCtmp('DSL phrase', this.span(start));
      }
    } else if (this.accept('{')) {
      this.parseExpr(L_LOOSE, 0);
      this.expect('}');
      this.noteCtmp('insertion', this.span(start));
    } else {
      throw this.syntaxError();
    }
  }

  /** `[` ... : a list display, or the quasi-quote opener `[<e>|`. */
  private parseList(): A.Expr {
    const start = this.peek().offset;
    this.expect('[');
    if (this.accept('<')) {
      this.parseExpr(L_LOOSE, NO_GT);
      this.expect('>');
      this.expect('|');
      return this.parseQuasiQuote(start);
    }
    const elems = this.parseItems(']');
    return { kind: 'List', span: this.span(start), elems };
  }

  /** After the quasi-quote opener: `e |]` or an indented block then `|]` on its own line. */
  private parseQuasiQuote(start: number): A.Expr {
    if (this.accept('INDENT')) {
      this.parseExprSeq();
      this.expect('DEDENT');
      this.expect('NEWLINE');
    } else {
      this.parseExpr(L_LOOSE, 0);
    }
    this.expect('|]');
    const span = this.span(start);
    this.noteCtmp('quasi-quote', span);
    return { kind: 'Var', span, name: CTMP_NAME };
  }

  private parseDict(): A.DictLit {
    const start = this.peek().offset;
    this.expect('DICT{');
    const entries: { key: A.Expr; value: A.Expr }[] = [];
    if (!this.accept('}')) {
      do {
        const key = this.parseExpr(L_LOOSE, NO_COMMA | NO_COLON);
        this.expect(':');
        const value = this.parseExpr(L_LOOSE, NO_COMMA);
        entries.push({ key, value });
      } while (this.accept(','));
      this.expect('}');
    }
    return { kind: 'Dict', span: this.span(start), entries };
  }

  /**
   * `exbi e.n`: the last slot lookup of the postfix chain after `exbi` names the field, so
   * `exbi A::C.f(x)` is `(exbi A::C.f)(x)`; the chain's later calls/indexes apply to it.
   */
  private parseExbi(): A.Expr {
    const start = this.peek().offset;
    this.expect('EXBI');
    const baseStart = this.peek().offset;
    this.enter();
    const base = this.parsePrimary();
    this.leave();
    const chain = this.parsePostfix(base, baseStart);
    const spine: A.Expr[] = [];
    let n = chain;
    while (n !== base && n.kind !== 'SlotLookup') {
      spine.push(n);
      n = n.kind === 'Apply' ? n.fn : (n as A.Get | A.Slice).obj;
    }
    if (n === base || n.kind !== 'SlotLookup') throw this.syntaxError();
    const end = (s: A.Span) => ({ offset: start, length: s.offset + s.length - start });
    let e: A.Expr = { kind: 'Exbi', span: end(n.span), cls: n.obj, name: n.name };
    for (let k = spine.length - 1; k >= 0; k--) {
      const s = spine[k];
      if (s.kind === 'Apply') e = { ...s, span: end(s.span), fn: e };
      else e = { ...(s as A.Get | A.Slice), span: end(s.span), obj: e };
    }
    return e;
  }
}
