// Name resolution (spec/language.md §7). A scope is the module or a function; class
// bodies and blocks are not scopes. A scope binds every name assigned anywhere in its
// own code (not in nested functions), its parameters, named func/class definitions that
// are not class fields, import variables and catch variables, minus its nonlocal and
// rename declarations. References resolve statically to (depth, index).

import type * as A from './ast.js';
import { CompileError } from './errors.js';

export type Resolved =
  | { readonly kind: 'var'; readonly depth: number; readonly index: number }
  | { readonly kind: 'unknown' };

interface Binding {
  index: number;
  /** Span of the import that binds it, if it is an import variable. */
  importSpan: A.Span | null;
}

export class Scope {
  readonly names = new Map<string, Binding>();
  /** Names declared nonlocal: resolved from the parent. */
  readonly nonlocals = new Set<string>();
  /** `rename x as y`: y -> x, resolved from the parent. */
  readonly renamesTo = new Map<string, string>();
  /** `rename x as y`: x -> y, so x is hidden here unless bound locally. */
  readonly renamedFrom = new Map<string, string>();
  readonly varNames: string[] = [];

  constructor(readonly parent: Scope | null, readonly isBoundFunc: boolean) {}

  /** Adds a local (parameters and hidden temporaries); returns its index. */
  add(name: string): number {
    const b = this.names.get(name);
    if (b !== undefined) return b.index;
    const index = this.varNames.length;
    this.varNames.push(name);
    this.names.set(name, { index, importSpan: null });
    return index;
  }

  /** A fresh variable no source name can clash with. */
  temp(hint: string): number {
    return this.add(`$${hint}${this.varNames.length}`);
  }

  markImport(name: string, span: A.Span): void {
    const b = this.names.get(name)!;
    b.importSpan = span;
  }

  importSpanOf(name: string): A.Span | null {
    return this.names.get(name)?.importSpan ?? null;
  }

  /** Resolves `name` as seen from this scope. */
  resolve(name: string, span: A.Span): { depth: number; index: number; scope: Scope } {
    let depth = 0;
    let scope: Scope | null = this;
    let lookFor = name;
    while (scope !== null) {
      if (!scope.nonlocals.has(lookFor)) {
        const b = scope.names.get(lookFor);
        if (b !== undefined) return { depth, index: b.index, scope };
        const target = scope.renamesTo.get(lookFor);
        if (target !== undefined) {
          lookFor = target;
        } else if (scope.renamedFrom.has(lookFor)) {
          throw new CompileError(`Variable '${lookFor}' not in scope (renamed to '${scope.renamedFrom.get(lookFor)}').`, span);
        }
      }
      scope = scope.parent;
      depth++;
    }
    if (lookFor !== name) throw new CompileError(`Unknown variable '${lookFor}' (renamed from '${name}').`, span);
    throw new CompileError(`Unknown variable '${name}'.`, span);
  }
}

// -- Finding the names a scope binds -----------------------------------------

interface Assigned {
  name: string;
  span: A.Span;
  isImport: boolean;
}

/** Collects the names bound by `exprs` in the current scope (not in nested functions). */
export function collectBindings(exprs: readonly (A.Expr | A.ClassField)[], out: Assigned[]): void {
  for (const e of exprs) visit(e, out);
}

function visitTarget(t: A.Target, out: Assigned[]): void {
  if (t.kind === 'Var') out.push({ name: t.name, span: t.span, isImport: false });
  else if (t.kind === 'SlotLookup') visit(t.obj, out);
  else if (t.kind === 'Get') {
    visit(t.obj, out);
    visit(t.index, out);
  } else {
    visit(t.obj, out);
    if (t.lower) visit(t.lower, out);
    if (t.upper) visit(t.upper, out);
  }
}

