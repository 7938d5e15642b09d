//! The options several rules share, as data: momentum and weight decay by kind, and what
//! every rule does first to a parameter and its gradient.

use num_traits::Float;

use crate::error::{check_decay, check_non_negative, Error};

/// SGD's momentum, by kind; the factor μ is PyTorch's `momentum`.
///
/// PyTorch's `nesterov=True` is [`Nesterov`](Momentum::Nesterov): it needs μ > 0 and no
/// dampening, and either mistake is refused by the optimizer's validation.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Momentum<T> {
    /// Heavy-ball momentum: the step follows the buffer `b ← μ·b + (1 − τ)·g`.
    Classic(T),
    /// Nesterov momentum: the step follows `g + μ·b`, a look ahead along the buffer.
    Nesterov(T),
}

impl<T: Float> Momentum<T> {
    /// The factor μ.
    pub fn factor(self) -> T {
        match self {
            Momentum::Classic(mu) | Momentum::Nesterov(mu) => mu,
        }
    }
}

/// Weight decay, by kind; the factor λ is PyTorch's `weight_decay`.
///
/// # Math
///
/// ```text
/// L2(λ)          g ← g + λ·θ          the gradient of (λ/2)·‖θ‖² joins the loss's   (17)
/// Decoupled(λ)   θ ← θ·(1 − lr·λ)     the parameters shrink before the update      (25)
/// ```
///
/// For plain SGD the two are the same step; for adaptive rules they differ, since L2's
/// term is rescaled by the rule and the decoupled shrink is not (Loshchilov and Hutter,
/// "Decoupled Weight Decay Regularization"). PyTorch's `Adam(weight_decay=λ)` is `L2(λ)`,
/// its `AdamW(weight_decay=λ)` is `Decoupled(λ)`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WeightDecay<T> {
    /// L2 regularization, added to the gradient.
    L2(T),
    /// Decoupled decay, applied to the parameters (AdamW's).
    Decoupled(T),
}

impl<T: Float> WeightDecay<T> {
    /// The factor λ.
    pub fn factor(self) -> T {
        match self {
            WeightDecay::L2(lambda) | WeightDecay::Decoupled(lambda) => lambda,
        }
    }
}

/// Refuses a negative or non-finite weight decay, of either kind.
pub(super) fn check_weight_decay<T: Float>(decay: Option<WeightDecay<T>>) -> Result<(), Error> {
    decay.map_or(Ok(()), |d| check_non_negative("weight_decay", d.factor()))
}

/// Refuses a momentum factor outside `[0, 1)`.
pub(super) fn check_momentum<T: Float>(momentum: T) -> Result<(), Error> {
    check_decay("momentum", momentum)
}

/// The parameter and gradient a rule's formula starts from: the gradient negated to
/// maximize, then weight decay (docs/math.md, equations 16, 17 and 25).
///
/// ```text
/// g ← −g             if maximize
/// g ← g + λ·θ        L2(λ), λ ≠ 0
/// θ ← θ·(1 − lr·λ)   Decoupled(λ)
/// ```
///
/// PyTorch skips the L2 addition when λ = 0, which keeps `-0.0` and a NaN-free `g` next
/// to an infinite θ exactly as they are; so does this.
#[inline(always)]
pub(super) fn regularize<T: Float>(
    maximize: bool,
    decay: Option<WeightDecay<T>>,
    lr: T,
    param: T,
    grad: T,
) -> (T, T) {
    let grad = if maximize { -grad } else { grad };
    match decay {
        Some(WeightDecay::L2(lambda)) if lambda != T::zero() => (param, grad + lambda * param),
        Some(WeightDecay::Decoupled(lambda)) => (param * (T::one() - lr * lambda), grad),
        _ => (param, grad),
    }
}

/// PyTorch's `lerp(start, end, weight)`, rounding as ATen does.
///
/// # Math
///
/// ```text
/// lerp = start + w·(end − start)          if |w| < 0.5
///      = end − (end − start)·(1 − w)      otherwise
/// ```
///
/// Both are `(1 − w)·start + w·end`; ATen picks the form with the smaller rounding
/// error, and PyTorch's Adam and centered RMSprop update their averages with it.
#[inline(always)]
pub(super) fn lerp<T: Float>(start: T, end: T, weight: T) -> T {
    let half = T::one() / (T::one() + T::one());
    if weight.abs() < half {
        start + weight * (end - start)
    } else {
        end - (end - start) * (T::one() - weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_is_exact_at_both_ends() {
        assert_eq!(lerp(2.0, 5.0, 0.0), 2.0);
        assert_eq!(lerp(2.0, 5.0, 1.0), 5.0);
        assert_eq!(lerp(2.0, 5.0, 0.25), 2.75);
        assert_eq!(lerp(2.0, 5.0, 0.75), 4.25);
    }

    #[test]
    fn maximize_flips_before_decay() {
        // −g + λθ, not −(g + λθ)
        let l2 = Some(WeightDecay::L2(0.5));
        assert_eq!(
            regularize(true, l2, 0.1, 10.0, 1.0),
            (10.0, -1.0 + 0.5 * 10.0)
        );
        assert_eq!(regularize(false, None, 0.1, 10.0, 1.0), (10.0, 1.0));
        let decoupled = Some(WeightDecay::Decoupled(0.5));
        assert_eq!(
            regularize(true, decoupled, 0.1, 10.0, 1.0),
            (10.0 * (1.0 - 0.1 * 0.5), -1.0)
        );
    }

    #[test]
    fn zero_l2_leaves_the_gradient_alone_next_to_an_infinite_parameter() {
        let (_, g) = regularize(false, Some(WeightDecay::L2(0.0)), 0.1, f64::INFINITY, -0.0);
        assert!(g == 0.0 && g.is_sign_negative());
    }
}
