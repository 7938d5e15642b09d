//! `CrossEntropy` with class-index targets, class weights and label smoothing: one SGD
//! step of a linear layer against PyTorch's `CrossEntropyLoss(weight=…)` with its
//! weighted mean `Σ_b w[y_b] ℓ_b / Σ_b w[y_b]` (`tests/data/cross_entropy.json`, written
//! by `tools/reference_cross_entropy.py`).

use backprop::{Activation, CrossEntropy, Model, Network, Sgd, Trainer};
use serde_json::Value;

use crate::common::floats;

fn assert_close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}");
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a - e).abs() <= 1e-14 * e.abs().max(1.0),
            "{what}: {a} vs PyTorch's {e}"
        );
    }
}

#[test]
fn a_step_on_class_indices_is_pytorchs_weighted_mean() {
    let all: Value = serde_json::from_str(include_str!("../data/cross_entropy.json")).unwrap();
    for case in all["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut net = Network::builder(3)
            .dense(4, Activation::Identity)
            .build()
            .unwrap();
        net.params_mut().copy_from_slice(&floats(&case["params"]));
        let mut loss = CrossEntropy::class_indices()
            .label_smoothing(case["label_smoothing"].as_f64().unwrap());
        if !case["weight"].is_null() {
            loss = loss.weight(floats(&case["weight"]));
        }
        let mut trainer = Trainer::new(net, loss, Sgd::new(0.1)).unwrap();
        let step = trainer
            .step_batch(&floats(&case["inputs"]), &floats(&case["targets"]))
            .unwrap();
        assert_close(&[step.loss], &[case["loss"].as_f64().unwrap()], name);
        assert_close(trainer.gradients(), &floats(&case["gradients"]), name);
        assert_close(
            trainer.model().params(),
            &floats(&case["params_after"]),
            name,
        );
    }
}
