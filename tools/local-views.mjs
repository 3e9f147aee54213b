// A source transform, applied to the VM's TypeScript files as esbuild loads them: each
// function that indexes the heap views (I32, U32, U8, F64 of vm/rts/heap.ts), or a typed
// array that its own file binds with a top-level `const`, gets them as local constants,
// `const __lv_I32 = I32;` at the start of its body, and uses those.
//
// Why: in the bundle the views are bindings of the module's scope. TurboFan reloads such a
// binding after every call it does not inline, and then checks the typed array's map and
// reloads its length and data pointer before the next access. The dispatch loop calls
// out on every instruction family, so most heap accesses paid for that. A local constant
// is one value for the whole function: TurboFan folds the view, its length and its data
// pointer into the code. Measured with make bench's programs: 2-16% less time each.
//
// References are attributed to the nearest enclosing function with a block body; a
// function without one (an expression-bodied arrow) uses its parent's constant. The
// transform refuses a file that declares a local with a view's name: renaming would then
// change what the name means.

import ts from 'typescript';
import { dirname, resolve } from 'node:path';

const VIEWS = ['I32', 'U32', 'U8', 'F64'];

const TYPED = /^new (Int8|Uint8|Int16|Uint16|Int32|Uint32|Float32|Float64)Array\(/;

/**
 * Local names of the typed arrays to make local in this file: the heap views, imported
 * (under any alias) or heap.ts's own, and the file's top-level `const` typed arrays.
 */
function viewNames(file, sf, heapFile) {
  const names = new Set();
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && !st.importClause?.isTypeOnly) {
      const from = resolve(dirname(file), st.moduleSpecifier.text.replace(/\.js$/, '.ts'));
      if (from !== heapFile) continue;
      const nb = st.importClause?.namedBindings;
      if (nb === undefined || !ts.isNamedImports(nb)) continue;
      for (const el of nb.elements) if (!el.isTypeOnly && VIEWS.includes((el.propertyName ?? el.name).text)) names.add(el.name.text);
    } else if (ts.isVariableStatement(st) && (st.declarationList.flags & ts.NodeFlags.Const) !== 0) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.initializer === undefined) continue;
        if ((file === heapFile && VIEWS.includes(d.name.text)) || TYPED.test(d.initializer.getText(sf))) names.add(d.name.text);
      }
    }
  }
  return names;
}

function isFunctionWithBlock(n) {
  return (
    (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)) &&
    n.body !== undefined &&
    ts.isBlock(n.body)
  );
}

/** Is identifier `id` a use of the binding named id.text (not a property name or a declaration)? */
function isReference(id) {
  const p = id.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p)) && p.name === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p)) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isBindingElement(p)) && p.name === id) return false;
  if (ts.isTypeReferenceNode(p) || ts.isTypeQueryNode(p)) return false;
  return true;
}

/** `text` with heap views made local to the functions that use them, or null if none does. */
export function localViews(file, text, heapFile) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const names = viewNames(file, sf, heapFile);
  if (names.size === 0) return null;
  const uses = new Map(); // function node -> [identifier nodes]
  const stack = [];
  const visit = (n) => {
    const fn = isFunctionWithBlock(n);
    if (fn) stack.push(n);
    if (ts.isIdentifier(n) && names.has(n.text)) {
      const p = n.parent;
      if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.name === n && stack.length > 0) {
        throw new Error(`${file}: a local named ${n.text} shadows the heap view (tools/local-views.mjs cannot rename it)`);
      }
      if (isReference(n) && stack.length > 0) {
        const owner = stack[stack.length - 1];
        if (!uses.has(owner)) uses.set(owner, []);
        uses.get(owner).push(n);
      }
    }
    ts.forEachChild(n, visit);
    if (fn) stack.pop();
  };
  visit(sf);
  if (uses.size === 0) return null;
  const edits = []; // [position, deleteLength, insert]
  for (const [fnNode, ids] of uses) {
    const used = [...new Set(ids.map((i) => i.text))];
    // Same line as the brace: line numbers stay those of the source.
    edits.push([fnNode.body.getStart(sf) + 1, 0, used.map((v) => ` const __lv_${v} = ${v};`).join('')]);
    for (const id of ids) {
      const shorthand = ts.isShorthandPropertyAssignment(id.parent);
      edits.push([id.getStart(sf), id.text.length, shorthand ? `${id.text}: __lv_${id.text}` : `__lv_${id.text}`]);
    }
  }
  edits.sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [pos, del, ins] of edits) out = out.slice(0, pos) + ins + out.slice(pos + del);
  return out;
}
