//! The trainer's optional clipping and schedule do exactly what doing them by hand does.

// `Optimizer::group` takes a list of ranges; a list of one is meant.
#![allow(clippy::single_range_in_vec_init)]

use backprop::{
    CosineAnnealingLr, ExponentialLr, LinearLr, LrSchedule, Model, Mse, Neuron, ReduceLrOnPlateau,
    Sgd, StepLr, Trainer,
};

const INPUTS: [f64; 6] = [1.0, -2.0, 0.5, /* second sample */ 3.0, 0.25, -1.5];
const TARGETS: [f64; 2] = [4.0, -6.0];
const LR: f64 = 0.05;

fn neuron() -> Neuron<f64> {
    Neuron::from_weights(vec![0.3, -0.7, 1.1]).with_bias(0.2)
}

/// The raw gradient at `params`, from an unclipped trainer (which the other tests check).
fn raw_gradient(params: &[f64]) -> Vec<f64> {
    let mut model = neuron();
    model.params_mut().copy_from_slice(params);
    let mut plain = Trainer::new(model, Mse, Sgd::new(LR)).unwrap();
    plain.step_batch(&INPUTS, &TARGETS).unwrap();
    plain.gradients().to_vec()
}

#[test]
fn clipping_by_norm_changes_the_step_exactly_as_clip_then_sgd_by_hand() {
    for max_norm in [0.5, 3.0, 1e6] {
        let mut trainer = Trainer::new(neuron(), Mse, Sgd::new(LR))
            .unwrap()
            .clip_grad_norm(max_norm)
            .unwrap();
        for _ in 0..5 {
            let before = trainer.model().params().to_vec();
            let mut g = raw_gradient(&before);
            // PyTorch's rule, written out: clip_coef = max_norm / (‖g‖ + 1e-6), at most 1.
            let norm = g.iter().map(|x| x * x).sum::<f64>().sqrt();
            let coef = max_norm / (norm + 1e-6);
            if coef < 1.0 {
                g.iter_mut().for_each(|x| *x *= coef);
            }
            trainer.step_batch(&INPUTS, &TARGETS).unwrap();
            assert_eq!(trainer.grad_norm(), Some(norm));
            assert_eq!(
                trainer.gradients(),
                &g[..],
                "gradients() reports the clipped one"
            );
            let expected: Vec<f64> = before.iter().zip(&g).map(|(p, g)| p - LR * g).collect();
            assert_eq!(trainer.model().params(), &expected[..]);
        }
    }
}

#[test]
fn clipping_by_value_changes_the_step_exactly_as_clamp_then_sgd_by_hand() {
    let mut trainer = Trainer::new(neuron(), Mse, Sgd::new(LR))
        .unwrap()
        .clip_grad_value(2.0)
        .unwrap();
    let mut clamped_some = false;
    for _ in 0..5 {
        let before = trainer.model().params().to_vec();
        let raw = raw_gradient(&before);
        let g: Vec<f64> = raw.iter().map(|x| x.clamp(-2.0, 2.0)).collect();
        clamped_some |= g != raw;
        trainer.step_batch(&INPUTS, &TARGETS).unwrap();
        assert_eq!(trainer.grad_norm(), None);
        assert_eq!(trainer.gradients(), &g[..]);
        let expected: Vec<f64> = before.iter().zip(&g).map(|(p, g)| p - LR * g).collect();
        assert_eq!(trainer.model().params(), &expected[..]);
    }
    assert!(clamped_some, "the test exercises clamping");
}

#[test]
fn the_last_clipping_set_is_the_one_used() {
    let mut trainer = Trainer::new(neuron(), Mse, Sgd::new(LR))
        .unwrap()
        .clip_grad_value(1e-3)
        .unwrap()
        .clip_grad_norm(1e6)
        .unwrap();
    let raw = raw_gradient(trainer.model().params());
    trainer.step_batch(&INPUTS, &TARGETS).unwrap();
    assert_eq!(trainer.gradients(), &raw[..]);
}

/// One step per epoch; the rate in force during each epoch is what the schedule says, and
/// the step uses it.
fn check_schedule<S: LrSchedule<f64> + Clone + Send + Sync + 'static>(schedule: S) {
    let mut trainer = Trainer::new(neuron(), Mse, Sgd::new(LR))
        .unwrap()
        .schedule(schedule.clone())
        .unwrap();
    for epoch in 0..35 {
        let lr = schedule.learning_rate(LR, epoch);
        assert_eq!(trainer.schedule_epoch(), epoch);
        assert_eq!(trainer.optimizer().learning_rate(), lr);
        let before = trainer.model().params().to_vec();
        let g = raw_gradient(&before);
        trainer.step_batch(&INPUTS, &TARGETS).unwrap();
        let expected: Vec<f64> = before.iter().zip(&g).map(|(p, g)| p - lr * g).collect();
        assert_eq!(trainer.model().params(), &expected[..]);
        let next = trainer.end_epoch(None).unwrap();
        assert_eq!(next, schedule.learning_rate(LR, epoch + 1));
    }
}

