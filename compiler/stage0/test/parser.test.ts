import test from 'ava';
import { parse, parseExprSeq } from '../parser.js';
import { printExpr, printModule } from '../ast-print.js';
import { CompileError } from '../errors.js';
import type * as A from '../ast.js';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const top = (s: string): string => printModule(parse(bytes(s)));

/** Wraps `src` as the body of `func f()` so that any expression is allowed. */
function wrap(src: string): string {
  return 'func f():\n' + src.split('\n').map((l) => '    ' + l).join('\n');
}
const WRAP_SHIFT = 'func f():\n    '.length;

function bodyOf(src: string): A.Expr[] {
  return (parse(bytes(wrap(src))).defns[0] as A.FuncDefn).body;
}

/** Parses `src` as a function body and prints its expressions, one per line. */
const ex = (s: string): string => bodyOf(s).map(printExpr).join('\n');

interface Err {
  message: string;
  offset: number;
  length: number;
}

function perr(s: string): Err {
  try {
    parse(bytes(s));
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return { message: e.message, offset: e.span?.offset ?? -1, length: e.span?.length ?? -1 };
  }
  throw new Error(`no error for ${JSON.stringify(s)}`);
}

/** Error for `src` used as a function body; offsets are into the wrapped text minus the
 *  `func f():` line and first indentation, so later lines are 4 bytes further per line. */
function exErr(s: string): Err {
  const e = perr(wrap(s));
  return { ...e, offset: e.offset - WRAP_SHIFT };
}

const near = (x: string): string => `Parsing error at or near \`${x}' token.`;

// -- Precedence and associativity (spec §4.6) ---------------------------------------

test(':= binds tighter than & and |', (t) => {
  t.is(ex('x := a | b'), '(| (:= x a) b)');
  t.is(ex('x := f() & g()'), '(& (:= x (call f)) (call g))');
  t.is(ex('x := 1 | 2 | 3'), '(| (:= x 1) 2 3)');
  t.is(ex('if y := d.find(k) & y > 3:\n    pass'), '(if ((& (:= y (call (. d find) k)) (> y 3)) pass))');
  t.is(ex('x := (a | b)'), '(:= x (| a b))');
  t.is(ex('x += a & b'), '(& (+= x a) b)');
});

test('& and | are one left-associative level, each run flattened', (t) => {
  t.is(ex('a & b & c'), '(& a b c)');
  t.is(ex('a | b | c | d'), '(| a b c d)');
  t.is(ex('a | b & c'), '(& (| a b) c)');
  t.is(ex('a & b | c'), '(| (& a b) c)');
  t.is(ex('a & b | c & d'), '(& (| (& a b) c) d)');
  t.is(ex('a & (b | c)'), '(& a (| b c))');
  t.is(ex('a == b & c < d'), '(& (== a b) (< c d))');
});

test('not: looser than comparisons, tighter than & | and assignment', (t) => {
  t.is(ex('not a == b'), '(not (== a b))');
  t.is(ex('not a & b'), '(& (not a) b)');
  t.is(ex('not a | b'), '(| (not a) b)');
  t.is(ex('x := not a'), '(:= x (not a))');
  t.is(ex('not not a'), '(not (not a))');
  t.is(ex('not a + b'), '(not (+ a b))');
  t.is(ex('not x := 1'), '(not (:= x 1))');
});

test('comparisons are left-associative', (t) => {
  t.is(ex('a < b < c'), '(< (< a b) c)');
  t.is(ex('lo <= x < hi'), '(< (<= lo x) hi)');
  t.is(ex('a == b != c'), '(!= (== a b) c)');
  t.is(ex('a is b'), '(is a b)');
  t.is(ex('a > b >= c <= d'), '(<= (>= (> a b) c) d)');
  t.is(ex('a + b == c * d'), '(== (+ a b) (* c d))');
});

test('arithmetic: + - loosest, then / %, then * tightest; all left-associative', (t) => {
  t.is(ex('a + b * c'), '(+ a (* b c))');
  t.is(ex('a / b * c'), '(/ a (* b c))');
  t.is(ex('a % b * c'), '(% a (* b c))');
  t.is(ex('a * b / c'), '(/ (* a b) c)');
  t.is(ex('a * b % c'), '(% (* a b) c)');
  t.is(ex('a - b - c'), '(- (- a b) c)');
  t.is(ex('a - b + c'), '(+ (- a b) c)');
  t.is(ex('a / b / c'), '(/ (/ a b) c)');
  t.is(ex('a / b % c'), '(% (/ a b) c)');
  t.is(ex('a % b / c'), '(/ (% a b) c)');
  t.is(ex('a * b * c'), '(* (* a b) c)');
  t.is(ex('a + b / c - d'), '(- (+ a (/ b c)) d)');
  t.is(ex('(a + b) * c'), '(* (+ a b) c)');
});

