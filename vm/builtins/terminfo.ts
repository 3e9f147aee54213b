// Reading compiled terminfo entries (the format of term(5)), for the Curses module: the
// database search ncurses does, the legacy (16-bit numbers) and extended-number (32-bit)
// formats, and the extended (user-defined) capabilities section. Pure TypeScript over
// bytes, so it is testable without a terminal (vm/builtins/test/terminfo.test.ts).

import { readFileSync, statSync } from 'node:fs';

// -- Standard capability names, in the order of the compiled format ----------------------

const BOOL_NAMES = (
  'bw am xsb xhp xenl eo gn hc km hs in da db mir msgr os eslok xt hz ul xon nxon mc5i chts ' +
  'nrrmc npc ndscr ccc bce hls xhpa crxm daisy xvpa sam cpix lpix OTbs OTns OTnc OTMT OTNL OTpt ' +
  'OTxr'
).split(' ');
const NUM_NAMES = (
  'cols it lines lm xmc pb vt wsl nlab lh lw ma wnum colors pairs ncv bufsz spinv spinh maddr ' +
  'mjump mcs mls npins orc orl orhi orvi cps widcs btns bitwin bitype OTug OTdC OTdN OTdB OTdT ' +
  'OTkn'
).split(' ');
const STR_NAMES = (
  'cbt bel cr csr tbc clear el ed hpa cmdch cup cud1 home civis cub1 mrcup cnorm cuf1 ll cuu1 ' +
  'cvvis dch1 dl1 dsl hd smacs blink bold smcup smdc dim smir invis prot rev smso smul ech ' +
  'rmacs sgr0 rmcup rmdc rmir rmso rmul flash ff fsl is1 is2 is3 if ich1 il1 ip kbs ktbc kclr ' +
  'kctab kdch1 kdl1 kcud1 krmir kel ked kf0 kf1 kf10 kf2 kf3 kf4 kf5 kf6 kf7 kf8 kf9 khome ' +
  'kich1 kil1 kcub1 kll knp kpp kcuf1 kind kri khts kcuu1 rmkx smkx lf0 lf1 lf10 lf2 lf3 lf4 ' +
  'lf5 lf6 lf7 lf8 lf9 rmm smm nel pad dch dl cud ich indn il cub cuf rin cuu pfkey pfloc pfx ' +
  'mc0 mc4 mc5 rep rs1 rs2 rs3 rf rc vpa sc ind ri sgr hts wind ht tsl uc hu iprog ka1 ka3 kb2 ' +
  'kc1 kc3 mc5p rmp acsc pln kcbt smxon rmxon smam rmam xonc xoffc enacs smln rmln kbeg kcan ' +
  'kclo kcmd kcpy kcrt kend kent kext kfnd khlp kmrk kmsg kmov knxt kopn kopt kprv kprt krdo ' +
  'kref krfr krpl krst kres ksav kspd kund kBEG kCAN kCMD kCPY kCRT kDC kDL kslt kEND kEOL kEXT ' +
  'kFND kHLP kHOM kIC kLFT kMSG kMOV kNXT kOPT kPRV kPRT kRDO kRPL kRIT kRES kSAV kSPD kUND rfi ' +
  'kf11 kf12 kf13 kf14 kf15 kf16 kf17 kf18 kf19 kf20 kf21 kf22 kf23 kf24 kf25 kf26 kf27 kf28 ' +
  'kf29 kf30 kf31 kf32 kf33 kf34 kf35 kf36 kf37 kf38 kf39 kf40 kf41 kf42 kf43 kf44 kf45 kf46 ' +
  'kf47 kf48 kf49 kf50 kf51 kf52 kf53 kf54 kf55 kf56 kf57 kf58 kf59 kf60 kf61 kf62 kf63 el1 mgc ' +
  'smgl smgr fln sclk dclk rmclk cwin wingo hup dial qdial tone pulse hook pause wait u0 u1 u2 ' +
  'u3 u4 u5 u6 u7 u8 u9 op oc initc initp scp setf setb cpi lpi chr cvr defc swidm sdrfq sitm ' +
  'slm smicm snlq snrmq sshm ssubm ssupm sum rwidm ritm rlm rmicm rshm rsubm rsupm rum mhpa ' +
  'mcud1 mcub1 mcuf1 mvpa mcuu1 porder mcud mcub mcuf mcuu scs smgb smgbp smglp smgrp smgt ' +
  'smgtp sbim scsd rbim rcsd subcs supcs docr zerom csnm kmous minfo reqmp getm setaf setab ' +
  'pfxl devt csin s0ds s1ds s2ds s3ds smglr smgtb birep binel bicr colornm defbi endbi setcolor ' +
  'slines dispc smpch rmpch smsc rmsc pctrm scesc scesa ehhlm elhlm elohlm erhlm ethlm evhlm ' +
  'sgr1 slength OTi2 OTrs OTnl OTbc OTko OTma OTG2 OTG3 OTG1 OTG4 OTGR OTGL OTGU OTGD OTGH OTGV ' +
  'OTGC meml memu box1'
).split(' ');

