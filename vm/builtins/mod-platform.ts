// The native modules C_Platform_Env, C_Platform_Exec, C_Platform_Host and
// C_Platform_Properties (stdlib.md §4.9), wrapped by stdlib/Platform/*.cv. Converge
// strings are bytes; Node's environment, command lines and host name are text, so they
// cross as UTF-8 (what a C program would have seen as bytes).

import { spawnSync } from 'node:child_process';
import { constants as OS, endianness, hostname, type as osType } from 'node:os';
import type { Value } from '../rts/value.js';
import { NONE } from '../rts/value.js';
import { mkInt, strFromJs } from '../rts/objects.js';
import { EXC, K, ConvergeThrow, mkException, raise } from './kernel.js';
import { flushAll } from './out.js';
import { strerror } from './strerror.js';
import { defModule } from './native-kit.js';
import { strArg } from './types-common.js';

/** A Converge byte string (as a latin1 JS string) as the text Node passes to the OS. */
function toOs(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** Text from the OS as a Converge byte string (latin1 JS string). */
function fromOs(s: string): Value {
  return strFromJs(Buffer.from(s, 'utf8').toString('latin1'));
}

// -- C_Platform_Env -----------------------------------------------------------------------

function envValue(a: Value[]): Value {
  const v = process.env[toOs(strArg(a[0]))];
  return v === undefined ? NONE : fromOs(v);
}

export function installCPlatformEnv(): void {
  defModule('C_Platform_Env', {
    find_var: [1, 1, envValue],
    get_var: [1, 1, (a) => {
      const v = envValue(a);
      // As Dict.get: Key_Exception.new(name) words the message.
      if (v === NONE) throw new ConvergeThrow(mkException(EXC.Key_Exception, `Key '"${strArg(a[0])}"' not found.`));
      return v;
    }],
    set_var: [2, 2, (a) => {
      const name = strArg(a[0]);
      const v = strArg(a[1]);
      // C's setenv refuses these names; a NUL could not reach the OS either.
      if (name === '' || name.includes('=') || name.includes('\0') || v.includes('\0')) raise('Exception', strerror({ code: 'EINVAL' }));
      process.env[toOs(name)] = toOs(v);
      return K.null;
    }],
  });
}

// -- C_Platform_Exec ----------------------------------------------------------------------

/** sh_cmd(cmd): runs `cmd` with /bin/sh as C's system() does; the command's exit status. */
function shCmd(a: Value[]): Value {
  const cmd = toOs(strArg(a[0]));
  // Everything written so far must come out before what the command writes.
  flushAll();
  const r = spawnSync('/bin/sh', ['-c', cmd], { stdio: 'inherit' });
  if (r.error !== undefined) raise('Exception', strerror(r.error));
  if (r.status !== null) return mkInt(r.status);
  // Killed by a signal: the shell's convention, 128 + the signal's number.
  const signo = r.signal === null ? 0 : (OS.signals as Record<string, number>)[r.signal] ?? 0;
  return mkInt(128 + signo);
}

export function installCPlatformExec(): void {
  defModule('C_Platform_Exec', { sh_cmd: [1, 1, shCmd] });
}

// -- C_Platform_Host, C_Platform_Properties -----------------------------------------------

export function installCPlatformHost(): void {
  defModule('C_Platform_Host', { get_hostname: [0, 0, () => fromOs(hostname())] });
}

export function installCPlatformProperties(): void {
  defModule(
    'C_Platform_Properties',
    {},
    {
      word_bits: mkInt(64), // Converge Ints are 64-bit words here, whatever the machine
      LITTLE_ENDIAN: strFromJs('LITTLE_ENDIAN'),
      BIG_ENDIAN: strFromJs('BIG_ENDIAN'),
      endianness: strFromJs(endianness() === 'BE' ? 'BIG_ENDIAN' : 'LITTLE_ENDIAN'),
      osname: fromOs(osType()), // as `uname -s`
      case_sensitive_filenames: mkInt(process.platform === 'win32' ? 0 : 1),
    },
  );
}
