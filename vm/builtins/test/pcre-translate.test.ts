// The PCRE-to-JS translator (vm/builtins/pcre-translate.ts). Each case runs the translated
// RegExp and compares what it matched with what libpcre (DOTALL | MULTILINE, no UTF) matches:
// [start, end] of the match, then of each group ([-1, -1] for a group that did not take part).

import test from 'ava';
import { PcreError, translate } from '../pcre-translate.js';

/** Matches `p` against `s` from `i`, anchored (`match`) or searching, as the PCRE module does. */
function run(p: string, s: string, i = 0, anchored = false): number[] | null {
  const t = translate(p);
  const re = new RegExp(t.source, anchored || t.anchored ? 'dy' : 'dg');
  re.lastIndex = i;
  const r = re.exec(s);
  if (r === null) return null;
  const out = [r.index, r.index + r[0].length];
  for (let g = 1; g <= t.groups; g++) {
    const span = r.indices![t.jsGroup[g]];
    out.push(span === undefined ? -1 : span[0], span === undefined ? -1 : span[1]);
  }
  return out;
}

function failure(p: string): string {
  try {
    translate(p);
  } catch (e) {
    if (e instanceof PcreError) return e.message;
    throw e;
  }
  return 'no error';
}

test('literals and dot (DOTALL: dot matches newline)', (t) => {
  t.deepEqual(run('abc', 'xxabcxx'), [2, 5]);
  t.deepEqual(run('a.c', 'a\nc'), [0, 3]);
  t.deepEqual(run('(?-s)a.c', 'a\nc'), null);
  t.deepEqual(run('a\\Nc', 'a\nc'), null);
  t.deepEqual(run('a\\Cc', 'a\nc'), [0, 3]);
  t.deepEqual(run('\\N{2}', 'a\nbc'), [2, 4]);
  t.deepEqual(run('abc', 'abc', 1), null);
  t.deepEqual(run('', 'abc', 3), [3, 3]);
});

test('bytes are bytes: latin1 characters match only themselves', (t) => {
  t.deepEqual(run('\\xe9', 'a\xe9'), [1, 2]);
  t.deepEqual(run('(?i)\\xe9', '\xc9'), null);
  t.deepEqual(run('\\w+', '\xe9t\xe9'), [1, 2]);
  t.deepEqual(run('\\s', '\xa0\x85 '), [2, 3]);
  t.deepEqual(run('\\h+', '\xa0\t x'), [0, 3]);
  t.deepEqual(run('\\v+', '\x85\n\x0b\x0c\rx'), [0, 5]);
  t.deepEqual(run('[\\x80-\\xff]+', 'ab\x80\xfe\xffc'), [2, 5]);
});

test('MULTILINE anchors: ^ after any newline except a final one, $ before any newline', (t) => {
  t.deepEqual(run('^b', 'a\nb'), [2, 3]);
  t.deepEqual(run('a$', 'a\nb'), [0, 1]);
  t.deepEqual(run('^', 'a\n', 1), null);
  t.deepEqual(run('^', 'a\r\nb', 1), [3, 3]);
  t.deepEqual(run('^b', 'a\rb'), null);
  t.deepEqual(run('a$', 'a\rb'), null);
  t.deepEqual(run('(?-m)^b', 'a\nb'), null);
  t.deepEqual(run('(?-m)a$', 'a\n'), [0, 1]);
  t.deepEqual(run('(?-m)a$', 'a\nb'), null);
});

test('\\A \\Z \\z and \\b \\B', (t) => {
  t.deepEqual(run('\\Ab', 'a\nb'), null);
  t.deepEqual(run('\\Aa', 'a\nb'), [0, 1]);
  t.deepEqual(run('b\\Z', 'b\n'), [0, 1]);
  t.deepEqual(run('b\\z', 'b\n'), null);
  t.deepEqual(run('b\\z', 'ab'), [1, 2]);
  t.deepEqual(run('\\bfoo\\b', 'afoo foo'), [5, 8]);
  t.deepEqual(run('\\Boo', 'foo'), [1, 3]);
});

test('\\G at the start anchors every search at its start offset', (t) => {
  t.true(translate('\\Ga|\\Gb').anchored);
  t.deepEqual(run('\\Ga', 'xa', 0), null);
  t.deepEqual(run('\\Ga', 'xa', 1), [1, 2]);
  t.is(failure('a\\Gb'), 'Unsupported at offset 1: \\G other than at the start of every top-level alternative.');
  t.is(failure('\\Ga|b'), 'Unsupported at offset 0: \\G other than at the start of every top-level alternative.');
});

