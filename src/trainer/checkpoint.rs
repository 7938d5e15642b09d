//! A trainer's state, taken whole so training can resume from it bit for bit.

use alloc::string::String;

use crate::optim::Optimizer;
use crate::schedule::ReduceLrOnPlateau;

/// The layout version of a [`Checkpoint`]; a checkpoint of another version is refused.
///
/// Raised whenever what a checkpoint holds changes (1: the first versioned layout, with
/// the optimizer as rule, learning rate, step count and state; 2: the optimizer's
/// parameter groups too; 3: an epoch schedule's formula,
/// [`LrSchedule::formula`](crate::LrSchedule::formula)).
pub(crate) const FORMAT_VERSION: u32 = 3;

/// Everything a [`Trainer`](crate::Trainer) remembers between steps: the model, the
/// optimizer (hyper-parameters, state and step count), the number of steps and the
/// learning-rate schedule's progress.
///
/// Take one with [`Trainer::checkpoint`](crate::Trainer::checkpoint) and load it with
/// [`Trainer::restore`](crate::Trainer::restore), which checks it against the trainer
/// first. With the `serde` feature it is `Serialize` and `Deserialize`, so it can be
/// written to disk in any serde format and read back into a freshly built trainer.
///
/// What is not in it is configuration, which the trainer receiving it keeps: the loss,
/// gradient clipping, and an epoch schedule's code (its epoch counter, base rate and
/// [`formula`](crate::LrSchedule::formula) are saved, so that restoring into a trainer
/// with another schedule is refused, as is one with another optimizer configuration). A [`ReduceLrOnPlateau`] is state and
/// configuration at once and is saved whole. The shuffling state of an
/// [`Epochs`](crate::Epochs) lives there; save it beside the checkpoint (it is `Clone`,
/// and serializable with `serde`).
///
/// # Layout
///
/// With serde it serializes as a struct of `version` ([`Checkpoint::version`]), `model`,
/// `optimizer`, `steps` and `schedule`, the model and the optimizer in their own
/// serialized forms: a [`Network`](crate::Network) as its input count, its layers
/// (`units`, `bias`, `activation`) and its flat `params`; an
/// [`Optimizer`] as its `rule` (the hyper-parameters by PyTorch's names), `lr`, `steps`,
/// its flat `state` and its `groups` (each its `ranges`, `rule`, `lr` and `initial_lr`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Checkpoint<M, O, T> {
    pub(crate) version: u32,
    pub(crate) model: M,
    pub(crate) optimizer: Optimizer<T, O>,
    pub(crate) steps: u64,
    pub(crate) schedule: ScheduleState<T>,
}

/// The progress of the trainer's learning-rate policy.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) enum ScheduleState<T> {
    /// No schedule: the rate changes only by hand.
    Constant,
    /// An epoch schedule's base rate and the number of epochs ended.
    Epoch {
        base_lr: T,
        epoch: usize,
        formula: Option<String>,
    },
    /// A plateau schedule, whole.
    Plateau(ReduceLrOnPlateau<T>),
}

impl<M, O, T> Checkpoint<M, O, T> {
    /// The layout version it was written in; [`Trainer::restore`](crate::Trainer::restore)
    /// accepts only its own.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The model as it was, parameters included.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The optimizer as it was: its rule, the learning rate in force, its state and step
    /// count.
    pub fn optimizer(&self) -> &Optimizer<T, O> {
        &self.optimizer
    }

    /// How many steps the trainer had applied.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}
