//! The training loop's one step: forward, loss, backward, update.

mod clip_and_schedule;
mod resume;
mod state_fit;

use alloc::vec::Vec;
use core::marker::PhantomData;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::loss::Loss;
use crate::model::{batch_len, ensure_finite, Model};
use crate::optim::Optimizer;
use clip_and_schedule::{Clipping, LrPolicy};
use state_fit::fit_state;

/// What one training step reports.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Step<T> {
    /// The loss before the update: for a batch, the mean over its samples.
    pub loss: T,
}

/// A model, a loss and an optimizer, trained one step at a time.
///
/// The trainer owns every buffer a step needs (outputs, loss gradients, the model's
/// workspace, the parameter gradient) and reuses them: once it has seen its largest
/// batch, a step allocates nothing.
///
/// Every step is checked: inputs and targets of the wrong length or holding NaN or
/// infinity are refused with an [`Error`], and so is a step whose loss, gradient or
/// updated parameters would not be finite ([`Error::Diverged`]). A refused step leaves
/// the model and the optimizer exactly as they were.
///
/// Optional pieces compose by value after [`new`](Self::new): gradient clipping
/// ([`clip_grad_norm`](Self::clip_grad_norm), [`clip_grad_value`](Self::clip_grad_value))
/// and a learning-rate schedule applied at [`end_epoch`](Self::end_epoch)
/// ([`schedule`](Self::schedule), [`reduce_lr_on_plateau`](Self::reduce_lr_on_plateau)).
/// Each takes the trainer by value and hands it back, or an error for a value out of
/// range. Clipping acts on the flat gradient after backward and before the optimizer; the
/// schedule acts only at `end_epoch`, so a step costs the clipping's one or two passes over
/// the gradient and still allocates nothing.
///
/// ```
/// use backprop::{CosineAnnealingLr, Mse, Neuron, Optimizer, Sgd, Trainer};
///
/// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?
///     .clip_grad_norm(1.0)?
///     .schedule(CosineAnnealingLr::new(10, 0.0))?;
/// for _epoch in 0..10 {
///     trainer.step(&[1.2], &[0.4])?;
///     trainer.end_epoch(None)?;
/// }
/// assert_eq!(trainer.optimizer().learning_rate(), 0.0); // annealed to eta_min
/// # Ok::<(), backprop::Error>(())
/// ```
///
/// # Example: the lecture
///
/// ```
/// use backprop::{Mse, Neuron, Sgd, Trainer};
///
/// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
/// let step = trainer.step(&[1.2], &[0.4])?;
/// assert_eq!(step.loss, 0.19359999999999997); // (0.84 − 0.4)²
/// assert_eq!(trainer.prediction(), &[0.84]);
/// assert_eq!(trainer.gradients(), &[2.0 * (0.84 - 0.4) * 1.2]); // dL/dw = 2(a − y)·x
/// assert_eq!(trainer.model().weights(), &[0.5943999999999999]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Trainer<M, L, O, T> {
    model: M,
    loss: L,
    optimizer: O,
    prediction: Vec<T>,
    output_grads: Vec<T>,
    workspace: Vec<T>,
    gradients: Vec<T>,
    backup: Vec<T>,
    state_backup: Vec<T>,
    /// The optimizer's state length for the current model, checked before each step.
    state_len: usize,
    inference: Vec<T>,
    steps: u64,
    clipping: Clipping<T>,
    grad_norm: Option<T>,
    lr_policy: LrPolicy<T>,
    scalar: PhantomData<T>,
}

