// A non-validating XML 1.0 (fifth edition) + Namespaces parser for the libXML2 module
// (stdlib.md §4.12). It checks well-formedness and namespace well-formedness and reports
// SAX2-style events with the same granularity as libxml2's xmlSAXUserParseMemory with a
// handler that sets only characters, startElementNs and endElementNs (what upstream's
// module installs), because each `characters` call becomes a separate child String:
//
// * character data between markup is one call, except that a CR LF pair in a pure-ASCII
//   run starts a new call at its LF, and once a run meets a non-ASCII character (or a lone
//   CR) the rest of the run goes out in calls flushed as soon as they hold 300 bytes
//   (libxml2's fast and slow paths);
// * every character or predefined entity reference is a call of its own;
// * a CDATA section is one call, even when empty;
// * nothing outside the root element (whitespace, comments, PIs, DOCTYPE) is reported.
//
// Line ends are normalised (CR LF and lone CR become LF); attribute values are normalised
// as for CDATA attributes (whitespace characters become spaces) with references replaced
// (libxml2's SAX2 callback leaves `&#38;` where the value had an escaped '&'; XML means
// '&', which is what is reported here).
// Namespace declarations are not reported as attributes. The DOCTYPE is checked loosely and
// skipped: its declarations are not used, so an entity other than the five predefined
// ones is an error unless the document has an external subset or parameter-entity
// references (then libxml2 drops it with a warning, as here).
//
// Everything is bytes: the input is UTF-8 (after transcoding, see `toUtf8`) and every
// string handed out (names, values, text, messages) is a "byte string" (one JS char per
// byte, as the VM's strFromJs/strToJs use). Malformed input throws XmlError, whose message
// says what is wrong and where (1-based line, column in characters).

import { TextDecoder } from 'node:util';

/** An attribute as startElement reports it; prefix and uri are '' when it has none. */
export interface XmlAttribute {
  readonly local: string;
  readonly prefix: string;
  readonly uri: string;
  readonly value: string;
}

export interface XmlHandler {
  /** `uri` is the element's namespace (the default namespace when `prefix` is ''). */
  startElement(local: string, prefix: string, uri: string, attrs: readonly XmlAttribute[]): void;
  endElement(local: string, prefix: string, uri: string): void;
  characters(text: string): void;
}

