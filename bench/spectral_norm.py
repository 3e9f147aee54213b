# Spectral norm: approximate the spectral norm of the infinite matrix
# A(i, j) = 1 / ((i + j) * (i + j + 1) / 2 + i + 1) with the power method
# (10 iterations of u := At(A(u))). Nested numeric loops over float lists,
# int-to-float mixing. Mirrors bench/spectral_norm.cv.
#
# Converge has no square root, so the final root uses the same Newton
# iteration in both versions. Checksum: the norm times 10^9, truncated.

import sys
import time

DEFAULT_SIZE = 400
WARMUP_SIZE = 20


def newton_sqrt(x):
    if x <= 0.0:
        return 0.0
    r = x
    if r < 1.0:
        r = 1.0
    while True:
        n = (r + x / r) * 0.5
        if n >= r:
            return r
        r = n


def eval_a(i, j):
    ij = i + j
    return 1.0 / ((ij * (ij + 1)) // 2 + i + 1)


def mul_av(n, v, out):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * v[j]
        out[i] = s


def mul_atv(n, v, out):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * v[j]
        out[i] = s


def mul_atav(n, v, out, tmp):
    mul_av(n, v, tmp)
    mul_atv(n, tmp, out)


def spectral_norm(n):
    u = [1.0] * n
    v = [0.0] * n
    tmp = [0.0] * n
    for _ in range(10):
        mul_atav(n, u, v, tmp)
        mul_atav(n, v, u, tmp)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return int(newton_sqrt(vbv / vv) * 1000000000.0)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SIZE
    spectral_norm(WARMUP_SIZE)
    t0 = time.monotonic()
    result = spectral_norm(n)
    t1 = time.monotonic()
    print("checksum: %d" % result)
    print("elapsed: %.6f" % (t1 - t0))


if __name__ == "__main__":
    main()
