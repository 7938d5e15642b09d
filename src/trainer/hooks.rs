//! The trainer's side of a step inside the model's passes: the mean loss, the checks,
//! the clipping and the guarded update.

use num_traits::Float;

use super::clip_and_schedule::Clipping;
use super::undo::{update, Undo};
use super::{diverged, BatchShape};
use crate::error::{Error, Quantity};
use crate::finite::all_finite;
use crate::loss::Loss;
use crate::model::StepHooks;
use crate::optim::Optimizer;

/// Everything [`StepHooks`] needs from the trainer for one step, borrowed field by field.
///
/// Its methods are `#[inline(always)]`: a model that keeps a sample in registers (a
/// [`Neuron`](crate::Neuron)) calls them from more than one place, and only inlined do
/// they let the gradient reach the optimizer without a round trip through memory.
pub(super) struct TrainerHooks<'a, T, L, O> {
    pub(super) loss: &'a L,
    pub(super) targets: &'a [T],
    /// Rows in the batch; `batch` describes them when there are several.
    pub(super) rows: usize,
    pub(super) batch: &'a BatchShape<T>,
    /// Outputs per row.
    pub(super) width: usize,
    pub(super) optimizer: &'a mut O,
    pub(super) undo: &'a mut Undo<T>,
    pub(super) clipping: Clipping<T>,
    pub(super) grad_norm: &'a mut Option<T>,
    /// The trainer's step count, for the error of a diverged step.
    pub(super) step: u64,
}

impl<T, L, O> StepHooks<T> for TrainerHooks<'_, T, L, O>
where
    T: Float,
    L: Loss<T>,
    O: Optimizer<T>,
{
    type Output = Result<T, Error>;

    /// The mean over the rows: one row's is its loss (a multiplication by 1 changes
    /// nothing); several rows take a call.
    #[inline(always)]
    fn loss(&mut self, outputs: &[T], output_grads: &mut [T]) -> T {
        match self.rows {
            1 => self.loss.gradient(outputs, self.targets, output_grads),
            _ => mean_loss_rows(
                self.loss,
                self.width,
                outputs,
                self.targets,
                output_grads,
                self.batch,
            ),
        }
    }

    /// Refuses a non-finite loss or gradient, clips, and applies the optimizer unless it
    /// would leave the finite numbers.
    #[inline(always)]
    fn update(self, loss: T, params: &mut [T], grads: &mut [T]) -> Result<T, Error> {
        let step = self.step;
        if !loss.is_finite() {
            return Err(diverged(step, Quantity::Loss));
        }
        if !all_finite(grads) {
            return Err(diverged(step, Quantity::Gradient));
        }
        if let Clipping::Off = self.clipping {
            // Without clipping the update follows the backward pass in straight-line code;
            // clipping takes a call of its own, so the two paths never merge in between.
            return finish(self.optimizer, params, grads, self.undo, loss, step);
        }
        self.clip_then_finish(loss, params, grads)
    }
}

impl<T, L, O> TrainerHooks<'_, T, L, O>
where
    T: Float,
    O: Optimizer<T>,
{
    /// The update after clipping, out of line (see [`StepHooks::update`] above).
    #[inline(never)]
    fn clip_then_finish(self, loss: T, params: &mut [T], grads: &mut [T]) -> Result<T, Error> {
        self.clipping.apply(grads, self.grad_norm)?;
        finish(self.optimizer, params, grads, self.undo, loss, self.step)
    }
}

/// The guarded update, then `loss` as the step's result.
#[inline(always)]
fn finish<T: Float, O: Optimizer<T>>(
    optimizer: &mut O,
    params: &mut [T],
    grads: &[T],
    undo: &mut Undo<T>,
    loss: T,
    step: u64,
) -> Result<T, Error> {
    if update(optimizer, params, grads, undo) {
        Ok(loss)
    } else {
        Err(diverged(step, Quantity::Parameters))
    }
}

/// The mean loss of a batch of several rows, with each row's `∂L/∂ŷ` scaled by the mean's
/// `1/B` right after the loss wrote it, while it is hot.
///
/// Rows are walked by splitting the slices, not by `chunks_exact`, which would divide by
/// `width` on every call; one-output models get a loop of their own.
#[inline(never)]
fn mean_loss_rows<T: Float, L: Loss<T>>(
    loss: &L,
    width: usize,
    prediction: &[T],
    targets: &[T],
    grads: &mut [T],
    batch: &BatchShape<T>,
) -> T {
    let scale = batch.inv_count;
    let mut total = T::zero();
    if width == 1 {
        for ((p, y), g) in prediction.iter().zip(targets).zip(grads.iter_mut()) {
            let one = |v| core::slice::from_ref(v);
            total = total + loss.gradient(one(p), one(y), core::slice::from_mut(g));
            *g = *g * scale;
        }
        return total / batch.count;
    }
    let (mut p_rest, mut y_rest, mut g_rest) = (prediction, targets, grads);
    while width > 0 && p_rest.len() >= width && y_rest.len() >= width && g_rest.len() >= width {
        let (p, p_tail) = p_rest.split_at(width);
        let (y, y_tail) = y_rest.split_at(width);
        let (g, g_tail) = core::mem::take(&mut g_rest).split_at_mut(width);
        total = total + loss.gradient(p, y, g);
        g.iter_mut().for_each(|g| *g = *g * scale);
        (p_rest, y_rest, g_rest) = (p_tail, y_tail, g_tail);
    }
    total / batch.count
}
