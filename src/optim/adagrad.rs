//! Adagrad: each parameter's rate divided by the root of its summed squared gradients.

use alloc::vec::Vec;
use num_traits::Float;

use super::{
    check_initial_learning_rate, check_non_negative, check_positive, ensure_state, regularized,
    Optimizer,
};
use crate::error::Error;

/// Adagrad (PyTorch's `torch.optim.Adagrad`).
///
/// # Math
///
/// With `η` lr_decay, `λ` weight_decay, `τ` initial_accumulator_value and step
/// `t = 1, 2, …`, starting from `s = τ`:
///
/// ```text
/// g  ← −g                     if maximize
/// g  ← g + λ·θ                if λ ≠ 0
/// γ̃  ← lr / (1 + (t − 1)·η)
/// s  ← s + g²
/// θ  ← θ − γ̃·g / (√s + eps)
/// ```
///
/// eps is added *outside* the root. The operations run in the order of PyTorch's
/// single-tensor (`foreach=False`) code path.
///
/// # Defaults (PyTorch's)
///
/// lr 0.01 (given to [`new`](Self::new) here), lr_decay 0, weight_decay 0,
/// initial_accumulator_value 0, eps 1e-10, maximize false.
///
/// # State
///
/// `[s…]`, the sum of squared gradients, one value per parameter.
///
/// # Errors
///
/// [`validate`](Optimizer::validate) refuses an initial `lr` that is not positive and
/// finite, and a negative or non-finite `lr_decay`, `weight_decay` or
/// `initial_accumulator_value`, and an `eps` that is not positive and finite.
///
/// ```
/// use backprop::{Adagrad, Optimizer};
///
/// let mut adagrad = Adagrad::new(0.5).eps(1e-10);
/// adagrad.validate()?;
/// let mut w = [1.0];
/// adagrad.step(&mut w, &[2.0]); // s = 4, θ ← 1 − 0.5·2/(2 + 1e-10)
/// assert_eq!(w, [1.0 - 0.5 * 2.0 / (2.0 + 1e-10)]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adagrad<T> {
    lr: T,
    lr_decay: T,
    weight_decay: T,
    initial_accumulator_value: T,
    eps: T,
    maximize: bool,
    state: Vec<T>,
    steps: u64,
}

impl<T: Float> Adagrad<T> {
    /// Adagrad with learning rate `lr` and PyTorch's defaults for the rest (checked by
    /// [`Optimizer::validate`], which [`Trainer::new`](crate::Trainer::new) calls).
    pub fn new(lr: T) -> Self {
        Self {
            lr,
            lr_decay: T::zero(),
            weight_decay: T::zero(),
            initial_accumulator_value: T::zero(),
            eps: T::from(1e-10).unwrap_or_else(T::zero),
            maximize: false,
            state: Vec::new(),
            steps: 0,
        }
    }

    /// Learning-rate decay η: step t uses `lr / (1 + (t − 1)·η)` (default 0).
    pub fn lr_decay(mut self, lr_decay: T) -> Self {
        self.lr_decay = lr_decay;
        self
    }

    /// L2 penalty λ added to the gradient as `λ·θ` (default 0).
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The value the sum of squared gradients starts from (default 0).
    pub fn initial_accumulator_value(mut self, value: T) -> Self {
        self.initial_accumulator_value = value;
        self
    }

    /// Term added to the denominator after the root (default 1e-10).
    pub fn eps(mut self, eps: T) -> Self {
        self.eps = eps;
        self
    }

    /// Ascend instead of descend (default false): the gradient is negated before weight
    /// decay.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }

    /// The decayed learning rate of step `t` (counted from 1), as PyTorch computes it.
    fn decayed_learning_rate(&self, t: u64) -> T {
        let elapsed = T::from(t - 1).unwrap_or_else(T::infinity);
        self.lr / (T::one() + elapsed * self.lr_decay)
    }
}

impl<T: Float> Optimizer<T> for Adagrad<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), grads.len(), "parameters and gradients");
        let initial = self.initial_accumulator_value;
        ensure_state(&mut self.state, self.steps, params.len(), initial);
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        let lr = self.decayed_learning_rate(self.steps);
        let (eps, maximize, weight_decay) = (self.eps, self.maximize, self.weight_decay);
        for ((p, &g), s) in params.iter_mut().zip(grads).zip(&mut self.state) {
            let g = regularized(g, *p, maximize, weight_decay);
            *s = *s + g * g;
            *p = *p - lr * g / (s.sqrt() + eps);
        }
    }

    bookkeeping!();

    fn validate(&self) -> Result<(), Error> {
        check_initial_learning_rate(self.lr)?;
        check_non_negative("lr_decay", self.lr_decay)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        check_non_negative("initial_accumulator_value", self.initial_accumulator_value)?;
        check_positive("eps", self.eps)
    }

    fn prepare(&mut self, param_len: usize) {
        self.steps = 0;
        let initial = self.initial_accumulator_value;
        ensure_state(&mut self.state, 0, param_len, initial);
    }
}
