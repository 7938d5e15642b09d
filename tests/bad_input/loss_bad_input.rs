//! Invalid loss hyper-parameters and targets are refused with a typed error, and
//! nothing changes: not the model, not the optimizer, not the caller's buffers.

use backprop::{
    Bce, BceWithLogits, CrossEntropy, Error, Huber, Loss, Mse, Neuron, Quantity, Sgd, SmoothL1,
    Trainer,
};

fn neuron() -> Neuron<f64> {
    Neuron::from_weights(vec![0.5, -0.25]).with_bias(0.1)
}

/// `Trainer::new`'s error for `loss`, which must be `InvalidHyperparameter`.
fn refused<L: Loss<f64>>(loss: L) -> (&'static str, f64) {
    match Trainer::new(neuron(), loss, Sgd::new(0.1)) {
        Err(Error::InvalidHyperparameter { name, value, .. }) => (name, value),
        Err(other) => panic!("expected InvalidHyperparameter, got {other:?}"),
        Ok(_) => panic!("an invalid hyper-parameter was accepted"),
    }
}

/// Same value, NaN included.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[test]
fn huber_refuses_a_delta_that_is_not_finite_and_positive() {
    for delta in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let (name, value) = refused(Huber::new(delta));
        assert_eq!(name, "delta");
        assert!(same(value, delta), "{value} vs {delta}");
    }
    assert!(Trainer::new(neuron(), Huber::new(1e-9), Sgd::new(0.1)).is_ok());
}

#[test]
fn smooth_l1_refuses_a_beta_that_is_negative_or_not_finite() {
    for beta in [-0.5, -f64::MIN_POSITIVE, f64::NAN, f64::INFINITY] {
        let (name, value) = refused(SmoothL1::new(beta));
        assert_eq!(name, "beta");
        assert!(same(value, beta), "{value} vs {beta}");
    }
    assert!(Trainer::new(neuron(), SmoothL1::new(0.0), Sgd::new(0.1)).is_ok()); // L1
}

#[test]
fn cross_entropy_refuses_label_smoothing_outside_0_1() {
    for s in [-0.1, 1.0 + f64::EPSILON, 2.0, f64::NAN] {
        let (name, value) = refused(CrossEntropy::new().label_smoothing(s));
        assert_eq!(name, "label_smoothing");
        assert!(same(value, s), "{value} vs {s}");
    }
    for s in [0.0, 1.0] {
        let loss = CrossEntropy::new().label_smoothing(s);
        assert!(Trainer::new(neuron(), loss, Sgd::new(0.1)).is_ok());
    }
}

/// A step on a bad target is refused with `expected`, and the trainer is exactly as
/// before: the next valid step equals that of a trainer that never saw the bad one.
fn target_refused<L: Loss<f64> + Clone>(loss: L, bad: &[f64], good: &[f64], expected: Error) {
    let inputs = [0.2, -0.4, 1.0, 0.3];
    let mut trainer = Trainer::new(neuron(), loss.clone(), Sgd::new(0.1)).unwrap();
    let mut fresh = Trainer::new(neuron(), loss, Sgd::new(0.1)).unwrap();
    assert_eq!(trainer.step_batch(&inputs, bad), Err(expected));
    assert_eq!(trainer.model().params(), neuron().params());
    assert_eq!(trainer.steps(), 0);
    let after = trainer.step_batch(&inputs, good).unwrap();
    assert_eq!(after, fresh.step_batch(&inputs, good).unwrap());
    assert_eq!(trainer.model().params(), fresh.model().params());
}

#[test]
fn probability_losses_refuse_targets_outside_0_1() {
    let good = [0.0, 1.0];
    for bad in [[0.5, 1.5], [0.5, -0.25], [0.5, 1.0 + f64::EPSILON]] {
        let expected = Error::InvalidTarget {
            index: 1,
            value: bad[1],
        };
        target_refused(Bce, &bad, &good, expected.clone());
        target_refused(BceWithLogits, &bad, &good, expected.clone());
        target_refused(CrossEntropy::new(), &bad, &good, expected);
    }
}

