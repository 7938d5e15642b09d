//! Checks a model's and a loss's analytic gradient against finite differences, like
//! `torch.autograd.gradcheck`.
//!
//! [`check`] runs one batch the way [`Trainer::step_batch`](crate::Trainer::step_batch)
//! does (forward, the loss's gradient averaged over the rows, backward), then perturbs
//! every parameter in turn and measures the batch's mean loss on either side. The
//! [`Report`] lists both gradients parameter by parameter, with their errors.
//!
//! # Math
//!
//! For the mean loss `L(θ) = (1/B) Σ_rows loss(f(x; θ), y)` and each parameter `θᵢ`:
//!
//! ```text
//! h       = ∛ε · max(1, |θᵢ|)                 (ε = T::epsilon(); balances truncation
//!                                               error O(h²) against rounding O(ε/h))
//! numeric = (L(θ + h eᵢ) − L(θ − h eᵢ)) / ((θᵢ + h) − (θᵢ − h))
//! abs     = |analytic − numeric|
//! rel     = abs / max(|analytic|, |numeric|)     (0 when both are 0)
//! ```
//!
//! The denominator is the step actually taken in floating point, not `2h`.
//!
//! # Example: checking a loss of your own
//!
//! ```
//! use backprop::gradcheck;
//! use backprop::{Activation, Loss, Network};
//!
//! /// log-cosh: L = (1/n) Σ ln cosh(ŷ − y), ∂L/∂ŷ = tanh(ŷ − y) / n.
//! struct LogCosh;
//!
//! impl Loss<f64> for LogCosh {
//!     fn value(&self, p: &[f64], y: &[f64]) -> f64 {
//!         p.iter().zip(y).map(|(p, y)| (p - y).cosh().ln()).sum::<f64>() / p.len() as f64
//!     }
//!     fn gradient(&self, p: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
//!         let n = p.len() as f64;
//!         for ((g, pi), yi) in grad.iter_mut().zip(p).zip(y) {
//!             *g = (pi - yi).tanh() / n;
//!         }
//!         self.value(p, y)
//!     }
//! }
//!
//! let mut net = Network::builder(2)
//!     .dense(4, Activation::Tanh)
//!     .dense(2, Activation::Identity)
//!     .seed(7)
//!     .build()?;
//! let inputs = [0.5, -1.0, 0.25, 2.0, -0.75, 0.1];
//! let targets = [1.0, 0.0, -0.5, 0.3, 0.2, 0.9];
//! let report = gradcheck::check(&mut net, &LogCosh, &inputs, &targets)?;
//! assert!(report.passes(1e-8, 1e-6), "worst: {:?}", report.worst_abs_error());
//! # Ok::<(), backprop::Error>(())
//! ```
//!
//! A loss whose gradient forgets the `1/n` fails the same check.

use alloc::vec::Vec;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::loss::{mean_loss_and_gradient, mean_over_rows, Loss};
use crate::model::{check_batch, ensure_finite, zeros, Model};

/// One parameter's two gradients and how far apart they are.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Entry<T> {
    /// The parameter's index in the model's flat layout.
    pub index: usize,
    /// `∂L/∂θᵢ` from the model's backward pass.
    pub analytic: T,
    /// `∂L/∂θᵢ` from central differences.
    pub numeric: T,
    /// `|analytic − numeric|`.
    pub abs_error: T,
    /// `abs_error / max(|analytic|, |numeric|)`, or 0 when both are 0.
    pub rel_error: T,
}

/// The result of [`check`]: one [`Entry`] per parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Report<T> {
    entries: Vec<Entry<T>>,
}

impl<T: Float> Report<T> {
    /// Every parameter's entry, in the model's layout.
    pub fn entries(&self) -> &[Entry<T>] {
        &self.entries
    }

    /// The entry with the largest absolute error (`None` for a model without parameters).
    pub fn worst_abs_error(&self) -> Option<&Entry<T>> {
        self.worst_by(|e| e.abs_error)
    }

    /// The entry with the largest relative error (`None` for a model without parameters).
    pub fn worst_rel_error(&self) -> Option<&Entry<T>> {
        self.worst_by(|e| e.rel_error)
    }

    /// Whether every parameter satisfies `abs_error ≤ abs_tol + rel_tol · |numeric|`,
    /// `torch.autograd.gradcheck`'s criterion with `atol = abs_tol`, `rtol = rel_tol`.
    pub fn passes(&self, abs_tol: T, rel_tol: T) -> bool {
        self.entries
            .iter()
            .all(|e| e.abs_error <= abs_tol + rel_tol * e.numeric.abs())
    }