impl<M, L, O, T> Trainer<M, L, O, T>
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    O: Optimizer<T>,
{
    /// Composes a model, a loss and an optimizer, checking them once, up front.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if the loss or the optimizer refuses its
    /// hyper-parameters,
    /// [`Error::NonFinite`] if a parameter or (for an optimizer that has stepped) a state
    /// value is NaN or infinite, and [`Error::LengthMismatch`] for a model without inputs
    /// or outputs, or for an optimizer that has stepped with a state that does not fit
    /// the model's parameters ([`Quantity::OptimizerState`]).
    pub fn new(model: M, loss: L, mut optimizer: O) -> Result<Self, Error> {
        optimizer.validate()?;
        loss.validate()?;
        for (what, len) in [
            (Quantity::Input, model.input_len()),
            (Quantity::Target, model.output_len()),
        ] {
            if len == 0 {
                return Err(Error::LengthMismatch {
                    what,
                    expected: 1,
                    actual: 0,
                });
            }
        }
        ensure_finite(model.params(), Quantity::Parameters)?;
        let param_len = model.params().len();
        let state_len = fit_state(&mut optimizer, param_len)?;
        ensure_finite(optimizer.state(), Quantity::OptimizerState)?;
        Ok(Self {
            model,
            loss,
            optimizer,
            prediction: Vec::new(),
            output_grads: Vec::new(),
            workspace: Vec::new(),
            gradients: alloc::vec![T::zero(); param_len],
            backup: alloc::vec![T::zero(); param_len],
            state_backup: alloc::vec![T::zero(); state_len],
            state_len,
            inference: Vec::new(),
            steps: 0,
            clipping: Clipping::Off,
            grad_norm: None,
            lr_policy: LrPolicy::Constant,
            scalar: PhantomData,
        })
    }

    /// One step of gradient descent on one sample.
    ///
    /// # Errors
    ///
    /// As [`step_batch`](Self::step_batch), with a batch of one.
    pub fn step(&mut self, input: &[T], target: &[T]) -> Result<Step<T>, Error> {
        if input.len() != self.model.input_len() {
            return Err(Error::LengthMismatch {
                what: Quantity::Input,
                expected: self.model.input_len(),
                actual: input.len(),
            });
        }
        self.step_batch(input, target)
    }

    /// One step of gradient descent on the mean loss of a batch.
    ///
    /// `inputs` holds the samples row-major (`batch × input_len`), `targets` likewise
    /// (`batch × output_len`). The loss and its gradient are the mean over the rows, as
    /// PyTorch's `reduction='mean'`.
    ///
    /// # Math
    ///
    /// ```text
    /// L = (1/B) Σ_b loss(ŷ_b, y_b)      ∂L/∂ŷ_b = (1/B) ∂loss/∂ŷ_b
    /// g = clip(∂L/∂θ)                   (only with clip_grad_norm / clip_grad_value)
    /// θ ← optimizer(θ, g)
    /// ```
    ///
    /// # Errors
    ///
    /// Nothing changes in the model or the optimizer when this returns an error:
    /// - [`Error::EmptyBatch`] for no samples;
    /// - [`Error::LengthMismatch`] if `inputs` is not whole rows or `targets` does not
    ///   match it;
    /// - [`Error::NonFinite`] for a NaN or infinite input or target;
    /// - [`Error::Diverged`] if the loss, the gradient or an updated parameter would be
    ///   NaN or infinite;
    /// - [`Error::LengthMismatch`] on [`Quantity::OptimizerState`] if the optimizer was
    ///   changed by hand (through [`optimizer_mut`](Self::optimizer_mut)) to claim steps
    ///   with a state that does not fit the model. The model is untouched; the optimizer,
    ///   whose state was unusable, is left reset, so the next step starts it afresh.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut trainer = Trainer::new(Neuron::from_weights(vec![0.0, 0.0]), Mse, Sgd::new(0.1))?;
    /// let inputs = [1.0, 0.0, /* second sample */ 0.0, 1.0];
    /// let step = trainer.step_batch(&inputs, &[1.0, 3.0])?;
    /// assert_eq!(step.loss, 5.0); // ((0 − 1)² + (0 − 3)²) / 2
    /// assert_eq!(trainer.gradients(), &[-1.0, -3.0]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn step_batch(&mut self, inputs: &[T], targets: &[T]) -> Result<Step<T>, Error> {
        let batch = self.check_batch(inputs, targets)?;
        self.fit_buffers(batch)?;
        let loss = self.forward_and_loss(inputs, targets, batch)?;
        self.model.backward(
            inputs,
            &self.prediction,
            &mut self.output_grads,
            &mut self.workspace,
            &mut self.gradients,
        );
        if self.gradients.iter().any(|g| !g.is_finite()) {
            return Err(self.diverged(Quantity::Gradient));
        }
        self.clip_gradients()?;
        self.update()?;
        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        Ok(Step { loss })
    }

    /// The outputs for a batch of inputs, computed in the trainer's reusable buffers.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`], [`Error::LengthMismatch`] for inputs that are not whole
    /// rows, [`Error::NonFinite`] for a NaN or infinite input.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut trainer = Trainer::new(Neuron::new(0.5), Mse, Sgd::new(0.1))?;
    /// assert_eq!(trainer.predict(&[2.0, 4.0])?, &[1.0, 2.0]); // two samples
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn predict(&mut self, inputs: &[T]) -> Result<&[T], Error> {
        let batch = batch_len(inputs, self.model.input_len(), Quantity::Input)?;
        ensure_finite(inputs, Quantity::Input)?;
        self.inference
            .resize(batch * self.model.output_len(), T::zero());
        self.workspace
            .resize(self.model.workspace_len(batch), T::zero());
        self.model
            .forward(inputs, &mut self.inference, &mut self.workspace);
        Ok(&self.inference)
    }

    /// The model being trained.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, mutable: to load parameters between steps.
    ///
    /// Replacing it by a model with another parameter count resets the optimizer's state
    /// at the next step.
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// Ends training and hands back the model.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The loss function.
    pub fn loss(&self) -> &L {
        &self.loss
    }

    /// The optimizer.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The optimizer, mutable: to change its learning rate between steps.
    pub fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    /// The outputs the last step computed before its update, row-major for a batch.
    pub fn prediction(&self) -> &[T] {
        &self.prediction
    }

    /// The gradient of the last step's loss, in the layout of the model's parameters.
    ///
    /// With [`clip_grad_norm`](Self::clip_grad_norm) or
    /// [`clip_grad_value`](Self::clip_grad_value) this is the clipped gradient the
    /// optimizer used, as PyTorch's `.grad` after clipping.
    pub fn gradients(&self) -> &[T] {
        &self.gradients
    }

    /// How many steps have been applied.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The batch size of well-formed, finite `inputs` and `targets`.
    fn check_batch(&self, inputs: &[T], targets: &[T]) -> Result<usize, Error> {
        let batch = batch_len(inputs, self.model.input_len(), Quantity::Input)?;
        let expected = batch * self.model.output_len();
        if targets.len() != expected {
            return Err(Error::LengthMismatch {
                what: Quantity::Target,
                expected,
                actual: targets.len(),
            });
        }
        ensure_finite(inputs, Quantity::Input)?;
        ensure_finite(targets, Quantity::Target)?;
        self.loss.check_targets(targets)?;
        Ok(batch)
    }

    /// Sizes the buffers for `batch` rows; this allocates only for a batch larger than
    /// any before, or after the model was replaced.
    ///
    /// Fails, before any change to the model, if the optimizer's state does not fit
    /// (see [`fit_state`]).
    fn fit_buffers(&mut self, batch: usize) -> Result<(), Error> {
        let outputs = batch * self.model.output_len();
        self.prediction.resize(outputs, T::zero());
        self.output_grads.resize(outputs, T::zero());
        self.workspace
            .resize(self.model.workspace_len(batch), T::zero());
        let param_len = self.model.params().len();
        if self.gradients.len() != param_len {
            self.gradients.resize(param_len, T::zero());
            self.backup.resize(param_len, T::zero());
            self.optimizer.reset();
        }
        if self.optimizer.step_count() == 0 || self.optimizer.state().len() != self.state_len {
            // A first step, a replaced model or an optimizer changed by hand: size its
            // state now, not inside its step, so the undo buffer below has its final
            // size before it and a misfit is an error rather than the optimizer's panic.
            self.state_len = fit_state(&mut self.optimizer, param_len)?;
        }
        if self.state_backup.len() < self.state_len {
            self.state_backup.resize(self.state_len, T::zero());
        }
        Ok(())
    }

    /// Runs the forward pass and the loss; leaves `∂L/∂ŷ` in `output_grads`.
    fn forward_and_loss(&mut self, inputs: &[T], targets: &[T], batch: usize) -> Result<T, Error> {
        self.model
            .forward(inputs, &mut self.prediction, &mut self.workspace);
        let out = self.model.output_len();
        let mut total = T::zero();
        for ((p, y), g) in self
            .prediction
            .chunks_exact(out)
            .zip(targets.chunks_exact(out))
            .zip(self.output_grads.chunks_exact_mut(out))
        {
            total = total + self.loss.gradient(p, y, g);
        }
        let rows = T::from(batch).ok_or(Error::LengthMismatch {
            what: Quantity::Input,
            expected: self.model.input_len(),
            actual: inputs.len(),
        })?;
        let mean = total / rows;
        if !mean.is_finite() {
            return Err(self.diverged(Quantity::Loss));
        }
        let inv_rows = T::one() / rows;
        self.output_grads
            .iter_mut()
            .for_each(|g| *g = *g * inv_rows);
        Ok(mean)
    }

    /// Applies the optimizer; if that made a parameter non-finite, puts the parameters,
    /// the optimizer's state and its step count back as they were.
    ///
    /// The copies go into buffers sized once (see `fit_buffers`), so the undo costs one
    /// copy of the parameters and the state per step and never allocates.
    fn update(&mut self) -> Result<(), Error> {
        self.backup.copy_from_slice(self.model.params());
        let state = self.optimizer.state();
        self.state_backup[..state.len()].copy_from_slice(state);
        let state_len = state.len();
        let step_count = self.optimizer.step_count();
        self.optimizer
            .step(self.model.params_mut(), &self.gradients);
        if self.model.params().iter().all(|p| p.is_finite()) {
            return Ok(());
        }
        self.model.params_mut().copy_from_slice(&self.backup);
        let state = self.optimizer.state_mut();
        if state.len() == state_len {
            state.copy_from_slice(&self.state_backup[..state_len]);
        }
        self.optimizer.set_step_count(step_count);
        Err(self.diverged(Quantity::Parameters))
    }

    fn diverged(&self, what: Quantity) -> Error {
        Error::Diverged {
            step: self.steps,
            what,
        }
    }
}
