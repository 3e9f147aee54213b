// The stage-0 syntax tree: what the parser produces and the code generator consumes.
// One node type per construct of spec/language.md §4; every node carries the byte
// span of its source text (offset, length) so errors and backtraces can point at it.

export interface Span {
  readonly offset: number; // byte offset into the source file
  readonly length: number; // byte length of the construct
}

// -- Module level -------------------------------------------------------------

export interface Module {
  readonly kind: 'Module';
  readonly span: Span;
  readonly defns: Defn[];
}

/** A top-level definition; each one is its own bound expression (§5.1). */
export type Defn = ClassDefn | FuncDefn | Import | Assign;

export interface ImportItem {
  readonly path: string[]; // components of `A::B::C`
  readonly as: string | null; // `as x`, or null for the default (last component)
  readonly span: Span;
}

export interface Import {
  readonly kind: 'Import';
  readonly span: Span;
  readonly items: ImportItem[];
}

// -- Definitions --------------------------------------------------------------

export type FuncKind = 'func' | 'bound_func' | 'unbound_func';

export interface Param {
  readonly name: string;
  readonly default: Expr | null;
  readonly span: Span;
}

export interface FuncDefn {
  readonly kind: 'FuncDefn';
  readonly span: Span;
  readonly funcKind: FuncKind;
  /** null for anonymous functions; operator names (`+`, `==`, ...) are strings too. */
  readonly name: string | null;
  readonly nameSpan: Span | null;
  readonly params: Param[];
  readonly varargs: { readonly name: string; readonly span: Span } | null;
  readonly nonlocals: { readonly name: string; readonly span: Span }[];
  readonly renames: { readonly from: string; readonly to: string; readonly span: Span }[];
  readonly body: Expr[]; // at least one expression
}

export type ClassField = ClassDefn | FuncDefn | FieldAssign | Pass;

export interface FieldAssign {
  readonly kind: 'FieldAssign';
  readonly span: Span;
  readonly name: string;
  readonly value: Expr;
}

export interface ClassDefn {
  readonly kind: 'ClassDefn';
  readonly span: Span;
  readonly name: string | null; // null = anonymous
  readonly nameSpan: Span | null;
  readonly supers: Expr[]; // empty = default [Object]
  readonly metaclass: Expr | null;
  readonly fields: ClassField[];
}

// -- Expressions --------------------------------------------------------------

export type Expr =
  | ClassDefn
  | FuncDefn
  | Import
  | If
  | NDIf
  | While
  | For
  | Try
  | IntLit
  | FloatLit
  | StringLit
  | Var
  | ListLit
  | DictLit
  | SetLit
  | ModuleLookup
  | SlotLookup
  | Apply
  | Get
  | Slice
  | Exbi
  | Return
  | Yield
  | Fail
  | Raise
  | Assert
  | Break
  | Continue
  | Pass
  | Conjunction
  | Alternation
  | Assign
  | Not
  | Neg
  | Binary
  | Compare;

export interface If {
  readonly kind: 'If';
  readonly span: Span;
  readonly clauses: { readonly cond: Expr; readonly body: Expr[] }[]; // `if` then each `elif`
  readonly orelse: Expr[] | null;
}

export interface NDIf {
  readonly kind: 'NDIf';
  readonly span: Span;
  readonly clauses: { readonly cond: Expr; readonly body: Expr[] }[];
}

export interface While {
  readonly kind: 'While';
  readonly span: Span;
  readonly cond: Expr;
  readonly body: Expr[] | null; // null for `while e` without a body
  readonly exhausted: Expr[] | null;
  readonly broken: Expr[] | null;
}

export interface For {
  readonly kind: 'For';
  readonly span: Span;
  readonly cond: Expr;
  readonly body: Expr[] | null; // null for `for e` without a body
  readonly exhausted: Expr[] | null;
  readonly broken: Expr[] | null;
}

export interface Catch {
  readonly span: Span;
  readonly cls: Expr;
  readonly into: { readonly name: string; readonly span: Span } | null;
  readonly body: Expr[];
}

export interface Try {
  readonly kind: 'Try';
  readonly span: Span;
  readonly body: Expr[];
  readonly catches: Catch[];
}

