//! Exponential decay: the rate drops by a factor every epoch.

use alloc::format;
use alloc::string::String;
use num_traits::Float;

use super::{exact, LrSchedule};
use crate::cast::cast;
use crate::error::{check_non_negative, Error};

/// Multiplies the rate by `gamma` every epoch (PyTorch's `ExponentialLR`).
///
/// # Math
///
/// ```text
/// lr(e) = base_lr · gamma^e
/// ```
///
/// PyTorch's closed form; its stepped scheduler multiplies the previous rate by `gamma`,
/// which agrees to rounding (at most 6e-16 relative over 40 epochs on the cases of
/// `tests/data/schedules.json`).
///
/// # Validation
///
/// `gamma` finite and `≥ 0` (PyTorch does not check).
///
/// ```
/// use backprop::{ExponentialLr, LrSchedule};
///
/// let schedule = ExponentialLr::new(0.5);
/// assert_eq!(schedule.learning_rate(1.0, 3), 0.125);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExponentialLr<T> {
    gamma: T,
}

impl<T: Float> ExponentialLr<T> {
    /// Decay by `gamma` every epoch (checked by [`LrSchedule::validate`]).
    pub fn new(gamma: T) -> Self {
        Self { gamma }
    }
}

impl<T: Float> LrSchedule<T> for ExponentialLr<T> {
    fn formula(&self) -> Option<String> {
        Some(format!(
            "ExponentialLr {{ gamma: {:?} }}",
            exact(self.gamma)
        ))
    }

    fn learning_rate(&self, base_lr: T, epoch: usize) -> T {
        base_lr * self.gamma.powf(cast(epoch))
    }

    fn validate(&self) -> Result<(), Error> {
        check_non_negative("gamma", self.gamma)
    }
}
