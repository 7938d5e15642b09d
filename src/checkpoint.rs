//! A trainer's state, taken whole so training can resume from it bit for bit.

use crate::schedule::ReduceLrOnPlateau;

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
/// gradient clipping, and an epoch schedule's formula (only its epoch counter and base
/// rate are saved; the schedule itself is code). A [`ReduceLrOnPlateau`] is state and
/// configuration at once and is saved whole. The shuffling state of an
/// [`Epochs`](crate::Epochs) lives there; save it beside the checkpoint (it is `Clone`,
/// and serializable with `serde`).
///
/// # Layout
///
/// With serde it serializes as a struct of `model`, `optimizer`, `steps` and `schedule`,
/// the first two in their own serialized forms: a [`Network`](crate::Network) as its
/// input count, its layers (`units`, `bias`, `activation`) and its flat `params`; an
/// optimizer as its hyper-parameters by PyTorch's names, its flat `state` and its step
/// count `steps`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Checkpoint<M, O, T> {
    pub(crate) model: M,
    pub(crate) optimizer: O,
    pub(crate) steps: u64,
    pub(crate) schedule: ScheduleState<T>,
}

/// The progress of the trainer's learning-rate policy.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) enum ScheduleState<T> {
    /// No schedule: the rate changes only by hand.
    Constant,
    /// An epoch schedule's base rate and the number of epochs ended.
    Epoch { base_lr: T, epoch: usize },
    /// A plateau schedule, whole.
    Plateau(ReduceLrOnPlateau<T>),
}

impl<M, O, T> Checkpoint<M, O, T> {
    /// The model as it was, parameters included.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The optimizer as it was: hyper-parameters (the learning rate in force), state and
    /// step count.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// How many steps the trainer had applied.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}
