//! One pass over a data set in mini-batches: PyTorch's `DataLoader` loop in one call.

use alloc::vec::Vec;
use num_traits::Float;

use super::buffers::reserve;
use super::{Step, Trainer};
use crate::cast::cast;
use crate::error::{check_positive_count, Error, Quantity};
use crate::loss::Loss;
use crate::model::{check_batch, Model};
use crate::optim::UpdateRule;
use crate::rng::{self, Stream};

/// Walks a data set in mini-batches, one [`Trainer::step_batch`] per batch.
///
/// The data set is row-major: `inputs` holds one sample per row, `targets` one target
/// row per sample. Each epoch cuts it into batches of `batch_size` rows, the last one
/// smaller if the rows do not divide evenly (PyTorch's `drop_last=False`), optionally in
/// a fresh seeded random order each epoch (`shuffle=True`). Shuffled rows are gathered
/// into buffers the helper keeps, so after the first epoch no batch allocates.
///
/// # Math
///
/// The epoch's loss is the mean of the batch losses weighted by their rows, which is the
/// mean over all samples of the loss each saw at its step:
///
/// ```text
/// loss_epoch = (1/N) Σ_batches rows_b · loss_b
/// ```
///
/// Shuffling is Fisher–Yates over `0..N` restarted from the identity each epoch: for
/// `i = N−1` down to `1`, swap position `i` with a position `j` uniform in `0..=i`.
/// `j` comes from one `Xoshiro256PlusPlus::seed_from_u64(seed)` stream that continues
/// from epoch to epoch, by Lemire's method: `j = ⌊x·(i+1) / 2⁶⁴⌋` for a draw `x: u64`,
/// redrawn while `x·(i+1) mod 2⁶⁴ < 2⁶⁴ mod (i+1)`, which makes every `j` exactly equally
/// likely. The same seed therefore gives the same orders, and the same training run, on
/// every platform.
///
/// To stop and resume a shuffled run bit for bit, keep the `Epochs` beside the
/// trainer's [`Checkpoint`](crate::Checkpoint): a clone, or with the `serde` feature its
/// serialized form (the batch size and the stream's four words of state; its buffers are
/// scratch and not saved).
///
/// # Example
///
/// ```
/// use backprop::{Activation, Epochs, Mse, Network, Sgd, Trainer};
///
/// let net = Network::builder(1).dense(1, Activation::Identity).seed(3).build()?;
/// let mut trainer = Trainer::new(net, Mse, Sgd::new(0.1))?;
/// let xs = [0.0, 0.5, 1.0, 1.5, 2.0];
/// let ys = [1.0, 2.0, 3.0, 4.0, 5.0]; // y = 2x + 1
/// let mut epochs = Epochs::new(2).shuffle(7); // batches of 2, 2 and 1 rows
/// let first = epochs.run(&mut trainer, &xs, &ys)?;
/// let mut last = first;
/// for _ in 0..300 {
///     last = epochs.run(&mut trainer, &xs, &ys)?;
/// }
/// assert!(last < 1e-6 * first);
/// assert_eq!(trainer.steps(), 301 * 3);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Epochs<T> {
    batch_size: usize,
    shuffle: Option<Stream>,
    order: Vec<usize>,
    batch_inputs: Vec<T>,
    batch_targets: Vec<T>,
}

impl<T: Float> Epochs<T> {
    /// Epochs in batches of `batch_size` rows, in the data set's order (checked by
    /// [`run`](Self::run)).
    pub fn new(batch_size: usize) -> Self {
        Self {
            batch_size,
            shuffle: None,
            order: Vec::new(),
            batch_inputs: Vec::new(),
            batch_targets: Vec::new(),
        }
    }

