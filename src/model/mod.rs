//! Models: functions with trainable parameters in one flat buffer.

pub(crate) mod dense;
mod init;
mod network;
mod neuron;
mod single_output;

pub use init::{Init, WeightInit};
pub use network::{LayerShape, Network, NetworkBuilder};
pub use neuron::Neuron;

use alloc::vec;
use alloc::vec::Vec;
use num_traits::Float;

use crate::error::{Error, Quantity};

/// A differentiable function of its inputs whose parameters live in ONE flat buffer.
///
/// A batch is a row-major matrix: `inputs.len() == batch * input_len()`, and the outputs
/// are `batch * output_len()` values in the same order. The gradient buffer has the layout
/// of [`params`](Model::params), so an optimizer walks both with one zip.
///
/// [`Trainer`](crate::Trainer) drives a model; call the passes yourself only to build a
/// training loop of your own.
///
/// # Math
///
/// `forward` computes `ŷ = f(x; θ)` for every row `x` of the batch and keeps in the
/// workspace what the backward pass needs. `backward` receives `∂L/∂ŷ` for every row and
/// applies the chain rule from the outputs back to the parameters,
///
/// ```text
/// ∂L/∂θ = Σ_rows ∂L/∂ŷ · ∂ŷ/∂θ
/// ```
///
/// which for the lecture's neuron `a = x·w` is `dloss/dw = dloss/da · da/dw = 2(a − y) · x`.
pub trait Model<T: Float> {
    /// The number of inputs of one sample.
    fn input_len(&self) -> usize;

    /// The number of outputs of one sample.
    fn output_len(&self) -> usize;

    /// All trainable parameters, in the model's documented layout.
    fn params(&self) -> &[T];

    /// All trainable parameters, mutable (to load weights or let an optimizer update them).
    fn params_mut(&mut self) -> &mut [T];

    /// How many scratch values `forward` and `backward` need for a batch of `batch` rows.
    fn workspace_len(&self, batch: usize) -> usize;

    /// Computes the outputs of a batch and records what `backward` needs in `workspace`.
    ///
    /// # Panics
    ///
    /// If `inputs.len()` is not a multiple of `input_len()`, `outputs` does not hold
    /// exactly the batch's outputs, or `workspace` is shorter than `workspace_len(batch)`.
    fn forward(&self, inputs: &[T], outputs: &mut [T], workspace: &mut [T]);

    /// Writes `∂L/∂θ` into `grads`, given `∂L/∂ŷ` for every output of the last `forward`.
    ///
    /// `inputs`, `outputs` and `workspace` must be those of the last `forward`.
    /// `output_grads` is used as scratch and left unspecified. `grads` is overwritten,
    /// not accumulated into.
    ///
    /// # Panics
    ///
    /// On the same length mismatches as `forward`, or if `grads.len() != params().len()`.
    fn backward(
        &self,
        inputs: &[T],
        outputs: &[T],
        output_grads: &mut [T],
        workspace: &mut [T],
        grads: &mut [T],
    );

    /// The outputs for a batch of inputs, in a new vector.
    ///
    /// Convenient, but it allocates; [`Trainer::predict`](crate::Trainer::predict) reuses
    /// the trainer's buffers instead.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `inputs` is not a whole number of samples,
    /// [`Error::EmptyBatch`] if it holds none, [`Error::NonFinite`] for a NaN or
    /// infinite input.
    ///
    /// ```
    /// use backprop::{Model, Neuron};
    ///
    /// let neuron = Neuron::new(0.7);
    /// assert_eq!(neuron.predict(&[1.2])?, [0.84]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    fn predict(&self, inputs: &[T]) -> Result<Vec<T>, Error> {
        let batch = batch_len(inputs, self.input_len(), Quantity::Input)?;
        ensure_finite(inputs, Quantity::Input)?;
        let mut outputs = vec![T::zero(); batch * self.output_len()];
        let mut workspace = vec![T::zero(); self.workspace_len(batch)];
        self.forward(inputs, &mut outputs, &mut workspace);
        Ok(outputs)
    }
}

/// The number of rows of a well-formed batch: whole rows of inputs, as many rows of
/// targets, every value finite, and targets the loss can score. The checks a step makes,
/// for callers that validate a whole data set before any step (epochs, gradcheck).
pub(crate) fn check_batch<T, M, L>(
    model: &M,
    loss: &L,
    inputs: &[T],
    targets: &[T],
) -> Result<usize, Error>
where
    T: Float,
    M: Model<T> + ?Sized,
    L: crate::loss::Loss<T> + ?Sized,
{
    let rows = batch_len(inputs, model.input_len(), Quantity::Input)?;
    check_rows(model, loss, rows, inputs, targets)?;
    Ok(rows)
}

/// [`check_batch`] once the `rows` of `inputs` are known (the trainer caches them): as
/// many rows of targets, every value finite, targets the loss can score.
#[inline]
pub(crate) fn check_rows<T, M, L>(
    model: &M,
    loss: &L,
    rows: usize,
    inputs: &[T],
    targets: &[T],
) -> Result<(), Error>
where
    T: Float,
    M: Model<T> + ?Sized,
    L: crate::loss::Loss<T> + ?Sized,
{
    let expected = rows * model.output_len();
    if targets.len() != expected || model.output_len() == 0 {
        return Err(Error::LengthMismatch {
            what: Quantity::Target,
            expected,
            actual: targets.len(),
        });
    }
    ensure_finite(inputs, Quantity::Input)?;
    ensure_finite(targets, Quantity::Target)?;
    loss.check_targets(targets)
}

/// The number of rows in a row-major batch of `row_len`-wide samples.
pub(crate) fn batch_len<T>(values: &[T], row_len: usize, what: Quantity) -> Result<usize, Error> {
    if values.is_empty() {
        return Err(Error::EmptyBatch);
    }
    if row_len == 0 || values.len() % row_len != 0 {
        return Err(Error::LengthMismatch {
            what,
            expected: row_len,
            actual: values.len(),
        });
    }
    Ok(values.len() / row_len)
}

pub(crate) use crate::finite::ensure_finite;
