import test from 'ava';
import { tokenize, tokenDisplay, KEYWORDS, type Token } from '../tokenizer.js';
import { CompileError } from '../errors.js';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Compact rendering: keywords and symbols by type, valued tokens as TYPE(value). */
function show(ts: Token[]): string {
  return ts
    .map((t) => {
      if (t.value === null || KEYWORDS.has(t.value) && t.type === t.value.toUpperCase()) return t.type;
      return `${t.type}(${t.value})`;
    })
    .join(' ');
}

const lex = (s: string): string => show(tokenize(bytes(s)));

function lexErr(s: string): { message: string; offset: number; length: number } {
  try {
    tokenize(bytes(s));
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return { message: e.message, offset: e.span?.offset ?? -1, length: e.span?.length ?? -1 };
  }
  throw new Error(`no error for ${JSON.stringify(s)}`);
}

// -- Token kinds ---------------------------------------------------------------

test('identifiers, numbers, strings', (t) => {
  t.is(lex('abc _x X9 a_b_1'), 'ID(abc) ID(_x) ID(X9) ID(a_b_1)');
  t.is(lex('0 42 0x1F 0xab 3.25'), 'INT(0) INT(42) INT(0x1F) INT(0xab) FLOAT(3.25)');
  t.is(lex(`"a" 'b' """c"""`), 'STRING(a) STRING(b) STRING(c)');
});

test('every keyword is its own token type; value is the text', (t) => {
  for (const kw of KEYWORDS) {
    const [tok] = tokenize(bytes(kw));
    t.is(tok.type, kw.toUpperCase());
    t.is(tok.value, kw);
  }
});

test('keywords need a word boundary', (t) => {
  t.is(lex('format is_ok index iffy if2 in_ not_x'), 'ID(format) ID(is_ok) ID(index) ID(iffy) ID(if2) ID(in_) ID(not_x)');
  t.is(lex('if(x)'), 'IF ( ID(x) )');
  t.is(lex('x.is'), 'ID(x) . IS');
  t.is(lex('null self true'), 'ID(null) ID(self) ID(true)');
});

test('every symbol', (t) => {
  const syms = [
    '::', ':=', '==', '!=', '<=', 'Dict{', 'Set{', '*=', '/=', '+=', '-=', '>=', '[|', '[d|', '|]',
    '+', '-', '*', '/', '{', '}', '[', ']', ',', '=', ':', '.', ';', '(', ')', '<<', '>>', '<', '>',
    '!', '&', '%', '$', '?', '|', '\\',
  ];
  for (const s of syms) {
    const ts = tokenize(bytes(s + ' '));
    t.is(ts.length, 1, s);
    t.is(ts[0].type, s.toUpperCase(), s);
    t.is(ts[0].value, null);
    t.is(ts[0].length, s.length);
    t.is(tokenDisplay(ts[0]), s);
  }
});

test('symbols: earlier list entries win', (t) => {
  t.is(lex('a::b'), 'ID(a) :: ID(b)');
  t.is(lex('x:=1'), 'ID(x) := INT(1)');
  t.is(lex('a<<=b'), 'ID(a) << = ID(b)');
  t.is(lex('a<<b'), 'ID(a) << ID(b)');
  t.is(lex('[a|]'), '[ ID(a) |]');
  t.is(lex('[|a|]'), '[| ID(a) |]');
  t.is(lex('Set{1} Set {1}'), 'SET{ INT(1) } ID(Set) { INT(1) }');
  t.is(lex('Dict{} Dictx{}'), 'DICT{ } ID(Dictx) { }');
  t.is(lex('[d|x'), '[D| ID(x)');
  t.is(lex('a//b'), 'ID(a)');
  t.is(lex('a/=b'), 'ID(a) /= ID(b)');
  t.is(lex('a->b'), 'ID(a) - > ID(b)');
});

