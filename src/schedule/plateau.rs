//! Reduce the learning rate when a metric stops improving.

use num_traits::Float;

use crate::cast::cast;
use crate::error::{check_decay, check_non_negative, CheckpointFault, Error, Quantity};

/// Whether the monitored metric should go down or up (PyTorch's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PlateauMode {
    /// A loss: lower is better (PyTorch's `'min'`, the default).
    #[default]
    Min,
    /// A score such as accuracy: higher is better (PyTorch's `'max'`).
    Max,
}

/// How `threshold` decides that a metric improved (PyTorch's `threshold_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ThresholdMode {
    /// Relative: better than `best · (1 ∓ threshold)` (PyTorch's `'rel'`, the default).
    #[default]
    Rel,
    /// Absolute: better than `best ∓ threshold` (PyTorch's `'abs'`).
    Abs,
}

/// Lowers the learning rate when a metric has not improved for `patience` epochs
/// (PyTorch's `ReduceLROnPlateau`).
///
/// Unlike the epoch schedules this keeps state: the best metric so far, the count of
/// epochs without improvement and the cooldown. Feed it one metric per epoch with
/// [`step`](Self::step), or let [`Trainer::reduce_lr_on_plateau`](crate::Trainer::reduce_lr_on_plateau)
/// do it.
///
/// # Math
///
/// Each [`step`](Self::step) with metric `m` and current rate `lr`:
///
/// ```text
/// improved = m < best · (1 − threshold)   Min, Rel
///            m < best − threshold         Min, Abs
///            m > best · (1 + threshold)   Max, Rel
///            m > best + threshold         Max, Abs
/// if improved { best ← m; bad ← 0 } else { bad ← bad + 1 }
/// if cooldown_counter > 0 { cooldown_counter ← cooldown_counter − 1; bad ← 0 }
/// if bad > patience {
///     new = max(lr · factor, min_lr)
///     if lr − new > eps { lr ← new }
///     cooldown_counter ← cooldown; bad ← 0
/// }
/// ```
///
/// `best` starts at +∞ (Min) or −∞ (Max), so the first metric always improves (unless
/// `threshold = 1` in Rel mode, where `∞ · 0` is NaN: as in PyTorch). In Rel mode a
/// negative `best` moves the bar the other way, exactly as in PyTorch.
///
/// # Defaults
///
/// PyTorch's: mode Min, factor 0.1, patience 10, threshold 1e-4, threshold mode Rel,
/// cooldown 0, min_lr 0, eps 1e-8.
///
/// # Validation
///
/// `factor < 1` as PyTorch, and also `factor ≥ 0`; `threshold`, `min_lr` and `eps` finite
/// and `≥ 0` (PyTorch does not check these).
///
/// ```
/// use backprop::ReduceLrOnPlateau;
///
/// let mut plateau = ReduceLrOnPlateau::new().factor(0.5).patience(1);
/// let mut lr = 0.1;
/// for loss in [1.0, 0.5, 0.5, 0.5] {
///     lr = plateau.step(loss, lr)?;
/// }
/// assert_eq!(lr, 0.05); // two epochs without improvement is more than the patience of one
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReduceLrOnPlateau<T> {
    mode: PlateauMode,
    factor: T,
    patience: usize,
    threshold: T,
    threshold_mode: ThresholdMode,
    cooldown: usize,
    min_lr: T,
    eps: T,
    best: T,
    num_bad_epochs: usize,
    cooldown_counter: usize,
}

impl<T: Float> Default for ReduceLrOnPlateau<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> ReduceLrOnPlateau<T> {
    /// PyTorch's defaults (see [`ReduceLrOnPlateau`]); change them with the setters.
    pub fn new() -> Self {
        let mode = PlateauMode::Min;
        Self {
            mode,
            factor: cast(0.1),
            patience: 10,
            threshold: cast(1e-4),
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: T::zero(),
            eps: cast(1e-8),
            best: worst(mode),
            num_bad_epochs: 0,
            cooldown_counter: 0,
        }
    }

    /// Whether lower or higher metrics are better; resets the best metric so far.
    pub fn mode(mut self, mode: PlateauMode) -> Self {
        self.mode = mode;
        self.best = worst(mode);
        self
    }

    /// The factor applied on a plateau: `new_lr = lr · factor`.
    pub fn factor(mut self, factor: T) -> Self {
        self.factor = factor;
        self
    }

    /// How many epochs without improvement are tolerated before the rate drops.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// How much better than the best a metric must be to count as an improvement.
    pub fn threshold(mut self, threshold: T) -> Self {
        self.threshold = threshold;
        self
    }

    /// Whether `threshold` is relative to the best metric or absolute.
    pub fn threshold_mode(mut self, threshold_mode: ThresholdMode) -> Self {
        self.threshold_mode = threshold_mode;
        self
    }

