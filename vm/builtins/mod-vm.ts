// The VM module (stdlib.md §4.4): the running VM's module table, for code that loads
// modules itself (the compiler's compile-time evaluation). Modules are keyed by their
// mod_id; adding one does not initialise it, import_module does.

import { GenStateF, ModuleF } from '../rts/layout.js';
import { getV, getI, setI } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { allocList, listGet, listLen, listPush, strToJs } from '../rts/objects.js';
import { K, hooks, raise } from './kernel.js';
import { defGen, newGen } from './gen.js';
import { toStrJs, typeError } from './operators.js';
import { defModule } from './native-kit.js';
import { allModules, findModule, forgetModule, moduleTable } from '../bytecode/modules.js';
import { forEachValue, isModule, strArg } from './types-common.js';

function moduleArg(v: Value): Value {
  if (!isModule(v)) typeError('Module', v);
  return v;
}

/** iter_mods: a = a List of the modules known when it started, i = next index. */
const GEN_MODS = defGen((g) => {
  const l = getV(g, GenStateF.a);
  const i = getI(g, GenStateF.i);
  if (i >= listLen(l)) return NONE;
  setI(g, GenStateF.i, i + 1);
  return listGet(l, i);
});

export function installVM(): void {
  defModule('VM', {
    add_modules: [1, 1, (a) => {
      forEachValue(a[0], (m) => {
        moduleTable.set(strToJs(getV(moduleArg(m), ModuleF.modId)), m);
      });
      return K.null;
    }],
    del_mod: [1, 1, (a) => {
      if (!forgetModule(strArg(a[0]))) raise('Key_Exception', `Key '${toStrJs(a[0])}' not found.`);
      return K.null;
    }],
    find_module: [1, 1, (a) => findModule(strArg(a[0]))],
    import_module: [1, 1, (a) => {
      hooks.importModule(moduleArg(a[0]));
      return a[0];
    }],
    iter_mods: [0, 0, () => {
      const mods = allModules();
      const l = allocList(K.List, mods.length);
      for (const m of mods) listPush(l, m);
      return newGen(GEN_MODS, l);
    }, GEN_MODS],
  });
}