    /// Visits the rows in a new random order each epoch, drawn from `seed`.
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.shuffle = Some(rng::stream(seed));
        self
    }

    /// The number of rows per batch.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The rows of the epoch in the order they are visited (empty without shuffling,
    /// where the order is the data set's own).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Runs one epoch: one training step per mini-batch. Returns the epoch's mean loss.
    ///
    /// # Errors
    ///
    /// Before any step: [`Error::InvalidHyperparameter`] (`batch_size`) for a batch size
    /// of 0, [`Error::EmptyBatch`] for an empty data set, [`Error::LengthMismatch`] if the
    /// inputs are not whole rows or the targets do not match them, and
    /// [`Error::NonFinite`] for a NaN or infinite value, and whatever
    /// [`Loss::check_targets`] refuses. During the epoch: the first
    /// error of a step, which that step did not apply; the steps before it stay applied.
    pub fn run<M, L, O>(
        &mut self,
        trainer: &mut Trainer<M, L, O, T>,
        inputs: &[T],
        targets: &[T],
    ) -> Result<T, Error>
    where
        M: Model<T>,
        L: Loss<T>,
        O: UpdateRule<T>,
    {
        self.run_observed(trainer, inputs, targets, |_, _| true)
    }

    /// [`run`](Self::run), calling `after_step(batch_index, step)` after every step; the
    /// epoch ends early, after that step, when it returns `false`. Returns the mean loss
    /// over the rows stepped on.
    pub(crate) fn run_observed<M, L, O, F>(
        &mut self,
        trainer: &mut Trainer<M, L, O, T>,
        inputs: &[T],
        targets: &[T],
        mut after_step: F,
    ) -> Result<T, Error>
    where
        M: Model<T>,
        L: Loss<T>,
        O: UpdateRule<T>,
        F: FnMut(usize, Step<T>) -> bool,
    {
        self.check_batch_size()?;
        let rows = check_batch(trainer.model(), trainer.loss(), inputs, targets)?;
        let in_len = trainer.model().input_len();
        let out_len = trainer.loss().target_len(trainer.model().output_len());
        self.reserve(rows, in_len, out_len)?;
        self.draw_order(rows);
        let (mut total, mut seen) = (T::zero(), 0);
        // The same mean kept as a running average, which cannot overflow: used only if
        // the row-weighted sum does (batch losses near T::MAX).
        let mut running = T::zero();
        for (batch, start) in (0..rows).step_by(self.batch_size).enumerate() {
            let end = rows.min(start.saturating_add(self.batch_size));
            let step = if self.shuffle.is_some() {
                self.gather(start..end, inputs, in_len, targets, out_len);
                trainer.step_batch(&self.batch_inputs, &self.batch_targets)?
            } else {
                let x = &inputs[start * in_len..end * in_len];
                let y = &targets[start * out_len..end * out_len];
                trainer.step_batch(x, y)?
            };
            total = total + step.loss * cast(end - start);
            running = running + (step.loss - running) * (cast::<T>(end - start) / cast(end));
            seen = end;
            if !after_step(batch, step) {
                break;
            }
        }
        let mean = total / cast(seen);
        Ok(if mean.is_finite() { mean } else { running })
    }

    /// The data set's row count, after checking it as a whole.
    fn check_batch_size(&self) -> Result<(), Error> {
        check_positive_count("batch_size", self.batch_size)
    }

    /// Makes room for the shuffled order and one gathered batch before any step, so a
    /// data set too large to index is refused with [`Error::TooLarge`], never an abort.
    fn reserve(&mut self, rows: usize, in_len: usize, out_len: usize) -> Result<(), Error> {
        if self.shuffle.is_none() {
            return Ok(()); // batches are slices of the data, nothing is copied
        }
        let batch = rows.min(self.batch_size);
        reserve(&mut self.order, rows, Quantity::Input)?;
        reserve(
            &mut self.batch_inputs,
            batch.saturating_mul(in_len),
            Quantity::Input,
        )?;
        reserve(
            &mut self.batch_targets,
            batch.saturating_mul(out_len),
            Quantity::Target,
        )
    }

    /// Resets `order` to `0..rows` and shuffles it if asked to (Fisher–Yates).
    fn draw_order(&mut self, rows: usize) {
        let Some(stream) = self.shuffle.as_mut() else {
            return;
        };
        self.order.clear();
        self.order.extend(0..rows);
        for i in (1..rows).rev() {
            let j = rng::below(stream, i as u64 + 1) as usize;
            self.order.swap(i, j);
        }
    }

    /// Copies the rows `order[range]` into the batch buffers.
    fn gather(
        &mut self,
        range: core::ops::Range<usize>,
        inputs: &[T],
        in_len: usize,
        targets: &[T],
        out_len: usize,
    ) {
        self.batch_inputs.clear();
        self.batch_targets.clear();
        for &row in &self.order[range] {
            let x = &inputs[row * in_len..(row + 1) * in_len];
            let y = &targets[row * out_len..(row + 1) * out_len];
            self.batch_inputs.extend_from_slice(x);
            self.batch_targets.extend_from_slice(y);
        }
    }
}

/// A row count as a `T`; every float type represents a data set's row count (up to
/// rounding for huge counts in small types).
impl<T> Epochs<T> {
    /// The shuffling stream's state, `None` without shuffling (for serialization).
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn shuffle_stream(&self) -> Option<&Stream> {
        self.shuffle.as_ref()
    }

    /// Epochs resumed from a saved batch size and shuffling state.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn resumed(batch_size: usize, shuffle: Option<Stream>) -> Self {
        Self {
            batch_size,
            shuffle,
            order: Vec::new(),
            batch_inputs: Vec::new(),
            batch_targets: Vec::new(),
        }
    }
}
