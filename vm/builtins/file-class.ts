// The File class (POSIX_File::File, stdlib.md §6.3), also behind Sys::stdin/stdout/stderr:
// a slotted Handle object whose host side (descriptor, buffers, offset) lives in a table
// here. Works like C stdio over a descriptor:
//  * fds 1 and 2 write into the buffers of out.ts; other writes are buffered here, and
//    out.ts's flushAll (run on every way out of the VM) flushes every open file too;
//  * regular files use positional I/O at an offset kept here (Node has no lseek), which
//    makes seek and mixing reads with writes on "r+"/"w+" files work as in C;
//  * pipes, terminals and devices are streams: read sequentially, and not seekable.

import { openSync, closeSync, readSync, writeSync, fstatSync, readFileSync, constants as FS } from 'node:fs';
import { isatty } from 'node:tty';
import { T, HandleF, ClassF, GenStateF } from '../rts/layout.js';
import { getV, getI, setI, setV, typeId, val } from '../rts/ll.js';
import { alloc } from '../rts/alloc.js';
import { NONE, isSmall, type Value } from '../rts/value.js';
import { allocString, intNum, isInt, mkInt, ownSlot, setOwnSlot, strBytes, strToJs, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { K, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { defGen, newGen } from './gen.js';
import { typeError } from './operators.js';
import { addFlusher, stdout, stderr } from './out.js';
import { strerror } from './strerror.js';
import { absent, callInit, checkCount, defCreator, defTyped, intArg, isStr, strArg } from './types-common.js';

/** Handle.kind of File objects (other handle kinds belong to other modules). */
const FILE_KIND = 0x46494c45;
/** Size of a file's write buffer (as stdio's BUFSIZ-ish blocks). */
const WBUF_SIZE = 1 << 16;

type Sink = typeof stdout;

interface HostFile {
  readonly fd: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** Opened with "a": every write goes to the end of the file. */
  readonly append: boolean;
  /** The buffer of out.ts this descriptor writes into (fds 1 and 2), else null. */
  readonly sink: Sink | null;
  /** close() closes the descriptor (not so for 0-2, which the VM itself needs). */
  readonly closeFd: boolean;
  /** A regular file read and written at `next` (else a stream read and written in order). */
  readonly seekable: boolean;
  /** Writes go straight out (terminals: what is written is seen at once). */
  readonly unbuffered: boolean;
  closed: boolean;
  /** Seekable files: the offset just past the read buffer, where buffered writes go. */
  next: number;
  rbuf: Buffer;
  rpos: number;
  rlen: number;
  eof: boolean;
  wbuf: Buffer;
  wlen: number;
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

const S_PATH = sym('path');

/**
 * File_Exception for an OS error on file `f` (or about `path`): `File '<path>': <text>.`,
 * or just the text when the file was made from a descriptor (as upstream).
 */
export function fileError(pathOrFile: Value, e: unknown): never {
  const p = isFile(pathOrFile) ? ownSlot(pathOrFile, S_PATH) : pathOrFile;
  if (p !== NONE && isStr(p)) raise('File_Exception', `File '${strToJs(p)}': ${strerror(e)}.`);
  raise('File_Exception', strerror(e));
}

/** Sleeps briefly: a non-blocking descriptor had nothing to give or take. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

function isAgain(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}

// -- Creation -----------------------------------------------------------------------------

interface Mode {
  readonly flags: number;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly append: boolean;
}

/** A C fopen mode ("r", "w+", "ab", "rb+", ...), or null if C would reject it. */
export function parseMode(mode: string): Mode | null {
  const kind = mode.charAt(0);
  if (kind !== 'r' && kind !== 'w' && kind !== 'a') return null;
  let plus = false;
  let excl = false;
  // glibc looks at a few more characters, ignoring those it does not know.
  for (const c of mode.slice(1, 7)) {
    if (c === ',') break;
    if (c === '+') plus = true;
    else if (c === 'x') excl = true;
  }
  let flags = plus ? FS.O_RDWR : kind === 'r' ? FS.O_RDONLY : FS.O_WRONLY;
  if (kind === 'w') flags |= FS.O_CREAT | FS.O_TRUNC;
  if (kind === 'a') flags |= FS.O_CREAT | FS.O_APPEND;
  if (excl && kind !== 'r') flags |= FS.O_EXCL;
  return { flags, readable: kind === 'r' || plus, writable: kind !== 'r' || plus, append: kind === 'a' };
}

function allocFile(cls: Value, host: HostFile, path: Value): Value {
  const f = val(alloc(T.Handle, HandleF.SIZE));
  setV(f, HandleF.map, getV(cls, ClassF.instMap));
  setI(f, HandleF.handle, files.length);
  setI(f, HandleF.kind, FILE_KIND);
  files.push(host);
  setOwnSlot(f, S_PATH, path);
  return f;
}

/** The current offset of an inherited descriptor (Linux), or null if unknown. */
function inheritedOffset(fd: number): number | null {
  try {
    const m = /^pos:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The host side of a File on `fd`: `opened` by path here, else wrapped (Sys's standard
 * files are made at boot, when a closed descriptor must not be an error: `boot`).
 */
function hostFile(fd: number, m: Mode, opened: boolean, boot = false): HostFile {
  const std = fd <= 2 && !opened;
  let seekable = false;
  let next = 0;
  if (!boot) {
    if (fd < 0 || fd > 0x7fffffff) throw Object.assign(new Error('bad descriptor'), { code: 'EBADF' });
    const st = fstatSync(fd);
    if (!std && (st.isFile() || st.isBlockDevice())) {
      const at = opened ? 0 : inheritedOffset(fd);
      seekable = at !== null;
      next = at ?? 0;
    }
  }
  return {
    fd,
    readable: m.readable,
    writable: m.writable,
    append: m.append,
    sink: std && fd === 1 ? stdout : std && fd === 2 ? stderr : null,
    closeFd: !std,
    seekable,
    unbuffered: !seekable && isatty(fd),
    closed: false,
    next,
    rbuf: Buffer.alloc(0),
    rpos: 0,
    rlen: 0,
    eof: false,
    wbuf: Buffer.alloc(0),
    wlen: 0,
  };
}

/** Opens `path` (a latin1 JS string) as C's fopen would; Node errors propagate. */
function openPath(path: string, m: Mode): HostFile {
  const fd = openSync(Buffer.from(path, 'latin1'), m.flags, 0o666);
  try {
    return hostFile(fd, m, true);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** File.new(path_or_descriptor, mode), as C's fopen / fdopen. */
function newFile(a: Value[]): Value {
  checkCount(a, 3, 3);
  const path = a[1];
  const m = parseMode(strArg(a[2]));
  let host: HostFile;
  if (isStr(path)) {
    if (m === null) fileError(path, { code: 'EINVAL' });
    try {
      host = openPath(strToJs(path), m);
    } catch (e) {
      fileError(path, e);
    }
  } else if (isInt(path)) {
    if (m === null) fileError(path, { code: 'EINVAL' });
    try {
      host = hostFile(intNum(path), m, false);
    } catch (e) {
      fileError(path, e);
    }
  } else typeError('[String, Int]', path);
  return callInit(allocFile(a[0], host, path), [path, a[2]]);
}

/** A File on a standard descriptor, for Sys. */
export function stdFile(fd: number, mode: string): Value {
  return allocFile(FileClass, hostFile(fd, parseMode(mode)!, false, true), mkInt(fd));
}

/** A new File of class File on `path`, opened "w+" with an existing descriptor (temp_file). */
export function fileOnNewDescriptor(fd: number, path: Value): Value {
  return allocFile(FileClass, hostFile(fd, parseMode('w+')!, true), path);
}

// -- Buffers ------------------------------------------------------------------------------

/** Writes `b` at the file's write position; Node errors propagate. */
function writeOut(h: HostFile, b: Uint8Array): void {
  const at = h.seekable && !h.append ? h.next : null;
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(h.fd, b, off, b.length - off, at === null ? null : at + off);
    } catch (e) {
      if (!isAgain(e)) throw e;
      pause();
    }
  }
  if (h.seekable) h.next = h.append ? fstatSync(h.fd).size : h.next + b.length;
}

/** Writes out the write buffer; Node errors propagate (the buffered bytes are dropped). */
function flushWrites(h: HostFile): void {
  if (h.wlen === 0) return;
  const n = h.wlen;
  h.wlen = 0;
  writeOut(h, h.wbuf.subarray(0, n));
}

/** Forgets read-ahead bytes, so the next read or write happens at the logical position. */
function dropReadAhead(h: HostFile): void {
  if (!h.seekable) return;
  h.next -= h.rlen - h.rpos;
  h.rpos = h.rlen = 0;
  h.eof = false;
}

/** Flushes every open file's writes; errors are ignored (as by C's exit). */
function flushAllFiles(): void {
  for (const h of files) {
    if (h.closed || h.wlen === 0) continue;
    try {
      flushWrites(h);
    } catch {
      // Nothing sensible can be done about it on the way out.
    }
  }
}

// -- Reading ------------------------------------------------------------------------------

/** Reads more bytes into the read buffer; false at end of file. Node errors propagate. */
function fill(h: HostFile): boolean {
  if (h.eof) return false;
  flushWrites(h);
  // Whoever waits for input should see what was written before (C flushes too).
  if (!h.seekable) {
    stdout.flush();
    stderr.flush();
  }
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
      n = readSync(h.fd, h.rbuf, h.rlen, h.rbuf.length - h.rlen, h.seekable ? h.next : null);
    } catch (e) {
      if (isAgain(e)) {
        pause();
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== 'EOF') throw e;
      n = 0;
    }
    if (n === 0) {
      h.eof = true;
      return false;
    }
    h.rlen += n;
    h.next += n;
    return true;
  }
}

function take(h: HostFile, n: number): Value {
  const s = allocString(h.rbuf.subarray(h.rpos, h.rpos + n));
  h.rpos += n;
  return s;
}

/** read(n := null): up to n bytes, or everything to the end of the file. */
function read(a: Value[]): Value {
  const h = hostOf(a[0]);
  let n = -1; // everything
  if (!absent(a[1])) {
    n = intArg(a[1]);
    if (n < 0) raise('File_Exception', 'Can not read less than 0 bytes from file.');
  }
  if (!h.readable) raise('File_Exception', 'Read error.');
  try {
    if (n === -1) while (fill(h));
    else while (h.rlen - h.rpos < n && fill(h));
  } catch {
    raise('File_Exception', 'Read error.');
  }
  return take(h, n === -1 ? h.rlen - h.rpos : Math.min(n, h.rlen - h.rpos));
}

/** The next line (with its "\n"; the last may lack it), or NONE at end of file. */
function nextLine(f: Value): Value {
  const h = hostOf(f);
  if (!h.readable) fileError(f, { code: 'EBADF' });
  let from = h.rpos;
  for (;;) {
    const nl = h.rbuf.indexOf(10, from);
    if (nl >= 0 && nl < h.rlen) return take(h, nl + 1 - h.rpos);
    from = h.rlen;
    const before = h.rpos;
    let more: boolean;
    try {
      more = fill(h);
    } catch (e) {
      fileError(f, e);
    }
    if (!more) return h.rlen > h.rpos ? take(h, h.rlen - h.rpos) : NONE;
    from -= before - h.rpos; // the buffer may have been compacted
  }
}

/** readln: a = the file. */
const GEN_READLN = defGen((g) => nextLine(getV(g, GenStateF.a)));

// -- Writing ------------------------------------------------------------------------------

function writeBytes(f: Value, b: Uint8Array): void {
  const h = hostOf(f);
  if (!h.writable) raise('File_Exception', 'Write error.');
  if (h.sink !== null) return h.sink.writeBytes(b);
  try {
    dropReadAhead(h);
    if (h.unbuffered) return writeOut(h, b);
    if (h.wlen + b.length > WBUF_SIZE) {
      flushWrites(h);
      if (b.length >= WBUF_SIZE) return writeOut(h, b);
    }
    if (h.wbuf.length < WBUF_SIZE) {
      const bigger = Buffer.alloc(WBUF_SIZE);
      h.wbuf.copy(bigger, 0, 0, h.wlen);
      h.wbuf = bigger;
    }
    h.wbuf.set(b, h.wlen);
    h.wlen += b.length;
  } catch {
    raise('File_Exception', 'Write error.');
  }
}

const NEWLINE = new Uint8Array([10]);

/** Writes String `s` to File `f` as its (builtin) write method would. */
export function fileWrite(f: Value, s: Value): void {
  if (!isStr(s)) typeError('String', s);
  writeBytes(f, strBytes(s));
}

// -- Other methods ------------------------------------------------------------------------

function flush(f: Value): void {
  const h = hostOf(f);
  if (h.sink !== null) return h.sink.flush();
  try {
    flushWrites(h);
  } catch (e) {
    fileError(f, e);
  }
}

function close(f: Value): void {
  const h = hostOf(f);
  let err: unknown = null;
  try {
    if (h.sink !== null) h.sink.flush();
    else flushWrites(h);
  } catch (e) {
    err = e;
  }
  h.closed = true;
  h.rbuf = h.wbuf = Buffer.alloc(0);
  if (h.closeFd) {
    try {
      closeSync(h.fd);
    } catch (e) {
      err ??= e;
    }
  }
  if (err !== null) fileError(f, err);
}

/** seek(off): the next read or write happens at byte `off` of the file. */
function seek(f: Value, off: number): void {
  const h = hostOf(f);
  if (!h.seekable) fileError(f, { code: 'ESPIPE' });
  if (off < 0) fileError(f, { code: 'EINVAL' });
  try {
    flushWrites(h);
  } catch (e) {
    fileError(f, e);
  }
  h.rpos = h.rlen = 0;
  h.eof = false;
  h.next = off;
}

export function installFileClass(): Value {
  FileClass = mkClass('File', [K.Object], defCreator(newFile) as Creator);
  addFlusher(flushAllFiles);
  defTyped(FileClass, 'POSIX_File::File', isFile, 'File', [
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
      flush(a[0]);
      return K.null;
    }],
    ['read', 1, 2, read],
    ['readln', 1, 1, (a) => {
      hostOf(a[0]);
      return newGen(GEN_READLN, a[0]);
    }, GEN_READLN],
    ['close', 1, 1, (a) => {
      close(a[0]);
      return K.null;
    }],
    ['fileno', 1, 1, (a) => mkInt(hostOf(a[0]).fd)],
    ['seek', 2, 2, (a) => {
      seek(a[0], intArg(a[1]));
      return K.null;
    }],
  ]);
  return FileClass;
}
