//! The whole training loop in one call: epochs, validation, early stopping, progress.

use alloc::vec::Vec;
use num_traits::Float;

use super::buffers::{reserve, resize};
use super::Epochs;
use super::Trainer;
use crate::error::{check_non_negative, check_positive_count, Error, Quantity};
use crate::loss::{mean_over_rows, Loss};
use crate::model::{batch_len, ensure_finite, Model};
use crate::optim::UpdateRule;
use crate::schedule::PlateauMode;

/// A validation metric for [`Fit::validation_metric`]: `metric(outputs, targets,
/// output_len)` of the model's outputs on the validation set.
pub type Metric<T> = fn(&[T], &[T], usize) -> T;

/// What [`Trainer::fit_observed`] tells its observer, after every step and at every epoch's end.
///
/// Epochs count from 0 within one call of `fit`; `step` is the trainer's step count
/// ([`Trainer::steps`]) after the step, so it goes on across calls.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Event<T> {
    /// A training step was applied.
    #[non_exhaustive]
    Step {
        /// The epoch the step belongs to (0 is the first of this `fit`).
        epoch: usize,
        /// The step's mini-batch within the epoch, from 0.
        batch: usize,
        /// The trainer's step count after this step.
        step: u64,
        /// The step's loss: the mean over its mini-batch, before the update.
        loss: T,
        /// The learning rate the step used.
        lr: T,
    },
    /// An epoch ended: every mini-batch was stepped on and the schedule has moved on.
    #[non_exhaustive]
    Epoch {
        /// The epoch that ended (0 is the first of this `fit`).
        epoch: usize,
        /// The trainer's step count at the end of the epoch.
        step: u64,
        /// The epoch's training loss: the mean of its step losses, weighted by rows.
        loss: T,
        /// The mean loss over the validation set after the epoch, if one was given.
        validation_loss: Option<T>,
        /// The validation metric after the epoch ([`Fit::validation_metric`]), if one
        /// was chosen.
        validation_metric: Option<T>,
        /// The learning rate the epoch's steps used (the schedule's next one is set).
        lr: T,
        /// Whether the monitored loss improved on the best so far (by more than
        /// `min_delta` under early stopping); always `true` for the first epoch.
        improved: bool,
    },
}

/// The observer's answer: go on, or stop training after this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop now: after this step, or after this epoch.
    Stop,
}

/// Why [`Trainer::fit`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// All `max_epochs` epochs ran.
    MaxEpochs,
    /// The monitored loss did not improve for `patience` epochs in a row.
    EarlyStopping,
    /// The observer returned [`Control::Stop`].
    Observer,
}

/// What [`Trainer::fit`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct FitSummary<T> {
    /// Epochs that ended (an epoch the observer stopped half-way is not counted).
    pub epochs: usize,
    /// Steps applied during this `fit`.
    pub steps: u64,
    /// The training loss of the last epoch that ended (`None` if none did).
    pub last_loss: Option<T>,
    /// The lowest validation loss after any epoch (`None` without a validation set).
    pub best_validation_loss: Option<T>,
    /// The validation metric of `best_epoch` (`None` without a validation set and
    /// [`Fit::validation_metric`]).
    pub best_validation_metric: Option<T>,
    /// The epoch with the best monitored loss (`None` if no epoch ended).
    pub best_epoch: Option<usize>,
    /// Whether the parameters of `best_epoch` were put back at the end
    /// ([`EarlyStopping::restore_best`]).
    pub restored_best: bool,
    /// Why training stopped.
    pub stopped: StopReason,
}