#[test]
fn a_schedule_sets_each_epochs_rate_as_its_function_says() {
    check_schedule(StepLr::new(4, 0.5));
    check_schedule(ExponentialLr::new(0.9));
    check_schedule(CosineAnnealingLr::new(10, 0.001));
    check_schedule(LinearLr::new(0.1, 1.0, 5));
}

#[test]
fn a_warm_up_lowers_the_rate_as_soon_as_it_is_set() {
    let trainer = Trainer::new(neuron(), Mse, Sgd::new(0.4))
        .unwrap()
        .schedule(LinearLr::new(0.25, 1.0, 4))
        .unwrap();
    assert_eq!(trainer.optimizer().learning_rate(), 0.1); // as PyTorch's constructor
}

#[test]
fn reduce_lr_on_plateau_in_the_trainer_is_the_standalone_one() {
    let settings = ReduceLrOnPlateau::new().factor(0.5).patience(1).cooldown(1);
    let mut trainer = Trainer::new(neuron(), Mse, Sgd::new(LR))
        .unwrap()
        .reduce_lr_on_plateau(settings)
        .unwrap();
    let mut standalone = settings;
    let mut lr = LR;
    for metric in [5.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.5, 3.5, 3.5, 3.5, 3.5] {
        trainer.step_batch(&INPUTS, &TARGETS).unwrap();
        lr = standalone.step(metric, lr).unwrap();
        assert_eq!(trainer.end_epoch(Some(metric)).unwrap(), lr);
        assert_eq!(trainer.optimizer().learning_rate(), lr);
    }
    assert!(lr < LR / 4.0, "the test exercises reductions: {lr}");
}

#[test]
fn a_trainer_with_a_schedule_can_cross_threads() {
    fn assert_send_sync<X: Send + Sync + Clone>(_: &X) {}
    let trainer = Trainer::new(neuron(), Mse, Sgd::new(LR))
        .unwrap()
        .schedule(StepLr::new(2, 0.5))
        .unwrap();
    assert_send_sync(&trainer);
}

#[test]
fn without_a_schedule_end_epoch_keeps_the_rate() {
    let mut trainer = Trainer::new(neuron(), Mse, Sgd::new(LR)).unwrap();
    assert_eq!(trainer.end_epoch(Some(1.0)), Ok(LR));
    assert_eq!(trainer.end_epoch(None), Ok(LR));
    assert_eq!(trainer.schedule_epoch(), 0);
}

/// ReduceLROnPlateau reduces every parameter group's rate from its own, as PyTorch's
/// `_reduce_lr` does, each floored at `min_lr` and left alone when the cut is below eps.
#[test]
fn a_plateau_reduces_every_groups_rate_from_its_own() {
    let neuron = Neuron::new(0.7).with_bias(0.0); // [w, b]
    let sgd = Sgd::new(0.1).group([1..2], |g| g.lr(0.4));
    let plateau = ReduceLrOnPlateau::new()
        .factor(0.5)
        .patience(0)
        .min_lr(0.04);
    let mut trainer = Trainer::new(neuron, Mse, sgd)
        .unwrap()
        .reduce_lr_on_plateau(plateau)
        .unwrap();
    let rates = |t: &Trainer<Neuron<f64>, Mse, Sgd<f64>, f64>| {
        let o = t.optimizer();
        (o.learning_rate(), o.groups()[0].learning_rate())
    };
    assert_eq!(trainer.end_epoch(Some(1.0)).unwrap(), 0.1); // the first metric is the best
    assert_eq!(rates(&trainer), (0.1, 0.4));
    assert_eq!(trainer.end_epoch(Some(1.0)).unwrap(), 0.05);
    assert_eq!(rates(&trainer), (0.05, 0.2));
    trainer.end_epoch(Some(1.0)).unwrap();
    assert_eq!(rates(&trainer), (0.04, 0.1)); // max(0.025, min_lr)
    trainer.end_epoch(Some(1.0)).unwrap();
    assert_eq!(rates(&trainer), (0.04, 0.05)); // at min_lr already; the group goes on
}
