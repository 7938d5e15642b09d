//! A rule's update written beside the old state instead of over it.
//!
//! A step that may be refused must be able to put the parameters and the state back. An
//! update in place needs a copy of both taken first: for Adam, three values per parameter
//! copied and three updated, every step. Adam, RMSprop and Adagrad wait on the divider
//! (a root and a quotient per parameter), so the stores of an update out of place fit in
//! its shadow. An update that reads the old state and writes
//! the new one into a second buffer leaves the old state as it was, so only the
//! parameters need a copy, which the same loop takes as it reads them; the optimizer
//! then swaps the two buffers (pointers, not values) if the step stands. Only the
//! crate's own rules take this path: the type below cannot be named outside the crate,
//! so no other code can call or implement it.

/// Step `t` of a rule on the whole parameter buffer (no groups), with the state read from
/// `state` and written to `new_state`, which has the same length.
pub struct OutOfPlace<'a, T> {
    /// The step number, from 1.
    pub(crate) t: u64,
    /// The learning rate in force.
    pub(crate) lr: T,
    /// The parameters, updated in place.
    pub(crate) params: &'a mut [T],
    /// Receives every parameter as it was before the step.
    pub(crate) saved_params: &'a mut [T],
    /// Their gradient.
    pub(crate) grads: &'a [T],
    /// The rule's state before the step, unchanged by it.
    pub(crate) state: &'a [T],
    /// Receives every value of the state after the step.
    pub(crate) new_state: &'a mut [T],
}
