// The File class behind Sys::stdin/stdout/stderr (stdlib.md §3, §6.3): a slotted Handle
// object whose host side (descriptor, read buffer, state) lives in a table here. The
// standard output streams write into the buffers of out.ts, which every exit path
// flushes; other descriptors are written through unbuffered, so nothing is lost either.
// The POSIX_File module (paths, seek, temp files...) is left to its own issue; it can
// reuse fileClass() and its creation function.

import { openSync, closeSync, readSync, writeSync, fstatSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { T, HandleF, ClassF, GenStateF } from '../rts/layout.js';
import { getV, getI, setI, setV, typeId, val } from '../rts/ll.js';
import { alloc } from '../rts/alloc.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { allocString, intNum, isInt, mkInt, setOwnSlot, strBytes, strToJs, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { K, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { defGen, newGen } from './gen.js';
import { typeError } from './operators.js';
import { stdout, stderr } from './out.js';
import { absent, callInit, checkCount, defCreator, defTyped, intArg, isStr, strArg } from './types-common.js';

/** Handle.kind of File objects (other handle kinds belong to other modules). */
const FILE_KIND = 0x46494c45;

type Sink = typeof stdout;

interface HostFile {
  readonly fd: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** The buffer of out.ts this descriptor writes into (fds 1 and 2), else null. */
  readonly sink: Sink | null;
  /** Opened by path here, so close() closes the descriptor. */
  readonly owned: boolean;
  closed: boolean;
  rbuf: Buffer;
  rpos: number;
  rlen: number;
  eof: boolean;
}

const files: HostFile[] = [];
let FileClass: Value = NONE;

export function fileClass(): Value {
  return FileClass;
}

export function isFile(v: Value): boolean {
  return !isSmall(v) && v !== NONE && typeId(v) === T.Handle && getI(v, HandleF.kind) === FILE_KIND;
}

function hostOf(f: Value): HostFile {
  const h = files[getI(f, HandleF.handle)];
  if (h.closed) raise('File_Exception', 'File previously closed.');
  return h;
}

/** C's strerror text for a Node error (libuv's text, capitalised as glibc's is). */
function osText(e: unknown): string {
  const errno = (e as NodeJS.ErrnoException).errno;
  const entry = errno === undefined ? undefined : getSystemErrorMap().get(errno);
  const text = entry ? entry[1] : String((e as Error).message ?? e);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Sleeps briefly: a non-blocking descriptor had nothing to give or take. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

// -- Creation -----------------------------------------------------------------------------

const MODES: Record<string, string> = { r: 'r', 'r+': 'r+', w: 'w', 'w+': 'w+', a: 'a', 'a+': 'a+' };

function allocFile(cls: Value, host: HostFile, path: Value): Value {
  const f = val(alloc(T.Handle, HandleF.SIZE));
  setV(f, HandleF.map, getV(cls, ClassF.instMap));
  setI(f, HandleF.handle, files.length);
  setI(f, HandleF.kind, FILE_KIND);
  files.push(host);
  setOwnSlot(f, sym('path'), path);
  return f;
}

function hostFile(fd: number, mode: string, owned: boolean): HostFile {
  const m = mode.replace(/b/g, '');
  const plus = m.includes('+');
  return {
    fd,
    readable: m.startsWith('r') || plus,
    writable: !m.startsWith('r') || plus,
    sink: fd === 1 ? stdout : fd === 2 ? stderr : null,
    owned,
    closed: false,
    rbuf: Buffer.alloc(0),
    rpos: 0,
    rlen: 0,
    eof: false,
  };
}

/** File.new(path_or_descriptor, mode), as C's fopen / fdopen. */
function newFile(a: Value[]): Value {
  checkCount(a, 3, 3);
  const path = a[1];
  const mode = strArg(a[2]);
  const flags = MODES[mode.replace(/b/g, '')];
  let host: HostFile;
  if (isStr(path)) {
    const p = strToJs(path);
    if (flags === undefined) raise('File_Exception', `File '${p}': Invalid argument.`);
    let fd: number;
    try {
      fd = openSync(Buffer.from(p, 'latin1'), flags);
    } catch (e) {
      raise('File_Exception', `File '${p}': ${osText(e)}.`);
    }
    host = hostFile(fd, mode, true);
  } else if (isInt(path)) {
    const fd = intNum(path);
    if (flags === undefined) raise('File_Exception', 'Invalid argument');
    try {
      fstatSync(fd);
    } catch (e) {
      raise('File_Exception', osText(e));
    }
    host = hostFile(fd, mode, false);
  } else typeError('[String, Int]', path);
  return callInit(allocFile(a[0], host, path), [path, a[2]]);
}

/** A File on a standard descriptor, for Sys. */
export function stdFile(fd: number, mode: string): Value {
  return allocFile(FileClass, hostFile(fd, mode, false), mkInt(fd));
}

// -- Reading ------------------------------------------------------------------------------

/** Reads more bytes into the buffer; false at end of file. */
function fill(h: HostFile): boolean {
  if (h.eof) return false;
  if (h.rpos > 0 && h.rpos === h.rlen) h.rpos = h.rlen = 0;
  if (h.rlen + 65536 > h.rbuf.length) {
    const bigger = Buffer.alloc(Math.max(65536, (h.rlen - h.rpos + 65536) * 2));
    h.rbuf.copy(bigger, 0, h.rpos, h.rlen);
    h.rlen -= h.rpos;
    h.rpos = 0;
    h.rbuf = bigger;
  }
  for (;;) {
    let n: number;
    try {
      n = readSync(h.fd, h.rbuf, h.rlen, h.rbuf.length - h.rlen, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        pause();
        continue;
      }
      if (code === 'EOF') n = 0;
      else raise('File_Exception', 'Read error.');
    }
    if (n === 0) {
      h.eof = true;
      return false;
    }
    h.rlen += n;
    return true;
  }
}

function take(h: HostFile, n: number): Value {
  const s = allocString(h.rbuf.subarray(h.rpos, h.rpos + n));
  h.rpos += n;
  return s;
}

function readable(f: Value): HostFile {
  const h = hostOf(f);
  if (!h.readable) raise('File_Exception', 'Read error.');
  return h;
}

/** read(n := null): up to n bytes, or everything to the end of the file. */
function read(a: Value[]): Value {
  const h = readable(a[0]);
  if (absent(a[1])) {
    while (fill(h));
    return take(h, h.rlen - h.rpos);
  }
  const n = intArg(a[1]);
  if (n < 0) raise('File_Exception', 'Can not read less than 0 bytes from file.');
  while (h.rlen - h.rpos < n && fill(h));
  return take(h, Math.min(n, h.rlen - h.rpos));
}

/** readln: a = the file; each line with its "\n" (the last may lack it). */
const GEN_READLN = defGen((g) => {
  const h = files[getI(getV(g, GenStateF.a), HandleF.handle)];
  if (h.closed) raise('File_Exception', 'File previously closed.');
  let from = h.rpos;
  for (;;) {
    const nl = h.rbuf.indexOf(10, from);
    if (nl >= 0 && nl < h.rlen) return take(h, nl + 1 - h.rpos);
    from = h.rlen;
    const before = h.rpos;
    if (!fill(h)) return h.rlen > h.rpos ? take(h, h.rlen - h.rpos) : NONE;
    from -= before - h.rpos; // the buffer may have been compacted
  }
});

// -- Writing ------------------------------------------------------------------------------

function writeBytes(f: Value, b: Uint8Array): void {
  const h = hostOf(f);
  if (!h.writable) raise('File_Exception', 'Write error.');
  if (h.sink !== null) return h.sink.writeBytes(b);
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(h.fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') pause();
      else raise('File_Exception', 'Write error.');
    }
  }
}

const NEWLINE = new Uint8Array([10]);

/** Writes String `s` to File `f` as its (builtin) write method would. */
export function fileWrite(f: Value, s: Value): void {
  if (!isStr(s)) typeError('String', s);
  writeBytes(f, strBytes(s));
}

export function installFileClass(): Value {
  FileClass = mkClass('File', [K.Object], defCreator(newFile) as Creator);
  defTyped(FileClass, 'File', isFile, 'File', [
    ['write', 2, 2, (a) => {
      fileWrite(a[0], a[1]);
      return K.null;
    }],
    ['writeln', 2, 2, (a) => {
      fileWrite(a[0], a[1]);
      writeBytes(a[0], NEWLINE);
      return K.null;
    }],
    ['flush', 1, 1, (a) => {
      hostOf(a[0]).sink?.flush();
      return K.null;
    }],
    ['read', 1, 2, read],
    ['readln', 1, 1, (a) => {
      readable(a[0]);
      return newGen(GEN_READLN, a[0]);
    }, GEN_READLN],
    ['close', 1, 1, (a) => {
      const h = hostOf(a[0]);
      h.sink?.flush();
      // The standard descriptors stay open for the VM's own output (tracebacks, flushes).
      if (h.owned) {
        try {
          closeSync(h.fd);
        } catch (e) {
          raise('File_Exception', osText(e));
        }
      }
      h.closed = true;
      return K.null;
    }],
    ['fileno', 1, 1, (a) => mkInt(hostOf(a[0]).fd)],
  ]);
  return FileClass;
}