export interface IntLit {
  readonly kind: 'Int';
  readonly span: Span;
  readonly value: bigint; // exact 64-bit two's complement value
}

export interface FloatLit {
  readonly kind: 'Float';
  readonly span: Span;
  readonly value: number;
}

export interface StringLit {
  readonly kind: 'String';
  readonly span: Span;
  readonly value: Uint8Array; // decoded bytes (strings are byte strings)
}

export interface Var {
  readonly kind: 'Var';
  readonly span: Span;
  readonly name: string;
}

export interface ListLit {
  readonly kind: 'List';
  readonly span: Span;
  readonly elems: Expr[];
}

export interface DictLit {
  readonly kind: 'Dict';
  readonly span: Span;
  readonly entries: { readonly key: Expr; readonly value: Expr }[];
}

export interface SetLit {
  readonly kind: 'Set';
  readonly span: Span;
  readonly elems: Expr[];
}

/** `A::b::c`: `names[0]` is a variable, the rest are definition names. */
export interface ModuleLookup {
  readonly kind: 'ModuleLookup';
  readonly span: Span;
  readonly names: string[];
  readonly firstSpan: Span;
}

export interface SlotLookup {
  readonly kind: 'SlotLookup';
  readonly span: Span;
  readonly obj: Expr;
  readonly name: string;
}

export interface Apply {
  readonly kind: 'Apply';
  readonly span: Span;
  readonly fn: Expr;
  readonly args: Expr[];
}

export interface Get {
  readonly kind: 'Get';
  readonly span: Span;
  readonly obj: Expr;
  readonly index: Expr;
}

export interface Slice {
  readonly kind: 'Slice';
  readonly span: Span;
  readonly obj: Expr;
  readonly lower: Expr | null;
  readonly upper: Expr | null;
}

export interface Exbi {
  readonly kind: 'Exbi';
  readonly span: Span;
  readonly cls: Expr;
  readonly name: string;
}

export interface Return {
  readonly kind: 'Return';
  readonly span: Span;
  readonly value: Expr | null;
}

export interface Yield {
  readonly kind: 'Yield';
  readonly span: Span;
  readonly value: Expr;
}

export interface Fail {
  readonly kind: 'Fail';
  readonly span: Span;
}

export interface Raise {
  readonly kind: 'Raise';
  readonly span: Span;
  readonly value: Expr;
}

export interface Assert {
  readonly kind: 'Assert';
  readonly span: Span;
  readonly value: Expr;
}

export interface Break {
  readonly kind: 'Break';
  readonly span: Span;
}

export interface Continue {
  readonly kind: 'Continue';
  readonly span: Span;
}

export interface Pass {
  readonly kind: 'Pass';
  readonly span: Span;
}

/** `a & b & c`, flattened (n >= 2). */
export interface Conjunction {
  readonly kind: 'Conjunction';
  readonly span: Span;
  readonly exprs: Expr[];
}

/** `a | b | c`, flattened (n >= 2). */
export interface Alternation {
  readonly kind: 'Alternation';
  readonly span: Span;
  readonly exprs: Expr[];
}

export type AssignOp = ':=' | '+=' | '-=' | '*=' | '/=';

/** An assignment target: a variable, `o.n`, `c[i]` or `c[i:j]`. */
export type Target = Var | SlotLookup | Get | Slice;

export interface Assign {
  readonly kind: 'Assign';
  readonly span: Span;
  readonly targets: Target[]; // more than one = unpacking (only with `:=`)
  readonly op: AssignOp;
  readonly value: Expr;
}

export interface Not {
  readonly kind: 'Not';
  readonly span: Span;
  readonly value: Expr;
}

/** Unary minus; evaluates as `0 - value`. */
export interface Neg {
  readonly kind: 'Neg';
  readonly span: Span;
  readonly value: Expr;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%';

export interface Binary {
  readonly kind: 'Binary';
  readonly span: Span;
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
}

export type CompareOp = 'is' | '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Compare {
  readonly kind: 'Compare';
  readonly span: Span;
  readonly op: CompareOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
}
