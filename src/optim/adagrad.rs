//! Adagrad: each parameter's rate divided by the root of its summed squared gradients.

use num_traits::Float;

use super::options::{
    regularized_out_of_place, regularized_update, Formula, OutOfPlaceFormula, Regularization,
    Regularized,
};
use super::{check_floor, first_difference, Optimizer, OutOfPlace, UpdateRule};
use crate::cast::cast;
use crate::error::{check_non_negative, check_positive, CheckpointFault, Error};

/// Adagrad (PyTorch's `torch.optim.Adagrad`).
///
/// # Math
///
/// With `η` lr_decay, `τ` initial_accumulator_value and step `t = 1, 2, …`, starting
/// from `s = τ`, after maximize and [`WeightDecay`](crate::WeightDecay) (docs/math.md, 29–31):
///
/// ```text
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
/// lr 0.01 (given to [`new`](Self::new) here), lr_decay 0, no weight decay,
/// initial_accumulator_value 0, eps 1e-10, maximize false.
///
/// # State
///
/// `[s…]`, the sum of squared gradients, one value per parameter.
///
/// # Errors
///
/// [`Optimizer::validate`] refuses an initial `lr` that is not positive and finite, a
/// negative or non-finite `lr_decay`, `weight_decay` or `initial_accumulator_value`, and
/// an `eps` that is not positive and finite.
///
/// ```
/// use backprop::Adagrad;
///
/// let mut adagrad = Adagrad::new(0.5).eps(1e-10);
/// adagrad.validate()?;
/// let mut w = [1.0];
/// adagrad.step(&mut w, &[2.0])?; // s = 4, θ ← 1 − 0.5·2/(2 + 1e-10)
/// assert_eq!(w, [1.0 - 0.5 * 2.0 / (2.0 + 1e-10)]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adagrad<T> {
    lr_decay: T,
    initial_accumulator_value: T,
    eps: T,
    regularization: Regularization<T>,
}

impl<T: Float> Adagrad<T> {
    /// Adagrad at learning rate `lr`, with PyTorch's defaults for the rest.
    ///
    /// The builder methods below set the other hyper-parameters; [`Optimizer::validate`]
    /// (which [`Trainer::new`](crate::Trainer::new) calls) checks them.
    pub fn new(lr: T) -> Optimizer<T, Self> {
        let rule = Self {
            lr_decay: T::zero(),
            initial_accumulator_value: T::zero(),
            eps: cast(1e-10),
            regularization: Regularization::none(),
        };
        Optimizer::new(rule, lr)
    }
}

impl<T: Float> Optimizer<T, Adagrad<T>> {
    /// Learning-rate decay η: step t uses `lr / (1 + (t − 1)·η)` (default 0).
    pub fn lr_decay(mut self, lr_decay: T) -> Self {
        self.rule.lr_decay = lr_decay;
        self
    }

    /// The value the sum of squared gradients starts from (default 0).
    pub fn initial_accumulator_value(mut self, value: T) -> Self {
        self.rule.initial_accumulator_value = value;
        self
    }

    /// Term added to the denominator after the root (default 1e-10).
    pub fn eps(mut self, eps: T) -> Self {
        self.rule.eps = eps;
        self
    }
}

impl<T: Float> UpdateRule<T> for Adagrad<T> {
    fn state_len(&self, params: usize) -> usize {
        params
    }

    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        regularized_update(self, self.regularization, t, lr, params, grads, state);
    }

    fn update_out_of_place(&self, update: OutOfPlace<'_, T>) -> bool {
        regularized_out_of_place(self, self.regularization, update);
        true
    }

    fn validate(&self) -> Result<(), Error> {
        check_non_negative("lr_decay", self.lr_decay)?;
        self.regularization.validate()?;
        check_non_negative("initial_accumulator_value", self.initial_accumulator_value)?;
        check_positive("eps", self.eps)
    }

    /// `sum` starts at `initial_accumulator_value` and only ever adds squares, so it is
    /// never below it (rounding cannot take a sum below an addend that is ≥ 0).
    fn check_state(&self, state: &[T]) -> Result<(), CheckpointFault> {
        check_floor(state, self.initial_accumulator_value, "sum", 0)
    }

    fn difference(&self, other: &Self) -> Option<&'static str> {
        let start = (
            self.initial_accumulator_value,
            other.initial_accumulator_value,
        );
        first_difference([
            (self.lr_decay != other.lr_decay, "lr_decay"),
            (start.0 != start.1, "initial_accumulator_value"),
            (self.eps != other.eps, "eps"),
        ])
        .or_else(|| self.regularization.difference(other.regularization))
    }
}

impl<T> Regularized<T> for Adagrad<T> {
    fn regularization(&mut self) -> &mut Regularization<T> {
        &mut self.regularization
    }
}

impl<T: Float> Formula<T> for Adagrad<T> {
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
        _fused: bool,
    ) {
        let step = self.element(t, lr, regularize);
        for ((p, &g), s) in params.iter_mut().zip(grads).zip(state) {
            step(p, g, s);
        }
    }
}

impl<T: Float> OutOfPlaceFormula<T> for Adagrad<T> {
    #[inline(always)]
    fn apply_out_of_place(
        &self,
        update: OutOfPlace<'_, T>,
        regularize: impl Fn(T, T) -> (T, T),
        _fused: bool,
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
        let step = self.element(t, lr, regularize);
        let params = params.iter_mut().zip(saved_params).zip(grads);
        for (((p, saved), &g), (&s, new_s)) in params.zip(state.iter().zip(new_state)) {
            (*saved, *new_s) = (*p, s);
            step(p, g, new_s);
        }
    }
}

impl<T: Float> Adagrad<T> {
    /// One parameter's step `t` (the formula above) as `(θ, g, sum)`, updating `θ` and
    /// `sum` in place.
    #[inline(always)]
    fn element(
        &self,
        t: u64,
        lr: T,
        regularize: impl Fn(T, T) -> (T, T),
    ) -> impl Fn(&mut T, T, &mut T) {
        let decayed_lr = lr / (T::one() + cast::<T>(t - 1) * self.lr_decay);
        // The sum starts at τ: added once, at t = 1, to the zeroed state.
        let start = if t == 1 {
            self.initial_accumulator_value
        } else {
            T::zero()
        };
        let eps = self.eps;
        move |p: &mut T, g: T, s: &mut T| {
            let (theta, g) = regularize(*p, g);
            *s = (*s + start) + g * g;
            *p = theta - decayed_lr * g / (s.sqrt() + eps);
        }
    }
}
