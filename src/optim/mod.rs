//! Optimizers: how a gradient becomes a change of the parameters.

mod sgd;

pub use sgd::Sgd;

use num_traits::Float;

use crate::error::Error;

/// Updates a flat parameter buffer in place from a gradient of the same layout.
///
/// An optimizer owns its per-parameter state (momentum, moments), sized on first use;
/// it never runs the training loop. The trait is object safe.
///
/// ```
/// use backprop::{Optimizer, Sgd};
///
/// let mut sgd = Sgd::new(0.1);
/// let mut params = [0.7];
/// sgd.step(&mut params, &[1.056]);
/// assert_eq!(params, [0.7 - 0.1 * 1.056]);
/// ```
pub trait Optimizer<T: Float> {
    /// Applies one update: `params ← params − (the rule's step)`.
    ///
    /// # Panics
    ///
    /// If `params` and `grads` differ in length, or the parameter count changed since the
    /// first step (the trainer checks both first).
    fn step(&mut self, params: &mut [T], grads: &[T]);

    /// The current learning rate.
    fn learning_rate(&self) -> T;

    /// Sets the learning rate (schedules use this between steps).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] for a negative or non-finite rate; the old rate
    /// stays.
    fn set_learning_rate(&mut self, lr: T) -> Result<(), Error>;

    /// Checks every hyper-parameter, as PyTorch's constructors do.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first hyper-parameter out of range.
    fn validate(&self) -> Result<(), Error>;

    /// Forgets all per-parameter state, as if no step had been taken.
    fn reset(&mut self);
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
    if lr.is_finite() && lr >= T::zero() {
        Ok(())
    } else {
        Err(invalid("lr", lr))
    }
}

/// The error for hyper-parameter `name` holding `value`.
pub(crate) fn invalid<T: Float>(name: &'static str, value: T) -> Error {
    Error::InvalidHyperparameter {
        name,
        value: value.to_f64().unwrap_or(f64::NAN),
    }
}
