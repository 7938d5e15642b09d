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
        // Added after the product, as `dot(w, x) + b`: the bias is the last term.
        let bias = shape.bias.then_some(bias);
        match weights_t {
            Some(w_t) => {
                let w_t = MatRef::row_major(&w_t[..weights.len()], shape.inputs, shape.outputs);
                (self.kernels.matmul)(x, w_t, pre, bias);
            }
            None => {
                let w = MatRef::row_major(weights, shape.outputs, shape.inputs);
                (self.kernels.matmul)(x, w.t(), pre, bias);
            }
        }
        (self.kernels.activate)(self.activation, pre, out);
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
        (self.kernels.matmul)(d.t(), x, grad_w, None);
        if shape.bias {
            on_widest_vectors(
                delta.len(),
                #[inline(always)]
                || column_sums(delta, grad_b),
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
            None,
        );
    }
}

/// Equation (6), `∂L/∂b = Σ_rows Δ`: `sums[j]` is column `j` of the row-major `delta`
/// summed from the first row to the last, the order (and so the bits) of a plain loop.
///
/// The sums run [`SUM_COLUMNS`] columns at a time in an array the compiler keeps in
/// registers: a sum kept in `sums` itself would be stored and loaded back every row,
/// each addition waiting on the store before it (6 % of a 16-64-64-1 step at 1024 rows).
#[inline(always)]
fn column_sums<T: Float>(delta: &[T], sums: &mut [T]) {
    let mut start = 0;
    start = column_blocks::<T, SUM_COLUMNS>(delta, sums, start);
    start = column_blocks::<T, 16>(delta, sums, start);
    start = column_blocks::<T, 4>(delta, sums, start);
    column_blocks::<T, 1>(delta, sums, start);
}

/// Columns summed at a time by [`column_sums`]: four AVX-512 registers of `f32`.
const SUM_COLUMNS: usize = 64;

/// [`column_sums`] for as many blocks of `W` columns as fit from column `start`; returns
/// the first column left.
#[inline(always)]
fn column_blocks<T: Float, const W: usize>(delta: &[T], sums: &mut [T], start: usize) -> usize {
    let width = sums.len();
    let mut start = start;
    while start + W <= width {
        let mut acc = [T::zero(); W];
        for row in delta.chunks_exact(width) {
            let values: &[T; W] = row[start..start + W].try_into().expect("W columns");
            for (sum, &d) in acc.iter_mut().zip(values) {
                *sum = *sum + d;
            }
        }
        sums[start..start + W].copy_from_slice(&acc);
        start += W;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Column sums as equation (6) reads: one running sum per column, row after row.
    fn plain_column_sums(delta: &[f64], width: usize) -> Vec<f64> {
        let mut sums = alloc::vec![0.0; width];
        for row in delta.chunks_exact(width) {
            for (sum, &d) in sums.iter_mut().zip(row) {
                *sum += d;
            }
        }
        sums
    }

    #[test]
    fn column_sums_have_the_bits_of_the_row_order_loop() {
        // Widths through every block size and every tail; values whose sums round
        // differently in another order (a large value among small ones).
        for width in [1, 3, 4, 5, 15, 16, 17, 20, 63, 64, 65, 81, 100, 128, 150] {
            for rows in [1, 2, 7, 33] {
                let delta: Vec<f64> = (0..rows * width)
                    .map(|i| {
                        let v = (i as f64 * 0.618_033).sin() * 1e-3;
                        if i % 7 == 3 {
                            v + 1e8
                        } else {
                            v
                        }
                    })
                    .collect();
                let mut sums = alloc::vec![f64::NAN; width];
                column_sums(&delta, &mut sums);
                let plain = plain_column_sums(&delta, width);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&sums), bits(&plain), "width {width}, rows {rows}");
            }
        }
    }
}
