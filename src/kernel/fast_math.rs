//! Vectorisable `tanh` and logistic sigmoid for `f32` and `f64`, a few ulp from `std`'s.
//!
//! `std`'s `tanh` and `exp` are scalar library calls: at a batch of 1024 the tanh of a
//! 16-64-64-1 network costs more than its matrix products. The loops below are
//! branch-free (selects, not jumps) and call nothing, so the compiler vectorises them.
//!
//! # Math
//!
//! ```text
//! eˣ − 1 = 2ᵏ (eʳ − 1) + (2ᵏ − 1)    k = round(x / ln 2), r = x − k ln 2, |r| ≤ ln 2 / 2
//! eʳ − 1 = r + r² T(r)                 f64: T(r) = 1/2! + r/3! + … + r¹¹/13!, Taylor's;
//!                                      f32: T(r) = 1/2 + r (s₀ + s₁r + s₂r² + s₃r³),
//!                                      fitted (tools/fit_expm1.py); either within ¼ ulp,
//!                                      T by Estrin's scheme
//! tanh z = sign(z) · m / (m + 2)       m = e^(2|z|) − 1
//! σ(z)   = 1 / (1 + e^(−z))            e^y = 2ᵏ (1 + (eʳ − 1))
//! ```
//!
//! `k ln 2` is subtracted in two parts (Cody–Waite): `ln 2 = LN2_HI + LN2_LO` where
//! `LN2_HI` has enough trailing zero bits that `k · LN2_HI` is exact. (f32's tanh takes
//! one part, see [`Ln2`].) Through `eˣ − 1`,
//! `tanh` keeps full relative accuracy near zero (a subnormal `z` gives `z` back) and
//! `2ᵏ · (…)` scales by exponent bits. `eʸ` scales in two halves, `2^⌊k/2⌋ · 2^(k − ⌊k/2⌋)`,
//! so it overflows to infinity and underflows gradually to zero exactly where `std`'s does.
//! The polynomial runs in fused multiply-adds where the CPU has them (one rounding per
//! term instead of two: fewer operations, and no less accurate).
//!
//! Tests: the bottom of this file, with and without fused multiply-adds, against `std`
//! over normal, tiny, subnormal, signed-zero, large and saturating arguments. The worst
//! distance found there is 4 ulp either way (f64 tanh near 0.2, f32 sigmoid near −17);
//! the tests allow 6, a margin for other platforms' `std`.

use core::ops::{Add, Div, Mul, Neg, Sub};

use super::gemm::{run_curve, same_mut, same_slice};

/// The functions of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    /// [`tanh`].
    Tanh,
    /// [`sigmoid`].
    Sigmoid,
}

/// `a = curve(z)` if `T` is `f32` or `f64` (built for AVX-512 or AVX2 where the CPU has
/// them); returns whether it ran. Those two builds evaluate the polynomial in fused
/// multiply-adds and give the same bits; the build for a CPU without fused multiply-adds
/// rounds each product and sum, and stays within the same bound of `std`.
pub(super) fn dispatch<T: 'static>(curve: Curve, z: &[T], a: &mut [T]) -> bool {
    if let (Some(z), Some(a)) = (same_slice::<T, f32>(z), same_mut::<T, f32>(a)) {
        run_curve(curve, z, a);
        return true;
    }
    if let (Some(z), Some(a)) = (same_slice::<T, f64>(z), same_mut::<T, f64>(a)) {
        run_curve(curve, z, a);
        return true;
    }
    false
}

/// `a = curve(z)`, one loop per curve; the polynomial in fused multiply-adds if `FUSED`,
/// in blocks for the 32 vector registers of AVX-512 if `WIDE` (see [`BLOCK`]).
#[inline(always)]
pub(super) fn apply<F: FastFloat, const FUSED: bool, const WIDE: bool>(
    curve: Curve,
    z: &[F],
    a: &mut [F],
) {
    match curve {
        Curve::Tanh => tanh::<F, FUSED, WIDE>(z, a),
        Curve::Sigmoid => sigmoid::<F, FUSED, WIDE>(z, a),
    }
}

