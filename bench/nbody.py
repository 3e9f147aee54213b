# N-body: simulate the Jovian planets orbiting the Sun with a simple
# symplectic integrator. Float arithmetic on object slots.
# Mirrors bench/nbody.cv.
#
# Converge has no square root, so both versions use the same Newton
# iteration (`newton_sqrt`) so that results agree bit for bit.
# Checksum: the energy after the run, times 10^12, truncated to an integer.

import sys
import time

DEFAULT_SIZE = 125000
WARMUP_SIZE = 500

PI = 3.141592653589793
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24


def newton_sqrt(x):
    if x <= 0.0:
        return 0.0
    r = x
    if r < 1.0:
        r = 1.0
    # r >= sqrt(x): Newton steps decrease until the value stops changing.
    while True:
        n = (r + x / r) * 0.5
        if n >= r:
            return r
        r = n


class Body:
    def __init__(self, x, y, z, vx, vy, vz, mass):
        self.x = x
        self.y = y
        self.z = z
        self.vx = vx * DAYS_PER_YEAR
        self.vy = vy * DAYS_PER_YEAR
        self.vz = vz * DAYS_PER_YEAR
        self.mass = mass * SOLAR_MASS


def make_system():
    sun = Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    jupiter = Body(
        4.84143144246472090,
        -1.16032004402742839,
        -0.103622044471123109,
        0.00166007664274403694,
        0.00769901118419740425,
        -0.0000690460016972063023,
        0.000954791938424326609)
    saturn = Body(
        8.34336671824457987,
        4.12479856412430479,
        -0.403523417114321381,
        -0.00276742510726862411,
        0.00499852801234917238,
        0.0000230417297573763929,
        0.000285885980666130812)
    uranus = Body(
        12.8943695621391310,
        -15.1111514016986312,
        -0.223307578892655734,
        0.00296460137564761618,
        0.00237847173959480950,
        -0.0000296589568540237556,
        0.0000436624404335156298)
    neptune = Body(
        15.3796971148509165,
        -25.9193146099879641,
        0.179258772950371181,
        0.00268067772490389322,
        0.00162824170038242295,
        -0.0000951592254519715870,
        0.0000515138902046611451)
    bodies = [sun, jupiter, saturn, uranus, neptune]

    # Offset the Sun's momentum so the system's total momentum is zero.
    px = 0.0
    py = 0.0
    pz = 0.0
    for b in bodies:
        px += b.vx * b.mass
        py += b.vy * b.mass
        pz += b.vz * b.mass
    sun.vx = (0.0 - px) / SOLAR_MASS
    sun.vy = (0.0 - py) / SOLAR_MASS
    sun.vz = (0.0 - pz) / SOLAR_MASS
    return bodies


def advance(bodies, dt):
    nbodies = len(bodies)
    for i in range(nbodies):
        bi = bodies[i]
        for j in range(i + 1, nbodies):
            bj = bodies[j]
            dx = bi.x - bj.x
            dy = bi.y - bj.y
            dz = bi.z - bj.z
            dsq = dx * dx + dy * dy + dz * dz
            dist = newton_sqrt(dsq)
            mag = dt / (dsq * dist)
            bim = bi.mass * mag
            bjm = bj.mass * mag
            bi.vx -= dx * bjm
            bi.vy -= dy * bjm
            bi.vz -= dz * bjm
            bj.vx += dx * bim
            bj.vy += dy * bim
            bj.vz += dz * bim
    for b in bodies:
        b.x += dt * b.vx
        b.y += dt * b.vy
        b.z += dt * b.vz


def energy(bodies):
    e = 0.0
    nbodies = len(bodies)
    for i in range(nbodies):
        bi = bodies[i]
        e += 0.5 * bi.mass * (bi.vx * bi.vx + bi.vy * bi.vy + bi.vz * bi.vz)
        for j in range(i + 1, nbodies):
            bj = bodies[j]
            dx = bi.x - bj.x
            dy = bi.y - bj.y
            dz = bi.z - bj.z
            e -= (bi.mass * bj.mass) / newton_sqrt(dx * dx + dy * dy + dz * dz)
    return e


def kernel(steps):
    bodies = make_system()
    for _ in range(steps):
        advance(bodies, 0.01)
    return int(energy(bodies) * 1000000000000.0)


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
