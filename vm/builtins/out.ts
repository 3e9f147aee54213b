// Buffered standard output and error. Everything a program writes goes through here, and
// flushAll() runs on every way out of the VM (normal exit, Sys::exit, uncaught exception,
// internal error), so nothing written is lost; it also flushes the buffers registered
// with addFlusher (open files).

import { writeSync } from 'node:fs';

class OutBuffer {
  private buf = Buffer.alloc(1 << 16);
  private len = 0;
  constructor(private readonly fd: number) {}
  write(s: string): void {
    const n = s.length;
    if (this.len + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        writeAll(this.fd, Buffer.from(s, 'latin1'));
        return;
      }
    }
    this.len += this.buf.write(s, this.len, 'latin1');
  }
  writeBytes(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) {
      this.flush();
      if (b.length > this.buf.length) {
        writeAll(this.fd, b);
        return;
      }
    }
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  flush(): void {
    if (this.len === 0) return;
    writeAll(this.fd, this.buf.subarray(0, this.len));
    this.len = 0;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw e;
    }
  }
}

export const stdout = new OutBuffer(1);
export const stderr = new OutBuffer(2);

const flushers: (() => void)[] = [];

/** Registers more buffers (open files) for flushAll to write out. */
export function addFlusher(f: () => void): void {
  flushers.push(f);
}

export function flushAll(): void {
  for (const f of flushers) f();
  stdout.flush();
  stderr.flush();
}