test('character classes: ranges, negation, escapes, leading ] and trailing -', (t) => {
  t.deepEqual(run('[a-c]+', 'xbcay'), [1, 4]);
  t.deepEqual(run('[^a-c]+', 'abxy\nc'), [2, 5]);
  t.deepEqual(run('[]a]+', 'x]a]'), [1, 4]);
  t.deepEqual(run('[^]a]+', ']]xy'), [2, 4]);
  t.deepEqual(run('[a-]+', 'x-a-'), [1, 4]);
  t.deepEqual(run('[%--]', '+'), [0, 1]);
  t.deepEqual(run('[\\d-]+', 'a1-2'), [1, 4]);
  t.deepEqual(run('[\\b]', 'a\x08'), [1, 2]);
  t.deepEqual(run('[\\x{41}-\\x{43}]', 'B'), [0, 1]);
  t.deepEqual(run('[\\Q]\\E]', ']'), [0, 1]);
  t.deepEqual(run('[\\W\\d]+', 'ab1-2c'), [2, 5]);
  t.deepEqual(run('[.]', 'a.'), [1, 2]);
});

test('POSIX classes, caseless [:upper:] and [:lower:] being [:alpha:]', (t) => {
  t.deepEqual(run('[[:alpha:]]+', '12abC3'), [2, 5]);
  t.deepEqual(run('[[:^alpha:]]+', 'ab12c'), [2, 4]);
  t.deepEqual(run('[[:punct:][:digit:]]+', 'a!1?b'), [1, 4]);
  t.deepEqual(run('[[:space:]]+', 'a\t\x0b b'), [1, 4]);
  t.deepEqual(run('[[:xdigit:]]+', 'xfF09g'), [1, 5]);
  t.deepEqual(run('[[:upper:]]+', 'abCDe'), [2, 4]);
  t.deepEqual(run('(?i)[[:upper:]]+', 'abCDe'), [0, 5]);
  t.deepEqual(run('[[:word:]]+', '-a_1-'), [1, 4]);
});

test('escapes for characters', (t) => {
  t.deepEqual(run('\\x61\\x{62}\\o{143}\\144', 'abcd'), [0, 4]);
  t.deepEqual(run('\\x', '\x00'), [0, 1]);
  t.deepEqual(run('\\x4', '\x04'), [0, 1]);
  t.deepEqual(run('\\0', '\x00'), [0, 1]);
  t.deepEqual(run('\\012', '\n'), [0, 1]);
  t.deepEqual(run('\\cA\\c[', '\x01\x1b'), [0, 2]);
  t.deepEqual(run('\\e\\a\\f\\t\\r\\n', '\x1b\x07\x0c\t\r\n'), [0, 6]);
  t.deepEqual(run('\\.\\*\\\\', 'x.*\\'), [1, 4]);
  t.deepEqual(run('\\18', '\x018'), [0, 2]);
  t.deepEqual(run('(a)\\10', 'a\x08'), [0, 2, 0, 1]);
});

test('\\Q...\\E quotes, comments, extended mode', (t) => {
  t.deepEqual(run('\\Qa.b\\E+', 'a.bbb'), [0, 5]);
  t.deepEqual(run('\\Qa.b', 'axb a.b'), [4, 7]);
  t.deepEqual(run('a\\Q\\E*', 'aaa'), [0, 3]);
  t.deepEqual(run('a(?#comment)*', 'aaa'), [0, 3]);
  t.deepEqual(run('(?x) a b # a comment\n c', 'abc'), [0, 3]);
  t.deepEqual(run('(?x)[ ]a', ' a'), [0, 2]);
  t.deepEqual(run('(?x)a+ ?', 'aaa'), [0, 1]);
  t.deepEqual(run('(?x)a\\ b', 'a b'), [0, 3]);
});