test('unary minus: below call/index and slot lookup, above arithmetic', (t) => {
  t.is(ex('-a * b'), '(* (neg a) b)');
  t.is(ex('-a + b'), '(+ (neg a) b)');
  t.is(ex('-a.b'), '(neg (. a b))');
  t.is(ex('-f(x)'), '(neg (call f x))');
  t.is(ex('-a[1]'), '(neg (get a 1))');
  t.is(ex('-7.idiv(2)'), '(neg (call (. 7 idiv) 2))');
  t.is(ex('(-7).idiv(2)'), '(call (. (neg 7) idiv) 2)');
  t.is(ex('- -a'), '(neg (neg a))');
  t.is(ex('a - -b'), '(- a (neg b))');
  t.is(ex('a * -b'), '(* a (neg b))');
});

test('unary minus on an INT literal stays a Neg node', (t) => {
  const [e] = bodyOf('-1');
  t.is(e.kind, 'Neg');
  t.is((e as A.Neg).value.kind, 'Int');
  t.is(((e as A.Neg).value as A.IntLit).value, 1n);
});

test('postfix call/index/slice and slot/module lookup', (t) => {
  t.is(ex('f(x)(y)'), '(call (call f x) y)');
  t.is(ex('f()'), '(call f)');
  t.is(ex('f(a, b, c)'), '(call f a b c)');
  t.is(ex('a.b.c'), '(. (. a b) c)');
  t.is(ex('a[1][2]'), '(get (get a 1) 2)');
  t.is(ex('a.b(c).d[e]'), '(get (. (call (. a b) c) d) e)');
  t.is(ex('A::b::c'), 'A::b::c');
  t.is(ex('A::b.c(1)'), '(call (. A::b c) 1)');
  t.is(ex('a[1:2]'), '(slice a 1 2)');
  t.is(ex('a[:2]'), '(slice a _ 2)');
  t.is(ex('a[1:]'), '(slice a 1 _)');
  t.is(ex('a[:]'), '(slice a _ _)');
  t.is(ex('a[i + 1 : -1]'), '(slice a (+ i 1) (neg 1))');
  t.is(ex('"abc".len()'), '(call (. "abc" len))');
  t.is(ex('[1][0]'), '(get [1] 0)');
});

test('return/yield/raise/assert take everything to their right', (t) => {
  t.is(ex('return a & b'), '(return (& a b))');
  t.is(ex('return'), '(return)');
  t.is(ex('return x := 1 | 2'), '(return (| (:= x 1) 2))');
  t.is(ex('return -1'), '(return (neg 1))');
  t.is(ex('yield a + b'), '(yield (+ a b))');
  t.is(ex('raise Exceptions::Exception.new("x")'), '(raise (call (. Exceptions::Exception new) "x"))');
  t.is(ex('assert x == 1 | y'), '(assert (| (== x 1) y))');
  t.is(ex('return not a'), '(return (not a))');
  t.is(ex('f(return)'), '(call f (return))');
});

test('prefix constructs inside operands stop where the context requires', (t) => {
  t.is(ex('a + not b == c'), '(== (+ a (not b)) c)');
  t.is(ex('a + not b * c'), '(+ a (not (* b c)))');
  t.is(ex('x := return a & b'), '(& (:= x (return a)) b)');
  t.is(ex('a & return b & c'), '(& a (return b) c)');
  t.is(ex('a + b := 1 * 2'), '(+ a (:= b (* 1 2)))');
  t.is(ex('a + b := 1 + 2'), '(+ (+ a (:= b 1)) 2)');
  t.is(ex('a == b := c'), '(== a (:= b c))');
  t.is(ex('-x := 1'), '(neg (:= x 1))');
});

test('assignment forms', (t) => {
  t.is(ex('x := y := 1'), '(:= x (:= y 1))');
  t.is(ex('x.y := 1'), '(:= (. x y) 1)');
  t.is(ex('x[1] := 2'), '(:= (get x 1) 2)');
  t.is(ex('x[1:2] := y'), '(:= (slice x 1 2) y)');
  t.is(ex('a, b := c'), '(:= (a b) c)');
  t.is(ex('x.a, y[0], z[1:] := p'), '(:= ((. x a) (get y 0) (slice z 1 _)) p)');
  t.is(ex('x += 1\nx -= 1\nx *= 2\nx /= 2'), '(+= x 1)\n(-= x 1)\n(*= x 2)\n(/= x 2)');
  t.is(ex('x := a == b'), '(:= x (== a b))');
  t.is(ex('f(x := 1, y)'), '(call f (:= x 1) y)');
  t.is(ex('[a, b := 1]'), '[a (:= b 1)]');
  t.is(ex('(a, b := 1)'), '(:= (a b) 1)');
  t.is(ex('x := a, b := 1'), '(:= x (:= (a b) 1))');
  t.is(ex('f().x := 1'), '(:= (. (call f) x) 1)');
  t.is(ex('(a).b := 1'), '(:= (. a b) 1)');
  t.is(ex('if a, b := f():\n    pass'), '(if ((:= (a b) (call f)) pass))');
});

