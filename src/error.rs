//! The crate's one error type, and the checks every module builds its errors with.

use core::fmt;
use num_traits::Float;

/// Which value an [`Error`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quantity {
    /// The inputs given to a step or a prediction.
    Input,
    /// The targets given to a step.
    Target,
    /// A buffer for a model's outputs.
    Output,
    /// Predictions or scores given to a metric (`y_pred`, `y_score`, `y_prob`).
    Prediction,
    /// The model's parameters.
    Parameters,
    /// The loss of a step.
    Loss,
    /// The gradient of the loss with respect to the parameters.
    Gradient,
    /// The metric a schedule such as `ReduceLrOnPlateau` watches.
    Metric,
    /// An optimizer's per-parameter state (momentum, moments), as
    /// [`Optimizer::state`](crate::Optimizer::state) shows it.
    OptimizerState,
    /// A direction of differentiation: the vector `v` of a Hessian-vector product, or
    /// the input direction of second derivatives in the inputs (`backprop::derivatives`).
    Direction,
    /// A full Hessian of the loss with respect to the parameters (`n × n` values).
    Hessian,
    /// The loss or its gradient at parameters an optimizer tried within a step
    /// ([`Lbfgs`](crate::Lbfgs)'s evaluations after the first).
    TrialLoss,
    /// Results sized by a class count: a confusion matrix (`classes²` counts), the scores
    /// of each class, or a data set's rows per class.
    Classes,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Quantity::Input => "input",
            Quantity::Target => "target",
            Quantity::Output => "output buffer",
            Quantity::Prediction => "prediction",
            Quantity::Parameters => "parameters",
            Quantity::Loss => "loss",
            Quantity::Gradient => "gradient",
            Quantity::Metric => "metric",
            Quantity::OptimizerState => "optimizer state",
            Quantity::Direction => "direction",
            Quantity::Hessian => "hessian",
            Quantity::TrialLoss => "loss or gradient at a point the optimizer tried",
            Quantity::Classes => "per-class results",
        };
        f.write_str(name)
    }
}

/// Why [`Trainer::restore`](crate::Trainer::restore) refused a
/// [`Checkpoint`](crate::Checkpoint): [`Error::InvalidCheckpoint`]'s reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckpointFault {
    /// The checkpoint's model differs from the trainer's in something other than its
    /// parameter values: its inputs, outputs, layers, biases or activations.
    Architecture,
    /// The checkpoint's model has another number of parameters.
    ParameterCount {
        /// The trainer's model's parameter count.
        expected: usize,
        /// The checkpoint's.
        actual: usize,
    },
    /// A NaN or infinite value: a parameter, an optimizer state value, or the best
    /// metric of a plateau schedule ([`Quantity::Metric`]).
    NonFinite {
        /// Where the value is.
        what: Quantity,
        /// Its position in that flat slice (0 for a single value).
        index: usize,
    },
    /// The optimizer has stepped but its state does not have the length it needs for
    /// the model's parameters (a truncated state, or one saved with other options).
    StateLength {
        /// The length the optimizer needs.
        expected: usize,
        /// The length in the checkpoint.
        actual: usize,
    },
    /// A hyper-parameter of the checkpoint's optimizer or plateau schedule, or the base
    /// rate of its epoch schedule (`base_lr`), is out of range.
    Hyperparameter {
        /// Its name, as PyTorch spells it.
        name: &'static str,
    },
    /// The checkpoint was saved with another kind of learning-rate schedule (none, an
    /// epoch schedule, or `ReduceLrOnPlateau`) than the trainer has.
    ScheduleKind,
    /// A plateau schedule's counters are beyond what stepping it can produce: more bad
    /// epochs than its patience, or a cooldown counter above its cooldown.
    PlateauCounters,
    /// The checkpoint's optimizer configuration or schedule differs from the trainer's:
    /// restoring it would silently change the update rule or the rates to come.
    Configuration {
        /// What differs: an optimizer hyper-parameter by PyTorch's name (`betas`,
        /// `amsgrad`, `weight_decay`, …), `rule` for a rule of your own that differs, or
        /// `schedule` for another epoch schedule or hyper-parameters of it.
        what: &'static str,
    },
    /// An optimizer's state holds values its rule can never produce (a negative second
    /// moment, an AMSGrad maximum below the moment it bounds, …), as
    /// [`UpdateRule::check_state`](crate::UpdateRule::check_state) finds them.
    ImpossibleState {
        /// The state's name, as its rule documents it (`exp_avg_sq`, `sum`, …).
        what: &'static str,
        /// Its position in the optimizer's flat state.
        index: usize,
    },
    /// The bytes do not start with the checkpoint file's magic header: not a checkpoint
    /// file (or one whose first bytes were overwritten).
    NotACheckpointFile,
    /// The file is shorter or longer than its header says: cut off while being copied,
    /// or with bytes appended.
    Length {
        /// The length the header announces for the payload, in bytes.
        expected: u64,
        /// The payload's length in the file.
        actual: u64,
    },
    /// The payload's CRC-32 is not the one the header records: the file was corrupted.
    Checksum {
        /// The checksum in the header.
        expected: u32,
        /// The checksum of the payload as read.
        actual: u32,
    },
    /// The payload passed its checksum but is not a checkpoint of the trainer's types
    /// (written for another model, optimizer or float type), or could not be encoded.
    Payload,
    /// The checkpoint was written in another layout version of this crate.
    Version {
        /// The version this crate writes and reads.
        expected: u32,
        /// The checkpoint's.
        actual: u32,
    },
}