    /// How many epochs after a reduction are ignored before counting bad epochs again.
    pub fn cooldown(mut self, cooldown: usize) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The lowest rate a reduction may set.
    pub fn min_lr(mut self, min_lr: T) -> Self {
        self.min_lr = min_lr;
        self
    }

    /// Reductions smaller than `eps` are skipped.
    pub fn eps(mut self, eps: T) -> Self {
        self.eps = eps;
        self
    }

    /// Checks every hyper-parameter ([`step`](Self::step) does too).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first hyper-parameter out of range.
    pub fn validate(&self) -> Result<(), Error> {
        check_decay("factor", self.factor)?;
        check_non_negative("threshold", self.threshold)?;
        check_non_negative("min_lr", self.min_lr)?;
        check_non_negative("eps", self.eps)
    }

    /// Records the epoch's metric and returns the learning rate for the next epoch,
    /// given the current one.
    ///
    /// # Errors
    ///
    /// Nothing changes when this returns an error:
    /// - [`Error::InvalidHyperparameter`] as [`validate`](Self::validate), or for a
    ///   negative or non-finite `lr` (named `lr`);
    /// - [`Error::NonFinite`] with [`Quantity::Metric`] for a NaN or infinite metric
    ///   (PyTorch counts NaN as a bad epoch and accepts −∞ as a best no later epoch can
    ///   beat; both are almost surely a diverged run, so they are refused here).
    pub fn step(&mut self, metric: T, lr: T) -> Result<T, Error> {
        self.validate()?;
        check_non_negative("lr", lr)?;
        Ok(if self.observe(metric)? {
            self.reduced(lr)
        } else {
            lr
        })
    }

    /// Counts `metric` as [`step`](Self::step) does; true when the rates are to be
    /// reduced now.
    pub(crate) fn observe(&mut self, metric: T) -> Result<bool, Error> {
        self.validate()?;
        if !metric.is_finite() {
            return Err(Error::NonFinite {
                what: Quantity::Metric,
                index: 0,
            });
        }
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs = self.num_bad_epochs.saturating_add(1);
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs <= self.patience {
            return Ok(false);
        }
        self.cooldown_counter = self.cooldown;
        self.num_bad_epochs = 0;
        Ok(true)
    }

    /// `lr` reduced once: `max(lr · factor, min_lr)`, unless that changes it by `eps` or
    /// less (PyTorch's `_reduce_lr`, applied to each parameter group's rate).
    pub(crate) fn reduced(&self, lr: T) -> T {
        let reduced = (lr * self.factor).max(self.min_lr);
        if lr - reduced > self.eps {
            reduced
        } else {
            lr
        }
    }

    /// Forgets the best metric, the bad epochs and the cooldown (keeps the settings).
    pub fn reset(&mut self) {
        self.best = worst(self.mode);
        self.num_bad_epochs = 0;
        self.cooldown_counter = 0;
    }

    /// The best metric seen so far (±∞ before the first step).
    pub fn best(&self) -> T {
        self.best
    }

    /// Epochs without improvement since the best metric, the last reduction or cooldown.
    pub fn num_bad_epochs(&self) -> usize {
        self.num_bad_epochs
    }

    fn is_better(&self, metric: T) -> bool {
        let one = T::one();
        match (self.mode, self.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => metric < self.best * (one - self.threshold),
            (PlateauMode::Min, ThresholdMode::Abs) => metric < self.best - self.threshold,
            (PlateauMode::Max, ThresholdMode::Rel) => metric > self.best * (self.threshold + one),
            (PlateauMode::Max, ThresholdMode::Abs) => metric > self.best + self.threshold,
        }
    }
}

/// The starting `best`: every finite metric improves on it.
impl<T: Float> ReduceLrOnPlateau<T> {
    /// Checks a plateau schedule loaded from a checkpoint: valid hyper-parameters, and
    /// counters and a best metric that stepping it could have produced.
    pub(crate) fn check_restored(&self) -> Result<(), CheckpointFault> {
        if let Err(Error::InvalidHyperparameter { name, .. }) = self.validate() {
            return Err(CheckpointFault::Hyperparameter { name });
        }
        // `step` resets the bad epochs once they pass the patience, and starts the
        // cooldown counter at `cooldown`.
        if self.num_bad_epochs > self.patience || self.cooldown_counter > self.cooldown {
            return Err(CheckpointFault::PlateauCounters);
        }
        if self.best.is_finite() || self.best == worst(self.mode) {
            Ok(())
        } else {
            Err(CheckpointFault::NonFinite {
                what: Quantity::Metric,
                index: 0,
            })
        }
    }
}

fn worst<T: Float>(mode: PlateauMode) -> T {
    match mode {
        PlateauMode::Min => T::infinity(),
        PlateauMode::Max => T::neg_infinity(),
    }
}
