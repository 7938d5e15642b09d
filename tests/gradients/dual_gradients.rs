//! Backpropagation against forward-mode dual numbers: for a `Neuron` of any width, with
//! or without bias, under every built-in `Activation`, trained with `Mse`, the gradient a
//! `Trainer` step computes equals the directional derivatives of the same forward pass
//! and loss run in `Dual<f64>`.
//!
//! # Tolerance
//!
//! Both sides compute the same sums of products in different orders, so they agree to a
//! few ulps of the magnitudes involved, not of the result (a sum over rows can cancel).
//! For parameter `i` the bound is
//!
//! ```text
//! |g_backprop − g_dual| ≤ 8 ε · Σ_rows |2(a − y)/B| · |xᵢ| · (|f'(z)| + s·|a|)
//! ```
//!
//! with `xᵢ = 1` for the bias. The `s·|a|` term (s = 1 for sigmoid and tanh, else 0) is
//! the backward pass computing `f'` from the rounded output `a`, as PyTorch does:
//! `(1 − a)·a` and `1 − a²` inherit an absolute error of about `ε·|a|` that is large
//! relative to `f'` where the activation saturates. The dual numbers differentiate
//! `1/(1 + e^(−z))` and `tanh z` directly and do not cancel.

use backprop::{Activation, ActivationFunction, Dual, Loss, Mse, Neuron, Sgd, Trainer};
use proptest::prelude::*;

type D = Dual<f64>;

/// One neuron, a batch and its targets.
#[derive(Debug, Clone)]
struct Case {
    weights: Vec<f64>,
    bias: Option<f64>,
    activation: Activation<f64>,
    /// Row-major, `batch × weights.len()`.
    inputs: Vec<f64>,
    targets: Vec<f64>,
}

impl Case {
    fn rows(&self) -> impl Iterator<Item = &[f64]> {
        self.inputs.chunks_exact(self.weights.len())
    }

    /// The pre-activations, computed here in plain f64.
    fn pre_activations(&self) -> Vec<f64> {
        self.rows()
            .map(|x| {
                let dot: f64 = self.weights.iter().zip(x).map(|(w, x)| w * x).sum();
                dot + self.bias.unwrap_or(0.0)
            })
            .collect()
    }

    /// The gradient of one `Trainer` step (mean `Mse` over the batch).
    fn backprop_gradient(&self) -> Vec<f64> {
        let mut neuron =
            Neuron::from_weights(self.weights.clone()).with_activation(self.activation);
        if let Some(b) = self.bias {
            neuron = neuron.with_bias(b);
        }
        let mut trainer = Trainer::new(neuron, Mse, Sgd::new(0.1)).expect("valid neuron");
        trainer
            .step_batch(&self.inputs, &self.targets)
            .expect("finite step");
        trainer.gradients().to_vec()
    }

    /// `∇L · direction` from the forward pass and the mean loss run in `Dual<f64>`, the
    /// parameters' tangents seeded with `direction`, inputs and targets constant.
    fn directional_derivative(&self, direction: &[f64]) -> f64 {
        let seeded = |value: f64, tangent: f64| D::new(value, tangent);
        let n = self.weights.len();
        let weights = self
            .weights
            .iter()
            .zip(direction)
            .map(|(&w, &d)| seeded(w, d))
            .collect();
        let mut neuron =
            Neuron::from_weights(weights).with_activation(dual_activation(self.activation));
        if let Some(b) = self.bias {
            neuron = neuron.with_bias(seeded(b, direction[n]));
        }
        let inputs: Vec<D> = self.inputs.iter().map(|&x| D::constant(x)).collect();
        let predictions = neuron.predict(&inputs).expect("finite inputs");
        let total: D = predictions
            .iter()
            .zip(&self.targets)
            .map(|(&p, &y)| Mse.value(&[p], &[D::constant(y)]))
            .sum();
        (total / D::constant(self.targets.len() as f64)).derivative()
    }

    /// The tolerance scale of parameter `i` (module docs).
    fn scale(&self, i: usize) -> f64 {
        let saturates = matches!(self.activation, Activation::Sigmoid | Activation::Tanh);
        let batch = self.targets.len() as f64;
        self.rows()
            .zip(self.pre_activations())
            .zip(&self.targets)
            .map(|((x, z), y)| {
                let a = self.activation.value(z);
                let slope = self.activation.derivative(z, a).abs();
                let xi = x.get(i).copied().unwrap_or(1.0); // past the weights: the bias
                let rounding = if saturates { a.abs() } else { 0.0 };
                (2.0 * (a - y) / batch).abs() * xi.abs() * (slope + rounding)
            })
            .sum()
    }
}

