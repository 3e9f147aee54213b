// Compact S-expression rendering of stage-0 syntax trees, for tests and debugging.
// Operators print as themselves: `a + b * c` is `(+ a (* b c))`, `a & b` is `(& a b)`.

import type * as A from './ast.js';

function bytesText(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return JSON.stringify(s);
}

function seq(es: readonly A.Expr[]): string {
  return es.map(printExpr).join(' ');
}

function block(tag: string, es: readonly A.Expr[] | null): string {
  return es === null ? '' : ` (${tag}${es.length > 0 ? ' ' + seq(es) : ''})`;
}

function opt(e: A.Expr | null): string {
  return e === null ? '_' : printExpr(e);
}

function printFunc(f: A.FuncDefn): string {
  const params = f.params.map((p) => (p.default === null ? p.name : `(:= ${p.name} ${printExpr(p.default)})`));
  if (f.varargs !== null) params.push(`*${f.varargs.name}`);
  let s = `(${f.funcKind} ${f.name ?? '_'} (${params.join(' ')})`;
  if (f.nonlocals.length > 0) s += ` (nonlocal ${f.nonlocals.map((n) => n.name).join(' ')})`;
  if (f.renames.length > 0) s += ` (rename ${f.renames.map((r) => `${r.from}>${r.to}`).join(' ')})`;
  return `${s} ${seq(f.body)})`;
}

function printClass(c: A.ClassDefn): string {
  let s = `(class ${c.name ?? '_'} (${seq(c.supers)})`;
  if (c.metaclass !== null) s += ` (metaclass ${printExpr(c.metaclass)})`;
  for (const f of c.fields) s += ' ' + (f.kind === 'FieldAssign' ? `(field ${f.name} ${printExpr(f.value)})` : printExpr(f));
  return s + ')';
}

export function printExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'ClassDefn':
      return printClass(e);
    case 'FuncDefn':
      return printFunc(e);
    case 'Import':
      return `(import ${e.items.map((i) => i.path.join('::') + (i.as === null ? '' : ` as ${i.as}`)).join(', ')})`;
    case 'If':
      return `(if ${e.clauses.map((c) => `(${printExpr(c.cond)} ${seq(c.body)})`).join(' ')}${block('else', e.orelse)})`;
    case 'NDIf':
      return `(ndif ${e.clauses.map((c) => `(${printExpr(c.cond)} ${seq(c.body)})`).join(' ')})`;
    case 'While':
    case 'For':
      return `(${e.kind === 'For' ? 'for' : 'while'} ${printExpr(e.cond)}${block('do', e.body)}${block('exhausted', e.exhausted)}${block('broken', e.broken)})`;
    case 'Try':
      return `(try (${seq(e.body)})${e.catches.map((c) => ` (catch ${printExpr(c.cls)} ${c.into?.name ?? '_'} ${seq(c.body)})`).join('')})`;
    case 'Int':
      return e.value.toString();
    case 'Float':
      return Number.isInteger(e.value) ? e.value.toFixed(1) : String(e.value);
    case 'String':
      return bytesText(e.value);
    case 'Var':
      return e.name;
    case 'List':
      return `[${seq(e.elems)}]`;
    case 'Dict':
      return `(dict${e.entries.map((en) => ` (${printExpr(en.key)} ${printExpr(en.value)})`).join('')})`;
    case 'Set':
      return `(set${e.elems.length > 0 ? ' ' + seq(e.elems) : ''})`;
    case 'ModuleLookup':
      return e.names.join('::');
    case 'SlotLookup':
      return `(. ${printExpr(e.obj)} ${e.name})`;
    case 'Apply':
      return `(call ${printExpr(e.fn)}${e.args.length > 0 ? ' ' + seq(e.args) : ''})`;
    case 'Get':
      return `(get ${printExpr(e.obj)} ${printExpr(e.index)})`;
    case 'Slice':
      return `(slice ${printExpr(e.obj)} ${opt(e.lower)} ${opt(e.upper)})`;
    case 'Exbi':
      return `(exbi ${printExpr(e.cls)} ${e.name})`;
    case 'Return':
      return e.value === null ? '(return)' : `(return ${printExpr(e.value)})`;
    case 'Yield':
      return `(yield ${printExpr(e.value)})`;
    case 'Raise':
      return `(raise ${printExpr(e.value)})`;
    case 'Assert':
      return `(assert ${printExpr(e.value)})`;
    case 'Fail':
      return 'fail';
    case 'Break':
      return 'break';
    case 'Continue':
      return 'continue';
    case 'Pass':
      return 'pass';
    case 'Conjunction':
      return `(& ${seq(e.exprs)})`;
    case 'Alternation':
      return `(| ${seq(e.exprs)})`;
    case 'Assign': {
      const ts = e.targets.length === 1 ? printExpr(e.targets[0]) : `(${seq(e.targets)})`;
      return `(${e.op} ${ts} ${printExpr(e.value)})`;
    }
    case 'Not':
      return `(not ${printExpr(e.value)})`;
    case 'Neg':
      return `(neg ${printExpr(e.value)})`;
    case 'Binary':
    case 'Compare':
      return `(${e.op} ${printExpr(e.lhs)} ${printExpr(e.rhs)})`;
  }
}

/** One line per top-level definition. */
export function printModule(m: A.Module): string {
  return m.defns.map(printExpr).join('\n');
}