test('assignment targets: several targets only with :=, no parenthesised targets', (t) => {
  t.deepEqual(exErr('a, b += 1'), { message: "Several targets can only be assigned with ':=', not '+='.", offset: 5, length: 2 });
  t.is(exErr('a, b -= 1').message, "Several targets can only be assigned with ':=', not '-='.");
  t.deepEqual(exErr('(x) := 1'), { message: near(':='), offset: 4, length: 2 });
  t.deepEqual(exErr('f(x) := 1'), { message: near(':='), offset: 5, length: 2 });
  t.deepEqual(exErr('a, f(x) := 1'), { message: near(':='), offset: 8, length: 2 });
  t.deepEqual(exErr('a, b'), { message: near('DEDENT'), offset: 4, length: 0 });
  t.deepEqual(exErr('A::b := 1'), { message: near(':='), offset: 5, length: 2 });
  t.deepEqual(exErr('1 := 2'), { message: near(':='), offset: 2, length: 2 });
});

// -- Loops ------------------------------------------------------------------------

test('for/while without a body', (t) => {
  t.is(ex('for x.remove(2)'), '(for (call (. x remove) 2))');
  t.is(ex('while self.step()'), '(while (call (. self step)))');
  t.is(ex('for x := l.iter() & x > 2'), '(for (& (:= x (call (. l iter))) (> x 2)))');
  t.is(ex('y := for x'), '(:= y (for x))');
});

test('for/while with a body and loop tails', (t) => {
  t.is(ex('for i := 1 | 2:\n    pass'), '(for (| (:= i 1) 2) (do pass))');
  t.is(ex('for i := (1 | 2):\n    Sys::println(i)'), '(for (:= i (| 1 2)) (do (call Sys::println i)))');
  t.is(
    ex('while x:\n    a\n    b\nexhausted:\n    c\nbroken:\n    d'),
    '(while x (do a b) (exhausted c) (broken d))',
  );
  t.is(ex('for x:\n    a\nbroken:\n    d'), '(for x (do a) (broken d))');
  t.is(ex('for x:\n    a\nexhausted:\n    d\ny'), '(for x (do a) (exhausted d))\ny');
  t.deepEqual(exErr('for x:\n    a\nbroken:\n    d\nexhausted:\n    e'), { message: near('exhausted'), offset: 43, length: 9 });
});

test('a colon claimed by the context is not a loop body', (t) => {
  t.is(ex('if for x:\n    pass'), '(if ((for x) pass))');
  t.is(ex('Dict{for x : 1}'), '(dict ((for x) 1))');
  t.is(ex('a[while b : 2]'), '(slice a (while b) 2)');
});

// -- Control structures and displays ------------------------------------------------

test('if / elif / else, colon and curly forms', (t) => {
  t.is(ex('if a:\n    b'), '(if (a b))');
  t.is(ex('if a:\n    b\n    c\nelif d:\n    e\nelif f:\n    g\nelse:\n    h'), '(if (a b c) (d e) (f g) (else h))');
  t.is(ex('x := if a {\n    1\n}\nelse {\n    2\n}'), '(:= x (if (a 1) (else 2)))');
  t.is(ex('if a:\n    if b:\n        c\nelse:\n    d'), '(if (a (if (b c))) (else d))');
  t.is(ex('if a:\n    b\nx'), '(if (a b))\nx');
});

test('ndif has no else', (t) => {
  t.is(ex('ndif a:\n    b\nelif c:\n    d'), '(ndif (a b) (c d))');
  t.deepEqual(exErr('ndif a:\n    b\nelse:\n    d'), { message: near('else'), offset: 22, length: 4 });
});

test('try / catch / into', (t) => {
  t.is(ex('try:\n    a\ncatch E into e:\n    b\ncatch F:\n    c'), '(try (a) (catch E e b) (catch F _ c))');
  t.is(ex('try:\n    a'), '(try (a))');
  t.is(ex('try:\n    a\ncatch Exceptions::Key_Exception:\n    b'), '(try (a) (catch Exceptions::Key_Exception _ b))');
});

