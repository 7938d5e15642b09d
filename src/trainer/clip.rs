//! Gradient clipping: bound the gradient before the optimizer sees it.

use num_traits::Float;

use crate::cast::cast;
use crate::error::{check_not_below_zero, Error, Quantity};

/// Scales the gradient down so its global 2-norm is at most about `max_norm`, and returns
/// the norm it had (PyTorch's `torch.nn.utils.clip_grad_norm_` with `norm_type = 2`).
///
/// # Math
///
/// ```text
/// total_norm = √(Σᵢ gᵢ²)
/// clip_coef  = min(max_norm / (total_norm + 1e-6), 1)
/// gᵢ        ← gᵢ · clip_coef
/// ```
///
/// PyTorch's rule, 1e-6 included: a gradient of norm exactly `max_norm` still shrinks by
/// the factor `max_norm / (max_norm + 1e-6)`. The sum runs in index order; where it would
/// overflow although every `gᵢ` is finite, the norm is computed as
/// `m · √(Σᵢ (gᵢ/m)²)` with `m = maxᵢ |gᵢ|` instead (PyTorch returns ∞ there and, by
/// default, zeroes the gradient). Where even that norm exceeds the largest float
/// (`[f64::MAX, f64::MAX]`), the returned norm is `+∞` and the gradient is still clipped
/// to norm `max_norm`, as `gᵢ ← (gᵢ/m) · max_norm / √(Σⱼ (gⱼ/m)²)`.
///
/// # Errors
///
/// The gradient is unchanged when this returns an error:
/// - [`Error::InvalidHyperparameter`] named `max_norm` if it is negative or NaN
///   (PyTorch accepts a negative `max_norm` and flips the gradient's sign);
///   `max_norm = ∞` never clips, `0` zeroes the gradient;
/// - [`Error::NonFinite`] with [`Quantity::Gradient`] and the index of the first NaN or
///   infinite `gᵢ`. This is PyTorch's `error_if_nonfinite=True`; its default (`False`)
///   would turn the whole gradient into zeros and NaN.
///
/// ```
/// use backprop::clip_grad_norm;
///
/// let mut grads = [3.0, 4.0];
/// let norm = clip_grad_norm(&mut grads, 1.0)?;
/// assert_eq!(norm, 5.0);
/// let coef = 1.0 / (5.0 + 1e-6);
/// assert_eq!(grads, [3.0 * coef, 4.0 * coef]);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn clip_grad_norm<T: Float>(grads: &mut [T], max_norm: T) -> Result<T, Error> {
    check_not_below_zero("max_norm", max_norm)?;
    let (largest, root) = scaled_norm(grads)?;
    let total_norm = largest * root;
    if total_norm.is_infinite() {
        // Finite components whose norm exceeds the largest float: gᵢ·coef computed as
        // (gᵢ/m)·(max_norm/root), where each factor is finite (the 1e-6 vanishes in
        // rounding beside such a norm).
        if max_norm.is_finite() {
            let coef = max_norm / root;
            grads.iter_mut().for_each(|g| *g = *g / largest * coef);
        }
        return Ok(total_norm);
    }
    let coef = max_norm / (total_norm + cast(1e-6));
    // PyTorch multiplies by the clamped coefficient always; by 1 changes nothing.
    if coef < T::one() {
        grads.iter_mut().for_each(|g| *g = *g * coef);
    }
    Ok(total_norm)
}

/// Clamps every gradient component into `[−clip_value, clip_value]` (PyTorch's
/// `torch.nn.utils.clip_grad_value_`).
///
/// # Math
///
/// ```text
/// gᵢ ← min(max(gᵢ, −clip_value), clip_value)
/// ```
///
/// # Errors
///
/// The gradient is unchanged when this returns an error:
/// - [`Error::InvalidHyperparameter`] named `clip_value` if it is negative or NaN
///   (PyTorch accepts a negative value and sets every component to it); `∞` never clips;
/// - [`Error::NonFinite`] with [`Quantity::Gradient`] and the index of the first NaN or
///   infinite `gᵢ` (PyTorch would keep NaN and clamp ±∞; the same rule as
///   [`clip_grad_norm`] is kept here for both clippers).
///
/// ```
/// use backprop::clip_grad_value;
///
/// let mut grads = [0.3, -2.0, 5.0];
/// clip_grad_value(&mut grads, 1.0)?;
/// assert_eq!(grads, [0.3, -1.0, 1.0]);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn clip_grad_value<T: Float>(grads: &mut [T], clip_value: T) -> Result<(), Error> {
    check_not_below_zero("clip_value", clip_value)?;
    if let Some(index) = grads.iter().position(|g| !g.is_finite()) {
        return Err(non_finite(index));
    }
    grads
        .iter_mut()
        .for_each(|g| *g = g.max(-clip_value).min(clip_value));
    Ok(())
}

/// The global norm as `(m, r)` with `norm = m·r`: `(1, √(Σ gᵢ²))`, or where that sum
/// overflows, `m = maxᵢ |gᵢ|` and `r = √(Σᵢ (gᵢ/m)²)`. Refuses non-finite components.
fn scaled_norm<T: Float>(grads: &[T]) -> Result<(T, T), Error> {
    let sum_of_squares = grads.iter().fold(T::zero(), |sum, &g| sum + g * g);
    if sum_of_squares.is_finite() {
        return Ok((T::one(), sum_of_squares.sqrt()));
    }
    if let Some(index) = grads.iter().position(|g| !g.is_finite()) {
        return Err(non_finite(index));
    }
    let largest = grads.iter().fold(T::zero(), |m, g| m.max(g.abs()));
    let scaled = grads.iter().fold(T::zero(), |sum, &g| {
        let r = g / largest;
        sum + r * r
    });
    Ok((largest, scaled.sqrt()))
}

fn non_finite(index: usize) -> Error {
    Error::NonFinite {
        what: Quantity::Gradient,
        index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overflowing_sum_still_gives_the_finite_norm() {
        let mut grads = [3e200, 4e200];
        let norm = clip_grad_norm(&mut grads, 1.0).unwrap();
        assert!((norm - 5e200).abs() <= 5e200 * 1e-15);
        assert!((grads[0] - 0.6).abs() < 1e-15 && (grads[1] - 0.8).abs() < 1e-15);
    }

    #[test]
    fn non_finite_components_are_refused_and_kept() {
        let mut grads = [1.0, f64::INFINITY, f64::NAN];
        let e = clip_grad_norm(&mut grads, 1.0).unwrap_err();
        assert_eq!(e, non_finite(1));
        assert_eq!(clip_grad_value(&mut grads, 1.0).unwrap_err(), non_finite(1));
        assert_eq!(grads[..2], [1.0, f64::INFINITY]);
        assert!(grads[2].is_nan());
    }

    #[test]
    fn an_infinite_bound_never_clips() {
        let mut grads = [1e300, -1e300];
        assert_eq!(
            clip_grad_norm(&mut grads, f64::INFINITY),
            Ok(2f64.sqrt() * 1e300)
        );
        clip_grad_value(&mut grads, f64::INFINITY).unwrap();
        assert_eq!(grads, [1e300, -1e300]);
    }
}
