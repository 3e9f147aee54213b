// The heap struct schema (DESIGN D2): every object layout is declared here, once.
// tools/gen-layout.ts derives vm/rts/layout.ts from it: byte offsets as const enums
// (inlined by esbuild), the GC's pointer maps, and (later) the JIT's field descriptors.
// No other file computes an offset.
//
// Every object starts with a header word: bits 0-6 the type id, bit 7 unused (the
// collector keeps its marks in a bitmap), bits 8-31 the object size in 8-byte units. Field kinds:
//   value  a tagged Value: traced by the GC
//   i32    a raw 32-bit integer: not traced
//   f64    a double, 8-byte aligned
// A struct may end with a tail: 'values' (traced up to the end of the object; unused
// words must be 0) or 'bytes' (never traced). Objects whose first fields are `map` and
// `spill` are "slotted": they can carry Converge slots; `map` also gives their class.

export type FieldKind = 'value' | 'i32' | 'f64';

export interface StructDecl {
  readonly id: number;
  readonly doc: string;
  readonly fields: readonly (readonly [string, FieldKind])[];
  readonly tail?: 'values' | 'bytes';
  /** Slotted objects keep slots inline from their tail (Object, Exception). */
  readonly inlineSlots?: boolean;
}

const SLOTTED: readonly (readonly [string, FieldKind])[] = [
  ['map', 'value'],
  ['spill', 'value'],
];

export const STRUCTS = {
  Free: { id: 0, doc: 'a free block left by the sweeper', fields: [] },
  Int64: { id: 1, doc: 'an integer outside the small-int range', fields: [['pad', 'i32'], ['lo', 'i32'], ['hi', 'i32']] },
  Float: { id: 2, doc: 'a boxed IEEE double', fields: [['pad', 'i32'], ['val', 'f64']] },
  String: { id: 3, doc: 'an immutable byte string; hash 0 = not yet computed', fields: [['len', 'i32'], ['hash', 'i32']], tail: 'bytes' },
  Object: { id: 4, doc: 'a plain instance; slots inline in the tail, the rest in spill', fields: [...SLOTTED], tail: 'values', inlineSlots: true },
  Exception: { id: 5, doc: 'an exception instance with its recorded call chain', fields: [...SLOTTED, ['chain', 'value']], tail: 'values', inlineSlots: true },
  Class: {
    id: 6,
    doc: 'a class: fields in fieldMap/fieldVals, version replaced on every set_field; initFunc caches the init field found under initVersion',
    fields: [
      ...SLOTTED,
      ['name', 'value'],
      ['container', 'value'],
      ['supers', 'value'],
      ['fieldMap', 'value'],
      ['fieldVals', 'value'],
      ['version', 'value'],
      ['instMap', 'value'],
      ['subclasses', 'value'],
      ['initFunc', 'value'],
      ['initVersion', 'value'],
      ['creator', 'i32'],
      ['instSlots', 'i32'],
    ],
  },
  Version: { id: 7, doc: 'an identity object marking one state of a class (quasi-immutable)', fields: [['pad', 'i32']] },
  Map: { id: 8, doc: 'a shape: which slot names an object has, and its class', fields: [['cls', 'value'], ['id', 'i32'], ['count', 'i32']] },
  VArray: { id: 9, doc: 'a fixed-capacity array of values; len in use', fields: [['len', 'i32']], tail: 'values' },
  List: { id: 10, doc: 'a growable list', fields: [...SLOTTED, ['len', 'i32'], ['items', 'value']] },
  Dict: {
    id: 11,
    doc: 'an insertion-ordered hash table; entries are [hash, key, value] triples',
    fields: [...SLOTTED, ['count', 'i32'], ['used', 'i32'], ['entries', 'value'], ['index', 'value']],
  },
  Set: {
    id: 12,
    doc: 'an insertion-ordered hash set; entries are [hash, key, unused] triples',
    fields: [...SLOTTED, ['count', 'i32'], ['used', 'i32'], ['entries', 'value'], ['index', 'value']],
  },
  Bytes: { id: 13, doc: 'raw bytes (hash indexes, packed arrays)', fields: [['len', 'i32']], tail: 'bytes' },
  Func: {
    id: 14,
    doc: 'a function: bytecode (code >= 0) or builtin (code < 0: -1 - builtin index)',
    fields: [...SLOTTED, ['code', 'i32'], ['flags', 'i32'], ['numParams', 'i32'], ['closure', 'value'], ['name', 'value'], ['container', 'value']],
  },
  Partial: { id: 15, doc: 'a partial application (bound method): func plus leading args', fields: [...SLOTTED, ['func', 'value'], ['args', 'value']] },
  Module: {
    id: 16,
    doc: 'a module; unit indexes the loaded bytecode unit, vars its top-level variables',
    fields: [...SLOTTED, ['name', 'value'], ['modId', 'value'], ['srcPath', 'value'], ['vars', 'value'], ['consts', 'value'], ['unit', 'i32'], ['state', 'i32']],
  },
  Vars: { id: 17, doc: 'a closure environment: one call of one function', fields: [['parent', 'value'], ['n', 'i32']], tail: 'values' },
  Frame: {
    id: 18,
    doc: 'a call frame with its fixed-size operand stack (DESIGN D4)',
    fields: [
      ['parent', 'value'],
      ['vars', 'value'],
      ['pc', 'i32'],
      ['sp', 'i32'],
      ['ffp', 'i32'],
      ['gfp', 'i32'],
      ['xfp', 'i32'],
      ['mode', 'i32'],
      ['ops', 'i32'],
      ['depth', 'i32'],
      ['nlocals', 'i32'],
    ],
    tail: 'values',
  },
  GenState: {
    id: 19,
    doc: 'the state of a suspended builtin generator',
    fields: [['kind', 'i32'], ['i', 'i32'], ['j', 'i32'], ['k', 'i32'], ['a', 'value'], ['b', 'value'], ['c', 'value']],
  },
  Handle: { id: 20, doc: 'a slotted object wrapping a host resource (file, pattern) by index', fields: [...SLOTTED, ['handle', 'i32'], ['kind', 'i32']] },
  Array: {
    id: 21,
    doc: 'a packed numeric array (Array module): len elements of element kind elem, stored in the Bytes object data (never traced)',
    fields: [...SLOTTED, ['len', 'i32'], ['elem', 'i32'], ['data', 'value']],
  },
} as const satisfies Record<string, StructDecl>;

export type StructName = keyof typeof STRUCTS;

export interface FieldLayout {
  readonly name: string;
  readonly kind: FieldKind;
  readonly offset: number;
}

export interface StructLayout {
  readonly name: string;
  readonly id: number;
  readonly doc: string;
  readonly fields: readonly FieldLayout[];
  /** Byte size of the fixed part (where the tail starts). */
  readonly size: number;
  readonly tail: 'values' | 'bytes' | null;
  readonly inlineSlots: boolean;
}

/** Lays out one struct: header at 0, fields in order, doubles 8-aligned. */
export function layoutOf(name: string, decl: StructDecl): StructLayout {
  let off = 4;
  const fields: FieldLayout[] = [];
  for (const [fname, kind] of decl.fields) {
    if (kind === 'f64') off = (off + 7) & ~7;
    fields.push({ name: fname, kind, offset: off });
    off += kind === 'f64' ? 8 : 4;
  }
  return { name, id: decl.id, doc: decl.doc, fields, size: off, tail: decl.tail ?? null, inlineSlots: decl.inlineSlots ?? false };
}

export function allLayouts(): StructLayout[] {
  return Object.entries(STRUCTS).map(([n, d]) => layoutOf(n, d as StructDecl));
}
