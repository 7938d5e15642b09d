//! Many values divided by one: two fused multiply-adds in place of each division, with
//! the division's bits.
//!
//! A vector division is the slowest arithmetic a loop can hold (AVX-512 divides 8 `f64`
//! in about 16 cycles and multiply-adds 16 in one), and Adam divides every `√v` by the
//! same bias correction, as PyTorch does.
//!
//! # Math
//!
//! ```text
//! r  = 1/c            rounded once, when the divisor is made
//! q  = x r            within about an ulp of x/c
//! e  = x − q c        exact in one fused multiply-add
//! q' = q + e r        rounded once: the correctly rounded x/c
//! ```
//!
//! The error before the last rounding is `q + e r − x/c = (q − x/c)(1 − c r)`: the
//! error of `q` times that of `r`, about `2⁻ᵖ` of an ulp (`p` the significand's bits).
//! Markstein's theorem (IBM J. Res. Dev. 34(1), 1990) makes `q'` the correctly rounded
//! quotient when `r`'s relative error is below `2⁻ᵖ` (true of a rounded reciprocal in
//! the normal range; checked when the divisor is made, `1 − c r` being exact in a fused
//! multiply-add, and the division runs otherwise) and `q` is within an ulp of `x/c`.
//! `q = x r` is within about an ulp, not provably under one for every `x`: the tests
//! below compare `q'` with `x/c` bit for bit on random operands of every size, powers of
//! two, divisors of all ones and Adam's own, and have found no difference. Where the
//! residual cannot be exact, a quotient below the normal range, `q'` may be an ulp away;
//! a zero or non-finite `q` is kept as it is (as `x/c`, up to the sign of a zero
//! quotient, which then follows `x`).

use num_traits::Float;

/// `x / c` for many `x` and one `c`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Divisor<T> {
    c: T,
    reciprocal: T,
    /// Whether multiply-adds are fused in hardware where the values are divided; the
    /// division itself otherwise.
    fused: bool,
}

impl<T: Float> Divisor<T> {
    /// Dividing by `c`, in multiply-adds if `fused_in_hardware` (as
    /// [`on_widest_vectors_fusing`](super::on_widest_vectors_fusing) tells) and `T` is
    /// `f32` or `f64`.
    pub fn new(c: T, fused_in_hardware: bool) -> Self {
        let reciprocal = c.recip();
        let close_enough = || {
            let relative_error = (-c).mul_add(reciprocal, T::one()).abs(); // |1 − c r|
            relative_error < T::epsilon() / (T::one() + T::one())
        };
        Self {
            c,
            reciprocal,
            fused: fused_in_hardware && is_binary32_or_64::<T>() && close_enough(),
        }
    }

    /// `x / c`.
    #[inline(always)]
    pub fn divide(&self, x: T) -> T {
        if !self.fused {
            return x / self.c;
        }
        let q = x * self.reciprocal;
        let corrected = (-q).mul_add(self.c, x).mul_add(self.reciprocal, q);
        if q.is_finite() && q != T::zero() {
            corrected
        } else {
            q
        }
    }
}

