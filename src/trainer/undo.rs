//! The optimizer's update, taken back if it would leave the finite numbers.

use alloc::vec::Vec;
use num_traits::Float;

use crate::finite::first_non_finite;
use crate::optim::Optimizer;

/// Copies of the parameters and the optimizer's state, taken before an update so that a
/// diverged update can be put back.
///
/// Only optimizers that cannot tell beforehand whether their update stays finite need
/// them ([`Optimizer::step_if_finite`] answers `None`). The buffers are sized on the first
/// step that needs them, so after it an undo costs one copy and never allocates.
#[derive(Debug, Clone)]
pub(super) struct Undo<T> {
    params: Vec<T>,
    state: Vec<T>,
}

impl<T: Float> Undo<T> {
    /// No copies yet.
    pub(super) fn new() -> Self {
        Self {
            params: Vec::new(),
            state: Vec::new(),
        }
    }

    /// The values the copies hold, for [`Trainer::memory_bytes`](super::Trainer::memory_bytes).
    pub(super) fn len(&self) -> usize {
        self.params.len() + self.state.len()
    }

    /// Sizes the state's copy for `len` values ahead of the next step.
    pub(super) fn reserve_state(&mut self, len: usize) {
        if self.state.len() < len {
            self.state.resize(len, T::zero());
        }
    }
}

/// Applies the optimizer unless that would make a parameter non-finite; `false` if it
/// refused, with the parameters, the state and the step count as they were.
///
/// An optimizer that can tell beforehand (through [`Optimizer::step_if_finite`]) updates
/// in place; for the others the parameters, the state and the step count are copied first
/// and put back if the update diverged.
#[inline]
pub(super) fn update<T, O>(
    optimizer: &mut O,
    params: &mut [T],
    grads: &[T],
    undo: &mut Undo<T>,
) -> bool
where
    T: Float,
    O: Optimizer<T>,
{
    match optimizer.step_if_finite(params, grads) {
        Some(stays_finite) => stays_finite,
        None => update_with_undo(optimizer, params, grads, undo),
    }
}

/// Copies, steps, and puts the copies back if a parameter became non-finite.
///
/// Out of line: it costs a copy per step anyway, and inlined it would crowd the step of
/// an optimizer that needs no undo.
#[inline(never)]
fn update_with_undo<T, O>(
    optimizer: &mut O,
    params: &mut [T],
    grads: &[T],
    undo: &mut Undo<T>,
) -> bool
where
    T: Float,
    O: Optimizer<T>,
{
    if undo.params.len() != params.len() {
        undo.params.resize(params.len(), T::zero());
    }
    undo.params.copy_from_slice(params);
    let state = optimizer.state();
    let state_len = state.len();
    undo.reserve_state(state_len);
    undo.state[..state_len].copy_from_slice(state);
    let step_count = optimizer.step_count();
    optimizer.step(params, grads);
    if first_non_finite(params).is_none() {
        return true;
    }
    params.copy_from_slice(&undo.params);
    let state = optimizer.state_mut();
    if state.len() == state_len {
        state.copy_from_slice(&undo.state[..state_len]);
    }
    optimizer.set_step_count(step_count);
    false
}