const MAGIC_LEGACY = 0o432;
const MAGIC_NUM32 = 0o1036;

/** The capabilities of one terminal. Absent and cancelled capabilities are left out. */
export interface TermInfo {
  readonly names: readonly string[];
  readonly bools: ReadonlySet<string>;
  readonly nums: ReadonlyMap<string, number>;
  readonly strs: ReadonlyMap<string, string>;
}

/** A bounds-checked little-endian reader; BAD is thrown past the end. */
class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  need(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) throw BAD;
  }
  i16(): number {
    this.need(2);
    const v = this.b[this.pos] | (this.b[this.pos + 1] << 8);
    this.pos += 2;
    return (v << 16) >> 16;
  }
  i32(): number {
    this.need(4);
    const v = this.b[this.pos] | (this.b[this.pos + 1] << 8) | (this.b[this.pos + 2] << 16) | (this.b[this.pos + 3] << 24);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /** Skips a pad byte if the section so far had an odd size. */
  align(count: number): void {
    if (count % 2 !== 0 && this.pos < this.b.length) this.pos++;
  }
  atEnd(): boolean {
    return this.pos >= this.b.length;
  }
}

const BAD = new Error('malformed terminfo entry');

/** The NUL-terminated string at `off` of `table` (latin1), or null if it runs off the end. */
function cString(table: Uint8Array, off: number): string | null {
  if (off < 0 || off >= table.length) return null;
  const end = table.indexOf(0, off);
  if (end < 0) return null;
  return Buffer.from(table.buffer, table.byteOffset + off, end - off).toString('latin1');
}

/** Parses a compiled entry; null if it is not one or is malformed. */
export function parseTerminfo(data: Uint8Array): TermInfo | null {
  try {
    return parse(new Reader(data));
  } catch (e) {
    if (e === BAD) return null;
    throw e;
  }
}

interface Sections {
  bools: Set<string>;
  nums: Map<string, number>;
  strs: Map<string, string>;
}

function parse(r: Reader): TermInfo {
  const magic = r.i16();
  if (magic !== MAGIC_LEGACY && magic !== MAGIC_NUM32) throw BAD;
  const num = magic === MAGIC_NUM32 ? () => r.i32() : () => r.i16();
  const nameSize = r.i16();
  const boolCount = r.i16();
  const numCount = r.i16();
  const strCount = r.i16();
  const tableSize = r.i16();
  if (nameSize < 0 || boolCount < 0 || numCount < 0 || strCount < 0 || tableSize < 0) throw BAD;
  const nameBytes = r.bytes(nameSize);
  const nul = nameBytes.indexOf(0);
  const names = Buffer.from(nul < 0 ? nameBytes : nameBytes.subarray(0, nul)).toString('latin1').split('|');
  const s: Sections = { bools: new Set(), nums: new Map(), strs: new Map() };
  const bools = r.bytes(boolCount);
  bools.forEach((v, i) => {
    if (v === 1 && i < BOOL_NAMES.length) s.bools.add(BOOL_NAMES[i]);
  });
  r.align(nameSize + boolCount);
  for (let i = 0; i < numCount; i++) {
    const v = num();
    if (v >= 0 && i < NUM_NAMES.length) s.nums.set(NUM_NAMES[i], v);
  }
  const offs: number[] = [];
  for (let i = 0; i < strCount; i++) offs.push(r.i16());
  const table = r.bytes(tableSize);
  offs.forEach((off, i) => {
    const v = off >= 0 && i < STR_NAMES.length ? cString(table, off) : null;
    if (v !== null) s.strs.set(STR_NAMES[i], v);
  });
  r.align(tableSize);
  if (!r.atEnd()) parseExtended(r, num, s);
  return { names, ...s };
}