/// `a = tanh(z)` element-wise.
///
/// # Panics
///
/// If the lengths differ.
#[inline(always)]
pub(crate) fn tanh<F: FastFloat, const FUSED: bool, const WIDE: bool>(z: &[F], a: &mut [F]) {
    assert_eq!(z.len(), a.len(), "activation length");
    if narrow::<F, WIDE>() {
        by_blocks::<F, NARROW_BLOCK>(
            z,
            a,
            #[inline(always)]
            |z, a| tanh_block::<F, FUSED, NARROW_BLOCK>(z, a),
            #[inline(always)]
            |z, a| tanh_block::<F, FUSED, 1>(z, a),
        );
    } else {
        by_blocks::<F, BLOCK>(
            z,
            a,
            #[inline(always)]
            |z, a| tanh_block::<F, FUSED, BLOCK>(z, a),
            #[inline(always)]
            |z, a| tanh_block::<F, FUSED, 1>(z, a),
        );
    }
}

/// `a = 1 / (1 + e^(−z))` element-wise.
///
/// # Panics
///
/// If the lengths differ.
#[inline(always)]
pub(crate) fn sigmoid<F: FastFloat, const FUSED: bool, const WIDE: bool>(z: &[F], a: &mut [F]) {
    assert_eq!(z.len(), a.len(), "activation length");
    if narrow::<F, WIDE>() {
        by_blocks::<F, NARROW_BLOCK>(
            z,
            a,
            #[inline(always)]
            |z, a| sigmoid_block::<F, FUSED, NARROW_BLOCK>(z, a),
            #[inline(always)]
            |z, a| sigmoid_block::<F, FUSED, 1>(z, a),
        );
    } else {
        by_blocks::<F, BLOCK>(
            z,
            a,
            #[inline(always)]
            |z, a| sigmoid_block::<F, FUSED, BLOCK>(z, a),
            #[inline(always)]
            |z, a| sigmoid_block::<F, FUSED, 1>(z, a),
        );
    }
}

/// Values a curve computes together, stage by stage: each stage runs over the whole
/// block before the next begins, so the block's vectors are independent chains side by
/// side in the instruction stream. One vector's 40-odd dependent operations at a time
/// filled a Zen 3 core's scheduler with operations waiting on the one before.
const BLOCK: usize = 32;

/// [`BLOCK`] for `f64` without AVX-512. Thirty-two `f64` fill eight AVX2 registers per
/// stage, and the polynomial's stages hold two such arrays at once (its sum and its
/// argument): with the constants, more than the sixteen registers AVX2 has, so values
/// went to the stack and back. Sixteen fit (W4 in f64 on the Zen 3: 1 216 → 1 162 µs,
/// best of five alternating rounds; docs/performance.md).
const NARROW_BLOCK: usize = 16;

/// Whether `F` takes [`NARROW_BLOCK`]: `f64`, in a build without AVX-512's 32 registers.
#[inline(always)]
fn narrow<F, const WIDE: bool>() -> bool {
    !WIDE && core::mem::size_of::<F>() == 8
}

/// `whole` over `z`'s whole blocks of `B` values, then `one` over the rest. (Given as
/// closures marked `#[inline(always)]`: a function item is called through a shim
/// compiled without the caller's target features, its fused multiply-adds as calls.)
#[inline(always)]
fn by_blocks<F, const B: usize>(
    z: &[F],
    a: &mut [F],
    whole: impl Fn(&[F; B], &mut [F; B]),
    one: impl Fn(&[F; 1], &mut [F; 1]),
) {
    let (z_blocks, z_rest) = z.as_chunks::<B>();
    let (a_blocks, a_rest) = a.as_chunks_mut::<B>();
    for (z, a) in z_blocks.iter().zip(a_blocks) {
        whole(z, a);
    }
    for (z, a) in z_rest.iter().zip(a_rest) {
        one(core::array::from_ref(z), core::array::from_mut(a));
    }
}