test('literals and displays', (t) => {
  t.is(ex('[]\n[1]\n[1, 2.5, "s"]'), '[]\n[1]\n[1 2.5 "s"]');
  t.is(ex('Dict{}\nDict{1 : 2, "a" : b}'), '(dict)\n(dict (1 2) ("a" b))');
  t.is(ex('Set{}\nSet{1, 2}'), '(set)\n(set 1 2)');
  t.is(ex('0x1F\n0xFFFFFFFFFFFFFFFF\n9223372036854775808'), '31\n-1\n-9223372036854775808');
  t.is(ex('break\ncontinue\npass\nfail'), 'break\ncontinue\npass\nfail');
  const [s] = bodyOf('"caf\xc3\xa9\\n"');
  t.deepEqual([...(s as A.StringLit).value], [0x63, 0x61, 0x66, 0xc3, 0xa9, 10]);
  const [f] = bodyOf('3.25');
  t.is((f as A.FloatLit).value, 3.25);
});

test('exbi takes the last slot lookup of its chain', (t) => {
  t.is(ex('exbi C.f'), '(exbi C f)');
  t.is(ex('exbi C.f(x)'), '(call (exbi C f) x)');
  t.is(ex('obj := exbi Builtins::Class.new(key)'), '(:= obj (call (exbi Builtins::Class new) key))');
  t.is(ex('exbi a.b.c'), '(exbi (. a b) c)');
  t.is(ex('return exbi Shape.describe() + ", area"'), '(return (+ (call (exbi Shape describe)) ", area"))');
  t.is(ex('exbi a.b(1).c(2)[3]'), '(get (call (exbi (call (. a b) 1) c) 2) 3)');
  t.deepEqual(exErr('exbi a'), { message: near('DEDENT'), offset: 6, length: 0 });
  t.is(exErr('exbi (a.b)').message, near('DEDENT'));
  t.is(exErr('exbi f(x)').message, near('DEDENT'));
});

test('import statements', (t) => {
  t.is(top('import Sys'), '(import Sys)');
  t.is(top('import A::B::C as D, E'), '(import A::B::C as D, E)');
  t.is(ex('import Sys\nSys::println(1)'), '(import Sys)\n(call Sys::println 1)');
  t.is(ex('f(import A, B)'), '(call f (import A) B)');
  t.is(top('import Sys, Strings\nfunc main():\n    pass'), '(import Sys, Strings)\n(func main () pass)');
});

// -- Definitions ---------------------------------------------------------------------

test('module top level', (t) => {
  t.is(top(''), '');
  t.is(top('\n// just a comment\n'), '');
  t.is(top('x := 1\ny, z := f()'), '(:= x 1)\n(:= (y z) (call f))');
  // A top-level definition takes a whole expression.
  t.is(top('x := 1 | 2'), '(:= x (| 1 2))');
  t.is(top('_ := Sys::println("loading")'), '(:= _ (call Sys::println "loading"))');
  t.is(top('func main():\n    pass\nclass C:\n    pass'), '(func main () pass)\n(class C () pass)');
});

test('top level admits only definitions', (t) => {
  t.deepEqual(perr('f()'), { message: near('('), offset: 1, length: 1 });
  t.deepEqual(perr('x.y := 1'), { message: near('.'), offset: 1, length: 1 });
  t.deepEqual(perr('x += 1'), { message: near('+='), offset: 2, length: 2 });
  t.deepEqual(perr('1'), { message: near('1'), offset: 0, length: 1 });
  t.deepEqual(perr('if x:\n    pass'), { message: near('if'), offset: 0, length: 2 });
  t.deepEqual(perr('x := 1\n    y := 2'), { message: near('INDENT'), offset: 11, length: 0 });
  t.deepEqual(perr('Sys::println(1)'), { message: near('::'), offset: 3, length: 2 });
});

test('classes', (t) => {
  t.is(top('class C:\n    pass'), '(class C () pass)');
  t.is(top('class C(A, B::D):\n    x := 1\n    y := 2 | 3'), '(class C (A B::D) (field x 1) (field y (| 2 3)))');
  t.is(top('class C(A) metaclass M:\n    pass'), '(class C (A) (metaclass M) pass)');
  t.is(top('class C metaclass M:\n    pass'), '(class C () (metaclass M) pass)');
  t.is(
    top('class C:\n    func f(self):\n        return 1\n    bound_func g():\n        pass\n    class D:\n        pass'),
    '(class C () (func f (self) (return 1)) (bound_func g () pass) (class D () pass))',
  );
  t.is(ex('x := class:\n    pass'), '(:= x (class _ () pass))');
  t.is(ex('x := class (A):\n    pass'), '(:= x (class _ (A) pass))');
  t.deepEqual(perr('class C():\n    pass'), { message: near(')'), offset: 8, length: 1 });
  t.deepEqual(perr('class C:\n    f()'), { message: near('('), offset: 14, length: 1 });
});

