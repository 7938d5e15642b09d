//! Linear warm-up (or decay): the rate's factor moves in a straight line.

use alloc::format;
use alloc::string::String;
use num_traits::Float;

use super::{exact, LrSchedule};
use crate::cast::cast;
use crate::error::{check_fraction, check_positive_count, invalid, Error};

/// Scales the rate by a factor that moves linearly from `start_factor` to `end_factor`
/// over `total_iters` epochs, then stays (PyTorch's `LinearLR`).
///
/// With `start_factor < end_factor = 1` this is the usual linear warm-up; with
/// `end_factor < start_factor` a linear decay.
///
/// # Math
///
/// ```text
/// lr(e) = base_lr · (start_factor + (end_factor − start_factor) · min(e, total_iters) / total_iters)
/// ```
///
/// PyTorch's closed form, evaluated in the same order. PyTorch's stepped scheduler
/// multiplies the previous rate by a ratio of consecutive factors, which agrees to
/// rounding; where the factor reaches 0 it may leave a residue (2.7e-18 for
/// `base_lr = 0.2`) where this gives exactly 0.
///
/// # Validation
///
/// As PyTorch: `0 < start_factor ≤ 1` and `0 ≤ end_factor ≤ 1`; and `total_iters ≥ 1`
/// (PyTorch's closed form divides by it).
///
/// ```
/// use backprop::{LinearLr, LrSchedule};
///
/// // A quarter of the rate, rising to all of it over 4 epochs.
/// let warm_up = LinearLr::new(0.25, 1.0, 4);
/// assert_eq!(warm_up.learning_rate(0.4, 0), 0.1);
/// assert_eq!(warm_up.learning_rate(0.4, 2), 0.25);
/// assert_eq!(warm_up.learning_rate(0.4, 4), 0.4);
/// assert_eq!(warm_up.learning_rate(0.4, 50), 0.4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinearLr<T> {
    start_factor: T,
    end_factor: T,
    total_iters: usize,
}

impl<T: Float> LinearLr<T> {
    /// The factor moves from `start_factor` to `end_factor` over `total_iters` epochs
    /// (PyTorch's defaults are `1/3`, `1.0`, `5`). Checked by [`LrSchedule::validate`].
    pub fn new(start_factor: T, end_factor: T, total_iters: usize) -> Self {
        Self {
            start_factor,
            end_factor,
            total_iters,
        }
    }
}

impl<T: Float> LrSchedule<T> for LinearLr<T> {
    fn formula(&self) -> Option<String> {
        Some(format!(
            "LinearLr {{ start_factor: {:?}, end_factor: {:?}, total_iters: {} }}",
            exact(self.start_factor),
            exact(self.end_factor),
            self.total_iters
        ))
    }

    fn learning_rate(&self, base_lr: T, epoch: usize) -> T {
        let done: T = cast(epoch.min(self.total_iters));
        let span = self.end_factor - self.start_factor;
        base_lr * (self.start_factor + span * done / cast(self.total_iters))
    }

    fn validate(&self) -> Result<(), Error> {
        let (zero, one) = (T::zero(), T::one());
        // Written so that NaN fails every test.
        if !(self.start_factor > zero && self.start_factor <= one) {
            return Err(invalid(
                "start_factor",
                self.start_factor,
                "a number in (0, 1]",
            ));
        }
        check_fraction("end_factor", self.end_factor)?;
        check_positive_count("total_iters", self.total_iters)
    }
}