impl fmt::Display for CheckpointFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointFault::Architecture => {
                f.write_str("its model's architecture differs from the trainer's")
            }
            CheckpointFault::ParameterCount { expected, actual } => {
                write!(f, "its model has {actual} parameters, expected {expected}")
            }
            CheckpointFault::NonFinite { what, index } => {
                write!(f, "its {what} at index {index} is NaN or infinite")
            }
            CheckpointFault::StateLength { expected, actual } => write!(
                f,
                "its optimizer state has length {actual}, expected {expected}"
            ),
            CheckpointFault::Hyperparameter { name } => {
                write!(f, "its hyper-parameter `{name}` is outside its valid range")
            }
            CheckpointFault::ScheduleKind => {
                f.write_str("it was saved with another kind of learning-rate schedule")
            }
            CheckpointFault::PlateauCounters => {
                f.write_str("its plateau schedule's counters exceed its patience or cooldown")
            }
            CheckpointFault::Configuration { what } => write!(
                f,
                "its `{what}` differs from the trainer's (restoring it would change the \
                 optimizer or the schedule; build the trainer with the checkpoint's)"
            ),
            CheckpointFault::ImpossibleState { what, index } => write!(
                f,
                "its optimizer state `{what}` at index {index} holds a value the optimizer \
                 can never produce"
            ),
            CheckpointFault::NotACheckpointFile => {
                f.write_str("its bytes do not start with the checkpoint file header")
            }
            CheckpointFault::Length { expected, actual } => write!(
                f,
                "its payload has {actual} bytes, the header announces {expected} \
                 (truncated or extended)"
            ),
            CheckpointFault::Checksum { expected, actual } => write!(
                f,
                "its payload's CRC-32 is {actual:#010x}, the header records {expected:#010x} \
                 (corrupted)"
            ),
            CheckpointFault::Payload => f.write_str(
                "its payload is not a checkpoint of the trainer's model, optimizer and float \
                 types",
            ),
            CheckpointFault::Version { expected, actual } => write!(
                f,
                "it was written in checkpoint format version {actual}, this crate reads \
                 version {expected} only"
            ),
        }
    }
}