test('anonymous classes/functions as class fields are errors', (t) => {
  t.deepEqual(perr('class C:\n    class:\n        pass'), {
    message: 'Classes as class fields can not be anonymous.', offset: 13, length: 19,
  });
  t.deepEqual(perr('class C:\n    x := 1\n    func ():\n        pass'), {
    message: 'Functions as class fields can not be anonymous.', offset: 24, length: 21,
  });
});

test('functions: names, parameters, defaults, varargs', (t) => {
  t.is(top('func f(a, b := 1, *c):\n    pass'), '(func f (a (:= b 1) *c) pass)');
  t.is(top('func f(*args):\n    pass'), '(func f (*args) pass)');
  t.is(top('func f(a := x | y, b):\n    pass'), '(func f ((:= a (| x y)) b) pass)');
  t.is(top('bound_func f():\n    pass\nunbound_func g():\n    pass'), '(bound_func f () pass)\n(unbound_func g () pass)');
  for (const op of ['+', '-', '*', '/', '<', '>', '==', '!=', '>=', '<=']) {
    t.is(top(`class C:\n    func ${op}(o):\n        pass`), `(class C () (func ${op} (o) pass))`);
  }
  t.deepEqual(perr('func %(o):\n    pass'), { message: near('%'), offset: 5, length: 1 });
  t.deepEqual(perr('func f(*a, b):\n    pass'), { message: near(','), offset: 9, length: 1 });
  t.deepEqual(perr('func f(a,):\n    pass'), { message: near(')'), offset: 9, length: 1 });
  t.deepEqual(perr('func f():\n    nonlocal x'), { message: near('DEDENT'), offset: 24, length: 0 });
});

test('functions: nonlocal and rename lines (any number)', (t) => {
  t.is(top('func f():\n    nonlocal a, b\n    x'), '(func f () (nonlocal a b) x)');
  t.is(top('func f():\n    rename a as b, c as d\n    x'), '(func f () (rename a>b c>d) x)');
  t.is(
    top('func f():\n    nonlocal a\n    rename b as c\n    nonlocal d\n    x'),
    '(func f () (nonlocal a d) (rename b>c) x)',
  );
  t.deepEqual(perr('func f():\n    x\n    nonlocal a'), { message: near('nonlocal'), offset: 20, length: 8 });
});

test('functions: curly forms', (t) => {
  t.is(ex('g := func (x) { return x + 1 }'), '(:= g (func _ (x) (return (+ x 1))))');
  t.is(ex('g := func (x) {\n    nonlocal y\n    y := x * 2\n    return y\n}'), '(:= g (func _ (x) (nonlocal y) (:= y (* x 2)) (return y)))');
  t.is(ex('l.map(func (x) { x * 2 })'), '(call (. l map) (func _ (x) (* x 2)))');
  t.is(ex('func () { 1 }()'), '(call (func _ () 1))');
  t.is(top('func f() { 1 }'), '(func f () 1)');
});

// -- Error messages and positions -------------------------------------------------------

test('parse errors name and point at the offending token', (t) => {
  t.deepEqual(exErr('x := 1 2'), { message: near('2'), offset: 7, length: 1 });
  t.deepEqual(exErr('x := +1'), { message: near('+'), offset: 5, length: 1 });
  t.deepEqual(exErr('x := [1, 2,]'), { message: near(']'), offset: 11, length: 1 });
  t.deepEqual(exErr('if 1 then:\n    pass'), { message: near('then'), offset: 5, length: 4 });
  t.deepEqual(exErr('o.is(x)'), { message: near('is'), offset: 2, length: 2 });
  t.deepEqual(exErr('x := a in b'), { message: near('in'), offset: 7, length: 2 });
  t.deepEqual(exErr('x := 1 Set{}'), { message: near('Set{'), offset: 7, length: 4 });
  t.deepEqual(exErr('x := 1 "a b"'), { message: near('a b'), offset: 7, length: 5 });
  t.deepEqual(exErr('x := 1 \\ 2'), { message: near('\\'), offset: 7, length: 1 });
  t.deepEqual(exErr('x := a << b'), { message: near('<<'), offset: 7, length: 2 });
  t.deepEqual(exErr('x := f(1,\n2)'), { message: near('NEWLINE'), offset: 9, length: 0 });
  t.deepEqual(exErr('x := (1 +'), { message: near('DEDENT'), offset: 9, length: 0 });
  t.deepEqual(exErr('x := 1\n    y'), { message: near('INDENT'), offset: 15, length: 0 });
  t.deepEqual(exErr('if x: y'), { message: near('y'), offset: 6, length: 1 });
  t.deepEqual(exErr('x := {1}'), { message: near('{'), offset: 5, length: 1 });
  t.deepEqual(exErr('a = 1'), { message: near('='), offset: 2, length: 1 });
});

