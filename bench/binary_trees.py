# Binary trees: allocate and walk many short-lived complete binary trees
# plus one long-lived tree. Allocation / GC heavy, recursive method calls.
# Mirrors bench/binary_trees.cv.
#
# Checksum: the sum of the node counts of every tree walked.

import sys
import time

DEFAULT_SIZE = 14
WARMUP_SIZE = 8
MIN_DEPTH = 4


class Node:
    def __init__(self, left, right):
        self.left = left
        self.right = right

    def check(self):
        if self.left is None:
            return 1
        return 1 + self.left.check() + self.right.check()


def make_tree(depth):
    if depth == 0:
        return Node(None, None)
    return Node(make_tree(depth - 1), make_tree(depth - 1))


def kernel(n):
    max_depth = n
    if max_depth < MIN_DEPTH + 2:
        max_depth = MIN_DEPTH + 2
    total = make_tree(max_depth + 1).check()
    long_lived = make_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        check = 0
        for _ in range(iterations):
            check += make_tree(depth).check()
        total += check
    total += long_lived.check()
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
