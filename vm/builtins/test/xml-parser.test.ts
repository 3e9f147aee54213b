// The XML parser of the libXML2 module (vm/builtins/xml-parser.ts): events and their
// granularity (as libxml2's SAX2 delivers them), namespaces, normalisation, encodings and
// well-formedness errors with their positions.

import test from 'ava';
import { lineCol, parseXml, XmlError, XML_NS } from '../xml-parser.js';

/** Byte string (as the parser hands out) to a JS string. */
const dec = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

/** The events of parsing `xml` (given as UTF-8 text, or bytes), one string each. */
function events(xml: string | Uint8Array): string[] {
  const out: string[] = [];
  parseXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, {
    startElement(local, prefix, uri, attrs) {
      const name = prefix === '' ? dec(local) : `${dec(prefix)}:${dec(local)}`;
      const as = attrs.map((a) => ` ${a.prefix === '' ? '' : `${dec(a.prefix)}:`}${dec(a.local)}${a.uri === '' ? '' : `{${dec(a.uri)}}`}=${JSON.stringify(dec(a.value))}`);
      out.push(`<${name}${uri === '' ? '' : `{${dec(uri)}}`}${as.join('')}>`);
    },
    endElement(local, prefix) {
      out.push(`</${prefix === '' ? '' : `${dec(prefix)}:`}${dec(local)}>`);
    },
    characters(text) {
      out.push(JSON.stringify(dec(text)));
    },
  });
  return out;
}

/** The text chunks only, as byte lengths. */
function chunkLengths(xml: string): number[] {
  const out: number[] = [];
  parseXml(Buffer.from(xml, 'utf8'), {
    startElement() {},
    endElement() {},
    characters(text) {
      out.push(text.length);
    },
  });
  return out;
}

function error(xml: string | Uint8Array): string {
  try {
    events(xml);
  } catch (e) {
    if (e instanceof XmlError) return dec(e.message);
    throw e;
  }
  throw new Error('no error');
}

// -- Structure ------------------------------------------------------------------------------

test('elements, attributes and text in document order', (t) => {
  t.deepEqual(events('<a x="1" y=\'2\'>hi<b/>there<c></c></a>'), ['<a x="1" y="2">', '"hi"', '<b>', '</b>', '"there"', '<c>', '</c>', '</a>']);
});

test('nothing outside the root element is reported', (t) => {
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- c -->\n<?pi x?>\n<!DOCTYPE a>\n<a>\n</a>\n<!-- after -->\n<?pi?>\n';
  t.deepEqual(events(xml), ['<a>', '"\\n"', '</a>']);
});

test('comments and processing instructions in content are skipped', (t) => {
  t.deepEqual(events('<a>x<!-- c -->y<?pi data?>z</a>'), ['<a>', '"x"', '"y"', '"z"', '</a>']);
});

test('whitespace is kept as text', (t) => {
  t.deepEqual(events('<a>\n  <b> </b>\t</a>'), ['<a>', '"\\n  "', '<b>', '" "', '</b>', '"\\t"', '</a>']);
});

test('deep nesting does not use the JS stack', (t) => {
  const depth = 100000;
  const xml = '<a>'.repeat(depth) + '</a>'.repeat(depth);
  let n = 0;
  parseXml(Buffer.from(xml), {
    startElement() {
      n++;
    },
    endElement() {},
    characters() {},
  });
  t.is(n, depth);
});

test('non-ASCII names', (t) => {
  t.deepEqual(events('<élan ü="1">x</élan>'), ['<élan ü="1">', '"x"', '</élan>']);
});

// -- Text granularity -----------------------------------------------------------------------

test('each reference is a characters call of its own', (t) => {
  t.deepEqual(events('<a>a &amp; b&lt;&gt;&apos;&quot;&#65;&#x263A;</a>'), ['<a>', '"a "', '"&"', '" b"', '"<"', '">"', '"\'"', '"\\""', '"A"', '"☺"', '</a>']);
});

test('a CDATA section is one call, even when empty', (t) => {
  t.deepEqual(events('<a>x<![CDATA[<b>&amp;]]]]><![CDATA[]]>y</a>'), ['<a>', '"x"', '"<b>&amp;]]"', '""', '"y"', '</a>']);
});

test('CR LF in ASCII text starts a new chunk at the LF', (t) => {
  t.deepEqual(events('<a>ab\r\ncd\r\n</a>'), ['<a>', '"ab"', '"\\ncd"', '"\\n"', '</a>']);
});

