// The native module POSIX_File (stdlib.md §4.6), wrapped by stdlib/File.cv: the File class
// (file-class.ts) and the functions on paths. Defined at boot, not on first import: the
// File class of Sys::stdin/stdout/stderr lives in it. Paths are byte strings, handed to
// Node as latin1 Buffers. mtime gives [sec, nsec]; File.cv makes the Time::Instant.

import { type Stats, chmodSync, lstatSync, openSync, readdirSync, realpathSync, rmdirSync, statSync, unlinkSync, constants as FS } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ClassF, GenStateF } from '../rts/layout.js';
import { getI, getV, setI, setV } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { allocList, allocString, listGet, listLen, listPush, mkInt, strFromJs } from '../rts/objects.js';
import { K, defBuiltin } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { setNativeDefn } from '../bytecode/modules.js';
import { defModule } from './native-kit.js';
import { fileError, fileOnNewDescriptor, installFileClass } from './file-class.js';
import { intArg, strArg } from './types-common.js';

function bytesPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

/** Calls `op` on path argument `v`, turning an OS error into File_Exception. */
function onPath<R>(v: Value, op: (p: Buffer) => R): R {
  const p = bytesPath(strArg(v));
  try {
    return op(p);
  } catch (e) {
    fileError(v, e);
  }
}

/** Succeeds (null) iff `test` holds for what `p` names (following symbolic links). */
function statTest(v: Value, test: (st: Stats) => boolean): Value {
  const p = bytesPath(strArg(v));
  let ok: boolean;
  try {
    const st = statSync(p, { throwIfNoEntry: false });
    ok = st !== undefined && test(st);
  } catch {
    ok = false; // as C's stat failing: the path names nothing usable
  }
  return ok ? K.null : NONE;
}

// -- rm -----------------------------------------------------------------------------------

/** Deletes `p`: a file, link or (recursively) directory. Throws [failing path, error]. */
function removeTree(p: Buffer): void {
  let st;
  try {
    st = lstatSync(p);
  } catch (e) {
    throw [p, e];
  }
  if (st.isDirectory()) {
    let entries: Buffer[];
    try {
      entries = readdirSync(p, { encoding: 'buffer' });
    } catch (e) {
      throw [p, e];
    }
    for (const name of entries) removeTree(Buffer.concat([p, Buffer.from('/'), name]));
    try {
      rmdirSync(p);
    } catch (e) {
      throw [p, e];
    }
  } else {
    try {
      unlinkSync(p);
    } catch (e) {
      throw [p, e];
    }
  }
}

function rm(v: Value): Value {
  const p = bytesPath(strArg(v));
  try {
    removeTree(p);
  } catch (x) {
    if (!Array.isArray(x)) throw x;
    const [where, e] = x as [Buffer, unknown];
    fileError(strFromJs(where.toString('latin1')), e);
  }
  return K.null;
}

// -- temp_file ----------------------------------------------------------------------------

const TEMP_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** As C's mkstemp on "/tmp/tmp.XXXXXXXXXX": the last six X's become random characters. */
function tempFile(): Value {
  for (let attempt = 0; ; attempt++) {
    const r = randomBytes(6);
    let name = '/tmp/tmp.XXXX';
    for (const b of r) name += TEMP_CHARS[b % TEMP_CHARS.length];
    try {
      const fd = openSync(name, FS.O_RDWR | FS.O_CREAT | FS.O_EXCL, 0o600);
      return fileOnNewDescriptor(fd, strFromJs(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) fileError(strFromJs(name), e);
    }
  }
}

// -- iter_dir_entries ---------------------------------------------------------------------

/** iter_dir_entries: a = List of the entry names, i = the next one. */
const GEN_DIR_ENTRIES = defGen((g) => {
  const l = getV(g, GenStateF.a);
  const i = getI(g, GenStateF.i);
  if (i >= listLen(l)) return NONE;
  setI(g, GenStateF.i, i + 1);
  return listGet(l, i);
});

function iterDirEntries(a: Value[]): Value {
  const names = onPath(a[0], (p) => readdirSync(p, { encoding: 'buffer' }));
  if (names.length === 0) return NONE;
  const l = allocList(K.List, names.length);
  for (const n of names) listPush(l, allocString(n));
  return newGen(GEN_DIR_ENTRIES, l);
}

// -- The module ---------------------------------------------------------------------------

export function installPosixFile(): Value {
  const fileClass = installFileClass();
  const mod = defModule(
    'POSIX_File',
    {
      canon_path: [1, 1, (a) => strFromJs(onPath(a[0], (p) => realpathSync.native(p, { encoding: 'buffer' })).toString('latin1'))],
      chmod: [2, 2, (a) => {
        const mode = intArg(a[1]) & 0o7777; // C passes a mode_t; the kernel keeps these bits
        onPath(a[0], (p) => chmodSync(p, mode));
        return K.null;
      }],
      exists: [1, 1, (a) => statTest(a[0], () => true)],
      is_dir: [1, 1, (a) => statTest(a[0], (st) => st.isDirectory())],
      is_file: [1, 1, (a) => statTest(a[0], (st) => st.isFile())],
      mtime: [1, 1, (a) => {
        const ns = onPath(a[0], (p) => statSync(p, { bigint: true }).mtimeNs);
        // Seconds rounded down, so that 0 <= nsec < 10^9 before 1970 too.
        let sec = ns / 1000000000n;
        let nsec = ns % 1000000000n;
        if (nsec < 0n) {
          nsec += 1000000000n;
          sec -= 1n;
        }
        const l = allocList(K.List, 2);
        listPush(l, mkInt(Number(sec)));
        listPush(l, mkInt(Number(nsec)));
        return l;
      }],
      rm: [1, 1, (a) => rm(a[0])],
      temp_file: [0, 0, tempFile],
    },
    {
      DIR_SEP: strFromJs('/'),
      EXT_SEP: strFromJs('.'),
      NULL_DEV: strFromJs('/dev/null'),
      File_Atom_Def: NONE,
      File: fileClass,
      iter_dir_entries: NONE,
    },
  );
  setNativeDefn(mod, 'iter_dir_entries', defBuiltin({ name: 'iter_dir_entries', path: 'POSIX_File::iter_dir_entries', min: 1, max: 1, fn: iterDirEntries, gen: GEN_DIR_ENTRIES }, false, mod));
  setV(fileClass, ClassF.container, mod);
  return mod;
}
