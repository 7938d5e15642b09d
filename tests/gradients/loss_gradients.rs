//! Every loss's analytic gradient against central finite differences of its value, and
//! against forward-mode dual numbers, away from the kinks where the loss is not
//! differentiable.
//!
//! Seeding prediction i with tangent 1 makes the tangent of `loss.value` in `Dual<f64>`
//! the exact partial derivative ∂L/∂ŷᵢ, up to rounding only: where finite differences
//! agree to about 1e-7, the two derivations must agree to 1e-12 relative. (The analytic
//! gradients are written in PyTorch's forms, e.g. Bce's `(x − y)/((1 − x)x)`, while the
//! dual numbers differentiate the value's own formula, so the last bits may differ.)

use backprop::{Bce, BceWithLogits, CrossEntropy, Dual, Huber, Loss, Mae, Mse, SmoothL1};
use proptest::prelude::*;

/// Checks `loss.gradient` at `prediction` against central differences of `loss.value`,
/// skipping coordinates that `near_kink` flags (given the coordinate's `ŷ − y` and `h`).
///
/// Step `h = cbrt(ε)·max(1, |x|)`, the usual balance of truncation and rounding error;
/// the difference quotient divides by the step actually taken, `(x + h) − (x − h)`.
/// Tolerance: `1e-6·(1 + |g|)`, well above both error terms for these smooth pieces.
fn check_against_differences(
    loss: &dyn Loss<f64>,
    prediction: &[f64],
    target: &[f64],
    near_kink: impl Fn(f64, f64) -> bool,
) -> Result<(), TestCaseError> {
    let mut grad = vec![0.0; prediction.len()];
    let value = loss.gradient(prediction, target, &mut grad);
    prop_assert_eq!(value, loss.value(prediction, target));
    let mut probe = prediction.to_vec();
    for i in 0..prediction.len() {
        let x = prediction[i];
        let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
        if near_kink(x - target[i], h) {
            continue;
        }
        probe[i] = x + h;
        let up = loss.value(&probe, target);
        let (above, below) = (probe[i], x - h);
        probe[i] = below;
        let down = loss.value(&probe, target);
        probe[i] = x;
        let numeric = (up - down) / (above - below);
        prop_assert!(
            (grad[i] - numeric).abs() <= 1e-6 * (1.0 + grad[i].abs()),
            "coordinate {}: analytic {:e}, central difference {:e}",
            i,
            grad[i],
            numeric
        );
    }
    Ok(())
}

type D = Dual<f64>;

/// Checks `loss.gradient` against the dual derivative of `dual_loss.value`, the same loss
/// in dual numbers, skipping coordinates that `near_kink` flags (given `ŷ − y`).
fn check_against_dual(
    loss: &dyn Loss<f64>,
    dual_loss: &dyn Loss<D>,
    prediction: &[f64],
    target: &[f64],
    near_kink: impl Fn(f64) -> bool,
) -> Result<(), TestCaseError> {
    let mut grad = vec![0.0; prediction.len()];
    let value = loss.gradient(prediction, target, &mut grad);
    let target_d: Vec<D> = target.iter().map(|&y| D::constant(y)).collect();
    for i in 0..prediction.len() {
        if near_kink(prediction[i] - target[i]) {
            continue;
        }
        let seeded: Vec<D> = prediction
            .iter()
            .enumerate()
            .map(|(j, &p)| {
                if j == i {
                    D::variable(p)
                } else {
                    D::constant(p)
                }
            })
            .collect();
        let dual = dual_loss.value(&seeded, &target_d);
        prop_assert_eq!(dual.value().to_bits(), value.to_bits(), "value part");
        let exact = dual.derivative();
        prop_assert!(
            (grad[i] - exact).abs() <= 1e-12 * (1.0 + exact.abs()),
            "coordinate {}: analytic {:e}, dual {:e}",
            i,
            grad[i],
            exact
        );
    }
    Ok(())
}

fn no_kink(_: f64) -> bool {
    false
}

fn smooth(_: f64, _: f64) -> bool {
    false
}

