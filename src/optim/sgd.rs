//! Stochastic gradient descent, with PyTorch's momentum, Nesterov and weight decay.

use num_traits::Float;

use crate::kernel::on_widest_vectors;

use super::options::{check_momentum, regularized_update, Formula, Regularization, Regularized};
use super::{first_difference, Momentum, OneParameter, Optimizer, UpdateRule};
use crate::error::{check_fraction, Error};

/// Gradient descent with optional momentum (PyTorch's `torch.optim.SGD`).
///
/// # Math
///
/// With `μ` the [`Momentum`] factor, `τ` dampening and `b` the momentum buffer, step
/// `t = 1, 2, …`, after maximize and [`WeightDecay`](crate::WeightDecay) (docs/math.md, 16–20):
///
/// ```text
/// with momentum:
///     b ← g                 if t = 1   (the first gradient itself: no dampening)
///     b ← μ·b + (1 − τ)·g   if t > 1
///     g ← g + μ·b           Momentum::Nesterov
///     g ← b                 Momentum::Classic
/// θ ← θ − lr·g
/// ```
///
/// Without momentum and weight decay this is the lecture's `w ← w − lr · dloss/dw`,
/// computed as `w - lr * g` so f64 matches it bit for bit.
///
/// # Defaults (PyTorch's)
///
/// no momentum, dampening 0, no weight decay, maximize false; `lr` has no default in
/// PyTorch either.
///
/// # State
///
/// `[b…]`, one momentum buffer value per parameter, only with momentum (else empty).
///
/// # Errors
///
/// [`Optimizer::validate`] refuses an initial `lr` that is not positive and finite, a
/// `momentum` outside `[0, 1)` (PyTorch allows any non-negative value), a `dampening`
/// outside `[0, 1]` (PyTorch does not check it), a negative or non-finite
/// `weight_decay`, and, as [`Error::IncompatibleHyperparameters`], Nesterov momentum of
/// factor 0 or with dampening.
///
/// ```
/// use backprop::{Momentum, Sgd};
///
/// let mut sgd = Sgd::new(0.1);
/// let mut w = [0.7];
/// let gradient = 2.0 * (1.2 * 0.7 - 0.4) * 1.2; // dL/dw = 2(a − y)·x
/// sgd.step(&mut w, &[gradient])?;
/// assert_eq!(w, [0.5943999999999999]); // the lecture's first updated weight
///
/// let mut heavy_ball = Sgd::new(0.1).momentum(Momentum::Nesterov(0.9));
/// heavy_ball.validate()?;
/// let mut w = [1.0];
/// heavy_ball.step(&mut w, &[1.0])?; // b = 1, g = 1 + 0.9·1
/// assert_eq!(w, [1.0 - 0.1 * 1.9]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sgd<T> {
    momentum: Option<Momentum<T>>,
    dampening: T,
    regularization: Regularization<T>,
}

impl<T: Float> Sgd<T> {
    /// Gradient descent at learning rate `lr`, with PyTorch's defaults for the rest.
    ///
    /// The builder methods below set the other hyper-parameters; [`Optimizer::validate`]
    /// (which [`Trainer::new`](crate::Trainer::new) calls) checks them.
    pub fn new(lr: T) -> Optimizer<T, Self> {
        let rule = Self {
            momentum: None,
            dampening: T::zero(),
            regularization: Regularization::none(),
        };
        Optimizer::new(rule, lr)
    }
}

impl<T: Float> Optimizer<T, Sgd<T>> {
    /// Momentum, classic or Nesterov (default none).
    pub fn momentum(mut self, momentum: Momentum<T>) -> Self {
        self.rule.momentum = Some(momentum);
        self
    }

    /// Dampening τ of the gradient added to the momentum buffer after the first step
    /// (default 0); only with [`Momentum::Classic`].
    pub fn dampening(mut self, dampening: T) -> Self {
        self.rule.dampening = dampening;
        self
    }
}

