//! AdamW: Adam with decoupled weight decay, as PyTorch computes it.

use num_traits::Float;

use super::{Adam, Optimizer};
use crate::error::Error;

/// Adam with decoupled weight decay (PyTorch's `torch.optim.AdamW`).
///
/// # Math
///
/// [`Adam`]'s rule, except that weight decay shrinks the parameter instead of being
/// added to the gradient, before the moments are updated:
///
/// ```text
/// g     ← −g                        if maximize
/// θ     ← θ·(1 − lr·λ)              (decoupled: g is left alone)
/// m     ← lerp(m, g, 1 − β₁)        = β₁·m + (1 − β₁)·g
/// v     ← β₂·v + (1 − β₂)·g²
/// v_max ← max(v_max, v)             if amsgrad
/// s     ← v_max if amsgrad, else v
/// θ     ← θ − (lr / (1 − β₁ᵗ)) · m / (√s / √(1 − β₂ᵗ) + eps)
/// ```
///
/// As in PyTorch the decay is scaled by the current learning rate (Loshchilov and
/// Hutter's paper scales it by the schedule multiplier only). With `weight_decay = 0`
/// AdamW is Adam, bit for bit.
///
/// # Defaults (PyTorch's)
///
/// lr 1e-3 (given to [`new`](Self::new) here), betas (0.9, 0.999), eps 1e-8,
/// **weight_decay 0.01**, amsgrad false, maximize false.
///
/// # State
///
/// As [`Adam`]: `[m…, v…]`, or `[m…, v…, v_max…]` with amsgrad.
///
/// # Errors
///
/// As [`Adam`].
///
/// ```
/// use backprop::{AdamW, Optimizer};
///
/// let mut adamw = AdamW::new(0.1).weight_decay(0.5);
/// adamw.validate()?;
/// let mut w = [2.0];
/// adamw.step(&mut w, &[0.0]); // no gradient: only the decay acts
/// assert_eq!(w, [2.0 * (1.0 - 0.1 * 0.5)]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AdamW<T>(Adam<T>);

impl<T: Float> AdamW<T> {
    /// AdamW with learning rate `lr` and PyTorch's defaults for the rest, weight decay
    /// 0.01 (checked by [`Optimizer::validate`], which
    /// [`Trainer::new`](crate::Trainer::new) calls).
    pub fn new(lr: T) -> Self {
        let default_decay = T::from(0.01).unwrap_or_else(T::zero);
        Self(Adam::new(lr).decoupled().weight_decay(default_decay))
    }

    /// The decay rates β₁ and β₂ (default (0.9, 0.999)).
    pub fn betas(self, beta1: T, beta2: T) -> Self {
        Self(self.0.betas(beta1, beta2))
    }

    /// Term added to the denominator after the root (default 1e-8).
    pub fn eps(self, eps: T) -> Self {
        Self(self.0.eps(eps))
    }

    /// Decoupled weight decay λ: θ shrinks by the factor `1 − lr·λ` each step
    /// (default 0.01).
    pub fn weight_decay(self, weight_decay: T) -> Self {
        Self(self.0.weight_decay(weight_decay))
    }

    /// AMSGrad: divide by the running maximum of `v` (default false).
    pub fn amsgrad(self, amsgrad: bool) -> Self {
        Self(self.0.amsgrad(amsgrad))
    }

    /// Ascend instead of descend (default false).
    pub fn maximize(self, maximize: bool) -> Self {
        Self(self.0.maximize(maximize))
    }
}

impl<T: Float> Optimizer<T> for AdamW<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        self.0.step(params, grads);
    }

    fn learning_rate(&self) -> T {
        self.0.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        self.0.set_learning_rate(lr)
    }

    fn validate(&self) -> Result<(), Error> {
        self.0.validate()
    }

    fn reset(&mut self) {
        self.0.reset();
    }

    fn state(&self) -> &[T] {
        self.0.state()
    }

    fn state_mut(&mut self) -> &mut [T] {
        self.0.state_mut()
    }

    fn step_count(&self) -> u64 {
        self.0.step_count()
    }

    fn set_step_count(&mut self, steps: u64) {
        self.0.set_step_count(steps);
    }

    fn prepare(&mut self, param_len: usize) {
        self.0.prepare(param_len);
    }
}