test('spec §3.2 lexing consequences', (t) => {
  t.is(lex('1.5.to_str()'), 'FLOAT(1.5) . ID(to_str) ( )');
  t.is(lex('0.iter_to(3)'), 'INT(0) . ID(iter_to) ( INT(3) )');
  t.is(lex('1. .5'), 'INT(1) . . INT(5)');
  t.is(lex('12abc'), 'INT(12) ID(abc)');
  t.is(lex('0X1F'), 'INT(0) ID(X1F)');
  t.is(lex('0x'), 'INT(0) ID(x)');
  t.is(lex('0xg'), 'INT(0) ID(xg)');
  t.is(lex('-1'), '- INT(1)');
  t.is(lex('12if'), 'INT(12) IF');
});

test('token offsets and lengths', (t) => {
  const ts = tokenize(bytes('ab := "x\\ny" + 1.25'));
  t.deepEqual(ts.map((x) => [x.offset, x.length]), [[0, 2], [3, 2], [6, 6], [13, 1], [15, 4]]);
});

// -- Numbers -------------------------------------------------------------------

test('integer literals must fit in 64 bits', (t) => {
  t.is(lex('18446744073709551615 0xFFFFFFFFFFFFFFFF 9223372036854775808'), 'INT(18446744073709551615) INT(0xFFFFFFFFFFFFFFFF) INT(9223372036854775808)');
  t.is(lex('000000000000000000000000001'), 'INT(000000000000000000000000001)');
  t.deepEqual(lexErr('x := 18446744073709551616'), { message: "Integer literal '18446744073709551616' does not fit in 64 bits", offset: 5, length: 20 });
  t.is(lexErr('0x10000000000000000').message, "Integer literal '0x10000000000000000' does not fit in 64 bits");
  t.is(lexErr('99999999999999999999').offset, 0);
});

// -- Strings -------------------------------------------------------------------

test('string escapes', (t) => {
  const v = (s: string) => tokenize(bytes(s))[0].value;
  t.is(v(String.raw`"a\nb\tc\rd\0e"`), 'a\nb\tc\rd\0e');
  t.is(v(String.raw`"\\ \" \' \x41 \q"`), `\\ " ' x41 q`);
  t.is(v(String.raw`'it\'s'`), "it's");
  t.is(v(`"a'b" `), "a'b");
  t.is(v(`'a"b'`), 'a"b');
  t.is(v(`""`), '');
  t.is(v(`''`), '');
  t.is(v(`"// not a comment"`), '// not a comment');
});

test('strings are bytes: non-ASCII bytes pass through undecoded', (t) => {
  const ts = tokenize(Uint8Array.from([0x22, 0xc3, 0xa9, 0x22]));
  t.is(ts[0].value, '\xc3\xa9');
  t.is(ts[0].value!.length, 2);
  t.is(lex('x // caf\xc3\xa9'), 'ID(x)');
});

test('single-quoted strings can not contain a raw newline', (t) => {
  t.deepEqual(lexErr('x := "ab\ncd"'), { message: `String quoted by '"' can not contain a newline`, offset: 8, length: 1 });
  t.deepEqual(lexErr("x := 'ab\rcd'"), { message: "String quoted by ''' can not contain a newline", offset: 8, length: 1 });
});

test('backslash-newline inside a quoted string inserts the newline (upstream quirk)', (t) => {
  t.is(tokenize(bytes('"a\\\nb"'))[0].value, 'a\nb');
  t.is(tokenize(bytes('"a\\\r\nb"'))[0].value, 'a\r\nb');
});

test('triple-quoted strings: newlines, dropped blank lines, kept indentation', (t) => {
  const v = (s: string) => tokenize(bytes(s))[0].value;
  t.is(v('"""a\nb"""'), 'a\nb');
  t.is(v('"""a\n\n  \t \nb"""'), 'a\nb');
  t.is(v('"""a\n    b"""'), 'a\n    b');
  t.is(v('"""a\r\n\r\nb"""'), 'a\r\nb');
  t.is(v(`"""it's "q" """`), `it's "q" `);
});

