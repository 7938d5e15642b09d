//! `restore` refuses a checkpoint of another optimizer configuration or schedule (naming
//! what differs), and one whose optimizer state its rule can never produce (issue 13,
//! findings 4 and 5): each such checkpoint used to restore, and the trainer then either
//! changed its update rule silently or failed every later step.
//!
//! The impossible states are written by editing a genuine checkpoint's JSON (feature
//! `serde`); the configuration tests run in memory.

use backprop::{
    Adagrad, Adam, AdamW, Checkpoint, CheckpointFault, Error, Momentum, Mse, Neuron, Optimizer,
    RmsProp, Sgd, StepLr, Trainer, UpdateRule, WeightDecay,
};

type Lecture<R> = Trainer<Neuron<f64>, Mse, R, f64>;

/// The lecture's neuron after three steps of `optimizer`.
fn trained<R: UpdateRule<f64>>(optimizer: Optimizer<f64, R>) -> Lecture<R> {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, optimizer).unwrap();
    for _ in 0..3 {
        trainer.step(&[1.2], &[0.4]).unwrap();
    }
    trainer
}

/// `restore` refuses `checkpoint` for `reason`, and the trainer's next step is that of
/// an untouched copy.
fn assert_refused<R>(
    trainer: &mut Lecture<R>,
    checkpoint: Checkpoint<Neuron<f64>, R, f64>,
    reason: CheckpointFault,
) where
    R: UpdateRule<f64> + Clone + PartialEq + core::fmt::Debug,
{
    let mut untouched = trainer.clone();
    assert_eq!(
        trainer.restore(checkpoint),
        Err(Error::InvalidCheckpoint { reason })
    );
    assert_eq!(trainer.optimizer(), untouched.optimizer());
    trainer.step(&[1.2], &[0.4]).unwrap();
    untouched.step(&[1.2], &[0.4]).unwrap();
    assert_eq!(trainer.model().params(), untouched.model().params());
}

fn configuration(what: &'static str) -> CheckpointFault {
    CheckpointFault::Configuration { what }
}

#[test]
fn a_checkpoint_with_amsgrad_flipped_is_refused_by_name() {
    let saved = trained(Adam::new(0.1).amsgrad(true)).checkpoint();
    let mut trainer = trained(Adam::new(0.1));
    // The state lengths differ too (3 blocks against 2): the rule is named first.
    assert_refused(&mut trainer, saved, configuration("amsgrad"));
}

#[test]
fn a_checkpoint_with_decoupled_weight_decay_is_refused_by_name() {
    let saved = trained(AdamW::new(0.1)).checkpoint();
    let mut trainer = trained(Adam::new(0.1).weight_decay(WeightDecay::L2(0.01)));
    assert_refused(&mut trainer, saved, configuration("weight_decay"));
}

#[test]
fn every_hyper_parameter_of_every_rule_is_compared() {
    let saved = trained(Adam::new(0.1).betas(0.8, 0.999)).checkpoint();
    assert_refused(&mut trained(Adam::new(0.1)), saved, configuration("betas"));
    let saved = trained(Adam::new(0.1).eps(1e-6)).checkpoint();
    assert_refused(&mut trained(Adam::new(0.1)), saved, configuration("eps"));
    let classic = || Sgd::new(0.1).momentum(Momentum::Classic(0.9));
    let saved = trained(Sgd::new(0.1).momentum(Momentum::Nesterov(0.9))).checkpoint();
    assert_refused(&mut trained(classic()), saved, configuration("nesterov"));
    let saved = trained(Sgd::new(0.1).momentum(Momentum::Classic(0.5))).checkpoint();
    assert_refused(&mut trained(classic()), saved, configuration("momentum"));
    let saved = trained(Sgd::new(0.1).dampening(0.5)).checkpoint();
    assert_refused(
        &mut trained(Sgd::new(0.1)),
        saved,
        configuration("dampening"),
    );
    let saved = trained(Sgd::new(0.1).maximize(true)).checkpoint();
    assert_refused(
        &mut trained(Sgd::new(0.1)),
        saved,
        configuration("maximize"),
    );
    let saved = trained(RmsProp::new(0.01).centered(true)).checkpoint();
    let mut trainer = trained(RmsProp::new(0.01));
    assert_refused(&mut trainer, saved, configuration("centered"));
    let saved = trained(RmsProp::new(0.01).alpha(0.9)).checkpoint();
    assert_refused(
        &mut trained(RmsProp::new(0.01)),
        saved,
        configuration("alpha"),
    );
    let saved = trained(Adagrad::new(0.1).lr_decay(0.1)).checkpoint();
    assert_refused(
        &mut trained(Adagrad::new(0.1)),
        saved,
        configuration("lr_decay"),
    );
}

