//! Adam: adaptive moment estimation, as PyTorch computes it.

use alloc::vec::Vec;
use num_traits::Float;

use super::{
    check_decay, check_initial_learning_rate, check_non_negative, check_positive, ensure_state,
    lerp, regularized, Optimizer,
};
use crate::error::Error;

/// Adam (PyTorch's `torch.optim.Adam`), optionally AMSGrad.
///
/// # Math
///
/// With `β₁, β₂` the betas, `λ` weight_decay and step `t = 1, 2, …`, starting from
/// `m = v = v_max = 0`:
///
/// ```text
/// g     ← −g                        if maximize
/// g     ← g + λ·θ                   if λ ≠ 0
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
/// lr 1e-3 (given to [`new`](Self::new) here), betas (0.9, 0.999), eps 1e-8,
/// weight_decay 0, amsgrad false, maximize false.
///
/// # State
///
/// `[m…, v…]`, or `[m…, v…, v_max…]` with amsgrad: each block one value per parameter.
///
/// # Errors
///
/// [`validate`](Optimizer::validate) refuses an initial `lr` that is not positive and
/// finite, an `eps` that is not positive and finite, `betas[0]` or `betas[1]` outside
/// `[0, 1)`, and a negative or non-finite `weight_decay`.
///
/// ```
/// use backprop::{Adam, Optimizer};
///
/// let mut adam = Adam::new(0.1).betas(0.9, 0.999);
/// adam.validate()?;
/// let mut w = [1.0_f64];
/// adam.step(&mut w, &[4.0]);
/// // the first step moves by about lr, whatever the gradient's size
/// assert!((w[0] - 0.9).abs() < 1e-6);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adam<T> {
    lr: T,
    beta1: T,
    beta2: T,
    eps: T,
    weight_decay: T,
    amsgrad: bool,
    maximize: bool,
    /// AdamW's rule: shrink θ by `lr·λ` instead of adding `λ·θ` to the gradient.
    decoupled: bool,
    state: Vec<T>,
    steps: u64,
}

/// What one step's update needs, computed once per step.
struct StepConstants<T> {
    neg_step_size: T,
    bias_correction2_sqrt: T,
    coupled_decay: T,
    decoupled_shrink: Option<T>,
}

impl<T: Float> Adam<T> {
    /// Adam with learning rate `lr` and PyTorch's defaults for the rest (checked by
    /// [`Optimizer::validate`], which [`Trainer::new`](crate::Trainer::new) calls).
    pub fn new(lr: T) -> Self {
        let cast = |v: f64| T::from(v).unwrap_or_else(T::zero);
        Self {
            lr,
            beta1: cast(0.9),
            beta2: cast(0.999),
            eps: cast(1e-8),
            weight_decay: T::zero(),
            amsgrad: false,
            maximize: false,
            decoupled: false,
            state: Vec::new(),
            steps: 0,
        }
    }

    /// AdamW's rule: the same optimizer with decoupled weight decay.
    pub(super) fn decoupled(mut self) -> Self {
        self.decoupled = true;
        self
    }

    /// The decay rates β₁ of the gradient average and β₂ of the squared-gradient
    /// average (default (0.9, 0.999)).
    pub fn betas(mut self, beta1: T, beta2: T) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Term added to the denominator after the root (default 1e-8).
    pub fn eps(mut self, eps: T) -> Self {
        self.eps = eps;
        self
    }

    /// Weight decay λ (default 0 for Adam: L2, added to the gradient as `λ·θ`).
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// AMSGrad: divide by the running maximum of `v` (default false).
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.amsgrad = amsgrad;
        self
    }

    /// Ascend instead of descend (default false): the gradient is negated before weight
    /// decay.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }

    /// The length of the state for `param_len` parameters.
    fn state_len(&self, param_len: usize) -> usize {
        if self.amsgrad {
            3 * param_len
        } else {
            2 * param_len
        }
    }

    /// The bias corrections of step `t`, as PyTorch computes them in Python floats.
    fn constants(&self, t: u64) -> StepConstants<T> {
        let t = T::from(t).unwrap_or_else(T::infinity);
        let half = T::one() / (T::one() + T::one());
        let bias_correction1 = T::one() - self.beta1.powf(t);
        let bias_correction2 = T::one() - self.beta2.powf(t);
        let decays = self.weight_decay != T::zero();
        StepConstants {
            neg_step_size: -(self.lr / bias_correction1),
            bias_correction2_sqrt: bias_correction2.powf(half),
            coupled_decay: if self.decoupled {
                T::zero()
            } else {
                self.weight_decay
            },
            decoupled_shrink: (self.decoupled && decays)
                .then(|| T::one() - self.lr * self.weight_decay),
        }
    }
}

