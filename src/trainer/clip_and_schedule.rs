//! The trainer's optional gradient clipping and learning-rate schedule.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use num_traits::Float;

use super::clip::{clip_grad_norm, clip_grad_value};
use super::Trainer;
use crate::error::{check_not_below_zero, Error};
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::UpdateRule;
use crate::schedule::{LrSchedule, ReduceLrOnPlateau};

/// How the gradient is clipped between backward and the optimizer step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Clipping<T> {
    Off,
    Norm { max_norm: T },
    Value { clip_value: T },
}

/// What sets the learning rate at the end of an epoch.
#[derive(Debug, Clone)]
pub(super) enum LrPolicy<T> {
    Constant,
    Epoch {
        schedule: SharedSchedule<T>,
        base_lr: T,
        epoch: usize,
    },
    Plateau(ReduceLrOnPlateau<T>),
}

/// A pure schedule, shared: cloning a trainer shares it, which is safe as it has no state.
#[derive(Clone)]
pub(super) struct SharedSchedule<T>(Arc<dyn LrSchedule<T> + Send + Sync>);

impl<T: Float> SharedSchedule<T> {
    /// The schedule's [`LrSchedule::formula`], which a checkpoint records.
    pub(super) fn formula(&self) -> Option<String> {
        self.0.formula()
    }
}

impl<T> fmt::Debug for SharedSchedule<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LrSchedule")
    }
}

