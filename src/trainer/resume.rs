//! Taking a trainer's state out as a [`Checkpoint`] and putting one back.

use num_traits::Float;

use super::checkpoint::{Checkpoint, ScheduleState, FORMAT_VERSION};
use super::clip_and_schedule::LrPolicy;
use super::Trainer;
use crate::error::{check_non_negative, CheckpointFault, Error, Quantity};
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::{Optimizer, UpdateRule};

impl<M, L, O, T> Trainer<M, L, O, T>
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    O: UpdateRule<T>,
{
    /// The trainer's state, copied: model, optimizer, step count and the schedule's
    /// progress (see [`Checkpoint`] for what is configuration and stays out).
    ///
    /// Restoring it, here or into a freshly built trainer of the same configuration,
    /// continues training bit for bit as if it had never stopped
    /// (`tests/checkpoint/` checks this for every optimizer, in f32 and f64).
    ///
    /// ```
    /// use backprop::{Adam, Model, Mse, Neuron, Trainer};
    ///
    /// let new_trainer = || Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1));
    /// let mut trainer = new_trainer()?;
    /// for _ in 0..3 {
    ///     trainer.step(&[1.2], &[0.4])?;
    /// }
    /// let saved = trainer.checkpoint();
    /// trainer.step(&[1.2], &[0.4])?;
    ///
    /// let mut resumed = new_trainer()?;
    /// resumed.restore(saved)?;
    /// resumed.step(&[1.2], &[0.4])?;
    /// assert_eq!(resumed.model().params(), trainer.model().params()); // bit for bit
    /// assert_eq!(resumed.steps(), 4);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    ///
    /// With the `serde` feature, a checkpoint goes to disk and back in any serde format
    /// (with `serde_json`, enable its `float_roundtrip` feature so floats come back
    /// exactly):
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use backprop::{Checkpoint, Model, Momentum, Mse, Neuron, Sgd, Trainer};
    ///
    /// let sgd = || Sgd::new(0.1).momentum(Momentum::Classic(0.9));
    /// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, sgd())?;
    /// trainer.step(&[1.2], &[0.4])?;
    /// let json = serde_json::to_string(&trainer.checkpoint()).unwrap();
    ///
    /// let saved: Checkpoint<Neuron<f64>, Sgd<f64>, f64> = serde_json::from_str(&json).unwrap();
    /// let mut resumed = Trainer::new(Neuron::new(0.7), Mse, sgd())?;
    /// resumed.restore(saved)?;
    /// assert_eq!(resumed.model().params(), trainer.model().params());
    /// # }
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn checkpoint(&self) -> Checkpoint<M, O, T>
    where
        M: Clone,
        O: Clone,
    {
        let schedule = match &self.lr_policy {
            LrPolicy::Constant => ScheduleState::Constant,
            LrPolicy::Epoch {
                base_lr,
                epoch,
                schedule,
            } => ScheduleState::Epoch {
                base_lr: *base_lr,
                epoch: *epoch,
                formula: schedule.formula(),
            },
            LrPolicy::Plateau(plateau) => ScheduleState::Plateau(*plateau),
        };
        Checkpoint {
            version: FORMAT_VERSION,
            model: self.model.clone(),
            optimizer: self.optimizer.clone(),
            steps: self.steps,
            schedule,
        }
    }

    /// Loads a [`Checkpoint`]: the model's parameters, the optimizer's state, step count
    /// and learning rate, the step count and the schedule's progress. Configuration is
    /// the trainer's own and must match: the optimizer's hyper-parameters and the epoch
    /// schedule's formula are compared, not loaded (unlike PyTorch's `load_state_dict`,
    /// which would silently replace them); the loss and clipping are not in a checkpoint.
    ///
    /// Everything is checked before anything changes:
    /// - the checkpoint's format version must be this crate's
    ///   ([`CheckpointFault::Version`]; pre-1.0, a checkpoint of another version is
    ///   refused rather than read in a layout it was not written in);
    /// - the checkpoint's model must equal the trainer's in all but its parameter
    ///   values (inputs, outputs, layers, biases, activations), and its parameters must
    ///   be finite;
    /// - the optimizer's rule must equal the trainer's, hyper-parameters and options
    ///   ([`CheckpointFault::Configuration`] names the first that differs, as
    ///   [`UpdateRule::difference`] finds it: a checkpoint configures nothing), its
    ///   learning rate valid (it may be 0, as a schedule can make it), its state
    ///   finite, and, once it has stepped, exactly as long as it needs for the model's
    ///   parameters and possible for its rule ([`UpdateRule::check_state`]: a negative
    ///   second moment is [`CheckpointFault::ImpossibleState`]);
    /// - the schedule must be of the kind the trainer has; an epoch schedule with the
    ///   same [`formula`](crate::LrSchedule::formula) (else
    ///   [`CheckpointFault::Configuration`] naming `schedule`) and a valid base rate, or
    ///   a plateau schedule with valid hyper-parameters, counters within its patience
    ///   and cooldown and a finite best metric (or none yet).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCheckpoint`] with the [`CheckpointFault`] found first; the trainer
    /// is then exactly as it was.
    ///
    /// ```
    /// use backprop::{Activation, CheckpointFault, Error, Mse, Network, Sgd, Trainer};
    ///
    /// let net = |units| Network::builder(2).dense(units, Activation::Tanh).seed(1).build();
    /// let other = Trainer::new(net(3)?, Mse, Sgd::new(0.1))?.checkpoint();
    /// let mut trainer = Trainer::new(net(2)?, Mse, Sgd::new(0.1))?;
    /// let refused = trainer.restore(other).unwrap_err();
    /// assert_eq!(refused, Error::InvalidCheckpoint { reason: CheckpointFault::Architecture });
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn restore(&mut self, checkpoint: Checkpoint<M, O, T>) -> Result<(), Error>
    where
        M: Clone + PartialEq,
        O: PartialEq,
    {
        let Checkpoint {
            version,
            model,
            mut optimizer,
            steps,
            schedule,
        } = checkpoint;
        let invalid = |reason| Error::InvalidCheckpoint { reason };
        if version != FORMAT_VERSION {
            return Err(invalid(CheckpointFault::Version {
                expected: FORMAT_VERSION,
                actual: version,
            }));
        }
        self.check_model(&model).map_err(invalid)?;
        check_optimizer(self.optimizer.rule(), &mut optimizer, model.params().len())
            .map_err(invalid)?;
        let lr_policy = self.restored_policy(schedule).map_err(invalid)?;

        self.model.params_mut().copy_from_slice(model.params());
        self.optimizer = optimizer;
        self.steps = steps;
        self.lr_policy = lr_policy;
        self.grad_norm = None;
        Ok(())
    }

    /// The checkpoint's model must be the trainer's with other parameter values.
    fn check_model(&self, model: &M) -> Result<(), CheckpointFault>
    where
        M: Clone + PartialEq,
    {
        let ours = &self.model;
        if model.input_len() != ours.input_len() || model.output_len() != ours.output_len() {
            return Err(CheckpointFault::Architecture);
        }
        let (expected, actual) = (ours.params().len(), model.params().len());
        if expected != actual {
            return Err(CheckpointFault::ParameterCount { expected, actual });
        }
        non_finite(model.params(), Quantity::Parameters)?;
        // The trainer's model carrying the checkpoint's values must be the checkpoint's
        // model: then only the values differed.
        let mut probe = ours.clone();
        probe.params_mut().copy_from_slice(model.params());
        if probe == *model {
            Ok(())
        } else {
            Err(CheckpointFault::Architecture)
        }
    }

    /// The trainer's schedule with the checkpoint's progress.
    fn restored_policy(&self, saved: ScheduleState<T>) -> Result<LrPolicy<T>, CheckpointFault> {
        match (&self.lr_policy, saved) {
            (LrPolicy::Constant, ScheduleState::Constant) => Ok(LrPolicy::Constant),
            (
                LrPolicy::Epoch { schedule, .. },
                ScheduleState::Epoch {
                    base_lr,
                    epoch,
                    formula,
                },
            ) => {
                if formula != schedule.formula() {
                    return Err(CheckpointFault::Configuration { what: "schedule" });
                }
                if !(base_lr.is_finite() && base_lr >= T::zero()) {
                    return Err(CheckpointFault::Hyperparameter { name: "base_lr" });
                }
                Ok(LrPolicy::Epoch {
                    schedule: schedule.clone(),
                    base_lr,
                    epoch,
                })
            }
            (LrPolicy::Plateau(_), ScheduleState::Plateau(plateau)) => {
                plateau.check_restored()?;
                Ok(LrPolicy::Plateau(plateau))
            }
            _ => Err(CheckpointFault::ScheduleKind),
        }
    }
}