/// One step's update of every parameter and its moments.
struct Moments<T> {
    beta1_weight: T,
    beta2: T,
    eps: T,
    k: StepConstants<T>,
}

impl<T: Float> Moments<T> {
    /// Updates `params` and the state `[m…, v…(, v_max…)]` with the gradient's
    /// regularization chosen once, outside the loop; without amsgrad the loop has no
    /// branch, and the compiler vectorizes it.
    #[inline(always)]
    fn apply(
        &self,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        regularize: impl Fn(T, T) -> T,
    ) {
        let n = params.len();
        let (m, rest) = state.split_at_mut(n);
        let (v, v_max) = rest.split_at_mut(n);
        // AdamW's shrink; 1 (exact: θ·1 = θ) for Adam.
        let shrink = self.k.decoupled_shrink.unwrap_or_else(T::one);
        let terms = params
            .iter_mut()
            .zip(grads)
            .zip(m.iter_mut().zip(v.iter_mut()));
        if v_max.is_empty() {
            terms.for_each(|((p, &g), (m, v))| {
                let g = regularize(g, *p);
                *p = *p * shrink;
                let second = self.moments(g, m, v);
                *p = *p + self.k.neg_step_size * *m / self.denominator(second);
            });
        } else {
            terms.zip(v_max).for_each(|(((p, &g), (m, v)), v_max)| {
                let g = regularize(g, *p);
                *p = *p * shrink;
                let v = self.moments(g, m, v);
                // NaN-propagating, as torch.maximum
                *v_max = if *v_max >= v { *v_max } else { v };
                *p = *p + self.k.neg_step_size * *m / self.denominator(*v_max);
            });
        }
    }

    /// `m ← lerp(m, g, 1 − β₁)`, `v ← β₂·v + (1 − β₂)·g²`; returns the new `v`.
    #[inline(always)]
    fn moments(&self, g: T, m: &mut T, v: &mut T) -> T {
        *m = lerp(*m, g, self.beta1_weight);
        *v = *v * self.beta2 + (T::one() - self.beta2) * g * g;
        *v
    }

    /// `√s / √(1 − β₂ᵗ) + eps`.
    #[inline(always)]
    fn denominator(&self, second: T) -> T {
        second.sqrt() / self.k.bias_correction2_sqrt + self.eps
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), grads.len(), "parameters and gradients");
        let n = params.len();
        let len = self.state_len(n);
        ensure_state(&mut self.state, self.steps, len, T::zero());
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        let k = self.constants(self.steps);
        let moments = Moments {
            beta1_weight: T::one() - self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            k,
        };
        let (maximize, decay) = (self.maximize, moments.k.coupled_decay);
        if maximize || decay != T::zero() {
            let regularize = move |g, p| regularized(g, p, maximize, decay);
            moments.apply(params, grads, &mut self.state, regularize);
        } else {
            moments.apply(params, grads, &mut self.state, |g, _| g);
        }
    }

    bookkeeping!();

    fn validate(&self) -> Result<(), Error> {
        check_initial_learning_rate(self.lr)?;
        check_positive("eps", self.eps)?;
        check_decay("betas[0]", self.beta1)?;
        check_decay("betas[1]", self.beta2)?;
        check_non_negative("weight_decay", self.weight_decay)
    }

    fn prepare(&mut self, param_len: usize) {
        self.steps = 0;
        let len = self.state_len(param_len);
        ensure_state(&mut self.state, 0, len, T::zero());
    }
}
