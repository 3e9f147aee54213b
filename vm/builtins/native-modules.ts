// The VM-implemented modules beyond Builtins, Exceptions and Sys (stdlib.md §4), each
// installed the first time a loaded unit imports it.

import { registerNativeModule } from '../bytecode/modules.js';
import { installCTime, installCStrings } from './mod-c-time-strings.js';
import { installPCRE } from './mod-pcre.js';

export function registerNativeModules(): void {
  registerNativeModule('C_Time', installCTime);
  registerNativeModule('C_Strings', installCStrings);
  registerNativeModule('PCRE', installPCRE);
}