test('errors at end of input name the last token', (t) => {
  t.deepEqual(perr('x :='), { message: near(':='), offset: 2, length: 2 });
  t.deepEqual(perr('func f():'), { message: near(':'), offset: 8, length: 1 });
  t.deepEqual(perr('import'), { message: near('import'), offset: 0, length: 6 });
});

test('tokenizer errors surface through parse', (t) => {
  t.deepEqual(perr('x := @'), { message: "Unknown char '@'", offset: 5, length: 1 });
  t.is(perr('x := "abc').message, 'Unterminated string');
});

// -- CTMP: parsed, then rejected ---------------------------------------------------------

const ctmp = (what: string): string =>
  `Compile-time meta-programming (${what}) needs the full Converge compiler; stage 0 cannot compile it.`;

test('CTMP expressions are parsed and rejected at the construct', (t) => {
  t.deepEqual(exErr('x := $<f(1) + 2>'), { message: ctmp('splice'), offset: 5, length: 11 });
  t.deepEqual(exErr('x := 1 + $c<f>'), { message: ctmp('splice'), offset: 9, length: 5 });
  t.deepEqual(exErr('$p<f>'), { message: ctmp('splice'), offset: 0, length: 5 });
  t.deepEqual(exErr('x := [| 1 + 2 |]'), { message: ctmp('quasi-quote'), offset: 5, length: 11 });
  t.deepEqual(exErr('x := [|\n    a := 1\n    b\n|]\ny'), { message: ctmp('quasi-quote'), offset: 5, length: 34 });
  t.deepEqual(exErr('x := [<si>| a |]'), { message: ctmp('quasi-quote'), offset: 5, length: 11 });
  t.deepEqual(exErr('x := [| ${y} + $c{z} |]'), { message: ctmp('quasi-quote'), offset: 5, length: 18 });
  t.deepEqual(exErr('x := ${y}'), { message: ctmp('insertion'), offset: 5, length: 4 });
  t.deepEqual(exErr('x := &y'), { message: ctmp('dynamically scoped variable'), offset: 5, length: 2 });
  t.deepEqual(exErr('&y := 1'), { message: ctmp('dynamically scoped variable'), offset: 0, length: 2 });
  t.deepEqual(exErr('x := $<<f>><<a b c>> + 1'), { message: ctmp('DSL phrase'), offset: 5, length: 15 });
  t.deepEqual(exErr('x := $<<f>>:\n        a b c\ny'), { message: ctmp('DSL block'), offset: 5, length: 25 });
  t.deepEqual(exErr('$if<<c>>c<<e>>'), { message: ctmp('conditional splice'), offset: 0, length: 14 });
  t.deepEqual(exErr('$<(a > b)>'), { message: ctmp('splice'), offset: 0, length: 10 });
});

test('CTMP in name positions', (t) => {
  t.is(perr('$<defs()>').message, ctmp('splice'));
  t.is(perr('$c<x> := 1').message, ctmp('splice'));
  t.is(perr('$c<x>, y := 1').message, ctmp('splice'));
  t.is(perr('func $c{n}():\n    pass').message, ctmp('insertion'));
  t.is(perr('class $c{n}:\n    pass').message, ctmp('insertion'));
  t.is(perr('func f($c{p}, *$c{v}):\n    pass').message, ctmp('insertion'));
  t.is(perr('func f(&x):\n    pass').message, ctmp('dynamically scoped variable'));
  t.is(perr('class C:\n    $<fields()>\n    $c<x> := 1\n    &y := 2').message, ctmp('splice'));
  t.is(perr('func f():\n    rename $c{r}, $c{a} as b\n    pass').message, ctmp('insertion'));
  t.is(perr('func f():\n    nonlocal &x\n    pass').message, ctmp('dynamically scoped variable'));
  t.is(perr('func f():\n    o.$c{s} := M::$c{n}').message, ctmp('insertion'));
  t.is(perr('func f():\n    try:\n        a\n    catch E into &e:\n        b').message, ctmp('dynamically scoped variable'));
});

test('syntax errors take precedence over a CTMP construct', (t) => {
  t.deepEqual(exErr('x := $<f> 1'), { message: near('1'), offset: 10, length: 1 });
  t.deepEqual(exErr('x := $<a > b>'), { message: near('b'), offset: 11, length: 1 });
  t.deepEqual(exErr('x := $q'), { message: near('DEDENT'), offset: 7, length: 0 });
  t.deepEqual(exErr('x := $<<f>> + 1'), { message: near('+'), offset: 12, length: 1 });
  // `&x` is a name but not a splice: it can not stand alone where a splice can.
  t.deepEqual(perr('&x'), { message: near('x'), offset: 1, length: 1 });
  t.deepEqual(perr('class C:\n    &x'), { message: near('DEDENT'), offset: 15, length: 0 });
  t.deepEqual(perr('func f():\n    rename &a\n    x'), { message: near('NEWLINE'), offset: 23, length: 0 });
});