/// Everything that can go wrong, each with the facts needed to act on it.
///
/// Whenever an entry point returns an `Error`, the model and the optimizer are exactly
/// as they were before the call.
///
/// ```
/// use backprop::{Error, Mse, Neuron, Quantity, Sgd, Trainer};
///
/// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
/// let refused = trainer.step(&[1.2, 3.4], &[0.4]);
/// assert_eq!(
///     refused.unwrap_err(),
///     Error::LengthMismatch { what: Quantity::Input, expected: 1, actual: 2 }
/// );
/// assert_eq!(trainer.model().weights(), &[0.7]); // nothing changed
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A slice had the wrong number of elements.
    LengthMismatch {
        /// What the slice holds.
        what: Quantity,
        /// The length that was required (for a batch: a multiple of it).
        expected: usize,
        /// The length that was given.
        actual: usize,
    },
    /// A value was NaN or infinite where only finite numbers make sense.
    NonFinite {
        /// What the value belongs to.
        what: Quantity,
        /// Its position in the flat slice.
        index: usize,
    },
    /// A hyper-parameter is outside the range where its update rule is defined.
    InvalidHyperparameter {
        /// The hyper-parameter's name, as PyTorch spells it (`lr`, `momentum`, ...).
        name: &'static str,
        /// The value that was refused, converted to `f64` for display.
        value: f64,
        /// The values it may take, in words: `"a finite number above 0"`, `"in [0, 1)"`.
        expected: &'static str,
    },
    /// A target outside the domain of the loss: a probability below 0 or above 1 for
    /// [`Bce`](crate::Bce), [`BceWithLogits`](crate::BceWithLogits),
    /// [`CrossEntropy`](crate::CrossEntropy)'s probability rows and
    /// [`metrics::log_loss`](crate::metrics::log_loss)'s `y_prob`, or whatever a
    /// [`Loss`](crate::Loss) of the user's refuses. A class index is
    /// [`Error::InvalidClass`].
    InvalidTarget {
        /// Its position in the flat slice of targets.
        index: usize,
        /// The value that was refused, converted to `f64` for display.
        value: f64,
    },
    /// A class index that is not a whole number below the number of classes: in a
    /// metric's `y_true` or `y_pred`, a [`Dataset`](crate::Dataset)'s targets, a
    /// stratified split's classes, [`CrossEntropy`](crate::CrossEntropy)'s class-index
    /// targets or [`CrossEntropy::one_hot`](crate::CrossEntropy::one_hot)'s classes.
    InvalidClass {
        /// Whose class it is: [`Quantity::Target`] for true classes (`y_true`, targets),
        /// [`Quantity::Prediction`] for predicted ones (`y_pred`).
        what: Quantity,
        /// Its position in that slice.
        index: usize,
        /// The value that was refused, converted to `f64` for display.
        value: f64,
        /// The number of classes, where the call knows it; `None` where any whole
        /// number is a class (`accuracy_score`, the stratified splits).
        classes: Option<usize>,
    },
    /// Two hyper-parameters that are valid alone but not together, as PyTorch's SGD
    /// refuses `nesterov` without momentum or with dampening.
    IncompatibleHyperparameters {
        /// The hyper-parameter that needs the other one changed (`nesterov`).
        name: &'static str,
        /// The hyper-parameter whose value does not allow it (`momentum`, `dampening`).
        conflicts_with: &'static str,
    },
    /// A batch with no samples in it.
    EmptyBatch,
    /// A class with too few rows for what was asked: stratifying a split needs two rows
    /// of every class that occurs (as scikit-learn's `stratify=y`), the ROC AUC a row of
    /// each of the two classes.
    TooFewRows {
        /// The class index.
        class: usize,
        /// The rows it has.
        rows: usize,
        /// The rows it needs.
        needed: usize,
    },
    /// A score that is undefined on so few samples: [`metrics::r2_score`](crate::metrics::r2_score)
    /// needs two (scikit-learn returns NaN there, with a warning).
    TooFewSamples {
        /// The function that needs more, by its scikit-learn name.
        metric: &'static str,
        /// The samples given.
        samples: usize,
        /// The samples it needs.
        needed: usize,
    },
    /// A row index not below the number of rows
    /// ([`prepare::take_rows`](crate::prepare::take_rows)).
    RowOutOfRange {
        /// The index given.
        index: usize,
        /// The number of rows there are.
        rows: usize,
    },
    /// An epoch ended without the metric that `ReduceLrOnPlateau` needs.
    MissingMetric,
    /// A scaler's statistic of finite values overflows the number type: column
    /// `column`'s mean or variance ([`Standardize`](crate::prepare::Standardize)) or
    /// range ([`MinMax`](crate::prepare::MinMax)) is infinite. Dividing the data by a
    /// power of two first (exact) avoids it.
    ColumnOverflow {
        /// The column, counted from 0.
        column: usize,
    },
    /// The step would have produced a non-finite loss, gradient or parameter.
    ///
    /// The step was not applied: the learning rate is likely too large.
    Diverged {
        /// The number of steps that had succeeded before this one.
        step: u64,
        /// The quantity that went non-finite.
        what: Quantity,
    },
    /// A network was built without any layer.
    NoLayers,
    /// A model without inputs: `Network::builder(0)`, or a `Neuron` without weights.
    NoInputs,
    /// A model without outputs.
    NoOutputs,
    /// A layer was given zero units (outputs); `layer` counts from 0 at the input side.
    ZeroUnits {
        /// The position of the layer.
        layer: usize,
    },
    /// A size that cannot be held in memory: its element count overflows `usize`, or its
    /// bytes exceed `isize::MAX`, or the allocator refused it (a network with
    /// `usize::MAX` units, say).
    TooLarge {
        /// What would have been that large.
        what: Quantity,
    },
    /// A checkpoint that does not fit the trainer or holds invalid values; the trainer
    /// was left untouched.
    InvalidCheckpoint {
        /// What was wrong with it.
        reason: CheckpointFault,
    },
    /// A parameter group's range is empty, ends beyond the model's parameters, or
    /// overlaps another group's (see [`Optimizer::group`](crate::Optimizer::group)).
    InvalidGroup {
        /// The group, counted from 0 in the order the groups were added.
        group: usize,
        /// The start of the offending range.
        start: usize,
        /// Its end (exclusive).
        end: usize,
        /// How many parameters the model has.
        params: usize,
    },
    /// A file could not be read or written (feature `std`).
    #[cfg(feature = "std")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the operating system reported.
        kind: std::io::ErrorKind,
    },
    /// Safetensors bytes that do not fit the network (feature `safetensors`).
    #[cfg(feature = "safetensors")]
    Safetensors(crate::SafetensorsError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::LengthMismatch {
                what,
                expected,
                actual,
            } => {
                write!(f, "{what} has length {actual}, expected {expected}")?;
                match what {
                    Quantity::Input if *expected == 0 => {
                        f.write_str(" (rows of width 0 hold no values: a width is at least 1)")
                    }
                    Quantity::Input => f.write_str(
                        " (or a multiple of it: whole samples of the model's inputs, row after row)",
                    ),
                    Quantity::Target => f.write_str(
                        " (for every sample, as many targets as the loss takes: one per model \
                         output, or one class index with `CrossEntropy::class_indices()`; \
                         `CrossEntropy::one_hot` turns class indices into rows)",
                    ),
                    _ => Ok(()),
                }
            }
            Error::NonFinite { what, index } => {
                write!(f, "{what} at index {index} is NaN or infinite")
            }
            Error::InvalidHyperparameter {
                name,
                value,
                expected,
            } => write!(
                f,
                "hyper-parameter `{name}` = {value} is outside its valid range: expected \
                 {expected}"
            ),
            Error::InvalidTarget { index, value } => write!(
                f,
                "target at index {index} = {value} is outside the loss's domain (a \
                 probability in [0, 1] for Bce, BceWithLogits, CrossEntropy's probability rows \
                 and log_loss)"
            ),
            Error::InvalidClass {
                what,
                index,
                value,
                classes,
            } => {
                write!(
                    f,
                    "{what} at index {index} = {value} is not a class index: "
                )?;
                match classes {
                    Some(classes) => write!(f, "expected a whole number below {classes}"),
                    None => f.write_str("expected a whole number, 0 or more"),
                }
            }
            Error::IncompatibleHyperparameters {
                name,
                conflicts_with,
            } => write!(
                f,
                "hyper-parameter `{name}` cannot be used with this value of `{conflicts_with}`"
            ),
            Error::EmptyBatch => f.write_str("the batch is empty: at least one sample is needed"),
            Error::TooFewRows {
                class,
                rows,
                needed,
            } => write!(
                f,
                "class {class} has {rows} row(s), expected at least {needed} (a stratified split \
                 needs two rows of every class, the ROC AUC one row of each of the two)"
            ),
            Error::TooFewSamples {
                metric,
                samples,
                needed,
            } => write!(
                f,
                "`{metric}` needs at least {needed} samples, got {samples}: it is undefined on \
                 fewer"
            ),
            Error::RowOutOfRange { index, rows } => write!(
                f,
                "row index {index} is out of range: expected an index below {rows}, the number \
                 of rows"
            ),
            Error::MissingMetric => f.write_str(
                "the epoch ended without a metric: reducing the learning rate on a plateau \
                 needs one per epoch",
            ),
            Error::Diverged { step, what } => diverged_message(f, *step, *what),
            Error::ColumnOverflow { column } => write!(
                f,
                "column {column}'s statistics overflow the number type; divide the data by a \
                 power of two first"
            ),
            Error::NoInputs => f.write_str(
                "the model has no inputs: a network needs at least one (`Network::builder(n)` \
                 with n ≥ 1)",
            ),
            Error::NoOutputs => f.write_str("the model has no outputs: it needs at least one"),
            Error::NoLayers => f.write_str("a network needs at least one layer"),
            Error::ZeroUnits { layer } => {
                write!(f, "layer {layer} has zero units, expected at least one")
            }
            Error::TooLarge { what } => write!(f, "the {what} would not fit in memory"),
            Error::InvalidCheckpoint { reason } => write!(f, "invalid checkpoint: {reason}"),
            Error::InvalidGroup {
                group,
                start,
                end,
                params,
            } => write!(
                f,
                "parameter group {group} has range {start}..{end}, expected a non-empty \
                 range within the {params} parameters that overlaps no other group"
            ),
            #[cfg(feature = "std")]
            Error::Io { path, kind } => write!(f, "`{}`: {kind}", path.display()),
            #[cfg(feature = "safetensors")]
            Error::Safetensors(error) => write!(f, "safetensors: {error}"),
        }
    }
}

