// The native module Curses (stdlib.md §4.11): setupterm and tigetstr over the terminfo
// database, read by terminfo.ts (no C library). Failures follow ncurses' setupterm: a
// terminal that cannot be found leaves the previous one set up; a hardcopy terminal, or
// a generic one that is capable after all, is set up but reported ("Terminal is
// hardcopy.", as upstream maps ncurses' status 1); a generic one is not set up.

import { ClassF } from '../rts/layout.js';
import { setV } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { strFromJs } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { EXC, K, ConvergeThrow, callMethodNamed, mkException, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { typeError } from './operators.js';
import { defModule } from './native-kit.js';
import { VM_FAIL, absent, isStr, strArg } from './types-common.js';
import { isInt } from '../rts/objects.js';
import { lookupTerminal, terminfoDirs, type TermInfo } from './terminfo.js';

let CursesException: Value = NONE;
/** The terminal set up by the last setupterm, if any. */
let current: TermInfo | null = null;

function cursesError(msg: string): never {
  throw new ConvergeThrow(mkException(CursesException, msg));
}

/** ncurses' status for a terminal that was found: 1 = usable, 0 = too generic, -1 never. */
function usability(ti: TermInfo): 'ok' | 'hardcopy' | 'generic' {
  if (ti.bools.has('gn')) {
    const s = ti.strs;
    const addressable = s.has('cup') || (s.has('cud1') && s.has('home'));
    return addressable && s.has('clear') ? 'hardcopy' : 'generic';
  }
  return ti.bools.has('hc') ? 'hardcopy' : 'ok';
}

/** setupterm(term := null, file := null): terminal `term` (else $TERM) for `file` (else stdout). */
function setupterm(a: Value[]): Value {
  const termArg = a.length > 0 ? a[0] : K.null;
  const fileArg = a.length > 1 ? a[1] : K.null;
  if (!absent(termArg) && !isStr(termArg)) typeError('String', termArg);
  const env = process.env.TERM;
  const name = !absent(termArg) ? strArg(termArg) : env === undefined ? '' : Buffer.from(env, 'utf8').toString('latin1');
  // The file must give a descriptor, though which one does not change what the database says.
  if (!absent(fileArg)) {
    const fd = callMethodNamed(fileArg, 'fileno', []);
    if (fd === NONE) raise('VM_Exception', VM_FAIL);
    if (!isInt(fd)) typeError('Int', fd);
  }
  if (name === '') cursesError("Can't find terminfo database.");
  const found = lookupTerminal(name, terminfoDirs(process.env));
  if (found === 'no-database') cursesError("Can't find terminfo database.");
  if (found === 'not-found') cursesError('Terminal not found or not enough information known about it.');
  switch (usability(found)) {
    case 'ok':
      current = found;
      return K.null;
    case 'hardcopy':
      current = found;
      return cursesError('Terminal is hardcopy.');
    case 'generic':
      current = null;
      return cursesError('Terminal not found or not enough information known about it.');
  }
}

/** tigetstr(cap): the string capability `cap` of the terminal set up. */
function tigetstr(a: Value[]): Value {
  const cap = strArg(a[0]);
  const v = current?.strs.get(cap);
  // Upstream crashes for a known capability the terminal lacks; it is as good as absent.
  if (v === undefined) cursesError(`'${cap}' not found or absent.`);
  return strFromJs(v);
}

export function installCurses(): void {
  CursesException = mkClass('Curses_Exception', [EXC.User_Exception], Creator.Exception);
  const mod = defModule('Curses', { setupterm: [0, 2, setupterm], tigetstr: [1, 1, tigetstr] }, { Curses_Exception: CursesException });
  setV(CursesException, ClassF.container, mod);
}
