//! `Trainer::fit`: early stopping counts exactly `patience` bad epochs, the observer sees
//! what a hand-written loop sees, stopping from the observer works, errors propagate.

use std::cell::RefCell;
use std::collections::VecDeque;

use allocation_counter::measure;
use backprop::{
    Activation, Control, EarlyStopping, Epochs, Error, Event, Fit, Loss, Mse, Network, Quantity,
    Sgd, StepLr, StopReason, Trainer,
};

/// Mse for training, but `value` (which only validation calls) replays a script: the
/// validation loss of epoch `e` is `script[e]` for a validation set of one row.
///
/// `fit` evaluates the validation set once before training too (to refuse a loss that
/// could never be monitored); that evaluation sees `script[0]` as well.
struct ScriptedValidation {
    script: RefCell<VecDeque<f64>>,
}

impl ScriptedValidation {
    fn new(script: &[f64]) -> Self {
        let before_training = script.first().copied();
        Self {
            script: RefCell::new(
                before_training
                    .into_iter()
                    .chain(script.iter().copied())
                    .collect(),
            ),
        }
    }
}

impl Loss<f64> for ScriptedValidation {
    fn value(&self, _prediction: &[f64], _target: &[f64]) -> f64 {
        self.script
            .borrow_mut()
            .pop_front()
            .expect("script too short")
    }

    fn gradient(&self, prediction: &[f64], target: &[f64], grad: &mut [f64]) -> f64 {
        Mse.gradient(prediction, target, grad)
    }
}

fn net() -> Network<f64> {
    Network::builder(1)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(5)
        .build()
        .unwrap()
}

const XS: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];
const YS: [f64; 5] = [0.2, -0.1, 0.0, 0.3, 0.5];

fn scripted_fit(
    script: &[f64],
    stopper: EarlyStopping<f64>,
) -> (backprop::FitSummary<f64>, Vec<bool>) {
    let mut trainer = Trainer::new(net(), ScriptedValidation::new(script), Sgd::new(0.05)).unwrap();
    let (vx, vy) = ([0.25], [0.1]);
    let mut fit = Fit::new(Epochs::new(2), 100)
        .validation(&vx, &vy)
        .early_stopping(stopper);
    let mut improved = vec![];
    let summary = trainer
        .fit_observed(&mut fit, &XS, &YS, |event| {
            if let Event::Epoch { improved: i, .. } = *event {
                improved.push(i);
            }
            Control::Continue
        })
        .unwrap();
    (summary, improved)
}

#[test]
fn early_stopping_stops_after_exactly_patience_bad_epochs() {
    // best 0.8 at epoch 1; 0.85, 0.8 (not below 0.8 − 0.01) and 0.795 are bad: stop at 4.
    let script = [1.0, 0.8, 0.85, 0.8, 0.795, 0.1, 0.1, 0.1];
    let (summary, improved) = scripted_fit(&script, EarlyStopping::new(3).min_delta(0.01));
    assert_eq!(summary.stopped, StopReason::EarlyStopping);
    assert_eq!(summary.epochs, 5);
    assert_eq!(improved, [true, true, false, false, false]);
    assert_eq!(summary.best_epoch, Some(1));
    assert_eq!(summary.best_validation_loss, Some(0.795)); // the lowest, improvement or not
    assert_eq!(summary.steps, 5 * 3);

    // Without min_delta, 0.795 improves and resets the count: bad at 5, 6, 7.
    let script = [1.0, 0.8, 0.85, 0.8, 0.795, 0.9, 0.795, 0.9, 0.1];
    let (summary, improved) = scripted_fit(&script, EarlyStopping::new(3));
    assert_eq!(summary.stopped, StopReason::EarlyStopping);
    assert_eq!(summary.epochs, 8);
    assert_eq!(
        improved,
        [true, true, false, false, true, false, false, false]
    );
    assert_eq!(summary.best_epoch, Some(4));
}

#[test]
fn early_stopping_rule_alone_counts_bad_epochs() {
    let mut stopper = EarlyStopping::new(2);
    let verdicts: Vec<(bool, bool)> = [3.0, 2.0, 2.0, 1.0, 1.5, 1.0]
        .into_iter()
        .map(|loss| {
            let v = stopper.update(loss).unwrap();
            (v.improved, v.stop)
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            (true, false),
            (true, false),
            (false, false),
            (true, false),
            (false, false),
            (false, true)
        ]
    );
    assert_eq!(stopper.best(), Some(1.0));
    assert_eq!(stopper.bad_epochs(), 2);
}