test('a lone CR or a non-ASCII character switches to the slow path for the rest of the run', (t) => {
  t.deepEqual(events('<a>ab\rc\r\nd</a>'), ['<a>', '"ab"', '"\\nc\\nd"', '</a>']);
  t.deepEqual(events('<a>ab\r\n\r\ncd\rxé yz\r\nq</a>'), ['<a>', '"ab"', '"\\n\\ncd\\nxé yz\\nq"', '</a>']);
  t.deepEqual(events('<a>xé\r\ny</a>'), ['<a>', '"x"', '"é\\ny"', '</a>']);
});

test('the slow path flushes every 300 bytes; ASCII runs are never split', (t) => {
  t.deepEqual(chunkLengths(`<a>${'x'.repeat(10)}${'é'.repeat(200)}${'z'.repeat(50)}</a>`), [10, 300, 150]);
  t.deepEqual(chunkLengths(`<a>${'x'.repeat(10)}\r\n${'y'.repeat(5)}\r\né${'z'.repeat(400)}&lt;${'w'.repeat(700)}</a>`), [10, 6, 300, 103, 1, 700]);
  t.deepEqual(chunkLengths(`<a>é${'€'.repeat(100)}</a>`), [302]);
  t.deepEqual(chunkLengths(`<a>é${'€'.repeat(101)}</a>`), [302, 3]);
});

test('single brackets in text', (t) => {
  t.deepEqual(events('<a>x]y]]z</a>'), ['<a>', '"x]y]]z"', '</a>']);
});

// -- Attributes ------------------------------------------------------------------------------

test('attribute values: references replaced, whitespace normalised', (t) => {
  t.deepEqual(events('<a x="1&amp;2&#38;3" y="a\r\nb\tc\nd\re" z="&#10;&#9;&lt;" w="é"/>'), [
    '<a x="1&2&3" y="a b c d e" z="\\n\\t<" w="é">',
    '</a>',
  ]);
});

test('quotes inside attribute values', (t) => {
  t.deepEqual(events(`<a x='"' y="'" z="&quot;&apos;"/>`), [`<a x="\\"" y="'" z="\\"'">`, '</a>']);
});

// -- Namespaces ------------------------------------------------------------------------------

test('prefixes resolve to namespace URIs; declarations are not attributes', (t) => {
  t.deepEqual(events('<p:a xmlns:p="urn:p" x="1" p:y="2"><p:b/><c/></p:a>'), [
    '<p:a{urn:p} x="1" p:y{urn:p}="2">',
    '<p:b{urn:p}>',
    '</p:b>',
    '<c>',
    '</c>',
    '</p:a>',
  ]);
});

test('a declaration applies to its own element whatever its place in the tag', (t) => {
  t.deepEqual(events('<p:a p:x="1" xmlns:p="urn:p"/>'), ['<p:a{urn:p} p:x{urn:p}="1">', '</p:a>']);
});

test('default namespace: elements only, scoped, can be undeclared', (t) => {
  t.deepEqual(events('<a xmlns="urn:d" x="1"><b xmlns=""><c/></b><d/></a>'), ['<a{urn:d} x="1">', '<b>', '<c>', '</c>', '</b>', '<d{urn:d}>', '</d>', '</a>']);
});

test('inner declarations shadow outer ones until the element ends', (t) => {
  t.deepEqual(events('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/></p:a>'), [
    '<p:a{urn:1}>',
    '<p:b{urn:2}>',
    '<p:c{urn:2}>',
    '</p:c>',
    '</p:b>',
    '<p:d{urn:1}>',
    '</p:d>',
    '</p:a>',
  ]);
});

test('the xml prefix is always bound', (t) => {
  t.deepEqual(events('<a xml:lang="en" xmlns:xml="http://www.w3.org/XML/1998/namespace"/>'), [`<a xml:lang{${XML_NS}}="en">`, '</a>']);
});

test('namespace errors', (t) => {
  t.is(error('<p:a/>'), "Namespace prefix 'p' on element 'p:a' is not defined (line 1, column 2).");
  t.is(error('<a p:x="1"/>'), "Namespace prefix 'p' of attribute 'p:x' is not defined (line 1, column 4).");
  t.is(error('<a xmlns:p="urn:x" xmlns:q="urn:x" p:k="1" q:k="2"/>'), "Namespaced attribute 'k' in 'urn:x' redefined (line 1, column 44).");
  t.is(error('<a xmlns:p=""/>'), "Empty namespace URI for prefix 'p' (line 1, column 4).");
  t.is(error('<a:b:c xmlns:a="urn:a"/>'), "Failed to parse QName 'a:b:c' (line 1, column 2).");
  t.is(error('<a xmlns:xml="urn:x"/>'), "The 'xml' prefix must be bound to 'http://www.w3.org/XML/1998/namespace' (line 1, column 4).");
  t.is(error('<a xmlns:xmlns="urn:x"/>'), "Redefinition of the 'xmlns' prefix is forbidden (line 1, column 4).");
  t.is(error('<xmlns:a/>'), "Namespace prefix 'xmlns' on element 'xmlns:a' is not defined (line 1, column 2).");
  t.is(error('<a xmlns:p="urn:p"><p:b></p:b></a><!-- -->'.replace('<p:b></p:b>', '<p:b></b>')), "Opening and ending tag mismatch: 'p:b' (line 1, column 20) and 'b' (line 1, column 25).");
});