/// [`Error::Diverged`]'s message: a loss or gradient that is not finite at the current
/// parameters is not the learning rate's doing; an update that would leave the finite
/// numbers is.
fn diverged_message(f: &mut fmt::Formatter<'_>, step: u64, what: Quantity) -> fmt::Result {
    match what {
        Quantity::Loss | Quantity::Gradient => write!(
            f,
            "step {step} was refused: the {what} is NaN or infinite at the current \
             parameters, before any update (nothing changed; check the inputs, the targets \
             and the loss, and if earlier steps drove the parameters to huge values, restore \
             a checkpoint and lower the learning rate)"
        ),
        Quantity::Metric => write!(
            f,
            "training stopped after step {step}: the monitored value (the validation metric, \
             the validation loss or the training loss) became NaN or infinite (the steps \
             before stay; lower the learning rate, or clip the gradient)"
        ),
        _ => write!(
            f,
            "step {step} was refused: its update would have made the {what} NaN or infinite \
             (nothing changed, training can go on from the kept parameters; lower the \
             learning rate, or clip the gradient)"
        ),
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(feature = "safetensors")]
impl From<crate::SafetensorsError> for Error {
    fn from(error: crate::SafetensorsError) -> Self {
        Error::Safetensors(error)
    }
}

/// The error of a file operation on `path`.
#[cfg(all(feature = "std", any(feature = "serde", feature = "safetensors")))]
pub(crate) fn io_error(path: &std::path::Path, error: &std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        kind: error.kind(),
    }
}

