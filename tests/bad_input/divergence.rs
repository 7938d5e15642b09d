//! A step whose update would make a parameter non-finite is undone completely: the
//! parameters, the optimizer's state and its step count are as before, so training goes
//! on exactly as if the step had never been tried.

use backprop::{
    Activation, Adagrad, Adam, AdamW, Error, Lbfgs, LineSearch, Mae, Momentum, Mse, Network,
    Neuron, Optimizer, Quantity, RmsProp, Sgd, Trainer, UpdateRule, WeightDecay,
};

/// Trains the lecture for `good` steps, then tries one step with a learning rate so large
/// that the update overflows, then `after` more steps at the original rate; returns the
/// final weight and the error of the huge step.
fn interrupted<O: UpdateRule<f64> + Clone>(
    optimizer: Optimizer<f64, O>,
    good: usize,
    after: usize,
) -> (f64, Error) {
    let lr = optimizer.learning_rate();
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, optimizer).unwrap();
    for _ in 0..good {
        trainer.step(&[1.2], &[0.4]).unwrap();
    }
    let params = trainer.model().params().to_vec();
    let state = trainer.optimizer().state().to_vec();
    let steps = trainer.optimizer().step_count();

    trainer.optimizer_mut().set_learning_rate(f64::MAX).unwrap();
    let error = trainer.step(&[1.2], &[0.4]).unwrap_err();
    assert_eq!(trainer.model().params(), params.as_slice());
    assert_eq!(trainer.optimizer().state(), state.as_slice());
    assert_eq!(trainer.optimizer().step_count(), steps);

    trainer.optimizer_mut().set_learning_rate(lr).unwrap();
    for _ in 0..after {
        trainer.step(&[1.2], &[0.4]).unwrap();
    }
    (trainer.model().weights()[0], error)
}

/// The same optimizer trained `steps` times without interruption.
fn uninterrupted<O: UpdateRule<f64>>(optimizer: Optimizer<f64, O>, steps: usize) -> f64 {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, optimizer).unwrap();
    for _ in 0..steps {
        trainer.step(&[1.2], &[0.4]).unwrap();
    }
    trainer.model().weights()[0]
}

fn assert_undone<O: UpdateRule<f64> + Clone>(optimizer: Optimizer<f64, O>) {
    for good in [0, 3] {
        let (weight, error) = interrupted(optimizer.clone(), good, 4);
        assert_eq!(
            error,
            Error::Diverged {
                step: good as u64,
                what: Quantity::Parameters
            }
        );
        let expected = uninterrupted(optimizer.clone(), good + 4);
        assert_eq!(
            weight.to_bits(),
            expected.to_bits(),
            "after {good} good steps"
        );
    }
}

#[test]
fn sgd_with_momentum_is_rolled_back_with_its_buffer() {
    assert_undone(
        Sgd::new(0.1)
            .momentum(Momentum::Classic(0.9))
            .dampening(0.1),
    );
}

#[test]
fn rmsprop_is_rolled_back_with_every_buffer() {
    // v = (1 − α)·g² makes the first update lr·g/√v = 10·lr: it overflows at lr = MAX.
    assert_undone(RmsProp::new(0.01).momentum(0.5).centered(true));
}

#[test]
fn adam_is_rolled_back_with_its_moments() {
    // step_size = lr/(1 − β₁) overflows at lr = MAX, and with it the parameter.
    assert_undone(Adam::new(0.1));
    assert_undone(AdamW::new(0.1).amsgrad(true));
}

/// Adam, Adagrad and RMSprop write their new state beside the old one and keep the old
/// one when a step is refused: on a model wide enough for the vectorised update, after a
/// refused step (the first or a later one), the state in force is the old one and the run
/// goes on bit for bit as one that never tried it.
#[test]
fn a_rule_updating_out_of_place_keeps_its_old_state_when_a_wide_step_is_refused() {
    // (Adagrad's step is at most lr per parameter, so lr = MAX cannot overflow it; its
    // new state is checked against the in-place update below.)
    wide_step_is_undone(Adam::new(0.01));
    wide_step_is_undone(AdamW::new(0.01));
    wide_step_is_undone(RmsProp::new(0.01));
    wide_step_is_undone(RmsProp::new(0.01).momentum(0.5));
    wide_step_is_undone(RmsProp::new(0.01).centered(true));
    wide_step_is_undone(RmsProp::new(0.01).momentum(0.5).centered(true));
}