// -- DOCTYPE and entities ----------------------------------------------------------------------

test('an internal subset is skipped', (t) => {
  const xml = '<!DOCTYPE a [\n<!ELEMENT a (#PCDATA)>\n<!ATTLIST a x CDATA "d>">\n<!ENTITY e "<b>">\n<!-- c -->\n<?pi?>\n]>\n<a>x</a>';
  t.deepEqual(events(xml), ['<a>', '"x"', '</a>']);
});

test('undeclared entities: an error, unless there is an external subset or a PE reference', (t) => {
  t.is(error('<a>&nbsp;</a>'), "Entity 'nbsp' not defined (line 1, column 4).");
  t.is(error('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'), "Entity 'e' not defined (line 1, column 34).");
  t.deepEqual(events('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd"><a>x&nbsp;y</a>'), ['<a>', '"x"', '"y"', '</a>']);
  t.deepEqual(events('<!DOCTYPE a [<!ENTITY % p "x"> %p;]><a k="1&e;2">x&e;</a>'), ['<a k="12">', '"x"', '</a>']);
  t.is(error('<?xml version="1.0" standalone="yes"?><!DOCTYPE a SYSTEM "a.dtd"><a>&e;</a>'), "Entity 'e' not defined (line 1, column 69).");
});

// -- Encodings -----------------------------------------------------------------------------------

