// The stage-0 compiler driver: source file -> bytecode unit, resolving imports against
// the file system (spec/language.md §14.3): the importing file's directory, then the
// include directories, then the standard library, then the VM's own modules.

import { readFileSync, readdirSync, statSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from './parser.js';
import { compileModule, type ResolvedImport } from './codegen.js';
import { CompileError } from './errors.js';
import type { UnitDef } from '../../vm/bytecode/unit.js';
import type { Span } from './ast.js';

export interface ImportEnv {
  /** Directories searched after the importing file's own. */
  readonly includes: readonly string[];
  /** Modules implemented by the VM (matched on the first path component). */
  readonly isNativeModule: (name: string) => boolean;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The module id of a source file: its canonical path. */
export function modIdOf(path: string): string {
  return realpathSync(path);
}

/** Resolves an import path from the directory `fromDir`; null if it names nothing there. */
export function isPackageDir(p: string): boolean {
  return isDir(p);
}

function resolveIn(dir: string, path: readonly string[]): ResolvedImport | null {
  let d = dir;
  for (let i = 0; i < path.length; i++) {
    const file = join(d, `${path[i]}.cv`);
    if (isFile(file)) return { modId: modIdOf(file), defns: path.slice(i + 1) };
    const sub = join(d, path[i]);
    if (!isDir(sub)) return null;
    d = sub;
  }
  return { modId: realpathSync(d), defns: [] };
}

/** The entries of a package directory: each `X.cv` and each extension-less sub-directory. */
export function packageEntries(dir: string): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e.endsWith('.cv') && isFile(p)) out.push({ name: e.slice(0, -3), path: p });
    else if (!e.includes('.') && isDir(p)) out.push({ name: e, path: p });
  }
  return out;
}

export function resolveImport(fromFile: string, path: readonly string[], span: Span, env: ImportEnv): ResolvedImport {
  try {
    for (const dir of [dirname(fromFile), ...env.includes]) {
      const r = resolveIn(dir, path);
      if (r !== null) return r;
    }
  } catch (e) {
    if (e instanceof CompileError) throw new CompileError(e.message, span);
    throw e;
  }
  if (env.isNativeModule(path[0])) return { modId: path[0], defns: path.slice(1) };
  throw new CompileError(`Can't find module / package '${path.join('::')}'.`, span);
}

declare const __CONVERGE_COMPILER_ID__: string | undefined;

/** Identifies this compiler build (build.mjs hashes the compiler's sources into it). */
export const COMPILER_ID: string = typeof __CONVERGE_COMPILER_ID__ === 'string' ? __CONVERGE_COMPILER_ID__ : 'unbuilt';

/** Compiles one source file. Throws CompileError (with the source for reporting). */
export function compileFile(path: string, env: ImportEnv): UnitDef {
  const src = readFileSync(path);
  const mod = parse(src);
  const name = basename(path).replace(/\.[^.]*$/, '');
  const unit = compileModule(mod, {
    name,
    modId: modIdOf(path),
    srcPath: modIdOf(path),
    srcMtime: statSync(path).mtimeMs,
    resolveImport: (p, span) => resolveImport(path, p, span, env),
  });
  return { ...unit, compilerId: COMPILER_ID };
}
