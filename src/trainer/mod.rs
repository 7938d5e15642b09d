//! The training loop: one step, then epochs, fitting, clipping, schedules and
//! checkpoints around it.

mod buffers;
mod checkpoint;
mod classify;
mod clip;
mod clip_and_schedule;
mod epochs;
#[cfg(feature = "serde")]
mod file;
mod fit;
mod in_registers;
mod resume;

pub use checkpoint::Checkpoint;
pub use clip::{clip_grad_norm, clip_grad_value};
pub use epochs::Epochs;
pub use fit::{Control, EarlyStopping, Event, Fit, FitSummary, Metric, StopReason, Verdict};

use alloc::vec::Vec;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::finite::{ensure_finite, first_non_finite};
use crate::loss::{mean_loss_and_gradient, Loss};
use crate::model::{batch_len, check_batch, check_rows, Model};
use crate::optim::{Objective, Optimizer, UpdateRule};
use buffers::Buffers;
use clip_and_schedule::{Clipping, LrPolicy};

/// What one training step reports.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Step<T> {
    /// The loss before the update: for a batch, the mean over its samples.
    pub loss: T,
    /// How many times the step evaluated the loss and its gradient: 1, except for a
    /// rule that evaluates again during its update ([`Lbfgs`](crate::Lbfgs)).
    pub evaluations: usize,
}

/// A model, a loss and an optimizer, trained one step at a time.
///
/// The trainer owns every buffer a step needs (outputs, loss gradients, the model's
/// workspace, the parameter gradient, the copies an undo needs) and reuses them: once it
/// has seen its largest batch, a step allocates nothing.
///
/// Every step is checked: inputs and targets of the wrong length or holding NaN or
/// infinity are refused with an [`Error`], and so is a step whose loss, gradient, updated
/// parameters or optimizer state would not be finite ([`Error::Diverged`]). A refused
/// step leaves the model and the optimizer exactly as they were.
///
/// Optional pieces compose by value after [`new`](Self::new): gradient clipping
/// ([`clip_grad_norm`](Self::clip_grad_norm), [`clip_grad_value`](Self::clip_grad_value))
/// and a learning-rate schedule applied at [`end_epoch`](Self::end_epoch)
/// ([`schedule`](Self::schedule), [`reduce_lr_on_plateau`](Self::reduce_lr_on_plateau)).
/// Each takes the trainer by value and hands it back, or an error for a value out of
/// range. Clipping acts on the flat gradient after backward and before the optimizer; the
/// schedule acts only at `end_epoch`.
///
/// ```
/// use backprop::{CosineAnnealingLr, Mse, Neuron, Sgd, Trainer};
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
pub struct Trainer<M, L, R, T> {
    model: M,
    loss: L,
    optimizer: Optimizer<T, R>,
    buffers: Buffers<T>,
    steps: u64,
    clipping: Clipping<T>,
    grad_norm: Option<T>,
    lr_policy: LrPolicy<T>,
}

