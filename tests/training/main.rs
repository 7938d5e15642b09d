//! The training loop: epochs, `Trainer::fit`, the trainer's clipping and schedule,
//! batches run in chunks, and the same results on any number of threads.
//!
//! - `epochs`: every row once per epoch, batches as documented, reproducible.
//! - `fit`: early stopping, the observer, stopping from it, errors propagate.
//! - `full_batch_lbfgs`: L-BFGS fits a full batch in far fewer steps than Adam.
//! - `fit_metric`: a validation metric reported per epoch and monitored in mode Max.
//! - `trainer_clip_schedule`: the trainer's clipping and schedule equal doing them by hand.
//! - `chunked_batches`: a large batch's gradient is exactly the pairwise sum of its chunks'.
//! - `parallel` (feature `parallel`): bit-identical results on 1, 2 and 3 threads.

mod chunked_batches;
mod epochs;
mod fit;
mod fit_metric;
mod full_batch_lbfgs;
mod parallel;
mod trainer_clip_schedule;
