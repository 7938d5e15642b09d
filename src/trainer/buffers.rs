//! The buffers a training step works in, sized for the largest batch seen and reused.

use alloc::vec::Vec;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::model::Model;
use crate::optim::Undo;

/// Every buffer of a step and of a prediction. Once sized for the largest batch, a step
/// only shortens or lengthens them within their capacity: no allocation.
#[derive(Debug, Clone)]
pub(super) struct Buffers<T> {
    /// The outputs of the last step, `rows × output_len`.
    pub outputs: Vec<T>,
    /// `∂L/∂ŷ` for every output; scratch for the backward pass.
    pub output_grads: Vec<T>,
    /// The model's workspace; it only grows, so smaller batches and predictions fit.
    pub workspace: Vec<T>,
    /// The gradient, in the layout of the parameters.
    pub gradients: Vec<T>,
    /// Copies of the parameters and the optimizer state an undo puts back.
    pub undo: Undo<T>,
    /// The parameters an evaluating rule (L-BFGS) updates while its evaluations load
    /// other points into the model; empty for other rules.
    pub point: Vec<T>,
    /// `∂L/∂x` of the last [`input_gradients`](super::Trainer::input_gradients).
    pub input_grads: Vec<T>,
}

impl<T: Float> Buffers<T> {
    pub fn new() -> Self {
        Self {
            outputs: Vec::new(),
            output_grads: Vec::new(),
            workspace: Vec::new(),
            gradients: Vec::new(),
            undo: Undo::new(),
            point: Vec::new(),
            input_grads: Vec::new(),
        }
    }

    /// The values held, for [`memory_bytes`](super::Trainer::memory_bytes).
    pub fn len(&self) -> usize {
        let buffers = [
            &self.outputs,
            &self.output_grads,
            &self.workspace,
            &self.gradients,
            &self.point,
            &self.input_grads,
        ];
        buffers.iter().map(|b| b.len()).sum::<usize>() + self.undo.len()
    }

    /// Sizes the outputs, their gradients and the workspace for a step on `rows` rows.
    pub fn fit<M: Model<T>>(&mut self, model: &M, rows: usize) -> Result<(), Error> {
        let outputs = outputs_len(model, rows)?;
        resize(&mut self.outputs, outputs, Quantity::Input)?;
        resize(&mut self.output_grads, outputs, Quantity::Input)?;
        grow(&mut self.workspace, model.workspace_len(rows))
    }

    /// Whether [`fit`](Self::fit) would change nothing.
    #[inline]
    pub fn fits<M: Model<T>>(&self, model: &M, rows: usize) -> bool {
        let outputs = rows.checked_mul(model.output_len());
        outputs == Some(self.outputs.len())
            && self.output_grads.len() == self.outputs.len()
            && self.workspace.len() >= model.workspace_len(rows)
    }

    /// Sizes the workspace for a prediction on `rows` rows.
    pub fn fit_workspace<M: Model<T>>(&mut self, model: &M, rows: usize) -> Result<(), Error> {
        grow(&mut self.workspace, model.workspace_len(rows))
    }
}

/// `rows × output_len`, or [`Error::TooLarge`] if that overflows.
pub(super) fn outputs_len<T: Float, M: Model<T>>(model: &M, rows: usize) -> Result<usize, Error> {
    rows.checked_mul(model.output_len()).ok_or(Error::TooLarge {
        what: Quantity::Input,
    })
}

/// Makes `buffer` hold `len` values, new ones zero; [`Error::TooLarge`] about `what`
/// where growing it would need more memory than the allocator gives, instead of an
/// abort.
pub(super) fn resize<T: Float>(
    buffer: &mut Vec<T>,
    len: usize,
    what: Quantity,
) -> Result<(), Error> {
    reserve(buffer, len, what)?;
    buffer.resize(len, T::zero());
    Ok(())
}

/// Makes room for `len` values in `buffer` (its length unchanged), or [`Error::TooLarge`]
/// about `what` where the allocator refuses: for buffers filled later, in a loop that
/// must not abort half-way.
pub(super) fn reserve<E>(buffer: &mut Vec<E>, len: usize, what: Quantity) -> Result<(), Error> {
    if len > buffer.len() {
        buffer
            .try_reserve_exact(len - buffer.len())
            .map_err(|_| Error::TooLarge { what })?;
    }
    Ok(())
}

/// Lengthens the workspace to `len` values if it is shorter; never shortens it.
fn grow<T: Float>(workspace: &mut Vec<T>, len: usize) -> Result<(), Error> {
    if workspace.len() < len {
        resize(workspace, len, Quantity::Input)?;
    }
    Ok(())
}
