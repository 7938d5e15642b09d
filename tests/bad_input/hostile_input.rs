//! Hostile input never panics: every public entry point, fed NaN, ±∞, ±1e300, f64::MAX,
//! subnormals, zeros, empty and ragged slices and absurd hyper-parameters, either works or
//! returns the typed error the input calls for, and no sequence of calls ever leaves a
//! non-finite parameter in a model.
//!
//! The expected errors are derived here from the input alone (its length, its first
//! non-finite value, its targets' domain), independently of the crate's checks.

use backprop::gradcheck;
use backprop::{
    clip_grad_norm, clip_grad_value, Activation, Adagrad, Adam, AdamW, Bce, BceWithLogits,
    CosineAnnealingLr, CrossEntropy, EarlyStopping, Epochs, Error, ExponentialLr, Fit, Huber,
    LinearLr, Loss, Mae, Model, Momentum, Mse, Network, Neuron, Optimizer, Quantity,
    ReduceLrOnPlateau, RmsProp, Sgd, SmoothL1, StepLr, Trainer, UpdateRule, WeightDecay,
};
use proptest::prelude::*;

use crate::snapshot::snapshot;

/// A value chosen to break arithmetic, or an ordinary one.
pub(crate) fn hostile() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -3.0..3.0f64,
        2 => 0.0..1.0f64,
        1 => prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324, // the smallest subnormal
            0.0,
            -0.0,
            1.0,
        ]),
    ]
}

/// Slices of every length from empty to a few rows, so some are ragged.
fn hostile_vec() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(hostile(), 0..9)
}

/// A size that is ordinary, zero, or large enough to overflow any product.
fn hostile_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 1..4usize,
        1 => prop::sample::select(vec![0, usize::MAX, usize::MAX / 2 + 1, 1 << 62]),
    ]
}

#[derive(Debug, Clone)]
enum Action {
    Step(Vec<f64>, Vec<f64>),
    StepBatch(Vec<f64>, Vec<f64>),
    Predict(Vec<f64>),
    EndEpoch(Option<f64>),
    SetLearningRate(f64),
    Epochs {
        batch_size: usize,
        shuffle: Option<u64>,
        inputs: Vec<f64>,
        targets: Vec<f64>,
    },
    Fit {
        max_epochs: usize,
        patience: usize,
        min_delta: f64,
        data: [Vec<f64>; 4], // inputs, targets, validation inputs, validation targets
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (hostile_vec(), hostile_vec()).prop_map(|(x, y)| Action::Step(x, y)),
        3 => (hostile_vec(), hostile_vec()).prop_map(|(x, y)| Action::StepBatch(x, y)),
        1 => hostile_vec().prop_map(Action::Predict),
        1 => prop::option::of(hostile()).prop_map(Action::EndEpoch),
        1 => hostile().prop_map(Action::SetLearningRate),
        2 => (hostile_size(), prop::option::of(any::<u64>()), hostile_vec(), hostile_vec())
            .prop_map(|(batch_size, shuffle, inputs, targets)| Action::Epochs {
                batch_size,
                shuffle,
                inputs,
                targets,
            }),
        1 => (0..3usize, hostile_size(), hostile(), [hostile_vec(), hostile_vec(), hostile_vec(), hostile_vec()])
            .prop_map(|(max_epochs, patience, min_delta, data)| Action::Fit {
                max_epochs,
                patience,
                min_delta,
                data,
            }),
    ]
}

