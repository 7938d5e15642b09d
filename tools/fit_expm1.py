"""The f32 polynomial of the kernels' exponential (src/kernel/fast_math.rs).

eʳ − 1 = r + r² T(r) on |r| ≤ ln 2 / 2, with T(r) = 1/2 + r S(r) and S of degree 3:
S is fitted for the least maximum relative error of r + r² T(r) against expm1
(Lawson's iteration on weighted least squares, 300 rounds, a grid of 20 000 points),
then rounded to f32. The constant term stays 1/2 exactly, as in Taylor's series,
which keeps tanh of small arguments as accurate as with the series.

Taylor's series needs terms up to r⁸/8! for the same accuracy; this stops at r⁶ (r² · s₃r⁴).

Run:  python3 tools/fit_expm1.py   (numpy only; float64 is ample for an f32 fit)
Prints 1/2, s₀ … s₃ as the shortest decimals of their f32 values, their bits, and the
error in units of 2⁻²⁴.
"""

import struct

import numpy as np

HALF_LN2 = np.log(2.0) / 2
DEGREE = 3  # of S
ROUNDS = 300


def f32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def main():
    r = np.linspace(-HALF_LN2, HALF_LN2, 20_001)
    r = r[np.abs(r) > 1e-6]
    expm1 = np.expm1(r)
    target = ((expm1 - r) / r**2 - 0.5) / r  # what S should be
    weight = r**3 / expm1  # relative error of the result per unit error of S
    powers = np.vstack([r**i for i in range(DEGREE + 1)]).T
    lawson = np.ones_like(r)
    for _ in range(ROUNDS):
        scale = np.sqrt(lawson) * np.abs(weight)
        s, *_ = np.linalg.lstsq(powers * scale[:, None], target * scale, rcond=None)
        error = weight * (powers @ s - target)
        lawson = lawson * np.abs(error)
        lawson /= lawson.sum()
    rounded = np.array([f32(c) for c in s])
    error = np.abs(weight * (powers @ rounded - target)).max()
    shortest = [np.format_float_positional(np.float32(c), unique=True) for c in rounded]
    print("coefficients of T: 0.5", " ".join(shortest))
    print("f32 bits:", " ".join(hex(struct.unpack("I", struct.pack("f", c))[0]) for c in rounded))
    print(f"max relative error {error:.3e} = {error / 2**-24:.3f} units of 2^-24 (before rounding)")


if __name__ == "__main__":
    main()
