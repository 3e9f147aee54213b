// The native module libXML2 (stdlib.md §4.12): XML_Exception and parse(xml, nodes_module),
// which runs the parser of xml-parser.ts and builds the tree by calling the Converge
// classes of `nodes_module` (normally XML::Nodes) in the order upstream's SAX callbacks
// do: for each start tag, Attr.new for each attribute, a Set of them, Elem.new, then
// parent.append(elem); for each piece of text, top.append(string); finally Doc.new(list of
// top-level nodes). As upstream, an element or attribute without a prefix gets prefix and
// namespace "" (a default namespace is not passed on). Malformed XML raises XML_Exception
// (upstream crashes).

import { ClassF, T } from '../rts/layout.js';
import { setV } from '../rts/ll.js';
import { NONE, type Value } from '../rts/value.js';
import { allocList, allocString, strBytes, sym } from '../rts/objects.js';
import { Creator } from '../rts/classes.js';
import { addPermanentRoot, shadowGet, shadowMark, shadowPopTo, shadowPush } from '../rts/gc.js';
import { moduleLookup } from '../bytecode/modules.js';
import { ConvergeThrow, EXC, K, getSlot, hooks, mkException, raise } from './kernel.js';
import { mkClass } from './boot.js';
import { newTable, tableSet } from './hashtable.js';
import { typeError } from './operators.js';
import { VM_FAIL, isModule, isStr } from './types-common.js';
import { defModule } from './native-kit.js';
import { parseXml, XmlError, type XmlAttribute } from './xml-parser.js';

let XMLException: Value = NONE;

const S_NEW = sym('new');
const S_APPEND = sym('append');
const S_ATTR = sym('Attr');
const S_ELEM = sym('Elem');
const S_DOC = sym('Doc');

/** A byte string (see xml-parser.ts) as a Converge String. */
function str(s: string): Value {
  return allocString(Buffer.from(s, 'latin1'));
}

/** Calls `f(args)`, which must not fail (upstream's get_slot_apply). */
function mustCall(f: Value, args: readonly Value[]): Value {
  const r = hooks.call(f, args);
  if (r === NONE) raise('VM_Exception', VM_FAIL);
  return r;
}

/** `mod::name.new(args)`. */
function create(pMod: number, name: number, args: readonly Value[]): Value {
  return mustCall(getSlot(moduleLookup(shadowGet(pMod), name), S_NEW), args);
}

function append(container: Value, v: Value): void {
  mustCall(getSlot(container, S_APPEND), [v]);
}

function parse(a: Value[]): Value {
  if (!isStr(a[0])) typeError('String', a[0]);
  if (!isModule(a[1])) typeError('Module', a[1]);
  const xml = strBytes(a[0]);
  const mark = shadowMark();
  try {
    const pMod = shadowPush(a[1]);
    const pTop = shadowPush(allocList(K.List, 1));
    // Shadow-stack positions of the open elements' containers, outermost first; an
    // element's position is the top of the stack while it is open, so closing it pops
    // exactly what it pushed.
    const open: number[] = [pTop];
    parseXml(xml, {
      startElement(local: string, prefix: string, uri: string, attrs: readonly XmlAttribute[]): void {
        const first = shadowMark();
        for (const at of attrs) {
          const ns = at.prefix === '' ? '' : at.uri;
          shadowPush(create(pMod, S_ATTR, [str(at.local), str(at.value), str(at.prefix), str(ns)]));
        }
        const pSet = shadowPush(newTable(T.Set, K.Set, attrs.length));
        for (let i = 0; i < attrs.length; i++) tableSet(shadowGet(pSet), shadowGet(first + i), NONE);
        const ns = prefix === '' ? '' : uri;
        const elem = create(pMod, S_ELEM, [str(local), shadowGet(pSet), str(prefix), str(ns)]);
        shadowPopTo(first);
        const pElem = shadowPush(elem);
        append(shadowGet(open[open.length - 1]), elem);
        open.push(pElem);
      },
      endElement(): void {
        shadowPopTo(open.pop()!);
      },
      characters(text: string): void {
        append(shadowGet(open[open.length - 1]), str(text));
      },
    });
    return create(pMod, S_DOC, [shadowGet(pTop)]);
  } catch (e) {
    if (e instanceof XmlError) throw new ConvergeThrow(mkException(XMLException, str(e.message)));
    throw e;
  } finally {
    shadowPopTo(mark);
  }
}

export function installLibXML2(): void {
  XMLException = mkClass('XML_Exception', [EXC.User_Exception], Creator.Exception);
  addPermanentRoot(XMLException);
  const mod = defModule('libXML2', { parse: [2, 2, parse] }, { XML_Exception: XMLException });
  setV(XMLException, ClassF.container, mod);
}
