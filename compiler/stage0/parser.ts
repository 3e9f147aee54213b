// Stage-0 parser: a hand-written recursive-descent parser for the grammar of
// spec/language.md §4, producing the syntax tree of ast.ts. This half holds module-level
// definitions, classes, functions and the block-structured expressions; expressions
// proper live in parser-expr.ts.

import type * as A from './ast.js';
import { CompileError } from './errors.js';
import { tokenize, type Token } from './tokenizer.js';
import { ExprParser, CTMP_NAME, L_CONJ, L_LOOSE, NO_COLON, NO_COMMA, type Name } from './parser-expr.js';

export { tokenize } from './tokenizer.js';
export type { Token } from './tokenizer.js';

/** Operator tokens that may name a function (`func +(o): ...`); `%` may not (spec §4.4). */
const OPERATOR_NAMES: ReadonlySet<string> = new Set(['+', '-', '*', '/', '<', '>', '==', '!=', '>=', '<=']);

class Parser extends ExprParser {
  constructor(tokens: Token[], private readonly srcLength: number) {
    super(tokens, srcLength);
  }

  parseModule(): A.Module {
    const defns: A.Defn[] = [];
    if (!this.at('EOF')) {
      do defns.push(this.parseDefn());
      while (this.accept('NEWLINE'));
      if (!this.at('EOF')) throw this.syntaxError();
    }
    this.rejectCtmp();
    return { kind: 'Module', span: { offset: 0, length: this.srcLength }, defns };
  }

  /** A whole source that is an expression sequence (CEI::eval), possibly empty. */
  parseWholeExprSeq(): A.Expr[] {
    const seq = this.at('EOF') ? [] : this.parseExprSeq();
    if (!this.at('EOF')) throw this.syntaxError();
    this.rejectCtmp();
    return seq;
  }

  private rejectCtmp(): void {
    if (this.ctmp !== null) {
      throw new CompileError(
        `Compile-time meta-programming (${this.ctmp.what}) needs the full Converge compiler; stage 0 cannot compile it.`,
        this.ctmp.span,
      );
    }
  }

  /** Top level admits only definitions (spec §4.2), not arbitrary expressions. */
  private parseDefn(): A.Defn {
    switch (this.peek().type) {
      case 'CLASS':
        return this.parseClass();
      case 'FUNC':
      case 'BOUND_FUNC':
      case 'UNBOUND_FUNC':
        return this.parseFunc();
      case 'IMPORT':
        return this.parseImport(0);
      case 'ID':
      case '&':
      case '$': {
        const start = this.peek().offset;
        const names = [this.parseName()];
        // A lone splice/insertion is a definition by itself.
        if (names[0].dollar && !this.at(':=') && !this.at(',')) return this.placeholderAssign(start);
        while (this.accept(',')) names.push(this.parseName());
        this.expect(':=');
        // Not an assignment *expression*: the right side is a whole expr, so at top level
        // `x := 1 | 2` assigns the alternation (spec §4.6 rule 1 concerns expressions).
        const value = this.parseExpr(L_LOOSE, 0);
        const targets: A.Var[] = names.map((n) => ({ kind: 'Var', span: n.span, name: n.name }));
        return { kind: 'Assign', span: this.span(start), targets, op: ':=', value };
      }
      default:
        throw this.syntaxError();
    }
  }

  private placeholderAssign(start: number): A.Assign {
    const span = this.span(start);
    const v: A.Var = { kind: 'Var', span, name: CTMP_NAME };
    return { kind: 'Assign', span, targets: [v], op: ':=', value: v };
  }

  // -- Classes ----------------------------------------------------------------

  protected parseClass(): A.ClassDefn {
    const start = this.peek().offset;
    this.expect('CLASS');
    const name = this.startsName() ? this.parseName() : null;
    const supers: A.Expr[] = [];
    if (this.accept('(')) {
      do supers.push(this.parseExpr(L_LOOSE, NO_COMMA));
      while (this.accept(','));
      this.expect(')');
    }
    const metaclass = this.accept('METACLASS') ? this.parseExpr(L_LOOSE, NO_COLON) : null;
    this.expect(':');
    this.expect('INDENT');
    this.enter();
    const fields = [this.parseField()];
    while (this.accept('NEWLINE')) fields.push(this.parseField());
    this.leave();
    this.expect('DEDENT');
    return {
      kind: 'ClassDefn', span: this.span(start), name: name?.name ?? null, nameSpan: name?.span ?? null,
      supers, metaclass, fields,
    };
  }

