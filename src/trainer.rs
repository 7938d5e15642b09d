//! The training loop's one step: forward, loss, backward, update.

mod clip_and_schedule;
mod hooks;
mod resume;
mod state_fit;
mod undo;

use alloc::vec::Vec;
use core::marker::PhantomData;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::loss::Loss;
use crate::model::{batch_len, check_rows, ensure_finite, Model, StepBuffers};
use crate::optim::Optimizer;
use clip_and_schedule::{Clipping, LrPolicy};
use hooks::TrainerHooks;
use state_fit::fit_state;
use undo::Undo;

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
    undo: Undo<T>,
    /// The optimizer's state length for the current model, checked before each step.
    state_len: usize,
    inference: Vec<T>,
    batch: BatchShape<T>,
    /// The batch size the buffers are sized for; 0 when they must be checked again.
    sized_rows: usize,
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
            undo: Undo::new(),
            state_len,
            inference: Vec::new(),
            batch: BatchShape::unknown(),
            sized_rows: 0,
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
    #[inline]
    pub fn step(&mut self, input: &[T], target: &[T]) -> Result<Step<T>, Error> {
        // A model without inputs is refused when the buffers are sized for it.
        if input.len() != self.model.input_len() {
            return Err(not_one_sample(input, self.model.input_len()));
        }
        self.step_rows(input, target, 1)
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
    #[inline]
    pub fn step_batch(&mut self, inputs: &[T], targets: &[T]) -> Result<Step<T>, Error> {
        let rows = self.batch_rows(inputs)?;
        self.step_rows(inputs, targets, rows)
    }

    /// A step on `inputs` known to hold `rows` whole rows.
    ///
    /// Always inlined, so [`step`](Self::step), which passes a literal 1, gets a copy of
    /// its own without everything only a larger batch needs (shared with `step_batch`, a
    /// step of one row would pay for the batch's paths).
    #[inline(always)]
    fn step_rows(&mut self, inputs: &[T], targets: &[T], rows: usize) -> Result<Step<T>, Error> {
        check_rows(&self.model, &self.loss, rows, inputs, targets)?;
        self.fit_buffers(rows)?;
        // The rest works on the fields themselves, borrowed apart: the model runs its
        // passes with the trainer's loss and update (the hooks, over the other fields)
        // inside them.
        let Self {
            model,
            loss,
            optimizer,
            prediction,
            output_grads,
            workspace,
            gradients,
            undo,
            clipping,
            grad_norm,
            batch,
            steps,
            ..
        } = self;
        let hooks = TrainerHooks {
            loss,
            targets,
            rows,
            batch,
            width: model.output_len(),
            optimizer,
            undo,
            clipping: *clipping,
            grad_norm,
            step: *steps,
        };
        let buffers = StepBuffers {
            outputs: prediction,
            output_grads,
            workspace,
            grads: gradients,
        };
        let mean = model.train_step(inputs, buffers, hooks)?;
        *steps = steps.saturating_add(1); // a restored count may be u64::MAX
        Ok(Step { loss: mean })
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
        grow(&mut self.workspace, self.model.workspace_len(batch));
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
        self.forget_sizes();
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
        self.forget_sizes();
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

    /// The bytes of the values the trainer holds in its buffers, by their lengths.
    ///
    /// Counts the model's parameters, the gradient, the optimizer's state, the model's
    /// workspace, the outputs and their gradients, the undo copies and the output
    /// buffer of [`predict`](Self::predict); not the few bytes of bookkeeping beside
    /// them (vector headers, a network's list of layers). Buffers are sized for the
    /// largest batch seen and the workspace never shrinks, so after a step on the largest
    /// batch this is the training loop's peak.
    ///
    /// # Math
    ///
    /// With `P` parameters, `S` optimizer state values, the largest batch `B` of a model
    /// with `out` outputs, and `W(B) = model.workspace_len(B)`:
    ///
    /// ```text
    /// bytes = size_of::<T>() · (P + P + S + W(B) + 2·B·out + U + I)
    /// U = 0 for an optimizer that predicts its update (Sgd), else P + S  (undo copies)
    /// I = rows·out of the last predict, else 0
    /// ```
    ///
    /// ```
    /// use backprop::{Adam, Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut sgd = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
    /// sgd.step(&[1.2], &[0.4])?;
    /// assert_eq!(sgd.memory_bytes(), 8 * (1 + 1 + 0 + 1 + 2)); // f64: P, grad, W, ŷ, ∂L/∂ŷ
    ///
    /// let mut adam = Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1))?;
    /// adam.step(&[1.2], &[0.4])?;
    /// assert_eq!(adam.memory_bytes(), 8 * (1 + 1 + 2 + 1 + 2 + 3)); // + m, v and the undo
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn memory_bytes(&self) -> usize {
        let values = [
            self.model.params().len(),
            self.gradients.len(),
            self.optimizer.state().len(),
            self.workspace.len(),
            self.prediction.len(),
            self.output_grads.len(),
            self.undo.len(),
            self.inference.len(),
        ];
        values.iter().sum::<usize>() * core::mem::size_of::<T>()
    }

    /// How many steps have been applied.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Makes the next step measure its batch and check every buffer's size again: the
    /// model or the optimizer may be changed through the `&mut` just handed out.
    fn forget_sizes(&mut self) {
        self.batch = BatchShape::unknown();
        self.sized_rows = 0;
    }

    /// The rows of `inputs`, from the cached shape when the size is the last one seen:
    /// an integer division and a float division saved on every step of a steady batch.
    #[inline]
    fn batch_rows(&mut self, inputs: &[T]) -> Result<usize, Error> {
        if inputs.len() == self.batch.values {
            return Ok(self.batch.rows);
        }
        self.measure_batch(inputs)
    }

    /// Computes and caches the shape of a batch of a new size.
    #[inline(never)]
    fn measure_batch(&mut self, inputs: &[T]) -> Result<usize, Error> {
        let input_len = self.model.input_len();
        let rows = batch_len(inputs, input_len, Quantity::Input)?;
        let count = T::from(rows).ok_or(Error::LengthMismatch {
            what: Quantity::Input,
            expected: input_len,
            actual: inputs.len(),
        })?;
        self.batch = BatchShape {
            values: inputs.len(),
            rows,
            count,
            inv_count: T::one() / count,
        };
        Ok(rows)
    }

    /// Sizes the buffers for `batch` rows; this allocates only for a batch larger than
    /// any before, or after the model was replaced.
    ///
    /// Only a new batch size, or a model or optimizer handed out mutably since, gets past
    /// the first comparison.
    ///
    /// Fails, before any change to the model, if the optimizer's state does not fit
    /// (see [`fit_state`]).
    #[inline]
    fn fit_buffers(&mut self, batch: usize) -> Result<(), Error> {
        if self.sized_rows != batch {
            self.resize_buffers(batch)?;
        }
        Ok(())
    }

    /// `fit_buffers`' slow path. The workspace only grows (a model accepts a longer
    /// one), so `predict` and steps on smaller batches never shrink it.
    #[inline(never)]
    fn resize_buffers(&mut self, batch: usize) -> Result<(), Error> {
        if self.model.input_len() == 0 {
            // A model replaced by one without inputs: its only batch is the empty one.
            return Err(Error::EmptyBatch);
        }
        let outputs = batch * self.model.output_len();
        self.prediction.resize(outputs, T::zero());
        self.output_grads.resize(outputs, T::zero());
        grow(&mut self.workspace, self.model.workspace_len(batch));
        let param_len = self.model.params().len();
        if self.gradients.len() != param_len {
            self.gradients.resize(param_len, T::zero());
            self.optimizer.reset();
        }
        if self.optimizer.step_count() == 0 || self.optimizer.state().len() != self.state_len {
            // A first step, a replaced model or an optimizer changed by hand: size its
            // state now, not inside its step, so the undo buffers have their final size
            // before it and a misfit is an error rather than the optimizer's panic.
            self.state_len = fit_state(&mut self.optimizer, param_len)?;
        }
        self.sized_rows = batch;
        Ok(())
    }
}

/// The error of a step given an input of the wrong length.
#[cold]
fn not_one_sample<T>(input: &[T], input_len: usize) -> Error {
    Error::LengthMismatch {
        what: Quantity::Input,
        expected: input_len,
        actual: input.len(),
    }
}

/// The error of a step refused because it would have left the finite numbers.
#[cold]
fn diverged(step: u64, what: Quantity) -> Error {
    Error::Diverged { step, what }
}

/// The shape of the last batch size seen, with the float constants its mean needs.
#[derive(Debug, Clone, Copy)]
struct BatchShape<T> {
    /// `inputs.len()` it was measured for; `usize::MAX` (no slice's length) for none.
    values: usize,
    /// Samples in the batch.
    rows: usize,
    /// `rows` as a `T`.
    count: T,
    /// `1 / rows`.
    inv_count: T,
}

impl<T: Float> BatchShape<T> {
    fn unknown() -> Self {
        Self {
            values: usize::MAX,
            rows: 0,
            count: T::one(),
            inv_count: T::one(),
        }
    }
}

/// Lengthens `buffer` to `len` values if it is shorter; never shortens it.
fn grow<T: Float>(buffer: &mut Vec<T>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, T::zero());
    }
}
