// Auto-make (spec/tools.md §1.3, §2.3-2.4): compiles a program's modules that are stale,
// keeping a bytecode cache `M.cvb` beside each `M.cv` (used only when strictly newer than
// the source, a valid module file, and for the same module id; never overwriting a file
// that is not Converge bytecode), and returns the units to link, main module first.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { compileFile, modIdOf, isPackageDir, packageEntries, COMPILER_ID, type ImportEnv } from '../compiler/stage0/compile.js';
import { Op, Builtin } from './bytecode/opcodes.js';
import { basename } from 'node:path';
import { CompileError } from '../compiler/stage0/errors.js';
import { MODULE_MAGIC, readUnit, writeUnit, LoadError } from './bytecode/format-cvb.js';
import { verifyUnit, VerifyError } from './bytecode/verify.js';
import type { UnitDef } from './bytecode/unit.js';

export interface MakeOptions {
  readonly fresh: boolean;
  readonly verbose: number;
  readonly env: ImportEnv;
  readonly log: (msg: string) => void;
}

function cachePathOf(src: string): string {
  return src.replace(/\.cv$/, '') + '.cvb';
}

function mtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** The cached unit for `src`, or null if there is none usable. */
function cached(src: string, modId: string): UnitDef | null {
  const cache = cachePathOf(src);
  const t = mtime(cache);
  if (t < 0 || t <= mtime(src)) return null;
  try {
    const u = readUnit(readFileSync(cache), cache);
    if (u.modId !== modId || u.compilerId !== COMPILER_ID) return null;
    verifyUnit(u);
    return u;
  } catch (e) {
    if (e instanceof LoadError || e instanceof VerifyError) return null;
    throw e;
  }
}

function writeCache(src: string, u: UnitDef): void {
  const cache = cachePathOf(src);
  try {
    if (mtime(cache) >= 0) {
      const head = readFileSync(cache).subarray(0, 8).toString('latin1');
      if (head !== MODULE_MAGIC && statSync(cache).size > 0) return; // not ours: leave it alone
    }
    writeFileSync(cache, writeUnit(u));
  } catch {
    // Caches are an optimisation: failing to write one is not an error.
  }
}

/** A package's unit: no code of its own, its definitions are its entries' modules. */
function packageUnit(dir: string): UnitDef {
  const entries = packageEntries(dir).map((e) => ({ name: e.name, modId: modIdOf(e.path) }));
  const names = entries.map((e) => e.name);
  const init = {
    name: '',
    ops: Int32Array.from([Op.BUILTIN, Builtin.null, Op.RETURN]),
    positions: new Int32Array(6),
    maxStack: 1,
    nVars: names.length,
    nParams: 0,
    defaults: new Uint8Array(0),
    failRanges: new Int32Array(0),
    varargs: false,
    isBound: false,
    hasLoop: false,
    varNames: names,
  };
  return { name: basename(dir), modId: modIdOf(dir), srcPath: modIdOf(dir), consts: [], imports: [], topVars: names, codes: [init], srcMtime: 0, packageEntries: entries };
}

/** Compiles what is stale; returns every module the program imports, main first. */
export function make(mainSrc: string, opts: MakeOptions): UnitDef[] {
  const out: UnitDef[] = [];
  const seen = new Set<string>();
  const queue = [mainSrc];
  while (queue.length > 0) {
    const src = queue.shift()!;
    const modId = modIdOf(src);
    if (seen.has(modId)) continue;
    seen.add(modId);
    if (isPackageDir(src)) {
      const pkg = packageUnit(src);
      out.push(pkg);
      for (const e of packageEntries(src)) queue.push(e.path);
      continue;
    }
    let u = opts.fresh ? null : cached(src, modId);
    if (u === null) {
      if (opts.verbose > 0) opts.log(`===> Compiling ${modId}...`);
      try {
        u = compileFile(src, opts.env);
      } catch (e) {
        if (e instanceof CompileError) (e as CompileError & { file?: string }).file = src;
        throw e;
      }
      verifyUnit(u);
      writeCache(src, u);
      if (opts.verbose > 0) opts.log(`===> Finished compiling ${modId}.`);
    }
    out.push(u);
    for (const imp of u.imports) if (imp.startsWith('/') && !seen.has(imp)) queue.push(imp);
  }
  if (opts.verbose > 0) opts.log('===> Linking.');
  return out;
}