/// Three rows for a 3-40-2 network: its 242 parameters are past the 64 below which the
/// optimizers' loops run on narrow vectors.
const WIDE_INPUTS: [f64; 9] = [0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 0.1, 0.3, -0.2];
const WIDE_TARGETS: [f64; 6] = [1.2, -0.4, -2.0, 0.3, 0.8, -1.1];

fn wide_network() -> Network<f64> {
    Network::builder(3)
        .dense(40, Activation::Tanh)
        .dense(2, Activation::Identity)
        .seed(3)
        .build()
        .unwrap()
}

/// The same rule run in place (a rule of the user's own that only forwards `update`, so
/// the optimizer copies, updates and checks) gives the same parameters and state, bit for
/// bit, as the built-in rule updating out of place.
#[test]
fn out_of_place_updates_give_the_bits_of_the_in_place_ones() {
    same_bits_in_place(Adam::new(0.01));
    same_bits_in_place(AdamW::new(0.01));
    same_bits_in_place(
        Adam::new(0.01)
            .weight_decay(WeightDecay::L2(0.1))
            .maximize(true),
    );
    same_bits_in_place(Adagrad::new(0.01).weight_decay(WeightDecay::L2(0.1)));
    same_bits_in_place(
        Adagrad::new(0.01)
            .lr_decay(0.1)
            .initial_accumulator_value(0.5),
    );
    same_bits_in_place(RmsProp::new(0.01));
    same_bits_in_place(RmsProp::new(0.01).momentum(0.5));
    same_bits_in_place(RmsProp::new(0.01).centered(true));
    same_bits_in_place(RmsProp::new(0.01).momentum(0.5).centered(true));
}

/// A rule that only forwards [`UpdateRule::update`]: the optimizer updates it in place.
#[derive(Clone)]
struct InPlace<R>(R);

impl<R: UpdateRule<f64>> UpdateRule<f64> for InPlace<R> {
    fn state_len(&self, params: usize) -> usize {
        self.0.state_len(params)
    }

    fn update(&self, t: u64, lr: f64, params: &mut [f64], grads: &[f64], state: &mut [f64]) {
        self.0.update(t, lr, params, grads, state);
    }
}

fn same_bits_in_place<R: UpdateRule<f64> + Clone>(optimizer: Optimizer<f64, R>) {
    let in_place = Optimizer::new(InPlace(optimizer.rule().clone()), optimizer.learning_rate());
    let bits = |params: &[f64], state: &[f64]| {
        let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        (bits(params), bits(state))
    };
    let (inputs, targets) = (WIDE_INPUTS, WIDE_TARGETS);
    let net = wide_network();
    let mut ours = Trainer::new(net.clone(), Mse, optimizer).unwrap();
    let mut theirs = Trainer::new(net, Mse, in_place).unwrap();
    for _ in 0..5 {
        ours.step_batch(&inputs, &targets).unwrap();
        theirs.step_batch(&inputs, &targets).unwrap();
        let ours = bits(ours.model().params(), ours.optimizer().state());
        assert_eq!(
            ours,
            bits(theirs.model().params(), theirs.optimizer().state())
        );
    }
}

/// Trains a 3-40-2 network with or without a refused step after `good` steps (the rate set
/// to `f64::MAX` for it), then 3 more; the refused step must change nothing.
fn wide_step_is_undone<R: UpdateRule<f64> + Clone>(optimizer: Optimizer<f64, R>) {
    let (inputs, targets) = (WIDE_INPUTS, WIDE_TARGETS);
    let run = |good: usize, refused: bool| {
        let net = wide_network();
        let mut trainer = Trainer::new(net, Mse, optimizer.clone()).unwrap();
        for _ in 0..good {
            trainer.step_batch(&inputs, &targets).unwrap();
        }
        if refused {
            let params = trainer.model().params().to_vec();
            let state = trainer.optimizer().state().to_vec();
            let lr = trainer.optimizer().learning_rate();
            trainer.optimizer_mut().set_learning_rate(f64::MAX).unwrap();
            let error = trainer.step_batch(&inputs, &targets).unwrap_err();
            let step = good as u64;
            assert!(matches!(error, Error::Diverged { step: s, .. } if s == step));
            assert_eq!(trainer.model().params(), params.as_slice());
            assert_eq!(trainer.optimizer().state(), state.as_slice());
            assert_eq!(trainer.optimizer().step_count(), step);
            trainer.optimizer_mut().set_learning_rate(lr).unwrap();
        }
        for _ in 0..3 {
            trainer.step_batch(&inputs, &targets).unwrap();
        }
        let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        (
            bits(trainer.model().params()),
            bits(trainer.optimizer().state()),
        )
    };
    for good in [0, 2] {
        assert_eq!(run(good, true), run(good, false), "after {good} good steps");
    }
}