#[test]
fn restore_best_puts_back_the_parameters_of_the_best_epoch() {
    let script = [1.0, 0.5, 0.7, 0.7, 0.1];
    let mut trainer =
        Trainer::new(net(), ScriptedValidation::new(&script), Sgd::new(0.05)).unwrap();
    let (vx, vy) = ([0.25], [0.1]);
    let mut fit = Fit::new(Epochs::new(2).shuffle(9), 100)
        .validation(&vx, &vy)
        .early_stopping(EarlyStopping::new(2).restore_best(true));
    let summary = trainer.fit(&mut fit, &XS, &YS).unwrap();
    assert_eq!((summary.epochs, summary.best_epoch), (4, Some(1)));
    assert!(summary.restored_best);

    // The same two epochs by hand: same data, same shuffle seed, same optimizer.
    let mut by_hand = Trainer::new(net(), Mse, Sgd::new(0.05)).unwrap();
    let mut epochs = Epochs::new(2).shuffle(9);
    for _ in 0..2 {
        epochs.run(&mut by_hand, &XS, &YS).unwrap();
    }
    assert_eq!(trainer.model().params(), by_hand.model().params());
    assert_eq!(trainer.steps(), 4 * 3); // the steps themselves are not undone
}

/// One line per event, to compare a `fit` with a hand-written loop.
#[derive(Debug, PartialEq)]
enum Seen {
    Step(usize, usize, u64, f64, f64),
    Epoch(usize, u64, f64, f64),
}

#[test]
fn the_observer_sees_what_a_hand_written_loop_computes() {
    let trainer = || {
        Trainer::new(net(), Mse, Sgd::new(0.1))
            .unwrap()
            .schedule(StepLr::new(2, 0.5))
            .unwrap()
    };
    let mut fitted = trainer();
    let mut seen = vec![];
    let summary = fitted
        .fit_observed(&mut Fit::new(Epochs::new(2), 5), &XS, &YS, |event| {
            seen.push(match *event {
                Event::Step {
                    epoch,
                    batch,
                    step,
                    loss,
                    lr,
                    ..
                } => Seen::Step(epoch, batch, step, loss, lr),
                Event::Epoch {
                    epoch,
                    step,
                    loss,
                    lr,
                    validation_loss,
                    ..
                } => {
                    assert_eq!(validation_loss, None);
                    Seen::Epoch(epoch, step, loss, lr)
                }
                _ => unreachable!(),
            });
            Control::Continue
        })
        .unwrap();

    let mut by_hand = trainer();
    let mut expected = vec![];
    for epoch in 0..5 {
        let lr = by_hand.optimizer().learning_rate();
        let mut weighted = 0.0;
        for (batch, start) in [0, 2, 4].into_iter().enumerate() {
            let end = (start + 2).min(5);
            let step = by_hand
                .step_batch(&XS[start..end], &YS[start..end])
                .unwrap();
            weighted += step.loss * (end - start) as f64;
            expected.push(Seen::Step(epoch, batch, by_hand.steps(), step.loss, lr));
        }
        expected.push(Seen::Epoch(epoch, by_hand.steps(), weighted / 5.0, lr));
        by_hand.end_epoch(None).unwrap();
    }
    assert_eq!(seen, expected);
    let rates: Vec<f64> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Epoch(_, _, _, lr) => Some(*lr),
            _ => None,
        })
        .collect();
    assert_eq!(rates, [0.1, 0.1, 0.05, 0.05, 0.025]); // StepLr(2, 0.5) from 0.1
    assert_eq!(summary.stopped, StopReason::MaxEpochs);
    assert_eq!((summary.epochs, summary.steps), (5, 15));
    assert_eq!(fitted.model().params(), by_hand.model().params());
}

#[test]
fn the_observer_can_stop_after_a_step() {
    let mut trainer = Trainer::new(net(), Mse, Sgd::new(0.1)).unwrap();
    let mut epochs_ended = 0;
    let summary = trainer
        .fit_observed(
            &mut Fit::new(Epochs::new(2), 50),
            &XS,
            &YS,
            |event| match *event {
                Event::Step {
                    epoch: 1, batch: 1, ..
                } => Control::Stop,
                Event::Epoch { .. } => {
                    epochs_ended += 1;
                    Control::Continue
                }
                _ => Control::Continue,
            },
        )
        .unwrap();
    assert_eq!(summary.stopped, StopReason::Observer);
    assert_eq!((summary.epochs, epochs_ended), (1, 1)); // epoch 1 did not end
    assert_eq!((summary.steps, trainer.steps()), (5, 5)); // 3 + 2
}

