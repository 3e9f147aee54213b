// State the interpreter's parts share: the current frame (a GC root), the builtin being
// called (for backtraces), and how the last HOST_GEN run ended.

/** Mutable interpreter state. */
export const vs = {
  /** The frame being executed; its parents and suspended generators hang off it. */
  curFrame: 0,
  /** The builtin being called, for backtraces (index + 1; 0 = none). */
  curBuiltin: 0,
  /** Set when run() returns because a HOST_GEN frame yielded (rather than returned). */
  hostYielded: false,
};


/** Builtins the interpreter treats specially (set by vm.ts after boot). */
export const special = { classNew: -1, objectInit: -1, listGet: 0, dictGet: 0, listSet: 0, dictSet: 0, stringGet: 0 };
