//! The backward pass against central finite differences of the loss.
//!
//! Step size h = cbrt(ε)·max(1, |θ|) ≈ 6e-6 balances the O(h²) truncation error of the
//! central difference against its O(ε/h) rounding error (both ≈ 4e-11 here). Parameters,
//! inputs and targets lie in [−2, 2], so losses and gradients are O(10²) at most; the test
//! allows 1e-6 absolute plus 1e-6 relative, orders of magnitude above the difference
//! error and orders below a sign error or a missing factor of 2.

use backprop::{Activation, ActivationFunction, Loss, Model, Mse, Neuron, Sgd, Trainer};
use proptest::prelude::*;

/// Every built-in activation (a leaky ReLU with slope 0.1).
pub(crate) const ACTIVATIONS: [Activation<f64>; 5] = [
    Activation::Identity,
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Relu,
    Activation::LeakyRelu(0.1),
];

/// The log-cosh loss, a user's own loss: `(1/n) Σ ln cosh(ŷ − y)`, gradient `tanh(ŷ − y)/n`.
struct LogCosh;

impl Loss<f64> for LogCosh {
    fn value(&self, prediction: &[f64], target: &[f64]) -> f64 {
        let n = prediction.len() as f64;
        prediction
            .iter()
            .zip(target)
            .map(|(p, y)| (p - y).cosh().ln())
            .sum::<f64>()
            / n
    }

    fn gradient(&self, prediction: &[f64], target: &[f64], grad: &mut [f64]) -> f64 {
        let n = prediction.len() as f64;
        for ((g, p), y) in grad.iter_mut().zip(prediction).zip(target) {
            *g = (p - y).tanh() / n;
        }
        self.value(prediction, target)
    }
}

/// The mean loss over a batch, as the trainer defines it, from the forward pass alone.
fn batch_loss<M: Model<f64>, L: Loss<f64>>(model: &M, loss: &L, xs: &[f64], ys: &[f64]) -> f64 {
    let out = model.output_len();
    let prediction = model.predict(xs).unwrap();
    let rows = ys.len() / out;
    prediction
        .chunks(out)
        .zip(ys.chunks(out))
        .map(|(p, y)| loss.value(p, y))
        .sum::<f64>()
        / rows as f64
}

/// Central differences of the batch loss with respect to every parameter.
fn numeric_gradient<M: Model<f64>, L: Loss<f64>>(
    model: &mut M,
    loss: &L,
    xs: &[f64],
    ys: &[f64],
) -> Vec<f64> {
    (0..model.params().len())
        .map(|i| {
            let theta = model.params()[i];
            let h = f64::EPSILON.cbrt() * theta.abs().max(1.0);
            model.params_mut()[i] = theta + h;
            let up = batch_loss(model, loss, xs, ys);
            model.params_mut()[i] = theta - h;
            let down = batch_loss(model, loss, xs, ys);
            model.params_mut()[i] = theta;
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// The trainer's gradient for one batch (read before its update is applied).
fn analytic_gradient<M, L>(model: M, loss: L, xs: &[f64], ys: &[f64]) -> Vec<f64>
where
    M: Model<f64>,
    L: Loss<f64>,
{
    let mut trainer = Trainer::new(model, loss, Sgd::new(1e-3)).unwrap();
    trainer.step_batch(xs, ys).unwrap();
    trainer.gradients().to_vec()
}

fn assert_close(analytic: &[f64], numeric: &[f64]) -> Result<(), TestCaseError> {
    for (i, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        let tolerance = 1e-6 + 1e-6 * a.abs().max(n.abs());
        prop_assert!(
            (a - n).abs() <= tolerance,
            "parameter {i}: backprop {a}, finite differences {n}"
        );
    }
    Ok(())
}

/// A random neuron (1–5 inputs, maybe a bias) with a batch of 1–4 samples.
fn neuron_case() -> impl Strategy<Value = (Vec<f64>, Option<f64>, Vec<f64>, Vec<f64>)> {
    (1usize..=5, 1usize..=4).prop_flat_map(|(inputs, batch)| {
        (
            prop::collection::vec(-2.0..2.0, inputs),
            prop::option::of(-2.0..2.0f64),
            prop::collection::vec(-2.0..2.0, inputs * batch),
            prop::collection::vec(-2.0..2.0, batch),
        )
    })
}

/// Whether any sample's pre-activation sits within `margin` of a ReLU kink.
fn near_kink(weights: &[f64], bias: Option<f64>, xs: &[f64], margin: f64) -> bool {
    xs.chunks(weights.len()).any(|x| {
        let z: f64 = weights.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + bias.unwrap_or(0.0);
        z.abs() < margin
    })
}

fn neuron(weights: &[f64], bias: Option<f64>, act: Activation<f64>) -> Neuron<f64> {
    let n = Neuron::from_weights(weights.to_vec()).with_activation(act);
    match bias {
        Some(b) => n.with_bias(b),
        None => n,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn neuron_gradient_matches_finite_differences(
        (weights, bias, xs, ys) in neuron_case(),
        which in 0usize..ACTIVATIONS.len(),
    ) {
        prop_assume!(!near_kink(&weights, bias, &xs, 1e-3));
        let act = ACTIVATIONS[which];
        let mut model = neuron(&weights, bias, act);
        let numeric = numeric_gradient(&mut model, &Mse, &xs, &ys);
        let analytic = analytic_gradient(model, Mse, &xs, &ys);
        assert_close(&analytic, &numeric)?;
    }

    #[test]
    fn custom_loss_gradient_matches_finite_differences(
        (weights, bias, xs, ys) in neuron_case(),
        which in 0usize..ACTIVATIONS.len(),
    ) {
        prop_assume!(!near_kink(&weights, bias, &xs, 1e-3));
        let mut model = neuron(&weights, bias, ACTIVATIONS[which]);
        let numeric = numeric_gradient(&mut model, &LogCosh, &xs, &ys);
        let analytic = analytic_gradient(model, LogCosh, &xs, &ys);
        assert_close(&analytic, &numeric)?;
    }

    /// The activations' own derivatives against central differences.
    #[test]
    fn activation_derivatives_match_finite_differences(
        z in -4.0..4.0f64,
        which in 0usize..ACTIVATIONS.len(),
    ) {
        prop_assume!(z.abs() > 1e-3);
        let act = ACTIVATIONS[which];
        let h = f64::EPSILON.cbrt() * z.abs().max(1.0);
        let numeric = (act.value(z + h) - act.value(z - h)) / (2.0 * h);
        assert_close(&[act.derivative(z, act.value(z))], &[numeric])?;
    }

    /// For the lecture's neuron, an update multiplies the error d = xw − y by
    /// 1 − 2·lr·x², so any 0 < lr < 1/x² never increases the loss.
    #[test]
    fn small_sgd_steps_never_increase_the_lectures_loss(
        w in -3.0..3.0f64,
        x in prop_oneof![-3.0..-0.1f64, 0.1..3.0f64],
        y in -3.0..3.0f64,
        fraction in 0.01..0.99f64,
    ) {
        let lr = fraction / (x * x);
        let mut trainer = Trainer::new(Neuron::new(w), Mse, Sgd::new(lr)).unwrap();
        let before = trainer.step(&[x], &[y]).unwrap().loss;
        let after = trainer.step(&[x], &[y]).unwrap().loss;
        prop_assert!(after <= before * (1.0 + 8.0 * f64::EPSILON), "{before} -> {after}");
    }
}
