//! Generic numerics proven, not claimed: ONE training function, generic over
//! `num_traits::Float`, trains the lecture's neuron in `f32`, `f64`, `half::f16`,
//! `half::bf16` and `Dual<f64>`.
//!
//! The lecture: `a = x·w`, `loss = (a − y)²`, `w ← w − lr·2(a − y)x` with `x = 1.2`,
//! `y = 0.4`, `lr = 0.1`, `w₀ = 0.7`. In exact arithmetic
//!
//! ```text
//! wₙ₊₁ − w* = r·(wₙ − w*)     w* = y/x = 1/3,   r = 1 − 2·lr·x² = 0.712        (1)
//! ```
//!
//! so `|wₙ − w*| = 0.367·0.712ⁿ`, below f64's ε after 104 steps; every run takes 200.
//!
//! # Tolerance: 2ε of the type, from where rounding stops the descent
//!
//! With `u = ε/2` the unit roundoff of the type, the limit a run reaches is off `1/3` by:
//! - x, y and lr are rounded into the type, so its fixed point `y/x` moves by up to
//!   `2u·(1/3) = ε/3`;
//! - `w` stops moving once the update `lr·2x(xw − y) ≈ 0.288·(w − w*)` is below half an
//!   ulp of `w`; `w ≈ 1/3` lies in [1/4, 1/2) where an ulp is `ε/4`, so that happens
//!   within `ε/8 / 0.288 ≈ 0.43ε` of the fixed point;
//! - `xw ≈ 0.4` is rounded by up to half its ulp, `ε/8`, before `y` is subtracted
//!   (exactly, by Sterbenz), which moves the stall point by `ε/8 / 1.2 ≈ 0.1ε`.
//!
//! Together under `0.9ε`; the tests allow `2ε`. Measured: f64 0.5ε, f32 0.33ε,
//! f16 0.17ε, bf16 0.33ε. The runs are also proven to compute in their own type: every
//! weight equals, bit for bit, the update written out by hand in that type.

use backprop::{Dual, Mse, Neuron, Sgd, Trainer};
use half::{bf16, f16};
use num_traits::Float;

const X: f64 = 1.2;
const Y: f64 = 0.4;
const LR: f64 = 0.1;
const W0: f64 = 0.7;
const STEPS: usize = 200;

/// `v` in the number type `T` (rounded to nearest).
fn cast<T: Float>(v: f64) -> T {
    T::from(v).expect("every float type represents the lecture's constants")
}

/// The crate's training loop, generic over the number type: the weight after each of
/// `STEPS` steps, starting from `w0` (which may carry a tangent).
fn train<T: Float>(w0: T) -> Vec<T> {
    let mut trainer = Trainer::new(Neuron::new(w0), Mse, Sgd::new(cast(LR))).expect("valid");
    (0..STEPS)
        .map(|_| {
            trainer
                .step(&[cast(X)], &[cast(Y)])
                .expect("the lecture converges");
            trainer.model().weights()[0]
        })
        .collect()
}

/// The lecture's update written out in `T`: `w ← w − lr·(2(x·w − y))·x`.
fn by_hand<T: Float>() -> Vec<T> {
    let (x, y, lr) = (cast::<T>(X), cast::<T>(Y), cast::<T>(LR));
    let two = T::one() + T::one();
    let mut w = cast::<T>(W0);
    (0..STEPS)
        .map(|_| {
            let gradient = two * (x * w - y) * x;
            w = w - lr * gradient;
            w
        })
        .collect()
}

/// The run in `T` equals the hand-written update bit for bit, and its last weight is
/// within 2ε of `T` of the exact limit 1/3 (module docs).
fn assert_converges<T: Float + core::fmt::Debug>(name: &str) {
    let weights = train(cast::<T>(W0));
    assert_eq!(
        weights,
        by_hand::<T>(),
        "{name}: the trainer computes in {name}"
    );
    let last = weights[STEPS - 1].to_f64().expect("finite");
    let tolerance = 2.0 * T::epsilon().to_f64().expect("finite");
    assert!(
        (last - 1.0 / 3.0).abs() <= tolerance,
        "{name}: w = {last}, off 1/3 by {:e} > {tolerance:e}",
        last - 1.0 / 3.0
    );
}

#[test]
fn f64_converges_to_one_third() {
    assert_converges::<f64>("f64");
}

#[test]
fn f32_converges_to_one_third() {
    assert_converges::<f32>("f32");
}

#[test]
fn f16_converges_to_one_third() {
    assert_converges::<f16>("f16");
}

#[test]
fn bf16_converges_to_one_third() {
    assert_converges::<bf16>("bf16");
}

#[test]
fn half_precision_really_computes_in_half_precision() {
    // the limits differ from f64's by more than f64 could ever round: not f64 in disguise
    let f64_limit = train(W0)[STEPS - 1];
    for (name, limit) in [
        ("f16", f64::from(train(cast::<f16>(W0))[STEPS - 1])),
        ("bf16", f64::from(train(cast::<bf16>(W0))[STEPS - 1])),
    ] {
        assert!((limit - f64_limit).abs() > 1e-6, "{name}: {limit}");
    }
}

/// With `w₀`'s tangent 1 the dual run differentiates the whole training run:
/// by (1), `dwₙ/dw₀ = rⁿ` with `r = 1 − 2·lr·x²`.
///
/// The value is the f64 run bit for bit (a dual's value part is computed by f64's own
/// operations). The tangent is compared with `rⁿ` computed independently by `powi`:
/// each step rounds the tangent ~4 times and `r` itself carries ~3 roundings, so after
/// `n` steps both sides are within ~4n·u of the truth; the test allows `4n·ε` relative.
#[test]
fn dual_numbers_train_like_f64_and_differentiate_the_run() {
    let plain = train(W0);
    let dual = train(Dual::variable(W0));
    let r = 1.0 - 2.0 * LR * X * X;
    for (n, (w, d)) in (1..).zip(plain.iter().zip(&dual)) {
        assert_eq!(d.value().to_bits(), w.to_bits(), "value after step {n}");
        let expected = r.powi(n);
        let tolerance = 4.0 * f64::from(n) * f64::EPSILON * expected;
        assert!(
            (d.derivative() - expected).abs() <= tolerance,
            "dw/dw0 after step {n}: {} vs r^n = {expected}",
            d.derivative()
        );
    }
}