#[test]
fn the_observer_can_stop_after_an_epoch() {
    let mut trainer = Trainer::new(net(), Mse, Sgd::new(0.1)).unwrap();
    let summary = trainer
        .fit_observed(
            &mut Fit::new(Epochs::new(5), 50),
            &XS,
            &YS,
            |event| match *event {
                Event::Epoch { epoch: 6, .. } => Control::Stop,
                _ => Control::Continue,
            },
        )
        .unwrap();
    assert_eq!(summary.stopped, StopReason::Observer);
    assert_eq!((summary.epochs, summary.steps), (7, 7));
}

#[test]
fn errors_propagate_and_bad_configurations_change_nothing() {
    let mut trainer = Trainer::new(net(), Mse, Sgd::new(0.1)).unwrap();
    let before = trainer.model().params().to_vec();

    let (vx, vy) = ([0.25, 0.5], [0.1]);
    let mut fit = Fit::new(Epochs::new(2), 3).validation(&vx, &vy);
    let refused = trainer.fit(&mut fit, &XS, &YS).unwrap_err();
    assert_eq!(
        refused,
        Error::LengthMismatch {
            what: Quantity::Target,
            expected: 2,
            actual: 1
        }
    );

    let mut fit = Fit::new(Epochs::new(2), 3).early_stopping(EarlyStopping::new(0));
    let refused = trainer.fit(&mut fit, &XS, &YS).unwrap_err();
    assert_eq!(
        refused,
        Error::InvalidHyperparameter {
            name: "patience",
            value: 0.0,
            expected: "a count of at least 1",
        }
    );

    let mut fit = Fit::new(Epochs::new(2), 3).early_stopping(EarlyStopping::new(1).min_delta(-1.0));
    let refused = trainer.fit(&mut fit, &XS, &YS).unwrap_err();
    assert_eq!(
        refused,
        Error::InvalidHyperparameter {
            name: "min_delta",
            value: -1.0,
            expected: "a finite number ≥ 0",
        }
    );

    let refused = trainer.fit(&mut Fit::new(Epochs::new(2), 3), &XS, &YS[..4]);
    assert!(matches!(
        refused,
        Err(Error::LengthMismatch {
            what: Quantity::Target,
            ..
        })
    ));
    // Validation targets whose loss overflows at the starting parameters: (ŷ − 1e300)²
    // is infinite, so there is nothing to monitor; refused before any step.
    let (vx, vy) = ([0.25, 0.5], [1e300, 0.0]);
    let mut fit = Fit::new(Epochs::new(2), 3).validation(&vx, &vy);
    let refused = trainer.fit(&mut fit, &XS, &YS).unwrap_err();
    assert_eq!(
        refused,
        Error::NonFinite {
            what: Quantity::Metric,
            index: 0
        }
    );
    assert_eq!(trainer.model().params(), &before[..]);
    assert_eq!(trainer.steps(), 0);

    // A learning rate far too large: the step that would diverge is refused mid-training.
    let mut wild = Trainer::new(net(), Mse, Sgd::new(1e300)).unwrap();
    let refused = wild.fit(&mut Fit::new(Epochs::new(2), 10), &XS, &YS);
    assert!(
        matches!(refused, Err(Error::Diverged { .. })),
        "{refused:?}"
    );
}

#[test]
fn fitting_allocates_nothing_after_warm_up() {
    let mut trainer = Trainer::new(net(), Mse, Sgd::new(0.05)).unwrap();
    let (vx, vy) = ([0.25, -0.75], [0.1, -0.2]);
    let mut fit = Fit::new(Epochs::new(2).shuffle(3), 5)
        .validation(&vx, &vy)
        .early_stopping(EarlyStopping::new(1000).restore_best(true));
    let mut last = 0.0;
    trainer.fit(&mut fit, &XS, &YS).unwrap();
    let counted = measure(|| {
        // the buffers of the trainer, the epochs and the fit were sized by the first call
        let summary = trainer
            .fit_observed(&mut fit, &XS, &YS, |event| {
                if let Event::Step { loss, .. } = *event {
                    last = loss;
                }
                Control::Continue
            })
            .unwrap();
        assert_eq!(summary.epochs, 5);
    });
    assert_eq!(counted.count_total, 0);
    assert!(last > 0.0);
}