/// `a = tanh(z)` for `N` values: `sign(z) · m / (m + 2)`, `m = e^(2|z|) − 1`.
#[inline(always)]
fn tanh_block<F: FastFloat, const FUSED: bool, const N: usize>(z: &[F; N], a: &mut [F; N]) {
    let mut m = [F::ZERO; N];
    for (m, &z) in m.iter_mut().zip(z) {
        let x = F::TWO * z.abs_bits();
        // Past TANH_SATURATION, tanh is 1 to the last bit; clamping keeps 2ᵏ finite. NaN
        // stays.
        *m = if x > F::TANH_SATURATION {
            F::TANH_SATURATION
        } else {
            x
        };
    }
    // Rounded `ln 2` only in one multiply-add: unfused, `k · ln 2` would round too.
    let ln2 = if rounds_once(FUSED) {
        F::TANH_LN2
    } else {
        Ln2::Split
    };
    let (k, r) = reduce_block::<F, FUSED, N>(&m, ln2);
    let e = expm1_reduced::<F, FUSED, N>(&r);
    for ((m, &k), &e) in m.iter_mut().zip(&k).zip(&e) {
        let scale = F::pow2(k);
        // `scale · e` is exact (a power of two times a normal value), so fusing changes
        // no bit and saves a link of the chain.
        *m = scale.mul_add_if::<FUSED>(e, scale - F::ONE);
    }
    for ((a, &m), &z) in a.iter_mut().zip(&m).zip(z) {
        *a = (m / (m + F::TWO)).with_sign_of(z);
    }
}

/// `a = 1 / (1 + e^(−z))` for `N` values.
#[inline(always)]
fn sigmoid_block<F: FastFloat, const FUSED: bool, const N: usize>(z: &[F; N], a: &mut [F; N]) {
    let mut y = [F::ZERO; N];
    for (y, &z) in y.iter_mut().zip(z) {
        // Beyond these e^y is 0 or infinite anyway; clamping keeps k's halves in range.
        let clamped = if -z < F::EXP_MIN { F::EXP_MIN } else { -z };
        *y = if clamped > F::EXP_MAX {
            F::EXP_MAX
        } else {
            clamped
        };
    }
    let (k, r) = reduce_block::<F, FUSED, N>(&y, Ln2::Split);
    let e = expm1_reduced::<F, FUSED, N>(&r);
    for ((a, &k), &e) in a.iter_mut().zip(&k).zip(&e) {
        let (half, rest) = F::split_pow2(k);
        // `half · (1 + e)` in one multiply-add: scaling by a power of two is exact, so
        // these are the bits of `(1 + e) · half`, a link sooner.
        let exp = e.mul_add_if::<FUSED>(half, half) * rest;
        *a = F::ONE / (F::ONE + exp);
    }
}

/// Whether `mul_add_if::<FUSED>` rounds once (`mul_add` needs `std`).
const fn rounds_once(fused: bool) -> bool {
    fused && cfg!(feature = "std")
}

/// How [`reduce`] takes `k ln 2` off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ln2 {
    /// `LN2_HI` then `LN2_LO`: `r` as exact as one rounding allows, which `eʸ` needs.
    Split,
    /// `ln 2` rounded to the type, in one multiply-add: `r` off by `k δ`, `δ` = |ln 2 −
    /// LN2|, so `eˣ` by a relative `k δ` and `tanh(x/2)` by `(1 − tanh²) k δ / 2`. In f32
    /// that is below 1/16 ulp for every `k` (largest at `k` = 1); in f64 it reaches 0.4
    /// ulp, so f64 keeps [`Ln2::Split`]. The chain is a link shorter (docs/performance.md).
    Rounded,
}

/// [`reduce`] for `N` values.
#[inline(always)]
fn reduce_block<F: FastFloat, const FUSED: bool, const N: usize>(
    x: &[F; N],
    ln2: Ln2,
) -> ([F::Bits; N], [F; N]) {
    let (mut k, mut r) = ([F::Bits::default(); N], [F::ZERO; N]);
    for ((k, r), &x) in k.iter_mut().zip(&mut r).zip(x) {
        (*k, *r) = reduce::<F, FUSED>(x, ln2);
    }
    (k, r)
}