impl<M, L, R, T> Trainer<M, L, R, T>
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    R: UpdateRule<T>,
{
    /// Composes a model, a loss and an optimizer, checking them once, up front.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if the loss or the optimizer refuses its
    /// hyper-parameters,
    /// [`Error::NonFinite`] if a parameter or (for an optimizer that has stepped) a state
    /// value is NaN or infinite, [`Error::NoInputs`] or [`Error::NoOutputs`] for a model
    /// without either, and [`Error::LengthMismatch`] for an optimizer that has stepped on
    /// another number of parameters ([`Quantity::OptimizerState`]).
    pub fn new(model: M, loss: L, mut optimizer: Optimizer<T, R>) -> Result<Self, Error> {
        optimizer.validate()?;
        loss.validate()?;
        if model.input_len() == 0 {
            return Err(Error::NoInputs);
        }
        if model.output_len() == 0 {
            return Err(Error::NoOutputs);
        }
        ensure_finite(model.params(), Quantity::Parameters)?;
        optimizer.fit_state(model.params().len())?;
        ensure_finite(optimizer.state(), Quantity::OptimizerState)?;
        let mut buffers = Buffers::new();
        buffers::resize(
            &mut buffers.gradients,
            model.params().len(),
            Quantity::Gradient,
        )?;
        Ok(Self {
            model,
            loss,
            optimizer,
            buffers,
            steps: 0,
            clipping: Clipping::Off,
            grad_norm: None,
            lr_policy: LrPolicy::Constant,
        })
    }

    /// One step of gradient descent on one sample.
    ///
    /// # Errors
    ///
    /// As [`step_batch`](Self::step_batch), and [`Error::LengthMismatch`] if `input` is
    /// not exactly one sample.
    #[inline]
    pub fn step(&mut self, input: &[T], target: &[T]) -> Result<Step<T>, Error> {
        if input.len() != self.model.input_len() {
            return Err(Error::LengthMismatch {
                what: Quantity::Input,
                expected: self.model.input_len(),
                actual: input.len(),
            });
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
    /// ŷ_b = f(x_b; θ)                   forward
    /// L = (1/B) Σ_b loss(ŷ_b, y_b)      ∂L/∂ŷ_b = (1/B) ∂loss/∂ŷ_b
    /// g = ∂L/∂θ                         backward
    /// g ← clip(g)                       only with clip_grad_norm / clip_grad_value
    /// θ ← optimizer(θ, g)               undone if anything became NaN or infinite
    ///                                   (Lbfgs: evaluates L and g again on this batch)
    /// ```
    ///
    /// # Errors
    ///
    /// Nothing changes in the model or the optimizer when this returns an error:
    /// - [`Error::EmptyBatch`] for no samples;
    /// - [`Error::LengthMismatch`] if `inputs` is not whole rows or `targets` does not
    ///   match it;
    /// - [`Error::NonFinite`] for a NaN or infinite input or target;
    /// - [`Error::Diverged`] if the loss, the gradient, an updated parameter or the
    ///   optimizer's updated state would be NaN or infinite;
    /// - [`Error::TooLarge`] if the batch's buffers cannot be allocated.
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
        let rows = batch_len(inputs, self.model.input_len(), Quantity::Input)?;
        self.step_rows(inputs, targets, rows)
    }

    /// The step on `inputs` known to hold `rows` whole rows.
    ///
    /// Always inlined, so that `step` on one sample compiles with the sample's lengths
    /// known, and a model with one parameter takes the step in local values
    /// (src/trainer/in_registers.rs): a one-weight step is a few nanoseconds of
    /// arithmetic, which a call per stage would multiply.
    #[inline(always)]
    fn step_rows(&mut self, inputs: &[T], targets: &[T], rows: usize) -> Result<Step<T>, Error> {
        check_rows(&self.model, &self.loss, rows, inputs, targets)?;
        self.prepare(rows)?;
        if rows == 1 {
            if let Some(step) = self.step_in_registers(inputs, targets) {
                return step;
            }
        }
        self.step_prepared(inputs, targets, rows)
    }

    /// The step in the trainer's buffers, prepared for `rows` rows. Out of line: inlined
    /// beside the one-parameter step, it took the inliner's budget, and that step's
    /// stages became calls (W1 9.4 → 17.7 ns on the Zen 3).
    #[inline(never)]
    fn step_prepared(
        &mut self,
        inputs: &[T],
        targets: &[T],
        rows: usize,
    ) -> Result<Step<T>, Error> {
        let Buffers {
            outputs,
            output_grads,
            workspace,
            gradients,
            undo,
            ..
        } = &mut self.buffers;

        let mut passes = Passes::for_rows(&self.model, rows, outputs, output_grads, workspace);
        let loss = passes.evaluate(&self.model, &self.loss, inputs, targets, gradients, None);
        refuse_non_finite(loss, gradients, self.steps)?;
        self.clipping.apply(gradients, &mut self.grad_norm)?;
        let evaluations = if self.optimizer.rule.evaluates() {
            self.update_evaluating(inputs, targets, loss)?
        } else {
            self.optimizer
                .step_or_undo(self.model.params_mut(), gradients, undo)
                .map_err(|what| diverged(self.steps, what))?;
            1
        };

        self.steps = self.steps.saturating_add(1); // a restored count may be u64::MAX
        Ok(Step { loss, evaluations })
    }

    /// The update of a rule that evaluates the loss again (L-BFGS), each evaluation a
    /// forward, loss, backward and clipping on the same batch in the trainer's buffers,
    /// as PyTorch's `closure`. The rule updates a copy of the parameters, which the model
    /// gets back at the end, updated or (after a refused evaluation) as before.
    fn update_evaluating(&mut self, inputs: &[T], targets: &[T], loss: T) -> Result<usize, Error> {
        let Self {
            model,
            loss: loss_fn,
            optimizer,
            buffers,
            steps,
            clipping,
            grad_norm,
            ..
        } = self;
        let Buffers {
            outputs,
            output_grads,
            workspace,
            gradients,
            undo,
            point,
            ..
        } = buffers;
        point.clear();
        point.extend_from_slice(model.params());
        let step = *steps;
        let mut passes = Passes {
            outputs,
            output_grads,
            workspace,
        };
        let mut evaluate = |params: &[T], grads: &mut [T]| {
            model.params_mut().copy_from_slice(params);
            let loss = passes.evaluate(&*model, &*loss_fn, inputs, targets, grads, None);
            // caused by the step's own search, not by the parameters it started from
            refuse_non_finite(loss, grads, step)
                .map_err(|_| diverged(step, Quantity::TrialLoss))?;
            clipping.apply(grads, grad_norm)?;
            Ok(loss)
        };
        let mut objective = Objective::new(loss, &mut evaluate);
        let updated = optimizer.step_with_or_undo(point, gradients, &mut objective, undo, step);
        model.params_mut().copy_from_slice(point);
        updated
    }

    /// The gradient of the batch's mean loss with respect to its inputs, row-major like
    /// `inputs`: PyTorch's `x.grad` after `loss.backward()`, for saliency maps,
    /// adversarial examples, an actor-critic's `∂Q/∂a`, or a model of your own stacked on
    /// this one. No parameter, optimizer state or step count changes;
    /// [`prediction`](Self::prediction) and [`gradients`](Self::gradients) then hold this
    /// batch's outputs and `∂L/∂θ`, as after PyTorch's `backward()`.
    ///
    /// # Math
    ///
    /// ```text
    /// L = (1/B) Σ_b loss(ŷ_b, y_b)        ∂L/∂x_bi = Σ_j ∂L/∂ŷ_bj · ∂ŷ_bj/∂x_bi
    /// ```
    ///
    /// The values are returned as computed: an overflow shows as ±∞ or NaN.
    ///
    /// # Errors
    ///
    /// As [`step_batch`](Self::step_batch) for the batch's shape and values
    /// ([`Error::EmptyBatch`], [`Error::LengthMismatch`], [`Error::NonFinite`],
    /// [`Error::TooLarge`]); nothing changes then.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// // a = x·w, L = (a − y)²: ∂L/∂x = 2(a − y)·w
    /// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
    /// let grad = trainer.input_gradients(&[1.2], &[0.4])?;
    /// assert_eq!(grad, &[2.0 * (1.2 * 0.7 - 0.4) * 0.7]);
    /// assert_eq!(trainer.model().weights(), &[0.7]); // unchanged
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn input_gradients(&mut self, inputs: &[T], targets: &[T]) -> Result<&[T], Error> {
        let rows = check_batch(&self.model, &self.loss, inputs, targets)?;
        self.prepare(rows)?;
        buffers::resize(&mut self.buffers.input_grads, inputs.len(), Quantity::Input)?;
        let Buffers {
            outputs,
            output_grads,
            workspace,
            gradients,
            input_grads,
            ..
        } = &mut self.buffers;

        let mut passes = Passes {
            outputs,
            output_grads,
            workspace,
        };
        let wanted = Some(&mut input_grads[..]);
        passes.evaluate(&self.model, &self.loss, inputs, targets, gradients, wanted);
        Ok(input_grads)
    }

    /// The outputs for a batch of inputs, in a new vector (the model's
    /// [`predict`](Model::predict)): the call for inference where an allocation per call
    /// does not matter. [`predict_into`](Self::predict_into) reuses your buffer instead.
    ///
    /// The outputs are returned as computed, like PyTorch's forward: finite inputs whose
    /// outputs overflow (inputs near `f32::MAX`, say) give ±∞ (or NaN) in those rows.
    /// That is not an error, because the model's arithmetic is exact IEEE arithmetic on
    /// valid inputs and the other rows remain right; check `is_finite` where an
    /// overflow matters. (A training step, whose update must stay finite, refuses them
    /// as [`Error::Diverged`].)
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`], [`Error::LengthMismatch`] for inputs that are not whole
    /// rows, [`Error::NonFinite`] for a NaN or infinite input.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// let trainer = Trainer::new(Neuron::new(0.5), Mse, Sgd::new(0.1))?;
    /// let (a, b) = (trainer.predict(&[2.0, 4.0])?, trainer.predict(&[6.0])?);
    /// assert_eq!((a, b), (vec![1.0, 2.0], vec![3.0])); // two samples, then one
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn predict(&self, inputs: &[T]) -> Result<Vec<T>, Error> {
        self.model.predict(inputs)
    }

    /// The outputs for a batch of inputs, written into `outputs` (`rows × output_len`
    /// values) with the trainer's workspace: no allocation once the workspace has seen a
    /// batch this large.
    ///
    /// # Errors
    ///
    /// As [`predict`](Self::predict), and [`Error::LengthMismatch`] on
    /// [`Quantity::Output`] if `outputs` does not hold exactly the batch's outputs;
    /// `outputs` is untouched then.
    ///
    /// ```
    /// use backprop::{Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut trainer = Trainer::new(Neuron::new(0.5), Mse, Sgd::new(0.1))?;
    /// let mut outputs = [0.0; 2];
    /// trainer.predict_into(&[2.0, 4.0], &mut outputs)?;
    /// assert_eq!(outputs, [1.0, 2.0]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn predict_into(&mut self, inputs: &[T], outputs: &mut [T]) -> Result<(), Error> {
        let rows = batch_len(inputs, self.model.input_len(), Quantity::Input)?;
        ensure_finite(inputs, Quantity::Input)?;
        let expected = buffers::outputs_len(&self.model, rows)?;
        if outputs.len() != expected {
            return Err(Error::LengthMismatch {
                what: Quantity::Output,
                expected,
                actual: outputs.len(),
            });
        }
        self.buffers.fit_workspace(&self.model, rows)?;
        self.model
            .forward(inputs, outputs, &mut self.buffers.workspace);
        Ok(())
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

    /// The optimizer: its rule, learning rate, step count and state.
    pub fn optimizer(&self) -> &Optimizer<T, R> {
        &self.optimizer
    }

    /// The optimizer, mutable: to change its learning rate between steps, or reset it.
    pub fn optimizer_mut(&mut self) -> &mut Optimizer<T, R> {
        &mut self.optimizer
    }

    /// The outputs the last step computed before its update, row-major for a batch.
    pub fn prediction(&self) -> &[T] {
        &self.buffers.outputs
    }

    /// The gradient of the last step's loss, in the layout of the model's parameters.
    ///
    /// With [`clip_grad_norm`](Self::clip_grad_norm) or
    /// [`clip_grad_value`](Self::clip_grad_value) this is the clipped gradient the
    /// optimizer used, as PyTorch's `.grad` after clipping.
    pub fn gradients(&self) -> &[T] {
        &self.buffers.gradients
    }

    /// The bytes of the values the trainer holds in its buffers, by their lengths.
    ///
    /// Counts the model's parameters, the gradient, the optimizer's state, the model's
    /// workspace, the outputs and their gradients, the undo copies, L-BFGS's working
    /// copy of the parameters and the buffer of [`input_gradients`](Self::input_gradients);
    /// not the few bytes of bookkeeping beside
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
    /// bytes = size_of::<T>() · (P + P + S + W(B) + 2·B·out + U + E + X)
    /// U = P + S once a step has sized the buffers (the copies an undo restores, or for
    ///     Adam, RMSprop and Adagrad the copy of the parameters and the buffer their new
    ///     state goes to), else 0
    /// E = P after the first step of a rule that evaluates again (L-BFGS), else 0
    /// X = rows·in of the last input_gradients, else 0
    /// ```
    ///
    /// ```
    /// use backprop::{Adam, Mse, Neuron, Sgd, Trainer};
    ///
    /// let mut sgd = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
    /// sgd.step(&[1.2], &[0.4])?;
    /// assert_eq!(sgd.memory_bytes(), 8 * (1 + 1 + 0 + 1 + 2 + 1)); // f64: P, grad, W, ŷ, ∂L/∂ŷ, U
    ///
    /// let mut adam = Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1))?;
    /// adam.step(&[1.2], &[0.4])?;
    /// assert_eq!(adam.memory_bytes(), 8 * (1 + 1 + 2 + 1 + 2 + 3)); // + m, v and their undo
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn memory_bytes(&self) -> usize {
        let values = self.model.params().len() + self.optimizer.state().len();
        (values + self.buffers.len()) * core::mem::size_of::<T>()
    }

    /// How many steps have been applied.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Sizes the buffers for `rows` rows, the optimizer's state for the model and the undo
    /// copies for both, so that the step itself allocates nothing. A model replaced (through
    /// [`model_mut`](Self::model_mut)) by one with another parameter count gets a gradient
    /// of its size and an optimizer starting afresh: its state belonged to the old one.
    #[inline]
    fn prepare(&mut self, rows: usize) -> Result<(), Error> {
        if self.is_prepared(rows) {
            return Ok(());
        }
        self.prepare_afresh(rows)
    }

    /// Whether [`prepare`](Self::prepare) would change nothing: the buffers fit `rows`
    /// rows and the model, the optimizer has stepped on this many parameters (see
    /// [`Optimizer::fit_state`]) and the undo copies are as long as the model's
    /// parameters and the state. Compares lengths only,
    /// so a model or an optimizer replaced since the last step is still noticed.
    #[inline]
    fn is_prepared(&self, rows: usize) -> bool {
        let param_len = self.model.params().len();
        let undo = &self.buffers.undo;
        self.buffers.fits(&self.model, rows)
            && self.buffers.gradients.len() == param_len
            && self.optimizer.state_fits(param_len)
            && undo.fits(param_len, self.optimizer.state().len())
    }

    /// [`prepare`](Self::prepare) when something must be sized.
    #[inline(never)]
    fn prepare_afresh(&mut self, rows: usize) -> Result<(), Error> {
        self.buffers.fit(&self.model, rows)?;
        let param_len = self.model.params().len();
        if self.buffers.gradients.len() != param_len {
            buffers::resize(&mut self.buffers.gradients, param_len, Quantity::Gradient)?;
            self.optimizer.reset();
        }
        self.optimizer.fit_state(param_len)?;
        let undo = &mut self.buffers.undo;
        buffers::resize(&mut undo.params, param_len, Quantity::OptimizerState)?;
        buffers::resize(
            &mut undo.state,
            self.optimizer.state().len(),
            Quantity::OptimizerState,
        )
    }
}

/// The buffers of one evaluation of the loss: the outputs, `∂L/∂ŷ` and the workspace.
struct Passes<'a, T> {
    outputs: &'a mut [T],
    output_grads: &'a mut [T],
    workspace: &'a mut [T],
}

