//! Optimizers: how a gradient becomes a change of the parameters.
//!
//! Every optimizer here follows PyTorch's `torch.optim` class of the same name: the same
//! update rule in the same order of operations (its single-tensor, `foreach=False` code
//! path), the same defaults and the same hyper-parameter names, checked against
//! trajectories PyTorch produced (`tools/reference_optimizers.py`,
//! `tests/pytorch_optimizers.rs`). In f64 they agree to 1e-12 relative or better.
//!
//! | optimizer  | PyTorch                      | state, per parameter                 |
//! |------------|------------------------------|--------------------------------------|
//! | [`Sgd`]    | `torch.optim.SGD`            | momentum buffer (if momentum ≠ 0)    |
//! | [`Adam`]   | `torch.optim.Adam`           | m, v, and v_max (if amsgrad)         |
//! | [`AdamW`]  | `torch.optim.AdamW`          | m, v, and v_max (if amsgrad)         |
//! | [`RmsProp`]| `torch.optim.RMSprop`        | v, momentum buffer, gradient average |
//! | [`Adagrad`]| `torch.optim.Adagrad`        | sum of squared gradients             |
//!
//! # Where other libraries differ
//!
//! The same name does not mean the same rule elsewhere; porting hyper-parameters from
//! optax or TensorFlow/Keras needs care:
//!
//! - **eps inside or outside the root.** PyTorch (and so this crate) divides by
//!   `√v + eps` in RMSprop and Adagrad. TensorFlow's RMSprop puts eps inside the root,
//!   `√(v + eps)` (PyTorch's own docs note that TensorFlow interchanges the two), and so
//!   do optax's `rmsprop`/`scale_by_rms` and `adagrad` by default.
//! - **Adam's eps and bias correction.** PyTorch adds eps after the bias-corrected
//!   root: `m̂ / (√v̂ + eps)` with `v̂ = v / (1 − β₂ᵗ)`; optax's `adam` does the same
//!   (its `eps_root`, inside the root, defaults to 0). TensorFlow/Keras use the paper's
//!   "epsilon hat" form, `lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε̂)`, which adds eps
//!   *before* the bias correction: the same as PyTorch only with
//!   `eps = ε̂ / √(1 − β₂ᵗ)`, which changes with t. Keras's default ε̂ is 1e-7, PyTorch's
//!   eps 1e-8.
//! - **Momentum.** PyTorch's SGD starts its buffer at the first gradient itself (no
//!   dampening on step 1) and keeps the learning rate out of it (`b ← μb + (1 − τ)g`,
//!   `θ ← θ − lr·b`); TensorFlow/Keras accumulate `lr·g` in the buffer (Sutskever et
//!   al.'s form), so the two differ as soon as the learning rate changes. optax's
//!   `trace` starts at zero, which matches PyTorch only without dampening (optax has
//!   none).
//! - **Decoupled weight decay.** PyTorch's AdamW shrinks by `lr·weight_decay`
//!   (`θ ← θ·(1 − lr·λ)`), default λ = 0.01; optax's `adamw` also scales by the learning
//!   rate (default 1e-4), Keras's AdamW defaults to 0.004. L2 weight decay in SGD, Adam,
//!   RMSprop and Adagrad is added to the gradient, `g ← g + λθ`, as in PyTorch.
//! - **Defaults.** RMSprop: PyTorch `alpha = 0.99`, `eps = 1e-8`, `lr = 0.01`;
//!   Keras `rho = 0.9`, `epsilon = 1e-7`; optax `decay = 0.9`. Adagrad: PyTorch
//!   `initial_accumulator_value = 0`, `eps = 1e-10`; Keras and optax start the
//!   accumulator at 0.1 with eps 1e-7.
//!
//! # Deviations from PyTorch
//!
//! Hyper-parameters are checked a little more strictly than PyTorch does (see each
//! optimizer's `# Errors`): non-finite values are refused everywhere, the initial `lr`
//! must be positive, `eps` must be positive, momentum and RMSprop's `alpha` must lie
//! in `[0, 1)` and SGD's `dampening` in `[0, 1]`.

