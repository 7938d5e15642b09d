//! Checkpoints resume training bit for bit, and a checkpoint that does not fit or holds
//! bad values is refused with `Error::InvalidCheckpoint`, leaving the trainer untouched.
//!
//! `cargo test` runs every test here in memory (a checkpoint is `Clone`); with
//! `--features serde` (`cargo test --all-features`, which `.ci/run` runs) each checkpoint
//! and `Epochs` also goes through JSON (serde_json with `float_roundtrip`) and back, and
//! the JSON-editing and random-mutation tests run too.

// `Optimizer::group` takes a list of ranges; a list of one is meant.
#![allow(clippy::single_range_in_vec_init)]

use backprop::{
    Activation, Adagrad, Adam, AdamW, Checkpoint, CheckpointFault, CosineAnnealingLr, Epochs,
    Error, Lbfgs, LineSearch, Model, Momentum, Mse, Network, Optimizer, Quantity,
    ReduceLrOnPlateau, RmsProp, Sgd, StepLr, Trainer, UpdateRule, WeightDecay,
};
use num_traits::Float;

/// What a checkpoint and an `Epochs` must support to be stored: JSON with serde,
/// a clone without it.
#[cfg(feature = "serde")]
trait Storable: serde::Serialize + serde::de::DeserializeOwned {}
#[cfg(feature = "serde")]
impl<C: serde::Serialize + serde::de::DeserializeOwned> Storable for C {}
#[cfg(not(feature = "serde"))]
trait Storable: Clone {}
#[cfg(not(feature = "serde"))]
impl<C: Clone> Storable for C {}

/// `value` written out and read back, as a program that stopped and restarted would.
#[cfg(feature = "serde")]
fn stored<C: Storable>(value: &C) -> C {
    let json = serde_json::to_string(value).unwrap();
    serde_json::from_str(&json).unwrap()
}
#[cfg(not(feature = "serde"))]
fn stored<C: Storable>(value: &C) -> C {
    value.clone()
}

type Net<T> = Network<T>;
type NetTrainer<T, O> = Trainer<Net<T>, Mse, O, T>;

fn cast<T: Float>(v: f64) -> T {
    T::from(v).unwrap()
}

/// Eight samples of y = x₀ − 2x₁ + noise-free curvature, two inputs, one output.
fn data<T: Float>() -> (Vec<T>, Vec<T>) {
    let xs = [
        [0.5, -1.0],
        [1.5, 0.25],
        [-0.75, 2.0],
        [0.1, 0.3],
        [2.0, -0.5],
        [-1.2, -0.8],
        [0.9, 1.1],
        [-0.3, 0.6],
    ];
    let inputs = xs.iter().flatten().map(|&v| cast(v)).collect();
    let targets = xs
        .iter()
        .map(|x| cast(x[0] - 2.0 * x[1] + 0.5 * x[0] * x[0]))
        .collect();
    (inputs, targets)
}

fn network<T: Float>(activation: Activation<T>) -> Net<T> {
    Network::builder(2)
        .dense(4, activation)
        .dense(1, Activation::Identity)
        .seed(3)
        .build()
        .unwrap()
}

/// The training configuration, built afresh: clipping and a schedule or a plateau.
fn fresh<T: Float + Send + Sync + 'static, O: UpdateRule<T>>(
    optimizer: Optimizer<T, O>,
    plateau: bool,
) -> NetTrainer<T, O> {
    let trainer = Trainer::new(network(Activation::Tanh), Mse, optimizer)
        .unwrap()
        .clip_grad_norm(cast(5.0))
        .unwrap();
    if plateau {
        let plateau = ReduceLrOnPlateau::new().patience(0).factor(cast(0.5));
        trainer.reduce_lr_on_plateau(plateau).unwrap()
    } else {
        trainer.schedule(StepLr::new(2, cast(0.7))).unwrap()
    }
}

