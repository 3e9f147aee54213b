// An esbuild plugin that inlines the `ll` operations (vm/rts/ll.ts, DESIGN D5) and the
// value-tagging functions (vm/rts/value.ts) into the files that call them. The interpreter is written against ll so that the recording build
// can bind the same calls to versions that append trace operations; in the plain build
// every call must cost what a direct typed-array access costs. V8 would inline them too,
// but only within its inlining budget, which a dispatch loop of this size exhausts.
//
// An exported ll function whose body is one expression (`return e;` or `e;`) is a
// template. A call to it, by its imported name, becomes that expression with each
// parameter replaced by the parenthesised argument text. Evaluation order and count are
// kept: a call is expanded only if every parameter occurs exactly once in the template,
// in declaration order, or if every argument is free of side effects. What else the
// templates use (the heap views, constants) is imported under private names.

import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { localViews } from './local-views.mjs';

/**
 * Reads the templates of one file: name -> { params, parts, ... }; parts alternate text
 * with parameter uses and uses of the file's own top-level names (its imports and
 * declarations), which the expansion imports under private names.
 */
function readTemplates(llFile) {
  const text = readFileSync(llFile, 'utf8');
  const sf = ts.createSourceFile(llFile, text, ts.ScriptTarget.Latest, true);
  const templates = new Map();
  // Top-level name -> [file that exports it, exported name], or { literal } for a numeric constant.
  const tops = new Map();
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && !st.importClause?.isTypeOnly) {
      const from = resolve(dirname(llFile), st.moduleSpecifier.text.replace(/\.js$/, '.ts'));
      const nb = st.importClause?.namedBindings;
      if (nb !== undefined && ts.isNamedImports(nb)) for (const el of nb.elements) if (!el.isTypeOnly) tops.set(el.name.text, [from, (el.propertyName ?? el.name).text]);
    } else if (ts.isVariableStatement(st)) {
      const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        // A numeric constant is substituted by its literal, which V8 folds into the code
        // (a module-level binding would be a load on every use).
        const init = d.initializer;
        const literal = init !== undefined && (ts.isNumericLiteral(init) || (ts.isPrefixUnaryExpression(init) && init.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(init.operand)));
        if (isConst && literal) tops.set(d.name.text, { literal: init.getText(sf) });
        else tops.set(d.name.text, [llFile, d.name.text]);
      }
    } else if (ts.isFunctionDeclaration(st) && st.name !== undefined) tops.set(st.name.text, [llFile, st.name.text]);
  }
  for (const st of sf.statements) {
    if (!ts.isFunctionDeclaration(st) || st.name === undefined || st.body === undefined) continue;
    if (!(st.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (st.body.statements.length !== 1) continue;
    const s0 = st.body.statements[0];
    const expr = ts.isReturnStatement(s0) ? s0.expression : ts.isExpressionStatement(s0) ? s0.expression : undefined;
    if (expr === undefined) continue;
    const params = st.parameters.map((p) => (ts.isIdentifier(p.name) && p.initializer === undefined && p.dotDotDotToken === undefined ? p.name.text : null));
    if (params.includes(null)) continue;
    // Split the expression's text at parameter and heap-view identifiers.
    const uses = [];
    const visit = (n) => {
      if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
        const pi = params.indexOf(n.text);
        if (pi >= 0) uses.push({ start: n.getStart(), end: n.end, param: pi });
        else if (tops.has(n.text)) uses.push({ start: n.getStart(), end: n.end, ext: tops.get(n.text) });
      }
      ts.forEachChild(n, visit);
    };
    visit(expr);
    uses.sort((a, b) => a.start - b.start);
    const parts = [];
    let pos = expr.getStart();
    for (const u of uses) {
      parts.push(text.slice(pos, u.start));
      parts.push(u.param !== undefined ? { param: u.param } : { ext: u.ext });
      pos = u.end;
    }
    parts.push(text.slice(pos, expr.end));
    const order = uses.filter((u) => u.param !== undefined).map((u) => u.param);
    const inOrderOnce = order.length === params.length && order.every((p, i) => p === i);
    templates.set(st.name.text, { params, parts, inOrderOnce, isExpr: ts.isReturnStatement(s0) });
  }
  return templates;
}

