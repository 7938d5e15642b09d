//! Models: functions with trainable parameters in one flat buffer.

pub(crate) mod dense;
mod init;
mod network;
mod neuron;
mod single_output;

pub use init::{Init, WeightInit};
pub use network::{LayerShape, Network, NetworkBuilder};
pub use neuron::Neuron;

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
///
/// # Room to grow
///
/// Two kinds of layer are planned to fit without breaking an implementation, each as a
/// provided method whose default changes nothing (neither exists yet):
///
/// - Layers that behave differently in training and evaluation (dropout): a
///   `fn set_training(&mut self, training: bool) {}`, a no-op by default, which the
///   trainer would call with `true` around its steps and with `false` around `predict`.
/// - State that is not trained (batch norm's running statistics; PyTorch's "buffers"):
///   `fn buffers(&self) -> &[T] { &[] }` and `buffers_mut`, a second flat buffer beside
///   the parameters that checkpoints would carry and the optimizer would never see.
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
    ///
    /// Where that count overflows `usize`, return `usize::MAX` (saturate): the trainer
    /// and [`predict`](Self::predict) then report [`Error::TooLarge`] instead of
    /// allocating a wrapped-around size.
    fn workspace_len(&self, batch: usize) -> usize;

    /// Computes the outputs of a batch and records what `backward` needs in `workspace`.
    ///
    /// # Panics
    ///
    /// If `inputs.len()` is not a multiple of `input_len()`, `outputs` does not hold
    /// exactly the batch's outputs, or `workspace` is shorter than `workspace_len(batch)`.
    fn forward(&self, inputs: &[T], outputs: &mut [T], workspace: &mut [T]);

    /// Writes `∂L/∂θ` into `grads`, given `∂L/∂ŷ` for every output of the last `forward`,
    /// and `∂L/∂x` for every input into `input_grads` if it is `Some`.
    ///
    /// `inputs`, `outputs` and `workspace` must be those of the last `forward`.
    /// `output_grads` is used as scratch and left unspecified. `grads` and `input_grads`
    /// are overwritten, not accumulated into. `input_grads` has the layout of `inputs`
    /// (PyTorch's `x.grad`), for a model that feeds another one or a look at what the
    /// loss is sensitive to; with `None` nothing beyond `∂L/∂θ` is computed, as a
    /// training step wants.
    ///
    /// # Math
    ///
    /// For row `b` of the batch, input `i` and output `j`:
    ///
    /// ```text
    /// ∂L/∂θ    = Σ_b Σ_j ∂L/∂ŷ_bj · ∂ŷ_bj/∂θ
    /// ∂L/∂x_bi =     Σ_j ∂L/∂ŷ_bj · ∂ŷ_bj/∂x_bi
    /// ```
    ///
    /// The parameters serve every row, so their gradient sums over the rows; a row's
    /// outputs depend on its own inputs only, so its input gradient does not. For the
    /// lecture's neuron `a = x·w` with loss `(a − y)²` they mirror each other:
    /// `∂L/∂w = 2(a − y)·x` and `∂L/∂x = 2(a − y)·w`.
    ///
    /// # Panics
    ///
    /// On the same length mismatches as `forward`, if `grads.len() != params().len()`, or
    /// if `input_grads` is `Some` and not as long as `inputs`.
    ///
    /// ```
    /// use backprop::{Loss, Model, Mse, Neuron};
    ///
    /// // The lecture's neuron a = x·w, with loss (a − y)².
    /// let (w, x, y) = (0.7, 1.2, 0.4);
    /// let neuron = Neuron::new(w);
    /// let (mut a, mut workspace) = ([0.0], [0.0]);
    /// neuron.forward(&[x], &mut a, &mut workspace);
    /// let mut output_grad = [0.0];
    /// Mse.gradient(&a, &[y], &mut output_grad); // ∂L/∂a = 2(a − y)
    ///
    /// let (mut grad, mut input_grad) = ([0.0], [0.0]);
    /// let input_grads = Some(&mut input_grad[..]);
    /// neuron.backward(&[x], &a, &mut output_grad, &mut workspace, &mut grad, input_grads);
    /// assert_eq!(a, [0.84]);
    /// assert_eq!(grad, [2.0 * (0.84 - 0.4) * x]); // ∂L/∂w = 2(a − y)·x
    /// assert_eq!(input_grad, [2.0 * (0.84 - 0.4) * w]); // ∂L/∂x = 2(a − y)·w
    /// ```
    fn backward(
        &self,
        inputs: &[T],
        outputs: &[T],
        output_grads: &mut [T],
        workspace: &mut [T],
        grads: &mut [T],
        input_grads: Option<&mut [T]>,
    );

    /// The outputs for a batch of inputs, in a new vector.
    ///
    /// Convenient, but it allocates; [`Trainer::predict`](crate::Trainer::predict) reuses
    /// the trainer's buffers instead. Outputs that overflow are returned as ±∞ or NaN,
    /// as computed (see [`Trainer::predict`](crate::Trainer::predict) for why).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `inputs` is not a whole number of samples,
    /// [`Error::EmptyBatch`] if it holds none, [`Error::NonFinite`] for a NaN or
    /// infinite input, [`Error::TooLarge`] if the outputs or the workspace cannot be
    /// allocated (their size overflows, or the allocator refuses it).
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
        let too_large = Error::TooLarge {
            what: Quantity::Input,
        };
        let outputs_len = batch.checked_mul(self.output_len()).ok_or(too_large)?;
        let mut outputs = zeros(outputs_len, Quantity::Input)?;
        let mut workspace = zeros(self.workspace_len(batch), Quantity::Input)?;
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
    let expected = rows.saturating_mul(loss.target_len(model.output_len())); // no slice is that long
    if targets.len() != expected || model.output_len() == 0 {
        return Err(Error::LengthMismatch {
            what: Quantity::Target,
            expected,
            actual: targets.len(),
        });
    }
    ensure_finite(inputs, Quantity::Input)?;
    ensure_finite(targets, Quantity::Target)?;
    loss.check_targets_for(targets, model.output_len())
}

/// `len` zeros, or [`Error::TooLarge`] about `what` where `vec!` would panic or abort: a
/// request above `isize::MAX` bytes, or one the allocator refuses.
pub(crate) fn zeros<T: Float>(len: usize, what: Quantity) -> Result<Vec<T>, Error> {
    crate::fallible::filled(len, T::zero(), what)
}

/// The number of rows in a row-major batch of `row_len`-wide samples.
pub(crate) fn batch_len<T>(values: &[T], row_len: usize, what: Quantity) -> Result<usize, Error> {
    if values.is_empty() {
        return Err(Error::EmptyBatch);
    }
    if row_len == 0 || !values.len().is_multiple_of(row_len) {
        return Err(Error::LengthMismatch {
            what,
            expected: row_len,
            actual: values.len(),
        });
    }
    Ok(values.len() / row_len)
}

pub(crate) use crate::finite::ensure_finite;

/// `values` converted one by one into a new vector, or [`Error::TooLarge`] where the
/// allocation is refused (a lifted copy of a model holds several numbers per parameter).
pub(crate) fn map_values<T: Copy, D>(
    values: &[T],
    convert: impl Fn(T) -> D,
) -> Result<Vec<D>, Error> {
    let mut mapped = crate::fallible::with_capacity(values.len(), Quantity::Parameters)?;
    mapped.extend(values.iter().map(|&v| convert(v)));
    Ok(mapped)
}
