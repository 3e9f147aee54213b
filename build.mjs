// Bundles the VM, the tools and the unit tests with esbuild.
// Entry points are listed here once; `make` calls this script.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inlineLlPlugin } from './tools/inline-ll.mjs';

const watchTests = process.argv.includes('--tests');

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'build') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['koffi'],
  logLevel: 'warning',
  // ll operations are expanded in place (tools/inline-ll.mjs), and functions read the
  // heap views through local constants (tools/local-views.mjs).
  plugins: [inlineLlPlugin([resolve('vm/rts/ll.ts'), resolve('vm/rts/value.ts')], resolve('vm/rts/heap.ts'))],
  // esbuild's ESM output needs `require` for koffi (a CommonJS native module).
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

mkdirSync('build', { recursive: true });
// The struct layouts are derived from the schema first: everything else depends on them.
await esbuild.build({ ...common, entryPoints: ['tools/gen-layout.ts'], outfile: 'build/gen-layout.mjs', sourcemap: false });
if (!process.argv.includes('--no-layout')) {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['build/gen-layout.mjs'], { stdio: 'inherit' });
}
// Caches record which compiler made them: a hash of everything that decides the bytecode.
const { createHash } = await import('node:crypto');
const { readFileSync } = await import('node:fs');
const idHash = createHash('sha256');
for (const dir of ['compiler/stage0', 'vm/bytecode']) {
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.ts')) idHash.update(readFileSync(join(dir, name)));
}
const compilerId = idHash.digest('hex').slice(0, 16);

// The VM itself is CommonJS: Node starts a CommonJS bundle about 25 ms faster than an ES
// module (no ESM loader), and start-up time is part of every `converge` run.
await esbuild.build({
  ...common,
  format: 'cjs',
  entryPoints: { converge: 'vm/main.ts' },
  outdir: 'build',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__importMetaUrl', __CONVERGE_COMPILER_ID__: JSON.stringify(compilerId) },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});

// The launcher bin/converge runs: the bundle with a V8 code cache (tools/launch.cjs).
const { copyFileSync, rmSync, writeFileSync } = await import('node:fs');
copyFileSync('tools/launch.cjs', 'build/launch.cjs');
// The code cache is made here, from a run of an empty program, rather than by whichever
// run comes first: what the cache holds changes how V8 later optimises the dispatch loop
// (fannkuch_redux took 0.53 s with this cache, 0.65 s with one left by richards and
// 0.69-1.05 s with others). The first run compiles the program; the second, which
// compiles nothing, writes the cache.
{
  const { execFileSync } = await import('node:child_process');
  mkdirSync('build/cache-run', { recursive: true });
  writeFileSync('build/cache-run/empty.cv', 'func main():\n    pass\n');
  rmSync('build/converge.cjs.v8cache', { force: true });
  execFileSync('bin/converge', ['build/cache-run/empty.cv'], { stdio: 'inherit' });
  rmSync('build/converge.cjs.v8cache', { force: true });
  execFileSync('bin/converge', ['build/cache-run/empty.cv'], { stdio: 'inherit' });
}

const tools = ['tools/regress.ts', 'tools/bench.ts', 'tools/gen-docs.ts'].filter((p) => { try { return statSync(p).isFile(); } catch { return false; } });
if (tools.length > 0) {
  await esbuild.build({ ...common, entryPoints: tools, outdir: 'build/tools', outExtension: { '.js': '.mjs' } });
}

if (watchTests) {
  const tests = findTests('.').filter((p) => !p.startsWith('node_modules'));
  if (tests.length > 0) {
    await esbuild.build({ ...common, external: ['koffi', 'ava', 'typescript'], entryPoints: tests, outdir: 'build/test', outbase: '.', outExtension: { '.js': '.mjs' } });
  }
}