/// Pairs of (prediction, target) as two vectors of 1 to 6 outputs.
fn pairs(
    prediction: impl Strategy<Value = f64>,
    target: impl Strategy<Value = f64>,
) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop::collection::vec((prediction, target), 1..=6).prop_map(|v| v.into_iter().unzip())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mse((p, y) in pairs(-10.0..10.0, -10.0..10.0)) {
        check_against_differences(&Mse, &p, &y, smooth)?;
    }

    #[test]
    fn mae((p, y) in pairs(-10.0..10.0, -10.0..10.0)) {
        check_against_differences(&Mae, &p, &y, |d, h| d.abs() <= 2.0 * h)?;
    }

    #[test]
    fn huber((p, y) in pairs(-10.0..10.0, -10.0..10.0), delta in 0.05f64..4.0) {
        let near = |d: f64, h: f64| (d.abs() - delta).abs() <= 2.0 * h;
        check_against_differences(&Huber::new(delta), &p, &y, near)?;
    }

    #[test]
    fn smooth_l1((p, y) in pairs(-10.0..10.0, -10.0..10.0), beta in prop_oneof![Just(0.0f64), 0.05f64..4.0]) {
        let near = |d: f64, h: f64| (d.abs() - beta).abs() <= 2.0 * h;
        check_against_differences(&SmoothL1::new(beta), &p, &y, near)?;
    }

    /// Predictions away from 0 and 1, where neither the log clamp nor ε is active.
    #[test]
    fn bce((p, y) in pairs(0.01..0.99, 0.0..=1.0)) {
        check_against_differences(&Bce, &p, &y, smooth)?;
    }

    #[test]
    fn bce_with_logits((p, y) in pairs(-40.0..40.0, 0.0..=1.0)) {
        check_against_differences(&BceWithLogits, &p, &y, smooth)?;
    }

    #[test]
    fn cross_entropy((p, y) in pairs(-20.0..20.0, 0.0..=1.0), s in 0.0..=1.0) {
        let loss = CrossEntropy::new().label_smoothing(s);
        check_against_differences(&loss, &p, &y, smooth)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mse_against_dual((p, y) in pairs(-10.0..10.0, -10.0..10.0)) {
        check_against_dual(&Mse, &Mse, &p, &y, no_kink)?;
    }

    #[test]
    fn mae_against_dual((p, y) in pairs(-10.0..10.0, -10.0..10.0)) {
        check_against_dual(&Mae, &Mae, &p, &y, |d| d.abs() < 1e-9)?;
    }

    #[test]
    fn huber_against_dual((p, y) in pairs(-10.0..10.0, -10.0..10.0), delta in 0.05f64..4.0) {
        let near = |d: f64| (d.abs() - delta).abs() < 1e-9;
        check_against_dual(&Huber::new(delta), &Huber::new(D::constant(delta)), &p, &y, near)?;
    }

    #[test]
    fn smooth_l1_against_dual((p, y) in pairs(-10.0..10.0, -10.0..10.0), beta in prop_oneof![Just(0.0f64), 0.05f64..4.0]) {
        let near = |d: f64| (d.abs() - beta).abs() < 1e-9;
        let dual = SmoothL1::new(D::constant(beta));
        check_against_dual(&SmoothL1::new(beta), &dual, &p, &y, near)?;
    }

    /// Predictions away from 0 and 1, where neither the log clamp nor ε is active.
    #[test]
    fn bce_against_dual((p, y) in pairs(0.01..0.99, 0.0..=1.0)) {
        check_against_dual(&Bce, &Bce, &p, &y, no_kink)?;
    }

    #[test]
    fn bce_with_logits_against_dual((p, y) in pairs(-40.0..40.0, 0.0..=1.0)) {
        check_against_dual(&BceWithLogits, &BceWithLogits, &p, &y, no_kink)?;
    }

    #[test]
    fn cross_entropy_against_dual((p, y) in pairs(-20.0..20.0, 0.0..=1.0), s in 0.0..=1.0) {
        let loss = CrossEntropy::new().label_smoothing(s);
        let dual = CrossEntropy::new().label_smoothing(D::constant(s));
        check_against_dual(&loss, &dual, &p, &y, no_kink)?;
    }
}

#[test]
fn weighted_class_index_cross_entropy_passes_gradcheck() {
    use backprop::{gradcheck, Activation, Network};
    let builder = Network::builder(2).dense(4, Activation::Tanh);
    let mut net = builder
        .dense(3, Activation::Identity)
        .seed(9)
        .build()
        .unwrap();
    let loss = CrossEntropy::class_indices()
        .weight(vec![0.5, 2.0, 1.25])
        .label_smoothing(0.2);
    let inputs = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5];
    let report = gradcheck::check(&mut net, &loss, &inputs, &[2.0, 0.0, 1.0]).unwrap();
    assert!(
        report.passes(1e-8, 1e-6),
        "worst: {:?}",
        report.worst_abs_error()
    );
}
