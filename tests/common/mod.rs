//! The PyTorch optimizer references (tests/data/optimizers.json, made by
//! tools/reference_optimizers.py) and a builder turning a case into our optimizer.
#![allow(dead_code)]

use backprop::{Adagrad, Adam, AdamW, Optimizer, RmsProp, Sgd};
use num_traits::Float;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The whole reference file.
#[derive(Debug, Deserialize)]
pub struct References {
    pub torch_version: String,
    pub dtype: String,
    pub foreach: bool,
    pub initial_params: Vec<f64>,
    pub grads: Vec<Vec<f64>>,
    pub cases: Vec<Case>,
}

/// One optimizer configuration and the parameters PyTorch had after each step.
#[derive(Debug, Deserialize)]
pub struct Case {
    pub name: String,
    pub optimizer: String,
    pub options: Map<String, Value>,
    pub lrs: Vec<f64>,
    pub trajectory: Vec<Vec<f64>>,
}

pub fn references() -> References {
    let refs: References =
        serde_json::from_str(include_str!("../data/optimizers.json")).expect("valid JSON");
    assert_eq!(refs.dtype, "float64");
    assert!(
        !refs.foreach,
        "references must come from the single-tensor path"
    );
    refs
}

pub fn cast<T: Float>(v: f64) -> T {
    T::from(v).expect("representable")
}

fn number<T: Float>(v: &Value) -> T {
    cast(v.as_f64().expect("a number"))
}

fn flag(v: &Value) -> bool {
    v.as_bool().expect("a bool")
}

fn betas<T: Float>(v: &Value) -> (T, T) {
    let pair = v.as_array().expect("betas is a pair");
    (number(&pair[0]), number(&pair[1]))
}

/// Our optimizer for `case`, every option applied through the builder named after it.
///
/// Panics on an option it does not know, so a case added to the script cannot be
/// replayed with an option silently ignored.
pub fn build<T: Float + 'static>(case: &Case) -> Box<dyn Optimizer<T>> {
    let lr = number(&case.options["lr"]);
    let options = case.options.iter().filter(|(k, _)| k.as_str() != "lr");
    match case.optimizer.as_str() {
        "SGD" => Box::new(options.fold(Sgd::new(lr), |o, (k, v)| match k.as_str() {
            "momentum" => o.momentum(number(v)),
            "dampening" => o.dampening(number(v)),
            "nesterov" => o.nesterov(flag(v)),
            "weight_decay" => o.weight_decay(number(v)),
            "maximize" => o.maximize(flag(v)),
            other => panic!("SGD option {other}"),
        })),
        "Adam" => Box::new(options.fold(Adam::new(lr), |o, (k, v)| match k.as_str() {
            "betas" => {
                let (b1, b2) = betas(v);
                o.betas(b1, b2)
            }
            "eps" => o.eps(number(v)),
            "weight_decay" => o.weight_decay(number(v)),
            "amsgrad" => o.amsgrad(flag(v)),
            "maximize" => o.maximize(flag(v)),
            other => panic!("Adam option {other}"),
        })),
        "AdamW" => Box::new(options.fold(AdamW::new(lr), |o, (k, v)| match k.as_str() {
            "betas" => {
                let (b1, b2) = betas(v);
                o.betas(b1, b2)
            }
            "eps" => o.eps(number(v)),
            "weight_decay" => o.weight_decay(number(v)),
            "amsgrad" => o.amsgrad(flag(v)),
            "maximize" => o.maximize(flag(v)),
            other => panic!("AdamW option {other}"),
        })),
        "RMSprop" => Box::new(
            options.fold(RmsProp::new(lr), |o, (k, v)| match k.as_str() {
                "alpha" => o.alpha(number(v)),
                "eps" => o.eps(number(v)),
                "momentum" => o.momentum(number(v)),
                "centered" => o.centered(flag(v)),
                "weight_decay" => o.weight_decay(number(v)),
                "maximize" => o.maximize(flag(v)),
                other => panic!("RMSprop option {other}"),
            }),
        ),
        "Adagrad" => Box::new(
            options.fold(Adagrad::new(lr), |o, (k, v)| match k.as_str() {
                "lr_decay" => o.lr_decay(number(v)),
                "initial_accumulator_value" => o.initial_accumulator_value(number(v)),
                "eps" => o.eps(number(v)),
                "weight_decay" => o.weight_decay(number(v)),
                "maximize" => o.maximize(flag(v)),
                other => panic!("Adagrad option {other}"),
            }),
        ),
        other => panic!("unknown optimizer {other}"),
    }
}

/// Runs `optimizer` from the initial parameters over the case's steps (learning rate
/// set before each, as the script does), returning the parameters after each step.
pub fn replay<T: Float>(
    optimizer: &mut dyn Optimizer<T>,
    refs: &References,
    case: &Case,
) -> Vec<Vec<T>> {
    let mut params: Vec<T> = refs.initial_params.iter().map(|&p| cast(p)).collect();
    let mut trajectory = Vec::new();
    for (&lr, grads) in case.lrs.iter().zip(&refs.grads) {
        optimizer.set_learning_rate(cast(lr)).expect("valid lr");
        let grads: Vec<T> = grads.iter().map(|&g| cast(g)).collect();
        optimizer.step(&mut params, &grads);
        trajectory.push(params.clone());
    }
    trajectory
}