/// `count` shuffled epochs in batches of 3; the epochs' mean losses.
fn train<T: Float + Send + Sync + 'static, O: UpdateRule<T>>(
    trainer: &mut NetTrainer<T, O>,
    epochs: &mut Epochs<T>,
    count: usize,
) -> Vec<T> {
    let (inputs, targets) = data::<T>();
    (0..count)
        .map(|_| {
            let loss = epochs.run(trainer, &inputs, &targets).unwrap();
            trainer.end_epoch(Some(loss)).unwrap();
            loss
        })
        .collect()
}

fn bits<T: Float>(values: &[T]) -> Vec<u64> {
    values
        .iter()
        .map(|v| v.to_f64().unwrap().to_bits())
        .collect()
}

/// Trains 3 epochs, stores the checkpoint and the epochs' shuffling state, restores
/// them into a fresh trainer and trains 4 more: bit for bit the 7-epoch run.
fn assert_resumes_bit_exactly<T, O>(optimizer: Optimizer<T, O>, plateau: bool)
where
    T: Float + core::fmt::Debug + Send + Sync + 'static,
    O: UpdateRule<T> + Clone + PartialEq,
    Checkpoint<Net<T>, O, T>: Storable,
    Epochs<T>: Storable,
{
    let (before, after) = (3, 4);
    let mut whole = fresh(optimizer.clone(), plateau);
    let mut whole_epochs = Epochs::new(3).shuffle(9);
    let whole_losses = train(&mut whole, &mut whole_epochs, before + after);

    let mut first = fresh(optimizer.clone(), plateau);
    let mut first_epochs = Epochs::new(3).shuffle(9);
    let mut losses = train(&mut first, &mut first_epochs, before);
    let saved = stored(&first.checkpoint());
    let mut epochs = stored(&first_epochs);
    drop((first, first_epochs));

    let mut resumed = fresh(optimizer, plateau);
    resumed.restore(saved).unwrap();
    losses.extend(train(&mut resumed, &mut epochs, after));

    assert_eq!(bits(&losses), bits(&whole_losses));
    assert_eq!(bits(resumed.model().params()), bits(whole.model().params()));
    assert_eq!(
        bits(resumed.optimizer().state()),
        bits(whole.optimizer().state())
    );
    assert_eq!(
        resumed.optimizer().step_count(),
        whole.optimizer().step_count()
    );
    assert_eq!(resumed.steps(), whole.steps());
    assert_eq!(resumed.steps(), 3 * (before + after) as u64); // 8 rows in 3 batches
    let lr = |t: &NetTrainer<T, O>| t.optimizer().learning_rate().to_f64().unwrap().to_bits();
    assert_eq!(lr(&resumed), lr(&whole));
    assert_eq!(resumed.schedule_epoch(), whole.schedule_epoch());
    assert_eq!(epochs.order(), whole_epochs.order());
}

macro_rules! resume_tests {
    ($($name:ident: $optimizer:expr;)*) => {$(
        mod $name {
            use super::*;

            #[test]
            fn f64_with_a_schedule() {
                let optimizer: fn(f64) -> _ = $optimizer;
                assert_resumes_bit_exactly::<f64, _>(optimizer(1.0), false);
            }

            #[test]
            fn f64_with_a_plateau() {
                let optimizer: fn(f64) -> _ = $optimizer;
                assert_resumes_bit_exactly::<f64, _>(optimizer(1.0), true);
            }

            #[test]
            fn f32_with_a_schedule() {
                let optimizer: fn(f32) -> _ = $optimizer;
                assert_resumes_bit_exactly::<f32, _>(optimizer(1.0), false);
            }
        }
    )*};
}