impl<M, L, O, T> Trainer<M, L, O, T>
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    O: UpdateRule<T>,
{
    /// Clips the gradient of every step to a global 2-norm of `max_norm`, after backward
    /// and before the optimizer, as [`clip_grad_norm`] does (PyTorch's
    /// `clip_grad_norm_(model.parameters(), max_norm)` between `backward()` and `step()`).
    ///
    /// Replaces any clipping set before. [`gradients`](Self::gradients) then reports the
    /// clipped gradient (as PyTorch's `.grad` does) and [`grad_norm`](Self::grad_norm)
    /// the norm before clipping.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] named `max_norm` if it is negative or NaN.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?.clip_grad_norm(0.5)?;
    /// trainer.step(&[1.2], &[0.4])?;
    /// let norm: f64 = trainer.grad_norm().unwrap(); // |2 (0.84 − 0.4) · 1.2|
    /// assert!((norm - 1.056).abs() < 1e-15);
    /// assert_eq!(trainer.gradients(), &[norm * (0.5 / (norm + 1e-6))]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn clip_grad_norm(mut self, max_norm: T) -> Result<Self, Error> {
        check_not_below_zero("max_norm", max_norm)?;
        self.clipping = Clipping::Norm { max_norm };
        Ok(self)
    }

    /// Clamps every gradient component of every step into `[−clip_value, clip_value]`,
    /// after backward and before the optimizer, as [`clip_grad_value`] does.
    ///
    /// Replaces any clipping set before; [`gradients`](Self::gradients) then reports the
    /// clamped gradient.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] named `clip_value` if it is negative or NaN.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?.clip_grad_value(1.0)?;
    /// trainer.step(&[1.2], &[0.4])?;
    /// assert_eq!(trainer.gradients(), &[1.0]); // 1.056 clamped
    /// assert_eq!(trainer.model().weights(), &[0.7 - 0.1 * 1.0]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn clip_grad_value(mut self, clip_value: T) -> Result<Self, Error> {
        check_not_below_zero("clip_value", clip_value)?;
        self.clipping = Clipping::Value { clip_value };
        Ok(self)
    }

    /// Sets the learning rate from `schedule` at every [`end_epoch`](Self::end_epoch).
    ///
    /// The optimizer's current rate becomes the base rate, and the rate is set at once to
    /// `schedule.learning_rate(base_lr, 0)`, as constructing a PyTorch scheduler does (a
    /// [`LinearLr`](crate::LinearLr) warm-up starts low right away). Replaces any
    /// schedule or [`reduce_lr_on_plateau`](Self::reduce_lr_on_plateau) set before.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if the schedule refuses its hyper-parameters or
    /// its first rate is negative or not finite.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, StepLr, Trainer};
    ///
    /// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?
    ///     .schedule(StepLr::new(2, 0.5))?;
    /// let mut lrs = vec![];
    /// for _epoch in 0..5 {
    ///     trainer.step(&[1.2], &[0.4])?; // an epoch of one step
    ///     lrs.push(trainer.end_epoch(None)?);
    /// }
    /// assert_eq!(lrs, [0.1, 0.05, 0.05, 0.025, 0.025]); // the rates of epochs 1 to 5
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn schedule<S>(mut self, schedule: S) -> Result<Self, Error>
    where
        S: LrSchedule<T> + Send + Sync + 'static,
    {
        schedule.validate()?;
        let base_lr = self.optimizer.learning_rate();
        // a refused schedule leaves the anchors unused: the next schedule sets them again
        self.optimizer.anchor_group_rates();
        self.optimizer
            .set_all_rates(schedule.learning_rate(base_lr, 0), |initial, _| {
                schedule.learning_rate(initial, 0)
            })?;
        self.lr_policy = LrPolicy::Epoch {
            schedule: SharedSchedule(Arc::new(schedule)),
            base_lr,
            epoch: 0,
        };
        Ok(self)
    }

    /// Lowers the learning rate at [`end_epoch`](Self::end_epoch) when the metric given
    /// there stops improving (PyTorch's `ReduceLROnPlateau`).
    ///
    /// Replaces any [`schedule`](Self::schedule) set before; the rate is not changed now.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] as [`ReduceLrOnPlateau::validate`].
    ///
    /// ```
    /// use backprop::{Mse, Neuron, ReduceLrOnPlateau, Sgd, Trainer};
    ///
    /// let plateau = ReduceLrOnPlateau::new().factor(0.5).patience(0);
    /// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?
    ///     .reduce_lr_on_plateau(plateau)?;
    /// assert_eq!(trainer.end_epoch(Some(1.0))?, 0.1); // the first metric is the best
    /// assert_eq!(trainer.end_epoch(Some(1.0))?, 0.05); // no improvement, no patience
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn reduce_lr_on_plateau(mut self, plateau: ReduceLrOnPlateau<T>) -> Result<Self, Error> {
        plateau.validate()?;
        self.lr_policy = LrPolicy::Plateau(plateau);
        Ok(self)
    }

    /// Ends an epoch: sets and returns the learning rate for the next one.
    ///
    /// With a [`schedule`](Self::schedule), the rate becomes
    /// `schedule.learning_rate(base_lr, e)` for the `e`-th epoch ended, overriding any
    /// rate set by hand in between; with
    /// [`reduce_lr_on_plateau`](Self::reduce_lr_on_plateau), `metric` (a validation loss,
    /// say) is required and the rate comes from [`ReduceLrOnPlateau::step`]. Without
    /// either, the rate stays and `metric` is ignored.
    ///
    /// # Errors
    ///
    /// Nothing changes when this returns an error:
    /// - [`Error::MissingMetric`] for `None` with `reduce_lr_on_plateau`;
    /// - [`Error::NonFinite`] for a NaN or infinite metric there;
    /// - [`Error::InvalidHyperparameter`] named `lr` if the schedule gives a negative or
    ///   non-finite rate (an `ExponentialLr` with `gamma > 1` that overflowed, say).
    pub fn end_epoch(&mut self, metric: Option<T>) -> Result<T, Error> {
        match &mut self.lr_policy {
            LrPolicy::Constant => Ok(self.optimizer.learning_rate()),
            LrPolicy::Epoch {
                schedule,
                base_lr,
                epoch,
            } => {
                let next = epoch.saturating_add(1); // a restored epoch may be usize::MAX
                let lr = schedule.0.learning_rate(*base_lr, next);
                self.optimizer
                    .set_all_rates(lr, |initial, _| schedule.0.learning_rate(initial, next))?;
                *epoch = next;
                Ok(lr)
            }
            LrPolicy::Plateau(plateau) => {
                let metric = metric.ok_or(Error::MissingMetric)?;
                let mut next = *plateau;
                let lr = self.optimizer.learning_rate();
                let lr = if next.observe(metric)? {
                    // every group's rate reduced from its own, as PyTorch's `_reduce_lr`
                    let plateau = &next;
                    self.optimizer
                        .set_all_rates(plateau.reduced(lr), |_, group| plateau.reduced(group))?;
                    plateau.reduced(lr)
                } else {
                    lr
                };
                *plateau = next;
                Ok(lr)
            }
        }
    }

    /// How many epochs have ended since the [`schedule`](Self::schedule) was set: the
    /// epoch whose rate is in force (0 without a schedule).
    pub fn schedule_epoch(&self) -> usize {
        match self.lr_policy {
            LrPolicy::Epoch { epoch, .. } => epoch,
            _ => 0,
        }
    }

    /// The global 2-norm of the last step's gradient before clipping, when clipping by
    /// norm (what PyTorch's `clip_grad_norm_` returns); `None` otherwise.
    pub fn grad_norm(&self) -> Option<T> {
        self.grad_norm
    }
}

impl<T: Float> Clipping<T> {
    /// Clips the fresh, finite gradient and records the norm before clipping in
    /// `grad_norm` when clipping by norm (it stays `None` otherwise).
    #[inline]
    pub(super) fn apply(self, gradients: &mut [T], grad_norm: &mut Option<T>) -> Result<(), Error> {
        match self {
            Clipping::Off => {}
            Clipping::Norm { max_norm } => {
                *grad_norm = Some(clip_grad_norm(gradients, max_norm)?);
            }
            Clipping::Value { clip_value } => {
                clip_grad_value(gradients, clip_value)?;
                *grad_norm = None;
            }
        }
        Ok(())
    }
}