/** Arguments that may be duplicated, dropped or reordered: no calls, assignments or updates. */
function pure(n) {
  if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isPostfixUnaryExpression(n) || ts.isDeleteExpression(n)) return false;
  if (ts.isPrefixUnaryExpression(n) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) return false;
  if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return false;
  let ok = true;
  ts.forEachChild(n, (c) => {
    if (ok && !pure(c)) ok = false;
  });
  return ok;
}

/** The source of `file` with calls to ll templates expanded, or null if there are none. */
export function inlineLl(file, text, templateFiles, templates) {
  if (!templateFiles.some((t) => text.includes(t.replace(/^.*[\\/]/, '').replace(/\.ts$/, '.js')))) return null;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  // Local name -> template, from `import { a, b as c } from '.../rts/ll.js'`.
  const local = new Map();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const from = resolve(dirname(file), st.moduleSpecifier.text.replace(/\.js$/, '.ts'));
    if (!templateFiles.includes(from)) continue;
    const nb = st.importClause?.namedBindings;
    if (nb === undefined || !ts.isNamedImports(nb)) continue;
    for (const el of nb.elements) {
      const t = templates.get(from)?.get((el.propertyName ?? el.name).text);
      if (t !== undefined) local.set(el.name.text, t);
    }
  }
  if (local.size === 0) return null;
  let expanded = 0;
  const imports = new Map(); // private name -> [file, exported name]
  const render = (n) => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && local.has(n.expression.text)) {
      const t = local.get(n.expression.text);
      if (n.arguments.length === t.params.length && (t.inOrderOnce || n.arguments.every(pure))) {
        // A template that is a statement (a store) is only expanded where its value is unused.
        if (t.isExpr || ts.isExpressionStatement(n.parent)) {
          const args = n.arguments.map(render);
          expanded++;
          const body = t.parts
            .map((p) => {
              if (typeof p === 'string') return p;
              if (p.param !== undefined) return `(${args[p.param]})`;
              if (p.ext.literal !== undefined) return `(${p.ext.literal})`;
              const name = `__ll_${p.ext[1]}`;
              imports.set(name, p.ext);
              return name;
            })
            .join('');
          return `(${body})`;
        }
      }
    }
    let out = '';
    let pos = n.getStart(sf);
    ts.forEachChild(n, (c) => {
      const cs = c.getStart(sf);
      out += text.slice(pos, cs) + render(c);
      pos = c.end;
    });
    return out + text.slice(pos, n.end);
  };
  const body = text.slice(0, sf.getStart(sf)) + render(sf);
  if (expanded === 0) return null;
  const lines = [...imports].map(([name, [from, exported]]) => `import { ${exported} as ${name} } from ${JSON.stringify(from)};`);
  return `${lines.join(' ')}\n${body}`;
}

/**
 * `templateFiles`: ll.ts first, then other files of one-expression functions (value.ts).
 * After expansion, functions get the heap views of `heapFile` as local constants
 * (tools/local-views.mjs).
 */
export function inlineLlPlugin(templateFiles, heapFile) {
  const templates = new Map(templateFiles.map((f) => [f, readTemplates(f)]));
  return {
    name: 'inline-ll',
    setup(build) {
      build.onLoad({ filter: /[\\/]vm[\\/].*\.ts$/ }, (args) => {
        if (templateFiles.includes(args.path) || args.path.endsWith('.test.ts')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        const expanded = inlineLl(args.path, text, templateFiles, templates) ?? text;
        const out = localViews(args.path, expanded, heapFile) ?? expanded;
        return out === text ? undefined : { contents: out, loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}