// `one` is 1 in the test's float type, so each line builds an f32 and an f64 optimizer.
resume_tests! {
    sgd: |one| Sgd::new(0.05 * one);
    sgd_momentum_nesterov_weight_decay: |one| Sgd::new(0.05 * one)
        .momentum(Momentum::Nesterov(0.9 * one)).weight_decay(WeightDecay::L2(0.01 * one));
    sgd_momentum_dampening_maximize: |one| Sgd::new(0.01 * one).momentum(Momentum::Classic(0.5 * one))
        .dampening(0.1 * one).maximize(true);
    adam: |one| Adam::new(0.01 * one);
    adam_amsgrad_weight_decay: |one| Adam::new(0.01 * one).amsgrad(true).weight_decay(WeightDecay::L2(0.1 * one));
    adamw_amsgrad: |one| AdamW::new(0.01 * one).amsgrad(true);
    rmsprop: |one| RmsProp::new(0.01 * one);
    rmsprop_centered_momentum: |one| RmsProp::new(0.01 * one).centered(true).momentum(0.5 * one)
        .weight_decay(WeightDecay::L2(0.01 * one));
    adagrad: |one| Adagrad::new(0.1 * one).lr_decay(0.01 * one)
        .initial_accumulator_value(0.1 * one);
    sgd_groups: |one| Sgd::new(0.05 * one).momentum(Momentum::Classic(0.9 * one))
        .group([0..8, 12..16], |g| g.weight_decay(WeightDecay::L2(0.01 * one)).lr(0.02 * one));
    adam_group_per_layer: |one| Adam::new(0.01 * one).group([0..12], |g| g.lr(0.02 * one).amsgrad(true));
    lbfgs_short_history: |one| Lbfgs::new(0.5 * one).max_iter(4).history_size(3);
    lbfgs_strong_wolfe: |one| Lbfgs::new(one).max_iter(5).line_search(LineSearch::StrongWolfe);
}

#[test]
fn a_checkpoint_at_learning_rate_zero_restores() {
    let make = || {
        Trainer::new(network(Activation::Tanh), Mse, Adam::new(0.01))
            .unwrap()
            .schedule(CosineAnnealingLr::new(2, 0.0))
            .unwrap()
    };
    let mut trainer = make();
    let (inputs, targets) = data::<f64>();
    for _ in 0..2 {
        trainer.step_batch(&inputs, &targets).unwrap();
        trainer.end_epoch(None).unwrap();
    }
    assert_eq!(trainer.optimizer().learning_rate(), 0.0); // annealed to eta_min
    let mut resumed = make();
    resumed.restore(stored(&trainer.checkpoint())).unwrap();
    assert_eq!(resumed.optimizer().learning_rate(), 0.0);
    assert_eq!(resumed.schedule_epoch(), 2);
}

