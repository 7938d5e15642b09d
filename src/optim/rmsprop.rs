//! RMSprop: gradients divided by the root of their running mean square.

use num_traits::Float;

use super::options::{
    check_momentum, lerp, regularized_out_of_place, regularized_update, Formula, OutOfPlaceFormula,
    Regularization, Regularized,
};
use super::{check_floor, first_difference, Optimizer, OutOfPlace, UpdateRule};
use crate::cast::cast;
use crate::error::{check_decay, check_positive, CheckpointFault, Error};

/// RMSprop (PyTorch's `torch.optim.RMSprop`), optionally centered and with momentum.
///
/// # Math
///
/// With `α` alpha, `μ` momentum, starting from `v = b = ḡ = 0`, after maximize and
/// [`WeightDecay`](crate::WeightDecay) (docs/math.md, 26–28):
///
/// ```text
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
/// eps is added *outside* the root (TensorFlow and optax put it inside). The operations
/// run in the order of PyTorch's single-tensor (`foreach=False`) code path.
///
/// # Defaults (PyTorch's)
///
/// lr 0.01 (given to [`new`](Self::new) here), alpha 0.99, eps 1e-8, no weight decay,
/// momentum 0, centered false, maximize false.
///
/// # State
///
/// `[v…]`, then `[b…]` if momentum > 0, then `[ḡ…]` if centered: each block one value
/// per parameter, in that order.
///
/// # Errors
///
/// [`Optimizer::validate`] refuses an initial `lr` that is not positive and finite, an
/// `eps` that is not positive and finite, `momentum` or `alpha` outside `[0, 1)` (PyTorch
/// allows any non-negative value), and a negative or non-finite `weight_decay`.
///
/// ```
/// use backprop::RmsProp;
///
/// let mut rmsprop = RmsProp::new(0.01).alpha(0.9).momentum(0.5).centered(true);
/// rmsprop.validate()?;
/// let mut w = [1.0_f64, 1.0];
/// rmsprop.step(&mut w, &[3.0, -0.003])?;
/// // normalized: both move by the same amount, whatever the gradient's size
/// let (down, up) = (1.0 - w[0], w[1] - 1.0);
/// assert!((down - up).abs() < 1e-6);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RmsProp<T> {
    alpha: T,
    eps: T,
    momentum: T,
    centered: bool,
    regularization: Regularization<T>,
}

impl<T: Float> RmsProp<T> {
    /// RMSprop at learning rate `lr`, with PyTorch's defaults for the rest.
    ///
    /// The builder methods below set the other hyper-parameters; [`Optimizer::validate`]
    /// (which [`Trainer::new`](crate::Trainer::new) calls) checks them.
    pub fn new(lr: T) -> Optimizer<T, Self> {
        let rule = Self {
            alpha: cast(0.99),
            eps: cast(1e-8),
            momentum: T::zero(),
            centered: false,
            regularization: Regularization::none(),
        };
        Optimizer::new(rule, lr)
    }

    /// The lengths of the momentum and gradient-average blocks for `n` parameters.
    fn block_lens(&self, n: usize) -> (usize, usize) {
        let momentum = if self.momentum > T::zero() { n } else { 0 };
        let centered = if self.centered { n } else { 0 };
        (momentum, centered)
    }
}

impl<T: Float> Optimizer<T, RmsProp<T>> {
    /// Smoothing constant α of the running averages (default 0.99).
    pub fn alpha(mut self, alpha: T) -> Self {
        self.rule.alpha = alpha;
        self
    }

    /// Term added to the denominator after the root (default 1e-8).
    pub fn eps(mut self, eps: T) -> Self {
        self.rule.eps = eps;
        self
    }

    /// Momentum factor μ applied to the normalized gradient (default 0).
    pub fn momentum(mut self, momentum: T) -> Self {
        self.rule.momentum = momentum;
        self
    }

    /// Centered RMSprop: normalize by an estimate of the gradient's variance instead of
    /// its second moment (default false).
    pub fn centered(mut self, centered: bool) -> Self {
        self.rule.centered = centered;
        self
    }
}

impl<T: Float> UpdateRule<T> for RmsProp<T> {
    fn state_len(&self, params: usize) -> usize {
        let (momentum, centered) = self.block_lens(params);
        params + momentum + centered
    }

    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        regularized_update(self, self.regularization, t, lr, params, grads, state);
    }

    fn update_out_of_place(&self, update: OutOfPlace<'_, T>) -> bool {
        regularized_out_of_place(self, self.regularization, update);
        true
    }

    fn validate(&self) -> Result<(), Error> {
        check_positive("eps", self.eps)?;
        check_momentum(self.momentum)?;
        self.regularization.validate()?;
        check_decay("alpha", self.alpha)
    }

    /// `square_avg` (v) is a running mean of squares, never negative. Centered, the
    /// variance estimate `v − ḡ²` is not checked: it is ≥ 0 in exact arithmetic, but
    /// rounding can leave it a few ulps below 0 in a genuine run (as in PyTorch).
    fn check_state(&self, state: &[T]) -> Result<(), CheckpointFault> {
        let blocks = 1 + usize::from(self.momentum > T::zero()) + usize::from(self.centered);
        check_floor(&state[..state.len() / blocks], T::zero(), "square_avg", 0)
    }

    fn difference(&self, other: &Self) -> Option<&'static str> {
        first_difference([
            (self.alpha != other.alpha, "alpha"),
            (self.eps != other.eps, "eps"),
            (self.momentum != other.momentum, "momentum"),
            (self.centered != other.centered, "centered"),
        ])
        .or_else(|| self.regularization.difference(other.regularization))
    }
}

