//! Adam and AdamW: adaptive moment estimation, as PyTorch computes it.

use num_traits::Float;

use super::options::{
    lerp, regularized_out_of_place, regularized_update, Formula, OutOfPlaceFormula, Regularization,
    Regularized,
};
use super::{check_floor, first_difference, Optimizer, OutOfPlace, UpdateRule, WeightDecay};
use crate::cast::cast;
use crate::error::{check_decay, check_positive, CheckpointFault, Error};
use crate::kernel::Divisor;

/// Adam (PyTorch's `torch.optim.Adam`), optionally AMSGrad; [`AdamW`] is Adam with
/// decoupled weight decay.
///
/// # Math
///
/// With `β₁, β₂` the betas and step `t = 1, 2, …`, starting from `m = v = v_max = 0`,
/// after maximize and [`WeightDecay`] (docs/math.md, 21–25):
///
/// ```text
/// m     ← lerp(m, g, 1 − β₁)        = β₁·m + (1 − β₁)·g
/// v     ← β₂·v + (1 − β₂)·g²
/// v_max ← max(v_max, v)             if amsgrad (the raw v, before bias correction)
/// s     ← v_max if amsgrad, else v
/// θ     ← θ − (lr / (1 − β₁ᵗ)) · m / (√s / √(1 − β₂ᵗ) + eps)
/// ```
///
/// eps is added *after* the bias-corrected root. The operations run in the order of
/// PyTorch's single-tensor (`foreach=False`) code path, e.g. `√(1 − β₂ᵗ)` is computed as
/// `(1 − β₂ᵗ)^0.5` and `m` by ATen's `lerp`, so f64 results agree with PyTorch's to the
/// last bits.
///
/// # Defaults (PyTorch's)
///
/// lr 1e-3 (given to [`new`](Self::new) here), betas (0.9, 0.999), eps 1e-8, no weight
/// decay, amsgrad false, maximize false.
///
/// # State
///
/// `[m…, v…]`, or `[m…, v…, v_max…]` with amsgrad: each block one value per parameter.
///
/// # Errors
///
/// [`Optimizer::validate`] refuses an initial `lr` that is not positive and finite, an
/// `eps` that is not positive and finite, `betas[0]` or `betas[1]` outside `[0, 1)`, and
/// a negative or non-finite `weight_decay`.
///
/// ```
/// use backprop::Adam;
///
/// let mut adam = Adam::new(0.1).betas(0.9, 0.999);
/// adam.validate()?;
/// let mut w = [1.0_f64];
/// adam.step(&mut w, &[4.0])?;
/// // the first step moves by about lr, whatever the gradient's size
/// assert!((w[0] - 0.9).abs() < 1e-6);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adam<T> {
    beta1: T,
    beta2: T,
    eps: T,
    amsgrad: bool,
    regularization: Regularization<T>,
}

impl<T: Float> Adam<T> {
    /// Adam at learning rate `lr`, with PyTorch's defaults for the rest.
    ///
    /// The builder methods below set the other hyper-parameters; [`Optimizer::validate`]
    /// (which [`Trainer::new`](crate::Trainer::new) calls) checks them.
    pub fn new(lr: T) -> Optimizer<T, Self> {
        let rule = Self {
            beta1: cast(0.9),
            beta2: cast(0.999),
            eps: cast(1e-8),
            amsgrad: false,
            regularization: Regularization::none(),
        };
        Optimizer::new(rule, lr)
    }
}

/// PyTorch's `torch.optim.AdamW`: [`Adam`] with [`WeightDecay::Decoupled`], λ = 0.01 by
/// default.
///
/// # Math
///
/// Adam's rule, except that the parameters shrink instead of the decay joining the
/// gradient, before the moments are updated (docs/math.md, 25):
///
/// ```text
/// θ ← θ·(1 − lr·λ)
/// ```
///
/// As in PyTorch the decay is scaled by the current learning rate (Loshchilov and
/// Hutter's paper scales it by the schedule multiplier only). With λ = 0 AdamW is Adam,
/// bit for bit.
///
/// ```
/// use backprop::{AdamW, WeightDecay};
///
/// let mut adamw = AdamW::new(0.1).weight_decay(WeightDecay::Decoupled(0.5));
/// adamw.validate()?;
/// let mut w = [2.0];
/// adamw.step(&mut w, &[0.0])?; // no gradient: only the decay acts
/// assert_eq!(w, [2.0 * (1.0 - 0.1 * 0.5)]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdamW {}

impl AdamW {
    /// Adam at learning rate `lr` with decoupled weight decay 0.01 and PyTorch's
    /// defaults for the rest: an [`Optimizer`] running the [`Adam`] rule.
    #[allow(clippy::new_ret_no_self)] // AdamW is a name for an Adam configuration
    pub fn new<T: Float>(lr: T) -> Optimizer<T, Adam<T>> {
        Adam::new(lr).weight_decay(WeightDecay::Decoupled(cast(0.01)))
    }
}

impl<T: Float> Optimizer<T, Adam<T>> {
    /// The decay rates β₁ of the gradient average and β₂ of the squared-gradient
    /// average (default (0.9, 0.999)).
    pub fn betas(mut self, beta1: T, beta2: T) -> Self {
        (self.rule.beta1, self.rule.beta2) = (beta1, beta2);
        self
    }

    /// Term added to the denominator after the root (default 1e-8).
    pub fn eps(mut self, eps: T) -> Self {
        self.rule.eps = eps;
        self
    }

    /// AMSGrad: divide by the running maximum of `v` (default false).
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.rule.amsgrad = amsgrad;
        self
    }
}

