//! The one-output dense kernel a [`Neuron`](crate::Neuron) runs: a matrix–vector product.
//!
//! For a layer with one output, `dense::forward`, `dense::backward_params` and
//! `dense::backward_inputs` reduce to `z_b = w·x_b + b` per row, `∂L/∂w = Σ_b δ_b x_b` and
//! `∂L/∂x_b = δ_b w`. This computes exactly that, but walks the batch by splitting slices
//! instead of `chunks_exact` (no integer division per call) and is small enough to inline
//! into the trainer's step: a one-sample step costs little beyond its arithmetic.
//!
//! Two differences from the plain dense kernel:
//! - a row of 16 inputs or more (32 for `f32`) is summed in independent partial sums (see
//!   [`dot`]), which rounds differently from one running sum;
//! - the first row's gradient and the input gradients (one product each) are stored, not
//!   added to a zero, so a result that is exactly zero may keep the sign of its product
//!   (`−0`) where the dense kernel gives `+0`. (A `−0` changes no later non-zero value:
//!   `w − lr·(−0) = w`.)
//!
//! Every other value is identical bit for bit; `tests` below check both kernels against
//! each other.

use num_traits::Float;

use crate::activation::ActivationFunction;
use crate::kernel::pairwise_sum_apart;

/// `z_b = w·x_b (+ bias)` and `a_b = f(z_b)` for every row `x_b` of `inputs`.
///
/// # Panics
///
/// If `inputs` holds fewer than `pre.len()` rows of `weights.len()` values.
#[inline(always)]
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
#[inline(always)]
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
#[inline(always)]
pub(crate) fn backward_params<T: Float, A: ActivationFunction<T>>(
    activation: &A,
    (inputs, pre, out): (&[T], &[T], &[T]),
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
#[inline(always)]
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
#[inline(always)]
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

/// `Σ wᵢ xᵢ` in independent partial sums, so the compiler keeps them in vector registers
/// (one running sum is a chain of dependent additions that cannot vectorise): 32 for a
/// 4-byte type such as `f32`, 16 otherwise, two AVX-512 registers' worth, so two chains of
/// additions overlap. Below that many inputs it is the plain sum from the first product.
#[inline(always)]
fn dot<T: Float>(w: &[T], x: &[T]) -> T {
    if let ([wi], [xi, ..]) = (w, x) {
        return *wi * *xi; // one input: no loop to set up
    }
    if core::mem::size_of::<T>() <= 4 {
        dot_in_lanes::<T, 32>(w, x)
    } else {
        dot_in_lanes::<T, 16>(w, x)
    }
}

/// Lane `l` sums the products `p ≡ l (mod L)` of the first `n − n mod L`; the lanes are
/// added pairwise (`l` and `l + L/2`, halving), then the last `n mod L` products in order.
/// Below `L` products, the plain sum from the first.
#[inline(always)]
fn dot_in_lanes<T: Float, const L: usize>(w: &[T], x: &[T]) -> T {
    let n = w.len().min(x.len());
    let (w, x) = (&w[..n], &x[..n]);
    if n < L {
        let mut terms = w.iter().zip(x).map(|(&wi, &xi)| wi * xi);
        let first = terms.next().unwrap_or_else(T::zero);
        return terms.fold(first, |acc, term| acc + term);
    }
    let whole = n - n % L;
    let mut lanes = [T::zero(); L];
    for (w, x) in w[..whole].chunks_exact(L).zip(x.chunks_exact(L)) {
        for ((lane, &wi), &xi) in lanes.iter_mut().zip(w).zip(x) {
            *lane = *lane + wi * xi;
        }
    }
    let tail = w[whole..].iter().zip(&x[whole..]);
    tail.fold(pairwise_sum_apart(lanes), |sum, (&wi, &xi)| sum + wi * xi)
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
            // Below 16 inputs bit for bit; from 16 on the dot product sums in lanes, within
            // rounding of the plain loop's single running sum.
            for (inputs, batch, bias) in [
                (1, 1, false),
                (3, 5, true),
                (7, 4, false),
                (17, 4, true),
                (256, 3, true),
            ] {
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
                let io = (&x[..], &pre2[..], &out2[..]);
                backward_params(&activation, io, &mut delta2, &mut grads2, bias);

                let mut input_grads = vec![f64::NAN; x.len()];
                dense.backward_inputs(&params, &delta, &mut input_grads);
                let mut input_grads2 = vec![f64::NAN; x.len()];
                backward_inputs(w, &delta2, &mut input_grads2);

                if inputs < 16 {
                    assert_eq!((pre2, out2), (pre.clone(), out.clone()), "{activation:?}");
                    assert_eq!((delta2, grads2), (delta, grads), "{activation:?}");
                    assert_eq!(input_grads2, input_grads, "{activation:?}");
                } else {
                    // |x|, |w| ≤ 1: a sum of n products rounds within 2 n ε n.
                    let bound = 2.0 * (inputs * inputs) as f64 * f64::EPSILON;
                    let pairs = [
                        (&pre2, &pre),
                        (&out2, &out),
                        (&delta2, &delta),
                        (&grads2, &grads),
                    ];
                    for (fast, plain) in pairs {
                        for (a, b) in fast.iter().zip(plain.iter()) {
                            assert!((a - b).abs() <= bound, "{activation:?} {inputs}: {a} {b}");
                        }
                    }
                    assert_ne!(pre2, pre, "{inputs} inputs: the lanes round differently");
                }
            }
        }
    }

    /// The lanes' sum is the definition on values whose sums are exact (small integers),
    /// for lengths around the lane counts.
    #[test]
    fn dot_in_lanes_is_the_sum() {
        for n in [0, 1, 2, 7, 8, 9, 15, 16, 17, 33, 256, 259] {
            let w: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
            let x: Vec<f64> = (0..n).map(|i| ((i * 5) % 13) as f64 - 6.0).collect();
            let expected: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
            assert_eq!(dot(&w, &x), expected, "f64, {n}");
            let w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            assert_eq!(dot(&w32, &x32) as f64, expected, "f32, {n}");
        }
    }
}