/// Stop training when the monitored loss stops improving (Keras's `EarlyStopping`).
///
/// An epoch improves if its loss is below the best so far by more than `min_delta`:
/// `loss < best − min_delta` (the first epoch always improves). After `patience`
/// epochs in a row without improvement, training stops. The monitored loss is the
/// validation loss if [`Fit::validation`] gave a validation set, else the epoch's
/// training loss.
///
/// [`update`](Self::update) is the rule on its own, for a loop of your own.
///
/// ```
/// use backprop::EarlyStopping;
///
/// let mut stopper = EarlyStopping::new(2).min_delta(0.01);
/// assert!(!stopper.update(1.0)?.stop); // the first loss is the best
/// assert!(stopper.update(0.5)?.improved);
/// assert!(!stopper.update(0.495)?.improved); // better, but not by more than 0.01
/// let verdict = stopper.update(0.6)?; // second epoch in a row without improvement
/// assert!(verdict.stop);
/// assert_eq!(stopper.best(), Some(0.5));
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping<T> {
    patience: usize,
    mode: PlateauMode,
    min_delta: T,
    restore_best: bool,
    best: Option<T>,
    bad_epochs: usize,
}

/// What one [`EarlyStopping::update`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Verdict {
    /// The loss is the new best.
    pub improved: bool,
    /// `patience` epochs in a row have not improved: stop training.
    pub stop: bool,
}

impl<T: Float> EarlyStopping<T> {
    /// Stops after `patience` epochs in a row without improvement; `min_delta` 0, the
    /// parameters not restored (Keras's defaults, except its `patience` of 0, which this
    /// crate refuses: see [`validate`](Self::validate)).
    pub fn new(patience: usize) -> Self {
        Self {
            patience,
            mode: PlateauMode::Min,
            min_delta: T::zero(),
            restore_best: false,
            best: None,
            bad_epochs: 0,
        }
    }

    /// Whether lower ([`PlateauMode::Min`], the default: a loss) or higher
    /// ([`PlateauMode::Max`]: an accuracy) is better (Keras's `mode`).
    /// [`Fit::validation_metric`] sets it to its metric's mode.
    pub fn mode(mut self, mode: PlateauMode) -> Self {
        self.mode = mode;
        self
    }

    /// How much a loss must fall below the best to count as an improvement (default 0;
    /// in mode Max, how much a metric must rise above it).
    pub fn min_delta(mut self, min_delta: T) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// Whether [`Trainer::fit`] puts back the parameters of the best epoch when it
    /// returns (default `false`: the parameters of the last step stay).
    ///
    /// The parameters are copied into a buffer kept by the [`Fit`] at every improvement
    /// (one copy of the parameters per improving epoch; no allocation after the first)
    /// and restored whatever the [`StopReason`], but only when `fit` returns `Ok`. The
    /// optimizer's state (momentum, moments) and the learning-rate schedule are NOT
    /// rewound: they stay those of the last step.
    pub fn restore_best(mut self, restore_best: bool) -> Self {
        self.restore_best = restore_best;
        self
    }

    /// Checks the hyper-parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] named `patience` for 0 (an epoch must be allowed
    /// not to improve; Keras's `patience=0` stops after one such epoch, as 1 does here)
    /// or `min_delta` if negative or not finite.
    pub fn validate(&self) -> Result<(), Error> {
        check_positive_count("patience", self.patience)?;
        check_non_negative("min_delta", self.min_delta)
    }

