//! Stochastic gradient descent, with PyTorch's momentum, Nesterov and weight decay.

use alloc::vec::Vec;
use num_traits::Float;

use super::{
    ask_then_step, check_decay, check_initial_learning_rate, check_non_negative, ensure_state,
    invalid, regularized, Optimizer,
};
use crate::error::Error;
use crate::finite::{all_finite_zip, all_finite_zip3};

/// Gradient descent with optional momentum (PyTorch's `torch.optim.SGD`).
///
/// # Math
///
/// With `g` the gradient, `μ` momentum, `τ` dampening, `λ` weight_decay, and `b` the
/// momentum buffer, step `t = 1, 2, …`:
///
/// ```text
/// g ← −g                    if maximize
/// g ← g + λ·θ               if λ ≠ 0
/// if μ ≠ 0:
///     b ← g                 if t = 1   (the first gradient itself: no dampening)
///     b ← μ·b + (1 − τ)·g   if t > 1
///     g ← g + μ·b           if nesterov
///     g ← b                 otherwise
/// θ ← θ − lr·g
/// ```
///
/// Without momentum and weight decay this is the lecture's `w ← w − lr · dloss/dw`,
/// computed as `w - lr * g` so f64 matches it bit for bit.
///
/// # Defaults (PyTorch's)
///
/// momentum 0, dampening 0, nesterov false, weight_decay 0, maximize false; `lr` has no
/// default in PyTorch either.
///
/// # State
///
/// `[b…]`, one momentum buffer value per parameter, only if momentum ≠ 0 (else empty).
///
/// # Errors
///
/// [`validate`](Optimizer::validate) refuses an initial `lr` that is not positive and
/// finite, a `momentum` outside `[0, 1)` (PyTorch allows any non-negative value), a
/// `dampening` outside `[0, 1]` (PyTorch does not check it), a negative or non-finite
/// `weight_decay`, and, as
/// [`Error::IncompatibleHyperparameters`], `nesterov` with zero momentum or non-zero
/// dampening.
///
/// ```
/// use backprop::{Optimizer, Sgd};
///
/// let mut sgd = Sgd::new(0.1);
/// let mut w = [0.7];
/// let gradient = 2.0 * (1.2 * 0.7 - 0.4) * 1.2; // dL/dw = 2(a − y)·x
/// sgd.step(&mut w, &[gradient]);
/// assert_eq!(w, [0.5943999999999999]); // the lecture's first updated weight
///
/// let mut heavy_ball = Sgd::new(0.1).momentum(0.9).nesterov(true);
/// heavy_ball.validate()?;
/// let mut w = [1.0];
/// heavy_ball.step(&mut w, &[1.0]); // b = 1, g = 1 + 0.9·1
/// assert_eq!(w, [1.0 - 0.1 * 1.9]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sgd<T> {
    lr: T,
    momentum: T,
    dampening: T,
    nesterov: bool,
    weight_decay: T,
    maximize: bool,
    state: Vec<T>,
    steps: u64,
    /// [`is_plain`](Self::is_plain), worked out whenever it may change (construction,
    /// the builders, [`Optimizer::prepare`]) so that a step reads one flag instead of
    /// comparing three hyper-parameters. `false` is always safe: the general update gives
    /// the plain one's values. A deserialized optimizer starts with `false` until a
    /// trainer prepares it.
    #[cfg_attr(feature = "serde", serde(skip))]
    plain: bool,
}

/// Equal hyper-parameters, state and step count; the cached `plain` flag is not compared.
impl<T: PartialEq> PartialEq for Sgd<T> {
    fn eq(&self, other: &Self) -> bool {
        let Self {
            lr,
            momentum,
            dampening,
            nesterov,
            weight_decay,
            maximize,
            state,
            steps,
            plain: _,
        } = self;
        (lr, momentum, dampening, weight_decay)
            == (
                &other.lr,
                &other.momentum,
                &other.dampening,
                &other.weight_decay,
            )
            && (nesterov, maximize, steps) == (&other.nesterov, &other.maximize, &other.steps)
            && state == &other.state
    }
}

