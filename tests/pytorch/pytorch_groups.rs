//! Parameter groups against PyTorch's `param_groups`: SGD with momentum and weight decay
//! on the weights only, Adam with one learning rate per layer, and a `StepLR` schedule
//! scaling each group's rate from its own.
//!
//! tests/data/groups.json comes from tools/reference_groups.py (float64, a 2-4-1 tanh
//! network, nn.MSELoss, `foreach=False`): six full-batch steps, compared to 1e-12
//! relative (absolute floor 1e-14) after every step.

use backprop::{
    Adam, Momentum, Mse, Network, Optimizer, Sgd, StepLr, Trainer, UpdateRule, WeightDecay,
};
use serde::Deserialize;

use crate::common::FullBatch;

type Reference = FullBatch<Case>;

#[derive(Deserialize)]
struct Case {
    name: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    loss: f64,
    params: Vec<f64>,
    lrs: Vec<f64>,
}

fn reference() -> Reference {
    let text = include_str!("../data/groups.json");
    serde_json::from_str(text).expect("tests/data/groups.json is valid")
}

fn assert_close(what: &str, ours: &[f64], torch: &[f64]) {
    assert_eq!(ours.len(), torch.len(), "{what}: length");
    for (i, (&a, &e)) in ours.iter().zip(torch).enumerate() {
        assert!(
            (a - e).abs() <= 1e-12 * e.abs() + 1e-14,
            "{what}[{i}] = {a:e}, torch says {e:e}"
        );
    }
}

/// Replays `case` with `optimizer`, one epoch per step when `scheduled`; `lrs` gives the
/// rates in PyTorch's group order.
fn replay<R: UpdateRule<f64>>(
    r: &Reference,
    case: &Case,
    mut trainer: Trainer<Network<f64>, Mse, R, f64>,
    lrs: fn(&Optimizer<f64, R>) -> Vec<f64>,
) {
    for (k, expected) in case.steps.iter().enumerate() {
        let what = format!("{}: step {}", case.name, k + 1);
        let step = trainer.step_batch(&r.inputs, &r.targets).unwrap();
        trainer.end_epoch(None).unwrap();
        assert_close(&format!("{what}: loss"), &[step.loss], &[expected.loss]);
        assert_close(&what, trainer.model().params(), &expected.params);
        assert_close(
            &format!("{what}: lrs"),
            &lrs(trainer.optimizer()),
            &expected.lrs,
        );
    }
}

fn case<'r>(r: &'r Reference, name: &str) -> &'r Case {
    r.cases.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn the_reference_was_made_by_torch() {
    let r = reference();
    assert!(r.torch_version.starts_with('2'), "{}", r.torch_version);
    assert_eq!(r.cases.len(), 3);
}

#[test]
fn sgd_with_weight_decay_on_the_weights_only_matches_pytorch() {
    let r = reference();
    let net = r.network();
    let decay = |g: Optimizer<f64, Sgd<f64>>| g.weight_decay(WeightDecay::L2(0.01));
    let sgd = Sgd::new(0.1)
        .momentum(Momentum::Classic(0.9))
        .group(net.all_weights(), decay);
    let trainer = Trainer::new(net, Mse, sgd).unwrap();
    let lrs = |o: &Optimizer<f64, Sgd<f64>>| vec![o.groups()[0].learning_rate(), o.learning_rate()];
    replay(&r, case(&r, "sgd_decay_on_weights"), trainer, lrs);
}

#[test]
fn adam_with_a_rate_per_layer_matches_pytorch() {
    let r = reference();
    let net = r.network();
    let layer = |l: usize| net.layer_shapes().nth(l).unwrap().param_range();
    let adam = Adam::new(0.005)
        .group([layer(0)], |g| g.lr(0.01))
        .group([layer(1)], |g| g.lr(0.001));
    let trainer = Trainer::new(net, Mse, adam).unwrap();
    let lrs = |o: &Optimizer<f64, _>| o.groups().iter().map(|g| g.learning_rate()).collect();
    replay(&r, case(&r, "adam_rate_per_layer"), trainer, lrs);
}

#[test]
fn a_schedule_scales_every_groups_rate_as_pytorch_does() {
    let r = reference();
    let net = r.network();
    let sgd = Sgd::new(0.1).group(net.all_biases(), |g| g.lr(0.2));
    let trainer = Trainer::new(net, Mse, sgd)
        .unwrap()
        .schedule(StepLr::new(2, 0.5))
        .unwrap();
    let lrs = |o: &Optimizer<f64, Sgd<f64>>| vec![o.learning_rate(), o.groups()[0].learning_rate()];
    replay(&r, case(&r, "sgd_groups_step_lr"), trainer, lrs);
}