/// The same activation over dual numbers (a leaky slope is a constant).
fn dual_activation(activation: Activation<f64>) -> Activation<D> {
    match activation {
        Activation::Identity => Activation::Identity,
        Activation::Sigmoid => Activation::Sigmoid,
        Activation::Tanh => Activation::Tanh,
        Activation::Relu => Activation::Relu,
        Activation::LeakyRelu(slope) => Activation::LeakyRelu(D::constant(slope)),
    }
}

/// e_i, the unit vector along parameter `i` of `len`.
fn unit(len: usize, i: usize) -> Vec<f64> {
    (0..len).map(|j| if j == i { 1.0 } else { 0.0 }).collect()
}

/// Every partial derivative, each by one dual pass seeded with e_i.
fn assert_partials_match(case: &Case) {
    let gradient = case.backprop_gradient();
    let len = gradient.len();
    for (i, &g) in gradient.iter().enumerate() {
        let partial = case.directional_derivative(&unit(len, i));
        let tolerance = 8.0 * f64::EPSILON * case.scale(i);
        assert!(
            (g - partial).abs() <= tolerance,
            "∂L/∂θ{i}: backprop {g} vs dual {partial} (tolerance {tolerance:e}) in {case:?}"
        );
    }
}

fn activation() -> impl Strategy<Value = Activation<f64>> {
    prop_oneof![
        Just(Activation::Identity),
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        (0.01..0.5f64).prop_map(Activation::LeakyRelu),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (1..=4usize, 1..=3usize).prop_flat_map(|(width, batch)| {
        let value = || -2.0..2.0f64;
        (
            prop::collection::vec(value(), width),
            prop::option::of(value()),
            activation(),
            prop::collection::vec(value(), width * batch),
            prop::collection::vec(value(), batch),
        )
            .prop_map(|(weights, bias, activation, inputs, targets)| Case {
                weights,
                bias,
                activation,
                inputs,
                targets,
            })
    })
}

/// ReLU and leaky ReLU have a kink at z = 0 where the two sides disagree.
fn clear_of_kinks(case: &Case) -> bool {
    let kinked = matches!(case.activation, Activation::Relu | Activation::LeakyRelu(_));
    !kinked || case.pre_activations().iter().all(|z| z.abs() > 1e-6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_partial_derivative_matches_dual_numbers(case in case()) {
        prop_assume!(clear_of_kinks(&case));
        assert_partials_match(&case);
    }

    /// One dual pass along a random direction d gives ∇L·d.
    #[test]
    fn directional_derivatives_match_the_gradient_dotted_with_the_direction(
        case in case(), seed in prop::collection::vec(-1.0..1.0f64, 5)
    ) {
        prop_assume!(clear_of_kinks(&case));
        let gradient = case.backprop_gradient();
        let direction = &seed[..gradient.len()];
        let dotted: f64 = gradient.iter().zip(direction).map(|(g, d)| g * d).sum();
        let tolerance: f64 = (0..gradient.len())
            .map(|i| 8.0 * f64::EPSILON * direction[i].abs() * case.scale(i))
            .sum();
        let dual = case.directional_derivative(direction);
        prop_assert!((dotted - dual).abs() <= tolerance, "{} vs {} (tolerance {:e})", dotted, dual, tolerance);
    }
}

/// Every activation, with and without bias, on one fixed batch (the property tests draw
/// these at random; this pins each combination down).
#[test]
fn every_activation_with_and_without_bias() {
    let activations = [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.01),
    ];
    for activation in activations {
        for bias in [None, Some(0.3)] {
            assert_partials_match(&Case {
                weights: vec![0.8, -1.3, 0.45],
                bias,
                activation,
                inputs: vec![1.0, 0.5, -2.0, -0.7, 0.2, 1.5],
                targets: vec![0.25, -0.6],
            });
        }
    }
}

/// The lecture's neuron: dL/dw = 2(xw − y)x = 1.056 at w = 0.7, x = 1.2, y = 0.4.
#[test]
fn the_lecture_gradient() {
    let case = Case {
        weights: vec![0.7],
        bias: None,
        activation: Activation::Identity,
        inputs: vec![1.2],
        targets: vec![0.4],
    };
    let dual = case.directional_derivative(&[1.0]);
    assert!((dual - 1.056).abs() <= 2.0 * f64::EPSILON);
    assert_partials_match(&case);
}