#[test]
fn plain_sgd_is_refused_before_it_changes_anything() {
    // Without state, only the parameters are put back.
    // Only the first step's gradient (1.056) overflows at lr = MAX; later ones are < 1.
    for sgd in [
        Sgd::new(0.1),
        Sgd::new(0.1).weight_decay(WeightDecay::L2(0.01)),
    ] {
        let (weight, error) = interrupted(sgd.clone(), 0, 4);
        assert_eq!(
            error,
            Error::Diverged {
                step: 0,
                what: Quantity::Parameters
            }
        );
        assert_eq!(weight.to_bits(), uninterrupted(sgd, 4).to_bits());
    }
}

/// Adam's second moment overflows on a huge (finite) gradient while the parameters stay
/// finite (m / √∞ = 0): the step is refused as the state's, and undone.
#[test]
fn an_optimizer_state_that_overflows_is_refused_and_undone() {
    let mut trainer = Trainer::new(Neuron::new(1.0), Mae, Adam::new(0.1)).unwrap();
    trainer.step(&[1.0], &[0.5]).unwrap();
    let (params, state) = (
        trainer.model().params().to_vec(),
        trainer.optimizer().state().to_vec(),
    );
    let error = trainer.step(&[1e200], &[0.0]).unwrap_err(); // g = 1e200, v = 1e-3·g² = ∞
    assert_eq!(
        error,
        Error::Diverged {
            step: 1,
            what: Quantity::OptimizerState
        }
    );
    assert_eq!(trainer.model().params(), params.as_slice());
    assert_eq!(trainer.optimizer().state(), state.as_slice());
    assert_eq!(trainer.optimizer().step_count(), 1);
}

/// An L-BFGS step whose evaluation overflows (a step of length ~f64::MAX along its
/// direction) ends with `Diverged` on the trial loss, and leaves the parameters, the history
/// and every counter as they were: the run then goes on bit for bit as one that never
/// tried it.
#[test]
fn an_lbfgs_evaluation_that_diverges_is_undone_with_its_history() {
    let inputs = [0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 0.1, 0.3];
    let targets = [1.2, -0.4, -2.0, 0.3];
    for line_search in [LineSearch::None, LineSearch::StrongWolfe] {
        let net = Network::builder(2)
            .dense(4, Activation::Tanh)
            .dense(1, Activation::Identity)
            .seed(5)
            .build()
            .unwrap();
        let lbfgs = Lbfgs::new(1.0).max_iter(3).line_search(line_search);
        let mut whole = Trainer::new(net.clone(), Mse, lbfgs.clone()).unwrap();
        let mut tried = Trainer::new(net, Mse, lbfgs).unwrap();
        for trainer in [&mut whole, &mut tried] {
            trainer.step_batch(&inputs, &targets).unwrap();
        }
        let (params, optimizer) = (tried.model().params().to_vec(), tried.optimizer().clone());

        tried.optimizer_mut().set_learning_rate(f64::MAX).unwrap();
        let error = tried.step_batch(&inputs, &targets).unwrap_err();
        assert!(
            matches!(
                error,
                Error::Diverged {
                    step: 1,
                    what: Quantity::TrialLoss
                }
            ),
            "{error:?}"
        );
        assert_eq!(tried.model().params(), params.as_slice());
        tried.optimizer_mut().set_learning_rate(1.0).unwrap();
        assert_eq!(tried.optimizer(), &optimizer);
        assert_eq!(tried.steps(), 1);

        for trainer in [&mut whole, &mut tried] {
            trainer.step_batch(&inputs, &targets).unwrap();
        }
        let bits = |t: &Trainer<Network<f64>, Mse, Lbfgs<f64>, f64>| {
            t.model()
                .params()
                .iter()
                .map(|p| p.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&tried), bits(&whole));
        assert_eq!(tried.optimizer().state(), whole.optimizer().state());
    }
}