    /// Takes an epoch's monitored loss and says whether it improved and whether to stop.
    ///
    /// # Math
    ///
    /// ```text
    /// improved  ⇔  no best yet, or loss < best − min_delta   (mode Max: > best + min_delta)
    /// improved:     best ← loss,   bad ← 0
    /// otherwise:    bad ← bad + 1
    /// stop      ⇔  bad = patience
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NonFinite`] (`Metric`) for a NaN or infinite loss, and the errors of
    /// [`validate`](Self::validate); nothing changes.
    pub fn update(&mut self, loss: T) -> Result<Verdict, Error> {
        self.validate()?;
        if !loss.is_finite() {
            return Err(Error::NonFinite {
                what: Quantity::Metric,
                index: 0,
            });
        }
        let improved = self.best.is_none_or(|best| match self.mode {
            PlateauMode::Min => loss < best - self.min_delta,
            PlateauMode::Max => loss > best + self.min_delta,
        });
        if improved {
            self.best = Some(loss);
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        Ok(Verdict {
            improved,
            stop: self.bad_epochs >= self.patience,
        })
    }

    /// The best loss seen since the last [`reset`](Self::reset).
    pub fn best(&self) -> Option<T> {
        self.best
    }

    /// Epochs in a row without improvement so far.
    pub fn bad_epochs(&self) -> usize {
        self.bad_epochs
    }

    /// Forgets the best loss and the count, keeping the hyper-parameters.
    pub fn reset(&mut self) {
        self.best = None;
        self.bad_epochs = 0;
    }
}

/// How [`Trainer::fit`] trains: the mini-batches, the epoch budget, an optional
/// validation set and early stopping. It keeps the buffers validation and
/// [`EarlyStopping::restore_best`] need, so a `Fit` used again allocates nothing.
///
/// ```
/// use backprop::{Activation, EarlyStopping, Epochs, Fit, Mse, Network, Sgd, Trainer};
///
/// let net = Network::builder(1).dense(1, Activation::Identity).seed(3).build()?;
/// let mut trainer = Trainer::new(net, Mse, Sgd::new(0.1))?;
/// let (xs, ys) = ([0.0, 0.5, 1.0, 1.5, 2.0], [1.0, 2.0, 3.0, 4.0, 5.0]); // y = 2x + 1
/// let (val_x, val_y) = ([0.25, 1.75], [1.5, 4.5]);
/// let mut fit = Fit::new(Epochs::new(2).shuffle(7), 1000)
///     .validation(&val_x, &val_y)
///     .early_stopping(EarlyStopping::new(5).min_delta(1e-12).restore_best(true));
/// let summary = trainer.fit(&mut fit, &xs, &ys)?;
/// assert!(summary.best_validation_loss.unwrap() < 1e-10);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Fit<'v, T> {
    epochs: Epochs<T>,
    max_epochs: usize,
    validation: Option<(&'v [T], &'v [T])>,
    early_stopping: Option<EarlyStopping<T>>,
    metric: Option<(Metric<T>, PlateauMode)>,
    outputs: Vec<T>,
    workspace: Vec<T>,
    best_params: Vec<T>,
    best_monitored: Option<T>,
}

impl<'v, T: Float> Fit<'v, T> {
    /// Trains for at most `max_epochs` epochs of `epochs`' mini-batches, without
    /// validation or early stopping.
    pub fn new(epochs: Epochs<T>, max_epochs: usize) -> Self {
        Self {
            epochs,
            max_epochs,
            validation: None,
            early_stopping: None,
            metric: None,
            outputs: Vec::new(),
            workspace: Vec::new(),
            best_params: Vec::new(),
            best_monitored: None,
        }
    }

    /// Computes the mean loss over `inputs`/`targets` (row-major, as the training data)
    /// after every epoch, without training on them; early stopping then monitors it.
    pub fn validation(mut self, inputs: &'v [T], targets: &'v [T]) -> Self {
        self.validation = Some((inputs, targets));
        self
    }

    /// Scores the validation set with `metric` after every epoch, reports it
    /// ([`Event::Epoch`]'s `validation_metric`) and monitors it instead of the validation
    /// loss: early stopping (in `mode`, which it sets on the [`EarlyStopping`]), the best
    /// epoch and [`end_epoch`](Trainer::end_epoch)'s metric (Keras's
    /// `monitor='val_accuracy', mode='max'`). Without a validation set it is unused.
    ///
    /// `metric(outputs, targets, output_len)` takes the model's outputs on the validation
    /// inputs and the validation targets, row-major; for instance
    /// [`metrics::accuracy_of_logits`](crate::metrics::accuracy_of_logits) with
    /// [`PlateauMode::Max`].
    pub fn validation_metric(mut self, metric: Metric<T>, mode: PlateauMode) -> Self {
        self.metric = Some((metric, mode));
        self
    }

    /// Stops when the monitored loss stops improving; see [`EarlyStopping`].
    pub fn early_stopping(mut self, early_stopping: EarlyStopping<T>) -> Self {
        self.early_stopping = Some(early_stopping);
        self
    }

