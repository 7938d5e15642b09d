//! The lecture's printed trace, reproduced through the public API.
//!
//! The eleven lines are the lecture's own numbers (x = 1.2, w₀ = 0.7, y = 0.4, lr = 0.1),
//! as IEEE double precision produces them; see ../shared/seed/README.md for how the
//! lecture's text was read (its line 3 has a one-digit typo, corrected here).

use backprop::{Mse, Neuron, Sgd, Trainer};
use num_traits::Float;

/// `(loss before the update, weight after it, output before it)` per step.
const TRACE: [(f64, f64, f64); 11] = [
    (0.19359999999999997, 0.5943999999999999, 0.84),
    (0.09814435839999994, 0.5192127999999999, 0.7132799999999999),
    (0.04975369362472952, 0.46567951359999993, 0.6230553599999998),
    (
        0.025222336460894872,
        0.42756381368319996,
        0.5588154163199999,
    ),
    (0.012786312134831898, 0.40042543534243835, 0.51307657641984),
    (0.006481944218880216, 0.3811029099638161, 0.480510522410926),
    (
        0.003285982730096014,
        0.3673452718942371,
        0.45732349195657934,
    ),
    (
        0.0016658092291257965,
        0.3575498335886968,
        0.44081432627308453,
    ),
    (
        0.000844471993849945,
        0.3505754815151521,
        0.42905980030643615,
    ),
    (
        0.0004281000104502661,
        0.3456097428387883,
        0.42069057781818253,
    ),
    (
        0.00021702273169769994,
        0.3420741369012173,
        0.414731691406546,
    ),
];

/// Runs the lecture for eleven steps in `T`, returning `(loss, weight, output)` per step.
fn lecture<T: Float>() -> Vec<(T, T, T)> {
    let cast = |v: f64| T::from(v).unwrap();
    let mut trainer = Trainer::new(Neuron::new(cast(0.7)), Mse, Sgd::new(cast(0.1))).unwrap();
    (0..11)
        .map(|_| {
            let step = trainer.step(&[cast(1.2)], &[cast(0.4)]).unwrap();
            (
                step.loss,
                trainer.model().weights()[0],
                trainer.prediction()[0],
            )
        })
        .collect()
}

#[test]
fn f64_reproduces_every_digit_of_the_lecture() {
    for (step, (got, want)) in lecture::<f64>().iter().zip(TRACE).enumerate() {
        assert_eq!(got.0.to_bits(), want.0.to_bits(), "loss at step {step}");
        assert_eq!(got.1.to_bits(), want.1.to_bits(), "weight at step {step}");
        assert_eq!(got.2.to_bits(), want.2.to_bits(), "output at step {step}");
    }
}

#[test]
fn printed_lines_match_the_lecture_text() {
    let lines: Vec<String> = lecture::<f64>()
        .iter()
        .map(|(loss, w, a)| format!("Loss {loss} Weight {w} Output {a}"))
        .collect();
    assert_eq!(
        lines[0],
        "Loss 0.19359999999999997 Weight 0.5943999999999999 Output 0.84"
    );
    assert_eq!(
        lines[10],
        "Loss 0.00021702273169769994 Weight 0.3420741369012173 Output 0.414731691406546"
    );
}

/// f32 follows the same trajectory within its precision. Weights and outputs carry a
/// few f32 roundings (ε = 1.2e-7) per step, damped by the factor 1 − 2·lr·x² = 0.712, so
/// they stay within 1e-6 relative. The loss is d² with d = a − y shrinking to 0.015: the
/// cancellation magnifies a's error by |a|/|d| ≤ 30 and squaring doubles it, so the loss
/// is held to 2e-5 relative.
#[test]
fn f32_follows_the_lecture_within_its_precision() {
    for (got, want) in lecture::<f32>().iter().zip(TRACE) {
        approx::assert_relative_eq!(f64::from(got.1), want.1, max_relative = 1e-6);
        approx::assert_relative_eq!(f64::from(got.2), want.2, max_relative = 1e-6);
        approx::assert_relative_eq!(f64::from(got.0), want.0, max_relative = 2e-5);
    }
}