/** The extended section: values first, then the names of every extended capability. */
function parseExtended(r: Reader, num: () => number, s: Sections): void {
  const boolCount = r.i16();
  const numCount = r.i16();
  const strCount = r.i16();
  r.i16(); // how many of the table's strings are used (absent values are not)
  const tableSize = r.i16();
  if (boolCount < 0 || numCount < 0 || strCount < 0 || tableSize < 0) throw BAD;
  const bools = Array.from(r.bytes(boolCount));
  r.align(boolCount);
  const nums: number[] = [];
  for (let i = 0; i < numCount; i++) nums.push(num());
  const strOffs: number[] = [];
  for (let i = 0; i < strCount; i++) strOffs.push(r.i16());
  const nameOffs: number[] = [];
  for (let i = 0; i < boolCount + numCount + strCount; i++) nameOffs.push(r.i16());
  const table = r.bytes(tableSize);
  // The names follow the last string value.
  let namesAt = 0;
  const values = strOffs.map((off) => {
    if (off < 0) return null;
    const v = cString(table, off);
    if (v === null) throw BAD;
    namesAt = Math.max(namesAt, off + v.length + 1);
    return v;
  });
  const names = nameOffs.map((off) => {
    const n = cString(table, namesAt + off);
    if (n === null) throw BAD;
    return n;
  });
  bools.forEach((v, i) => {
    if (v === 1) s.bools.add(names[i]);
  });
  nums.forEach((v, i) => {
    if (v >= 0) s.nums.set(names[boolCount + i], v);
  });
  values.forEach((v, i) => {
    if (v !== null) s.strs.set(names[boolCount + numCount + i], v);
  });
}

// -- The database ---------------------------------------------------------------------------

/** Where compiled entries are installed (ncurses' usual list). */
const SYSTEM_DIRS = ['/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo', '/usr/lib/terminfo'];

/** The directories searched, in ncurses' order: $TERMINFO, ~/.terminfo, $TERMINFO_DIRS, the system's. */
export function terminfoDirs(env: Readonly<Record<string, string | undefined>>): string[] {
  const dirs: string[] = [];
  if (env.TERMINFO) dirs.push(env.TERMINFO);
  if (env.HOME) dirs.push(`${env.HOME}/.terminfo`);
  // An empty element of TERMINFO_DIRS stands for the system's directories.
  if (env.TERMINFO_DIRS) for (const d of env.TERMINFO_DIRS.split(':')) dirs.push(...(d === '' ? SYSTEM_DIRS : [d]));
  dirs.push(...SYSTEM_DIRS);
  return [...new Set(dirs)];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** What a search found: the entry, or no database at all, or no such terminal. */
export type Lookup = TermInfo | 'no-database' | 'not-found';

/**
 * Finds terminal `name` (bytes, as a latin1 JS string) in `dirs`, under the subdirectory
 * named by its first character (or, as on macOS, by that character's hex code).
 */
export function lookupTerminal(name: string, dirs: readonly string[]): Lookup {
  const present = dirs.filter(isDir);
  if (present.length === 0) return 'no-database';
  if (name === '' || name.includes('/') || name === '.' || name === '..') return 'not-found';
  const first = name.charCodeAt(0);
  const subdirs = [name.charAt(0), first.toString(16).padStart(2, '0')];
  for (const dir of present) {
    for (const sub of subdirs) {
      let data: Buffer;
      try {
        data = readFileSync(Buffer.concat([Buffer.from(`${dir}/${sub}/`), Buffer.from(name, 'latin1')]));
      } catch {
        continue;
      }
      const ti = parseTerminfo(data);
      if (ti !== null) return ti;
    }
  }
  return 'not-found';
}