#[test]
fn the_learning_rate_is_state_not_configuration() {
    // A schedule or the user changes the rate between steps: a checkpoint carries it.
    let mut source = trained(Adam::new(0.1));
    source.optimizer_mut().set_learning_rate(0.05).unwrap();
    let mut trainer = trained(Adam::new(0.1));
    trainer.restore(source.checkpoint()).unwrap();
    assert_eq!(trainer.optimizer().learning_rate(), 0.05);
}

#[test]
fn a_checkpoint_of_another_schedule_formula_is_refused() {
    let with = |schedule: StepLr<f64>| {
        let mut trainer = trained(Sgd::new(0.1)).schedule(schedule).unwrap();
        trainer.end_epoch(None).unwrap();
        trainer
    };
    let saved = with(StepLr::new(1, 0.5)).checkpoint();
    let mut trainer = with(StepLr::new(100, 0.9));
    assert_refused(&mut trainer, saved, configuration("schedule"));
    // The same formula restores, and continues at the saved epoch's rate.
    let mut same = with(StepLr::new(1, 0.5));
    same.restore(with(StepLr::new(1, 0.5)).checkpoint())
        .unwrap();
    assert_eq!(same.end_epoch(None).unwrap(), 0.1 * 0.5 * 0.5);
}

#[cfg(feature = "serde")]
mod impossible_state {
    use super::*;
    use serde_json::{json, Value};

    /// `trainer`'s checkpoint with state value `index` set to `value`, through JSON.
    fn edited<R>(trainer: &Lecture<R>, index: usize, value: f64) -> Checkpoint<Neuron<f64>, R, f64>
    where
        R: UpdateRule<f64> + Clone + serde::Serialize + serde::de::DeserializeOwned,
    {
        let mut json: Value = serde_json::to_value(trainer.checkpoint()).unwrap();
        json["optimizer"]["state"][index] = json!(value);
        serde_json::from_value(json).unwrap()
    }

    fn impossible(what: &'static str, index: usize) -> CheckpointFault {
        CheckpointFault::ImpossibleState { what, index }
    }

    #[test]
    fn adam_with_a_negative_second_moment_is_refused() {
        // one parameter: state [m, v]
        let trainer = trained(Adam::new(0.1));
        let saved = edited(&trainer, 1, -1.0);
        assert_refused(&mut trainer.clone(), saved, impossible("exp_avg_sq", 1));
    }

    #[test]
    fn amsgrad_with_a_maximum_below_its_moment_is_refused() {
        // state [m, v, v_max]; v_max ≥ v ≥ 0 in any run
        let trainer = trained(Adam::new(0.1).amsgrad(true));
        let v = trainer.optimizer().state()[1];
        let saved = edited(&trainer, 2, v / 2.0);
        assert_refused(&mut trainer.clone(), saved, impossible("max_exp_avg_sq", 2));
        let saved = edited(&trainer, 1, -1.0);
        assert_refused(&mut trainer.clone(), saved, impossible("exp_avg_sq", 1));
    }

    #[test]
    fn rmsprop_with_a_negative_square_average_is_refused() {
        // centered with momentum: state [v, buffer, ḡ]
        let trainer = trained(RmsProp::new(0.01).momentum(0.9).centered(true));
        let saved = edited(&trainer, 0, -1.0);
        assert_refused(&mut trainer.clone(), saved, impossible("square_avg", 0));
        // A negative momentum buffer or gradient average is possible: accepted.
        let mut restored = trainer.clone();
        restored.restore(edited(&trainer, 1, -1.0)).unwrap();
        restored.restore(edited(&trainer, 2, -1.0)).unwrap();
    }

    #[test]
    fn adagrad_with_a_sum_below_its_start_is_refused() {
        let trainer = trained(Adagrad::new(0.1).initial_accumulator_value(0.5));
        let saved = edited(&trainer, 0, 0.25);
        assert_refused(&mut trainer.clone(), saved, impossible("sum", 0));
        let trainer = trained(Adagrad::new(0.1));
        let saved = edited(&trainer, 0, -1.0);
        assert_refused(&mut trainer.clone(), saved, impossible("sum", 0));
    }

    #[test]
    fn the_states_a_run_produces_are_accepted() {
        // Exactly at the bounds: v = 0 (zero gradients) and v_max = v.
        let mut trainer =
            Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1).amsgrad(true)).unwrap();
        trainer.step(&[0.0], &[0.0]).unwrap(); // x = 0: the gradient is 0
        assert_eq!(trainer.optimizer().state(), &[0.0, 0.0, 0.0]);
        trainer.clone().restore(trainer.checkpoint()).unwrap();
    }
}
