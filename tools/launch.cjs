// Starts the VM bundle (build/converge.cjs) with a V8 code cache beside it, so that a
// run does not re-parse and re-compile the bundle's functions: about 13 ms of start-up.
// The cache is written after a run that found none (or one V8 rejected because the
// bundle or the flags changed), atomically; failing to write it is not an error.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const file = path.join(__dirname, 'converge.cjs');
const cacheFile = `${file}.v8cache`;
let cached;
try {
  cached = fs.readFileSync(cacheFile);
} catch {
  cached = undefined;
}
// The same wrapper Node puts around a CommonJS module.
const source = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, 'utf8')}\n})`;
const script = new vm.Script(source, { filename: file, cachedData: cached });
if (cached === undefined || script.cachedDataRejected) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* nothing was written */
      }
    }
  });
}
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, __dirname);
