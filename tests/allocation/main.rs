//! Memory: no heap allocation per training step after the warm-up (counted on the
//! current thread by allocation-counter), and `Trainer::memory_bytes` against the layout
//! worked out by hand.
//!
//! - `no_alloc`: the lecture's step allocates nothing after its first.
//! - `network_no_alloc`: a network's step and an epoch allocate nothing once warmed up.
//! - `no_alloc_everything`: every model, loss and optimizer, with clipping, schedules,
//!   varying batch sizes and a rolled-back step.
//! - `memory`: `Trainer::memory_bytes` for the W3 and W4 workloads.
//! - `derivatives_no_alloc`: Hessian-vector products and input jets with their buffers.

mod derivatives_no_alloc;
mod memory;
mod network_no_alloc;
mod no_alloc;
mod no_alloc_everything;