function visitClass(c: A.ClassDefn, out: Assigned[], isField: boolean): void {
  if (c.name !== null && !isField) out.push({ name: c.name, span: c.nameSpan ?? c.span, isImport: false });
  for (const s of c.supers) visit(s, out);
  if (c.metaclass) visit(c.metaclass, out);
  for (const f of c.fields) {
    if (f.kind === 'ClassDefn') visitClass(f, out, true);
    else if (f.kind === 'FieldAssign') visit(f.value, out);
    // Methods are nested functions: their bodies are other scopes. Defaults too.
  }
}

function visit(e: A.Expr | A.ClassField, out: Assigned[]): void {
  switch (e.kind) {
    case 'FuncDefn':
      if (e.name !== null) out.push({ name: e.name, span: e.nameSpan ?? e.span, isImport: false });
      return;
    case 'ClassDefn':
      visitClass(e, out, false);
      return;
    case 'FieldAssign':
      visit(e.value, out);
      return;
    case 'Import':
      for (const it of e.items) out.push({ name: it.as ?? it.path[it.path.length - 1], span: it.span, isImport: true });
      return;
    case 'Assign':
      for (const t of e.targets) visitTarget(t, out);
      visit(e.value, out);
      return;
    case 'If':
    case 'NDIf':
      for (const c of e.clauses) {
        visit(c.cond, out);
        collectBindings(c.body, out);
      }
      if (e.kind === 'If' && e.orelse) collectBindings(e.orelse, out);
      return;
    case 'While':
    case 'For':
      visit(e.cond, out);
      if (e.body) collectBindings(e.body, out);
      if (e.exhausted) collectBindings(e.exhausted, out);
      if (e.broken) collectBindings(e.broken, out);
      return;
    case 'Try':
      collectBindings(e.body, out);
      for (const c of e.catches) {
        visit(c.cls, out);
        if (c.into) out.push({ name: c.into.name, span: c.into.span, isImport: false });
        collectBindings(c.body, out);
      }
      return;
    case 'List':
    case 'Set':
      collectBindings(e.elems, out);
      return;
    case 'Dict':
      for (const en of e.entries) {
        visit(en.key, out);
        visit(en.value, out);
      }
      return;
    case 'SlotLookup':
      visit(e.obj, out);
      return;
    case 'Apply':
      visit(e.fn, out);
      collectBindings(e.args, out);
      return;
    case 'Get':
      visit(e.obj, out);
      visit(e.index, out);
      return;
    case 'Slice':
      visit(e.obj, out);
      if (e.lower) visit(e.lower, out);
      if (e.upper) visit(e.upper, out);
      return;
    case 'Exbi':
      visit(e.cls, out);
      return;
    case 'Return':
      if (e.value) visit(e.value, out);
      return;
    case 'Yield':
    case 'Raise':
    case 'Assert':
    case 'Not':
    case 'Neg':
      visit(e.value, out);
      return;
    case 'Conjunction':
    case 'Alternation':
      collectBindings(e.exprs, out);
      return;
    case 'Binary':
    case 'Compare':
      visit(e.lhs, out);
      visit(e.rhs, out);
      return;
    default:
      return;
  }
}

/**
 * Declares the bindings of a scope, in first-occurrence order, enforcing the rule that
 * an import variable is assigned in exactly one place.
 */
export function declareBindings(scope: Scope, found: Assigned[]): void {
  const imports = new Map<string, number>();
  const others = new Set<string>();
  for (const a of found) {
    if (a.isImport) imports.set(a.name, (imports.get(a.name) ?? 0) + 1);
    else others.add(a.name);
  }
  for (const a of found) {
    if (scope.nonlocals.has(a.name) || scope.renamesTo.has(a.name)) continue;
    if (imports.has(a.name) && (imports.get(a.name)! > 1 || others.has(a.name))) {
      // Report the second binding in source order.
      const all = found.filter((b) => b.name === a.name).sort((x, y) => x.span.offset - y.span.offset);
      throw new CompileError(`Can not assign to '${a.name}' variable in more than one place.`, all[1].span);
    }
    scope.add(a.name);
    if (a.isImport) scope.markImport(a.name, a.span);
  }
}