/// The error for hyper-parameter `name` holding `value`.
pub(crate) fn invalid<T: Float>(name: &'static str, value: T, expected: &'static str) -> Error {
    Error::InvalidHyperparameter {
        name,
        value: value.to_f64().unwrap_or(f64::NAN),
        expected,
    }
}

/// Refuses a value that is negative or not finite (weight decay, eps of a schedule, ...).
pub(crate) fn check_non_negative<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() && value >= T::zero() {
        Ok(())
    } else {
        Err(invalid(name, value, "a finite number ≥ 0"))
    }
}

/// Refuses a value that is not positive and finite (eps, an initial learning rate).
pub(crate) fn check_positive<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() && value > T::zero() {
        Ok(())
    } else {
        Err(invalid(name, value, "a finite number above 0"))
    }
}

/// Refuses a value outside `[0, 1)` (momentum, betas, alpha): a decay factor of 1 or
/// more never forgets, and its running average never settles.
pub(crate) fn check_decay<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value >= T::zero() && value < T::one() {
        Ok(())
    } else {
        Err(invalid(name, value, "a number in [0, 1)"))
    }
}

/// Refuses a value outside `[0, 1]` (label smoothing, dampening, a schedule's end factor).
pub(crate) fn check_fraction<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value >= T::zero() && value <= T::one() {
        Ok(())
    } else {
        Err(invalid(name, value, "a number in [0, 1]"))
    }
}