impl<T: Float> Sgd<T> {
    /// Gradient descent with learning rate `lr` and PyTorch's defaults for the rest
    /// (checked by [`Optimizer::validate`], which [`Trainer::new`](crate::Trainer::new)
    /// calls).
    pub fn new(lr: T) -> Self {
        Self {
            lr,
            momentum: T::zero(),
            dampening: T::zero(),
            nesterov: false,
            weight_decay: T::zero(),
            maximize: false,
            state: Vec::new(),
            steps: 0,
            plain: true,
        }
    }

    /// Momentum factor μ (default 0: no momentum).
    pub fn momentum(mut self, momentum: T) -> Self {
        self.momentum = momentum;
        self.plain = self.is_plain();
        self
    }

    /// Dampening τ of the gradient added to the momentum buffer after the first step
    /// (default 0).
    pub fn dampening(mut self, dampening: T) -> Self {
        self.dampening = dampening;
        self
    }

    /// Nesterov momentum (default false); needs momentum > 0 and dampening 0.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// L2 penalty λ added to the gradient as `λ·θ` (default 0).
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self.plain = self.is_plain();
        self
    }

    /// Ascend instead of descend (default false): the gradient is negated before weight
    /// decay.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self.plain = self.is_plain();
        self
    }

    /// Whether the update is the lecture's `θ ← θ − lr·g`: no momentum, no weight decay,
    /// not maximizing.
    #[inline(always)]
    fn is_plain(&self) -> bool {
        self.momentum == T::zero() && self.weight_decay == T::zero() && !self.maximize
    }

    /// `step_if_finite` of the plain rule for several parameters: one check of every
    /// updated value, then the update. Out of line, like the other rules', so that the
    /// one-parameter step stays small enough to inline.
    #[inline(never)]
    fn plain_step_if_finite(&mut self, params: &mut [T], grads: &[T]) -> Option<bool> {
        let lr = self.lr;
        if !all_finite_zip(params, grads, |p, g| p - lr * g) {
            return Some(false);
        }
        self.plain_step(params, grads);
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        Some(true)
    }

    /// The default `step_if_finite` (ask, then step), out of line: the update rules with
    /// momentum, weight decay or maximize stay out of the plain rule's inlined step.
    #[inline(never)]
    fn general_step_if_finite(&mut self, params: &mut [T], grads: &[T]) -> Option<bool> {
        ask_then_step(self, params, grads)
    }

    /// The lecture's rule alone, kept in its own loop so its rounding is exactly
    /// `w - lr * g`.
    #[inline]
    fn plain_step(&self, params: &mut [T], grads: &[T]) {
        let lr = self.lr;
        for (p, &g) in params.iter_mut().zip(grads) {
            *p = *p - lr * g;
        }
    }

    /// Every rule but the lecture's: momentum, weight decay, maximize.
    #[inline(never)]
    fn general_step(&mut self, params: &mut [T], grads: &[T]) {
        if self.momentum != T::zero() {
            self.momentum_step(params, grads);
        } else {
            let (lr, maximize, decay) = (self.lr, self.maximize, self.weight_decay);
            for (p, &g) in params.iter_mut().zip(grads) {
                *p = *p - lr * regularized(g, *p, maximize, decay);
            }
        }
    }

    fn momentum_step(&mut self, params: &mut [T], grads: &[T]) {
        let (maximize, decay) = (self.maximize, self.weight_decay);
        if maximize || decay != T::zero() {
            self.momentum_loop(params, grads, move |g, p| {
                regularized(g, p, maximize, decay)
            });
        } else {
            self.momentum_loop(params, grads, |g, _| g);
        }
    }

    /// The momentum rule with the gradient's regularization chosen once, outside the
    /// loop, and every hyper-parameter in a local: each branch below is a loop the
    /// compiler vectorizes.
    #[inline(always)]
    fn momentum_loop(&mut self, params: &mut [T], grads: &[T], regularize: impl Fn(T, T) -> T) {
        let first = self.steps == 0;
        ensure_state(&mut self.state, self.steps, params.len(), T::zero());
        let (lr, mu, kept) = (self.lr, self.momentum, T::one() - self.dampening);
        let terms = params.iter_mut().zip(grads).zip(&mut self.state);
        match (first, self.nesterov) {
            (true, nesterov) => terms.for_each(|((p, &g), b)| {
                let g = regularize(g, *p);
                *b = g;
                let direction = if nesterov { g + mu * *b } else { *b };
                *p = *p - lr * direction;
            }),
            (false, true) => terms.for_each(|((p, &g), b)| {
                let g = regularize(g, *p);
                *b = *b * mu + kept * g;
                *p = *p - lr * (g + mu * *b);
            }),
            (false, false) => terms.for_each(|((p, &g), b)| {
                let g = regularize(g, *p);
                *b = *b * mu + kept * g;
                *p = *p - lr * *b;
            }),
        }
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    #[inline]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), grads.len(), "parameters and gradients");
        if self.plain {
            self.plain_step(params, grads);
        } else {
            self.general_step(params, grads);
        }
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
    }

    /// The lecture's rule gets its check and its update here, chosen once; every other
    /// rule takes the default (ask, then step).
    #[inline]
    fn step_if_finite(&mut self, params: &mut [T], grads: &[T]) -> Option<bool> {
        let lr = self.lr;
        match (self.plain, &mut *params, grads) {
            // One parameter (the lecture's): compute the update once, check it, keep it.
            (true, [p], [g]) => {
                let updated = *p - lr * *g;
                if !updated.is_finite() {
                    return Some(false);
                }
                *p = updated;
            }
            (true, params, grads) if params.len() == grads.len() => {
                return self.plain_step_if_finite(params, grads);
            }
            (_, params, grads) => return self.general_step_if_finite(params, grads),
        }
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        Some(true)
    }

    /// Computes every updated parameter as [`step`](Optimizer::step) does, without
    /// writing it, and checks them all with one reduction.
    #[inline]
    fn update_stays_finite(&self, params: &[T], grads: &[T]) -> Option<bool> {
        if params.len() != grads.len() {
            return None; // `step` refuses these anyway
        }
        let (lr, mu, kept) = (self.lr, self.momentum, T::one() - self.dampening);
        let (maximize, decay, nesterov) = (self.maximize, self.weight_decay, self.nesterov);
        let direction = move |g: T, b: T| if nesterov { g + mu * b } else { b };
        let verdict = if mu == T::zero() {
            if decay == T::zero() && !maximize {
                all_finite_zip(params, grads, |p, g| p - lr * g)
            } else {
                all_finite_zip(params, grads, |p, g| {
                    p - lr * regularized(g, p, maximize, decay)
                })
            }
        } else if self.steps == 0 {
            all_finite_zip(params, grads, |p, g| {
                let g = regularized(g, p, maximize, decay);
                p - lr * direction(g, g)
            })
        } else if self.state.len() == params.len() {
            all_finite_zip3(params, grads, &self.state, |p, g, b| {
                let g = regularized(g, p, maximize, decay);
                p - lr * direction(g, b * mu + kept * g)
            })
        } else {
            return None; // `step` refuses a changed parameter count
        };
        Some(verdict)
    }

    bookkeeping!();

    fn validate(&self) -> Result<(), Error> {
        check_initial_learning_rate(self.lr)?;
        check_decay("momentum", self.momentum)?;
        if !(self.dampening >= T::zero() && self.dampening <= T::one()) {
            return Err(invalid("dampening", self.dampening));
        }
        check_non_negative("weight_decay", self.weight_decay)?;
        if self.nesterov {
            let conflict = if self.momentum == T::zero() {
                Some("momentum")
            } else if self.dampening != T::zero() {
                Some("dampening")
            } else {
                None
            };
            if let Some(conflicts_with) = conflict {
                return Err(Error::IncompatibleHyperparameters {
                    name: "nesterov",
                    conflicts_with,
                });
            }
        }
        Ok(())
    }

    fn prepare(&mut self, param_len: usize) {
        self.plain = self.is_plain();
        let len = if self.momentum != T::zero() {
            param_len
        } else {
            0
        };
        self.steps = 0;
        ensure_state(&mut self.state, 0, len, T::zero());
    }
}
