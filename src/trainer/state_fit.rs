//! Keeping the optimizer's state the length the model needs.
//!
//! An optimizer asserts that its state fits the parameters once it has stepped
//! ([`Optimizer::step`]'s `# Panics`). Its state and step count are public
//! ([`Optimizer::state_mut`], [`Optimizer::set_step_count`]), so the trainer checks the
//! fit itself and turns a misfit into an error instead of a panic.

use alloc::vec::Vec;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::optim::Optimizer;

/// Sizes `optimizer`'s state for `param_len` parameters and returns its length.
///
/// With step count 0 the state is meaningless, so it is simply prepared afresh. After
/// steps, the state must already have the length that preparing gives; it is then kept
/// as it was, values and step count.
///
/// # Errors
///
/// A [`Misfit`] (which becomes [`Error::LengthMismatch`] on
/// [`Quantity::OptimizerState`]) if the stepped state has another length (a step count set by hand on a reset optimizer, or an optimizer
/// stepped on another model). The optimizer is then left prepared afresh, step count 0,
/// as its state could not be used anyway.
pub(crate) fn fit_state<T: Float, O: Optimizer<T> + ?Sized>(
    optimizer: &mut O,
    param_len: usize,
) -> Result<usize, Misfit> {
    let steps = optimizer.step_count();
    if steps == 0 {
        optimizer.prepare(param_len);
        return Ok(optimizer.state().len());
    }
    let saved: Vec<T> = optimizer.state().to_vec();
    optimizer.prepare(param_len);
    let expected = optimizer.state().len();
    if expected != saved.len() {
        return Err(Misfit {
            expected,
            actual: saved.len(),
        });
    }
    optimizer.state_mut().copy_from_slice(&saved);
    optimizer.set_step_count(steps);
    Ok(expected)
}

/// An optimizer state of the wrong length: `actual` values where `expected` are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Misfit {
    pub(crate) expected: usize,
    pub(crate) actual: usize,
}

impl From<Misfit> for Error {
    fn from(misfit: Misfit) -> Self {
        Error::LengthMismatch {
            what: Quantity::OptimizerState,
            expected: misfit.expected,
            actual: misfit.actual,
        }
    }
}
