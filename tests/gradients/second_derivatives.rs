//! Second derivatives in the inputs, by nested dual numbers `Dual<Dual<f64>>`.
//!
//! - Every built-in activation's value, first and second derivative against its closed
//!   form (to a few ulp).
//! - A network's second derivative along a direction (`InputJets`) against central
//!   differences of its first, taken by reverse mode (`jacobian`), which shares no code
//!   with the nested duals: `h = ∛ε · max(1, |x|)`, truncation and rounding both about
//!   1e-10 of the first derivative, so `|jets − numeric| ≤ 1e-8 + 1e-6·|numeric|`. Its
//!   first derivative matches the Jacobian times the direction to `1e-13` of the terms.

use backprop::derivatives::{input_jets, jacobian};
use backprop::{Activation, ActivationFunction, Dual, Network};
use proptest::prelude::*;

use super::gradients::ACTIVATIONS;

type Nested = Dual<Dual<f64>>;

/// `z + ε₁ + ε₂`: differentiated twice.
fn seeded(z: f64) -> Nested {
    Dual::new(Dual::new(z, 1.0), Dual::new(1.0, 0.0))
}

/// `(f, f′, f″)` of an activation at `z`, in closed form.
fn closed_form(activation: Activation<f64>, z: f64) -> (f64, f64, f64) {
    match activation {
        Activation::Identity => (z, 1.0, 0.0),
        Activation::Sigmoid => {
            let s = 1.0 / (1.0 + (-z).exp());
            (s, s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s))
        }
        Activation::Tanh => {
            let t = z.tanh();
            (t, 1.0 - t * t, -2.0 * t * (1.0 - t * t))
        }
        Activation::Relu => (z.max(0.0), if z > 0.0 { 1.0 } else { 0.0 }, 0.0),
        Activation::LeakyRelu(s) => {
            if z > 0.0 {
                (z, 1.0, 0.0)
            } else {
                (s * z, s, 0.0)
            }
        }
    }
}

fn lift(activation: Activation<f64>) -> Activation<Nested> {
    match activation {
        Activation::LeakyRelu(s) => Activation::LeakyRelu(Dual::constant(Dual::constant(s))),
        Activation::Identity => Activation::Identity,
        Activation::Sigmoid => Activation::Sigmoid,
        Activation::Tanh => Activation::Tanh,
        Activation::Relu => Activation::Relu,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0)
}

#[test]
fn every_activation_has_its_closed_form_second_derivative() {
    for activation in ACTIVATIONS {
        let nested = lift(activation);
        for z in [-3.0, -1.1, -0.2, 0.35, 0.9, 2.5] {
            let (f, df, d2f) = closed_form(activation, z);
            let y = nested.value(seeded(z));
            let ((value, first), (first_again, second)) = (
                (y.value().value(), y.value().derivative()),
                (y.derivative().value(), y.derivative().derivative()),
            );
            let at = format!("{activation:?} at {z}");
            assert!(close(value, f), "{at}: f = {value}, expected {f}");
            assert!(close(first, df), "{at}: f′ = {first}, expected {df}");
            assert_eq!(
                first.to_bits(),
                first_again.to_bits(),
                "{at}: ε₁ and ε₂ agree"
            );
            assert!(close(second, d2f), "{at}: f″ = {second}, expected {d2f}");
            // The backward pass's rule f′(z, a) differentiates too: (f′)′ = f″.
            let slope = nested.derivative(seeded(z), y);
            assert!(close(slope.value().derivative(), d2f), "{at}: (f′)′");
        }
    }
}

/// A network on `inputs` inputs whose hidden layer has `activation`.
fn network(inputs: usize, activation: Activation<f64>, seed: u64) -> Network<f64> {
    Network::builder(inputs)
        .dense(6, activation)
        .dense(4, Activation::Tanh)
        .dense(2, Activation::Sigmoid)
        .seed(seed)
        .build()
        .unwrap()
}

/// `J(x)·d` for each output of a one-row batch, by reverse mode.
fn first_derivative(net: &Network<f64>, x: &[f64], d: &[f64]) -> Vec<f64> {
    let j = jacobian(net, x).unwrap();
    j.chunks_exact(x.len())
        .map(|row| row.iter().zip(d).map(|(a, b)| a * b).sum())
        .collect()
}

fn check_network(net: &Network<f64>, x: &[f64], d: &[f64]) {
    let jets = input_jets(net, x, d).unwrap();
    let predicted = net.predict(x).unwrap();
    let first = first_derivative(net, x, d);
    let h = f64::EPSILON.cbrt() * x.iter().fold(1.0, |m: f64, v| m.max(v.abs()));
    let moved = |t: f64| -> Vec<f64> {
        let xt: Vec<f64> = x.iter().zip(d).map(|(x, d)| x + t * d).collect();
        first_derivative(net, &xt, d)
    };
    let (plus, minus) = (moved(h), moved(-h));
    for (k, jet) in jets.iter().enumerate() {
        let scale = jet.first.abs().max(1.0);
        assert!((jet.value - predicted[k]).abs() <= 1e-14 * predicted[k].abs().max(1.0));
        assert!(
            (jet.first - first[k]).abs() <= 1e-13 * scale,
            "output {k}: jets' first {:e}, reverse mode {:e}",
            jet.first,
            first[k]
        );
        let numeric = (plus[k] - minus[k]) / (2.0 * h);
        assert!(
            (jet.second - numeric).abs() <= 1e-8 + 1e-6 * numeric.abs(),
            "output {k}: jets' second {:e}, central difference {numeric:e}",
            jet.second
        );
    }
}

#[test]
fn a_networks_second_derivative_matches_differences_of_its_first() {
    for (seed, activation) in ACTIVATIONS.into_iter().enumerate() {
        let net = network(3, activation, seed as u64);
        check_network(&net, &[0.4, -0.7, 1.3], &[1.0, 0.5, -2.0]);
    }
}

#[test]
fn batches_give_every_row_its_own_jets() {
    let net = network(2, Activation::Tanh, 9);
    let rows = [0.1, 0.2, -1.0, 0.5, 0.7, -0.3];
    let jets = input_jets(&net, &rows, &[0.3, 1.0]).unwrap();
    for (r, row) in rows.chunks_exact(2).enumerate() {
        let alone = input_jets(&net, row, &[0.3, 1.0]).unwrap();
        assert_eq!(&jets[2 * r..2 * r + 2], &alone[..]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn smooth_networks_second_derivatives_match_at_random_points(
        x in proptest::collection::vec(-1.5f64..1.5, 2),
        d in proptest::collection::vec(-1.0f64..1.0, 2),
        seed in 0u64..1000,
        sigmoid in any::<bool>(),
    ) {
        let activation = if sigmoid { Activation::Sigmoid } else { Activation::Tanh };
        check_network(&network(2, activation, seed), &x, &d);
    }
}

#[test]
fn nested_duals_leave_plain_values_unchanged() {
    // The value part of a nested forward pass is the plain f64 pass's, up to the
    // vectorised tanh/sigmoid the f64 network uses (a few ulp).
    let net = network(3, Activation::Tanh, 4);
    let x = [0.25, -0.5, 0.75];
    let jets = input_jets(&net, &x, &[0.0, 0.0, 0.0]).unwrap();
    for (jet, y) in jets.iter().zip(net.predict(&x).unwrap()) {
        assert!((jet.value - y).abs() <= 8.0 * f64::EPSILON);
        assert_eq!((jet.first, jet.second), (0.0, 0.0));
    }
    assert!(net.params().iter().all(|p| p.is_finite()));
}