    fn worst_by(&self, key: impl Fn(&Entry<T>) -> T) -> Option<&Entry<T>> {
        self.entries
            .iter()
            .reduce(|worst, e| if key(e) > key(worst) { e } else { worst })
    }
}

/// Compares `model`'s backpropagated gradient of `loss`'s batch mean with central finite
/// differences, on a batch of row-major `inputs` and `targets`.
///
/// The model is borrowed mutably to perturb one parameter at a time; its parameters are
/// restored bit for bit before this returns, with or without an error.
///
/// # Errors
///
/// [`Error::EmptyBatch`], [`Error::LengthMismatch`] for inputs that are not whole rows or
/// targets that do not match them, [`Error::NonFinite`] for a NaN or infinite input,
/// target or parameter, whatever [`Loss::check_targets`] refuses, and
/// [`Error::NonFinite`] with [`Quantity::Gradient`] or [`Quantity::Loss`] (indexed by
/// parameter) if the analytic gradient or a perturbed loss is not finite.
pub fn check<T, M, L>(
    model: &mut M,
    loss: &L,
    inputs: &[T],
    targets: &[T],
) -> Result<Report<T>, Error>
where
    T: Float,
    M: Model<T> + ?Sized,
    L: Loss<T> + ?Sized,
{
    let batch = check_batch(model, loss, inputs, targets)?;
    ensure_finite(model.params(), Quantity::Parameters)?;
    let mut pass = Pass::new(model, batch)?;
    let analytic = pass.analytic_gradient(model, loss, inputs, targets)?;
    let mut saved = zeros(model.params().len(), Quantity::Parameters)?;
    saved.copy_from_slice(model.params());
    let numeric = pass.numeric_gradient(model, loss, inputs, targets, &saved);
    model.params_mut().copy_from_slice(&saved);
    let entries = analytic
        .iter()
        .zip(numeric?)
        .enumerate()
        .map(|(index, (&analytic, numeric))| entry(index, analytic, numeric))
        .collect();
    Ok(Report { entries })
}

fn entry<T: Float>(index: usize, analytic: T, numeric: T) -> Entry<T> {
    let abs_error = (analytic - numeric).abs();
    let scale = analytic.abs().max(numeric.abs());
    let rel_error = if scale > T::zero() {
        abs_error / scale
    } else {
        T::zero()
    };
    Entry {
        index,
        analytic,
        numeric,
        abs_error,
        rel_error,
    }
}

/// The buffers of one forward/backward pass.
struct Pass<T> {
    outputs: Vec<T>,
    output_grads: Vec<T>,
    workspace: Vec<T>,
}

impl<T: Float> Pass<T> {
    /// The buffers for `batch` rows, or [`Error::TooLarge`] where they cannot be had.
    fn new<M: Model<T> + ?Sized>(model: &M, batch: usize) -> Result<Self, Error> {
        let outputs = batch
            .checked_mul(model.output_len())
            .ok_or(Error::TooLarge {
                what: Quantity::Input,
            })?;
        Ok(Self {
            outputs: zeros(outputs, Quantity::Input)?,
            output_grads: zeros(outputs, Quantity::Input)?,
            workspace: zeros(model.workspace_len(batch), Quantity::Input)?,
        })
    }

    /// Forward, `∂L/∂ŷ` scaled by `1/B` as the trainer does, backward.
    fn analytic_gradient<M: Model<T> + ?Sized, L: Loss<T> + ?Sized>(
        &mut self,
        model: &M,
        loss: &L,
        inputs: &[T],
        targets: &[T],
    ) -> Result<Vec<T>, Error> {
        model.forward(inputs, &mut self.outputs, &mut self.workspace);
        let out = model.output_len();
        mean_loss_and_gradient(loss, &self.outputs, targets, &mut self.output_grads, out);
        let mut grads = zeros(model.params().len(), Quantity::Gradient)?;
        model.backward(
            inputs,
            &self.outputs,
            &mut self.output_grads,
            &mut self.workspace,
            &mut grads,
            None,
        );
        ensure_finite(&grads, Quantity::Gradient)?;
        Ok(grads)
    }