/// The `Optimizer` methods every optimizer here answers alike from its `lr`, `state` and
/// `steps` fields: the learning rate, the flat state and the step count (the trait's docs
/// give their contract). Written once, expanded inside each `impl Optimizer`.
macro_rules! bookkeeping {
    () => {
        fn learning_rate(&self) -> T {
            self.lr
        }

        fn set_learning_rate(&mut self, lr: T) -> Result<(), $crate::error::Error> {
            $crate::optim::check_learning_rate(lr)?;
            self.lr = lr;
            Ok(())
        }

        fn reset(&mut self) {
            self.state.clear();
            self.steps = 0;
        }

        fn state(&self) -> &[T] {
            &self.state
        }

        fn state_mut(&mut self) -> &mut [T] {
            &mut self.state
        }

        fn step_count(&self) -> u64 {
            self.steps
        }

        fn set_step_count(&mut self, steps: u64) {
            self.steps = steps;
        }
    };
}

mod adagrad;
mod adam;
mod adamw;
mod rmsprop;
mod sgd;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use adamw::AdamW;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

use alloc::vec::Vec;
use num_traits::Float;

use crate::error::Error;

/// Updates a flat parameter buffer in place from a gradient of the same layout.
///
/// An optimizer owns its per-parameter state (momentum, moments) in one flat buffer,
/// sized on first use, and counts its steps; it never runs the training loop. The trait
/// is object safe.
///
/// # State
///
/// [`state`](Self::state) and [`step_count`](Self::step_count) are everything an
/// optimizer remembers between steps. **The state's contents are meaningful only when
/// `step_count() > 0`**: the first step (step count 0) initializes the state itself,
/// whatever it holds. So copying the state's values and the step count back
/// ([`state_mut`](Self::state_mut), [`set_step_count`](Self::set_step_count)) restores
/// the optimizer exactly, for a checkpoint or to undo a step, without allocating.
///
/// ```
/// use backprop::{Adam, Optimizer};
///
/// let mut adam = Adam::new(0.1);
/// let mut params = [1.0, -2.0];
/// adam.step(&mut params, &[0.5, 0.25]);
/// let (saved_params, saved_state, saved_steps) = (params, adam.state().to_vec(), adam.step_count());
///
/// adam.step(&mut params, &[0.3, -0.1]);
/// let expected = params;
///
/// // undo the second step, then redo it
/// params = saved_params;
/// adam.state_mut().copy_from_slice(&saved_state);
/// adam.set_step_count(saved_steps);
/// adam.step(&mut params, &[0.3, -0.1]);
/// assert_eq!(params, expected);
/// ```
///
/// # PyTorch semantics
///
/// [`Sgd`], [`Adam`], [`AdamW`], [`RmsProp`] and [`Adagrad`] follow `torch.optim`'s
/// classes of the same names: their update rules in the order of operations of PyTorch's
/// single-tensor path, their defaults and hyper-parameter names, checked against
/// trajectories PyTorch produced. Other libraries differ under the same names: optax and
/// TensorFlow put RMSprop's and Adagrad's eps inside the root (`√(v + eps)`, here
/// `√v + eps`); TensorFlow's Adam adds its eps before the bias correction; TensorFlow's
/// momentum accumulates `lr·g` where PyTorch's accumulates `g` and starts from the first
/// gradient; defaults differ too (e.g. RMSprop's alpha 0.99 here, rho 0.9 in Keras).
/// Each optimizer's `# Errors` lists where its checks are stricter than PyTorch's.
pub trait Optimizer<T: Float> {
    /// Applies one update: `params ← params − (the rule's step)`, and counts it.
    ///
    /// On the first step (step count 0) the state is sized for `params.len()` and
    /// initialized.
    ///
    /// # Panics
    ///
    /// If `params` and `grads` differ in length, or the parameter count changed since the
    /// first step without a [`reset`](Self::reset) (the trainer checks both first).
    fn step(&mut self, params: &mut [T], grads: &[T]);

    /// The current learning rate.
    fn learning_rate(&self) -> T;

    /// Sets the learning rate (schedules use this between steps); zero is allowed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] for a negative or non-finite rate; the old rate
    /// stays.
    fn set_learning_rate(&mut self, lr: T) -> Result<(), Error>;