/// `x = k ln 2 + r` with `k` whole (rounded to nearest) and `|r| ≤ ln 2 / 2`.
#[inline(always)]
fn reduce<F: FastFloat, const FUSED: bool>(x: F, ln2: Ln2) -> (F::Bits, F) {
    // Adding SHIFTER pushes the fraction out of the mantissa: the sum is k + SHIFTER.
    // Fused, the chain is two links shorter. k is then nearest to x·log₂e itself, not to
    // its rounding; `k · LN2_HI` is exact, so `x − k · LN2_HI` has the same bits fused.
    let shifted = x.mul_add_if::<FUSED>(F::LOG2E, F::SHIFTER);
    let k = shifted - F::SHIFTER;
    let r = match ln2 {
        Ln2::Split => (-k).mul_add_if::<FUSED>(F::LN2_HI, x) - k * F::LN2_LO,
        Ln2::Rounded => (-k).mul_add_if::<FUSED>(F::LN2, x),
    };
    (F::whole_part(shifted), r)
}

/// `eʳ − 1` for `N` values with `|r| ≤ ln 2 / 2`, the polynomial in fused multiply-adds
/// if `FUSED`.
#[inline(always)]
fn expm1_reduced<F: FastFloat, const FUSED: bool, const N: usize>(r: &[F; N]) -> [F; N] {
    let mut q = [F::ZERO; N];
    for (q, &r) in q.iter_mut().zip(r) {
        let tail = F::expm1_tail::<FUSED>(r);
        // Fused: a link shorter and a rounding fewer, the curve's longest chain.
        *q = (r * r).mul_add_if::<FUSED>(tail, r);
    }
    q
}

/// `[1/2!, 1/3!, …, 1/(N + 1)!]`, the Taylor coefficients of `(eʳ − 1 − r) / r²`. The
/// factorials used (up to 13! in f64) are exact in the type, so each value is one rounded
/// division, as a literal `1.0 / 40_320.0` is; the compiler folds them.
#[inline(always)]
fn inverse_factorials<F: FastFloat, const N: usize>() -> [F; N] {
    let (mut coefficients, mut k, mut factorial) = ([F::ZERO; N], F::ONE, F::ONE);
    for c in &mut coefficients {
        k = k + F::ONE;
        factorial = factorial * k;
        *c = F::ONE / factorial;
    }
    coefficients
}

/// One stage of Estrin's scheme for `c₀ + c₁r + … + cₙrⁿ`: neighbours pair up as
/// `cᵢ + cᵢ₊₁x` (the last alone if `L` is odd). With `x = r`, then `r²`, `r⁴`, …, each stage
/// halves the terms: degree 4 is three multiply-adds deep and degree 11 four, where
/// Horner's rule `c₀ + r(c₁ + r(… + r·cₙ))` is four and eleven. The chain, not the count,
/// was what each vector waited on.
#[inline(always)]
fn pair_up<F: FastFloat, const FUSED: bool, const L: usize, const H: usize>(
    c: [F; L],
    x: F,
) -> [F; H] {
    const { assert!(H == L.div_ceil(2), "half the terms, rounded up") };
    core::array::from_fn(|i| match c.get(2 * i + 1) {
        Some(&odd) => odd.mul_add_if::<FUSED>(x, c[2 * i]),
        None => c[2 * i],
    })
}

