//! Every loss's analytic gradient against central finite differences of its value,
//! away from the kinks where the loss is not differentiable.

use backprop::{Bce, BceWithLogits, CrossEntropy, Huber, Loss, Mae, Mse, SmoothL1};
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
