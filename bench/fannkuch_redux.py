# Fannkuch-redux: for every permutation of 0..n-1 (in the order given by
# the "count" rotation scheme), count the prefix reversals ("flips") needed
# to bring 0 to the front. Small-integer list indexing and tight loops.
# Mirrors bench/fannkuch_redux.cv.
#
# Checksum: (alternating-sign sum of flip counts) * 100 + maximum flips.

import sys
import time

DEFAULT_SIZE = 9
WARMUP_SIZE = 6


def fannkuch(n):
    perm1 = list(range(n))
    perm = [0] * n
    count = [0] * n
    max_flips = 0
    checksum = 0
    sign = 1
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1

        # Count the flips for this permutation.
        for i in range(n):
            perm[i] = perm1[i]
        flips = 0
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        checksum += sign * flips
        sign = 0 - sign

        # Advance to the next permutation.
        while True:
            if r == n:
                return checksum * 100 + max_flips
            perm0 = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = perm0
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SIZE
    fannkuch(WARMUP_SIZE)
    t0 = time.monotonic()
    result = fannkuch(n)
    t1 = time.monotonic()
    print("checksum: %d" % result)
    print("elapsed: %.6f" % (t1 - t0))


if __name__ == "__main__":
    main()