test('case-insensitive matching: global, scoped, switched off, to the end of the group', (t) => {
  t.deepEqual(run('(?i)abc', 'xAbC'), [1, 4]);
  t.deepEqual(run('(?i:a)b', 'AB Ab'), [3, 5]);
  t.deepEqual(run('(?i)a(?-i)b', 'AB Ab'), [3, 5]);
  t.deepEqual(run('(a(?i)b|c)', 'C'), [0, 1, 0, 1]);
  t.deepEqual(run('(a(?i)b)c', 'aBC'), null);
  t.deepEqual(run('(?i)[b-c]+', 'aBcd'), [1, 3]);
  t.deepEqual(run('(?i)[^a]', 'Ab'), [1, 2]);
});

test('quantifiers: greedy, lazy, possessive, counted, ungreedy option', (t) => {
  t.deepEqual(run('a{2}', 'aaa'), [0, 2]);
  t.deepEqual(run('a{1,2}', 'aaa'), [0, 2]);
  t.deepEqual(run('a{2,}', 'aaa'), [0, 3]);
  t.deepEqual(run('a{,2}', 'a{,2}'), [0, 5]);
  t.deepEqual(run('a{ 2}', 'a{ 2}'), [0, 5]);
  t.deepEqual(run('a+?', 'aaa'), [0, 1]);
  t.deepEqual(run('a*?b', 'aab'), [0, 3]);
  t.deepEqual(run('a*+a', 'aaa'), null);
  t.deepEqual(run('a++b', 'aab'), [0, 3]);
  t.deepEqual(run('a?+a', 'a'), null);
  t.deepEqual(run('(?U)a+', 'aaa'), [0, 1]);
  t.deepEqual(run('(?U)a+?', 'aaa'), [0, 3]);
  t.deepEqual(run('(?=a)*a', 'a'), [0, 1]);
});

test('atomic groups do not give back', (t) => {
  t.deepEqual(run('(?>a*)a', 'aaa'), null);
  t.deepEqual(run('(?>a|ab)c', 'abc'), null);
  t.deepEqual(run('(?>ab|a)c', 'abc'), [0, 3]);
  t.deepEqual(run('(?>(a)b)c', 'abc'), [0, 3, 0, 1]);
  t.deepEqual(run('((a)b)++', 'abab'), [0, 4, 2, 4, 2, 3]);
});

test('\\R is atomic: a CRLF pair is never split', (t) => {
  t.deepEqual(run('\\R', 'a\r\nb'), [1, 3]);
  t.deepEqual(run('\\R\\n', '\r\n'), null);
  t.deepEqual(run('\\R+', '\n\x0b\x0c\r\x85x'), [0, 5]);
});

test('groups: numbering, named groups, non-participating groups', (t) => {
  t.deepEqual(run('(\\d+)-(\\d+)', 'tel 12-345'), [4, 10, 4, 6, 7, 10]);
  t.deepEqual(run('(a)|(b)', 'b'), [0, 1, -1, -1, 0, 1]);
  t.deepEqual(run('(a)?b', 'b'), [0, 1, -1, -1]);
  t.deepEqual(run('(?:x(y))z', 'xyz'), [0, 3, 1, 2]);
  t.deepEqual(run('(?<n>a)(?P<m>b)(?\'o\'c)', 'abc'), [0, 3, 0, 1, 1, 2, 2, 3]);
  t.deepEqual(run('((a)(b))', 'ab'), [0, 2, 0, 2, 0, 1, 1, 2]);
  t.deepEqual(run('(\\w)+', 'abc'), [0, 3, 2, 3]);
  t.deepEqual(run('(a|b)+', 'abba'), [0, 4, 3, 4]);
  t.is(translate('(a)(?:b)(?<n>c)').groups, 2);
});

test('back references by number, relative number and name', (t) => {
  t.deepEqual(run('(a)\\1', 'aa'), [0, 2, 0, 1]);
  t.deepEqual(run('(.)\\g{-1}', 'xyy'), [1, 3, 1, 2]);
  t.deepEqual(run('(.)\\g-1', 'xyy'), [1, 3, 1, 2]);
  t.deepEqual(run('(.)\\g1', 'xyy'), [1, 3, 1, 2]);
  t.deepEqual(run('(.)\\g{1}', 'xyy'), [1, 3, 1, 2]);
  t.deepEqual(run('(?<n>.)\\k<n>', 'abb'), [1, 3, 1, 2]);
  t.deepEqual(run("(?'n'.)\\k'n'", 'abb'), [1, 3, 1, 2]);
  t.deepEqual(run('(?P<n>.)(?P=n)', 'abb'), [1, 3, 1, 2]);
  t.deepEqual(run('(?<n>.)\\k{n}\\g{n}', 'abbb'), [1, 4, 1, 2]);
  t.deepEqual(run('(a)\\1*', 'aaab'), [0, 3, 0, 1]);
});

