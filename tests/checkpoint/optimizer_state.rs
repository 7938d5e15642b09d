//! Equivalences between optimizers and the state rule of `Optimizer`: a reset optimizer
//! is a fresh one, and a saved optimizer (rule, rate, state and step count) resumes
//! exactly.

use crate::common::{build, cast, references, replay, Case, References};
use backprop::{
    Adagrad, Adam, AdamW, Error, Momentum, Optimizer, Quantity, RmsProp, Sgd, UpdateRule,
    WeightDecay,
};
use num_traits::Float;

fn bits<T: Float>(trajectory: &[Vec<T>]) -> Vec<Vec<u64>> {
    trajectory
        .iter()
        .map(|row| row.iter().map(|v| v.to_f64().unwrap().to_bits()).collect())
        .collect()
}

fn params<T: Float>(refs: &References) -> Vec<T> {
    refs.initial_params.iter().map(|&p| cast(p)).collect()
}

fn grads<T: Float>(refs: &References, step: usize) -> Vec<T> {
    refs.grads[step].iter().map(|&g| cast(g)).collect()
}

#[test]
fn adamw_without_weight_decay_is_adam_bit_for_bit() {
    let refs = references();
    let lrs = [
        0.05, 0.05, 0.02, 0.0, 0.01, 0.03, 0.03, 0.005, 0.05, 0.05, 0.05, 0.05,
    ];
    let no_decay = WeightDecay::Decoupled(0.0);
    type AdamOptimizer = Optimizer<f64, Adam<f64>>;
    let variants: [(AdamOptimizer, AdamOptimizer); 4] = [
        (Adam::new(0.05), AdamW::new(0.05).weight_decay(no_decay)),
        (
            Adam::new(0.05).amsgrad(true).maximize(true),
            AdamW::new(0.05)
                .weight_decay(no_decay)
                .amsgrad(true)
                .maximize(true),
        ),
        (
            Adam::new(0.05).betas(0.3, 0.6).eps(1e-3),
            AdamW::new(0.05)
                .weight_decay(no_decay)
                .betas(0.3, 0.6)
                .eps(1e-3),
        ),
        (
            Adam::new(0.05).betas(0.95, 0.9999),
            AdamW::new(0.05).betas(0.95, 0.9999).weight_decay(no_decay),
        ),
    ];
    for (mut adam, mut adamw) in variants {
        let (mut p, mut q) = (params::<f64>(&refs), params::<f64>(&refs));
        for (step, &lr) in lrs.iter().enumerate() {
            adam.set_learning_rate(lr).unwrap();
            adamw.set_learning_rate(lr).unwrap();
            adam.step(&mut p, &grads(&refs, step)).unwrap();
            adamw.step(&mut q, &grads(&refs, step)).unwrap();
            assert_eq!(bits(&[p.clone()]), bits(&[q.clone()]), "step {step}");
            assert_eq!(adam.state(), adamw.state());
        }
    }
}

fn reset_is_fresh<T: Float + 'static>(refs: &References, case: &Case) {
    let mut fresh = build::<T>(case);
    let expected = replay(&mut fresh, refs, case);
    let mut reused = build::<T>(case);
    replay(&mut reused, refs, case);
    reused.reset();
    assert_eq!(reused.step_count(), 0, "{}", case.name);
    assert!(reused.state().is_empty(), "{}", case.name);
    let again = replay(&mut reused, refs, case);
    assert_eq!(bits(&again), bits(&expected), "{}", case.name);
}

#[test]
fn reset_then_rerun_equals_a_fresh_optimizer() {
    let refs = references();
    for case in &refs.cases {
        reset_is_fresh::<f64>(&refs, case);
        reset_is_fresh::<f32>(&refs, case);
    }
}

/// Runs `split` steps, saves a copy, runs on, then finishes the run from the copy: the
/// trajectory must be the uninterrupted one, whatever the original did after the save.
fn checkpoint_resumes_exactly<T: Float + 'static>(refs: &References, case: &Case, split: usize) {
    let mut uninterrupted = build::<T>(case);
    let expected = replay(&mut uninterrupted, refs, case);

    let mut first = build::<T>(case);
    let mut p = params::<T>(refs);
    for step in 0..split {
        first.set_learning_rate(cast(case.lrs[step])).unwrap();
        first.step(&mut p, &grads(refs, step)).unwrap();
    }
    let (mut second, saved_p) = (first.clone(), p.clone());
    assert_eq!(second.step_count(), split as u64);
    first.step(&mut p, &grads(refs, split)).unwrap(); // the original goes on alone
    let mut p = saved_p;
    for step in split..refs.grads.len() {
        second.set_learning_rate(cast(case.lrs[step])).unwrap();
        second.step(&mut p, &grads(refs, step)).unwrap();
        assert_eq!(
            bits(&[p.clone()]),
            bits(&expected[step..=step]),
            "{}",
            case.name
        );
    }
}