    /// Checks every hyper-parameter, as PyTorch's constructors do (a little more
    /// strictly: see each optimizer's `# Errors`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first hyper-parameter out of range,
    /// in PyTorch's order, or [`Error::IncompatibleHyperparameters`] for values that are
    /// valid alone but not together.
    fn validate(&self) -> Result<(), Error>;

    /// Forgets all per-parameter state, as if no step had been taken: the step count
    /// becomes 0 and the state empty (its memory is kept for the next first step).
    fn reset(&mut self);

    /// The per-parameter state as one flat buffer, in the layout the optimizer documents
    /// (e.g. Adam: `[m…, v…, v_max…]`); empty before the first step.
    ///
    /// Meaningful only when [`step_count`](Self::step_count) is above 0.
    fn state(&self) -> &[T];

    /// The state, mutable: to restore saved values (see [the trait docs](Self)).
    fn state_mut(&mut self) -> &mut [T];

    /// How many steps have been applied since creation or the last
    /// [`reset`](Self::reset).
    fn step_count(&self) -> u64;

    /// Sets the step count, to restore a saved optimizer together with its
    /// [`state`](Self::state_mut). Setting 0 makes the next step start afresh.
    fn set_step_count(&mut self, steps: u64);

    /// Whether [`step`](Self::step) on these parameters and gradients would leave every
    /// parameter finite, decided without changing anything; `None` when the optimizer
    /// cannot tell more cheaply than by stepping (the default).
    ///
    /// [`Trainer`](crate::Trainer) asks before every update. `Some(true)` lets it update
    /// in place with no copy kept for an undo; `Some(false)` makes it refuse the step
    /// before anything changed; `None` makes it copy the parameters and the state first,
    /// so it can put them back. An answer must be exact: the step's arithmetic, in the
    /// step's order. [`Sgd`] answers (its update is one multiply-subtract per
    /// parameter); the adaptive optimizers, whose update costs a root and a division,
    /// leave the default.
    ///
    /// ```
    /// use backprop::{Optimizer, Sgd};
    ///
    /// let sgd = Sgd::new(0.5);
    /// assert_eq!(sgd.update_stays_finite(&[1.0, 2.0], &[4.0, -2.0]), Some(true));
    /// assert_eq!(sgd.update_stays_finite(&[f64::MAX], &[-f64::MAX]), Some(false)); // overflows
    /// ```
    fn update_stays_finite(&self, params: &[T], grads: &[T]) -> Option<bool> {
        let _ = (params, grads);
        None
    }

    /// Applies [`step`](Self::step) only if
    /// [`update_stays_finite`](Self::update_stays_finite) answers `Some(true)`, and
    /// returns that answer: after `Some(false)` or `None` nothing has changed.
    ///
    /// [`Trainer`](crate::Trainer) calls this for every update. The default asks, then
    /// steps; an optimizer may override it to choose its rule once for both (as [`Sgd`]
    /// does), but it must keep this meaning exactly.
    ///
    /// ```
    /// use backprop::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.5);
    /// let mut w = [1.0];
    /// assert_eq!(sgd.step_if_finite(&mut w, &[4.0]), Some(true));
    /// assert_eq!(w, [-1.0]);
    /// let mut huge = [f64::MAX];
    /// assert_eq!(sgd.step_if_finite(&mut huge, &[-f64::MAX]), Some(false));
    /// assert_eq!(huge, [f64::MAX]); // unchanged
    /// assert_eq!(sgd.step_count(), 1);
    /// ```
    #[inline]
    fn step_if_finite(&mut self, params: &mut [T], grads: &[T]) -> Option<bool> {
        ask_then_step(self, params, grads)
    }

    /// Sizes the state for `param_len` parameters and sets it to its initial values,
    /// with step count 0, so that [`state_mut`](Self::state_mut) can receive saved
    /// values before any step (e.g. when loading a checkpoint into a new optimizer).
    fn prepare(&mut self, param_len: usize);
}

/// [`Optimizer::step_if_finite`]'s default: ask
/// [`update_stays_finite`](Optimizer::update_stays_finite), step only on `Some(true)`.
/// Shared with optimizers that override it for some rules only.
#[inline]
pub(crate) fn ask_then_step<T: Float, O: Optimizer<T> + ?Sized>(
    optimizer: &mut O,
    params: &mut [T],
    grads: &[T],
) -> Option<bool> {
    let verdict = optimizer.update_stays_finite(params, grads);
    if verdict == Some(true) {
        optimizer.step(params, grads);
    }
    verdict
}

