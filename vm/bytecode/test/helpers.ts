// Shared by the bytecode unit tests: finding the repository, compiling Converge source
// with stage 0 (imports stubbed to module ids), and building units by hand.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../../../compiler/stage0/parser.js';
import { compileModule } from '../../../compiler/stage0/codegen.js';
import type { CodeDef, Const, UnitDef } from '../unit.js';

/** The repository root: the nearest directory above this (bundled) file with a package.json. */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'vm'))) return d;
    const up = dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
}

/** Compiles Converge source to a unit; every import resolves to its first path component. */
export function compileSource(src: string | Uint8Array, name = 'test'): UnitDef {
  const bytes = typeof src === 'string' ? Buffer.from(src, 'latin1') : src;
  return compileModule(parse(bytes), {
    name,
    modId: `/virtual/${name}.cv`,
    srcPath: `/virtual/${name}.cv`,
    srcMtime: 1700000000000.5,
    resolveImport: (path) => ({ modId: path[0], defns: path.slice(1) }),
  });
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.cv')) out.push(p);
  }
}

/** Every program under bench/ (top level) and regress/ (recursively), repo-relative. */
export function programFiles(): string[] {
  const root = repoRoot();
  const out: string[] = [];
  try {
    for (const n of readdirSync(join(root, 'bench')).sort()) if (n.endsWith('.cv')) out.push(join(root, 'bench', n));
  } catch {
    /* no bench folder */
  }
  walk(join(root, 'regress'), out);
  return out.map((p) => relative(root, p));
}

export interface Compiled {
  readonly file: string;
  readonly unit: UnitDef;
}

/** Compiles every program that stage 0 accepts; the rest are returned by name. */
export function compilePrograms(): { ok: Compiled[]; skipped: string[] } {
  const root = repoRoot();
  const ok: Compiled[] = [];
  const skipped: string[] = [];
  for (const file of programFiles()) {
    try {
      ok.push({ file, unit: compileSource(readFileSync(join(root, file)), file.replace(/[^A-Za-z0-9_]/g, '_')) });
    } catch {
      skipped.push(file);
    }
  }
  return { ok, skipped };
}

/** A few programs that exercise most instructions (closures, generators, exceptions...). */
export const SAMPLE_SOURCES: Record<string, string> = {
  hello: 'import Sys\n\nfunc main():\n    Sys::println("Hello world!")\n',
  closures: [
    'import Sys',
    '',
    'func make_counter(start):',
    '    n := start',
    '    func inc(by := 1):',
    '        n += by',
    '        return n',
    '    return inc',
    '',
    'func main():',
    '    c := make_counter(10)',
    '    c()',
    '    Sys::println(c(5))',
    '',
  ].join('\n'),
  control: [
    'import Sys, Exceptions',
    '',
    'class Point:',
    '    func init(self, x, y):',
    '        self.x := x',
    '        self.y := y',
    '    func norm1(self):',
    '        return self.x + self.y',
    '',
    'func gen(n):',
    '    i := 0',
    '    while i < n:',
    '        yield i',
    '        i += 1',
    '    fail',
    '',
    'func main():',
    '    total := 0',
    '    for x := gen(10) & x % 2 == 0:',
    '        total += x',
    '    l := [1, 2, 3]',
    '    d := Dict{"a" : 1, "b" : 2}',
    '    s := Set{1, 2}',
    '    a, b, c := l',
    '    if total > 3 & a < b:',
    '        total -= 1',
    '    elif total == 0:',
    '        total := -1',
    '    else:',
    '        pass',
    '    try:',
    '        raise Exceptions::User_Exception.new("x")',
    '    catch Exceptions::User_Exception into e:',
    '        total *= 2',
    '    x := 1 | 2 | 3',
    '    p := Point.new(1, 2.5)',
    '    Sys::println(total, d["a"], p.norm1(), l[1 : 2], x, 12345678901234, "s" + "t")',
    '',
  ].join('\n'),
};

// -- Hand-made units --------------------------------------------------------------

export interface CodeOpts {
  name?: string;
  maxStack?: number;
  nVars?: number;
  nParams?: number;
  varargs?: boolean;
  isBound?: boolean;
  hasLoop?: boolean;
}

/** A function from raw instruction words. */
export function mkCode(ops: readonly number[], o: CodeOpts = {}): CodeDef {
  const nVars = o.nVars ?? 0;
  const nParams = o.nParams ?? 0;
  const positions = new Int32Array(2 * ops.length);
  for (let i = 0; i < ops.length; i++) {
    positions[2 * i] = i;
    positions[2 * i + 1] = 1;
  }
  return {
    name: o.name ?? 'f',
    ops: Int32Array.from(ops),
    positions,
    maxStack: o.maxStack ?? 16,
    nVars,
    nParams,
    defaults: new Uint8Array(nParams),
    failRanges: new Int32Array(0),
    varargs: o.varargs ?? false,
    isBound: o.isBound ?? false,
    hasLoop: o.hasLoop ?? false,
    varNames: Array.from({ length: nVars }, (_, i) => `v${i}`),
  };
}

export interface UnitOpts {
  consts?: readonly Const[];
  imports?: readonly string[];
}

/** A unit whose init code is `codes[0]`; its top-level variables match codes[0].nVars. */
export function mkUnit(codes: CodeDef[], o: UnitOpts = {}): UnitDef {
  return {
    name: 'hand',
    modId: '/virtual/hand.cv',
    srcPath: '/virtual/hand.cv',
    consts: o.consts ?? [{ kind: 'string', value: Buffer.from('name') }, { kind: 'int', value: 1n << 40n }],
    imports: o.imports ?? ['Sys'],
    topVars: Array.from({ length: codes[0].nVars }, (_, i) => `t${i}`),
    codes,
    srcMtime: 0,
  };
}

/** The unit with every byte array as a plain Uint8Array (the compiler makes Buffers), for deepEqual. */
export function plain(u: UnitDef): UnitDef {
  return {
    ...u,
    consts: u.consts.map((c) => (c.kind === 'string' ? { kind: 'string', value: Uint8Array.from(c.value) } : c)),
    codes: u.codes.map((c) => ({ ...c, defaults: Uint8Array.from(c.defaults), ops: Int32Array.from(c.ops), positions: Int32Array.from(c.positions) })),
  };
}
