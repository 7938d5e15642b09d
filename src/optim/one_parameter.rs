//! A rule's update of a single parameter, returned as a value.
//!
//! A trainer's one-sample step on a model with one parameter (the lecture's neuron) runs
//! in local values (src/trainer/in_registers.rs), so that the gradient and the updated
//! weight stay in registers. The general update writes through a slice; where a rule
//! has paths the compiler cannot see into (its options, out of line), the slice's value
//! goes to memory and back, a store and a load on the step's chain of dependent
//! operations. A rule that knows its update is plain returns it instead. Only the crate's
//! rules take this path: the type below cannot be named outside the crate, so no other
//! code can call or implement it.

/// Step `t` of a rule without state, on one parameter.
pub struct OneParameter<T> {
    /// The step number, from 1.
    pub(crate) t: u64,
    /// The learning rate in force.
    pub(crate) lr: T,
    /// The parameter before the step.
    pub(crate) param: T,
    /// Its gradient.
    pub(crate) grad: T,
}