test('four or more quotes end a triple-quoted string at the last three', (t) => {
  const v = (s: string) => tokenize(bytes(s))[0].value;
  t.is(v('"""say "hi""""'), 'say "hi"');
  t.is(v('"""x"""""'), 'x""');
  t.is(v('""""""'), '');
  t.is(lex('"""a""" """b"""'), 'STRING(a) STRING(b)');
});

test('unterminated strings', (t) => {
  t.deepEqual(lexErr('x := "abc'), { message: 'Unterminated string', offset: 5, length: 1 });
  t.deepEqual(lexErr('x := """abc\n\ndef'), { message: 'Unterminated string', offset: 5, length: 3 });
  t.deepEqual(lexErr('x := "abc\\'), { message: 'Unterminated string', offset: 5, length: 1 });
  t.is(lexErr('"').message, 'Unterminated string');
  t.is(lexErr('"""a""').message, 'Unterminated string');
});

// -- Unknown characters ----------------------------------------------------------

test('unknown characters', (t) => {
  t.deepEqual(lexErr('x := @'), { message: "Unknown char '@'", offset: 5, length: 1 });
  t.deepEqual(lexErr('a\n#b'), { message: "Unknown char '#'", offset: 2, length: 1 });
  t.deepEqual(lexErr('x\x00'), { message: "Unknown char '\x00'", offset: 1, length: 1 });
  t.deepEqual(lexErr('caf\xc3\xa9'), { message: "Unknown char '\xc3'", offset: 3, length: 1 });
  t.is(lexErr('`').message, "Unknown char '`'");
  t.is(lexErr('x ~ y').message, "Unknown char '~'");
});

// -- Comments, shebang, line ends ---------------------------------------------------

test('comments run to the end of the physical line', (t) => {
  t.is(lex('a // b c\nd'), 'ID(a) NEWLINE ID(d)');
  t.is(lex('// only a comment'), '');
  t.is(lex('a //'), 'ID(a)');
});

test('shebang line is skipped and offsets are preserved', (t) => {
  const ts = tokenize(bytes('#!/usr/bin/env converge\nx := 1'));
  t.is(show(ts), 'ID(x) := INT(1)');
  t.is(ts[0].offset, 24);
  t.is(lex('#!'), '');
  t.is(lexErr('x\n#!y').message, "Unknown char '#'");
});

test('CRLF, CR and LF all end lines; CRLF is one line break', (t) => {
  t.is(lex('a\r\nb\rc\nd'), 'ID(a) NEWLINE ID(b) NEWLINE ID(c) NEWLINE ID(d)');
  t.is(lex('if x:\r\n    a\r\n\r\nb\r\n'), 'IF ID(x) : INDENT ID(a) DEDENT NEWLINE ID(b)');
});

test('empty and blank inputs', (t) => {
  t.is(lex(''), '');
  t.is(lex('\n\n  \t\n'), '');
  t.is(lex('   // x\n\t// y\n'), '');
});

// -- Indentation -------------------------------------------------------------------

test('spec §3.5 example token stream', (t) => {
  t.is(lex('if x:\n    a\nb'), 'IF ID(x) : INDENT ID(a) DEDENT NEWLINE ID(b)');
});

test('several levels, multiple dedents, dedents at end of input', (t) => {
  t.is(
    lex('a:\n  b:\n      c\n      d\n  e\nf:\n g'),
    'ID(a) : INDENT ID(b) : INDENT ID(c) NEWLINE ID(d) DEDENT NEWLINE ID(e) DEDENT NEWLINE ID(f) : INDENT ID(g) DEDENT',
  );
  t.is(lex('a\n  b\n    c\n'), 'ID(a) INDENT ID(b) INDENT ID(c) DEDENT DEDENT');
  t.is(lex('a\n  b\n    c\nd'), 'ID(a) INDENT ID(b) INDENT ID(c) DEDENT DEDENT NEWLINE ID(d)');
});

