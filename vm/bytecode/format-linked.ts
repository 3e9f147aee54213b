// Linked files: executables (magic "CONVEXEC") and libraries (.cvl, magic "CONVLIBR"),
// each a list of module files (.cvb bytes, format-cvb.ts). An executable's modules are
// everything a program needs, main module first; it starts with a `#!` line so that it
// can be run directly. A library's first module is its package. Readers throw only
// LoadError; the modules' code is checked by verifyUnit as for any .cvb.

import { LoadError, Reader, Writer, readUnit, writeUnit } from './format-cvb.js';
import type { UnitDef } from './unit.js';

export const EXEC_MAGIC = 'CONVEXEC';
export const LIBRARY_MAGIC = 'CONVLIBR';
export const LINKED_VERSION = 1;
const SHEBANG = '#! /usr/bin/env converge\n';

function writeLinked(magic: string, prefix: string, units: readonly UnitDef[]): Uint8Array {
  const w = new Writer();
  w.raw(prefix);
  w.raw(magic);
  w.u32(LINKED_VERSION);
  w.u32(units.length);
  for (const u of units) w.bytes(writeUnit(u));
  return w.result();
}

/** An executable of `units`, main module first. */
export function writeExecutable(units: readonly UnitDef[]): Uint8Array {
  // Newlines pad the #! line so that the words after it are 8-byte aligned.
  let prefix = SHEBANG;
  while (prefix.length % 8 !== 0) prefix += '\n';
  return writeLinked(EXEC_MAGIC, prefix, units);
}

/** A library of `units`, its package first. */
export function writeLibrary(units: readonly UnitDef[]): Uint8Array {
  return writeLinked(LIBRARY_MAGIC, '', units);
}

function startsWith(b: Uint8Array, at: number, s: string): boolean {
  if (at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Where the executable magic starts: at byte 0, or after a leading `#!` line and the
 * newlines padding it; -1 if `b` is not an executable. (Upstream accepts the magic
 * anywhere in the file, so a source file mentioning it was run as bytecode.)
 */
export function executableStart(b: Uint8Array): number {
  if (startsWith(b, 0, EXEC_MAGIC)) return 0;
  if (!startsWith(b, 0, '#!')) return -1;
  let i = b.indexOf(10);
  if (i < 0) return -1;
  while (i < b.length && b[i] === 10) i++;
  return startsWith(b, i, EXEC_MAGIC) ? i : -1;
}

function readLinked(b: Uint8Array, start: number, magic: string, what: string, path: string): UnitDef[] {
  const r = new Reader(b.subarray(start), path);
  if (r.magic() !== magic) r.fail(`not a Converge ${what} (bad magic)`);
  const version = r.u32();
  if (version !== LINKED_VERSION) r.fail(`${what} format version ${version}, expected ${LINKED_VERSION}`);
  const n = r.count('module');
  if (n === 0) r.fail(`${what} without modules`);
  const units: UnitDef[] = [];
  for (let i = 0; i < n; i++) {
    const len = r.count('module length');
    const bytes = r.take(len);
    r.take(((len + 3) & ~3) - len);
    try {
      units.push(readUnit(bytes, path));
    } catch (e) {
      if (e instanceof LoadError) r.fail(`module ${i + 1}: ${e.reason}`);
      throw e;
    }
  }
  if (!r.atEnd()) r.fail(`trailing bytes after the last module`);
  return units;
}

/** The modules of an executable, main module first. */
export function readExecutable(b: Uint8Array, path: string): UnitDef[] {
  const start = executableStart(b);
  if (start < 0) throw new LoadError(path, 'not a Converge executable (bad magic)');
  return readLinked(b, start, EXEC_MAGIC, 'executable', path);
}

/** The modules of a library, its package first. */
export function readLibrary(b: Uint8Array, path: string): UnitDef[] {
  return readLinked(b, 0, LIBRARY_MAGIC, 'library', path);
}
