//! Every loss's analytic gradient against forward-mode dual numbers.
//!
//! Seeding prediction i with tangent 1 makes the tangent of `loss.value` the exact partial
//! derivative ∂L/∂ŷᵢ, up to rounding only: where finite differences agree to about 1e-7,
//! the two derivations here must agree to 1e-12 relative. (The analytic gradients are
//! written in PyTorch's forms, e.g. Bce's `(x − y)/((1 − x)x)`, while the dual numbers
//! differentiate the value's own formula, so the last bits may differ.)

use backprop::{Bce, BceWithLogits, CrossEntropy, Dual, Huber, Loss, Mae, Mse, SmoothL1};
use proptest::prelude::*;

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

fn smooth(_: f64) -> bool {
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
        check_against_dual(&Mse, &Mse, &p, &y, smooth)?;
    }

    #[test]
    fn mae((p, y) in pairs(-10.0..10.0, -10.0..10.0)) {
        check_against_dual(&Mae, &Mae, &p, &y, |d| d.abs() < 1e-9)?;
    }

    #[test]
    fn huber((p, y) in pairs(-10.0..10.0, -10.0..10.0), delta in 0.05f64..4.0) {
        let near = |d: f64| (d.abs() - delta).abs() < 1e-9;
        check_against_dual(&Huber::new(delta), &Huber::new(D::constant(delta)), &p, &y, near)?;
    }

    #[test]
    fn smooth_l1((p, y) in pairs(-10.0..10.0, -10.0..10.0), beta in prop_oneof![Just(0.0f64), 0.05f64..4.0]) {
        let near = |d: f64| (d.abs() - beta).abs() < 1e-9;
        let dual = SmoothL1::new(D::constant(beta));
        check_against_dual(&SmoothL1::new(beta), &dual, &p, &y, near)?;
    }

    /// Predictions away from 0 and 1, where neither the log clamp nor ε is active.
    #[test]
    fn bce((p, y) in pairs(0.01..0.99, 0.0..=1.0)) {
        check_against_dual(&Bce, &Bce, &p, &y, smooth)?;
    }

    #[test]
    fn bce_with_logits((p, y) in pairs(-40.0..40.0, 0.0..=1.0)) {
        check_against_dual(&BceWithLogits, &BceWithLogits, &p, &y, smooth)?;
    }

    #[test]
    fn cross_entropy((p, y) in pairs(-20.0..20.0, 0.0..=1.0), s in 0.0..=1.0) {
        let loss = CrossEntropy::new().label_smoothing(s);
        let dual = CrossEntropy::new().label_smoothing(D::constant(s));
        check_against_dual(&loss, &dual, &p, &y, smooth)?;
    }
}
