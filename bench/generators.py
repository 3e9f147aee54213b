# Generators: user-defined generators consumed by `for` loops — a plain
# counter, a generator filtering another generator, nested generators
# (Converge: backtracking through a conjunction), an infinite generator
# left early with `break`, a recursive in-order tree walk that re-yields
# every value through each level, and three-way alternation (Converge `|`;
# here a tuple). Mirrors bench/generators.cv.
#
# Checksum: an order-sensitive combination of every value produced.

import sys
import time

DEFAULT_SIZE = 800000
WARMUP_SIZE = 2000

MOD = 1000003


def upto(n):
    i = 0
    while i < n:
        yield i
        i += 1


# The squares of the even values produced by upto(n).
def evens_squared(n):
    for i in upto(n):
        if i % 2 == 0:
            yield (i * i) % MOD


# Fibonacci numbers modulo MOD, forever.
def fib():
    a = 0
    b = 1
    while True:
        yield a
        t = (a + b) % MOD
        a = b
        b = t


class TreeNode:
    def __init__(self, value, left, right):
        self.value = value
        self.left = left
        self.right = right


# A balanced search tree holding lo .. hi - 1.
def build(lo, hi):
    if lo >= hi:
        return None
    mid = (lo + hi) // 2
    return TreeNode(mid, build(lo, mid), build(mid + 1, hi))


# In-order walk: every value is re-yielded by each enclosing level.
def walk(node):
    if node.left is not None:
        for v in walk(node.left):
            yield v
    yield node.value
    if node.right is not None:
        for v in walk(node.right):
            yield v


def kernel(n):
    total = 0

    # A plain user generator.
    for i in upto(n):
        total = (total + i) % MOD

    # Goal-directed filtering (Converge: `for i := upto(n) & i % 3 == 0`).
    for i in upto(n):
        if i % 3 == 0:
            total = (total * 7 + i) % MOD

    # A generator pumping another generator.
    for sq in evens_squared(n):
        total = (total + sq) % MOD

    # Nested generators (Converge: `for x := upto(m) & y := upto(x % 16)`).
    for x in upto(n // 4):
        for y in upto(x % 16):
            total = (total * 3 + x * y) % MOD

    # An infinite generator, abandoned with `break`.
    count = 0
    for f in fib():
        if count == n:
            break
        total = (total + f) % MOD
        count += 1

    # A recursive generator.
    tree = build(0, n // 4)
    if tree is not None:
        for v in walk(tree):
            total = (total * 3 + v) % MOD

    # Alternation (Converge: `for x := (i | i * 2 | i * 3)`).
    for i in upto(n // 2):
        for x in (i, i * 2, i * 3):
            total = (total + x) % MOD

    return total


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SIZE
    kernel(WARMUP_SIZE)
    t0 = time.monotonic()
    result = kernel(n)
    t1 = time.monotonic()
    print("checksum: %d" % result)
    print("elapsed: %.6f" % (t1 - t0))


if __name__ == "__main__":
    main()
