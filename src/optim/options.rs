//! The options several rules share, as data: momentum and weight decay by kind, and what
//! every rule does first to a parameter and its gradient.

use num_traits::Float;

use crate::kernel::on_widest_vectors_fusing;

use super::{Optimizer, OutOfPlace, UpdateRule};
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
/// For plain SGD the two are the same step up to rounding; for adaptive rules they
/// differ, since L2's term is rescaled by the rule and the decoupled shrink is not
/// (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"). PyTorch's `Adam(weight_decay=λ)` is `L2(λ)`,
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

/// Refuses a momentum factor outside `[0, 1)`.
pub(super) fn check_momentum<T: Float>(momentum: T) -> Result<(), Error> {
    check_decay("momentum", momentum)
}

/// The options every built-in rule shares and applies before its own formula:
/// `maximize` and weight decay (docs/math.md, equations 16, 17 and 25).
///
/// Public only inside the crate's private `options` module, so users never name it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Regularization<T> {
    weight_decay: Option<WeightDecay<T>>,
    maximize: bool,
}

impl<T: Float> Regularization<T> {
    /// PyTorch's defaults: no weight decay, descend.
    pub(super) fn none() -> Self {
        Self {
            weight_decay: None,
            maximize: false,
        }
    }

    /// The parameter and gradient a rule's formula starts from:
    ///
    /// ```text
    /// g ← −g             if maximize
    /// g ← g + λ·θ        L2(λ), λ ≠ 0
    /// θ ← θ·(1 − lr·λ)   Decoupled(λ)
    /// ```
    ///
    /// PyTorch skips the L2 addition when λ = 0, which keeps `-0.0` and a NaN-free `g`
    /// next to an infinite θ exactly as they are; so does this.
    #[inline(always)]
    pub(super) fn apply(self, lr: T, param: T, grad: T) -> (T, T) {
        let grad = if self.maximize { -grad } else { grad };
        match self.weight_decay {
            Some(WeightDecay::L2(lambda)) if lambda != T::zero() => (param, grad + lambda * param),
            Some(WeightDecay::Decoupled(lambda)) => (param * (T::one() - lr * lambda), grad),
            _ => (param, grad),
        }
    }

    /// Whether `apply` changes nothing: not maximizing, and no decay or a decay of 0
    /// (`θ·(1 − lr·0)` is `θ` exactly).
    #[inline]
    pub(super) fn is_plain(self) -> bool {
        !self.maximize && self.weight_decay.is_none_or(|d| d.factor() == T::zero())
    }

    /// The first of these options in which `other` differs, by PyTorch's name.
    pub(super) fn difference(self, other: Self) -> Option<&'static str> {
        super::first_difference([
            (self.weight_decay != other.weight_decay, "weight_decay"),
            (self.maximize != other.maximize, "maximize"),
        ])
    }

    /// Refuses a negative or non-finite weight decay, of either kind.
    pub(super) fn validate(self) -> Result<(), Error> {
        match self.weight_decay {
            Some(decay) => check_non_negative("weight_decay", decay.factor()),
            None => Ok(()),
        }
    }
}

/// A built-in rule's formula, given how to regularize a parameter and its gradient.
pub(super) trait Formula<T: Float> {
    /// The update of step `t`; `regularize(θ, g)` gives the `(θ, g)` the formula starts
    /// from; `fused` tells whether this build has fused multiply-adds in hardware.
    #[allow(clippy::too_many_arguments)] // the update's operands and how it is built
    fn apply(
        &self,
        t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        regularize: impl Fn(T, T) -> (T, T),
        fused: bool,
    );
}

/// A built-in rule's [`UpdateRule::update`]: its formula, with the regularization chosen
/// once, outside the formula's loop. Without options it is the identity, so the loop is
/// the bare formula, which the compiler vectorizes.
#[inline(always)]
pub(super) fn regularized_update<T: Float, F: Formula<T>>(
    rule: &F,
    options: Regularization<T>,
    t: u64,
    lr: T,
    params: &mut [T],
    grads: &[T],
    state: &mut [T],
) {
    if options.is_plain() {
        on_widest_vectors_fusing(
            params.len(),
            #[inline(always)]
            |fused| {
                rule.apply(
                    t,
                    lr,
                    params,
                    grads,
                    state,
                    |param, grad| (param, grad),
                    fused,
                );
            },
        );
    } else {
        with_regularization(rule, options, t, lr, params, grads, state);
    }
}

