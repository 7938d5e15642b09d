//! A model lifted to dual numbers, with the buffers of one forward and backward pass.

use alloc::vec::Vec;
use num_traits::Float;

use super::{filled, product};
use crate::error::{Error, Quantity};
use crate::model::Model;

/// The lifted model and its inputs, outputs, output gradients, workspace and parameter
/// gradient, sized for one batch: what a Hessian-vector product and input jets share.
pub(super) struct LiftedPass<D, L> {
    pub(super) model: L,
    pub(super) inputs: Vec<D>,
    pub(super) outputs: Vec<D>,
    pub(super) output_grads: Vec<D>,
    pub(super) workspace: Vec<D>,
    pub(super) grads: Vec<D>,
}

impl<D: Float, L: Model<D>> LiftedPass<D, L> {
    /// The buffers of `model` for batches of `batch` rows.
    pub(super) fn new(model: L, batch: usize) -> Result<Self, Error> {
        let zero = D::zero();
        let inputs = product(batch, model.input_len(), Quantity::Input)?;
        let outputs = product(batch, model.output_len(), Quantity::Input)?;
        Ok(Self {
            inputs: filled(inputs, zero, Quantity::Input)?,
            outputs: filled(outputs, zero, Quantity::Input)?,
            output_grads: filled(outputs, zero, Quantity::Input)?,
            workspace: filled(model.workspace_len(batch), zero, Quantity::Input)?,
            grads: filled(model.params().len(), zero, Quantity::Gradient)?,
            model,
        })
    }

    /// Whether the buffers fit a batch of `inputs` values for `params` parameters.
    pub(super) fn fits(&self, inputs: usize, params: usize) -> bool {
        self.inputs.len() == inputs && self.grads.len() == params
    }

    /// Sets the lifted model's parameters, in their layout.
    pub(super) fn set_params(&mut self, params: impl Iterator<Item = D>) {
        for (lifted, theta) in self.model.params_mut().iter_mut().zip(params) {
            *lifted = theta;
        }
    }

    /// The forward pass over the whole batch in `inputs`.
    pub(super) fn forward(&mut self) {
        let rows = self.inputs.len() / self.model.input_len();
        let ws = &mut self.workspace[..self.model.workspace_len(rows)];
        self.model.forward(&self.inputs, &mut self.outputs, ws);
    }

    /// The backward pass from `output_grads` (used up) into `grads`.
    pub(super) fn backward(&mut self) {
        let rows = self.inputs.len() / self.model.input_len();
        let ws = &mut self.workspace[..self.model.workspace_len(rows)];
        let (x, y_hat) = (&self.inputs, &self.outputs);
        let (g, grads) = (&mut self.output_grads, &mut self.grads);
        self.model.backward(x, y_hat, g, ws, grads, None);
    }
}
