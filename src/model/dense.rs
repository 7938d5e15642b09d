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
//! These are matrix products over the whole batch, and element-wise activations over
//! whole slices; the caller picks the [`Kernels`] that run them: the fast ones (blocked
//! SIMD products, vectorised tanh and sigmoid for `f32` and `f64`; they need `'static`
//! types) or the plain loops (any `Float`).

use num_traits::Float;

use crate::activation::ActivationFunction;
use crate::kernel::{on_widest_vectors, Kernels, MatRef, Sizes};

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

/// One dense layer as the passes see it: its shape, its activation, and the kernels
/// that run its products and its activation.
pub(crate) struct Dense<'a, T, A> {
    pub shape: DenseShape,
    pub activation: &'a A,
    pub kernels: Kernels<T, A>,
}

impl<T: Float, A: ActivationFunction<T>> Dense<'_, T, A> {
    /// `Z = X Wᵀ + b` and `A = f(Z)`; `pre` receives `Z`, `out` receives `A`.
    ///
    /// `weights_t` is `Wᵀ` (`inputs × outputs`, row-major), if the caller copied it
    /// because [`transposes`](Self::transposes) said the product runs faster on it.
    pub fn forward(
        &self,
        params: &[T],
        inputs: &[T],
        (pre, out): (&mut [T], &mut [T]),
        weights_t: Option<&[T]>,
    ) {
        let shape = self.shape;
        let (weights, bias) = params.split_at(shape.inputs * shape.outputs);
        let batch = inputs.len() / shape.inputs;
        let x = MatRef::row_major(inputs, batch, shape.inputs);
        match weights_t {
            Some(w_t) => {
                let w_t = MatRef::row_major(&w_t[..weights.len()], shape.inputs, shape.outputs);
                (self.kernels.matmul)(x, w_t, pre);
            }
            None => {
                let w = MatRef::row_major(weights, shape.outputs, shape.inputs);
                (self.kernels.matmul)(x, w.t(), pre);
            }
        }
        on_widest_vectors(
            pre.len(),
            #[inline(always)]
            || {
                if shape.bias {
                    // Added after the product, as `dot(w, x) + b`: the bias is the last term.
                    for z_row in pre.chunks_exact_mut(shape.outputs) {
                        for (z, &b) in z_row.iter_mut().zip(bias) {
                            *z = *z + b;
                        }
                    }
                }
                (self.kernels.activate)(self.activation, pre, out);
            },
        );
    }

    /// Whether the forward pass over `rows` rows runs faster on a copy of `Wᵀ` (then
    /// [`transpose`](crate::kernel::transpose) makes it, once for all the rows of a pass).
    pub fn transposes(&self, rows: usize) -> bool {
        (self.kernels.wants_contiguous)(Sizes {
            rows,
            inner: self.shape.inputs,
            cols: self.shape.outputs,
        })
    }

    /// Equations (4)–(6): turns `delta` from `∂L/∂A` into `∂L/∂Z` in place and writes the
    /// layer's parameter gradient into `grads` (same layout as its parameters).
    pub fn backward_params(
        &self,
        inputs: &[T],
        (pre, out): (&[T], &[T]),
        delta: &mut [T],
        grads: &mut [T],
    ) {
        let shape = self.shape;
        on_widest_vectors(
            delta.len(),
            #[inline(always)]
            || self.activation.backward_slice(pre, out, delta),
        );
        let (grad_w, grad_b) = grads.split_at_mut(shape.inputs * shape.outputs);
        let batch = inputs.len() / shape.inputs;
        let d = MatRef::row_major(&*delta, batch, shape.outputs);
        let x = MatRef::row_major(inputs, batch, shape.inputs);
        (self.kernels.matmul)(d.t(), x, grad_w);
        grad_b.iter_mut().for_each(|g| *g = T::zero());
        if shape.bias {
            on_widest_vectors(
                delta.len(),
                #[inline(always)]
                || {
                    for d_row in delta.chunks_exact(shape.outputs) {
                        for (g, &d) in grad_b.iter_mut().zip(d_row) {
                            *g = *g + d;
                        }
                    }
                },
            );
        }
    }

    /// Equation (7): `∂L/∂X = Δ W`, the gradient handed to the layer below.
    pub fn backward_inputs(&self, params: &[T], delta: &[T], input_grads: &mut [T]) {
        let shape = self.shape;
        let weights = &params[..shape.inputs * shape.outputs];
        let batch = delta.len() / shape.outputs;
        (self.kernels.matmul)(
            MatRef::row_major(delta, batch, shape.outputs),
            MatRef::row_major(weights, shape.outputs, shape.inputs),
            input_grads,
        );
    }
}
