//! Cosine annealing: half a cosine from the base rate down to a floor.

use alloc::format;
use alloc::string::String;
use num_traits::Float;

use super::{exact, LrSchedule};
use crate::cast::cast;
use crate::error::{check_non_negative, check_positive_count, Error};

/// Anneals the rate along a cosine from `base_lr` to `eta_min` over `t_max` epochs
/// (PyTorch's `CosineAnnealingLR`, without restarts).
///
/// # Math
///
/// ```text
/// lr(e) = eta_min + (base_lr − eta_min) · (1 + cos(π · e / t_max)) / 2
/// ```
///
/// This is PyTorch's closed form (`_get_closed_form_lr`, the SGDR formula), evaluated in
/// the same order. Past `t_max` it keeps following the cosine, back up to `base_lr` at
/// `2 · t_max`, as PyTorch's scheduler does.
///
/// PyTorch's `get_lr`, which a stepped scheduler uses, is the recursive form
///
/// ```text
/// lr(e) = eta_min + (lr(e−1) − eta_min) · (1 + cos(π e / t_max)) / (1 + cos(π (e−1) / t_max))
/// ```
///
/// with an additive step where the denominator vanishes. It equals the closed form in
/// exact arithmetic; `tools/reference_schedules.py` measures the rounding between the two
/// in PyTorch 2.15 at most 9e-15 relative (9e-15 absolute) over 40 epochs for five
/// settings, and `tests/pytorch/pytorch_schedules.rs` checks this crate against both.
///
/// # Validation
///
/// `t_max ≥ 1` (PyTorch fails with a division by zero) and `eta_min` finite and `≥ 0`.
///
/// ```
/// use backprop::{CosineAnnealingLr, LrSchedule};
///
/// let schedule = CosineAnnealingLr::new(10, 0.0);
/// assert_eq!(schedule.learning_rate(0.1, 0), 0.1);
/// assert!((schedule.learning_rate(0.1_f64, 5) - 0.05).abs() < 1e-17);
/// assert_eq!(schedule.learning_rate(0.1, 10), 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CosineAnnealingLr<T> {
    t_max: usize,
    eta_min: T,
}

impl<T: Float> CosineAnnealingLr<T> {
    /// A half cosine over `t_max` epochs down to `eta_min` (PyTorch's `T_max`, `eta_min`;
    /// PyTorch's default `eta_min` is 0). Checked by [`LrSchedule::validate`].
    pub fn new(t_max: usize, eta_min: T) -> Self {
        Self { t_max, eta_min }
    }
}

impl<T: Float> LrSchedule<T> for CosineAnnealingLr<T> {
    fn formula(&self) -> Option<String> {
        Some(format!(
            "CosineAnnealingLr {{ t_max: {}, eta_min: {:?} }}",
            self.t_max,
            exact(self.eta_min)
        ))
    }

    fn learning_rate(&self, base_lr: T, epoch: usize) -> T {
        let pi: T = cast(core::f64::consts::PI);
        let two = T::one() + T::one();
        let angle = pi * cast(epoch) / cast(self.t_max);
        self.eta_min + (base_lr - self.eta_min) * (T::one() + angle.cos()) / two
    }

    fn validate(&self) -> Result<(), Error> {
        check_positive_count("T_max", self.t_max)?;
        check_non_negative("eta_min", self.eta_min)
    }
}
