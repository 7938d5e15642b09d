//! Bad input gets a typed error, and a refused step changes nothing.

use backprop::{Error, Mse, Neuron, Quantity, Sgd, Trainer};

type LectureTrainer = Trainer<Neuron<f64>, Mse, Sgd<f64>, f64>;

fn lecture() -> LectureTrainer {
    Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap()
}

/// Asserts the step was refused with `expected` and left the trainer as it was.
fn assert_refused(trainer: &mut LectureTrainer, input: &[f64], target: &[f64], expected: Error) {
    let params = trainer.model().params().to_vec();
    let steps = trainer.steps();
    assert_eq!(trainer.step_batch(input, target), Err(expected));
    assert_eq!(trainer.model().params(), params.as_slice());
    assert_eq!(trainer.steps(), steps);
}

#[test]
fn wrong_lengths_are_refused() {
    let mut trainer = lecture();
    let input = Error::LengthMismatch {
        what: Quantity::Input,
        expected: 1,
        actual: 2,
    };
    assert_eq!(trainer.step(&[1.2, 1.2], &[0.4]), Err(input));
    let target = Error::LengthMismatch {
        what: Quantity::Target,
        expected: 2,
        actual: 1,
    };
    assert_refused(&mut trainer, &[1.2, 1.2], &[0.4], target);
    let mut wide = Trainer::new(Neuron::from_weights(vec![1.0, 2.0]), Mse, Sgd::new(0.1)).unwrap();
    let ragged = Error::LengthMismatch {
        what: Quantity::Input,
        expected: 2,
        actual: 3,
    };
    assert_eq!(
        wide.step_batch(&[1.0, 2.0, 3.0], &[0.0]),
        Err(ragged.clone())
    );
    assert_eq!(wide.predict(&[1.0, 2.0, 3.0]), Err(ragged));
    let mut outputs = [7.0; 3];
    let short = wide.predict_into(&[1.0, 2.0, 3.0, 4.0], &mut outputs);
    let expected = Error::LengthMismatch {
        what: Quantity::Output,
        expected: 2,
        actual: 3,
    };
    assert_eq!(short, Err(expected));
    assert_eq!(outputs, [7.0; 3], "a refused prediction wrote nothing");
}

#[test]
fn an_empty_batch_is_refused() {
    let mut trainer = lecture();
    assert_refused(&mut trainer, &[], &[], Error::EmptyBatch);
    assert_eq!(trainer.predict(&[]), Err(Error::EmptyBatch));
}

#[test]
fn non_finite_inputs_and_targets_are_refused() {
    let mut trainer = lecture();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let input = Error::NonFinite {
            what: Quantity::Input,
            index: 1,
        };
        assert_refused(&mut trainer, &[1.2, bad], &[0.4, 0.4], input);
        let target = Error::NonFinite {
            what: Quantity::Target,
            index: 0,
        };
        assert_refused(&mut trainer, &[1.2], &[bad], target);
        assert_eq!(
            trainer.predict(&[bad]),
            Err(Error::NonFinite {
                what: Quantity::Input,
                index: 0
            })
        );
    }
}

#[test]
fn invalid_learning_rates_are_refused() {
    for lr in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        let refused = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(lr)).map(|_| ());
        assert!(
            matches!(
                refused,
                Err(Error::InvalidHyperparameter { name: "lr", .. })
            ),
            "lr = {lr} gave {refused:?}"
        );
    }
}

#[test]
fn a_learning_rate_set_later_is_checked_and_zero_is_allowed() {
    let mut sgd = Sgd::new(0.1);
    assert!(sgd.set_learning_rate(-1.0).is_err());
    assert!(sgd.set_learning_rate(f64::NAN).is_err());
    assert_eq!(sgd.learning_rate(), 0.1);
    assert_eq!(sgd.set_learning_rate(0.0), Ok(()));
}

#[test]
fn non_finite_parameters_and_empty_models_are_refused() {
    let refused = Trainer::new(Neuron::new(f64::NAN), Mse, Sgd::new(0.1)).map(|_| ());
    assert_eq!(
        refused,
        Err(Error::NonFinite {
            what: Quantity::Parameters,
            index: 0
        })
    );
    let empty = Trainer::new(Neuron::<f64>::from_weights(vec![]), Mse, Sgd::new(0.1)).map(|_| ());
    assert_eq!(empty, Err(Error::NoInputs));
}

/// The lecture warns that too large a rate explodes: with lr = 1 the error is multiplied
/// by 1 − 2·lr·x² = −1.88 per step, so the loss overflows after a few hundred steps.
/// The trainer stops there with an error and the last finite weight intact.
#[test]
fn divergence_is_caught_with_the_last_finite_weight_kept() {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(1.0)).unwrap();
    let mut last_weight: f64 = 0.7;
    let error = loop {
        match trainer.step(&[1.2], &[0.4]) {
            Ok(_) => last_weight = trainer.model().weights()[0],
            Err(e) => break e,
        }
        assert!(trainer.steps() < 10_000, "never diverged");
    };
    assert!(matches!(error, Error::Diverged { .. }), "{error:?}");
    let Error::Diverged { step, .. } = error else {
        unreachable!()
    };
    assert_eq!(step, trainer.steps());
    assert_eq!(trainer.model().weights(), &[last_weight]);
    assert!(last_weight.is_finite());
    // Independently: the error d = 1.2w − 0.4 grows by 1.88 per step from 0.44, so the
    // loss d² overflows f64 (≈ 1.8e308) once 0.44 · 1.88ⁿ > 1.34e154, near n = 560.
    let expected = ((1.34e154f64 / 0.44).ln() / 1.88f64.ln()).ceil() as u64;
    assert!(
        step.abs_diff(expected) <= 2,
        "diverged at {step}, expected ≈ {expected}"
    );
}