test('lookahead and lookbehind', (t) => {
  t.deepEqual(run('a(?=b)', 'acab'), [2, 3]);
  t.deepEqual(run('a(?!b)', 'abac'), [2, 3]);
  t.deepEqual(run('(?<=a)b', 'cbab'), [3, 4]);
  t.deepEqual(run('(?<!a)b', 'abcb'), [3, 4]);
  t.deepEqual(run('(?<=a|bc)d', 'bcd'), [2, 3]);
  t.deepEqual(run('(?<=(a))b', 'ab'), [1, 2, 0, 1]);
  t.deepEqual(run('(?=(a))a', 'a'), [0, 1, 0, 1]);
  t.deepEqual(run('(?<=^|\\n).', 'ab\ncd'), [0, 1]);
  t.deepEqual(run('(?<=\\d{2})x', '1x12x'), [4, 5]);
});

test('invalid patterns raise libpcre2 messages', (t) => {
  t.is(failure('(ab'), 'Error at offset 3: missing closing parenthesis.');
  t.is(failure('a)'), 'Error at offset 1: unmatched closing parenthesis.');
  t.is(failure('[a'), 'Error at offset 2: missing terminating ] for character class.');
  t.is(failure('[]'), 'Error at offset 2: missing terminating ] for character class.');
  t.is(failure('*a'), 'Error at offset 0: quantifier does not follow a repeatable item.');
  t.is(failure('a**'), 'Error at offset 2: quantifier does not follow a repeatable item.');
  t.is(failure('^*'), 'Error at offset 1: quantifier does not follow a repeatable item.');
  t.is(failure('a(?i)*'), 'Error at offset 5: quantifier does not follow a repeatable item.');
  t.is(failure('x{2,1}'), 'Error at offset 5: numbers out of order in {} quantifier.');
  t.is(failure('x{70000}'), 'Error at offset 7: number too big in {} quantifier.');
  t.is(failure('[z-a]'), 'Error at offset 3: range out of order in character class.');
  t.is(failure('[a-\\d]'), 'Error at offset 5: invalid range in character class.');
  t.is(failure('[\\w-z]'), 'Error at offset 3: invalid range in character class.');
  t.is(failure('[[:foo:]]'), 'Error at offset 3: unknown POSIX class name.');
  t.is(failure('[[.a.]]'), 'Error at offset 1: POSIX collating elements are not supported.');
  t.is(failure('\\'), 'Error at offset 1: \\ at end of pattern.');
  t.is(failure('\\y'), 'Error at offset 1: unrecognized character follows \\.');
  t.is(failure('[\\R]'), 'Error at offset 2: escape sequence is invalid in character class.');
  t.is(failure('\\L'), 'Error at offset 2: PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u.');
  t.is(failure('\\N{U+41}'), 'Error at offset 2: \\N{U+dddd} is supported only in Unicode (UTF) mode.');
  t.is(failure('\\N{abc}'), 'Error at offset 2: PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u.');
  t.is(failure('\\c'), 'Error at offset 2: \\c at end of pattern.');
  t.is(failure('\\c\xe9'), 'Error at offset 2: \\c must be followed by a printable ASCII character.');
  t.is(failure('\\x{100}'), 'Error at offset 6: character code point value in \\x{} or \\o{} is too large.');
  t.is(failure('\\x{zz}'), 'Error at offset 3: non-hex character in \\x{} (closing brace missing?).');
  t.is(failure('\\x{}'), 'Error at offset 3: digits missing in \\x{} or \\o{} or \\N{U+}.');
  t.is(failure('\\o'), 'Error at offset 1: missing opening brace after \\o.');
  t.is(failure('\\o{8}'), 'Error at offset 3: non-octal character in \\o{} (closing brace missing?).');
  t.is(failure('\\777'), 'Error at offset 4: octal value is greater than \\377 in 8-bit non-UTF-8 mode.');
  t.is(failure('\\8'), 'Error at offset 0: reference to non-existent subpattern.');
  t.is(failure('\\k<zz>'), 'Error at offset 0: reference to non-existent subpattern.');
  t.is(failure('(?P<n>a)(?P<n>b)'), 'Error at offset 14: two named subpatterns have the same name (PCRE2_DUPNAMES not set).');
  t.is(failure('(?<1a>x)'), 'Error at offset 3: subpattern name must start with a non-digit.');
  t.is(failure('(?z)'), 'Error at offset 2: unrecognized character after (? or (?-.');
  t.is(failure('(?<=a+)b'), 'Error at offset 0: lookbehind assertion is not fixed length.');
  t.is(failure('(?<=(a|bc))d'), 'Error at offset 0: lookbehind assertion is not fixed length.');
  t.is(failure('('.repeat(250) + ')'.repeat(250)), 'no error');
  t.is(failure('('.repeat(251) + ')'.repeat(251)), 'Error at offset 251: parentheses are too deeply nested.');
  t.is(failure('(?:'.repeat(251) + ')'.repeat(251)), 'Error at offset 753: parentheses are too deeply nested.');
  t.is(failure('[:alpha:]'), 'Error at offset 0: POSIX named classes are supported only within a class.');
});