#[test]
fn check_targets_names_the_first_bad_target_in_a_batch() {
    let batch = [0.2, 0.8, 0.0, /* row 2 */ 1.0, -3.0, 7.0];
    let expected = Err(Error::InvalidTarget {
        index: 4,
        value: -3.0,
    });
    assert_eq!(CrossEntropy::new().check_targets(&batch), expected);
    assert_eq!(Bce.check_targets(&batch), expected);
    assert_eq!(BceWithLogits.check_targets(&batch), expected);
    assert_eq!(Loss::<f64>::check_targets(&Mse, &batch), Ok(())); // any finite target
}

#[test]
fn bce_on_a_prediction_outside_0_1_is_a_refused_step() {
    // The neuron's identity output 0.5·2 + 0.1 = 1.1 is not a probability.
    let mut trainer = Trainer::new(neuron(), Bce, Sgd::new(0.1)).unwrap();
    assert_eq!(
        trainer.step(&[2.0, 0.0], &[1.0]),
        Err(Error::Diverged {
            step: 0,
            what: Quantity::Loss
        })
    );
    assert_eq!(trainer.model().params(), neuron().params());
    let mut grad = [0.0; 2];
    assert!(Bce
        .gradient(&[-0.1, f64::NAN], &[0.0, 0.0], &mut grad)
        .is_nan());
    assert!(grad.iter().all(|g| g.is_nan()));
}

#[test]
fn one_hot_refuses_a_class_out_of_range_and_writes_nothing() {
    let mut out = [9.0; 6];
    assert_eq!(
        CrossEntropy::one_hot(&[1, 3], 3, &mut out),
        Err(Error::InvalidClass {
            what: Quantity::Target,
            index: 1,
            value: 3.0,
            classes: Some(3)
        })
    );
    assert_eq!(out, [9.0; 6]);
}

#[test]
fn one_hot_refuses_a_buffer_of_the_wrong_size_and_writes_nothing() {
    let mut out = [9.0; 5];
    assert_eq!(
        CrossEntropy::one_hot(&[1, 2], 3, &mut out),
        Err(Error::LengthMismatch {
            what: Quantity::Target,
            expected: 6,
            actual: 5
        })
    );
    assert_eq!(out, [9.0; 5]);
    let mut empty: [f64; 0] = [];
    assert!(CrossEntropy::one_hot(&[0], 0, &mut empty).is_err()); // no classes at all
    assert_eq!(CrossEntropy::one_hot(&[], 4, &mut empty), Ok(()));
}

#[test]
fn class_index_targets_and_class_weights_are_checked() {
    use backprop::{Activation, Network};
    let net = || {
        Network::builder(2)
            .dense(3, Activation::Identity)
            .seed(1)
            .build()
            .unwrap()
    };
    let mut trainer = Trainer::new(net(), CrossEntropy::class_indices(), Sgd::new(0.1)).unwrap();
    let before = trainer.model().params().to_vec();
    for (bad, value) in [(3.0, 3.0), (1.5, 1.5), (-1.0, -1.0)] {
        let refused = trainer.step_batch(&[1.0, 2.0, 3.0, 4.0], &[0.0, bad]);
        assert_eq!(
            refused.unwrap_err(),
            Error::InvalidClass {
                what: Quantity::Target,
                index: 1,
                value,
                classes: Some(3)
            }
        );
    }
    // one target per row, not one per class
    let refused = trainer.step_batch(&[1.0, 2.0], &[0.0, 1.0, 0.0]);
    let expected = Error::LengthMismatch {
        what: Quantity::Target,
        expected: 1,
        actual: 3,
    };
    assert_eq!(refused.unwrap_err(), expected);
    assert_eq!(trainer.model().params(), &before[..]);

    let negative = CrossEntropy::class_indices().weight(vec![1.0, -0.5, 1.0]);
    let refused = Trainer::new(net(), negative, Sgd::new(0.1))
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(
        refused,
        Error::InvalidHyperparameter { name: "weight", .. }
    ));
    let two = CrossEntropy::class_indices().weight(vec![1.0, 2.0]);
    let mut trainer = Trainer::new(net(), two, Sgd::new(0.1)).unwrap();
    let refused = trainer.step_batch(&[1.0, 2.0], &[0.0]).unwrap_err();
    assert!(
        matches!(refused, Error::InvalidHyperparameter { name: "weight", value, .. } if value == 2.0)
    );
    assert_eq!(trainer.model().params(), &before[..]);
}
