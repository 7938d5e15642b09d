//! Input gradients, Jacobians, Hessian-vector products and Hessians against PyTorch.
//!
//! tests/data/derivatives.json comes from tools/reference_derivatives.py (float64,
//! nn.MSELoss(reduction='mean'), torch.autograd.functional.{jacobian, hvp, hessian}),
//! for three networks covering every built-in activation but ReLU (whose second
//! derivative is zero almost everywhere; its leaky variant is here). Tolerance as in
//! pytorch_mlp: `|ours − torch| ≤ 1e-12 · |torch| + 1e-14`.

use backprop::derivatives::{hessian, hessian_vector_product, jacobian};
use backprop::{Mse, Network, Sgd, Trainer};
use serde::Deserialize;

use super::pytorch_mlp::{assert_close, network_of, LayerSpec};

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
    loss: f64,
    input_grads: Vec<f64>,
    jacobian: Vec<f64>,
    v: Vec<f64>,
    hvp: Vec<f64>,
    hessian: Vec<f64>,
}

fn reference() -> Reference {
    let text = include_str!("../data/derivatives.json");
    serde_json::from_str(text).expect("tests/data/derivatives.json is valid")
}

fn network(case: &Case) -> Network<f64> {
    network_of(case.input_len, &case.layers, &case.params)
}

#[test]
fn the_reference_was_made_by_torch() {
    let r = reference();
    assert!(r.torch_version.starts_with('2'), "{}", r.torch_version);
    assert_eq!(r.cases.len(), 3);
    for case in &r.cases {
        let n = case.params.len();
        assert_eq!(case.hessian.len(), n * n, "{}", case.name);
    }
}

#[test]
fn input_gradients_match_pytorch() {
    for case in reference().cases {
        let mut trainer = Trainer::new(network(&case), Mse, Sgd::new(0.1)).unwrap();
        let dx = trainer.input_gradients(&case.inputs, &case.targets);
        assert_close(
            "input gradients",
            &case.name,
            dx.unwrap(),
            &case.input_grads,
        );
        let outputs = trainer.predict(&case.inputs).unwrap().to_vec();
        let loss = backprop::Loss::value(&Mse, &outputs, &case.targets);
        assert_close("loss", &case.name, &[loss], &[case.loss]);
    }
}

#[test]
fn jacobians_match_pytorch() {
    for case in reference().cases {
        let j = jacobian(&network(&case), &case.inputs).unwrap();
        assert_close("jacobian", &case.name, &j, &case.jacobian);
    }
}

#[test]
fn hessian_vector_products_match_pytorch() {
    for case in reference().cases {
        let net = network(&case);
        let hv = hessian_vector_product(&net, &Mse, &case.inputs, &case.targets, &case.v);
        assert_close("hvp", &case.name, &hv.unwrap(), &case.hvp);
        assert_eq!(net.params(), &case.params[..], "only read");
    }
}

#[test]
fn hessians_match_pytorch() {
    for case in reference().cases {
        let h = hessian(&network(&case), &Mse, &case.inputs, &case.targets).unwrap();
        assert_close("hessian", &case.name, &h, &case.hessian);
    }
}
