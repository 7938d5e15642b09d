//! Multi-layer networks against PyTorch: outputs, loss, gradient and 3 SGD steps.
//!
//! tests/data/mlp.json comes from tools/reference_mlp.py (float64, nn.Sequential of
//! nn.Linear layers, nn.MSELoss(reduction='mean'), torch.optim.SGD with foreach=False).
//! PyTorch sums in its own order, so values agree to rounding, not bit for bit:
//! `|ours − torch| ≤ 1e-12 · |torch| + 1e-14`, the absolute floor covering values that
//! are (nearly) zero, whose rounding noise is relative to the larger terms they came from.

use backprop::{Activation, Model, Mse, Network, Sgd, Trainer};
use serde::Deserialize;

const REL: f64 = 1e-12;
const ABS: f64 = 1e-14;

#[derive(Deserialize)]
struct Reference {
    torch_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input_len: usize,
    layers: Vec<LayerSpec>,
    params: Vec<f64>,
    inputs: Vec<f64>,
    targets: Vec<f64>,
    outputs: Vec<f64>,
    loss: f64,
    grad: Vec<f64>,
    lr: f64,
    losses: Vec<f64>,
    params_after: Vec<f64>,
}

/// One `nn.Linear` and its activation, as the tools/ scripts write them.
#[derive(Deserialize)]
pub(crate) struct LayerSpec {
    units: usize,
    activation: String,
    negative_slope: Option<f64>,
    bias: bool,
}

fn reference() -> Reference {
    let text = include_str!("../data/mlp.json");
    serde_json::from_str(text).expect("tests/data/mlp.json is valid")
}

fn activation(spec: &LayerSpec) -> Activation<f64> {
    match spec.activation.as_str() {
        "tanh" => Activation::Tanh,
        "sigmoid" => Activation::Sigmoid,
        "relu" => Activation::Relu,
        "leaky_relu" => Activation::LeakyRelu(spec.negative_slope.unwrap()),
        "identity" => Activation::Identity,
        other => panic!("unknown activation {other}"),
    }
}

fn network(case: &Case) -> Network<f64> {
    network_of(case.input_len, &case.layers, &case.params)
}

/// The `nn.Sequential` of `layers` with the flat parameters `params`.
pub(crate) fn network_of(input_len: usize, layers: &[LayerSpec], params: &[f64]) -> Network<f64> {
    let mut builder = Network::builder(input_len);
    for spec in layers {
        builder = if spec.bias {
            builder.dense(spec.units, activation(spec))
        } else {
            builder.dense_no_bias(spec.units, activation(spec))
        };
    }
    builder.build_with_params(params).unwrap()
}

pub(crate) fn assert_close(what: &str, case: &str, ours: &[f64], torch: &[f64]) {
    assert_eq!(ours.len(), torch.len(), "{case}: {what} length");
    for (i, (&a, &e)) in ours.iter().zip(torch).enumerate() {
        assert!(
            (a - e).abs() <= REL * e.abs() + ABS,
            "{case}: {what}[{i}] = {a:e}, torch says {e:e}"
        );
    }
}

#[test]
fn the_reference_was_made_by_torch() {
    let r = reference();
    assert!(r.torch_version.starts_with('2'), "{}", r.torch_version);
    assert_eq!(r.cases.len(), 2);
    assert!(r.cases.iter().any(|c| c.layers.iter().any(|l| !l.bias)));
}

#[test]
fn outputs_loss_and_gradient_match_pytorch() {
    for case in reference().cases {
        let mut trainer = Trainer::new(network(&case), Mse, Sgd::new(case.lr)).unwrap();
        let step = trainer.step_batch(&case.inputs, &case.targets).unwrap();
        assert_close("outputs", &case.name, trainer.prediction(), &case.outputs);
        assert_close("loss", &case.name, &[step.loss], &[case.loss]);
        assert_close("gradient", &case.name, trainer.gradients(), &case.grad);
    }
}

#[test]
fn three_sgd_steps_match_pytorch() {
    for case in reference().cases {
        let mut trainer = Trainer::new(network(&case), Mse, Sgd::new(case.lr)).unwrap();
        let losses: Vec<f64> = (0..case.losses.len())
            .map(|_| {
                trainer
                    .step_batch(&case.inputs, &case.targets)
                    .unwrap()
                    .loss
            })
            .collect();
        assert_close("losses", &case.name, &losses, &case.losses);
        assert_close(
            "params after",
            &case.name,
            trainer.model().params(),
            &case.params_after,
        );
    }
}

#[test]
fn pytorch_weights_load_with_one_copy() {
    for case in reference().cases {
        let mut net = network(&case);
        net.params_mut().iter_mut().for_each(|p| *p = 0.0);
        net.params_mut().copy_from_slice(&case.params);
        let outputs = net.predict(&case.inputs).unwrap();
        assert_close("outputs", &case.name, &outputs, &case.outputs);
    }
}
