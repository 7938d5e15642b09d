//! Step decay: the rate drops by a factor every few epochs.

use alloc::format;
use alloc::string::String;
use num_traits::Float;

use super::{exact, LrSchedule};
use crate::cast::cast;
use crate::error::{check_non_negative, check_positive_count, Error};

/// Multiplies the rate by `gamma` every `step_size` epochs (PyTorch's `StepLR`).
///
/// # Math
///
/// ```text
/// lr(e) = base_lr · gamma^⌊e / step_size⌋
/// ```
///
/// PyTorch's closed form (`_get_closed_form_lr`). PyTorch's stepped scheduler multiplies
/// the previous rate by `gamma` instead; the two agree to rounding (at most 4e-16
/// relative over 40 epochs on the cases of `tests/data/schedules.json`).
///
/// # Validation
///
/// `step_size ≥ 1` (PyTorch fails with a division by zero) and `gamma` finite and `≥ 0`
/// (PyTorch does not check; a negative rate has no meaning). `gamma > 1` is allowed.
///
/// ```
/// use backprop::{LrSchedule, StepLr};
///
/// let schedule = StepLr::new(3, 0.5);
/// let lrs: Vec<f64> = (0..7).map(|e| schedule.learning_rate(0.1, e)).collect();
/// assert_eq!(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StepLr<T> {
    step_size: usize,
    gamma: T,
}

impl<T: Float> StepLr<T> {
    /// Decay by `gamma` every `step_size` epochs (checked by [`LrSchedule::validate`]).
    pub fn new(step_size: usize, gamma: T) -> Self {
        Self { step_size, gamma }
    }
}

impl<T: Float> LrSchedule<T> for StepLr<T> {
    fn formula(&self) -> Option<String> {
        Some(format!(
            "StepLr {{ step_size: {}, gamma: {:?} }}",
            self.step_size,
            exact(self.gamma)
        ))
    }

    fn learning_rate(&self, base_lr: T, epoch: usize) -> T {
        let drops = epoch.checked_div(self.step_size).unwrap_or(0);
        base_lr * self.gamma.powf(cast(drops))
    }

    fn validate(&self) -> Result<(), Error> {
        check_positive_count("step_size", self.step_size)?;
        check_non_negative("gamma", self.gamma)
    }
}