export class XmlError extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${what} (line ${line}, column ${column}).`);
  }
}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** libxml2's XML_PARSER_BIG_BUFFER_SIZE: the slow path flushes text at this many bytes. */
const TEXT_CHUNK = 300;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const RSQB = 0x5d;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
const QUOT = 0x22;
const APOS = 0x27;
const SLASH = 0x2f;
const QMARK = 0x3f;
const BANG = 0x21;
const EQ = 0x3d;
const HASH = 0x23;
const SEMI = 0x3b;
const PERCENT = 0x25;
const LSQB = 0x5b;
const DASH = 0x2d;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Bytes that libxml2's fast text path takes as they are (its test_char_data table). */
const FAST_TEXT = new Uint8Array(256);
FAST_TEXT[TAB] = 1;
for (let c = 0x20; c <= 0x7f; c++) if (c !== LT && c !== AMP && c !== RSQB) FAST_TEXT[c] = 1;

/** Bytes an attribute value's fast path takes as they are. */
const FAST_ATTR = new Uint8Array(256);
for (let c = 0x20; c <= 0x7f; c++) if (c !== LT && c !== AMP) FAST_ATTR[c] = 1;

function isChar(c: number): boolean {
  return c >= 0x20 ? c <= 0xd7ff || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff) : c === TAB || c === LF || c === CR;
}

function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

function isNameChar(c: number): boolean {
  if (c < 0x80) return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === DASH || c === 0x2e;
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}

/** `U+00E9` style, for messages. */
function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The UTF-8 encoding of code point `c` as a byte string. */
function utf8(c: number): string {
  if (c < 0x80) return String.fromCharCode(c);
  if (c < 0x800) return String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
  if (c < 0x10000) return String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  return String.fromCharCode(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
}

// -- Encodings ------------------------------------------------------------------------------

/**
 * The document as UTF-8 without a byte order mark. libxml2 honours a UTF-16 byte order
 * mark or the XML declaration's encoding and hands out UTF-8; labels other than UTF-8,
 * ASCII and Latin-1 go through TextDecoder (Node's ICU encodings).
 */
function toUtf8(input: Uint8Array): Uint8Array {
  const b = input;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3);
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    const text = new TextDecoder(b[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(b.subarray(2));
    return Buffer.from(text, 'utf8');
  }
  const decl = declaredEncoding(b);
  if (decl === null) return b;
  const label = decl.name.toLowerCase();
  if (label === 'utf-8' || label === 'utf8' || label === 'utf-16' || label === 'utf16') return b; // UTF-16 without a BOM: libxml2 goes on as UTF-8
  if (label === 'us-ascii' || label === 'ascii') {
    const bad = b.findIndex((x) => x >= 0x80);
    if (bad >= 0) fail(b, bad, `Byte 0x${b[bad].toString(16).toUpperCase()} is not valid in encoding '${decl.name}'`);
    return b;
  }
  if (label === 'iso-8859-1' || label === 'latin1' || label === 'iso-latin-1' || label === 'iso_8859-1' || label === 'l1') {
    return Buffer.from(Buffer.from(b).toString('latin1'), 'utf8');
  }
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(label, { fatal: true });
  } catch {
    fail(b, decl.at, `Unsupported encoding '${decl.name}'`);
  }
  try {
    return Buffer.from(dec.decode(b), 'utf8');
  } catch {
    fail(b, 0, `Input is not valid in encoding '${decl.name}'`);
  }
}

/** The encoding named by an XML declaration at the start of `b`, if any. */
function declaredEncoding(b: Uint8Array): { name: string; at: number } | null {
  if (!(b[0] === LT && b[1] === QMARK && b[2] === 0x78 && b[3] === 0x6d && b[4] === 0x6c && isSpace(b[5]))) return null;
  let end = 6;
  while (end < b.length && b[end] !== GT && b[end] !== LT) end++;
  const head = Buffer.from(b.subarray(0, end)).toString('latin1');
  const m = /\sencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/.exec(head);
  return m === null ? null : { name: m[2], at: m.index + m[0].indexOf(m[1]) + 1 };
}

/** Line and column (1-based, in characters) of byte offset `at` of `b`. */
export function lineCol(b: Uint8Array, at: number): [number, number] {
  let line = 1;
  let col = 1;
  for (let i = 0; i < at && i < b.length; i++) {
    const c = b[i];
    if (c === LF) {
      line++;
      col = 1;
    } else if (c === CR) {
      line++;
      col = 1;
      if (b[i + 1] === LF) i++;
    } else if ((c & 0xc0) !== 0x80) col++;
  }
  return [line, col];
}

function fail(b: Uint8Array, at: number, what: string): never {
  const [line, col] = lineCol(b, at);
  throw new XmlError(what, line, col);
}

// -- The parser -----------------------------------------------------------------------------

interface OpenElement {
  readonly qname: string;
  readonly local: string;
  readonly prefix: string;
  readonly uri: string;
  /** Offset of its '<'. */
  readonly at: number;
  /** Length of the namespace binding stack before its declarations. */
  readonly nsMark: number;
}

interface RawAttribute {
  readonly qname: string;
  readonly value: string;
  readonly at: number;
}

/** Parses the XML document `input`, reporting it to `handler`; throws XmlError if malformed. */
export function parseXml(input: Uint8Array, handler: XmlHandler): void {
  new Parser(toUtf8(input), handler).document();
}

class Parser {
  private p = 0;
  private readonly n: number;
  private readonly buf: Buffer;
  /** Length of the character decoded by the last `decode`. */
  private clen = 1;
  private readonly open: OpenElement[] = [];
  /** In-scope namespace bindings, innermost last: prefix ('' = default) and URI. */
  private readonly ns: [string, string][] = [
    ['', ''],
    ['xml', XML_NS],
  ];
  private hasExternalSubset = false;
  private hasPERefs = false;
  private standalone = false;

  constructor(
    private readonly b: Uint8Array,
    private readonly h: XmlHandler,
  ) {
    this.n = b.length;
    this.buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  }

  private err(what: string, at = this.p): never {
    fail(this.b, at, what);
  }

  private where(at: number): string {
    const [line, col] = lineCol(this.b, at);
    return `line ${line}, column ${col}`;
  }

  private slice(from: number, to: number): string {
    return this.buf.toString('latin1', from, to);
  }

  private startsWith(s: string, at = this.p): boolean {
    if (at + s.length > this.n) return false;
    for (let i = 0; i < s.length; i++) if (this.b[at + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** The code point at `at` (UTF-8), setting `clen`; -1 at the end of the input. */
  private decode(at: number): number {
    const b = this.b;
    if (at >= this.n) {
      this.clen = 0;
      return -1;
    }
    const c = b[at];
    if (c < 0x80) {
      this.clen = 1;
      return c;
    }
    let need: number;
    let cp: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else this.err(`Input is not proper UTF-8: invalid byte 0x${c.toString(16).toUpperCase()}`, at);
    for (let i = 1; i <= need; i++) {
      const d = b[at + i];
      if (at + i >= this.n || (d & 0xc0) !== 0x80) this.err(`Input is not proper UTF-8: invalid byte 0x${c.toString(16).toUpperCase()}`, at);
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.err(`Input is not proper UTF-8: invalid byte 0x${c.toString(16).toUpperCase()}`, at);
    this.clen = need + 1;
    return cp;
  }

  /** Skips a character that must be a legal XML character; `ctx` names where it is. */
  private skipChar(ctx: string): void {
    const c = this.decode(this.p);
    if (!isChar(c)) this.err(`Invalid character ${codePoint(c)} in ${ctx}`);
    this.p += this.clen;
  }

  private skipSpace(): boolean {
    const start = this.p;
    while (this.p < this.n && isSpace(this.b[this.p])) this.p++;
    return this.p > start;
  }

  /** A Name at the current position (colons allowed), or null if none starts here. */
  private name(): string | null {
    const start = this.p;
    if (!isNameStart(this.decode(this.p))) return null;
    this.p += this.clen;
    while (isNameChar(this.decode(this.p))) this.p += this.clen;
    return this.slice(start, this.p);
  }

  private expect(s: string, what: string): void {
    if (!this.startsWith(s)) this.err(what);
    this.p += s.length;
  }

  // -- Document structure -----------------------------------------------------------------

  document(): void {
    if (this.startsWith('<?xml') && isSpace(this.b[5])) this.xmlDecl();
    this.misc();
    if (this.startsWith('<!DOCTYPE')) {
      this.doctype();
      this.misc();
    }
    if (this.p >= this.n) {
      let i = 0;
      while (i < this.n && isSpace(this.b[i])) i++;
      this.err(i === this.n ? 'Document is empty' : 'No root element');
    }
    if (this.b[this.p] !== LT) this.err("Start tag expected, '<' not found");
    this.startTag();
    this.content();
    this.misc();
    if (this.p < this.n) this.err('Extra content at the end of the document');
  }

  /** Misc*: whitespace, comments and processing instructions outside the root element. */
  private misc(): void {
    for (;;) {
      this.skipSpace();
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.pi();
      else return;
    }
  }

  private xmlDecl(): void {
    this.p = 5;
    this.skipSpace();
    if (!this.startsWith('version')) this.err("Malformed XML declaration: 'version' expected");
    this.p += 7;
    const version = this.declValue('version');
    if (!/^1\.[0-9]+$/.test(version.value)) this.err(`Unsupported XML version '${version.value}'`, version.at);
    let spaced = this.skipSpace();
    if (this.startsWith('encoding')) {
      if (!spaced) this.err("Whitespace required before 'encoding'");
      this.p += 8;
      const enc = this.declValue('encoding');
      if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(enc.value)) this.err(`Invalid encoding name '${enc.value}'`, enc.at);
      spaced = this.skipSpace();
    }
    if (this.startsWith('standalone')) {
      if (!spaced) this.err("Whitespace required before 'standalone'");
      this.p += 10;
      const sa = this.declValue('standalone');
      if (sa.value !== 'yes' && sa.value !== 'no') this.err("Standalone accepts only 'yes' or 'no'", sa.at);
      this.standalone = sa.value === 'yes';
      this.skipSpace();
    }
    this.expect('?>', "Expected '?>' at the end of the XML declaration");
  }

  /** `Eq` and a quoted value in the XML declaration. */
  private declValue(what: string): { value: string; at: number } {
    this.skipSpace();
    if (this.b[this.p] !== EQ) this.err(`Expected '=' after '${what}' in the XML declaration`);
    this.p++;
    this.skipSpace();
    const q = this.b[this.p];
    if (q !== QUOT && q !== APOS) this.err(`Expected a quoted value for '${what}' in the XML declaration`);
    const at = ++this.p;
    while (this.p < this.n && this.b[this.p] !== q && this.b[this.p] !== GT) this.p++;
    if (this.b[this.p] !== q) this.err(`Unterminated value for '${what}' in the XML declaration`, at - 1);
    return { value: this.slice(at, this.p++), at };
  }

  private doctype(): void {
    const at = this.p;
    this.p += 9;
    if (!this.skipSpace()) this.err("Whitespace required after '<!DOCTYPE'");
    if (this.name() === null) this.err('Expected the document type name in the DOCTYPE declaration');
    const spaced = this.skipSpace();
    if (this.startsWith('SYSTEM') || this.startsWith('PUBLIC')) {
      if (!spaced) this.err("Whitespace required before 'SYSTEM' or 'PUBLIC'");
      const pub = this.startsWith('PUBLIC');
      this.p += 6;
      if (pub) this.literal('public identifier', true);
      this.literal('system literal', false);
      this.hasExternalSubset = true;
      this.skipSpace();
    }
    if (this.b[this.p] === LSQB) {
      this.p++;
      this.internalSubset(at);
      this.skipSpace();
    }
    if (this.b[this.p] !== GT) this.err(this.p >= this.n ? 'Unterminated DOCTYPE declaration' : 'DOCTYPE improperly terminated');
    this.p++;
  }

  /** A quoted literal of an external ID, after the whitespace that must precede it. */
  private literal(what: string, pubid: boolean): void {
    if (!this.skipSpace()) this.err(`Whitespace required before the ${what}`);
    const q = this.b[this.p];
    if (q !== QUOT && q !== APOS) this.err(`Expected a quoted ${what}`);
    const at = this.p++;
    for (;;) {
      if (this.p >= this.n) this.err(`Unterminated ${what}`, at);
      const c = this.b[this.p];
      if (c === q) break;
      if (pubid && !/[-a-zA-Z0-9 \r\n'()+,./:=?;!*#@$_%]/.test(String.fromCharCode(c))) this.err(`Invalid character ${codePoint(this.decode(this.p))} in the public identifier`);
      this.skipChar(`the ${what}`);
    }
    this.p++;
  }

  /** The internal subset, after '['; its declarations are checked loosely and not used. */
  private internalSubset(doctypeAt: number): void {
    for (;;) {
      this.skipSpace();
      if (this.p >= this.n) this.err(`Unterminated DOCTYPE declaration started at ${this.where(doctypeAt)}`);
      const c = this.b[this.p];
      if (c === RSQB) {
        this.p++;
        return;
      }
      if (c === PERCENT) {
        this.p++;
        if (this.name() === null) this.err("Expected a name after '%' in the internal subset");
        if (this.b[this.p] !== SEMI) this.err("Expected ';' after a parameter-entity reference");
        this.p++;
        this.hasPERefs = true;
      } else if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.pi();
      else {
        const kw = ['ELEMENT', 'ATTLIST', 'ENTITY', 'NOTATION'].find((k) => this.startsWith(`<!${k}`));
        if (kw === undefined) this.err('Invalid markup in the internal subset');
        this.markupDecl(kw);
      }
    }
  }

  /** A markup declaration: up to its '>', skipping quoted literals. */
  private markupDecl(keyword: string): void {
    const at = this.p;
    this.p += 2 + keyword.length;
    if (!this.skipSpace()) this.err(`Whitespace required after '<!${keyword}'`);
    for (;;) {
      if (this.p >= this.n) this.err('Unterminated markup declaration', at);
      const c = this.b[this.p];
      if (c === GT) {
        this.p++;
        return;
      }
      if (c === QUOT || c === APOS) {
        const qat = this.p++;
        while (this.p < this.n && this.b[this.p] !== c) this.skipChar('a markup declaration');
        if (this.p >= this.n) this.err('Unterminated literal in a markup declaration', qat);
        this.p++;
      } else if (c === LT) this.err("Unexpected '<' in a markup declaration");
      else this.skipChar('a markup declaration');
    }
  }

  private comment(): void {
    const at = this.p;
    this.p += 4;
    for (;;) {
      if (this.p >= this.n) this.err('Unterminated comment', at);
      if (this.b[this.p] === DASH && this.b[this.p + 1] === DASH) {
        if (this.b[this.p + 2] !== GT) this.err("Double hyphen '--' within comment");
        this.p += 3;
        return;
      }
      this.skipChar('a comment');
    }
  }

  private pi(): void {
    const at = this.p;
    this.p += 2;
    const target = this.name();
    if (target === null) this.err('Expected a target name in the processing instruction');
    if (target === 'xml') this.err('XML declaration allowed only at the start of the document', at);
    if (target.toLowerCase() === 'xml') this.err(`Processing instruction target '${target}' is reserved`, at + 2);
    if (target.includes(':')) this.err(`Colons are forbidden in processing instruction targets ('${target}')`, at + 2);
    if (this.startsWith('?>')) {
      this.p += 2;
      return;
    }
    if (!this.skipSpace()) this.err(`Whitespace required after the processing instruction target '${target}'`);
    for (;;) {
      if (this.p >= this.n) this.err('Unterminated processing instruction', at);
      if (this.b[this.p] === QMARK && this.b[this.p + 1] === GT) {
        this.p += 2;
        return;
      }
      this.skipChar('a processing instruction');
    }
  }

  // -- Elements ---------------------------------------------------------------------------

  /** Namespace URI bound to `prefix`, or null if none is. */
  private lookupNs(prefix: string): string | null {
    for (let i = this.ns.length - 1; i >= 0; i--) if (this.ns[i][0] === prefix) return this.ns[i][1];
    return null;
  }

  /** Splits a QName into prefix and local part. */
  private splitQName(qname: string, at: number): [string, string] {
    const i = qname.indexOf(':');
    if (i < 0) return ['', qname];
    const local = qname.slice(i + 1);
    const ok = i > 0 && local.length > 0 && !local.includes(':') && isNameStart(this.decode(at + i + 1));
    if (!ok) this.err(`Failed to parse QName '${qname}'`, at);
    return [qname.slice(0, i), local];
  }

  private startTag(): void {
    const at = this.p++;
    const qname = this.name();
    if (qname === null) this.err(this.p >= this.n ? 'Premature end of data after <' : 'Invalid element name');
    const raw: RawAttribute[] = [];
    let empty = false;
    for (;;) {
      const spaced = this.skipSpace();
      const c = this.b[this.p];
      if (c === GT) {
        this.p++;
        break;
      }
      if (c === SLASH && this.b[this.p + 1] === GT) {
        this.p += 2;
        empty = true;
        break;
      }
      if (this.p >= this.n) this.err(`Premature end of data in the start tag of '${qname}'`);
      const aat = this.p;
      const aname = this.name();
      if (aname === null) this.err(`Expected an attribute name, '>' or '/>' in the start tag of '${qname}'`);
      if (!spaced) this.err(`Whitespace required before attribute '${aname}'`, aat);
      this.skipSpace();
      if (this.b[this.p] !== EQ) this.err(`Expected '=' after attribute name '${aname}'`);
      this.p++;
      this.skipSpace();
      const value = this.attValue(aname);
      for (const r of raw) if (r.qname === aname) this.err(`Attribute '${aname}' redefined`, aat);
      raw.push({ qname: aname, value, at: aat });
    }

    const nsMark = this.ns.length;
    const plain: RawAttribute[] = [];
    for (const r of raw) {
      if (r.qname === 'xmlns') this.declareNs('', r);
      else if (r.qname.startsWith('xmlns:')) this.declareNs(this.splitQName(r.qname, r.at)[1], r);
      else plain.push(r);
    }
    const [prefix, local] = this.splitQName(qname, at + 1);
    const uri = this.lookupNs(prefix);
    if (uri === null) this.err(`Namespace prefix '${prefix}' on element '${qname}' is not defined`, at + 1);
    const attrs: XmlAttribute[] = [];
    for (const r of plain) {
      const [ap, al] = this.splitQName(r.qname, r.at);
      let auri = '';
      if (ap !== '') {
        const u = this.lookupNs(ap);
        if (u === null) this.err(`Namespace prefix '${ap}' of attribute '${r.qname}' is not defined`, r.at);
        for (const a of attrs) if (a.prefix !== '' && a.local === al && a.uri === u) this.err(`Namespaced attribute '${al}' in '${u}' redefined`, r.at);
        auri = u;
      }
      attrs.push({ local: al, prefix: ap, uri: auri, value: r.value });
    }

    this.open.push({ qname, local, prefix, uri, at, nsMark });
    this.h.startElement(local, prefix, uri, attrs);
    if (empty) this.closeElement();
  }

  /** Binds a namespace declared by attribute `r` (prefix '' = the default namespace). */
  private declareNs(prefix: string, r: RawAttribute): void {
    const uri = r.value;
    if (prefix === 'xml') {
      if (uri !== XML_NS) this.err(`The 'xml' prefix must be bound to '${XML_NS}'`, r.at);
      return; // always bound
    }
    if (prefix === 'xmlns') this.err("Redefinition of the 'xmlns' prefix is forbidden", r.at);
    if (uri === XML_NS) this.err(prefix === '' ? 'The XML namespace cannot be the default namespace' : `The XML namespace can only be bound to the 'xml' prefix`, r.at);
    if (uri === XMLNS_NS) this.err("Reuse of the 'xmlns' namespace name is forbidden", r.at);
    if (prefix !== '' && uri === '') this.err(`Empty namespace URI for prefix '${prefix}'`, r.at);
    this.ns.push([prefix, uri]);
  }

  private closeElement(): void {
    const e = this.open.pop()!;
    this.ns.length = e.nsMark;
    this.h.endElement(e.local, e.prefix, e.uri);
  }

  private endTag(): void {
    const at = this.p;
    this.p += 2;
    const e = this.open[this.open.length - 1];
    const name = this.name() ?? '';
    if (name !== e.qname) this.err(`Opening and ending tag mismatch: '${e.qname}' (${this.where(e.at)}) and '${name}'`, at);
    this.skipSpace();
    if (this.b[this.p] !== GT) this.err(`Expected '>' at the end of the end tag of '${name}'`);
    this.p++;
    this.closeElement();
  }

  /** An attribute value from its opening quote; references replaced, whitespace normalised. */
  private attValue(name: string): string {
    const q = this.b[this.p];
    if (q !== QUOT && q !== APOS) this.err(`Expected a quoted value for attribute '${name}'`);
    const at = this.p++;
    const start = this.p;
    let i = start;
    while (i < this.n && FAST_ATTR[this.b[i]] && this.b[i] !== q) i++;
    if (i < this.n && this.b[i] === q) {
      this.p = i + 1;
      return this.slice(start, i);
    }
    let out = this.slice(start, i);
    this.p = i;
    for (;;) {
      if (this.p >= this.n) this.err(`Unterminated value of attribute '${name}'`, at);
      const c = this.b[this.p];
      if (c === q) {
        this.p++;
        return out;
      }
      if (c === LT) this.err(`Unescaped '<' not allowed in the value of attribute '${name}'`);
      if (c === AMP) {
        out += this.reference() ?? '';
      } else if (c === CR) {
        out += ' ';
        this.p += this.b[this.p + 1] === LF ? 2 : 1;
      } else if (c === LF || c === TAB) {
        out += ' ';
        this.p++;
      } else {
        const s = this.p;
        this.skipChar(`the value of attribute '${name}'`);
        out += this.slice(s, this.p);
      }
    }
  }

  /**
   * A reference at '&': its replacement text, or null for an undeclared entity that is
   * dropped (the document has an external subset or parameter-entity references).
   */
  private reference(): string | null {
    const at = this.p++;
    if (this.b[this.p] === HASH) {
      this.p++;
      const hex = this.b[this.p] === 0x78;
      if (hex) this.p++;
      const ds = this.p;
      let v = 0;
      for (;;) {
        const c = this.b[this.p];
        let d: number;
        if (c >= 0x30 && c <= 0x39) d = c - 0x30;
        else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57;
        else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37;
        else break;
        v = Math.min(v * (hex ? 16 : 10) + d, 0x110000);
        this.p++;
      }
      if (this.p === ds || this.b[this.p] !== SEMI) this.err('Malformed character reference', at);
      this.p++;
      if (!isChar(v)) this.err(`Character reference '${this.slice(at, this.p)}' is not a legal XML character`, at);
      return utf8(v);
    }
    const name = this.name();
    if (name === null) this.err("Expected an entity name after '&'", at);
    if (this.b[this.p] !== SEMI) this.err(`Expected ';' after entity reference '&${name}'`);
    this.p++;
    const text = PREDEFINED[name];
    if (text !== undefined) return text;
    if (this.standalone || (!this.hasExternalSubset && !this.hasPERefs)) this.err(`Entity '${name}' not defined`, at);
    return null;
  }

  private cdata(): void {
    const at = this.p;
    this.p += 9;
    let out = '';
    for (;;) {
      if (this.p >= this.n) this.err('Unterminated CDATA section', at);
      const c = this.b[this.p];
      if (c === RSQB && this.b[this.p + 1] === RSQB && this.b[this.p + 2] === GT) {
        this.p += 3;
        this.h.characters(out);
        return;
      }
      if (c === CR) {
        out += '\n';
        this.p += this.b[this.p + 1] === LF ? 2 : 1;
      } else {
        const s = this.p;
        this.skipChar('a CDATA section');
        out += this.slice(s, this.p);
      }
    }
  }

  /** Element content, from after the root's start tag until it is closed. */
  private content(): void {
    while (this.open.length > 0) {
      if (this.p >= this.n) {
        const e = this.open[this.open.length - 1];
        this.err(`Premature end of data: element '${e.qname}' opened at ${this.where(e.at)} is not closed`);
      }
      const c = this.b[this.p];
      if (c === LT) {
        const d = this.b[this.p + 1];
        if (d === SLASH) this.endTag();
        else if (d === QMARK) this.pi();
        else if (d === BANG) {
          if (this.startsWith('<!--')) this.comment();
          else if (this.startsWith('<![CDATA[')) this.cdata();
          else this.err("Invalid markup '<!' in content");
        } else this.startTag();
      } else if (c === AMP) {
        const text = this.reference();
        if (text !== null) this.h.characters(text);
      } else this.charData();
    }
  }

  /**
   * Character data up to the next '<' or '&', in libxml2's chunks: its fast path for
   * ASCII (a CR LF ends a chunk and the next one starts at the LF), then, from the first
   * other character, its slow path (line ends normalised, flushed every 300 bytes).
   */
  private charData(): void {
    const b = this.b;
    const n = this.n;
    let cur = this.p;
    let i = cur;
    for (;;) {
      for (;;) {
        const c = b[i];
        if (i < n && (FAST_TEXT[c] || c === LF)) i++;
        else if (i < n && c === RSQB) {
          if (b[i + 1] === RSQB && b[i + 2] === GT) this.err("Sequence ']]>' not allowed in content", i);
          i++;
        } else break;
      }
      if (i > cur) this.h.characters(this.slice(cur, i));
      cur = i;
      if (i >= n || b[i] === LT || b[i] === AMP) {
        this.p = i;
        return;
      }
      if (b[i] === CR && b[i + 1] === LF) {
        cur = i + 1;
        i += 2;
        const d = b[i];
        if (i < n && ((d >= 0x20 && d <= 0x7f) || d === TAB || d === LF)) continue;
      }
      break;
    }
    this.p = cur;
    let out = '';
    for (;;) {
      if (this.p >= n) break;
      const c = b[this.p];
      if (c === LT || c === AMP) break;
      if (c === CR) {
        out += '\n';
        this.p += b[this.p + 1] === LF ? 2 : 1;
      } else {
        if (c === RSQB && b[this.p + 1] === RSQB && b[this.p + 2] === GT) this.err("Sequence ']]>' not allowed in content");
        const s = this.p;
        this.skipChar('text');
        out += this.slice(s, this.p);
      }
      if (out.length >= TEXT_CHUNK) {
        this.h.characters(out);
        out = '';
      }
    }
    if (out.length > 0) this.h.characters(out);
  }
}
