//! The PyTorch optimizer references (tests/data/optimizers.json, made by
//! tools/reference_optimizers.py) and a builder turning a case into our optimizer.
#![allow(dead_code)]

use backprop::{Adagrad, Adam, AdamW, Momentum, Optimizer, RmsProp, Sgd, UpdateRule, WeightDecay};
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

/// One of the built-in rules, chosen at run time as the references need: a rule of the
/// test's own that delegates, and is `Clone` (a boxed rule is not).
#[derive(Debug, Clone, PartialEq)]
pub enum AnyRule<T> {
    Sgd(Sgd<T>),
    Adam(Adam<T>),
    RmsProp(RmsProp<T>),
    Adagrad(Adagrad<T>),
}

impl<T: Float> AnyRule<T> {
    fn rule(&self) -> &dyn UpdateRule<T> {
        match self {
            AnyRule::Sgd(r) => r,
            AnyRule::Adam(r) => r,
            AnyRule::RmsProp(r) => r,
            AnyRule::Adagrad(r) => r,
        }
    }
}

impl<T: Float> UpdateRule<T> for AnyRule<T> {
    fn state_len(&self, params: usize) -> usize {
        self.rule().state_len(params)
    }

    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        self.rule().update(t, lr, params, grads, state);
    }

    fn validate(&self) -> Result<(), backprop::Error> {
        self.rule().validate()
    }
}

/// An optimizer whose rule is chosen at run time.
pub type Dynamic<T> = Optimizer<T, AnyRule<T>>;

/// `optimizer` with its rule wrapped by `kind`, learning rate kept (no steps yet).
fn any<T, R>(optimizer: Optimizer<T, R>, kind: fn(R) -> AnyRule<T>) -> Dynamic<T>
where
    T: Float,
    R: UpdateRule<T> + Clone,
{
    Optimizer::new(kind(optimizer.rule().clone()), optimizer.learning_rate())
}

/// Our optimizer for `case`, every option applied through the builder named after it.
///
/// Panics on an option it does not know, so a case added to the script cannot be
/// replayed with an option silently ignored.
pub fn build<T: Float + 'static>(case: &Case) -> Dynamic<T> {
    let lr = number(&case.options["lr"]);
    let options = case.options.iter().filter(|(k, _)| k.as_str() != "lr");
    match case.optimizer.as_str() {
        "SGD" => {
            // PyTorch's momentum factor and nesterov flag are one `Momentum` here.
            let mu: T = case.options.get("momentum").map_or(T::zero(), number);
            let nesterov = case.options.get("nesterov").is_some_and(flag);
            let sgd = match (mu > T::zero(), nesterov) {
                (false, false) => Sgd::new(lr),
                (true, false) => Sgd::new(lr).momentum(Momentum::Classic(mu)),
                (_, true) => Sgd::new(lr).momentum(Momentum::Nesterov(mu)),
            };
            let sgd = options.fold(sgd, |o, (k, v)| match k.as_str() {
                "momentum" | "nesterov" => o,
                "dampening" => o.dampening(number(v)),
                "weight_decay" => o.weight_decay(WeightDecay::L2(number(v))),
                "maximize" => o.maximize(flag(v)),
                other => panic!("SGD option {other}"),
            });
            any(sgd, AnyRule::Sgd)
        }
        "Adam" | "AdamW" => {
            let (adam, decay): (_, fn(T) -> WeightDecay<T>) = if case.optimizer == "Adam" {
                (Adam::new(lr), WeightDecay::L2)
            } else {
                (AdamW::new(lr), WeightDecay::Decoupled)
            };
            let adam = options.fold(adam, |o, (k, v)| match k.as_str() {
                "betas" => {
                    let (b1, b2) = betas(v);
                    o.betas(b1, b2)
                }
                "eps" => o.eps(number(v)),
                "weight_decay" => o.weight_decay(decay(number(v))),
                "amsgrad" => o.amsgrad(flag(v)),
                "maximize" => o.maximize(flag(v)),
                other => panic!("Adam option {other}"),
            });
            any(adam, AnyRule::Adam)
        }
        "RMSprop" => any(
            options.fold(RmsProp::new(lr), |o, (k, v)| match k.as_str() {
                "alpha" => o.alpha(number(v)),
                "eps" => o.eps(number(v)),
                "momentum" => o.momentum(number(v)),
                "centered" => o.centered(flag(v)),
                "weight_decay" => o.weight_decay(WeightDecay::L2(number(v))),
                "maximize" => o.maximize(flag(v)),
                other => panic!("RMSprop option {other}"),
            }),
            AnyRule::RmsProp,
        ),
        "Adagrad" => any(
            options.fold(Adagrad::new(lr), |o, (k, v)| match k.as_str() {
                "lr_decay" => o.lr_decay(number(v)),
                "initial_accumulator_value" => o.initial_accumulator_value(number(v)),
                "eps" => o.eps(number(v)),
                "weight_decay" => o.weight_decay(WeightDecay::L2(number(v))),
                "maximize" => o.maximize(flag(v)),
                other => panic!("Adagrad option {other}"),
            }),
            AnyRule::Adagrad,
        ),
        other => panic!("unknown optimizer {other}"),
    }
}

/// Runs `optimizer` from the initial parameters over the case's steps (learning rate
/// set before each, as the script does), returning the parameters after each step.
pub fn replay<T: Float, R: UpdateRule<T>>(
    optimizer: &mut Optimizer<T, R>,
    refs: &References,
    case: &Case,
) -> Vec<Vec<T>> {
    let mut params: Vec<T> = refs.initial_params.iter().map(|&p| cast(p)).collect();
    let mut trajectory = Vec::new();
    for (&lr, grads) in case.lrs.iter().zip(&refs.grads) {
        optimizer.set_learning_rate(cast(lr)).expect("valid lr");
        let grads: Vec<T> = grads.iter().map(|&g| cast(g)).collect();
        optimizer
            .step(&mut params, &grads)
            .expect("fitting lengths");
        trajectory.push(params.clone());
    }
    trajectory
}

/// A full-batch PyTorch reference on the 2-4-1 tanh network (tools/reference_lbfgs.py,
/// tools/reference_groups.py): the initial parameters, the batch, and the cases.
#[derive(Debug, Deserialize)]
pub struct FullBatch<C> {
    pub torch_version: String,
    pub params: Vec<f64>,
    pub inputs: Vec<f64>,
    pub targets: Vec<f64>,
    pub cases: Vec<C>,
}

impl<C> FullBatch<C> {
    /// `Linear(2, 4), Tanh, Linear(4, 1)` with the reference's initial parameters.
    pub fn network(&self) -> backprop::Network<f64> {
        use backprop::Activation;
        backprop::Network::builder(2)
            .dense(4, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build_with_params(&self.params)
            .expect("17 parameters")
    }
}

/// A JSON array of numbers from the reference files.
pub fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}
