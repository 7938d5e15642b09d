//! The Jacobian of a model's outputs with respect to its inputs, row by row.

use alloc::vec::Vec;
use num_traits::Float;

use super::{filled, product};
use crate::error::{Error, Quantity};
use crate::model::{batch_len, ensure_finite, Model};

/// `∂ŷ/∂x` for every row of a batch, laid out `[batch][outputs][inputs]`: entry
/// `(b, j, i)` at `(b · outputs + j) · inputs + i` is `∂ŷ_bj/∂x_bi`.
///
/// Row `b`'s block is `torch.autograd.functional.jacobian` of the model on that row
/// alone (a row's outputs depend on its own inputs only, so the cross-row blocks, all
/// zero, are left out).
///
/// # Math
///
/// One backward pass per output `j`, seeded with `∂L/∂ŷ_b = e_j` on every row, gives
/// every row's `∂L/∂x_b = Σ_k e_j,k ∂ŷ_bk/∂x_b = ∂ŷ_bj/∂x_b`: row `j` of each row's
/// Jacobian (docs/math.md, equation 33).
///
/// # Errors
///
/// [`Error::EmptyBatch`], [`Error::LengthMismatch`] if `inputs` is not a whole number of
/// rows, [`Error::NonFinite`] for a NaN or infinite input, [`Error::TooLarge`] if the
/// Jacobian cannot be allocated.
///
/// ```
/// use backprop::derivatives::jacobian;
/// use backprop::{Activation, Neuron};
///
/// // a = tanh(w₀x₀ + w₁x₁): ∂a/∂xᵢ = (1 − a²) wᵢ
/// let neuron = Neuron::from_weights(vec![0.5, -2.0]).with_activation(Activation::Tanh);
/// let j = jacobian(&neuron, &[1.0, 0.25])?;
/// assert_eq!(j, [1.0 * 0.5, 1.0 * -2.0]); // z = 0, a = 0
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn jacobian<T: Float, M: Model<T> + ?Sized>(model: &M, inputs: &[T]) -> Result<Vec<T>, Error> {
    let (n_in, n_out) = (model.input_len(), model.output_len());
    let rows = batch_len(inputs, n_in, Quantity::Input)?;
    ensure_finite(inputs, Quantity::Input)?;
    let block = product(n_out, n_in, Quantity::Input)?;
    let mut jac = filled(
        product(rows, block, Quantity::Input)?,
        T::zero(),
        Quantity::Input,
    )?;
    let mut outputs = filled(
        product(rows, n_out, Quantity::Input)?,
        T::zero(),
        Quantity::Input,
    )?;
    let mut seed = outputs.clone();
    let mut workspace = filled(model.workspace_len(rows), T::zero(), Quantity::Input)?;
    let mut grads = filled(model.params().len(), T::zero(), Quantity::Gradient)?;
    let mut input_grads = filled(inputs.len(), T::zero(), Quantity::Input)?;
    model.forward(inputs, &mut outputs, &mut workspace);
    for j in 0..n_out {
        // ∂L/∂ŷ_b = e_j on every row; backward overwrites it, so it is set anew.
        for (k, g) in seed.iter_mut().enumerate() {
            *g = if k % n_out == j { T::one() } else { T::zero() };
        }
        let dx = Some(&mut input_grads[..]);
        model.backward(inputs, &outputs, &mut seed, &mut workspace, &mut grads, dx);
        for (b, dx_b) in input_grads.chunks_exact(n_in).enumerate() {
            jac[b * block + j * n_in..][..n_in].copy_from_slice(dx_b);
        }
    }
    Ok(jac)
}
