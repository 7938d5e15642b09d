//! Every out-of-range hyper-parameter of the schedules and clippers is refused with
//! `Error::InvalidHyperparameter` naming it (PyTorch's name), and nothing changes.

use backprop::{
    clip_grad_norm, clip_grad_value, CosineAnnealingLr, Error, ExponentialLr, LinearLr, LrSchedule,
    Mse, Neuron, Quantity, ReduceLrOnPlateau, Sgd, StepLr, Trainer,
};

/// The error for `name` = `value`, with the valid range its docs state.
fn invalid(name: &'static str, value: f64) -> Error {
    let expected = match name {
        "step_size" | "T_max" | "total_iters" => "a count of at least 1",
        "gamma" | "eta_min" | "threshold" | "min_lr" | "eps" | "lr" => "a finite number ≥ 0",
        "start_factor" => "a number in (0, 1]",
        "end_factor" => "a number in [0, 1]",
        "factor" => "a number in [0, 1)",
        "max_norm" | "clip_value" => "a number ≥ 0 (+∞ turns it off)",
        other => panic!("no documented range for {other}"),
    };
    Error::InvalidHyperparameter {
        name,
        value,
        expected,
    }
}

/// `validate` refuses the schedule, and a trainer refuses to take it.
fn assert_refused<S: LrSchedule<f64> + Send + Sync + 'static>(schedule: S, expected: Error) {
    assert_eq!(schedule.validate(), Err(expected.clone()));
    let trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    assert_eq!(trainer.schedule(schedule).unwrap_err(), expected);
}

#[test]
fn step_lr_step_size_zero() {
    assert_refused(StepLr::new(0, 0.5), invalid("step_size", 0.0));
}

#[test]
fn step_lr_negative_gamma() {
    assert_refused(StepLr::new(3, -0.5), invalid("gamma", -0.5));
}

#[test]
fn step_lr_infinite_gamma() {
    assert_refused(
        StepLr::new(3, f64::INFINITY),
        invalid("gamma", f64::INFINITY),
    );
}

#[test]
fn exponential_lr_negative_gamma() {
    assert_refused(ExponentialLr::new(-0.9), invalid("gamma", -0.9));
}

#[test]
fn exponential_lr_nan_gamma() {
    let e = ExponentialLr::new(f64::NAN).validate().unwrap_err();
    assert!(
        matches!(e, Error::InvalidHyperparameter { name: "gamma", value, .. } if value.is_nan())
    );
}

#[test]
fn cosine_t_max_zero() {
    assert_refused(CosineAnnealingLr::new(0, 0.0), invalid("T_max", 0.0));
}

#[test]
fn cosine_negative_eta_min() {
    assert_refused(CosineAnnealingLr::new(10, -1e-3), invalid("eta_min", -1e-3));
}

#[test]
fn linear_start_factor_zero() {
    assert_refused(LinearLr::new(0.0, 1.0, 5), invalid("start_factor", 0.0));
}

#[test]
fn linear_start_factor_above_one() {
    assert_refused(LinearLr::new(1.5, 1.0, 5), invalid("start_factor", 1.5));
}

#[test]
fn linear_end_factor_negative() {
    assert_refused(LinearLr::new(0.5, -0.1, 5), invalid("end_factor", -0.1));
}

#[test]
fn linear_end_factor_above_one() {
    assert_refused(LinearLr::new(0.5, 1.1, 5), invalid("end_factor", 1.1));
}

#[test]
fn linear_total_iters_zero() {
    assert_refused(LinearLr::new(0.5, 1.0, 0), invalid("total_iters", 0.0));
}

/// `validate`, `step` and the trainer refuse the settings; `step` leaves the state as it
/// was and hands back no rate.
fn assert_plateau_refused(plateau: ReduceLrOnPlateau<f64>, expected: Error) {
    assert_eq!(plateau.validate(), Err(expected.clone()));
    let mut stepped = plateau;
    assert_eq!(stepped.step(1.0, 0.1), Err(expected.clone()));
    assert_eq!(stepped, plateau);
    let trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    assert_eq!(trainer.reduce_lr_on_plateau(plateau).unwrap_err(), expected);
}

#[test]
fn plateau_factor_one() {
    // PyTorch: "Factor should be < 1.0."
    assert_plateau_refused(ReduceLrOnPlateau::new().factor(1.0), invalid("factor", 1.0));
}

#[test]
fn plateau_negative_factor() {
    assert_plateau_refused(
        ReduceLrOnPlateau::new().factor(-0.5),
        invalid("factor", -0.5),
    );
}

#[test]
fn plateau_negative_threshold() {
    let p = ReduceLrOnPlateau::new().threshold(-1e-4);
    assert_plateau_refused(p, invalid("threshold", -1e-4));
}

