//! RMSprop: gradients divided by the root of their running mean square.

use alloc::vec::Vec;
use num_traits::Float;

use super::{
    check_decay, check_initial_learning_rate, check_non_negative, check_positive, ensure_state,
    lerp, regularized, Optimizer,
};
use crate::error::Error;

/// RMSprop (PyTorch's `torch.optim.RMSprop`), optionally centered and with momentum.
///
/// # Math
///
/// With `α` alpha, `μ` momentum, `λ` weight_decay, starting from `v = b = ḡ = 0`:
///
/// ```text
/// g ← −g                          if maximize
/// g ← g + λ·θ                     if λ ≠ 0
/// v ← α·v + (1 − α)·g²
/// ḡ ← lerp(ḡ, g, 1 − α)           if centered  (= α·ḡ + (1 − α)·g)
/// d ← √(v − ḡ²) + eps             if centered
/// d ← √v + eps                    otherwise
/// if μ > 0:
///     b ← μ·b + g / d
///     θ ← θ − lr·b
/// else:
///     θ ← θ − lr·g / d
/// ```
///
/// eps is added *outside* the root (TensorFlow and optax put it inside, see
/// [`Optimizer`]'s notes). The operations run in the order of PyTorch's
/// single-tensor (`foreach=False`) code path.
///
/// # Defaults (PyTorch's)
///
/// lr 0.01 (given to [`new`](Self::new) here), alpha 0.99, eps 1e-8, weight_decay 0,
/// momentum 0, centered false, maximize false.
///
/// # State
///
/// `[v…]`, then `[b…]` if momentum > 0, then `[ḡ…]` if centered: each block one value
/// per parameter, in that order.
///
/// # Errors
///
/// [`validate`](Optimizer::validate) refuses an initial `lr` that is not positive and
/// finite, an `eps` that is not positive and finite, `momentum` or `alpha` outside
/// `[0, 1)` (PyTorch allows any non-negative value), and a negative or non-finite
/// `weight_decay`.
///
/// ```
/// use backprop::{Optimizer, RmsProp};
///
/// let mut rmsprop = RmsProp::new(0.01).alpha(0.9).momentum(0.5).centered(true);
/// rmsprop.validate()?;
/// let mut w = [1.0_f64, 1.0];
/// rmsprop.step(&mut w, &[3.0, -0.003]);
/// // normalized: both move by the same amount, whatever the gradient's size
/// let (down, up) = (1.0 - w[0], w[1] - 1.0);
/// assert!((down - up).abs() < 1e-6);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RmsProp<T> {
    lr: T,
    alpha: T,
    eps: T,
    weight_decay: T,
    momentum: T,
    centered: bool,
    maximize: bool,
    state: Vec<T>,
    steps: u64,
}

impl<T: Float> RmsProp<T> {
    /// RMSprop with learning rate `lr` and PyTorch's defaults for the rest (checked by
    /// [`Optimizer::validate`], which [`Trainer::new`](crate::Trainer::new) calls).
    pub fn new(lr: T) -> Self {
        let cast = |v: f64| T::from(v).unwrap_or_else(T::zero);
        Self {
            lr,
            alpha: cast(0.99),
            eps: cast(1e-8),
            weight_decay: T::zero(),
            momentum: T::zero(),
            centered: false,
            maximize: false,
            state: Vec::new(),
            steps: 0,
        }
    }

    /// Smoothing constant α of the running averages (default 0.99).
    pub fn alpha(mut self, alpha: T) -> Self {
        self.alpha = alpha;
        self
    }

    /// Term added to the denominator after the root (default 1e-8).
    pub fn eps(mut self, eps: T) -> Self {
        self.eps = eps;
        self
    }

    /// L2 penalty λ added to the gradient as `λ·θ` (default 0).
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Momentum factor μ applied to the normalized gradient (default 0).
    pub fn momentum(mut self, momentum: T) -> Self {
        self.momentum = momentum;
        self
    }

    /// Centered RMSprop: normalize by an estimate of the gradient's variance instead of
    /// its second moment (default false).
    pub fn centered(mut self, centered: bool) -> Self {
        self.centered = centered;
        self
    }

    /// Ascend instead of descend (default false): the gradient is negated before weight
    /// decay.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }

    /// The lengths of the momentum and gradient-average blocks for `n` parameters.
    fn block_lens(&self, n: usize) -> (usize, usize) {
        let momentum = if self.momentum > T::zero() { n } else { 0 };
        let centered = if self.centered { n } else { 0 };
        (momentum, centered)
    }

    fn state_len(&self, n: usize) -> usize {
        let (momentum, centered) = self.block_lens(n);
        n + momentum + centered
    }
}

impl<T: Float> RmsProp<T> {
    /// The update with the gradient's regularization chosen once, outside the loop, and
    /// every hyper-parameter in a local; the plain rule (no momentum, not centered) gets
    /// a loop without branches, which the compiler vectorizes.
    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], regularize: impl Fn(T, T) -> T) {
        let n = params.len();
        let (momentum_len, _) = self.block_lens(n);
        let (lr, alpha, eps, mu) = (self.lr, self.alpha, self.eps, self.momentum);
        let (v, rest) = self.state.split_at_mut(n);
        let (buffer, grad_avg) = rest.split_at_mut(momentum_len);
        if buffer.is_empty() && grad_avg.is_empty() {
            for ((p, &g), v) in params.iter_mut().zip(grads).zip(v) {
                let g = regularize(g, *p);
                *v = *v * alpha + (T::one() - alpha) * g * g;
                *p = *p - lr * g / (v.sqrt() + eps);
            }
            return;
        }
        for (i, ((p, &g), v)) in params.iter_mut().zip(grads).zip(v).enumerate() {
            let g = regularize(g, *p);
            *v = *v * alpha + (T::one() - alpha) * g * g;
            let root = match grad_avg.get_mut(i) {
                Some(avg) => {
                    *avg = lerp(*avg, g, T::one() - alpha);
                    (*v - *avg * *avg).sqrt()
                }
                None => v.sqrt(),
            };
            let denom = root + eps;
            match buffer.get_mut(i) {
                Some(b) => {
                    *b = *b * mu + g / denom;
                    *p = *p - lr * *b;
                }
                None => *p = *p - lr * g / denom,
            }
        }
    }
}

impl<T: Float> Optimizer<T> for RmsProp<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), grads.len(), "parameters and gradients");
        let n = params.len();
        let len = self.state_len(n);
        ensure_state(&mut self.state, self.steps, len, T::zero());
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        let (maximize, decay) = (self.maximize, self.weight_decay);
        if maximize || decay != T::zero() {
            self.update(params, grads, move |g, p| {
                regularized(g, p, maximize, decay)
            });
        } else {
            self.update(params, grads, |g, _| g);
        }
    }

    bookkeeping!();

    fn validate(&self) -> Result<(), Error> {
        check_initial_learning_rate(self.lr)?;
        check_positive("eps", self.eps)?;
        check_decay("momentum", self.momentum)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        check_decay("alpha", self.alpha)
    }

    fn prepare(&mut self, param_len: usize) {
        self.steps = 0;
        let len = self.state_len(param_len);
        ensure_state(&mut self.state, 0, len, T::zero());
    }
}
