//! Learning-rate schedules: the learning rate as a function of the epoch.
//!
//! The epoch schedules ([`StepLr`], [`ExponentialLr`], [`CosineAnnealingLr`],
//! [`LinearLr`]) are pure functions `(base_lr, epoch) ↦ lr`, PyTorch's closed forms; they
//! agree with PyTorch's schedulers stepped once per epoch to rounding (see each type).
//! [`ReduceLrOnPlateau`] reacts to a metric and keeps state, so it is a type of its own.
//! [`Trainer::schedule`](crate::Trainer::schedule) and
//! [`Trainer::reduce_lr_on_plateau`](crate::Trainer::reduce_lr_on_plateau) apply either
//! at the end of each epoch.

mod cosine;
mod exponential;
mod linear;
mod plateau;
mod step;

pub use cosine::CosineAnnealingLr;
pub use exponential::ExponentialLr;
pub use linear::LinearLr;
pub use plateau::{PlateauMode, ReduceLrOnPlateau, ThresholdMode};
pub use step::StepLr;

use alloc::string::String;
use num_traits::Float;

use crate::error::Error;

/// A learning rate that depends only on the initial rate and the epoch.
///
/// `learning_rate(base_lr, epoch)` is the rate in force during epoch `epoch`, counted
/// from 0: PyTorch's `scheduler.get_last_lr()` after `epoch` calls of `scheduler.step()`,
/// where `base_lr` is the optimizer's rate when the scheduler was made. Being a pure
/// function, a schedule can be queried for any epoch, in any order, and shared.
///
/// The trait is object safe; implement it for a schedule of your own (PyTorch's
/// `LambdaLR` is `base_lr * f(epoch)`).
///
/// ```
/// use backprop::{LrSchedule, StepLr};
///
/// let halve_every_10 = StepLr::new(10, 0.5);
/// halve_every_10.validate()?;
/// assert_eq!(halve_every_10.learning_rate(0.1, 9), 0.1);
/// assert_eq!(halve_every_10.learning_rate(0.1, 10), 0.05);
/// # Ok::<(), backprop::Error>(())
/// ```
pub trait LrSchedule<T: Float> {
    /// The learning rate during epoch `epoch` (0-based) for an initial rate `base_lr`.
    ///
    /// Never panics; for hyper-parameters that [`validate`](LrSchedule::validate) refuses
    /// the value is unspecified (possibly NaN).
    fn learning_rate(&self, base_lr: T, epoch: usize) -> T;

    /// Checks every hyper-parameter.
    ///
    /// The default accepts everything.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first hyper-parameter out of range.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }

    /// What identifies the formula in a [`Checkpoint`](crate::Checkpoint): its type and
    /// hyper-parameters, such as `StepLr { step_size: 1, gamma: 0.5 }` (the built-in
    /// schedules give their `Debug` form, floats in their shortest exact digits).
    ///
    /// [`Trainer::restore`](crate::Trainer::restore) refuses a checkpoint whose formula
    /// differs from the trainer's schedule's, since its rates would silently change.
    /// The default, `None`, records nothing: then any schedule that also says `None` is
    /// accepted. Implement it for a schedule of your own to have it checked.
    fn formula(&self) -> Option<String> {
        None
    }
}

/// A hyper-parameter as `f64` for a [`LrSchedule::formula`]: exact for f32 and f64, whose
/// `Debug` form then round-trips.
pub(crate) fn exact<T: Float>(value: T) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}