/// What the approximations need of a float type: constants and exponent-bit tricks.
pub(crate) trait FastFloat:
    'static
    + Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// The type's bit pattern.
    type Bits: Copy + Default;
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// 2.
    const TWO: Self;
    /// 1 / ln 2.
    const LOG2E: Self;
    /// ln 2 rounded to few significant bits, so `k · LN2_HI` is exact for every `k` used.
    const LN2_HI: Self;
    /// ln 2 − LN2_HI.
    const LN2_LO: Self;
    /// ln 2, rounded.
    const LN2: Self;
    /// How tanh's reduction takes `k ln 2` off.
    const TANH_LN2: Ln2;
    /// 1.5 · 2^(mantissa bits): `x + SHIFTER` rounds `x` to a whole number in its low bits.
    const SHIFTER: Self;
    /// `2|z|` beyond which `tanh z` rounds to ±1.
    const TANH_SATURATION: Self;
    /// Below this `e^y` rounds to 0.
    const EXP_MIN: Self;
    /// Above this `e^y` overflows.
    const EXP_MAX: Self;

    /// `self · b + c`, rounded once if `FUSED` (the builds for CPUs with fused
    /// multiply-adds), twice otherwise.
    fn mul_add_if<const FUSED: bool>(self, b: Self, c: Self) -> Self;

    /// `T(r) ≈ (eʳ − 1 − r) / r²` for `|r| ≤ ln 2 / 2` (the module's math).
    fn expm1_tail<const FUSED: bool>(r: Self) -> Self;

    /// `|self|`, by clearing the sign bit.
    fn abs_bits(self) -> Self;
    /// `self` with the sign bit of `sign`.
    fn with_sign_of(self, sign: Self) -> Self;
    /// `k` from the bits of `k + SHIFTER`.
    fn whole_part(shifted: Self) -> Self::Bits;
    /// `2ᵏ`, for `k` within the normal exponent range.
    fn pow2(k: Self::Bits) -> Self;
    /// `(2^⌊k/2⌋, 2^(k − ⌊k/2⌋))`, whose product is `2ᵏ` for `k` within twice the range.
    fn split_pow2(k: Self::Bits) -> (Self, Self);
}

macro_rules! fast_float {
    ($float:ident, $float_mod:ident, $bits:ty, $signed:ty, $mantissa:expr, $bias:expr, { $($constants:tt)* }) => {
        impl FastFloat for $float {
            type Bits = $signed;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const TWO: Self = 2.0;
            const LOG2E: Self = core::$float_mod::consts::LOG2_E;
            const SHIFTER: Self = 1.5 * (1u64 << $mantissa) as $float;
            const LN2: Self = core::$float_mod::consts::LN_2;
            $($constants)*

            #[inline(always)]
            fn mul_add_if<const FUSED: bool>(self, b: Self, c: Self) -> Self {
                #[cfg(feature = "std")]
                if FUSED {
                    return self.mul_add(b, c);
                }
                self * b + c
            }

            #[inline(always)]
            fn abs_bits(self) -> Self {
                <$float>::from_bits(self.to_bits() & !(1 << ($mantissa + $bias)))
            }

            #[inline(always)]
            fn with_sign_of(self, sign: Self) -> Self {
                let sign_bit: $bits = 1 << ($mantissa + $bias);
                <$float>::from_bits(self.to_bits() | (sign.to_bits() & sign_bit))
            }

            #[inline(always)]
            fn whole_part(shifted: Self) -> $signed {
                shifted.to_bits().wrapping_sub(Self::SHIFTER.to_bits()) as $signed
            }

            #[inline(always)]
            fn pow2(k: $signed) -> Self {
                let exponent_bias: $signed = (1 << ($bias - 1)) - 1;
                <$float>::from_bits(((k + exponent_bias) as $bits) << $mantissa)
            }

            #[inline(always)]
            fn split_pow2(k: $signed) -> (Self, Self) {
                let half = k >> 1;
                (Self::pow2(half), Self::pow2(k - half))
            }
        }
    };
}

/// f32's `T(r) = 1/2 + s₀r + s₁r² + s₂r³ + s₃r⁴`, fitted by tools/fit_expm1.py: `eʳ − 1`
/// within 0.25 units of 2⁻²⁴ before rounding, as Taylor's series to `r⁸/8!` is, with two
/// terms fewer.
const F32_TAIL: [f32; 5] = [
    0.5,
    0.166_665_5,
    0.041_666_854,
    0.008_366_033,
    0.001_389_821_6,
];