test('__SRC_INFO__ is an ordinary variable', (t) => {
  t.is(ex('x := __SRC_INFO__'), '(:= x __SRC_INFO__)');
});

// -- Spans ------------------------------------------------------------------------------

test('node spans cover their source text', (t) => {
  const src = 'func f(a, b := 2):\n    x := (a + b) * c\n    if x:\n        y\n    return A::b.c(1)';
  const m = parse(bytes(src));
  const text = (s: A.Span) => src.slice(s.offset, s.offset + s.length);
  const f = m.defns[0] as A.FuncDefn;
  t.is(text(f.span), src);
  t.is(text(f.nameSpan!), 'f');
  t.is(text(f.params[1].span), 'b := 2');
  const asg = f.body[0] as A.Assign;
  t.is(text(asg.span), 'x := (a + b) * c');
  t.is(text(asg.value.span), '(a + b) * c');
  t.is(text((asg.value as A.Binary).lhs.span), 'a + b');
  t.is(text(f.body[1].span), 'if x:\n        y');
  const ret = f.body[2] as A.Return;
  t.is(text(ret.span), 'return A::b.c(1)');
  const call = ret.value as A.Apply;
  t.is(text(call.fn.span), 'A::b.c');
  const ml = (call.fn as A.SlotLookup).obj as A.ModuleLookup;
  t.is(text(ml.span), 'A::b');
  t.is(text(ml.firstSpan), 'A');
  const imp = parse(bytes('import A::B as C, D')).defns[0] as A.Import;
  t.deepEqual(imp.items.map((i) => i.span), [{ offset: 7, length: 9 }, { offset: 18, length: 1 }]);
  const [exbi] = bodyOf('exbi C.f(1)');
  t.deepEqual(exbi.span, { offset: WRAP_SHIFT, length: 11 });
  t.deepEqual((exbi as A.Apply).fn.span, { offset: WRAP_SHIFT, length: 8 });
  t.deepEqual(parse(bytes('x := 1\n')).span, { offset: 0, length: 7 });
});

// -- Robustness ---------------------------------------------------------------------------

