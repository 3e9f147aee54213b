// The `converge` command (spec/tools.md §1): auto-makes and runs a program.
//
//   converge [-v] [-f] [--gc-stress] [--dis] prog.cv [args...]
//
// Errors a user can cause are reported as such, never as a JavaScript stack trace;
// CONVERGE_DEBUG=1 adds the host stack to internal errors.

import minimist from 'minimist';
import { readFileSync, realpathSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootVM, isNativeModule, runProgram } from './vm.js';
import { make, makeProgram } from './automake.js';
import { executableStart, readExecutable } from './bytecode/format-linked.js';
import { CompileError, formatCompileError } from '../compiler/stage0/errors.js';
import { LoadError, readUnit } from './bytecode/format-cvb.js';
import { VerifyError, verifyUnit } from './bytecode/verify.js';
import { disassemble } from './bytecode/disasm.js';
import { setGcStress } from './rts/gc.js';
import { HeapExhausted } from './rts/heap.js';
import { ObjectTooLarge } from './rts/alloc.js';
import { flushAll, stderr } from './builtins/out.js';
import { setEvalImportEnv } from './builtins/mod-c-eval.js';

const USAGE = 'Usage: converge [-vf] [--gc-stress] [--dis] [source file | executable file | bytecode file] [program args...]';

const HELP = `${USAGE}

  -v            report each compile and link step on stderr (repeatable)
  -f            recompile every module, ignoring cached bytecode
  --gc-stress   collect garbage at every safepoint (for testing the VM)
  --dis         disassemble a .cvb file, an executable, or the modules a .cv file compiles to
  --help        show this help

With no file, the interactive interpreter (convergei) runs.
`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(msg: string, status = 1): never {
  flushAll();
  process.stdout.write(`${msg}\n`);
  process.exit(status);
}

// The index of the program file in argv: the VM's options (all flags, none takes a value)
// come before it, optionally ended by "--". Only that prefix is given to minimist, which would
// otherwise remove the first "--" anywhere, including one meant for the program.
function programIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return i + 1;
    if (!argv[i].startsWith('-') || argv[i] === '-') return i;
  }
  return argv.length;
}

function main(argv: string[]): number {
  const progAt = programIndex(argv);
  const args = minimist(argv.slice(0, progAt), {
    boolean: ['v', 'f', 'gc-stress', 'dis', 'help'],
    stopEarly: true,
    unknown: (a) => {
      if (a.startsWith('-')) fail(`converge: unknown option '${a}'.\n${USAGE}`);
      return true;
    },
  });
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const verbose = args.v === true ? 1 : 0;
  setGcStress(args['gc-stress'] === true || process.env.CONVERGE_GC_STRESS === '1');
  const rest = [...args._.map(String), ...argv.slice(progAt)];
  // With no program, the interactive interpreter runs (spec/tools.md §5).
  if (rest.length === 0) rest.push(join(repoRoot, 'compiler', 'convergei.cv'));
  const file = rest[0];
  if (!existsSync(file) || !statSync(file).isFile()) fail(`converge: No such file '${file}'.`);

  // The compiler's modules (`Compiler::ITree`...) are importable too, after the stdlib's.
  const env = { includes: [join(repoRoot, 'stdlib'), join(repoRoot, 'compiler')], isNativeModule };
  setEvalImportEnv(env);
  bootVM({ argv: rest.slice(1), vmPath: join(repoRoot, 'bin', 'converge'), programPath: realpathSync(file) });

  // A linked executable is run as it is; anything else is source to auto-make.
  const bytes = readFileSync(file);
  const linked = executableStart(bytes) >= 0 ? readExecutable(bytes, file) : null;
  if (linked !== null) for (const u of linked) verifyUnit(u);

  if (args.dis) {
    if (linked !== null) {
      for (const u of linked) process.stdout.write(disassemble(u));
    } else if (file.endsWith('.cvb')) {
      const u = readUnit(bytes, file);
      verifyUnit(u);
      process.stdout.write(disassemble(u));
    } else {
      const units = compileOrReport(file, () => make(file, { fresh: args.f === true, verbose, env, log: (m) => process.stderr.write(`${m}\n`) }));
      if (units === null) return 1;
      for (const u of units) process.stdout.write(disassemble(u));
    }
    return 0;
  }

  const units = linked ?? compileOrReport(file, () => makeProgram(file, { fresh: args.f === true, verbose, env, log: (m) => process.stderr.write(`${m}\n`) }));
  if (units === null) return 1;
  return runProgram(units).status;
}

/** Runs `compile`; a compile error is printed (file:line:col, the line, a caret) and gives null. */
function compileOrReport<R>(file: string, compile: () => R): R | null {
  try {
    return compile();
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const where = (e as CompileError & { file?: string }).file ?? file;
    let src: Uint8Array | null = null;
    try {
      src = readFileSync(where);
    } catch {
      src = null;
    }
    process.stderr.write(formatCompileError(where, src, e));
    return null;
  }
}

let status: number;
try {
  status = main(process.argv.slice(2));
} catch (e) {
  flushAll();
  if (e instanceof HeapExhausted || e instanceof ObjectTooLarge) {
    process.stderr.write(`converge: ${e.message}\n`);
    status = 1;
  } else if (e instanceof LoadError || e instanceof VerifyError) {
    process.stderr.write(`converge: ${e.message}\n`);
    status = 1;
  } else {
    process.stderr.write(`converge: internal VM error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.CONVERGE_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    status = 70;
  }
}
flushAll();
stderr.flush();
process.exitCode = status;