/// Checks a loaded optimizer against the trainer's rule `ours` and `param_len`
/// parameters, and sizes the state of one that has not stepped.
fn check_optimizer<T: Float, O: UpdateRule<T> + PartialEq>(
    ours: &O,
    optimizer: &mut Optimizer<T, O>,
    param_len: usize,
) -> Result<(), CheckpointFault> {
    // Not `validate`, which demands a positive initial rate: a schedule may have brought
    // the rate to 0.
    let groups = optimizer
        .groups()
        .iter()
        .map(|g| (g.learning_rate(), g.rule()));
    for (lr, rule) in core::iter::once((optimizer.learning_rate(), optimizer.rule())).chain(groups)
    {
        if check_non_negative("lr", lr).is_err() {
            return Err(CheckpointFault::Hyperparameter { name: "lr" });
        }
        match rule.validate() {
            Err(Error::InvalidHyperparameter { name, .. })
            | Err(Error::IncompatibleHyperparameters { name, .. }) => {
                return Err(CheckpointFault::Hyperparameter { name });
            }
            _ => {}
        }
    }
    if let Some(what) = ours.difference(optimizer.rule()) {
        return Err(CheckpointFault::Configuration { what });
    }
    non_finite(optimizer.state(), Quantity::OptimizerState)?;
    optimizer
        .fit_state(param_len)
        .map_err(|misfit| match misfit {
            Error::LengthMismatch {
                expected, actual, ..
            } => CheckpointFault::StateLength { expected, actual },
            Error::InvalidGroup { .. } => CheckpointFault::Hyperparameter {
                name: "param_groups",
            },
            _ => CheckpointFault::StateLength {
                expected: 0,
                actual: optimizer.state().len(),
            },
        })?;
    if optimizer.step_count() > 0 {
        optimizer.check_state(param_len)?;
    }
    Ok(())
}

fn non_finite<T: Float>(values: &[T], what: Quantity) -> Result<(), CheckpointFault> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(CheckpointFault::NonFinite { what, index }),
        None => Ok(()),
    }
}