  private parseField(): A.ClassField {
    const t = this.peek();
    const start = t.offset;
    switch (t.type) {
      case 'CLASS': {
        const c = this.parseClass();
        if (c.name === null) throw new CompileError('Classes as class fields can not be anonymous.', c.span);
        return c;
      }
      case 'FUNC':
      case 'BOUND_FUNC':
      case 'UNBOUND_FUNC': {
        const f = this.parseFunc();
        if (f.name === null) throw new CompileError('Functions as class fields can not be anonymous.', f.span);
        return f;
      }
      case 'PASS':
        this.next();
        return { kind: 'Pass', span: this.span(start) };
      case 'ID':
      case '&':
      case '$': {
        const name = this.parseName();
        if (name.dollar && !this.at(':=')) return { kind: 'Pass', span: this.span(start) };
        this.expect(':=');
        const value = this.parseExpr(L_LOOSE, 0);
        return { kind: 'FieldAssign', span: this.span(start), name: name.name, value };
      }
      default:
        throw this.syntaxError();
    }
  }

  // -- Functions --------------------------------------------------------------

  protected parseFunc(): A.FuncDefn {
    const start = this.peek().offset;
    const funcKind = this.next().value as A.FuncKind;
    let name: string | null = null;
    let nameSpan: A.Span | null = null;
    const nt = this.peek();
    if (OPERATOR_NAMES.has(nt.type)) {
      this.next();
      name = nt.type;
      nameSpan = { offset: nt.offset, length: nt.length };
    } else if (this.startsName()) {
      const n = this.parseName();
      name = n.name;
      nameSpan = n.span;
    }
    this.expect('(');
    const params: A.Param[] = [];
    let varargs: { name: string; span: A.Span } | null = null;
    if (!this.at(')')) {
      do {
        const pstart = this.peek().offset;
        if (this.accept('*')) {
          varargs = { name: this.parseName().name, span: this.span(pstart) };
          break;
        }
        const pname = this.parseName().name;
        const dflt = this.accept(':=') ? this.parseExpr(L_LOOSE, NO_COMMA) : null;
        params.push({ name: pname, default: dflt, span: this.span(pstart) });
      } while (this.accept(','));
    }
    this.expect(')');
    const nonlocals: { name: string; span: A.Span }[] = [];
    const renames: { from: string; to: string; span: A.Span }[] = [];
    let body: A.Expr[];
    this.enter();
    if (this.accept(':')) {
      this.expect('INDENT');
      this.parseDecls(nonlocals, renames);
      body = this.parseExprSeq();
      this.expect('DEDENT');
    } else if (this.accept('{')) {
      if (this.accept('INDENT')) {
        this.parseDecls(nonlocals, renames);
        body = this.parseExprSeq();
        this.expect('DEDENT');
        this.expect('NEWLINE');
      } else {
        body = [this.parseExpr(L_LOOSE, 0)];
      }
      this.expect('}');
    } else {
      throw this.syntaxError();
    }
    this.leave();
    return { kind: 'FuncDefn', span: this.span(start), funcKind, name, nameSpan, params, varargs, nonlocals, renames, body };
  }

  /** Any number of `nonlocal` / `rename` lines before the body (upstream allows only one). */
  private parseDecls(nonlocals: { name: string; span: A.Span }[], renames: { from: string; to: string; span: A.Span }[]): void {
    for (;;) {
      if (this.accept('NONLOCAL')) {
        do {
          const n = this.parseName();
          nonlocals.push({ name: n.name, span: n.span });
        } while (this.accept(','));
      } else if (this.accept('RENAME')) {
        do {
          const start = this.peek().offset;
          const from: Name = this.parseName();
          // A splice or insertion may stand for whole rename elements.
          if (!from.dollar || this.at('AS')) {
            this.expect('AS');
            const to = this.parseName();
            renames.push({ from: from.name, to: to.name, span: this.span(start) });
          }
        } while (this.accept(','));
      } else {
        return;
      }
      this.expect('NEWLINE');
    }
  }

  // -- Block-structured expressions -------------------------------------------

  /** `":" INDENT expr_seq DEDENT` */
  private parseColonBlock(): A.Expr[] {
    this.expect(':');
    this.expect('INDENT');
    this.enter();
    const seq = this.parseExprSeq();
    this.leave();
    this.expect('DEDENT');
    return seq;
  }

  /** The colon block, or the curly form `{ INDENT expr_seq DEDENT NEWLINE }` of if/ndif. */
  private parseIfBlock(): A.Expr[] {
    if (!this.at('{')) return this.parseColonBlock();
    this.next();
    this.expect('INDENT');
    this.enter();
    const seq = this.parseExprSeq();
    this.leave();
    this.expect('DEDENT');
    this.expect('NEWLINE');
    this.expect('}');
    return seq;
  }

