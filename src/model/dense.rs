//! The dense (fully connected) layer kernel shared by every model.
//!
//! One layer maps a batch `X` (rows = samples, `batch × n_in`) through weights `W`
//! (`n_out × n_in`, row-major, PyTorch's `nn.Linear` layout) and an optional bias `b`:
//!
//! ```text
//! Z = X Wᵀ + b                      (pre-activations, batch × n_out)
//! A = f(Z)                          (element-wise activation)
//! ```
//!
//! Given `G = ∂L/∂A`, the chain rule gives (docs/math.md, equations 4–7):
//!
//! ```text
//! Δ      = G ⊙ f'(Z)                (4)  ∂L/∂Z
//! ∂L/∂W  = Δᵀ X                     (5)
//! ∂L/∂b  = Σ_rows Δ                 (6)
//! ∂L/∂X  = Δ W                      (7)  handed to the layer below as its G
//! ```
//!
//! These are matrix products over the whole batch, so a fast kernel can replace the loops
//! below without changing any public shape.

use num_traits::Float;

use crate::activation::ActivationFunction;

/// The sizes of one dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DenseShape {
    pub inputs: usize,
    pub outputs: usize,
    pub bias: bool,
}

impl DenseShape {
    /// Parameters: the weight matrix, then the bias.
    pub fn param_len(&self) -> usize {
        self.inputs * self.outputs + if self.bias { self.outputs } else { 0 }
    }
}

/// `Z = X Wᵀ + b` and `A = f(Z)`; `pre` receives `Z`, `out` receives `A`.
pub(crate) fn forward<T: Float, A: ActivationFunction<T>>(
    shape: DenseShape,
    params: &[T],
    activation: &A,
    inputs: &[T],
    pre: &mut [T],
    out: &mut [T],
) {
    let (weights, bias) = params.split_at(shape.inputs * shape.outputs);
    let rows = inputs.chunks_exact(shape.inputs);
    for ((x, z_row), a_row) in rows
        .zip(pre.chunks_exact_mut(shape.outputs))
        .zip(out.chunks_exact_mut(shape.outputs))
    {
        for (o, w) in weights.chunks_exact(shape.inputs).enumerate() {
            let mut z = dot(w, x);
            if shape.bias {
                z = z + bias[o];
            }
            z_row[o] = z;
            a_row[o] = activation.value(z);
        }
    }
}

/// Equations (4)–(6): turns `delta` from `∂L/∂A` into `∂L/∂Z` in place and writes the
/// layer's parameter gradient into `grads` (same layout as its parameters).
pub(crate) fn backward_params<T: Float, A: ActivationFunction<T>>(
    shape: DenseShape,
    activation: &A,
    inputs: &[T],
    pre: &[T],
    out: &[T],
    delta: &mut [T],
    grads: &mut [T],
) {
    for ((d, &z), &a) in delta.iter_mut().zip(pre).zip(out) {
        *d = *d * activation.derivative(z, a);
    }
    let (grad_w, grad_b) = grads.split_at_mut(shape.inputs * shape.outputs);
    grad_w.iter_mut().for_each(|g| *g = T::zero());
    grad_b.iter_mut().for_each(|g| *g = T::zero());
    for (x, d_row) in inputs
        .chunks_exact(shape.inputs)
        .zip(delta.chunks_exact(shape.outputs))
    {
        for (g_row, &d) in grad_w.chunks_exact_mut(shape.inputs).zip(d_row) {
            for (g, &xi) in g_row.iter_mut().zip(x) {
                *g = *g + d * xi;
            }
        }
        for (g, &d) in grad_b.iter_mut().zip(d_row) {
            *g = *g + d;
        }
    }
}

/// Equation (7): `∂L/∂X = Δ W`, the gradient handed to the layer below.
pub(crate) fn backward_inputs<T: Float>(
    shape: DenseShape,
    params: &[T],
    delta: &[T],
    input_grads: &mut [T],
) {
    let weights = &params[..shape.inputs * shape.outputs];
    for (gx, d_row) in input_grads
        .chunks_exact_mut(shape.inputs)
        .zip(delta.chunks_exact(shape.outputs))
    {
        gx.iter_mut().for_each(|g| *g = T::zero());
        for (w, &d) in weights.chunks_exact(shape.inputs).zip(d_row) {
            for (g, &wi) in gx.iter_mut().zip(w) {
                *g = *g + d * wi;
            }
        }
    }
}

/// `Σ wᵢ xᵢ`, summed from the first term on, so one input gives exactly `w·x`.
fn dot<T: Float>(w: &[T], x: &[T]) -> T {
    w.iter()
        .zip(x)
        .fold(T::zero(), |acc, (&wi, &xi)| acc + wi * xi)
}