test('the first non-blank line fixes the base level', (t) => {
  t.is(lex('\n\n    a\n    b\n      c\n    d'), 'ID(a) NEWLINE ID(b) INDENT ID(c) DEDENT NEWLINE ID(d)');
  t.deepEqual(lexErr('    a\n  b'), { message: 'Indentation can not fall below base level', offset: 8, length: 1 });
  t.deepEqual(lexErr('  a\n    b\nc'), { message: 'Indentation can not fall below base level', offset: 10, length: 1 });
});

test('a dedent between two levels is an error', (t) => {
  t.deepEqual(lexErr('a\n    b\n  c'), {
    message: 'Inconsistent dedent: indentation does not match any enclosing level', offset: 10, length: 1,
  });
});

test('blank lines are ignored, whatever whitespace they contain', (t) => {
  t.is(lex('a\n\n   \n\t\n  \t  \nb'), 'ID(a) NEWLINE ID(b)');
  t.is(lex('a\n    b\n\n\n    c'), 'ID(a) INDENT ID(b) NEWLINE ID(c) DEDENT');
});

test('comment-only lines are treated as blank lines', (t) => {
  t.is(lex('// head\na\n        // deep\nb'), 'ID(a) NEWLINE ID(b)');
  t.is(lex('    // indented first comment\na'), 'ID(a)');
  t.is(lex('class C:\n    func f():\n        pass\n// c\n    // d\n\nx'), 'CLASS ID(C) : INDENT FUNC ID(f) ( ) : INDENT PASS DEDENT DEDENT NEWLINE ID(x)');
  t.is(lex('a:\n  // c\n      // d\n  b'), 'ID(a) : INDENT ID(b) DEDENT');
  t.is(lex('a:\n\t// tab-indented comment\n  b'), 'ID(a) : INDENT ID(b) DEDENT');
  // Upstream rejects this ("Can't increase indentation on the line after a comment");
  // treating comment lines as blank accepts it, as spec §3.5 permits.
  t.is(lex('f:\n    x\n// commented out\n    y'), 'ID(f) : INDENT ID(x) NEWLINE ID(y) DEDENT');
});

test('tabs in leading indentation are rejected', (t) => {
  t.deepEqual(lexErr('a\n\tb'), { message: 'Tabs can not be used for indentation (use spaces)', offset: 2, length: 1 });
  t.deepEqual(lexErr('a:\n    \tb'), { message: 'Tabs can not be used for indentation (use spaces)', offset: 7, length: 1 });
  t.is(lexErr('\ta').offset, 0);
  // Tabs inside a line are ordinary whitespace.
  t.is(lex('a\t:=\t1'), 'ID(a) := INT(1)');
});

test('layout tokens: NEWLINE/DEDENT at the end of the previous token, INDENT at the indented text', (t) => {
  const ts = tokenize(bytes('if x:\n    a\nb'));
  const at = (ty: string) => ts.filter((x) => x.type === ty).map((x) => [x.offset, x.length]);
  t.deepEqual(at('INDENT'), [[10, 0]]);
  t.deepEqual(at('DEDENT'), [[11, 0]]);
  t.deepEqual(at('NEWLINE'), [[11, 0]]);
});

// -- Line continuation ---------------------------------------------------------------

test('a trailing backslash joins the next line', (t) => {
  t.is(lex('x := [1, 2, \\\n      3]\ny'), 'ID(x) := [ INT(1) , INT(2) , INT(3) ] NEWLINE ID(y)');
  t.is(lex('x := 1 + \\  \t\n2'), 'ID(x) := INT(1) + INT(2)');
  t.is(lex('x := 1 + \\\n\n   \n  2'), 'ID(x) := INT(1) + INT(2)');
  t.is(lex('x := 1 + \\\r\n2'), 'ID(x) := INT(1) + INT(2)');
  t.is(lex('a:\n    x := 1 + \\\n        2\n    y'), 'ID(a) : INDENT ID(x) := INT(1) + INT(2) NEWLINE ID(y) DEDENT');
  t.is(lex('a:\n    x := 1 + \\\n    \t2'), 'ID(a) : INDENT ID(x) := INT(1) + INT(2) DEDENT');
});

