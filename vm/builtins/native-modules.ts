// The VM-implemented modules beyond Builtins, Exceptions and Sys (stdlib.md §4), each
// installed the first time a loaded unit imports it.

import { registerNativeModule } from '../bytecode/modules.js';
import { installCTime, installCStrings } from './mod-c-time-strings.js';
import { installArray } from './mod-array.js';
import { installRandom } from './mod-random.js';
import { installVM } from './mod-vm.js';
import { installThread } from './mod-thread.js';
import { installCBacktrace } from './mod-backtrace.js';
import { installCurses } from './mod-curses.js';
import { installCPlatformEnv, installCPlatformExec, installCPlatformHost, installCPlatformProperties } from './mod-platform.js';
import { installEarleyParser } from './mod-earley-parser.js';
import { installLibXML2 } from './mod-libxml2.js';
import { installPCRE } from './mod-pcre.js';
import { installCEval } from './mod-c-eval.js';

export function registerNativeModules(): void {
  registerNativeModule('C_Time', installCTime);
  registerNativeModule('C_Strings', installCStrings);
  registerNativeModule('Array', installArray);
  registerNativeModule('Random', installRandom);
  registerNativeModule('VM', installVM);
  registerNativeModule('Thread', installThread);
  registerNativeModule('C_Platform_Env', installCPlatformEnv);
  registerNativeModule('C_Platform_Exec', installCPlatformExec);
  registerNativeModule('C_Platform_Host', installCPlatformHost);
  registerNativeModule('C_Platform_Properties', installCPlatformProperties);
  registerNativeModule('Curses', installCurses);
  registerNativeModule('C_Backtrace', installCBacktrace);
  registerNativeModule('C_Earley_Parser', installEarleyParser);
  registerNativeModule('libXML2', installLibXML2);
  registerNativeModule('PCRE', installPCRE);
  registerNativeModule('C_Eval', installCEval);
}