/// Refuses an initial learning rate that is not positive and finite.
///
/// PyTorch refuses only negative rates; a zero initial rate never learns, so it is
/// refused here as the mistake it almost always is. A schedule may still lower the rate to
/// zero through [`Optimizer::set_learning_rate`].
pub(crate) fn check_initial_learning_rate<T: Float>(lr: T) -> Result<(), Error> {
    check_learning_rate(lr)?;
    if lr > T::zero() {
        Ok(())
    } else {
        Err(invalid("lr", lr))
    }
}

/// Refuses a negative or non-finite learning rate (PyTorch: "Invalid learning rate").
pub(crate) fn check_learning_rate<T: Float>(lr: T) -> Result<(), Error> {
    check_non_negative("lr", lr)
}

/// Refuses a value that is negative or not finite (weight decay, lr decay, ...).
pub(crate) fn check_non_negative<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() && value >= T::zero() {
        Ok(())
    } else {
        Err(invalid(name, value))
    }
}

/// Refuses a value that is not positive and finite (eps).
pub(crate) fn check_positive<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() && value > T::zero() {
        Ok(())
    } else {
        Err(invalid(name, value))
    }
}

/// Refuses a value outside `[0, 1)` (momentum, betas, alpha): a decay factor of 1 or
/// more never forgets, and its running average never settles.
pub(crate) fn check_decay<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value >= T::zero() && value < T::one() {
        Ok(())
    } else {
        Err(invalid(name, value))
    }
}

/// The error for hyper-parameter `name` holding `value`.
pub(crate) fn invalid<T: Float>(name: &'static str, value: T) -> Error {
    Error::InvalidHyperparameter {
        name,
        value: value.to_f64().unwrap_or(f64::NAN),
    }
}

/// The gradient an update rule works on: negated to maximize, then with L2 weight decay.
///
/// # Math
///
/// ```text
/// g ← −g          if maximize
/// g ← g + λ·θ     if λ ≠ 0
/// ```
///
/// PyTorch skips the addition when λ = 0, which keeps `-0.0` and a NaN-free `g` next to
/// an infinite θ exactly as they are; so does this.
pub(crate) fn regularized<T: Float>(g: T, param: T, maximize: bool, weight_decay: T) -> T {
    let g = if maximize { -g } else { g };
    if weight_decay == T::zero() {
        g
    } else {
        g + weight_decay * param
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
pub(crate) fn lerp<T: Float>(start: T, end: T, weight: T) -> T {
    let half = T::one() / (T::one() + T::one());
    if weight.abs() < half {
        start + weight * (end - start)
    } else {
        end - (end - start) * (T::one() - weight)
    }
}

/// Makes `state` hold `len` values: on the first step (`steps == 0`) it is resized and
/// filled with `initial`, afterwards its length must already be `len`.
///
/// # Panics
///
/// If `steps > 0` and the state's length is not `len`: the parameter count changed
/// since the first step.
pub(crate) fn ensure_state<T: Float>(state: &mut Vec<T>, steps: u64, len: usize, initial: T) {
    if steps == 0 {
        state.clear();
        state.resize(len, initial);
    } else {
        assert_eq!(
            state.len(),
            len,
            "the parameter count changed since the first step; reset the optimizer first"
        );
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

    #[test]
    fn regularized_flips_before_decay() {
        // maximize negates the raw gradient only: −g + λθ, not −(g + λθ)
        assert_eq!(regularized(1.0, 10.0, true, 0.5), -1.0 + 0.5 * 10.0);
        assert_eq!(regularized(1.0, 10.0, false, 0.0), 1.0);
    }

    #[test]
    fn decay_factors_lie_in_zero_to_one() {
        assert!(check_decay("momentum", 0.0).is_ok());
        assert!(check_decay("momentum", 0.999).is_ok());
        assert!(check_decay("momentum", 1.0).is_err());
        assert!(check_decay("momentum", -0.1).is_err());
        assert!(check_decay("momentum", f64::NAN).is_err());
    }
}
