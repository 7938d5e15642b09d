//! The full Hessian of the loss in the parameters, for small models.

use alloc::vec::Vec;
use num_traits::Float;

use super::{filled, product, HessianVectorProduct, Lift};
use crate::error::{Error, Quantity};
use crate::loss::Loss;
use crate::model::check_batch;
use crate::verify::Dual;

/// The Hessian `H = ∇²_θ L` of the mean loss over a batch, `n × n` row-major for `n`
/// parameters: PyTorch's `torch.autograd.functional.hessian`.
///
/// # Math
///
/// Column `i` is `H eᵢ`, one [`HessianVectorProduct`] (docs/math.md, equation 36); `H`
/// is symmetric, so row `i` is the same up to rounding: each column is computed on its
/// own, so `H[i][j]` and `H[j][i]` may differ in their last bits (as in PyTorch). `n`
/// products cost about `4n` gradients: meant for models of up to a few thousand
/// parameters.
///
/// # Errors
///
/// As [`HessianVectorProduct::compute`] for the batch, checked first; then
/// [`Error::TooLarge`] with [`Quantity::Hessian`] if `n²` values overflow `usize`, exceed
/// `isize::MAX` bytes or cannot be allocated (never an abort). The model is only read.
///
/// ```
/// use backprop::derivatives::hessian;
/// use backprop::{Mse, Neuron};
///
/// // L = (w₀x₀ + w₁x₁ + b − y)²: H = 2 (x₀, x₁, 1)ᵀ(x₀, x₁, 1)
/// let neuron = Neuron::from_weights(vec![0.5, -1.0]).with_bias(0.25);
/// let h = hessian(&neuron, &Mse, &[2.0, 3.0], &[1.0])?;
/// assert_eq!(h, [8.0, 12.0, 4.0, 12.0, 18.0, 6.0, 4.0, 6.0, 2.0]);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn hessian<T, M, L>(model: &M, loss: &L, inputs: &[T], targets: &[T]) -> Result<Vec<T>, Error>
where
    T: Float + Send + Sync + 'static,
    M: Lift<T>,
    L: Loss<T> + Loss<Dual<T>>,
{
    let rows = check_batch(model, loss, inputs, targets)?;
    let n = model.params().len();
    let mut h = hessian_buffer::<T>(n)?;
    let mut hvp = HessianVectorProduct::new(model, rows)?;
    let mut e = filled(n, T::zero(), Quantity::Direction)?;
    for (i, column) in h.chunks_exact_mut(n.max(1)).enumerate().take(n) {
        e[i] = T::one();
        // H is symmetric: H eᵢ is column i and row i alike.
        hvp.compute(model, loss, inputs, targets, &e, column)?;
        e[i] = T::zero();
    }
    Ok(h)
}

/// `n²` zeros, or [`Error::TooLarge`]: checked before anything is allocated.
fn hessian_buffer<T: Float>(n: usize) -> Result<Vec<T>, Error> {
    let len = product(n, n, Quantity::Hessian)?;
    let bytes = product(len, core::mem::size_of::<T>(), Quantity::Hessian)?;
    if bytes > isize::MAX as usize {
        return Err(Error::TooLarge {
            what: Quantity::Hessian,
        });
    }
    filled(len, T::zero(), Quantity::Hessian)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_beyond_memory_are_too_large_not_an_abort() {
        let too_large = Err(Error::TooLarge {
            what: Quantity::Hessian,
        });
        assert_eq!(hessian_buffer::<f64>(usize::MAX), too_large); // n² overflows
        assert_eq!(hessian_buffer::<f64>(1 << 31), too_large); // 2⁶² values: bytes overflow
        assert_eq!(hessian_buffer::<f64>(1 << 24), too_large); // 2¹¹ TB: the allocator says no
        assert_eq!(hessian_buffer::<f64>(2).map(|h| h.len()), Ok(4));
    }
}
