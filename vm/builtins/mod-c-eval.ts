// The C_Eval module: run-time evaluation of source text for CEI::eval (ctmp.md §10), done
// by the stage-0 compiler until the self-hosted compiler exists. compile_expr(str,
// var_names, includes) compiles the expression `str` into a fresh module holding one
// function of one argument, a Dict `vars`, that:
//
//   * starts by setting each of `var_names` (the Dict's keys) from `vars`;
//   * evaluates the expression;
//   * writes each of those names, and every name the expression assigns, back to `vars`;
//   * returns the expression's value, or fails if it failed.
//
// The expression sees nothing but those variables (plus what it imports itself): the
// module has no other definitions. Modules it imports that the VM does not have yet are
// auto-made (searching `includes`, then the program's own search path) and loaded. A
// compile error raises Exceptions::Exception `Error: <message>`, as upstream's Eval does.
// The function is returned (null if `str` holds no expression at all).

import type * as A from '../../compiler/stage0/ast.js';
import { parseExprSeq } from '../../compiler/stage0/parser.js';
import { compileModule } from '../../compiler/stage0/codegen.js';
import { collectBindings } from '../../compiler/stage0/scope.js';
import { resolveImport, type ImportEnv } from '../../compiler/stage0/compile.js';
import { CompileError } from '../../compiler/stage0/errors.js';
import { make } from '../automake.js';
import { verifyUnit } from '../bytecode/verify.js';
import { findModule, isNativeModuleName, linkUnit, loadUnit, moduleLookup, moduleTable } from '../bytecode/modules.js';
import type { UnitDef } from '../bytecode/unit.js';
import { NONE, type Value } from '../rts/value.js';
import { strBytes, sym } from '../rts/objects.js';
import { K, hooks, raise } from './kernel.js';
import { defModule } from './native-kit.js';
import { forEachValue, strArg } from './types-common.js';

/** Where the running program's imports are searched (set by the `converge` driver). */
let programEnv: ImportEnv = { includes: [], isNativeModule: isNativeModuleName };

export function setEvalImportEnv(env: ImportEnv): void {
  programEnv = env;
}

// The wrapper's own names cannot be written in source code, so they never clash with the
// expression's variables.
const FUNC_NAME = '$$eval$$';
const VARS = '$$vars$$';
const RESULT = '$$result$$';

let evalCount = 0;

function stringsOf(l: Value, where: string): string[] {
  const out: string[] = [];
  forEachValue(l, (v) => out.push(strArg(v, where)));
  return out;
}

/** The wrapper function's module, as a syntax tree whose every span is the whole text. */
function wrapperModule(expr: A.Expr, varNames: readonly string[], whole: A.Span): A.Module {
  const span = whole;
  const v = (name: string): A.Var => ({ kind: 'Var', span, name });
  const str = (s: string): A.StringLit => ({ kind: 'String', span, value: Buffer.from(s, 'latin1') });
  const call = (method: string, args: A.Expr[]): A.Apply => ({ kind: 'Apply', span, fn: { kind: 'SlotLookup', span, obj: v(VARS), name: method }, args });

  const assigned: Parameters<typeof collectBindings>[1] = [];
  collectBindings([expr], assigned);
  const written = [...new Set([...varNames, ...assigned.map((b) => b.name)])];
  const writeBack = written.map((n) => call('set', [str(n), v(n)]));

  const body: A.Expr[] = varNames.map((n): A.Assign => ({ kind: 'Assign', span, targets: [v(n)], op: ':=', value: call('get', [str(n)]) }));
  body.push({
    kind: 'If',
    span,
    clauses: [{ cond: { kind: 'Assign', span, targets: [v(RESULT)], op: ':=', value: expr }, body: [...writeBack, { kind: 'Return', span, value: v(RESULT) }] }],
    orelse: [...writeBack, { kind: 'Fail', span }],
  });
  const fn: A.FuncDefn = {
    kind: 'FuncDefn',
    span,
    funcKind: 'func',
    name: FUNC_NAME,
    nameSpan: span,
    params: [{ name: VARS, default: null, span }],
    varargs: null,
    nonlocals: [],
    renames: [],
    body,
  };
  return { kind: 'Module', span, defns: [fn] };
}

/** Compiles, loads and initialises the wrapper module; its function, or null if `src` is empty. */
function compileExpr(src: Uint8Array, varNames: readonly string[], includes: readonly string[]): Value {
  const env: ImportEnv = { includes: [...includes, ...programEnv.includes], isNativeModule: programEnv.isNativeModule };
  const modId = `${FUNC_NAME}${evalCount++}`;
  let unit: UnitDef;
  const extra: UnitDef[] = [];
  try {
    const exprs = parseExprSeq(src);
    if (exprs.length === 0) return K.null;
    if (exprs.length > 1) throw new CompileError('CEI::eval evaluates exactly one expression.', exprs[1].span);
    const whole = { offset: 0, length: src.length };
    unit = compileModule(wrapperModule(exprs[0], varNames, whole), {
      name: modId,
      modId,
      srcPath: '',
      srcMtime: 0,
      // The expression has no file of its own: its imports are searched for in the include
      // directories only (the first one standing in for "the importing file's directory").
      resolveImport: (p, span) => resolveImport(`${env.includes[0] ?? '.'}/-`, p, span, env),
    });
    verifyUnit(unit);
    // Modules the expression imports that the VM does not have yet, and theirs.
    for (const imp of unit.imports) {
      if (!imp.startsWith('/') || findModule(imp) !== NONE) continue;
      for (const u of make(imp, { fresh: false, verbose: 0, env, log: () => {} })) {
        if (!moduleTable.has(u.modId) && !extra.some((e) => e.modId === u.modId)) extra.push(u);
      }
    }
  } catch (e) {
    if (e instanceof CompileError) raise('Exception', `Error: ${e.message}`);
    throw e;
  }
  const loaded = [...extra, unit].map((d) => loadUnit(d));
  for (const u of loaded) linkUnit(u);
  // Nothing imports the wrapper: it need not stay in the module table.
  moduleTable.delete(modId);
  const m = loaded[loaded.length - 1].module;
  hooks.importModule(m);
  return moduleLookup(m, sym(FUNC_NAME));
}

export function installCEval(): void {
  defModule('C_Eval', {
    compile_expr: [3, 3, (a) => {
      strArg(a[0]);
      const src = strBytes(a[0]);
      const names = stringsOf(a[1], 'var_names');
      const includes = stringsOf(a[2], 'includes');
      return compileExpr(src, names, includes);
    }],
  });
}
