//! Bad input and failed steps: every invalid input or hyper-parameter is refused with a
//! typed error and changes nothing, hostile input never panics, and a step that would
//! make a parameter non-finite is undone completely.
//!
//! - `bad_input`: bad data gets a typed error, and a refused step changes nothing.
//! - `bad_groups`: parameter groups that do not fit the model are refused.
//! - `bad_hyperparameters`: every invalid optimizer hyper-parameter is refused by name.
//! - `loss_bad_input`: invalid loss hyper-parameters and targets are refused.
//! - `invalid_schedule_and_clip`: out-of-range schedule and clipper settings are refused.
//! - `hostile_input`: NaN, ±∞, huge, tiny, empty and ragged input never panics and never
//!   leaves a non-finite parameter (property tests).
//! - `divergence`: a diverging step is rolled back with the optimizer's state.
//! - `messages`: error messages say what was expected and the likely fix.
//! - `derivatives_bad_input`: Jacobians, Hessian-vector products, Hessians and input
//!   jets refuse bad input with typed errors (a Hessian too large to hold: `TooLarge`)
//!   and change nothing.
//! - `dataset`: a `Dataset` refuses rows, values and class indices that do not fit.
//! - `prepare`: splits and scalers refuse bad fractions, classes and widths.
//! - `hostile_prepare_and_metrics`: the same for splits, scalers, data sets and metrics
//!   (property tests), with what they accept checked against the definitions.
//! - `sizes_beyond_memory`: row and class counts too large to hold get `TooLarge`, not a
//!   panic or an abort.
//! - `soak`: 10⁵ steps between hostile calls and restores end bit for bit where the
//!   valid steps alone end.
//! - `audit_findings`: the reproducers of issue 13 (allocation failures, overflowing
//!   names and norms, overflowing predictions), each a typed error or documented result.

#[path = "../common/scaler.rs"]
mod scaler;
#[path = "../common/snapshot.rs"]
mod snapshot;

mod audit_findings;
mod bad_groups;
mod bad_hyperparameters;
mod bad_input;
mod dataset;
mod derivatives_bad_input;
mod divergence;
mod hostile_input;
mod hostile_prepare_and_metrics;
mod invalid_schedule_and_clip;
mod loss_bad_input;
mod messages;
mod prepare;
mod sizes_beyond_memory;
mod soak;