/// [`regularized_update`] with options, out of line: the plain update inlines alone
/// into a trainer's step.
#[inline(never)]
fn with_regularization<T: Float, F: Formula<T>>(
    rule: &F,
    options: Regularization<T>,
    t: u64,
    lr: T,
    params: &mut [T],
    grads: &[T],
    state: &mut [T],
) {
    let regularize = move |param, grad| options.apply(lr, param, grad);
    on_widest_vectors_fusing(
        params.len(),
        #[inline(always)]
        |fused| {
            rule.apply(t, lr, params, grads, state, regularize, fused);
        },
    );
}

/// A built-in rule's formula written out of place (see the private `out_of_place`
/// module), for the rules whose loop waits on the divider, where the extra stores cost
/// nothing.
pub(super) trait OutOfPlaceFormula<T: Float> {
    /// [`Formula::apply`] reading the state from `update.state` and writing every value
    /// of the new state to `update.new_state`, saving each parameter into
    /// `update.saved_params` before it changes.
    fn apply_out_of_place(
        &self,
        update: OutOfPlace<'_, T>,
        regularize: impl Fn(T, T) -> (T, T),
        fused: bool,
    );
}

/// A built-in rule's [`UpdateRule::update_out_of_place`], with the regularization chosen
/// once as in [`regularized_update`].
#[inline(always)]
pub(super) fn regularized_out_of_place<T: Float, F: OutOfPlaceFormula<T>>(
    rule: &F,
    options: Regularization<T>,
    update: OutOfPlace<'_, T>,
) {
    let len = update.params.len();
    if options.is_plain() {
        on_widest_vectors_fusing(
            len,
            #[inline(always)]
            |fused| rule.apply_out_of_place(update, |param, grad| (param, grad), fused),
        );
    } else {
        out_of_place_with_regularization(rule, options, update);
    }
}

/// [`regularized_out_of_place`] with options, out of line as [`with_regularization`].
#[inline(never)]
fn out_of_place_with_regularization<T: Float, F: OutOfPlaceFormula<T>>(
    rule: &F,
    options: Regularization<T>,
    update: OutOfPlace<'_, T>,
) {
    let (lr, len) = (update.lr, update.params.len());
    let regularize = move |param, grad| options.apply(lr, param, grad);
    on_widest_vectors_fusing(
        len,
        #[inline(always)]
        |fused| rule.apply_out_of_place(update, regularize, fused),
    );
}

/// A built-in rule with the shared options, which get their builder methods once, below.
/// Sealed: the trait sits in a private module, so no other type implements it.
pub trait Regularized<T> {
    /// The rule's shared options.
    fn regularization(&mut self) -> &mut Regularization<T>;
}

impl<T: Float, R: UpdateRule<T> + Regularized<T>> Optimizer<T, R> {
    /// Weight decay, [`L2`](WeightDecay::L2) (PyTorch's `weight_decay`) or
    /// [`Decoupled`](WeightDecay::Decoupled) (AdamW's); default none
    /// ([`AdamW::new`](crate::AdamW::new) sets `Decoupled(0.01)`).
    pub fn weight_decay(mut self, weight_decay: WeightDecay<T>) -> Self {
        self.rule.regularization().weight_decay = Some(weight_decay);
        self
    }

    /// Ascend instead of descend (default false): the gradient is negated before weight
    /// decay.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.rule.regularization().maximize = maximize;
        self
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

    fn options(weight_decay: Option<WeightDecay<f64>>, maximize: bool) -> Regularization<f64> {
        Regularization {
            weight_decay,
            maximize,
        }
    }

    #[test]
    fn maximize_flips_before_decay() {
        // −g + λθ, not −(g + λθ)
        let l2 = options(Some(WeightDecay::L2(0.5)), true);
        assert_eq!(l2.apply(0.1, 10.0, 1.0), (10.0, -1.0 + 0.5 * 10.0));
        assert_eq!(options(None, false).apply(0.1, 10.0, 1.0), (10.0, 1.0));
        let decoupled = options(Some(WeightDecay::Decoupled(0.5)), true);
        let shrunk = 10.0 * (1.0 - 0.1 * 0.5);
        assert_eq!(decoupled.apply(0.1, 10.0, 1.0), (shrunk, -1.0));
    }

    #[test]
    fn zero_l2_leaves_the_gradient_alone_next_to_an_infinite_parameter() {
        let zero = options(Some(WeightDecay::L2(0.0)), false);
        let (_, g) = zero.apply(0.1, f64::INFINITY, -0.0);
        assert!(g == 0.0 && g.is_sign_negative());
    }
}
