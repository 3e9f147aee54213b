// The module file format (.cvb): magic "CONVMODL", a format version, then the unit's
// sections as little-endian 32-bit words (strings as a length word and padded bytes).
// readUnit checks every length and offset against the file and throws LoadError, never
// anything else; vm/bytecode/verify.ts then checks the code itself.

import { CODE_FLAG_BOUND, CODE_FLAG_LOOP, CODE_FLAG_VARARGS, type CodeDef, type Const, type UnitDef } from './unit.js';

export const MODULE_MAGIC = 'CONVMODL';
export const FORMAT_VERSION = 4;

export class LoadError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: invalid bytecode file: ${reason}`);
  }
}

export class Writer {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u32(n: number): void {
    this.room(4);
    this.view.setInt32(this.len, n, true);
    this.len += 4;
  }
  f64(x: number): void {
    this.room(8);
    this.view.setFloat64(this.len, x, true);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.room(b.length + 3);
    this.buf.set(b, this.len);
    this.len += (b.length + 3) & ~3;
  }
  str(s: string): void {
    this.bytes(Buffer.from(s, 'utf8'));
  }
  rawBytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  raw(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function writeUnit(u: UnitDef): Uint8Array {
  const w = new Writer();
  w.raw(MODULE_MAGIC);
  w.u32(FORMAT_VERSION);
  w.str(u.name);
  w.str(u.modId);
  w.str(u.srcPath);
  w.f64(u.srcMtime);
  w.u32(u.consts.length);
  for (const c of u.consts) {
    if (c.kind === 'string') {
      w.u32(0);
      w.bytes(c.value);
    } else if (c.kind === 'int') {
      w.u32(1);
      w.u32(Number(BigInt.asIntN(32, c.value)));
      w.u32(Number(BigInt.asIntN(32, c.value >> 32n)));
    } else {
      w.u32(2);
      w.f64(c.value);
    }
  }
  w.u32(u.imports.length);
  for (const s of u.imports) w.str(s);
  w.u32(u.topVars.length);
  for (const s of u.topVars) w.str(s);
  w.u32(u.codes.length);
  for (const c of u.codes) {
    w.str(c.name);
    w.u32(c.maxStack);
    w.u32(c.nVars);
    w.u32(c.nParams);
    for (let i = 0; i < c.nParams; i++) w.u32(c.defaults[i]);
    w.u32((c.varargs ? CODE_FLAG_VARARGS : 0) | (c.isBound ? CODE_FLAG_BOUND : 0) | (c.hasLoop ? CODE_FLAG_LOOP : 0));
    w.u32(c.ops.length);
    for (let i = 0; i < c.ops.length; i++) w.u32(c.ops[i]);
    for (let i = 0; i < c.ops.length; i++) {
      w.u32(c.positions[2 * i]);
      w.u32(c.positions[2 * i + 1]);
    }
    w.u32(c.failRanges.length / 4);
    for (let i = 0; i < c.failRanges.length; i++) w.u32(c.failRanges[i]);
    w.u32(c.varNames.length);
    for (const s of c.varNames) w.str(s);
  }
  const entries = u.packageEntries ?? [];
  w.u32(u.packageEntries === undefined ? -1 : entries.length);
  for (const e of entries) {
    w.str(e.name);
    w.str(e.modId);
  }
  w.str(u.compilerId ?? '');
  return w.result();
}

/** Generous sanity bounds: a file claiming more than this is corrupt, not big. */
const MAX_COUNT = 1 << 24;

export class Reader {
  private pos = 0;
  private view: DataView;
  constructor(private readonly b: Uint8Array, private readonly path: string) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  fail(msg: string): never {
    throw new LoadError(this.path, `${msg} (at byte ${this.pos})`);
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) this.fail('truncated file');
  }
  u32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  count(what: string, max = MAX_COUNT): number {
    const n = this.u32();
    if (n < 0 || n > max) this.fail(`bad ${what} count ${n}`);
    return n;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.count('byte-string length');
    this.need((n + 3) & ~3);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += (n + 3) & ~3;
    return out;
  }
  str(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }
  magic(): string {
    this.need(8);
    let s = '';
    for (let i = 0; i < 8; i++) s += String.fromCharCode(this.b[this.pos + i]);
    this.pos += 8;
    return s;
  }
  atEnd(): boolean {
    return this.pos === this.b.length;
  }
  /** The next n bytes (n checked against the file), as a view. */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Decodes a .cvb file. Structure only: the code is checked by verifyUnit. */
export function readUnit(b: Uint8Array, path: string): UnitDef {
  const r = new Reader(b, path);
  if (r.magic() !== MODULE_MAGIC) r.fail('not a Converge module (bad magic)');
  const version = r.u32();
  if (version !== FORMAT_VERSION) r.fail(`format version ${version}, expected ${FORMAT_VERSION}`);
  const name = r.str();
  const modId = r.str();
  const srcPath = r.str();
  const srcMtime = r.f64();
  const consts: Const[] = [];
  const nconsts = r.count('constant');
  for (let i = 0; i < nconsts; i++) {
    const tag = r.u32();
    if (tag === 0) consts.push({ kind: 'string', value: r.bytes() });
    else if (tag === 1) {
      const lo = r.u32();
      const hi = r.u32();
      consts.push({ kind: 'int', value: (BigInt(hi) << 32n) | BigInt(lo >>> 0) });
    } else if (tag === 2) consts.push({ kind: 'float', value: r.f64() });
    else r.fail(`bad constant tag ${tag}`);
  }
  const imports: string[] = [];
  const nimports = r.count('import');
  for (let i = 0; i < nimports; i++) imports.push(r.str());
  const topVars: string[] = [];
  const ntop = r.count('top-level variable');
  for (let i = 0; i < ntop; i++) topVars.push(r.str());
  const codes: CodeDef[] = [];
  const ncodes = r.count('function');
  if (ncodes === 0) r.fail('no module initialisation code');
  for (let i = 0; i < ncodes; i++) {
    const cname = r.str();
    const maxStack = r.count('stack size', 1 << 16);
    const nVars = r.count('variable', 1 << 16);
    const nParams = r.count('parameter', 1 << 16);
    r.need(nParams * 4);
    const defaults = new Uint8Array(nParams);
    for (let j = 0; j < nParams; j++) {
      const d = r.u32();
      if (d !== 0 && d !== 1) r.fail(`bad default flag ${d}`);
      defaults[j] = d;
    }
    const flags = r.u32();
    if ((flags & ~7) !== 0) r.fail(`bad function flags ${flags}`);
    const nops = r.count('instruction word');
    r.need(nops * 12);
    const ops = new Int32Array(nops);
    for (let j = 0; j < nops; j++) ops[j] = r.u32();
    const positions = new Int32Array(2 * nops);
    for (let j = 0; j < 2 * nops; j++) {
      positions[j] = r.u32();
      // Offsets and lengths index the source file: negative ones would make tracebacks lie.
      if (positions[j] < 0) r.fail(`function ${i}: negative source position at instruction word ${j >> 1}`);
    }
    const nranges = r.count('failure range');
    r.need(nranges * 16);
    const failRanges = new Int32Array(nranges * 4);
    for (let j = 0; j < nranges * 4; j++) failRanges[j] = r.u32();
    const varNames: string[] = [];
    const nnames = r.count('variable name', 1 << 16);
    for (let j = 0; j < nnames; j++) varNames.push(r.str());
    const varargs = (flags & CODE_FLAG_VARARGS) !== 0;
    if (nParams + (varargs ? 1 : 0) > nVars) r.fail(`function ${i}: more parameters than variables`);
    codes.push({ name: cname, ops, positions, maxStack, nVars, nParams, defaults, failRanges, varargs, isBound: (flags & CODE_FLAG_BOUND) !== 0, hasLoop: (flags & CODE_FLAG_LOOP) !== 0, varNames });
  }
  if (codes[0].nVars !== topVars.length) r.fail('module initialisation code does not match its top-level variables');
  // A package unit lists its entries (-1: not a package), one per top-level variable.
  const nentries = r.u32();
  let packageEntries: { name: string; modId: string }[] | undefined;
  if (nentries !== -1) {
    if (nentries !== topVars.length) r.fail(`package with ${nentries} entries for ${topVars.length} top-level variables`);
    packageEntries = [];
    for (let i = 0; i < nentries; i++) packageEntries.push({ name: r.str(), modId: r.str() });
  }
  const compilerId = r.str();
  if (!r.atEnd()) r.fail('trailing bytes after the compiler id');
  return { name, modId, srcPath, consts, imports, topVars, codes, srcMtime, ...(compilerId !== '' ? { compilerId } : {}), ...(packageEntries !== undefined ? { packageEntries } : {}) };
}