    /// The mini-batch helper (its shuffling stream continues across calls of `fit`).
    pub fn epochs(&self) -> &Epochs<T> {
        &self.epochs
    }

    fn restores_best(&self) -> bool {
        self.early_stopping
            .is_some_and(|stopper| stopper.restore_best)
    }

    /// The mean loss of the trainer's model over the validation set, in reusable buffers.
    fn validation_loss<M, L, O>(&mut self, trainer: &Trainer<M, L, O, T>) -> Option<T>
    where
        M: Model<T>,
        L: Loss<T>,
        O: UpdateRule<T>,
    {
        let (inputs, targets) = self.validation?;
        let model = trainer.model();
        let rows = inputs.len() / model.input_len();
        self.outputs.resize(rows * model.output_len(), T::zero());
        self.workspace.resize(model.workspace_len(rows), T::zero());
        model.forward(inputs, &mut self.outputs, &mut self.workspace);
        let out = model.output_len();
        Some(mean_over_rows(trainer.loss(), &self.outputs, targets, out))
    }

    /// The validation metric of the outputs the last [`validation_loss`](Self::validation_loss) computed.
    fn validation_score(&self, output_len: usize) -> Option<T> {
        let (metric, _) = self.metric?;
        let (_, targets) = self.validation?;
        Some(metric(&self.outputs, targets, output_len))
    }

    /// Whether `value` is better than the best monitored value so far.
    fn improves(&self, value: T) -> bool {
        let max = matches!(self.metric, Some((_, PlateauMode::Max))) && self.validation.is_some();
        match self.best_monitored {
            None => true,
            Some(best) if max => value > best,
            Some(best) => value < best,
        }
    }

    /// Sizes the validation buffers and the best parameters' copy before any step:
    /// [`Error::TooLarge`] then, never an abort after epochs of training.
    fn reserve<M: Model<T>>(&mut self, model: &M) -> Result<(), Error> {
        if let Some((inputs, _)) = self.validation {
            let rows = inputs.len() / model.input_len();
            let outputs = rows.checked_mul(model.output_len());
            let outputs = outputs.ok_or(Error::TooLarge {
                what: Quantity::Target,
            })?;
            resize(&mut self.outputs, outputs, Quantity::Target)?;
            let workspace = model.workspace_len(rows).max(self.workspace.len());
            resize(&mut self.workspace, workspace, Quantity::Input)?;
        }
        if self.restores_best() {
            reserve(
                &mut self.best_params,
                model.params().len(),
                Quantity::Parameters,
            )?;
        }
        Ok(())
    }

    /// Checks everything `fit` could refuse, before any step.
    fn check<M, L, O>(&self, trainer: &Trainer<M, L, O, T>) -> Result<(), Error>
    where
        M: Model<T>,
        L: Loss<T>,
        O: UpdateRule<T>,
    {
        if let Some(stopper) = &self.early_stopping {
            stopper.validate()?;
        }
        let Some((inputs, targets)) = self.validation else {
            return Ok(());
        };
        let model = trainer.model();
        let rows = batch_len(inputs, model.input_len(), Quantity::Input)?;
        let target_len = trainer.loss().target_len(model.output_len());
        let expected = rows.saturating_mul(target_len); // no slice is that long
        if targets.len() != expected {
            return Err(Error::LengthMismatch {
                what: Quantity::Target,
                expected,
                actual: targets.len(),
            });
        }
        ensure_finite(inputs, Quantity::Input)?;
        ensure_finite(targets, Quantity::Target)?;
        trainer
            .loss()
            .check_targets_for(targets, model.output_len())
    }
}