  /** Clauses such as `elif` continue a construct only as `NEWLINE keyword` right after it. */
  private acceptTail(keyword: string): boolean {
    if (this.at('NEWLINE') && this.peek(1).type === keyword) {
      this.next();
      this.next();
      return true;
    }
    return false;
  }

  protected parseIf(): A.If | A.NDIf {
    const start = this.peek().offset;
    const isIf = this.next().type === 'IF';
    const clauses: { cond: A.Expr; body: A.Expr[] }[] = [];
    do {
      const cond = this.parseExpr(L_LOOSE, NO_COLON);
      clauses.push({ cond, body: this.parseIfBlock() });
    } while (this.acceptTail('ELIF'));
    if (!isIf) return { kind: 'NDIf', span: this.span(start), clauses };
    const orelse = this.acceptTail('ELSE') ? this.parseIfBlock() : null;
    return { kind: 'If', span: this.span(start), clauses, orelse };
  }

  /**
   * `for e` / `while e`, with an optional body and `exhausted:` / `broken:` tails. The
   * condition extends right as far as the context allows; a `:` after it starts the body
   * unless the context claims the colon (`if for x: ...` has a body-less `for`).
   */
  protected parseLoop(min: number, fl: number): A.While | A.For {
    const start = this.peek().offset;
    const isFor = this.next().type === 'FOR';
    const cond = this.parseExpr(Math.max(min, L_CONJ), fl | NO_COLON);
    let body: A.Expr[] | null = null;
    let exhausted: A.Expr[] | null = null;
    let broken: A.Expr[] | null = null;
    if ((fl & NO_COLON) === 0 && this.at(':')) {
      body = this.parseColonBlock();
      if (this.acceptTail('EXHAUSTED')) exhausted = this.parseColonBlock();
      if (this.acceptTail('BROKEN')) broken = this.parseColonBlock();
    }
    return { kind: isFor ? 'For' : 'While', span: this.span(start), cond, body, exhausted, broken };
  }

  protected parseTry(): A.Try {
    const start = this.peek().offset;
    this.expect('TRY');
    const body = this.parseColonBlock();
    const catches: A.Catch[] = [];
    while (this.at('NEWLINE') && this.peek(1).type === 'CATCH') {
      this.next();
      const cstart = this.peek().offset;
      this.next();
      const cls = this.parseExpr(L_LOOSE, NO_COLON);
      let into: { name: string; span: A.Span } | null = null;
      if (this.accept('INTO')) {
        const n = this.parseName();
        into = { name: n.name, span: n.span };
      }
      const cbody = this.parseColonBlock();
      catches.push({ span: this.span(cstart), cls, into, body: cbody });
    }
    return { kind: 'Try', span: this.span(start), body, catches };
  }

  /** `import A::B as c, D`; inside call arguments and displays a comma ends it. */
  protected parseImport(fl: number): A.Import {
    const start = this.peek().offset;
    this.expect('IMPORT');
    const items: A.ImportItem[] = [];
    do {
      const istart = this.peek().offset;
      const path = [this.expect('ID').value as string];
      while (this.accept('::')) path.push(this.expect('ID').value as string);
      const as = this.accept('AS') ? (this.expect('ID').value as string) : null;
      items.push({ path, as, span: this.span(istart) });
    } while ((fl & NO_COMMA) === 0 && this.accept(','));
    return { kind: 'Import', span: this.span(start), items };
  }
}

/**
 * Parses a Converge module. Every failure, whatever the input, is a CompileError: lexical
 * and syntax errors, the class-field errors of spec §4.3, and CTMP constructs (which
 * stage 0 parses but cannot compile).
 */
export function parse(src: Uint8Array): A.Module {
  return guarded(() => new Parser(tokenize(src), src.length).parseModule());
}

/** Parses a source that is one expression sequence (not a module); `[]` if it is empty. */
export function parseExprSeq(src: Uint8Array): A.Expr[] {
  return guarded(() => new Parser(tokenize(src), src.length).parseWholeExprSeq());
}

function guarded<T>(parseIt: () => T): T {
  try {
    return parseIt();
  } catch (e) {
    if (e instanceof CompileError) throw e;
    // A bug must still surface as a compile error rather than a JS crash; deep nesting
    // that slips past the depth limit ends up here as a RangeError.
    const msg = e instanceof RangeError ? 'Program too deeply nested.' : `Internal parser error: ${String(e)}`;
    throw new CompileError(msg, null);
  }
}