impl<T> Regularized<T> for RmsProp<T> {
    fn regularization(&mut self) -> &mut Regularization<T> {
        &mut self.regularization
    }
}

impl<T: Float> Formula<T> for RmsProp<T> {
    // Inlined into the wide-vector build `regularized_update` runs it in.
    #[inline(always)]
    fn apply(
        &self,
        _t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        regularize: impl Fn(T, T) -> (T, T),
        _fused: bool,
    ) {
        let step = self.element(lr, regularize);
        let (momentum_len, _) = self.block_lens(params.len());
        let (v, rest) = state.split_at_mut(params.len());
        let (buffer, grad_avg) = rest.split_at_mut(momentum_len);
        let terms = params.iter_mut().zip(grads).zip(v);
        match (buffer.is_empty(), grad_avg.is_empty()) {
            (true, true) => terms.for_each(|((p, &g), v)| step(p, g, v, None, None)),
            (false, true) => terms
                .zip(buffer)
                .for_each(|(((p, &g), v), b)| step(p, g, v, None, Some(b))),
            (true, false) => terms
                .zip(grad_avg)
                .for_each(|(((p, &g), v), avg)| step(p, g, v, Some(avg), None)),
            (false, false) => terms
                .zip(grad_avg)
                .zip(buffer)
                .for_each(|((((p, &g), v), avg), b)| step(p, g, v, Some(avg), Some(b))),
        }
    }
}

impl<T: Float> OutOfPlaceFormula<T> for RmsProp<T> {
    #[inline(always)]
    fn apply_out_of_place(
        &self,
        update: OutOfPlace<'_, T>,
        regularize: impl Fn(T, T) -> (T, T),
        _fused: bool,
    ) {
        let OutOfPlace {
            lr,
            params,
            saved_params,
            grads,
            state,
            new_state,
            ..
        } = update;
        let step = self.element(lr, regularize);
        let (momentum_len, _) = self.block_lens(params.len());
        let (v, rest) = state.split_at(params.len());
        let (buffer, grad_avg) = rest.split_at(momentum_len);
        let (new_v, new_rest) = new_state.split_at_mut(params.len());
        let (new_buffer, new_grad_avg) = new_rest.split_at_mut(momentum_len);
        let terms = params.iter_mut().zip(saved_params).zip(grads);
        let terms = terms.zip(v.iter().zip(new_v));
        // Each block's old value copied to its new place, then updated there.
        match (buffer.is_empty(), grad_avg.is_empty()) {
            (true, true) => {
                for (((p, saved), &g), (&v, new_v)) in terms {
                    (*saved, *new_v) = (*p, v);
                    step(p, g, new_v, None, None);
                }
            }
            (false, true) => {
                let buffers = buffer.iter().zip(new_buffer);
                for ((((p, saved), &g), (&v, new_v)), (&b, new_b)) in terms.zip(buffers) {
                    (*saved, *new_v, *new_b) = (*p, v, b);
                    step(p, g, new_v, None, Some(new_b));
                }
            }
            (true, false) => {
                let avgs = grad_avg.iter().zip(new_grad_avg);
                for ((((p, saved), &g), (&v, new_v)), (&avg, new_avg)) in terms.zip(avgs) {
                    (*saved, *new_v, *new_avg) = (*p, v, avg);
                    step(p, g, new_v, Some(new_avg), None);
                }
            }
            (false, false) => {
                let avgs = grad_avg.iter().zip(new_grad_avg);
                let buffers = buffer.iter().zip(new_buffer);
                let blocks = terms.zip(avgs).zip(buffers);
                for (((((p, saved), &g), (&v, new_v)), (&avg, new_avg)), (&b, new_b)) in blocks {
                    (*saved, *new_v, *new_avg, *new_b) = (*p, v, avg, b);
                    step(p, g, new_v, Some(new_avg), Some(new_b));
                }
            }
        }
    }
}

impl<T: Float> RmsProp<T> {
    /// One parameter's update (the formula above) as `(θ, g, v, avg, b)`, updating all but
    /// `g` in place; `avg` is `None` unless centered, `b` unless with momentum.
    #[inline(always)]
    fn element(
        &self,
        lr: T,
        regularize: impl Fn(T, T) -> (T, T),
    ) -> impl Fn(&mut T, T, &mut T, Option<&mut T>, Option<&mut T>) {
        let (alpha, eps, mu) = (self.alpha, self.eps, self.momentum);
        move |p: &mut T, g: T, v: &mut T, avg: Option<&mut T>, b: Option<&mut T>| {
            let (theta, g) = regularize(*p, g);
            *v = *v * alpha + (T::one() - alpha) * g * g;
            let root = match avg {
                Some(avg) => {
                    *avg = lerp(*avg, g, T::one() - alpha);
                    (*v - *avg * *avg).sqrt()
                }
                None => v.sqrt(),
            };
            *p = match b {
                Some(b) => {
                    *b = *b * mu + g / (root + eps);
                    theta - lr * *b
                }
                None => theta - lr * g / (root + eps),
            };
        }
    }
}