/// Refuses a value that is NaN or negative; `+∞` passes (a clipping bound that never
/// clips).
pub(crate) fn check_not_below_zero<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_nan() || value < T::zero() {
        Err(invalid(name, value, "a number ≥ 0 (+∞ turns it off)"))
    } else {
        Ok(())
    }
}

/// Refuses a count that must be at least 1 (a period, a patience, a batch size).
pub(crate) fn check_positive_count(name: &'static str, count: usize) -> Result<(), Error> {
    if count == 0 {
        Err(Error::InvalidHyperparameter {
            name,
            value: 0.0,
            expected: "a count of at least 1",
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_say_what_was_expected() {
        let e = Error::LengthMismatch {
            what: Quantity::Target,
            expected: 3,
            actual: 2,
        };
        assert_eq!(
            e.to_string(),
            "target has length 2, expected 3 (for every sample, as many targets as the loss \
             takes: one per model output, or one class index with \
             `CrossEntropy::class_indices()`; `CrossEntropy::one_hot` turns class indices \
             into rows)"
        );
        let e = check_positive("lr", -1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "hyper-parameter `lr` = -1 is outside its valid range: expected a finite number \
             above 0"
        );
        let e = Error::InvalidTarget {
            index: 4,
            value: 1.5,
        };
        assert_eq!(
            e.to_string(),
            "target at index 4 = 1.5 is outside the loss's domain (a probability in [0, 1] \
             for Bce, BceWithLogits, CrossEntropy's probability rows and log_loss)"
        );
        let e = Error::InvalidClass {
            what: Quantity::Prediction,
            index: 3,
            value: 1.5,
            classes: Some(3),
        };
        assert_eq!(
            e.to_string(),
            "prediction at index 3 = 1.5 is not a class index: expected a whole number below 3"
        );
        let e = Error::InvalidClass {
            what: Quantity::Target,
            index: 0,
            value: -1.0,
            classes: None,
        };
        assert_eq!(
            e.to_string(),
            "target at index 0 = -1 is not a class index: expected a whole number, 0 or more"
        );
        let e = Error::IncompatibleHyperparameters {
            name: "nesterov",
            conflicts_with: "momentum",
        };
        assert_eq!(
            e.to_string(),
            "hyper-parameter `nesterov` cannot be used with this value of `momentum`"
        );
    }
}