/// The error a batch must be refused with, or `None` if it is well-formed and finite
/// (then the step either succeeds or reports `Diverged`).
fn batch_error(
    inputs: &[f64],
    targets: &[f64],
    shape: (usize, usize),
    probabilities: bool,
) -> Option<Error> {
    let (in_len, out_len) = shape;
    if inputs.is_empty() {
        return Some(Error::EmptyBatch);
    }
    if !inputs.len().is_multiple_of(in_len) {
        return Some(Error::LengthMismatch {
            what: Quantity::Input,
            expected: in_len,
            actual: inputs.len(),
        });
    }
    let expected = inputs.len() / in_len * out_len;
    if targets.len() != expected {
        return Some(Error::LengthMismatch {
            what: Quantity::Target,
            expected,
            actual: targets.len(),
        });
    }
    for (values, what) in [(inputs, Quantity::Input), (targets, Quantity::Target)] {
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Some(Error::NonFinite { what, index });
        }
    }
    let outside = targets.iter().position(|y| !(0.0..=1.0).contains(y));
    match outside {
        Some(index) if probabilities => Some(Error::InvalidTarget {
            index,
            value: targets[index],
        }),
        _ => None,
    }
}

fn assert_step_outcome(result: Result<(), Error>, expected: Option<Error>) {
    match (result, expected) {
        (Err(e), Some(x)) => assert_eq!(e, x),
        (Ok(()), None) | (Err(Error::Diverged { .. }), None) => {}
        (r, x) => panic!("got {r:?}, expected {x:?} (or Diverged)"),
    }
}

/// Applies `actions` to `trainer`, checking each outcome and, after each, that every
/// parameter is finite and that a refused call changed nothing.
fn run<M, L, O>(mut trainer: Trainer<M, L, O, f64>, actions: &[Action], probabilities: bool)
where
    M: Model<f64>,
    L: Loss<f64>,
    O: UpdateRule<f64>,
{
    let shape = (trainer.model().input_len(), trainer.model().output_len());
    for action in actions {
        let before = snapshot(&trainer);
        let result = match action {
            Action::Step(x, y) => {
                let expected = if x.len() != shape.0 {
                    Some(Error::LengthMismatch {
                        what: Quantity::Input,
                        expected: shape.0,
                        actual: x.len(),
                    })
                } else {
                    batch_error(x, y, shape, probabilities)
                };
                let result = trainer.step(x, y).map(|_| ());
                assert_step_outcome(result.clone(), expected);
                result
            }
            Action::StepBatch(x, y) => {
                let result = trainer.step_batch(x, y).map(|_| ());
                assert_step_outcome(result.clone(), batch_error(x, y, shape, probabilities));
                result
            }
            Action::Predict(x) => {
                let result = trainer.predict(x).map(|out| out.len());
                let no_targets = vec![0.5; x.len() / shape.0 * shape.1];
                match (result.clone(), batch_error(x, &no_targets, shape, false)) {
                    (Ok(len), None) => assert_eq!(len, no_targets.len()),
                    (Err(e), Some(x)) => assert_eq!(e, x),
                    (r, x) => panic!("predict gave {r:?}, expected {x:?}"),
                }
                result.map(|_| ())
            }
            Action::EndEpoch(metric) => {
                let result = trainer.end_epoch(*metric);
                if let Ok(lr) = result {
                    assert!(lr.is_finite() && lr >= 0.0, "lr {lr}");
                    assert_eq!(lr, trainer.optimizer().learning_rate());
                }
                result.map(|_| ())
            }
            Action::SetLearningRate(lr) => {
                let result = trainer.optimizer_mut().set_learning_rate(*lr);
                assert_eq!(result.is_ok(), lr.is_finite() && *lr >= 0.0, "lr {lr}");
                result
            }
            Action::Epochs {
                batch_size,
                shuffle,
                inputs,
                targets,
            } => {
                let mut epochs = Epochs::new(*batch_size);
                if let Some(seed) = shuffle {
                    epochs = epochs.shuffle(*seed);
                }
                let result = epochs.run(&mut trainer, inputs, targets);
                let expected = if *batch_size == 0 {
                    Some(Error::InvalidHyperparameter {
                        name: "batch_size",
                        value: 0.0,
                        expected: "a count of at least 1",
                    })
                } else {
                    batch_error(inputs, targets, shape, probabilities)
                };
                match (&result, expected) {
                    (Ok(loss), None) => assert!(loss.is_finite()),
                    (Err(Error::Diverged { .. }), None) => {}
                    (Err(e), Some(x)) => assert_eq!(*e, x),
                    (r, x) => panic!("Epochs::run gave {r:?}, expected {x:?}"),
                }
                result.map(|_| ())
            }
            Action::Fit {
                max_epochs,
                patience,
                min_delta,
                data,
            } => {
                let stopper = EarlyStopping::new(*patience)
                    .min_delta(*min_delta)
                    .restore_best(true);
                let mut fit = Fit::new(Epochs::new(2).shuffle(1), *max_epochs)
                    .validation(&data[2], &data[3])
                    .early_stopping(stopper);
                let result = trainer.fit(&mut fit, &data[0], &data[1]);
                if let Ok(summary) = &result {
                    assert!(summary.epochs <= *max_epochs);
                }
                // An error part-way through keeps the epochs before it, so `fit` is not
                // snapshot-checked below; every parameter must still be finite.
                result.map(|_| ())
            }
        };
        let finite = trainer.model().params().iter().all(|p| p.is_finite());
        assert!(finite, "{:?} after {action:?}", trainer.model().params());
        let refused_whole = !matches!(action, Action::Epochs { .. } | Action::Fit { .. })
            || !matches!(result, Err(Error::Diverged { .. }));
        if result.is_err() && refused_whole {
            assert_eq!(
                snapshot(&trainer),
                before,
                "{action:?} was refused but changed the trainer"
            );
        }
    }
}