test('byte order marks and declared encodings give UTF-8', (t) => {
  t.deepEqual(events(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>é</a>')])), ['<a>', '"é"', '</a>']);
  t.deepEqual(events(Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a x="'), Buffer.from([0xe9]), Buffer.from('">'), Buffer.from([0xfc]), Buffer.from('</a>')])), ['<a x="é">', '"ü"', '</a>']);
  t.deepEqual(events(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é€</a>', 'utf16le')])), ['<a>', '"é€"', '</a>']);
  t.is(error('<?xml version="1.0" encoding="no-such-thing"?><a/>'), "Unsupported encoding 'no-such-thing' (line 1, column 31).");
  t.is(error(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])), 'Input is not proper UTF-8: invalid byte 0xFF (line 1, column 4).');
  t.is(error(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x3c, 0x2f, 0x61, 0x3e])), 'Input is not proper UTF-8: invalid byte 0xC3 (line 1, column 4).');
});

// -- Well-formedness errors ---------------------------------------------------------------------

test('document-level errors', (t) => {
  t.is(error(''), 'Document is empty (line 1, column 1).');
  t.is(error(' \n '), 'Document is empty (line 2, column 2).');
  t.is(error('<!-- c -->'), 'No root element (line 1, column 11).');
  t.is(error('hello'), "Start tag expected, '<' not found (line 1, column 1).");
  t.is(error('<a/><b/>'), 'Extra content at the end of the document (line 1, column 5).');
  t.is(error('<a/>x'), 'Extra content at the end of the document (line 1, column 5).');
  t.is(error(' <?xml version="1.0"?><a/>'), 'XML declaration allowed only at the start of the document (line 1, column 2).');
  t.is(error('<?xml version="2.0"?><a/>'), "Unsupported XML version '2.0' (line 1, column 16).");
  t.is(error('<?xml encoding="UTF-8"?><a/>'), "Malformed XML declaration: 'version' expected (line 1, column 7).");
  t.is(error('<?xml version="1.0" standalone="maybe"?><a/>'), "Standalone accepts only 'yes' or 'no' (line 1, column 33).");
  t.is(error('<?xml version="1.0><a/>'), "Unterminated value for 'version' in the XML declaration (line 1, column 15).");
  t.is(error('<?xml version="1.0" ?<a/>'), "Expected '?>' at the end of the XML declaration (line 1, column 21).");
  t.is(error('<!DOCTYPE>'), "Whitespace required after '<!DOCTYPE' (line 1, column 10).");
  t.is(error('<!DOCTYPE a [<!FOO>]><a/>'), 'Invalid markup in the internal subset (line 1, column 14).');
  t.is(error('<!DOCTYPE a [<!ELEMENT a ANY>'), 'Unterminated DOCTYPE declaration started at line 1, column 1 (line 1, column 30).');
  t.is(error('<!DOCTYPE a x><a/>'), 'DOCTYPE improperly terminated (line 1, column 13).');
});

test('tag errors', (t) => {
  t.is(error('<a>'), "Premature end of data: element 'a' opened at line 1, column 1 is not closed (line 1, column 4).");
  t.is(error('<a>\n  <b>x</a>'), "Opening and ending tag mismatch: 'b' (line 2, column 3) and 'a' (line 2, column 7).");
  t.is(error('<a></a >x</a>'), 'Extra content at the end of the document (line 1, column 9).');
  t.is(error('<a></a x>'), "Expected '>' at the end of the end tag of 'a' (line 1, column 8).");
  t.is(error('< a/>'), 'Invalid element name (line 1, column 2).');
  t.is(error('<1a/>'), 'Invalid element name (line 1, column 2).');
  t.is(error('<a'), "Premature end of data in the start tag of 'a' (line 1, column 3).");
  t.is(error('<a x/>'), "Expected '=' after attribute name 'x' (line 1, column 5).");
  t.is(error('<a x=1/>'), "Expected a quoted value for attribute 'x' (line 1, column 6).");
  t.is(error('<a x="1"y="2"/>'), "Whitespace required before attribute 'y' (line 1, column 9).");
  t.is(error('<a x="1" x="2"/>'), "Attribute 'x' redefined (line 1, column 10).");
  t.is(error('<a x="<"/>'), "Unescaped '<' not allowed in the value of attribute 'x' (line 1, column 7).");
  t.is(error('<a x="1'), "Unterminated value of attribute 'x' (line 1, column 6).");
  t.is(error('<a $/>'), "Expected an attribute name, '>' or '/>' in the start tag of 'a' (line 1, column 4).");
  t.is(error('<a/ >'), "Expected an attribute name, '>' or '/>' in the start tag of 'a' (line 1, column 3).");
});

test('content errors', (t) => {
  t.is(error('<a>x]]>y</a>'), "Sequence ']]>' not allowed in content (line 1, column 5).");
  t.is(error('<a>é]]>y</a>'), "Sequence ']]>' not allowed in content (line 1, column 5).");
  t.is(error('<a>\u0001</a>'), 'Invalid character U+0001 in text (line 1, column 4).');
  t.is(error('<a>&#0;</a>'), "Character reference '&#0;' is not a legal XML character (line 1, column 4).");
  t.is(error('<a>&#xD800;</a>'), "Character reference '&#xD800;' is not a legal XML character (line 1, column 4).");
  t.is(error('<a>&#x;</a>'), 'Malformed character reference (line 1, column 4).');
  t.is(error('<a>&#65</a>'), 'Malformed character reference (line 1, column 4).');
  t.is(error('<a>& b</a>'), "Expected an entity name after '&' (line 1, column 4).");
  t.is(error('<a>&amp</a>'), "Expected ';' after entity reference '&amp' (line 1, column 8).");
  t.is(error('<a><![CDATA[x</a>'), 'Unterminated CDATA section (line 1, column 4).');
  t.is(error('<a><!-- x -- y --></a>'), "Double hyphen '--' within comment (line 1, column 11).");
  t.is(error('<a><!-- x </a>'), 'Unterminated comment (line 1, column 4).');
  t.is(error('<a><?pi x</a>'), 'Unterminated processing instruction (line 1, column 4).');
  t.is(error('<a><?xml version="1.0"?></a>'), 'XML declaration allowed only at the start of the document (line 1, column 4).');
  t.is(error('<a><?XmL x?></a>'), "Processing instruction target 'XmL' is reserved (line 1, column 6).");
  t.is(error('<a><?p:i x?></a>'), "Colons are forbidden in processing instruction targets ('p:i') (line 1, column 6).");
  t.is(error('<a><?pi?x?></a>'), "Whitespace required after the processing instruction target 'pi' (line 1, column 8).");
  t.is(error('<a><!DOCTYPE a></a>'), "Invalid markup '<!' in content (line 1, column 4).");
});

test('line and column count characters; CR LF, CR and LF are line ends', (t) => {
  const b = Buffer.from('ab\r\ncé\rd\nx');
  t.deepEqual(lineCol(b, 0), [1, 1]);
  t.deepEqual(lineCol(b, 4), [2, 1]);
  t.deepEqual(lineCol(b, 7), [2, 3]);
  t.deepEqual(lineCol(b, 8), [3, 1]);
  t.deepEqual(lineCol(b, 10), [4, 1]);
  t.is(error('<a>\r\n\r\n  éé<b></a>'), "Opening and ending tag mismatch: 'b' (line 3, column 5) and 'a' (line 3, column 8).");
});
