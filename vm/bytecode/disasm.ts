// The disassembler: a unit as text, one instruction per line, names from the opcode table.

import { OPS, BUILTINS, ARITH_OPS, cmpName } from './opcodes.js';
import type { Const, UnitDef } from './unit.js';

function constText(c: Const): string {
  if (c.kind === 'string') return JSON.stringify(Buffer.from(c.value).toString('latin1'));
  return c.kind === 'int' ? c.value.toString() : String(c.value);
}

export function disassemble(u: UnitDef): string {
  const out: string[] = [];
  out.push(`module ${u.name} (${u.modId})`);
  out.push(`  source ${u.srcPath}`);
  u.imports.forEach((m, i) => out.push(`  import ${i}: ${m}`));
  out.push(`  top-level variables: ${u.topVars.join(', ')}`);
  u.consts.forEach((c, i) => out.push(`  const ${i}: ${c.kind} ${constText(c)}`));
  u.codes.forEach((c, ci) => {
    out.push('');
    const flags = [c.isBound ? 'bound' : '', c.varargs ? 'varargs' : '', c.hasLoop ? 'loop' : ''].filter((x) => x).join(' ');
    out.push(`function ${ci} '${c.name || (ci === 0 ? '<init>' : '<anon>')}' params=${c.nParams} vars=${c.nVars} stack=${c.maxStack}${flags ? ' ' + flags : ''}`);
    out.push(`  variables: ${c.varNames.join(', ')}`);
    for (let k = 0; k < c.failRanges.length; k += 4) {
      out.push(`  fails [${c.failRanges[k]}, ${c.failRanges[k + 1]}) -> ${c.failRanges[k + 2]}, depth ${c.failRanges[k + 3]}`);
    }
    let pc = 0;
    while (pc < c.ops.length) {
      const op = c.ops[pc];
      const def = OPS[op];
      if (def === undefined) {
        out.push(`  ${String(pc).padStart(5)}  <bad opcode ${op}>`);
        break;
      }
      const args = def.operands.map((kind, k) => {
        const v = c.ops[pc + 1 + k];
        if ((kind === 'const' || kind === 'name') && u.consts[v]) return `${v} (${constText(u.consts[v])})`;
        if (kind === 'builtin') return `${v} (${BUILTINS[v] ?? '?'})`;
        if (kind === 'cmp') return cmpName(v);
        if (kind === 'arith') return ARITH_OPS[v] ?? `${v}?`;
        if (kind === 'import') return `${v} (${u.imports[v] ?? '?'})`;
        return String(v);
      });
      out.push(`  ${String(pc).padStart(5)}  ${def.name.padEnd(20)}${args.join(', ')}`);
      pc += 1 + def.operands.length;
    }
  });
  return out.join('\n') + '\n';
}