fn network(
    outputs: usize,
    hidden: Activation<f64>,
    last: Activation<f64>,
    seed: u64,
) -> Network<f64> {
    Network::builder(2)
        .dense(3, hidden)
        .dense(outputs, last)
        .seed(seed)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every loss and every optimizer, with clipping and schedules, under random calls.
    #[test]
    fn no_sequence_of_calls_panics_or_leaves_a_non_finite_parameter(
        actions in prop::collection::vec(action(), 1..10),
    ) {
        let neuron = Neuron::from_weights(vec![0.5, -0.25]).with_bias(0.1).with_activation(Activation::Tanh);
        let sgd = Sgd::new(0.1).momentum(Momentum::Nesterov(0.9)).weight_decay(WeightDecay::L2(0.01));
        let t = Trainer::new(neuron, Mse, sgd).unwrap().clip_grad_norm(1.0).unwrap()
            .schedule(StepLr::new(2, 0.5)).unwrap();
        run(t, &actions, false);

        let net = network(3, Activation::Tanh, Activation::Identity, 1);
        let adam = Adam::new(0.01).amsgrad(true).weight_decay(WeightDecay::L2(0.1));
        let plateau = ReduceLrOnPlateau::new().patience(1).cooldown(1);
        let t = Trainer::new(net, CrossEntropy::new().label_smoothing(0.1), adam).unwrap()
            .reduce_lr_on_plateau(plateau).unwrap();
        run(t, &actions, true);

        let net = network(2, Activation::Relu, Activation::Sigmoid, 2);
        let rms = RmsProp::new(0.01).centered(true).momentum(0.5);
        let t = Trainer::new(net, Bce, rms).unwrap().clip_grad_value(0.5).unwrap();
        run(t, &actions, true);

        let net = network(1, Activation::LeakyRelu(0.1), Activation::Identity, 3);
        let adagrad = Adagrad::new(0.1).lr_decay(0.01).initial_accumulator_value(0.1);
        let t = Trainer::new(net, Huber::new(1.0), adagrad).unwrap()
            .schedule(CosineAnnealingLr::new(3, 0.001)).unwrap();
        run(t, &actions, false);

        let net = network(2, Activation::Sigmoid, Activation::Identity, 4);
        let t = Trainer::new(net, BceWithLogits, AdamW::new(0.01).maximize(true)).unwrap()
            .schedule(LinearLr::new(0.5, 1.0, 2)).unwrap();
        run(t, &actions, true);

        let t = Trainer::new(network(1, Activation::Tanh, Activation::Identity, 5), Mae, Sgd::new(1.0)).unwrap()
            .schedule(ExponentialLr::new(10.0)).unwrap();
        run(t, &actions, false);

        let t = Trainer::new(network(2, Activation::Tanh, Activation::Tanh, 6), SmoothL1::new(0.5), Adam::new(1e300)).unwrap();
        run(t, &actions, false);
    }

    /// Absurd hyper-parameters are refused up front with a typed error; accepted ones
    /// train without a non-finite parameter.
    #[test]
    fn absurd_hyperparameters_are_refused_or_harmless(
        (lr, a, b, c) in (hostile(), hostile(), hostile(), hostile()),
        flags in any::<(bool, bool)>(),
        actions in prop::collection::vec(action(), 1..4),
    ) {
        fn check<O: UpdateRule<f64>>(optimizer: Optimizer<f64, O>, actions: &[Action]) {
            match Trainer::new(Neuron::from_weights(vec![0.3, 0.2]).with_bias(0.0), Mse, optimizer) {
                Ok(t) => run(t, actions, false),
                Err(Error::InvalidHyperparameter { .. } | Error::IncompatibleHyperparameters { .. }) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        check(Sgd::new(lr).momentum(if flags.0 { Momentum::Nesterov(a) } else { Momentum::Classic(a) }).dampening(b).weight_decay(WeightDecay::L2(c)).maximize(flags.1), &actions);
        check(Adam::new(lr).betas(a, b).eps(c).amsgrad(flags.0).weight_decay(WeightDecay::L2(a)), &actions);
        check(AdamW::new(lr).betas(b, a).eps(c).weight_decay(WeightDecay::Decoupled(a)).amsgrad(flags.1), &actions);
        check(RmsProp::new(lr).alpha(a).eps(b).momentum(c).centered(flags.0).weight_decay(WeightDecay::L2(b)), &actions);
        check(Adagrad::new(lr).lr_decay(a).initial_accumulator_value(b).eps(c).weight_decay(WeightDecay::L2(a)), &actions);

        let base = || Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
        let refused = |r: Result<_, Error>| matches!(r, Err(Error::InvalidHyperparameter { .. }));
        assert_eq!(refused(base().clip_grad_norm(a).map(|_| ())), a.is_nan() || a < 0.0);
        assert_eq!(refused(base().clip_grad_value(a).map(|_| ())), a.is_nan() || a < 0.0);
        for loss_ok in [
            Trainer::new(Neuron::new(0.7), Huber::new(a), Sgd::new(0.1)).is_ok(),
            Trainer::new(Neuron::new(0.7), SmoothL1::new(a), Sgd::new(0.1)).is_ok(),
            Trainer::new(Neuron::new(0.7), CrossEntropy::new().label_smoothing(a), Sgd::new(0.1)).is_ok(),
        ] {
            let _ = loss_ok; // the exact ranges are tests/loss_bad_input.rs's; here: no panic
        }
        let steps = [0, 1, 3, usize::MAX];
        let sizes = (steps[flags.0 as usize * 2 + flags.1 as usize], a);
        for scheduled in [
            base().schedule(StepLr::new(sizes.0, b)).map(|_| ()),
            base().schedule(ExponentialLr::new(b)).map(|_| ()),
            base().schedule(CosineAnnealingLr::new(sizes.0, b)).map(|_| ()),
            base().schedule(LinearLr::new(a, b, sizes.0)).map(|_| ()),
        ] {
            assert!(matches!(scheduled, Ok(()) | Err(Error::InvalidHyperparameter { .. })), "{scheduled:?}");
        }
        let plateau = ReduceLrOnPlateau::new().factor(a).threshold(b).min_lr(c).eps(lr)
            .patience(sizes.0).cooldown(sizes.0);
        match base().reduce_lr_on_plateau(plateau) {
            Ok(t) => run(t, &[Action::EndEpoch(Some(1.0)), Action::EndEpoch(Some(2.0)), Action::EndEpoch(None)], false),
            Err(e) => assert!(matches!(e, Error::InvalidHyperparameter { .. }), "{e:?}"),
        }
    }

    /// The free functions and small entry points, on their own.
    #[test]
    fn free_functions_refuse_or_give_finite_results(
        grads in hostile_vec(),
        bound in hostile(),
        metric in hostile(),
        lr in hostile(),
        classes in prop::collection::vec(prop_oneof![0..4usize, Just(usize::MAX)], 0..4),
        n_classes in prop_oneof![0..4usize, Just(usize::MAX)],
        out_len in 0..12usize,
    ) {
        let any_bad = grads.iter().any(|g| !g.is_finite());
        let bad_bound = bound.is_nan() || bound < 0.0;

        let mut g = grads.clone();
        match clip_grad_norm(&mut g, bound) {
            Ok(norm) => {
                assert!(!any_bad && !bad_bound);
                // The norm of [f64::MAX, f64::MAX] is not representable: +∞, as PyTorch
                // reports it, and the gradient is then scaled by 0, so it stays finite.
                assert!(norm >= 0.0 && g.iter().all(|x| x.is_finite()), "{norm} {g:?}");
            }
            Err(_) => assert!(any_bad || bad_bound),
        }
        let mut g = grads.clone();
        match clip_grad_value(&mut g, bound) {
            Ok(()) => assert!(g.iter().all(|x| x.is_finite() && x.abs() <= bound)),
            Err(_) => assert!(any_bad || bad_bound),
        }

        let mut plateau = ReduceLrOnPlateau::new().patience(0);
        match plateau.step(metric, lr) {
            Ok(next) => assert!(next.is_finite() && (0.0..=lr).contains(&next)),
            Err(_) => assert!(!metric.is_finite() || !lr.is_finite() || lr < 0.0),
        }

        let mut out = vec![7.0; out_len];
        let fits = classes.len().checked_mul(n_classes) == Some(out_len)
            && classes.iter().all(|&c| c < n_classes);
        match CrossEntropy::<f64>::one_hot(&classes, n_classes, &mut out) {
            Ok(()) => {
                assert!(fits);
                assert!(out.chunks(n_classes.max(1)).zip(&classes).all(|(row, &c)| {
                    row.iter().enumerate().all(|(i, &v)| v == if i == c { 1.0 } else { 0.0 })
                }));
            }
            Err(_) => assert!(!fits),
        }

        let mut sgd = Sgd::new(0.1);
        let set = sgd.set_learning_rate(lr);
        assert_eq!(set.is_ok(), lr.is_finite() && lr >= 0.0);
        assert_eq!(sgd.learning_rate(), if set.is_ok() { lr } else { 0.1 });
    }

    /// Network shapes of any size: built, or refused with the first problem, and never a
    /// panic or an attempt to allocate more than the address space.
    #[test]
    fn network_builder_refuses_impossible_shapes(
        input_len in hostile_size(),
        layers in prop::collection::vec((hostile_size(), any::<bool>()), 0..4),
        params in hostile_vec(),
        inputs in hostile_vec(),
    ) {
        let mut builder = Network::<f64>::builder(input_len);
        for &(units, bias) in &layers {
            builder = if bias { builder.dense(units, Activation::Tanh) } else { builder.dense_no_bias(units, Activation::Tanh) };
        }
        let expected = expected_build(input_len, &layers);
        match (builder.clone().build(), expected) {
            (Ok(net), Ok(len)) => {
                assert_eq!(net.params().len(), len);
                let finite_params = net.params().iter().all(|p| p.is_finite());
                assert!(finite_params);
                let out = net.predict(&inputs);
                let targets = vec![0.0; inputs.len() / input_len * net.output_len()];
                assert_eq!(out.err(), batch_error(&inputs, &targets, (input_len, net.output_len()), false));
                let given = builder.build_with_params(&params);
                match given {
                    Ok(net) => assert_eq!(net.params(), params.as_slice()),
                    Err(Error::LengthMismatch { .. }) => assert_ne!(params.len(), len),
                    Err(Error::NonFinite { what: Quantity::Parameters, index }) => assert!(!params[index].is_finite()),
                    Err(e) => panic!("{e:?}"),
                }
            }
            (Err(e), Err(x)) => assert_eq!(e, x),
            (r, x) => panic!("built {:?}, expected {x:?}", r.map(|n| n.params().len())),
        }
    }

    /// gradcheck refuses what a step refuses, and always puts the parameters back.
    #[test]
    fn gradcheck_refuses_bad_batches_and_restores_the_model(
        inputs in hostile_vec(),
        targets in hostile_vec(),
        scale in prop_oneof![Just(1.0), Just(1e300), Just(f64::MAX)],
    ) {
        let mut net = network(2, Activation::Tanh, Activation::Identity, 9);
        net.params_mut().iter_mut().for_each(|p| *p *= scale);
        let before = net.clone();
        let result = gradcheck::check(&mut net, &Mse, &inputs, &targets);
        let bad_param = net.params().iter().position(|p| !p.is_finite());
        let expected = batch_error(&inputs, &targets, (2, 2), false).or(
            bad_param.map(|index| Error::NonFinite { what: Quantity::Parameters, index }),
        );
        match (result, expected) {
            (Ok(report), None) => assert_eq!(report.entries().len(), net.params().len()),
            (Err(e), Some(x)) => assert_eq!(e, x),
            (Err(Error::NonFinite { what: Quantity::Loss | Quantity::Gradient, .. }), None) => {}
            (r, x) => panic!("gradcheck gave {:?}, expected {x:?}", r.map(|_| ())),
        }
        assert_eq!(net, before);
    }
}

/// The parameter count of a network, or the first error its builder must report.
fn expected_build(input_len: usize, layers: &[(usize, bool)]) -> Result<usize, Error> {
    if input_len == 0 {
        return Err(Error::NoInputs);
    }
    if layers.is_empty() {
        return Err(Error::NoLayers);
    }
    let too_large = Error::TooLarge {
        what: Quantity::Parameters,
    };
    let (mut inputs, mut total) = (input_len as u128, 0u128);
    for (layer, &(units, bias)) in layers.iter().enumerate() {
        if units == 0 {
            return Err(Error::ZeroUnits { layer });
        }
        let units = units as u128;
        total += inputs * units + if bias { units } else { 0 };
        if total > usize::MAX as u128 {
            return Err(too_large);
        }
        inputs = units;
    }
    // Vec refuses more than isize::MAX bytes; the sizes here never reach the allocator
    // otherwise (they are either tiny or far beyond it).
    if total * 8 > isize::MAX as u128 {
        return Err(too_large);
    }
    Ok(total as usize)
}

#[test]
fn one_hot_of_no_classes_is_empty_not_a_panic() {
    let mut out: [f64; 0] = [];
    assert_eq!(CrossEntropy::one_hot(&[], 0, &mut out), Ok(()));
}

#[test]
fn a_network_too_large_for_memory_is_refused() {
    let wide = Network::<f64>::builder(2)
        .dense(usize::MAX, Activation::Relu)
        .build();
    assert_eq!(
        wide.unwrap_err(),
        Error::TooLarge {
            what: Quantity::Parameters
        }
    );
    let bytes = Network::<f64>::builder(1)
        .dense_no_bias(1 << 62, Activation::Relu)
        .build();
    assert_eq!(
        bytes.unwrap_err(),
        Error::TooLarge {
            what: Quantity::Parameters
        }
    );
}

#[test]
fn an_optimizer_stepped_on_another_model_is_refused_not_a_panic() {
    let mut adam = Adam::new(0.1);
    adam.step(&mut [1.0, 2.0], &[0.5, 0.5]).unwrap(); // state for 2 parameters
    let refused = Trainer::new(Neuron::new(0.7), Mse, adam).err();
    let misfit = Error::LengthMismatch {
        what: Quantity::OptimizerState,
        expected: 2,
        actual: 4,
    };
    assert_eq!(refused, Some(misfit));

    let mut trainer = Trainer::new(
        Neuron::new(0.7),
        Mse,
        Sgd::new(0.1).momentum(Momentum::Classic(0.9)),
    )
    .unwrap();
    trainer.step(&[1.2], &[0.4]).unwrap();
    trainer.optimizer_mut().reset();
    trainer
        .optimizer_mut()
        .step(&mut [1.0, 2.0], &[0.5, 0.5])
        .unwrap();
    let before = trainer.optimizer().clone();
    let misfit = Error::LengthMismatch {
        what: Quantity::OptimizerState,
        expected: 1,
        actual: 2,
    };
    assert_eq!(trainer.step(&[1.2], &[0.4]).err(), Some(misfit));
    assert_eq!(
        trainer.model().weights(),
        &[0.7 - 0.1 * 2.0 * (0.84 - 0.4) * 1.2]
    );
    assert_eq!(trainer.optimizer(), &before); // refused: nothing changed
    trainer.optimizer_mut().reset();
    trainer.step(&[1.2], &[0.4]).unwrap();
}

#[test]
fn an_optimizer_with_a_non_finite_state_is_refused() {
    let mut adam = Adam::new(0.1);
    adam.step(&mut [1.0], &[1e200]).unwrap(); // by hand: v = 1e-3·g² = ∞
    let refused = Trainer::new(Neuron::new(0.7), Mse, adam).err();
    assert_eq!(
        refused,
        Some(Error::NonFinite {
            what: Quantity::OptimizerState,
            index: 1
        })
    );
}

#[cfg(feature = "serde")]
#[test]
fn counts_at_their_maximum_saturate_instead_of_overflowing() {
    let mut trainer = Trainer::new(Neuron::new(0.7f64), Mse, Adam::new(0.1)).unwrap();
    trainer.step(&[1.2], &[0.4]).unwrap();
    let mut saved = serde_json::to_value(trainer.checkpoint()).unwrap();
    saved["optimizer"]["steps"] = serde_json::json!(u64::MAX);
    saved["steps"] = serde_json::json!(u64::MAX);
    trainer
        .restore(serde_json::from_value(saved).unwrap())
        .unwrap();
    trainer.step(&[1.2], &[0.4]).unwrap();
    assert_eq!(trainer.optimizer().step_count(), u64::MAX);
    assert_eq!(trainer.steps(), u64::MAX);
    assert!(trainer.model().weights()[0].is_finite());
}

#[test]
fn an_epoch_of_huge_finite_losses_has_their_finite_mean() {
    // Each batch's loss is y² ≈ 1.69e308 (the input 0 makes the prediction 0 and the
    // gradient 0); their row-weighted sum overflows, their mean does not.
    let y = 1.3e154_f64;
    let mut trainer = Trainer::new(Neuron::new(0.5), Mse, Sgd::new(0.1)).unwrap();
    let mean = Epochs::new(1)
        .run(&mut trainer, &[0.0, 0.0], &[y, y])
        .unwrap();
    assert_eq!(mean, y * y);
    let mut fit = Fit::new(Epochs::new(1), 1);
    let summary = trainer.fit(&mut fit, &[0.0, 0.0], &[y, y]).unwrap();
    assert_eq!(summary.last_loss, Some(y * y));
}
