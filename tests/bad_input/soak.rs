//! Soak: 10⁵ training steps, each followed by a hostile call (NaN, wrong lengths, a
//! diverging target, a negative rate, a checkpoint of another model or configuration),
//! with a checkpoint taken and restored around every thousandth: at the end the
//! parameters, the optimizer state and the step counts equal, bit for bit, those of a
//! run that saw only the valid steps.
//!
//! 10⁷ steps (15 s in release on a shared 2-core machine; passed on 2026-12-05):
//! `BACKPROP_SOAK_STEPS=10000000 cargo test --release --test bad_input soak`.

use backprop::{Adam, Error, Mse, Neuron, Trainer};

use crate::snapshot::snapshot;

type Lecture = Trainer<Neuron<f64>, Mse, backprop::Adam<f64>, f64>;

fn fresh() -> Lecture {
    Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.01)).unwrap()
}

/// The valid sample of step `k`: inputs in [0.5, 1.5], targets in [0, 0.6].
fn sample(k: u64) -> ([f64; 1], [f64; 1]) {
    let x = 0.5 + (k % 11) as f64 / 10.0;
    ([x], [(k % 7) as f64 / 10.0])
}

/// Hostile call `i`: each must be refused, with nothing changed.
fn hostile(
    trainer: &mut Lecture,
    i: u64,
    others: &[backprop::Checkpoint<Neuron<f64>, Adam<f64>, f64>],
) -> Error {
    let refused = match i % 8 {
        0 => trainer.step(&[f64::NAN], &[0.4]).map(|_| ()),
        1 => trainer.step(&[1.0, 2.0], &[0.4]).map(|_| ()),
        2 => trainer
            .step_batch(&[1.0, 2.0, 3.0], &[0.4, 0.5])
            .map(|_| ()),
        3 => trainer.step(&[1.0], &[1e300]).map(|_| ()), // the loss overflows
        4 => trainer.optimizer_mut().set_learning_rate(-1.0),
        5 => trainer.predict(&[f64::INFINITY]).map(|_| ()),
        6 => trainer.restore(others[0].clone()), // two weights, not one
        _ => trainer.restore(others[1].clone()), // amsgrad
    };
    refused.expect_err("a hostile call was accepted")
}

fn soak(steps: u64) {
    let mut reference = fresh();
    for k in 0..steps {
        let (x, y) = sample(k);
        reference.step(&x, &y).unwrap();
    }

    let others = [
        Trainer::new(Neuron::from_weights(vec![0.1, 0.2]), Mse, Adam::new(0.01))
            .unwrap()
            .checkpoint(),
        Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.01).amsgrad(true))
            .unwrap()
            .checkpoint(),
    ];
    let mut soaked = fresh();
    for k in 0..steps {
        let saved = (k % 1000 == 0).then(|| soaked.checkpoint());
        let before = snapshot(&soaked);
        hostile(&mut soaked, k, &others);
        assert_eq!(
            snapshot(&soaked),
            before,
            "hostile call {k} changed the trainer"
        );
        if let Some(saved) = saved {
            #[cfg(feature = "serde")]
            let saved = backprop::Checkpoint::from_bytes(&saved.to_bytes().unwrap()).unwrap();
            soaked.restore(saved).unwrap();
        }
        let (x, y) = sample(k);
        soaked.step(&x, &y).unwrap();
    }
    assert_eq!(snapshot(&soaked), snapshot(&reference));
    assert_eq!(soaked.steps(), steps);
}

#[test]
fn hostile_calls_and_restores_change_nothing_over_a_long_run() {
    let steps = std::env::var("BACKPROP_SOAK_STEPS").map_or(100_000, |s| s.parse().unwrap());
    soak(steps);
}