#[test]
fn plateau_negative_min_lr() {
    let p = ReduceLrOnPlateau::new().min_lr(-1.0);
    assert_plateau_refused(p, invalid("min_lr", -1.0));
}

#[test]
fn plateau_negative_eps() {
    assert_plateau_refused(ReduceLrOnPlateau::new().eps(-1e-8), invalid("eps", -1e-8));
}

#[test]
fn plateau_negative_lr() {
    let mut p = ReduceLrOnPlateau::new().patience(0);
    p.step(1.0, 0.1).unwrap();
    let before = p;
    assert_eq!(p.step(2.0, -0.1), Err(invalid("lr", -0.1)));
    assert_eq!(p, before);
}

#[test]
fn plateau_non_finite_metric_changes_nothing() {
    let mut p = ReduceLrOnPlateau::new().patience(0);
    p.step(1.0, 0.1).unwrap();
    let before = p;
    for metric in [f64::NAN, f64::NEG_INFINITY, f64::INFINITY] {
        let e = p.step(metric, 0.1).unwrap_err();
        assert_eq!(
            e,
            Error::NonFinite {
                what: Quantity::Metric,
                index: 0
            }
        );
        assert_eq!(p, before);
    }
}

#[test]
fn clip_grad_norm_negative_or_nan_max_norm_leaves_the_gradient() {
    let mut grads = [3.0, 4.0];
    assert_eq!(
        clip_grad_norm(&mut grads, -1.0),
        Err(invalid("max_norm", -1.0))
    );
    assert!(clip_grad_norm(&mut grads, f64::NAN).is_err());
    assert_eq!(grads, [3.0, 4.0]);
    let trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    assert_eq!(
        trainer.clip_grad_norm(-1.0).unwrap_err(),
        invalid("max_norm", -1.0)
    );
}

#[test]
fn clip_grad_value_negative_or_nan_clip_value_leaves_the_gradient() {
    let mut grads = [3.0, -4.0];
    assert_eq!(
        clip_grad_value(&mut grads, -1.0),
        Err(invalid("clip_value", -1.0))
    );
    assert!(clip_grad_value(&mut grads, f64::NAN).is_err());
    assert_eq!(grads, [3.0, -4.0]);
    let trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    assert_eq!(
        trainer.clip_grad_value(-0.5).unwrap_err(),
        invalid("clip_value", -0.5)
    );
}

fn plateau_trainer() -> Trainer<Neuron<f64>, Mse, Sgd<f64>, f64> {
    let plateau = ReduceLrOnPlateau::new().factor(0.5).patience(1);
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))
        .unwrap()
        .reduce_lr_on_plateau(plateau)
        .unwrap();
    trainer.end_epoch(Some(1.0)).unwrap(); // best = 1
    trainer.end_epoch(Some(1.0)).unwrap(); // one bad epoch: within patience
    trainer
}

#[test]
fn end_epoch_without_the_metric_a_plateau_needs_changes_nothing() {
    let mut trainer = plateau_trainer();
    assert_eq!(trainer.end_epoch(None), Err(Error::MissingMetric));
    assert_eq!(trainer.optimizer().learning_rate(), 0.1);
    // The refused epoch did not count as bad: one more bad epoch reaches the reduction
    // only now (two bad epochs > patience 1).
    assert_eq!(trainer.end_epoch(Some(1.0)), Ok(0.05));
}

#[test]
fn end_epoch_with_a_nan_metric_changes_nothing() {
    let mut trainer = plateau_trainer();
    let e = trainer.end_epoch(Some(f64::NAN)).unwrap_err();
    assert_eq!(
        e,
        Error::NonFinite {
            what: Quantity::Metric,
            index: 0
        }
    );
    assert_eq!(trainer.optimizer().learning_rate(), 0.1);
    // PyTorch would have counted the NaN as a second bad epoch and reduced already.
    assert_eq!(trainer.end_epoch(Some(0.5)), Ok(0.1));
}

#[test]
fn end_epoch_refuses_a_schedule_that_overflows_and_keeps_the_epoch() {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))
        .unwrap()
        .schedule(ExponentialLr::new(1e200))
        .unwrap();
    let first = trainer.end_epoch(None).unwrap();
    assert_eq!(first, 0.1 * 1e200);
    let e = trainer.end_epoch(None).unwrap_err();
    assert!(
        matches!(e, Error::InvalidHyperparameter { name: "lr", value, .. } if value.is_infinite())
    );
    assert_eq!(trainer.optimizer().learning_rate(), first);
    assert_eq!(trainer.schedule_epoch(), 1);
}
