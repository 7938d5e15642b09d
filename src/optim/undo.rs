//! What a refused step puts back.

use alloc::vec::Vec;

/// The parameters and the optimizer's state as they were before a step, which the
/// [`Optimizer`](super::Optimizer) puts back if the step is refused. The trainer keeps it
/// between steps with its vectors sized for the model and the state, so that taking the
/// copies allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Undo<T> {
    /// The parameters before the step.
    pub(crate) params: Vec<T>,
    /// The state before the step; for a rule that updates out of place (see
    /// [`OutOfPlace`](super::OutOfPlace)), the buffer its new state is written to, which
    /// then becomes the state while the old one waits here for the next step.
    pub(crate) state: Vec<T>,
}

impl<T: Copy> Undo<T> {
    /// No copies yet.
    pub(crate) fn new() -> Self {
        Self {
            params: Vec::new(),
            state: Vec::new(),
        }
    }

    /// The values held.
    pub(crate) fn len(&self) -> usize {
        self.params.len() + self.state.len()
    }

    /// Replaces the copies by `params` and `state`, within the vectors' capacity if the
    /// trainer sized them.
    #[inline]
    pub(crate) fn take(&mut self, params: &[T], state: &[T]) {
        copy_into(&mut self.params, params);
        copy_into(&mut self.state, state);
    }

    /// Whether the copies are as long as `params` and `state` values: the buffers an
    /// update out of place writes into.
    #[inline]
    pub(crate) fn fits(&self, params: usize, state: usize) -> bool {
        self.params.len() == params && self.state.len() == state
    }
}

/// Makes `copy` hold `values`: none or one value without a `memcpy` call, which costs
/// more than the copy of a one-weight model (or of a rule without state).
#[inline]
fn copy_into<T: Copy>(copy: &mut Vec<T>, values: &[T]) {
    copy.clear();
    match values {
        [] => {}
        [value] => copy.push(*value),
        _ => copy.extend_from_slice(values),
    }
}