/** Small deterministic PRNG so that failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function mustOnlyThrowCompileErrors(t: import('ava').ExecutionContext, src: Uint8Array): void {
  try {
    parse(src);
  } catch (e) {
    if (!(e instanceof CompileError) || e.message.startsWith('Internal')) {
      t.fail(`non-CompileError for ${JSON.stringify(Buffer.from(src).toString('latin1'))}: ${String(e)}`);
      throw e;
    }
  }
}

test('fuzz: random byte strings only ever raise CompileError', (t) => {
  const next = rng(1);
  const alphabet = bytes(' \n\n\n    \t\r\\"\'():=[]{},.&|<>$*+-/%!?#abcxyz019_\x00\xff') ;
  for (let k = 0; k < 3000; k++) {
    const len = Math.floor(next() * 120);
    const src = new Uint8Array(len);
    for (let j = 0; j < len; j++) src[j] = next() < 0.9 ? alphabet[Math.floor(next() * alphabet.length)] : Math.floor(next() * 256);
    mustOnlyThrowCompileErrors(t, src);
  }
  t.pass();
});

test('fuzz: random token soups only ever raise CompileError', (t) => {
  const next = rng(2);
  const words = [
    'x', 'y', 'f', '1', '2.5', '"s"', ':=', '+=', ':', '::', ',', '.', '(', ')', '[', ']', '{', '}', 'Dict{', 'Set{',
    '[|', '|]', '<', '>', '<<', '>>', '$', '&', '|', '*', '-', '+', '/', '%', '==', 'is', 'not', 'if', 'elif', 'else',
    'ndif', 'for', 'while', 'exhausted', 'broken', 'try', 'catch', 'into', 'func', 'bound_func', 'class', 'metaclass',
    'return', 'yield', 'raise', 'assert', 'fail', 'pass', 'break', 'continue', 'import', 'as', 'exbi', 'nonlocal',
    'rename', '\n', '\n    ', '\n        ', '\\\n', '$<<f>>:\n      raw\n',
  ];
  for (let k = 0; k < 4000; k++) {
    const n = 1 + Math.floor(next() * 40);
    let s = k % 2 === 0 ? 'func f():\n    ' : '';
    for (let j = 0; j < n; j++) s += words[Math.floor(next() * words.length)] + ' ';
    mustOnlyThrowCompileErrors(t, bytes(s));
  }
  t.pass();
});

test('fuzz: mutations of a valid program only ever raise CompileError', (t) => {
  const next = rng(3);
  const base = PROGRAM_UNIT(0);
  for (let k = 0; k < 1500; k++) {
    const src = [...bytes(base)];
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * src.length);
      const r = next();
      if (r < 0.4) src.splice(at, 1);
      else if (r < 0.8) src.splice(at, 0, src[Math.floor(next() * src.length)]);
      else src[at] = Math.floor(next() * 128);
    }
    mustOnlyThrowCompileErrors(t, Uint8Array.from(src));
  }
  t.pass();
});

test('pathological nesting is a CompileError, not a stack overflow', (t) => {
  const deep = [
    'x := ' + '('.repeat(100000) + '1',
    'x := ' + '('.repeat(5000) + '1' + ')'.repeat(5000),
    'x := ' + '-'.repeat(100000) + '1',
    'x := ' + 'not '.repeat(20000) + '1',
    'x := ' + '['.repeat(20000),
    'x := ' + 'f('.repeat(20000),
    'x := ' + 'return '.repeat(20000),
    'x := ' + 'exbi '.repeat(20000),
    wrap(Array.from({ length: 3000 }, (_, i) => ' '.repeat(i * 2) + 'if x:').join('\n')),
  ];
  for (const s of deep) {
    const err = t.throws(() => parse(bytes(s)), { instanceOf: CompileError });
    t.false(err!.message.startsWith('Internal'), err!.message);
  }
  // Realistic nesting is fine.
  t.is(top('x := ' + '('.repeat(100) + '1' + ')'.repeat(100)), '(:= x 1)');
  t.is(top('x := ' + '1 + '.repeat(5000) + '1').length > 0, true);
});

// -- Performance ------------------------------------------------------------------------------

/** A 20-line chunk of typical code; `k` makes names unique. */
function PROGRAM_UNIT(k: number): string {
  return [
    `class Point${k}(Object):`,
    `    x := 0`,
    `    func init(self, x, y := 2, *rest):`,
    `        self.x, self.y := [x, y]`,
    `    func dist(self, o):`,
    `        return ((self.x - o.x) * (self.x - o.x) + (self.y - o.y) / 2).sqrt()`,
    ``,
    `func helper${k}(l, d):`,
    `    nonlocal total`,
    `    for i := 0.iter_to(l.len()) & l[i] > 3:`,
    `        d[l[i]] := Dict{"a" : [1, 2.5, "s"], "b" : Set{i}}`,
    `        if i % 2 == 0 & not d.find(i):`,
    `            total += l[i : i + 2].len()`,
    `        elif x := i | j:`,
    `            continue`,
    `        else:`,
    `            try:`,
    `                Sys::println("x", exbi Object.to_str())`,
    `            catch Exceptions::Exception into e:`,
    `                raise e`,
  ].join('\n');
}

test('performance: parse a generated 10,000-line program (reported, not asserted)', (t) => {
  const parts: string[] = ['import Sys, Exceptions', 'total := 0'];
  for (let k = 0; k < 500; k++) parts.push(PROGRAM_UNIT(k));
  const src = bytes(parts.join('\n') + '\n');
  const lines = parts.join('\n').split('\n').length;
  parse(src); // warm-up
  const t0 = performance.now();
  const m = parse(src);
  const ms = performance.now() - t0;
  t.log(`parsed ${lines} lines (${src.length} bytes) in ${ms.toFixed(1)} ms`);
  t.is(m.defns.length, 1002);
});

// -- A whole source as one expression sequence (CEI::eval) ---------------------------

function seqErr(s: string): string {
  try {
    parseExprSeq(bytes(s));
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.message;
  }
  throw new Error(`no error for ${JSON.stringify(s)}`);
}

test('parseExprSeq: any expressions, not only definitions; empty sources give none', (t) => {
  t.is(parseExprSeq(bytes('y := (x += 1) + 4')).map(printExpr).join('\n'), '(:= y (+ (+= x 1) 4))');
  t.is(parseExprSeq(bytes('2 + 3\nf(x)')).map(printExpr).join('\n'), '(+ 2 3)\n(call f x)');
  t.deepEqual(parseExprSeq(bytes('')), []);
  t.deepEqual(parseExprSeq(bytes('// nothing but a comment\n')), []);
  t.is(parseExprSeq(bytes('if a:\n    b\nelse:\n    c')).length, 1);
});

test('parseExprSeq: syntax errors and CTMP are compile errors', (t) => {
  t.is(seqErr('1 +'), near('+'));
  t.is(seqErr('x := 1 2'), near('2'));
  t.regex(seqErr('$<f()>'), /^Compile-time meta-programming \(splice\)/);
  t.regex(seqErr('[| x |]'), /^Compile-time meta-programming/);
});