/// Whether `T` is `f32` or `f64` (or a type of their size and rounding), whose
/// `mul_add` rounds once. A dual number's derivative, or a half float's `mul_add` in a
/// wider type, would not come out as from the division.
fn is_binary32_or_64<T: Float>() -> bool {
    // (1 + ε)² − RN((1 + ε)²) is ε² in one rounding, 0 in two
    let a = T::one() + T::epsilon();
    let rounds_once = a.mul_add(a, -(a * a)) == T::epsilon() * T::epsilon();
    matches!(core::mem::size_of::<T>(), 4 | 8) && rounds_once
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64: operands spread over every exponent the tests ask for.
    struct Operands(u64);

    impl Operands {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A significand in [1, 2) times 2^k, k uniform in `exponents`.
        fn f64(&mut self, exponents: core::ops::Range<i32>) -> f64 {
            let significand = f64::from_bits((self.next() >> 12) | (1023 << 52));
            let span = (exponents.end - exponents.start) as u64;
            significand * 2f64.powi(exponents.start + (self.next() % span) as i32)
        }
    }

    /// Compares `divide` with `/` for `count` random operands of each type.
    fn compare(count: usize, dividends: core::ops::Range<i32>, divisors: core::ops::Range<i32>) {
        let mut operands = Operands(0x9E37_79B9_7F4A_7C15);
        for _ in 0..count {
            let (x, c) = (
                operands.f64(dividends.clone()),
                operands.f64(divisors.clone()),
            );
            assert_eq!(Divisor::new(c, true).divide(x), x / c, "{x:e} / {c:e}");
            let (x, c) = (x as f32, c as f32);
            assert_eq!(Divisor::new(c, true).divide(x), x / c, "{x:e} / {c:e}");
        }
    }

    #[test]
    fn fused_division_has_the_bits_of_the_division() {
        compare(200_000, -60..60, -60..60);
    }

    #[test]
    fn divisors_of_all_ones_divide_as_the_division() {
        let mut operands = Operands(11);
        for c in [
            2.0 - f64::EPSILON,
            1.0 - f64::EPSILON / 2.0,
            3.0 - 2.0 * f64::EPSILON,
        ] {
            let c32 = [2.0 - f32::EPSILON, 1.0 - f32::EPSILON / 2.0][usize::from(c < 1.0)];
            // powers of two, whose quotients by these lie closest to a tie
            let powers = (-60..60).map(|k| 2f64.powi(k));
            for x in powers.chain((0..50_000).map(|_| operands.f64(-60..60))) {
                assert_eq!(Divisor::new(c, true).divide(x), x / c, "{x:e} / {c:e}");
                let x = x as f32;
                assert_eq!(
                    Divisor::new(c32, true).divide(x),
                    x / c32,
                    "{x:e} / {c32:e}"
                );
            }
        }
    }

    #[test]
    fn adams_bias_correction_divides_as_pytorch() {
        // √v / √(1 − β₂ᵗ) with β₂ = 0.999 over a run's steps
        let mut operands = Operands(7);
        for t in 1..=20_000 {
            let c = (1.0 - 0.999f64.powi(t)).sqrt();
            let x = operands.f64(-40..10);
            assert_eq!(Divisor::new(c, true).divide(x), x / c, "step {t}");
            let (x, c) = (x as f32, (1.0 - 0.999f32.powi(t)).sqrt());
            assert_eq!(Divisor::new(c, true).divide(x), x / c, "step {t}");
        }
    }

    #[test]
    fn zeros_and_non_finite_quotients_are_the_divisions() {
        for x in [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::MAX] {
            let (fused, divided) = (Divisor::new(0.25, true).divide(x), x / 0.25);
            assert_eq!(fused.to_bits(), divided.to_bits(), "{x}");
        }
        assert!(Divisor::new(0.25, true).divide(f64::NAN).is_nan());
    }

    /// Adam's update, five steps over 1000 parameters, on each instruction set this CPU
    /// runs: the fused division (AVX-512, AVX2) and the division itself (baseline) must
    /// leave the same bits.
    #[cfg(feature = "std")]
    #[test]
    fn adam_steps_alike_on_every_instruction_set() {
        use super::super::gemm::{with_isa, Isa};
        use crate::{Adam, UpdateRule};

        /// The parameters, then the state, as the bits of their (exact) f64 values.
        fn five_steps<T: Float>(isa: Isa) -> Vec<u64> {
            let (lr, adam) = (T::from(1e-3).unwrap(), Adam::new(T::zero()).rule);
            let n = 1000;
            let mut params: Vec<T> = (0..n).map(|i| T::from((i as f64).sin()).unwrap()).collect();
            let mut state = vec![T::zero(); adam.state_len(n)];
            with_isa(isa, || {
                for t in 1..=5 {
                    let grads: Vec<T> = (0..n)
                        .map(|i| T::from((i as f64 * 0.7 + t as f64).cos()).unwrap())
                        .collect();
                    adam.update(t, lr, &mut params, &grads, &mut state);
                }
            });
            let values = params.iter().chain(&state);
            values.map(|v| v.to_f64().unwrap().to_bits()).collect()
        }
        let (plain64, plain32) = (
            five_steps::<f64>(Isa::Baseline),
            five_steps::<f32>(Isa::Baseline),
        );
        for isa in Isa::supported() {
            assert_eq!(five_steps::<f64>(isa), plain64, "f64, {isa:?}");
            assert_eq!(five_steps::<f32>(isa), plain32, "f32, {isa:?}");
        }
    }

    #[test]
    fn only_f32_and_f64_divide_by_multiply_adds() {
        assert!(is_binary32_or_64::<f64>() && is_binary32_or_64::<f32>());
        assert!(!is_binary32_or_64::<crate::Dual<f64>>());
        assert!(!Divisor::new(crate::Dual::constant(0.5), true).fused);
        assert!(
            !Divisor::new(0.5, false).fused,
            "a build without fused multiply-adds"
        );
        assert!(Divisor::new(0.5f32, true).fused);
        // reciprocals outside the normal range: infinite, and subnormal
        assert!(!Divisor::new(1e-310, true).fused && !Divisor::new(1.5e308, true).fused);
    }
}