impl<'a, T: Float> Passes<'a, T> {
    /// The buffers cut to their lengths for `rows` rows of `model`, which
    /// [`Trainer::prepare`] gave them (the workspace may be longer: it only grows). With
    /// the lengths in view (one row of one output, say), the passes' loops over rows
    /// compile to straight-line code.
    #[inline(always)]
    fn for_rows<M: Model<T>>(
        model: &M,
        rows: usize,
        outputs: &'a mut [T],
        output_grads: &'a mut [T],
        workspace: &'a mut [T],
    ) -> Self {
        let len = rows * model.output_len(); // cannot overflow: prepare checked it
        Self {
            outputs: &mut outputs[..len],
            output_grads: &mut output_grads[..len],
            workspace: &mut workspace[..model.workspace_len(rows)],
        }
    }

    /// Always inlined into the step: on the one-value buffers of a one-parameter model
    /// (src/trainer/in_registers.rs) the values then pass from stage to stage in
    /// registers.
    ///
    /// Forward, the mean loss and `∂L/∂ŷ`, backward (docs/math.md, sections 5 and 6):
    /// returns `L` at the model's parameters and writes `∂L/∂θ` into `grads`, and
    /// `∂L/∂x` into `input_grads` when given.
    #[inline(always)]
    fn evaluate<M: Model<T>, L: Loss<T>>(
        &mut self,
        model: &M,
        loss: &L,
        inputs: &[T],
        targets: &[T],
        grads: &mut [T],
        input_grads: Option<&mut [T]>,
    ) -> T {
        let (outputs, output_grads) = (&mut *self.outputs, &mut *self.output_grads);
        model.forward(inputs, outputs, self.workspace);
        let width = model.output_len();
        let mean = mean_loss_and_gradient(loss, outputs, targets, output_grads, width);
        model.backward(
            inputs,
            outputs,
            output_grads,
            self.workspace,
            grads,
            input_grads,
        );
        mean
    }
}

/// Refuses a step whose loss or gradient left the finite numbers, before any update.
#[inline]
fn refuse_non_finite<T: Float>(loss: T, gradients: &[T], steps: u64) -> Result<(), Error> {
    if !loss.is_finite() {
        return Err(diverged(steps, Quantity::Loss));
    }
    if first_non_finite(gradients).is_some() {
        return Err(diverged(steps, Quantity::Gradient));
    }
    Ok(())
}

/// The error of a step refused because it would have left the finite numbers.
#[cold]
fn diverged(step: u64, what: Quantity) -> Error {
    Error::Diverged { step, what }
}
