//! Mean squared error.

use num_traits::Float;

use super::Loss;
use crate::cast::cast;

/// Mean squared error over the outputs of a sample (PyTorch's `nn.MSELoss`).
///
/// # Math
///
/// For `n` outputs, with `dᵢ = ŷᵢ − yᵢ`:
///
/// ```text
/// L      = (1/n) Σᵢ dᵢ²
/// ∂L/∂ŷᵢ = (2/n) dᵢ
/// ```
///
/// For one output this is the lecture's `(a − y)²` and `2(a − y)`, computed in the same
/// order (`d·d`, `2·d`), so f64 results match the lecture bit for bit.
///
/// ```
/// use backprop::{Loss, Mse};
///
/// assert_eq!(Mse.value(&[1.0, 3.0], &[0.0, 1.0]), 2.5); // (1 + 4) / 2
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mse;

impl<T: Float> Loss<T> for Mse {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        assert_eq!(prediction.len(), target.len(), "prediction and target");
        let sum = prediction
            .iter()
            .zip(target)
            .fold(T::zero(), |acc, (&p, &y)| {
                let d = p - y;
                acc + d * d
            });
        sum / cast(prediction.len())
    }

    #[inline]
    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        if let ([p], [y], [g]) = (prediction, target, &mut *grad) {
            // One output: the loop's arithmetic (2/1 = 2, d·d/1 = d·d) without its divisions.
            let d = *p - *y;
            *g = (T::one() + T::one()) * d;
            return d * d;
        }
        mean_and_gradient(prediction, target, grad)
    }
}

/// [`Mse`]'s loss and gradient over several outputs, out of line so that the one-output
/// case above inlines alone.
#[inline(never)]
fn mean_and_gradient<T: Float>(prediction: &[T], target: &[T], grad: &mut [T]) -> T {
    assert_eq!(prediction.len(), target.len(), "prediction and target");
    assert_eq!(prediction.len(), grad.len(), "prediction and gradient");
    let n = cast::<T>(prediction.len());
    let scale = (T::one() + T::one()) / n;
    let mut sum = T::zero();
    for ((g, &p), &y) in grad.iter_mut().zip(prediction).zip(target) {
        let d = p - y;
        sum = sum + d * d;
        *g = scale * d;
    }
    sum / n
}
