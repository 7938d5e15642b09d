//! The one-sample step of a model with one parameter and one output (the lecture's
//! neuron), in local values.
//!
//! The general step hands the output, `∂L/∂ŷ` and the gradient from stage to stage
//! through the trainer's buffers, heap memory of lengths the compiler does not know: each
//! hand-over is a store and a load on the step's chain of dependent operations, about
//! nine cycles each on the Zen 3, where the lecture's whole update is about 27. Here the
//! same stages run on arrays of one value, which stay in registers, and the update comes
//! back as a value (`Optimizer::step_one`); the buffers get copies beside the chain. The
//! same calls on the same values: the same bits, which `tests/exact` checks against the
//! general step.

use num_traits::Float;

use super::clip_and_schedule::Clipping;
use super::{diverged, Passes, Step, Trainer};
use crate::error::{Error, Quantity};
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::UpdateRule;

impl<M, L, R, T> Trainer<M, L, R, T>
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    R: UpdateRule<T>,
{
    /// The step on one sample in local values if the model has one parameter, one
    /// output and at most one workspace value per row, with no clipping and an optimizer
    /// without state or groups; else `None`, having done nothing. The buffers are
    /// prepared for one row.
    #[inline(always)]
    pub(super) fn step_in_registers(
        &mut self,
        input: &[T],
        target: &[T],
    ) -> Option<Result<Step<T>, Error>> {
        let fits = self.model.params().len() == 1
            && self.model.output_len() == 1
            && self.model.workspace_len(1) <= 1
            && matches!(self.clipping, Clipping::Off)
            && !self.optimizer.rule.evaluates()
            && self.optimizer.steps_one();
        fits.then(|| self.step_one_parameter(input, target))
    }

    /// [`step_in_registers`](Self::step_in_registers) once it fits.
    #[inline(always)]
    fn step_one_parameter(&mut self, input: &[T], target: &[T]) -> Result<Step<T>, Error> {
        let (mut output, mut output_grad, mut grad) = ([T::zero()], [T::zero()], [T::zero()]);
        let mut workspace = [T::zero()];
        let mut passes = Passes {
            outputs: &mut output,
            output_grads: &mut output_grad,
            workspace: &mut workspace[..self.model.workspace_len(1)],
        };
        let loss = passes.evaluate(&self.model, &self.loss, input, target, &mut grad, None);
        let [grad] = grad;
        self.buffers.outputs.copy_from_slice(&output);
        self.buffers.gradients.copy_from_slice(&[grad]);
        if !loss.is_finite() {
            return Err(diverged(self.steps, Quantity::Loss));
        }
        if !grad.is_finite() {
            return Err(diverged(self.steps, Quantity::Gradient));
        }
        let [param] = self.model.params_mut() else {
            // a model whose `params_mut` disagrees with `params`
            return Err(Error::LengthMismatch {
                what: Quantity::Parameters,
                expected: 1,
                actual: self.model.params_mut().len(),
            });
        };
        self.optimizer
            .step_one(param, grad)
            .map_err(|what| diverged(self.steps, what))?;
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        Ok(Step {
            loss,
            evaluations: 1,
        })
    }
}