impl<T: Float> UpdateRule<T> for Adam<T> {
    fn state_len(&self, params: usize) -> usize {
        params * if self.amsgrad { 3 } else { 2 }
    }

    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        regularized_update(self, self.regularization, t, lr, params, grads, state);
    }

    /// Declines with amsgrad, whose third block the in-place update keeps.
    fn update_out_of_place(&self, update: OutOfPlace<'_, T>) -> bool {
        if self.amsgrad {
            return false;
        }
        regularized_out_of_place(self, self.regularization, update);
        true
    }

    fn validate(&self) -> Result<(), Error> {
        check_positive("eps", self.eps)?;
        check_decay("betas[0]", self.beta1)?;
        check_decay("betas[1]", self.beta2)?;
        self.regularization.validate()
    }

    /// `exp_avg_sq` (v) is a running mean of squares, never negative; with amsgrad,
    /// `max_exp_avg_sq` is the running maximum of v, never below it.
    fn check_state(&self, state: &[T]) -> Result<(), CheckpointFault> {
        let n = state.len() / if self.amsgrad { 3 } else { 2 };
        let (v, v_max) = state[n..].split_at(n);
        check_floor(v, T::zero(), "exp_avg_sq", n)?;
        match v_max.iter().zip(v).position(|(max, v)| max < v) {
            Some(i) => Err(CheckpointFault::ImpossibleState {
                what: "max_exp_avg_sq",
                index: 2 * n + i,
            }),
            None => Ok(()),
        }
    }

    fn difference(&self, other: &Self) -> Option<&'static str> {
        first_difference([
            (
                (self.beta1, self.beta2) != (other.beta1, other.beta2),
                "betas",
            ),
            (self.eps != other.eps, "eps"),
            (self.amsgrad != other.amsgrad, "amsgrad"),
        ])
        .or_else(|| self.regularization.difference(other.regularization))
    }
}

impl<T> Regularized<T> for Adam<T> {
    fn regularization(&mut self) -> &mut Regularization<T> {
        &mut self.regularization
    }
}

impl<T: Float> Adam<T> {
    /// One parameter's step `t` (the formula above) as `(θ, g, m, v, v_max)`, updating
    /// all but `g` in place; `v_max` is `None` without amsgrad.
    #[inline(always)]
    fn element(
        &self,
        t: u64,
        lr: T,
        regularize: impl Fn(T, T) -> (T, T),
        fused: bool,
    ) -> impl Fn(&mut T, T, &mut T, &mut T, Option<&mut T>) {
        let t: T = cast(t);
        let step_size = lr / (T::one() - self.beta1.powf(t));
        let bias_correction2_sqrt = (T::one() - self.beta2.powf(t)).powf(cast(0.5));
        // the same quotients as `/`, in multiply-adds where the CPU fuses them
        let bias_correction2_sqrt = Divisor::new(bias_correction2_sqrt, fused);
        let (beta1_weight, beta2, eps) = (T::one() - self.beta1, self.beta2, self.eps);
        move |p: &mut T, g: T, m: &mut T, v: &mut T, v_max: Option<&mut T>| {
            let (theta, g) = regularize(*p, g);
            *m = lerp(*m, g, beta1_weight);
            *v = *v * beta2 + (T::one() - beta2) * g * g;
            let second = match v_max {
                // NaN-propagating, as torch.maximum
                Some(v_max) => {
                    *v_max = if *v_max >= *v { *v_max } else { *v };
                    *v_max
                }
                None => *v,
            };
            let denom = bias_correction2_sqrt.divide(second.sqrt()) + eps;
            *p = theta - step_size * *m / denom;
        }
    }
}

impl<T: Float> OutOfPlaceFormula<T> for Adam<T> {
    /// Without amsgrad (see `update_out_of_place`).
    #[inline(always)]
    fn apply_out_of_place(
        &self,
        update: OutOfPlace<'_, T>,
        regularize: impl Fn(T, T) -> (T, T),
        fused: bool,
    ) {
        let OutOfPlace {
            t,
            lr,
            params,
            saved_params,
            grads,
            state,
            new_state,
        } = update;
        let step = self.element(t, lr, regularize, fused);
        let (m, v) = state.split_at(params.len());
        let (new_m, new_v) = new_state.split_at_mut(params.len());
        let params = params.iter_mut().zip(saved_params).zip(grads);
        let moments = m.iter().zip(v).zip(new_m.iter_mut().zip(new_v));
        for (((p, saved), &g), ((&m, &v), (new_m, new_v))) in params.zip(moments) {
            (*saved, *new_m, *new_v) = (*p, m, v);
            step(p, g, new_m, new_v, None);
        }
    }
}

impl<T: Float> Formula<T> for Adam<T> {
    // Inlined into the wide-vector build `regularized_update` runs it in.
    #[inline(always)]
    fn apply(
        &self,
        t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        regularize: impl Fn(T, T) -> (T, T),
        fused: bool,
    ) {
        let step = self.element(t, lr, regularize, fused);
        let (m, rest) = state.split_at_mut(params.len());
        let (v, v_max) = rest.split_at_mut(params.len());
        let moments = params.iter_mut().zip(grads).zip(m.iter_mut().zip(v));
        // `for`, not `for_each`: the loop stays in this function, inlined into the wide
        // build, where a separate `fold` may be left out of line
        if self.amsgrad {
            for (((p, &g), (m, v)), v_max) in moments.zip(v_max) {
                step(p, g, m, v, Some(v_max));
            }
        } else {
            for ((p, &g), (m, v)) in moments {
                step(p, g, m, v, None);
            }
        }
    }
}
