//! The one-output dense kernel a [`Neuron`](crate::Neuron) runs: a matrix–vector product.
//!
//! For a layer with one output, `dense::forward`, `dense::backward_params` and
//! `dense::backward_inputs` reduce to `z_b = w·x_b + b` per row, `∂L/∂w = Σ_b δ_b x_b` and
//! `∂L/∂x_b = δ_b w`. This computes exactly that, in the same order of operations, but
//! walks the batch by splitting slices instead of `chunks_exact` (no integer division per
//! call) and is small enough to inline into the trainer's step: a one-sample step costs
//! little beyond its arithmetic.
//!
//! One difference from the dense kernel: the first product of a dot product, the first
//! row's gradient and the input gradients (one product each) are stored, not added to a
//! zero, so a result that is exactly zero may keep the sign of its product (`−0`) where
//! the dense kernel gives `+0`. Every other value is identical bit for bit; `tests` below
//! check both kernels against each other. (A `−0` changes no later non-zero value:
//! `w − lr·(−0) = w`.)

use num_traits::Float;

use crate::activation::ActivationFunction;

/// `z_b = w·x_b (+ bias)` and `a_b = f(z_b)` for every row `x_b` of `inputs`.
///
/// # Panics
///
/// If `inputs` holds fewer than `pre.len()` rows of `weights.len()` values.
#[inline]
pub(crate) fn forward<T: Float, A: ActivationFunction<T>>(
    weights: &[T],
    bias: Option<T>,
    activation: &A,
    inputs: &[T],
    pre: &mut [T],
    out: &mut [T],
) {
    let mut rows = inputs;
    for (z, a) in pre.iter_mut().zip(out.iter_mut()) {
        let (x, rest) = rows.split_at(weights.len());
        rows = rest;
        *z = pre_activation(weights, bias, x);
        *a = activation.value(*z);
    }
}

/// `z = w·x (+ bias)` for one row `x`.
#[inline]
pub(crate) fn pre_activation<T: Float>(weights: &[T], bias: Option<T>, x: &[T]) -> T {
    let sum = dot(weights, x);
    match bias {
        Some(b) => sum + b,
        None => sum,
    }
}

/// Turns `delta` from `∂L/∂a` into `∂L/∂z` in place and writes `[∂L/∂w.., ∂L/∂b]`
/// (the bias entry only if `grads` has one more value than a row of `inputs`).
///
/// # Panics
///
/// If `grads` is empty, or `inputs` holds fewer than `delta.len()` rows.
#[inline]
pub(crate) fn backward_params<T: Float, A: ActivationFunction<T>>(
    activation: &A,
    inputs: &[T],
    pre: &[T],
    out: &[T],
    delta: &mut [T],
    grads: &mut [T],
    has_bias: bool,
) {
    let width = grads.len() - usize::from(has_bias);
    let (grad_w, grad_b) = grads.split_at_mut(width);
    let mut samples = delta.iter_mut().zip(pre).zip(out);
    // The first sample's products are stored, the others' added: no zeroing pass.
    let Some(((d, &z), &a)) = samples.next() else {
        grad_w.iter_mut().chain(grad_b).for_each(|g| *g = T::zero());
        return;
    };
    let (x, mut rows) = inputs.split_at(width);
    *d = activation.backward(z, a, *d);
    store_gradient(x, *d, grad_w, grad_b);
    for ((d, &z), &a) in samples {
        let (x, rest) = rows.split_at(width);
        rows = rest;
        *d = activation.backward(z, a, *d);
        let d = *d;
        for (g, &xi) in grad_w.iter_mut().zip(x) {
            *g = *g + d * xi;
        }
        if let Some(g) = grad_b.first_mut() {
            *g = *g + d;
        }
    }
}

