// Auto-make (spec/tools.md §1.3, §2.3-2.4): compiles a program's modules that are stale,
// keeping a bytecode cache `M.cvb` beside each `M.cv` (used only when strictly newer than
// the source, a valid module file, and for the same module id; never overwriting a file
// that is not Converge bytecode), and returns the units to link, main module first. The
// linked program is cached too, as an executable named like the source without its
// extension, and run directly while no module's source is newer than it.

import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { compileFile, modIdOf, isPackageDir, packageEntries, COMPILER_ID, type ImportEnv } from '../compiler/stage0/compile.js';
import { Op, Builtin } from './bytecode/opcodes.js';
import { basename } from 'node:path';
import { CompileError } from '../compiler/stage0/errors.js';
import { MODULE_MAGIC, readUnit, writeUnit, LoadError } from './bytecode/format-cvb.js';
import { EXEC_MAGIC, readExecutable, writeExecutable } from './bytecode/format-linked.js';
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

/** Written beside and renamed into place, so a concurrent run never reads half a file. */
function writeAtomically(path: string, bytes: Uint8Array, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function writeCache(src: string, u: UnitDef): void {
  const cache = cachePathOf(src);
  try {
    if (mtime(cache) >= 0) {
      const head = readFileSync(cache).subarray(0, 8).toString('latin1');
      if (head !== MODULE_MAGIC && statSync(cache).size > 0) return; // not ours: leave it alone
    }
    writeAtomically(cache, writeUnit(u), 0o644);
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
  return { name: basename(dir), modId: modIdOf(dir), srcPath: modIdOf(dir), consts: [], imports: [], topVars: names, codes: [init], srcMtime: 0, packageEntries: entries, compilerId: COMPILER_ID };
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

/** The cached executable of `src`: the path without its extension (none without one). */
function executablePathOf(src: string): string | null {
  const leaf = basename(src);
  const dot = leaf.lastIndexOf('.');
  if (dot <= 0) return null;
  return src.slice(0, src.length - (leaf.length - dot));
}

/**
 * The units of the cached executable `exe` if it is up to date: made by this compiler,
 * valid, and with no module whose source still exists newer than it. Null otherwise.
 */
function upToDateExecutable(exe: string): UnitDef[] | null {
  const t = mtime(exe);
  if (t < 0) return null;
  try {
    const units = readExecutable(readFileSync(exe), exe);
    for (const u of units) {
      if (u.compilerId !== COMPILER_ID) return null;
      if (mtime(u.srcPath) > t) return null;
    }
    for (const u of units) verifyUnit(u);
    return units;
  } catch (e) {
    if (e instanceof LoadError || e instanceof VerifyError) return null;
    throw e;
  }
}

/** Writes the cached executable unless `exe` is a file of something else. */
function writeExecutableCache(exe: string, units: readonly UnitDef[]): void {
  try {
    let mode = 0o755;
    if (mtime(exe) >= 0) {
      const st = statSync(exe);
      if (!st.isFile()) return;
      const head = readFileSync(exe).subarray(0, 512);
      if (st.size > 0 && !Buffer.from(head).includes(EXEC_MAGIC)) return; // not ours: leave it alone
      mode = st.mode & 0o7777;
    }
    writeAtomically(exe, writeExecutable(units), mode);
  } catch {
    // The cache is an optimisation: failing to write it is not an error.
  }
}

/**
 * The modules of the program `mainSrc`, main first: from its cached executable when that
 * is up to date (and not `fresh`), else made and linked, refreshing the executable.
 */
export function makeProgram(mainSrc: string, opts: MakeOptions): UnitDef[] {
  const exe = executablePathOf(mainSrc);
  if (exe !== null && !opts.fresh) {
    const units = upToDateExecutable(exe);
    if (units !== null) return units;
  }
  const units = make(mainSrc, opts);
  if (exe !== null) writeExecutableCache(exe, units);
  return units;
}