impl<T: Float> UpdateRule<T> for Sgd<T> {
    #[inline]
    fn state_len(&self, params: usize) -> usize {
        if self.momentum.is_some() {
            params
        } else {
            0
        }
    }

    #[inline(always)]
    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        regularized_update(self, self.regularization, t, lr, params, grads, state);
    }

    /// Plain SGD only: with these two settled, the update above has a single path, and
    /// the parameter stays in a register.
    #[inline(always)]
    fn update_one(&self, one: OneParameter<T>) -> Option<T> {
        if self.momentum.is_some() || !self.regularization.is_plain() {
            return None;
        }
        let mut param = [one.param];
        self.update(one.t, one.lr, &mut param, &[one.grad], &mut []);
        Some(param[0])
    }

    fn validate(&self) -> Result<(), Error> {
        if let Some(momentum) = self.momentum {
            check_momentum(momentum.factor())?;
        }
        check_fraction("dampening", self.dampening)?;
        self.regularization.validate()?;
        if let Some(Momentum::Nesterov(mu)) = self.momentum {
            let conflicts_with = if mu == T::zero() {
                "momentum"
            } else if self.dampening != T::zero() {
                "dampening"
            } else {
                return Ok(());
            };
            return Err(Error::IncompatibleHyperparameters {
                name: "nesterov",
                conflicts_with,
            });
        }
        Ok(())
    }

    fn difference(&self, other: &Self) -> Option<&'static str> {
        let factor = |rule: &Self| rule.momentum.map(Momentum::factor);
        let nesterov = |rule: &Self| matches!(rule.momentum, Some(Momentum::Nesterov(_)));
        first_difference([
            (factor(self) != factor(other), "momentum"),
            (nesterov(self) != nesterov(other), "nesterov"),
            (self.dampening != other.dampening, "dampening"),
        ])
        .or_else(|| self.regularization.difference(other.regularization))
    }
}

impl<T> Regularized<T> for Sgd<T> {
    fn regularization(&mut self) -> &mut Regularization<T> {
        &mut self.regularization
    }
}

impl<T: Float> Formula<T> for Sgd<T> {
    // Always inlined: the one-parameter step reaches it twice (`update_one` and the
    // fallback), and a call there sent the weight through memory.
    #[inline(always)]
    fn apply(
        &self,
        t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        regularize: impl Fn(T, T) -> (T, T),
        _fused: bool,
    ) {
        let Some(momentum) = self.momentum else {
            for (p, &g) in params.iter_mut().zip(grads) {
                let (theta, g) = regularize(*p, g);
                *p = theta - lr * g;
            }
            return;
        };
        self.apply_momentum(momentum, t, lr, params, grads, state, regularize);
    }
}

impl<T: Float> Sgd<T> {
    /// [`Formula::apply`] with momentum, out of line: plain SGD, a loop of one line,
    /// inlines into the step alone.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn apply_momentum(
        &self,
        momentum: Momentum<T>,
        t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        regularize: impl Fn(T, T) -> (T, T),
    ) {
        let mu = momentum.factor();
        // (18) at t = 1, b ← g, is the later rule with μ = 0 and no dampening on the
        // zeroed buffer: one loop serves every step.
        let (decay, kept) = if t == 1 {
            (T::zero(), T::one())
        } else {
            (mu, T::one() - self.dampening)
        };
        let nesterov = matches!(momentum, Momentum::Nesterov(_));
        // Out of line, so built for the widest vectors here, not in the caller's build.
        on_widest_vectors(
            params.len(),
            #[inline(always)]
            || {
                for ((p, &g), b) in params.iter_mut().zip(grads).zip(state) {
                    let (theta, g) = regularize(*p, g);
                    *b = *b * decay + kept * g;
                    let direction = if nesterov { g + mu * *b } else { *b };
                    *p = theta - lr * direction;
                }
            },
        );
    }
}