// f32: 23 mantissa bits, 8 exponent bits. LN2_HI, LN2_LO as in fdlibm's expf.
fast_float!(f32, f32, u32, i32, 23, 8, {
    const LN2_HI: Self = 0.693_145_75; // bits 0x3f317200
    const LN2_LO: Self = 1.428_606_8e-6; // bits 0x35bfbe8e
    const TANH_LN2: Ln2 = Ln2::Rounded;
    /// [`F32_TAIL`] by Estrin's scheme.
    #[inline(always)]
    fn expm1_tail<const FUSED: bool>(r: Self) -> Self {
        let r2 = r * r;
        let pairs = pair_up::<Self, FUSED, 3, 2>(pair_up::<Self, FUSED, 5, 3>(F32_TAIL, r), r2);
        let [all] = pair_up::<Self, FUSED, 2, 1>(pairs, r2 * r2);
        all
    }
    const TANH_SATURATION: Self = 40.0;
    const EXP_MIN: Self = -110.0;
    const EXP_MAX: Self = 90.0;
});

// f64: 52 mantissa bits, 11 exponent bits. LN2_HI, LN2_LO as in fdlibm's exp.
fast_float!(f64, f64, u64, i64, 52, 11, {
    const LN2_HI: Self = 0.693_147_180_369_123_8; // bits 0x3fe62e42fee00000
    const LN2_LO: Self = 1.908_214_929_270_587_7e-10; // bits 0x3dea39ef35793c76
    const TANH_LN2: Ln2 = Ln2::Split;
    /// Estrin here too: behind Horner's eleven-link chain the compiler ran four blocks side
    /// by side, each vector gathered from four blocks' values (docs/performance.md).
    #[inline(always)]
    fn expm1_tail<const FUSED: bool>(r: Self) -> Self {
        let (r2, c) = (r * r, inverse_factorials());
        let quads = pair_up::<Self, FUSED, 6, 3>(pair_up::<Self, FUSED, 12, 6>(c, r), r2);
        let r4 = r2 * r2;
        let [all] = pair_up::<Self, FUSED, 2, 1>(pair_up::<Self, FUSED, 3, 2>(quads, r4), r4 * r4);
        all
    }
    const TANH_SATURATION: Self = 50.0;
    const EXP_MIN: Self = -760.0;
    const EXP_MAX: Self = 720.0;
});

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The distance in units in the last place, over the ordered bit patterns
    /// (±0 are one point; NaN is equal only to NaN).
    trait Ulps: Copy {
        fn ulps(self, other: Self) -> u64;
    }

    macro_rules! ulps {
        ($float:ty, $signed:ty) => {
            impl Ulps for $float {
                fn ulps(self, other: Self) -> u64 {
                    if self.is_nan() || other.is_nan() {
                        return if self.is_nan() && other.is_nan() {
                            0
                        } else {
                            u64::MAX
                        };
                    }
                    let ordered = |v: $float| {
                        let bits = v.to_bits() as $signed;
                        if bits < 0 {
                            <$signed>::MIN.wrapping_sub(bits)
                        } else {
                            bits
                        }
                    };
                    (ordered(self) as i128 - ordered(other) as i128).unsigned_abs() as u64
                }
            }
        };
    }
    ulps!(f32, i32);
    ulps!(f64, i64);

    /// Grids over the regions that matter, both signs: tiny and subnormal, around 0..1,
    /// the switch-over points of the reduction, the saturation, and beyond.
    macro_rules! arguments {
        ($float:ty) => {{
            let mut zs: Vec<$float> = Vec::new();
            for i in 0..=20_000 {
                zs.push(-25.0 + i as $float * 0.0025); // dense over [−25, 25]
            }
            let mut magnitude = <$float>::from_bits(1); // smallest subnormal
            while magnitude < 1e30 {
                zs.push(magnitude);
                // At least one representable step, so the smallest subnormals advance.
                let next = <$float>::from_bits(magnitude.to_bits() + 1);
                magnitude = if magnitude * 1.37 > next {
                    magnitude * 1.37
                } else {
                    next
                };
            }
            zs.extend([
                0.0,
                <$float>::MIN_POSITIVE,
                <$float>::MIN_POSITIVE / 3.0,
                <$float>::EPSILON,
                88.5,
                104.0,
                709.5,
                745.0,
                <$float>::MAX,
                <$float>::INFINITY,
            ]);
            let negated: Vec<$float> = zs.iter().map(|z| -z).collect();
            zs.extend(negated);
            zs
        }};
    }

    macro_rules! worst {
        ($float:ty, $fast:expr, $reference:expr) => {{
            let zs = arguments!($float);
            let mut fast = alloc::vec![0.0; zs.len()];
            $fast(&zs, &mut fast);
            let mut worst = (0u64, 0.0);
            for (&z, &a) in zs.iter().zip(&fast) {
                let reference: $float = $reference(z);
                let ulps = a.ulps(reference);
                assert!(ulps <= 6, "z = {z:e}: {a:e} vs std {reference:e} ({ulps} ulp)");
                let signs = (a.is_sign_negative(), reference.is_sign_negative());
                assert!(reference.is_nan() || signs.0 == signs.1, "sign at {z:e}");
                if ulps > worst.0 {
                    worst = (ulps, z);
                }
            }
            worst
        }};
    }

    #[test]
    fn tanh_is_within_six_ulp_of_std() {
        worst!(f32, tanh::<f32, false, false>, |z: f32| z.tanh());
        worst!(f64, tanh::<f64, false, false>, |z: f64| z.tanh());
        worst!(f32, tanh::<f32, true, true>, |z: f32| z.tanh());
        worst!(f64, tanh::<f64, true, true>, |z: f64| z.tanh());
    }

    #[test]
    fn sigmoid_is_within_six_ulp_of_the_formula_with_std_exp() {
        worst!(f32, sigmoid::<f32, false, false>, |z: f32| 1.0
            / (1.0 + (-z).exp()));
        worst!(f64, sigmoid::<f64, false, false>, |z: f64| 1.0
            / (1.0 + (-z).exp()));
        worst!(f32, sigmoid::<f32, true, true>, |z: f32| 1.0
            / (1.0 + (-z).exp()));
        worst!(f64, sigmoid::<f64, true, true>, |z: f64| 1.0
            / (1.0 + (-z).exp()));
    }

    /// f32's tanh against f64's rounded to f32 (within half an ulp of the true value), on
    /// every 61st float from 2⁻¹² to 10: within 3 ulp, and 68.1 % correctly rounded fused
    /// or not (Taylor's series to `r⁸/8!` with both parts of ln 2: 68.2 %).
    #[test]
    fn f32_tanh_is_within_three_ulp_of_the_rounded_value() {
        let (low, high) = (2f32.powi(-12).to_bits(), 10f32.to_bits());
        let zs: Vec<f32> = (low..=high).step_by(61).map(f32::from_bits).collect();
        let mut a = alloc::vec![0.0; zs.len()];
        let mut check = |curve: fn(&[f32], &mut [f32]), name| {
            curve(&zs, &mut a);
            let mut exact = 0;
            for (&z, &a) in zs.iter().zip(&a) {
                let rounded = f64::from(z).tanh() as f32;
                let ulps = a.ulps(rounded);
                assert!(
                    ulps <= 3,
                    "{name} tanh({z:e}) = {a:e}, {ulps} ulp from {rounded:e}"
                );
                exact += usize::from(ulps == 0);
            }
            let share = exact as f64 / zs.len() as f64;
            assert!(share >= 0.675, "{name}: {share:.4} correctly rounded");
        };
        check(tanh::<f32, true, false>, "fused");
        check(tanh::<f32, false, false>, "unfused");
    }

    /// A value is computed the same way in a whole block as alone, so its bits do not
    /// depend on where it lies in the slice (the `parallel` feature cuts batches anywhere).
    #[test]
    fn a_value_has_the_same_bits_in_a_block_as_alone() {
        macro_rules! same_bits {
            ($float:ty, $curve:ident, $fused:expr) => {{
                let zs: Vec<$float> = (0..100 * BLOCK + 5)
                    .map(|i| (i as $float * 0.731).sin() * 9.0)
                    .collect();
                let (mut together, mut wide) = (alloc::vec![0.0; zs.len()], alloc::vec![0.0; zs.len()]);
                $curve::<$float, $fused, false>(&zs, &mut together);
                $curve::<$float, $fused, true>(&zs, &mut wide);
                for ((z, got), wide) in zs.iter().zip(&together).zip(&wide) {
                    let mut alone = [0.0];
                    $curve::<$float, $fused, false>(core::slice::from_ref(z), &mut alone);
                    assert_eq!(got.to_bits(), alone[0].to_bits(), "{}({z:e})", stringify!($curve));
                    assert_eq!(wide.to_bits(), alone[0].to_bits(), "wide {}({z:e})", stringify!($curve));
                }
            }};
        }
        same_bits!(f32, tanh, false);
        same_bits!(f32, tanh, true);
        same_bits!(f64, tanh, false);
        same_bits!(f64, tanh, true);
        same_bits!(f32, sigmoid, false);
        same_bits!(f32, sigmoid, true);
        same_bits!(f64, sigmoid, false);
        same_bits!(f64, sigmoid, true);
    }

    /// fdlibm's split of ln 2; `k · LN2_HI` is exact for |k| < 2⁸ (f32) and 2¹¹ (f64).
    #[test]
    fn ln2_is_split_as_in_fdlibm() {
        assert_eq!(<f32 as FastFloat>::LN2_HI.to_bits(), 0x3f31_7200);
        assert_eq!(<f32 as FastFloat>::LN2_LO.to_bits(), 0x35bf_be8e);
        assert_eq!(<f64 as FastFloat>::LN2_HI.to_bits(), 0x3fe6_2e42_fee0_0000);
        assert_eq!(<f64 as FastFloat>::LN2_LO.to_bits(), 0x3dea_39ef_3579_3c76);
        assert_eq!(<f32 as FastFloat>::LN2_HI.to_bits().trailing_zeros(), 9);
        assert_eq!(<f64 as FastFloat>::LN2_HI.to_bits().trailing_zeros(), 21);
    }

    /// The script prints these bits; the literals must round to them.
    #[test]
    fn f32_tail_is_the_fit_of_tools_fit_expm1() {
        let bits = F32_TAIL.map(f32::to_bits);
        assert_eq!(
            bits,
            [
                0x3f00_0000,
                0x3e2a_aa5c,
                0x3d2a_aadd,
                0x3c09_11b0,
                0x3ab6_2aad
            ]
        );
    }

    #[test]
    fn exact_where_it_must_be() {
        let zs = [
            0.0f64,
            -0.0,
            5e-324,
            -5e-324,
            1e-300,
            f64::INFINITY,
            -f64::INFINITY,
        ];
        let mut a = [1.0; 7];
        tanh::<f64, false, false>(&zs, &mut a);
        for (z, a) in zs.iter().zip(a) {
            assert_eq!(a.to_bits(), z.tanh().to_bits(), "tanh({z:e})");
        }
        tanh::<f64, true, false>(&zs, &mut a);
        for (z, a) in zs.iter().zip(a) {
            assert_eq!(a.to_bits(), z.tanh().to_bits(), "fused tanh({z:e})");
        }
        let mut s = [0.0; 7];
        sigmoid::<f64, true, false>(&zs, &mut s);
        assert_eq!(s[..4], [0.5; 4]);
        assert_eq!(s[5..], [1.0, 0.0]);
        sigmoid::<f64, false, false>(&zs, &mut s);
        assert_eq!(s[..4], [0.5; 4]);
        assert_eq!(s[5..], [1.0, 0.0]);
        let mut nan = [0.0f32; 2];
        tanh::<f32, false, false>(&[f32::NAN, -f32::NAN], &mut nan);
        assert!(nan.iter().all(|v| v.is_nan()));
        sigmoid::<f32, true, false>(&[f32::NAN, -f32::NAN], &mut nan);
        assert!(nan.iter().all(|v| v.is_nan()));
    }
}