/// Writes one row's gradient `∂L/∂b = δ` into `grad_b`'s value, if it has one, and
/// `∂L/∂w = δ·x` into `grad_w`.
#[inline]
pub(crate) fn store_gradient<T: Float>(x: &[T], delta: T, grad_w: &mut [T], grad_b: &mut [T]) {
    if let Some(g) = grad_b.first_mut() {
        *g = delta;
    }
    for (g, &xi) in grad_w.iter_mut().zip(x) {
        *g = delta * xi;
    }
}

/// Writes `∂L/∂x_b = δ_b · w` for every row `b` into `input_grads` (rows as wide as
/// `weights`), given `delta` as [`backward_params`] leaves it: `∂L/∂z`, one per row.
///
/// # Panics
///
/// If `input_grads` holds fewer than `delta.len()` rows.
#[inline]
pub(crate) fn backward_inputs<T: Float>(weights: &[T], delta: &[T], input_grads: &mut [T]) {
    let mut rows = input_grads;
    for &d in delta {
        let (g, rest) = core::mem::take(&mut rows).split_at_mut(weights.len());
        rows = rest;
        for (g, &wi) in g.iter_mut().zip(weights) {
            *g = d * wi;
        }
    }
}

/// `Σ wᵢ xᵢ`, summed left to right from the first product, as `dense::dot` (which adds
/// that product to a zero: the same value, up to the sign of a zero sum).
#[inline]
fn dot<T: Float>(w: &[T], x: &[T]) -> T {
    if let ([wi], [xi, ..]) = (w, x) {
        return *wi * *xi; // one input: no unrolled loop to set up
    }
    let mut terms = w.iter().zip(x).map(|(&wi, &xi)| wi * xi);
    let first = terms.next().unwrap_or_else(T::zero);
    terms.fold(first, |acc, term| acc + term)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::kernel::Kernels;
    use crate::model::dense::{Dense, DenseShape};
    use alloc::vec;
    use alloc::vec::Vec;

    /// Deterministic, varied values in roughly [−1, 1].
    fn values(len: usize, seed: f64) -> Vec<f64> {
        (0..len).map(|i| (i as f64 * 0.618 + seed).sin()).collect()
    }

    #[test]
    fn agrees_with_the_dense_kernel_for_one_output() {
        let activations = [
            Activation::Identity,
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Relu,
            Activation::LeakyRelu(0.1),
        ];
        for activation in activations {
            for (inputs, batch, bias) in [(1, 1, false), (3, 5, true), (17, 4, false)] {
                let shape = DenseShape {
                    inputs,
                    outputs: 1,
                    bias,
                };
                let params = values(shape.param_len(), 0.3);
                let x = values(inputs * batch, 1.7);
                let upstream = values(batch, 2.9);

                let (mut pre, mut out) = (vec![0.0; batch], vec![0.0; batch]);
                let dense = Dense {
                    shape,
                    activation: &activation,
                    kernels: Kernels::plain(),
                };
                dense.forward(&params, &x, (&mut pre, &mut out), None);
                let (mut delta, mut grads) = (upstream.clone(), vec![0.0; params.len()]);
                dense.backward_params(&x, (&pre, &out), &mut delta, &mut grads);

                let (w, b) = params.split_at(inputs);
                let (mut pre2, mut out2) = (vec![0.0; batch], vec![0.0; batch]);
                forward(w, b.first().copied(), &activation, &x, &mut pre2, &mut out2);
                let (mut delta2, mut grads2) = (upstream.clone(), vec![0.0; params.len()]);
                backward_params(
                    &activation,
                    &x,
                    &pre2,
                    &out2,
                    &mut delta2,
                    &mut grads2,
                    bias,
                );

                let mut input_grads = vec![f64::NAN; x.len()];
                dense.backward_inputs(&params, &delta, &mut input_grads);
                let mut input_grads2 = vec![f64::NAN; x.len()];
                backward_inputs(w, &delta2, &mut input_grads2);

                assert_eq!((pre2, out2), (pre.clone(), out.clone()), "{activation:?}");
                assert_eq!((delta2, grads2), (delta, grads), "{activation:?}");
                assert_eq!(input_grads2, input_grads, "{activation:?}");
            }
        }
    }
}