#[test]
fn state_and_step_count_restore_an_optimizer_exactly() {
    let refs = references();
    for case in &refs.cases {
        for split in [1, 6] {
            checkpoint_resumes_exactly::<f64>(&refs, case, split);
            checkpoint_resumes_exactly::<f32>(&refs, case, split);
        }
    }
}

#[test]
fn plain_sgd_is_the_lecture_rule_bit_for_bit() {
    let refs = references();
    let lr = 0.1;
    let mut expected = params::<f64>(&refs);
    let configured = Sgd::new(lr)
        .weight_decay(WeightDecay::L2(0.0))
        .maximize(false);
    for mut sgd in [Sgd::new(lr), configured] {
        let mut p = params::<f64>(&refs);
        expected.copy_from_slice(&p);
        for step in 0..refs.grads.len() {
            let g = grads::<f64>(&refs, step);
            sgd.step(&mut p, &g).unwrap();
            for (w, &g) in expected.iter_mut().zip(&g) {
                *w -= lr * g; // the lecture: w ← w − lr·g
            }
            assert_eq!(bits(&[p.clone()]), bits(&[expected.clone()]));
        }
        assert!(sgd.state().is_empty(), "no momentum, no state");
    }
}

/// The documented layouts, with the first step's values derived by hand: from zero
/// state, m = (1 − β₁)·g, v = (1 − β₂)·g², the SGD buffer = g, the Adagrad sum = τ + g².
#[test]
fn state_layouts_are_as_documented() {
    let g = [0.5, -2.0];
    fn step<R: UpdateRule<f64>>(o: &mut Optimizer<f64, R>) -> Vec<f64> {
        let mut p = [1.0, 1.0];
        o.step(&mut p, &[0.5, -2.0]).unwrap();
        o.state().to_vec()
    }
    let mut sgd = Sgd::new(0.1)
        .momentum(Momentum::Classic(0.9))
        .dampening(0.5);
    assert_eq!(step(&mut sgd), g);

    let (b1, b2) = (0.8, 0.9);
    let m: Vec<f64> = g.iter().map(|g| (1.0 - b1) * g).collect();
    let v: Vec<f64> = g.iter().map(|g| (1.0 - b2) * g * g).collect();
    let mut adam = Adam::new(0.1).betas(b1, b2);
    assert_eq!(step(&mut adam), [m.clone(), v.clone()].concat());
    let mut amsgrad = AdamW::new(0.1).betas(b1, b2).amsgrad(true);
    assert_eq!(step(&mut amsgrad), [m, v.clone(), v].concat());

    let alpha = 0.75;
    let rmsprop = RmsProp::new(0.1).alpha(alpha).momentum(0.5).centered(true);
    let mut rmsprop = rmsprop;
    let state = step(&mut rmsprop);
    assert_eq!(state.len(), 6);
    assert_eq!(state[..2], [(1.0 - alpha) * 0.25, (1.0 - alpha) * 4.0]);
    assert_eq!(state[4..], [(1.0 - alpha) * 0.5, (1.0 - alpha) * -2.0]);
    assert_eq!(step(&mut RmsProp::new(0.1)).len(), 2);

    let adagrad = Adagrad::new(0.1).initial_accumulator_value(0.25);
    let mut adagrad = adagrad;
    assert_eq!(step(&mut adagrad), [0.25 + 0.25, 0.25 + 4.0]);
}

#[test]
fn a_reset_optimizer_takes_a_new_parameter_count() {
    let mut adam = Adam::new(0.1);
    adam.step(&mut [1.0, 2.0], &[0.1, 0.2]).unwrap();
    adam.reset();
    let mut p = [1.0, 2.0, 3.0];
    adam.step(&mut p, &[0.1, 0.2, 0.3]).unwrap();
    assert_eq!(adam.state().len(), 6);
    assert_eq!(adam.step_count(), 1);
}

#[test]
fn a_new_parameter_count_without_reset_is_refused_and_changes_nothing() {
    let mut adam = Adam::new(0.1);
    adam.step(&mut [1.0, 2.0], &[0.1, 0.2]).unwrap();
    let before = adam.clone();
    let mut p = [1.0, 2.0, 3.0];
    let refused = adam.step(&mut p, &[0.1, 0.2, 0.3]).unwrap_err();
    assert_eq!(
        refused,
        Error::LengthMismatch {
            what: Quantity::OptimizerState,
            expected: 6,
            actual: 4
        }
    );
    assert_eq!((adam, p), (before, [1.0, 2.0, 3.0]));
    let short = Sgd::new(0.1).step(&mut [1.0, 2.0], &[0.5]).unwrap_err();
    assert_eq!(
        short,
        Error::LengthMismatch {
            what: Quantity::Gradient,
            expected: 2,
            actual: 1
        }
    );
}