test('constructs that are refused rather than matched differently', (t) => {
  t.is(failure('(?R)'), 'Unsupported at offset 0: recursion (?R).');
  t.is(failure('(a)(?1)'), 'Unsupported at offset 3: subroutine call (?n).');
  t.is(failure('(?&n)'), 'Unsupported at offset 0: recursion (?&name).');
  t.is(failure('(a)?(?(1)b|c)'), 'Unsupported at offset 4: conditional group (?(...)...).');
  t.is(failure('(?|(a)|(b))'), 'Unsupported at offset 0: branch reset group (?|...).');
  t.is(failure('a\\Kb'), 'Unsupported at offset 1: \\K (resetting the match start).');
  t.is(failure('\\p{L}'), 'Unsupported at offset 0: \\p (Unicode property).');
  t.is(failure('\\X'), 'Unsupported at offset 0: \\X (extended grapheme cluster).');
  t.is(failure('(*FAIL)'), 'Unsupported at offset 0: backtracking verbs and (*...) option settings.');
  t.is(failure('(?J)(?<n>a)'), 'Unsupported at offset 2: duplicate group names (?J).');
  t.is(failure('(?C1)'), 'Unsupported at offset 0: callout (?C...).');
  t.is(failure('(a)\\g<1>'), 'Unsupported at offset 3: subroutine call \\g<...>.');
  // JS matches "" where PCRE fails, clears captures per pass, rejects empty optional passes.
  t.is(failure('(a)?\\1'), 'Unsupported at offset 4: back reference to a group that may be unset at that point.');
  t.is(failure('\\2(a)(b)'), 'Unsupported at offset 0: back reference to a group that may be unset at that point.');
  t.is(failure('(a\\1)'), 'Unsupported at offset 2: back reference to a group that may be unset at that point.');
  t.is(failure('(?i)(a)\\1'), 'Unsupported at offset 7: case-insensitive back reference.');
  t.is(failure('(?:(a)|b)+'), 'Unsupported at offset 0: capturing group that a repetition may pass without setting.');
  t.is(failure('(a?)*'), 'Unsupported at offset 0: capturing group in a repetition that can match the empty string.');
  t.is(failure('(a|)+'), 'Unsupported at offset 0: capturing group in a repetition that can match the empty string.');
  t.is(failure('(?<=(\\w){2})x'), 'Unsupported at offset 4: capturing group repeated inside a lookbehind assertion.');
  t.is(failure('(?<=(a)\\1)b'), 'Unsupported at offset 7: back reference in a lookbehind assertion.');
  t.is(failure('(?<=(?>a))b'), 'Unsupported at offset 0: atomic group or possessive quantifier in a lookbehind assertion.');
});

test('group numbers shift past groups the caller puts first', (t) => {
  const tr = translate('(a)(?>b)(c)\\2', 1);
  t.deepEqual(tr.jsGroup.slice(1), [2, 4]);
  const re = new RegExp(`(x?)(?:${tr.source})`, 'd');
  const r = re.exec('abcc')!;
  t.deepEqual(r.indices![tr.jsGroup[2]], [2, 3]);
});

test('minLength', (t) => {
  t.is(translate('a*').minLength, 0);
  t.is(translate('ab|a{3}').minLength, 2);
  t.is(translate('(?=x)\\R').minLength, 1);
});
