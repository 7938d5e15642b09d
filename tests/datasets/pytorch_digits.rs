//! Exact on real data: two epochs of Adam on the digits with a 64-32-10 ReLU network,
//! from PyTorch's initial weights in PyTorch's batch order, match PyTorch's float64
//! losses and final parameters to 1e-10 (`tests/data/digits_adam.json`, written by
//! `tools/reference_digits.py`).

use backprop::datasets::digits;
use backprop::{Activation, Adam, CrossEntropy, Model, Network, Trainer};
use serde_json::Value;

use crate::common::floats;

#[test]
fn two_epochs_of_adam_on_digits_are_pytorchs() {
    let r: Value = serde_json::from_str(include_str!("../data/digits_adam.json")).unwrap();
    let data = digits::<f64>();
    let inputs: Vec<f64> = data.inputs().iter().map(|x| x / 16.0).collect();
    let mut net = Network::builder(64)
        .dense(32, Activation::Relu)
        .dense(10, Activation::Identity)
        .build()
        .unwrap();
    net.params_mut()
        .copy_from_slice(&floats(&r["initial_params"]));
    let mut trainer = Trainer::new(net, CrossEntropy::class_indices(), Adam::new(1e-3)).unwrap();
    let expected = floats(&r["losses"]);
    let mut step = 0;
    for order in r["orders"].as_array().unwrap() {
        let order: Vec<usize> = floats(order).iter().map(|&i| i as usize).collect();
        for batch in order.chunks(32) {
            let x: Vec<f64> = batch
                .iter()
                .flat_map(|&i| inputs[i * 64..(i + 1) * 64].to_vec())
                .collect();
            let y: Vec<f64> = batch.iter().map(|&i| data.targets()[i]).collect();
            let loss = trainer.step_batch(&x, &y).unwrap().loss;
            let e = expected[step];
            assert!(
                (loss - e).abs() <= 1e-10,
                "step {step}: loss {loss} vs PyTorch's {e}"
            );
            step += 1;
        }
    }
    assert_eq!(step, expected.len());
    let worst = trainer
        .model()
        .params()
        .iter()
        .zip(floats(&r["final_params"]))
        .map(|(a, e)| (a - e).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 1e-10, "largest parameter difference {worst:e}");
}