test('a backslash elsewhere is the symbol \\', (t) => {
  t.is(lex('a \\ b'), 'ID(a) \\ ID(b)');
  t.is(lex('a \\ // c\nb'), 'ID(a) \\ NEWLINE ID(b)');
  t.is(lex('a \\'), 'ID(a) \\');
});

test('brackets do not join lines', (t) => {
  t.is(lex('f(1,\n2)'), 'ID(f) ( INT(1) , NEWLINE INT(2) )');
});

test('continuation lines may not dedent', (t) => {
  t.deepEqual(lexErr('a:\n    x := 1 + \\\n  2'), {
    message: "Can't decrease indentation level after a line continuation", offset: 20, length: 1,
  });
});

// -- DSL blocks and phrases -------------------------------------------------------------

test('DSL block: the more-indented lines after `>>:` become one token', (t) => {
  const src = 'x := $<<f>>:\n    line 1\n\n      line 2\n\nz := 1';
  const ts = tokenize(bytes(src));
  t.is(show(ts), 'ID(x) := $ << ID(f) >> : DSL_BLOCK(    line 1\n\n      line 2) NEWLINE ID(z) := INT(1)');
  const blk = ts.find((x) => x.type === 'DSL_BLOCK')!;
  t.is(blk.offset, 13);
  t.is(blk.length, 24);
  t.is(src.slice(blk.offset, blk.offset + blk.length), blk.value as string);
});

test('DSL block inside a function, at end of input, and with comments inside', (t) => {
  t.is(
    lex('func f():\n    x := $<<g>>:   \n        a // not a comment\n         b\n    y'),
    'FUNC ID(f) ( ) : INDENT ID(x) := $ << ID(g) >> : DSL_BLOCK(        a // not a comment\n         b) NEWLINE ID(y) DEDENT',
  );
  t.is(lex('$<<g>>:\n a\n\n'), '$ << ID(g) >> : DSL_BLOCK( a)');
  t.is(lex('$<<g>>:\r\n a\r\n b\r\nc'), '$ << ID(g) >> : DSL_BLOCK( a\r\n b) NEWLINE ID(c)');
});

test('DSL block: empty when the next line is not indented', (t) => {
  t.is(lex('$<<g>>:\nx'), '$ << ID(g) >> : DSL_BLOCK() NEWLINE ID(x)');
});

test('`>>:` followed by text or a comment is not a DSL block', (t) => {
  t.is(lex('$<<g>>: // c\n    a'), '$ << ID(g) >> : INDENT ID(a) DEDENT');
  t.is(lex('$<<g>>: a'), '$ << ID(g) >> : ID(a)');
  t.is(lex('$<<g>>:'), '$ << ID(g) >> :');
});

test('DSL phrase: raw text between `>><<` and the next `>>`', (t) => {
  const ts = tokenize(bytes('f := $<<f>><<some <text> here>> + 1'));
  t.is(show(ts), 'ID(f) := $ << ID(f) >> << DSL_BLOCK(some <text> here) >> + INT(1)');
  const blk = ts.find((x) => x.type === 'DSL_BLOCK')!;
  t.deepEqual([blk.offset, blk.length], [13, 16]);
  t.is(ts[ts.length - 3].offset, 29);
  t.is(lex('$<<f>><<>>'), '$ << ID(f) >> << DSL_BLOCK() >>');
});

test('DSL phrase must end on the same line', (t) => {
  t.deepEqual(lexErr('f := $<<f>><<some\ntext>>'), { message: 'DSL fragments must begin and end on the same line', offset: 13, length: 1 });
  t.is(lexErr('$<<f>><<abc').message, 'DSL fragments must begin and end on the same line');
});