impl<M, L, O, T> Trainer<M, L, O, T>
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    O: UpdateRule<T>,
{
    /// [`fit_observed`](Self::fit_observed) with no one watching: the whole loop in one
    /// call, stopped by its epoch limit or early stopping.
    ///
    /// # Errors
    ///
    /// As [`fit_observed`](Self::fit_observed).
    ///
    /// ```
    /// use backprop::{Activation, Epochs, Fit, Mse, Network, Sgd};
    ///
    /// let net = Network::<f64>::builder(1).dense(1, Activation::Identity).seed(3).build()?;
    /// let mut trainer = backprop::Trainer::new(net, Mse, Sgd::new(0.1))?;
    /// let summary = trainer.fit(&mut Fit::new(Epochs::new(2), 200), &[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0])?;
    /// assert_eq!(summary.epochs, 200);
    /// assert!((trainer.predict(&[3.0])?[0] - 7.0).abs() < 1e-6); // y = 2x + 1
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn fit(
        &mut self,
        fit: &mut Fit<'_, T>,
        inputs: &[T],
        targets: &[T],
    ) -> Result<FitSummary<T>, Error> {
        self.fit_observed(fit, inputs, targets, |_| Control::Continue)
    }

    /// Trains epoch after epoch over `inputs`/`targets`, reporting every step and every
    /// epoch to `observer`, until `max_epochs`, early stopping or the observer stops it.
    ///
    /// Each epoch runs the [`Epochs`] of `fit` (one [`step_batch`](Self::step_batch) per
    /// mini-batch), then computes the validation loss if there is a validation set, feeds
    /// the monitored loss (validation, else training) to early stopping, ends the epoch
    /// with [`end_epoch`](Self::end_epoch)`(Some(monitored))` so that a schedule or
    /// [`reduce_lr_on_plateau`](Self::reduce_lr_on_plateau) moves on, and then calls
    /// `observer` with [`Event::Epoch`]. [`Event::Step`] comes after every step.
    /// [`Control::Stop`] from the observer stops at once (after that step, or that
    /// epoch).
    ///
    /// Steps allocate nothing once the first epoch has sized the buffers (those of the
    /// trainer, the `Epochs` and the `Fit`), however long training runs.
    ///
    /// # Errors
    ///
    /// Before any step, nothing changed: the errors of [`Epochs::run`] for the training
    /// data, the same checks for the validation set, [`EarlyStopping::validate`], and
    /// [`Error::NonFinite`] (`Metric`) if the validation loss or the validation metric is
    /// not finite at the starting parameters (huge validation targets, or a metric that
    /// cannot score these outputs and targets: it could never be monitored).
    /// During training, the first error of a step (see [`step_batch`](Self::step_batch):
    /// that step was not applied, the ones before stay), [`Error::Diverged`] (`Metric`)
    /// if training brought the monitored value (the validation metric, the validation
    /// loss or the training loss) to NaN or infinity, or an error of `end_epoch`. The best parameters are not restored when an error is returned.
    ///
    /// ```
    /// use backprop::{Activation, Control, Epochs, Event, Fit, Mse, Network, Sgd, StepLr, Trainer};
    ///
    /// let net = Network::builder(1).dense(1, Activation::Identity).seed(3).build()?;
    /// let mut trainer = Trainer::new(net, Mse, Sgd::new(0.1))?.schedule(StepLr::new(1, 0.5))?;
    /// let mut fit = Fit::new(Epochs::new(2), 10);
    /// let mut rates = vec![];
    /// let summary = trainer.fit_observed(&mut fit, &[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0], |event| {
    ///     if let Event::Epoch { epoch, lr, .. } = *event {
    ///         rates.push(lr);
    ///         if epoch == 2 {
    ///             return Control::Stop;
    ///         }
    ///     }
    ///     Control::Continue
    /// })?;
    /// assert_eq!(rates, [0.1, 0.05, 0.025]);
    /// assert_eq!((summary.epochs, summary.steps), (3, 6)); // 2 mini-batches per epoch
    /// assert_eq!(summary.stopped, backprop::StopReason::Observer);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn fit_observed<F>(
        &mut self,
        fit: &mut Fit<'_, T>,
        inputs: &[T],
        targets: &[T],
        mut observer: F,
    ) -> Result<FitSummary<T>, Error>
    where
        F: FnMut(&Event<T>) -> Control,
    {
        fit.check(self)?;
        fit.reserve(self.model())?;
        let start_loss = fit.validation_loss(self);
        let start_metric = fit.validation_score(self.model().output_len());
        if start_loss
            .into_iter()
            .chain(start_metric)
            .any(|v| !v.is_finite())
        {
            return Err(Error::NonFinite {
                what: Quantity::Metric,
                index: 0,
            });
        }
        let metric_mode = fit.metric.map(|(_, mode)| mode);
        if let Some(stopper) = fit.early_stopping.as_mut() {
            stopper.reset();
            if let (Some(mode), Some(_)) = (metric_mode, fit.validation) {
                stopper.mode = mode;
            }
        }
        fit.best_monitored = None;
        let first_step = self.steps();
        let mut summary = FitSummary {
            epochs: 0,
            steps: 0,
            last_loss: None,
            best_validation_loss: None,
            best_validation_metric: None,
            best_epoch: None,
            restored_best: false,
            stopped: StopReason::MaxEpochs,
        };
        for epoch in 0..fit.max_epochs {
            let lr = self.optimizer().learning_rate();
            let steps_before = self.steps();
            let mut observer_stops = false;
            let loss = fit
                .epochs
                .run_observed(self, inputs, targets, |batch, step| {
                    let event = Event::Step {
                        epoch,
                        batch,
                        step: steps_before + batch as u64 + 1,
                        loss: step.loss,
                        lr,
                    };
                    observer_stops = observer(&event) == Control::Stop;
                    !observer_stops
                })?;
            summary.steps = self.steps() - first_step;
            if observer_stops {
                summary.stopped = StopReason::Observer;
                break;
            }
            let verdict = self.end_of_epoch(fit, epoch, loss, lr, &mut summary, &mut observer)?;
            if let Some(reason) = verdict {
                summary.stopped = reason;
                break;
            }
        }
        if summary.best_epoch.is_some() && fit.restores_best() {
            self.model_mut()
                .params_mut()
                .copy_from_slice(&fit.best_params);
            summary.restored_best = true;
        }
        Ok(summary)
    }

    /// Validation, early stopping, the schedule and the observer at the end of an epoch;
    /// returns why to stop, if training should.
    fn end_of_epoch<F>(
        &mut self,
        fit: &mut Fit<'_, T>,
        epoch: usize,
        loss: T,
        lr: T,
        summary: &mut FitSummary<T>,
        observer: &mut F,
    ) -> Result<Option<StopReason>, Error>
    where
        F: FnMut(&Event<T>) -> Control,
    {
        let validation_loss = fit.validation_loss(self);
        let validation_metric = fit.validation_score(self.model().output_len());
        let monitored = validation_metric.or(validation_loss).unwrap_or(loss);
        if !monitored.is_finite() {
            return Err(Error::Diverged {
                step: self.steps(),
                what: Quantity::Metric,
            });
        }
        let verdict = match fit.early_stopping.as_mut() {
            Some(stopper) => stopper.update(monitored)?,
            None => Verdict {
                improved: fit.improves(monitored),
                stop: false,
            },
        };
        if verdict.improved {
            fit.best_monitored = Some(monitored);
            summary.best_epoch = Some(epoch);
            if fit.restores_best() {
                fit.best_params.clear();
                fit.best_params.extend_from_slice(self.model().params());
            }
        }
        if let Some(v) = validation_loss {
            let best = summary.best_validation_loss.map_or(v, |b| b.min(v));
            summary.best_validation_loss = Some(best);
        }
        if verdict.improved && validation_metric.is_some() {
            summary.best_validation_metric = validation_metric;
        }
        self.end_epoch(Some(monitored))?;
        summary.epochs = epoch + 1;
        summary.last_loss = Some(loss);
        let event = Event::Epoch {
            epoch,
            step: self.steps(),
            loss,
            validation_loss,
            validation_metric,
            lr,
            improved: verdict.improved,
        };
        let observer_stops = observer(&event) == Control::Stop;
        Ok(if verdict.stop {
            Some(StopReason::EarlyStopping)
        } else if observer_stops {
            Some(StopReason::Observer)
        } else {
            None
        })
    }
}