#[test]
fn a_restored_trainer_steps_without_allocating_after_warm_up() {
    let mut source = fresh(RmsProp::new(0.01).centered(true).momentum(0.5), false);
    let (inputs, targets) = data::<f64>();
    source.step_batch(&inputs, &targets).unwrap();
    let mut trainer = fresh(RmsProp::new(0.01).centered(true).momentum(0.5), false);
    trainer.restore(stored(&source.checkpoint())).unwrap();
    trainer.step_batch(&inputs, &targets).unwrap(); // warm-up: sizes the batch buffers
    let counted = allocation_counter::measure(|| {
        for _ in 0..20 {
            trainer.step_batch(&inputs, &targets).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}

type AdamTrainer = NetTrainer<f64, Adam<f64>>;

/// A trained trainer to restore into, with a plateau schedule.
fn target() -> AdamTrainer {
    let mut trainer = fresh(Adam::new(0.01).amsgrad(true), true);
    train(&mut trainer, &mut Epochs::new(4), 2);
    trainer
}

/// Asserts `restore` refuses `checkpoint` for `reason` and leaves `trainer` exactly as
/// it was: same values, and the same next step as an untouched copy.
fn assert_refused(
    trainer: &mut AdamTrainer,
    checkpoint: Checkpoint<Net<f64>, Adam<f64>, f64>,
    reason: CheckpointFault,
) {
    let untouched = trainer.clone();
    assert_eq!(
        trainer.restore(checkpoint),
        Err(Error::InvalidCheckpoint { reason })
    );
    assert_eq!(trainer.model(), untouched.model());
    assert_eq!(trainer.optimizer(), untouched.optimizer());
    assert_eq!(trainer.steps(), untouched.steps());
    let mut untouched = untouched;
    let (mut a, mut b) = (Epochs::new(4), Epochs::new(4));
    assert_eq!(train(trainer, &mut a, 1), train(&mut untouched, &mut b, 1));
    assert_eq!(trainer.model(), untouched.model());
}

#[test]
fn another_architecture_is_refused() {
    let sigmoid = Trainer::new(
        network(Activation::Sigmoid),
        Mse,
        Adam::new(0.01).amsgrad(true),
    )
    .unwrap()
    .reduce_lr_on_plateau(ReduceLrOnPlateau::new())
    .unwrap();
    assert_refused(
        &mut target(),
        sigmoid.checkpoint(),
        CheckpointFault::Architecture,
    );

    let three_inputs = Network::builder(3)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build()
        .unwrap();
    let other = Trainer::new(three_inputs, Mse, Adam::new(0.01)).unwrap();
    let other = other
        .reduce_lr_on_plateau(ReduceLrOnPlateau::new())
        .unwrap();
    assert_refused(
        &mut target(),
        other.checkpoint(),
        CheckpointFault::Architecture,
    );
}

#[test]
fn another_parameter_count_is_refused() {
    let no_bias = Network::builder(2)
        .dense_no_bias(4, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build()
        .unwrap();
    let other = Trainer::new(no_bias, Mse, Adam::new(0.01)).unwrap();
    let other = other
        .reduce_lr_on_plateau(ReduceLrOnPlateau::new())
        .unwrap();
    let reason = CheckpointFault::ParameterCount {
        expected: 17,
        actual: 13,
    };
    assert_refused(&mut target(), other.checkpoint(), reason);
}

#[test]
fn non_finite_values_are_refused() {
    let mut source = target();
    source.model_mut().params_mut()[5] = f64::NAN;
    let reason = CheckpointFault::NonFinite {
        what: Quantity::Parameters,
        index: 5,
    };
    assert_refused(&mut target(), source.checkpoint(), reason);

    // A step by hand, outside the trainer's checks: a huge gradient makes v (the
    // second block of 17) infinite while m stays finite.
    let mut source = target();
    let mut params = source.model().params().to_vec();
    let mut huge = vec![0.0; params.len()];
    huge[6] = 1e200;
    source.optimizer_mut().step(&mut params, &huge).unwrap();
    let reason = CheckpointFault::NonFinite {
        what: Quantity::OptimizerState,
        index: 17 + 6,
    };
    assert_refused(&mut target(), source.checkpoint(), reason);
}

#[test]
fn a_state_of_the_wrong_length_is_refused() {
    let mut source = target();
    source.optimizer_mut().reset();
    // stepped by hand on 3 parameters: a state of 9 values, not the model's 3 · 17
    source
        .optimizer_mut()
        .step(&mut [1.0; 3], &[0.5; 3])
        .unwrap();
    let reason = CheckpointFault::StateLength {
        expected: 3 * 17, // m, v and v_max for 17 parameters
        actual: 9,
    };
    assert_refused(&mut target(), source.checkpoint(), reason);
}

#[test]
fn another_kind_of_schedule_is_refused() {
    let mut epoch_schedule = Trainer::new(
        network(Activation::Tanh),
        Mse,
        Adam::new(0.01).amsgrad(true),
    )
    .unwrap()
    .schedule(StepLr::new(1, 0.5))
    .unwrap();
    train(&mut epoch_schedule, &mut Epochs::new(8), 1);
    let reason = CheckpointFault::ScheduleKind;
    assert_refused(&mut target(), epoch_schedule.checkpoint(), reason);
}

#[cfg(feature = "serde")]
mod json {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    type Saved = (Checkpoint<Net<f64>, Adam<f64>, f64>, Epochs<f64>);

    fn saved_json() -> Value {
        let mut trainer = target();
        let mut epochs = Epochs::new(3).shuffle(5);
        train(&mut trainer, &mut epochs, 2);
        serde_json::to_value((trainer.checkpoint(), epochs)).unwrap()
    }

    fn refused_after(edit: impl FnOnce(&mut Value), reason: CheckpointFault) {
        let mut value = saved_json();
        edit(&mut value);
        let (checkpoint, _): Saved = serde_json::from_value(value).unwrap();
        assert_refused(&mut target(), checkpoint, reason);
    }

    #[test]
    fn the_layout_is_documented() {
        let value = saved_json();
        let checkpoint = &value[0];
        assert_eq!(checkpoint["version"], json!(3));
        assert_eq!(checkpoint["model"]["inputs"], json!(2));
        let first = json!({"units": 4, "bias": true, "activation": "Tanh"});
        assert_eq!(checkpoint["model"]["layers"][0], first);
        assert_eq!(checkpoint["model"]["params"].as_array().unwrap().len(), 17);
        assert_eq!(
            checkpoint["optimizer"]["state"].as_array().unwrap().len(),
            51
        );
        assert_eq!(checkpoint["optimizer"]["groups"], json!([]));
        // target() took 2 epochs of 2 batches, then 2 epochs of 3 batches
        assert_eq!(checkpoint["optimizer"]["steps"], json!(10));
        assert_eq!(checkpoint["steps"], json!(10));
        assert!(checkpoint["schedule"]["Plateau"]["best"].is_f64());
        assert_eq!(value[1]["batch_size"], json!(3));
        assert_eq!(value[1]["shuffle"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn a_truncated_state_is_refused() {
        let truncate = |v: &mut Value| {
            v[0]["optimizer"]["state"].as_array_mut().unwrap().pop();
        };
        let reason = CheckpointFault::StateLength {
            expected: 51,
            actual: 50,
        };
        refused_after(truncate, reason);
    }

    #[test]
    fn invalid_hyperparameters_are_refused() {
        let negative_lr = |v: &mut Value| v[0]["optimizer"]["lr"] = json!(-0.5);
        refused_after(negative_lr, CheckpointFault::Hyperparameter { name: "lr" });
        let beta = |v: &mut Value| v[0]["optimizer"]["rule"]["beta2"] = json!(1.5);
        refused_after(beta, CheckpointFault::Hyperparameter { name: "betas[1]" });
        let factor = |v: &mut Value| v[0]["schedule"]["Plateau"]["factor"] = json!(2.0);
        refused_after(factor, CheckpointFault::Hyperparameter { name: "factor" });
    }

    #[test]
    fn a_group_beyond_the_parameters_is_refused() {
        let group = json!([{"ranges": [{"start": 10, "end": 18}], "rule": null, "lr": 0.01, "initial_lr": 0.01}]);
        let edit = |v: &mut Value| {
            let mut group = group.clone();
            group[0]["rule"] = v[0]["optimizer"]["rule"].clone();
            v[0]["optimizer"]["groups"] = group;
        };
        refused_after(
            edit,
            CheckpointFault::Hyperparameter {
                name: "param_groups",
            },
        );
    }

    #[test]
    fn another_format_version_is_refused() {
        // version 1 had no parameter groups, version 2 no schedule formula
        let version = |v: &mut Value| v[0]["version"] = json!(2);
        let reason = CheckpointFault::Version {
            expected: 3,
            actual: 2,
        };
        refused_after(version, reason);
    }

    #[test]
    fn impossible_plateau_counters_are_refused() {
        let counters = |v: &mut Value| v[0]["schedule"]["Plateau"]["num_bad_epochs"] = json!(7);
        refused_after(counters, CheckpointFault::PlateauCounters);
    }

    #[test]
    fn malformed_models_and_streams_do_not_deserialize() {
        let cases: [fn(&mut Value); 4] = [
            |v| v[0]["model"]["layers"][0]["units"] = json!(5), // layers and params disagree
            |v| v[0]["model"]["layers"] = json!([]),
            |v| v[0]["model"]["params"][0] = json!(null),
            |v| v[1]["shuffle"] = json!([0, 0, 0, 0]), // xoshiro's one forbidden state
        ];
        for edit in cases {
            let mut value = saved_json();
            edit(&mut value);
            assert!(serde_json::from_value::<Saved>(value).is_err());
        }
        let text = serde_json::to_string(&saved_json()).unwrap();
        assert!(serde_json::from_str::<Saved>(&text[..text.len() / 2]).is_err());
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        /// Any byte anywhere: mostly breaks the syntax.
        Flip {
            at: usize,
            byte: u8,
        },
        /// One digit of one number changed: still JSON, a different value.
        Digit {
            which: usize,
            at: usize,
            digit: u8,
        },
        Truncate {
            at: usize,
        },
        /// One number replaced by another text.
        Number {
            which: usize,
            text: &'static str,
        },
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let texts = vec![
            "0",
            "-0",
            "-1",
            "0.5",
            "1.5",
            "3",
            "7",
            "1e308",
            "-1e308",
            "1e-300",
            "4e-320",
            "1e999",
            "18446744073709551615",
            "18446744073709551616",
            "4294967296",
            "null",
            "\"x\"",
            "[]",
            "NaN",
        ];
        prop_oneof![
            1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
            3 => (any::<usize>(), any::<usize>(), 0..10u8)
                .prop_map(|(which, at, digit)| Mutation::Digit { which, at, digit }),
            1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
            5 => (any::<usize>(), prop::sample::select(texts))
                .prop_map(|(which, text)| Mutation::Number { which, text }),
        ]
    }

    /// The byte ranges of the JSON's numbers.
    fn numbers(json: &[u8]) -> Vec<(usize, usize)> {
        let is_number = |b: u8| b.is_ascii_digit() || b"-+.eE".contains(&b);
        let mut spans = Vec::new();
        let mut i = 0;
        while i < json.len() {
            if json[i].is_ascii_digit() || json[i] == b'-' {
                let start = i;
                while i < json.len() && is_number(json[i]) {
                    i += 1;
                }
                spans.push((start, i));
            } else {
                i += 1;
            }
        }
        spans
    }

    fn mutate(json: &mut Vec<u8>, mutation: &Mutation) {
        let spans = numbers(json);
        let span = |which: usize| spans.get(which % spans.len().max(1)).copied();
        match *mutation {
            Mutation::Flip { at, byte } if !json.is_empty() => {
                let at = at % json.len();
                json[at] = byte;
            }
            Mutation::Digit { which, at, digit } => {
                if let Some((start, end)) = span(which) {
                    let digits: Vec<usize> =
                        (start..end).filter(|&i| json[i].is_ascii_digit()).collect();
                    // A truncation can leave a lone `-`: a span without digits.
                    if !digits.is_empty() {
                        json[digits[at % digits.len()]] = b'0' + digit;
                    }
                }
            }
            Mutation::Truncate { at } => json.truncate(at % (json.len() + 1)),
            Mutation::Number { which, text } => {
                if let Some((start, end)) = span(which) {
                    json.splice(start..end, text.bytes()).for_each(drop);
                }
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(160))]

        /// A damaged checkpoint fails to parse, or is refused with `InvalidCheckpoint`
        /// leaving the trainer untouched, or restores a trainer whose values are all
        /// finite and which trains on without a panic or a non-finite parameter.
        #[test]
        fn a_mutated_checkpoint_is_refused_or_valid(mutations in prop::collection::vec(mutation(), 1..3)) {
            let mut json = serde_json::to_vec(&saved_json()).unwrap();
            for m in &mutations {
                mutate(&mut json, m);
            }
            let Ok((checkpoint, mut epochs)) = serde_json::from_slice::<Saved>(&json) else {
                return Ok(());
            };
            let mut trainer = target();
            let untouched = trainer.clone();
            match trainer.restore(checkpoint) {
                Err(Error::InvalidCheckpoint { .. }) => {
                    prop_assert_eq!(trainer.model(), untouched.model());
                    prop_assert_eq!(trainer.optimizer(), untouched.optimizer());
                    prop_assert_eq!(trainer.steps(), untouched.steps());
                }
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
                Ok(()) => {
                    prop_assert!(trainer.model().params().iter().all(|p| p.is_finite()));
                    prop_assert!(trainer.optimizer().state().iter().all(|s| s.is_finite()));
                    let (inputs, targets) = data::<f64>();
                    for _ in 0..2 {
                        if let Ok(loss) = epochs.run(&mut trainer, &inputs, &targets) {
                            let _ = trainer.end_epoch(Some(loss));
                        }
                        prop_assert!(trainer.model().params().iter().all(|p| p.is_finite()));
                    }
                }
            }
        }
    }
}