    /// Central differences, one parameter at a time, each restored from `saved`.
    fn numeric_gradient<M: Model<T> + ?Sized, L: Loss<T> + ?Sized>(
        &mut self,
        model: &mut M,
        loss: &L,
        inputs: &[T],
        targets: &[T],
        saved: &[T],
    ) -> Result<Vec<T>, Error> {
        let cbrt_eps = T::epsilon().cbrt();
        let mut numeric = zeros(saved.len(), Quantity::Gradient)?;
        numeric.clear(); // its capacity stays: the loop below cannot abort
        for (i, &theta) in saved.iter().enumerate() {
            let h = cbrt_eps * theta.abs().max(T::one());
            let (up, down) = (theta + h, theta - h);
            model.params_mut()[i] = up;
            let loss_up = self.mean_loss(model, loss, inputs, targets);
            model.params_mut()[i] = down;
            let loss_down = self.mean_loss(model, loss, inputs, targets);
            model.params_mut()[i] = theta;
            if !(loss_up.is_finite() && loss_down.is_finite()) {
                return Err(Error::NonFinite {
                    what: Quantity::Loss,
                    index: i,
                });
            }
            numeric.push((loss_up - loss_down) / (up - down));
        }
        Ok(numeric)
    }

    /// `(1/B) Σ_rows loss`, summed in row order as the trainer does.
    fn mean_loss<M: Model<T> + ?Sized, L: Loss<T> + ?Sized>(
        &mut self,
        model: &M,
        loss: &L,
        inputs: &[T],
        targets: &[T],
    ) -> T {
        model.forward(inputs, &mut self.outputs, &mut self.workspace);
        mean_over_rows(loss, &self.outputs, targets, model.output_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Mse, Network, Neuron};

    /// Mse whose gradient forgets the 1/n: a bug the check must catch.
    struct ForgetfulMse;

    impl Loss<f64> for ForgetfulMse {
        fn value(&self, p: &[f64], y: &[f64]) -> f64 {
            Mse.value(p, y)
        }
        fn gradient(&self, p: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
            for ((g, p), y) in grad.iter_mut().zip(p).zip(y) {
                *g = 2.0 * (p - y);
            }
            self.value(p, y)
        }
    }

    fn net() -> Network<f64> {
        Network::builder(2)
            .dense(3, Activation::Sigmoid)
            .dense(2, Activation::Identity)
            .seed(1)
            .build()
            .unwrap()
    }

    #[test]
    fn the_lecture_neuron_passes_with_its_known_gradient() {
        let mut neuron = Neuron::new(0.7);
        let report = check(&mut neuron, &Mse, &[1.2], &[0.4]).unwrap();
        let e = report.entries()[0];
        assert_eq!(e.analytic, 2.0 * (0.84 - 0.4) * 1.2);
        // the loss is quadratic in w: central differences are exact up to rounding
        approx::assert_relative_eq!(e.numeric, e.analytic, max_relative = 1e-9);
        assert!(report.passes(1e-9, 1e-7));
    }

    #[test]
    fn a_wrong_loss_gradient_fails_and_the_model_is_restored() {
        let mut model = net();
        let before = model.clone();
        let inputs = [0.3, -0.8, 1.1, 0.4];
        let targets = [0.5, -0.5, 0.0, 1.0];
        assert!(check(&mut model, &Mse, &inputs, &targets)
            .unwrap()
            .passes(1e-9, 1e-6));
        let report = check(&mut model, &ForgetfulMse, &inputs, &targets).unwrap();
        assert!(!report.passes(1e-6, 1e-3));
        // twice the true gradient: relative error 1/2 wherever the gradient is not 0
        let worst = report.worst_rel_error().unwrap();
        approx::assert_relative_eq!(worst.rel_error, 0.5, max_relative = 1e-5);
        assert_eq!(model.params(), before.params());
    }

    #[test]
    fn bad_input_is_an_error_and_changes_nothing() {
        let mut model = net();
        let before = model.clone();
        let wrong_targets = check(&mut model, &Mse, &[0.3, -0.8], &[0.5]);
        assert!(matches!(
            wrong_targets.unwrap_err(),
            Error::LengthMismatch {
                what: Quantity::Target,
                expected: 2,
                actual: 1
            }
        ));
        assert_eq!(
            check(&mut model, &Mse, &[], &[]).unwrap_err(),
            Error::EmptyBatch
        );
        assert_eq!(
            check(&mut model, &Mse, &[0.3, f64::NAN], &[0.5, 0.5]).unwrap_err(),
            Error::NonFinite {
                what: Quantity::Input,
                index: 1
            }
        );
        assert_eq!(model, before);
    }
}
