//! Loss functions: how far one sample's prediction is from its target.

mod bce;
mod bce_with_logits;
mod cross_entropy;
mod elementwise;
mod huber;
mod mae;
mod mse;
mod probabilities;
mod smooth_l1;

pub use bce::Bce;
pub use bce_with_logits::BceWithLogits;
pub use cross_entropy::{CrossEntropy, CrossEntropyTargets};
pub use huber::Huber;
pub use mae::Mae;
pub use mse::Mse;
pub use probabilities::Probabilities;
pub use smooth_l1::SmoothL1;

use num_traits::Float;

use crate::cast::cast;
use crate::error::Error;

/// A loss on ONE sample, with its gradient.
///
/// # Reduction rule
///
/// The [`Trainer`](crate::Trainer) averages a loss over the rows of a batch:
/// `L = (1/B) Σ_b loss(ŷ_b, y_b)` and `∂L/∂ŷ_b = (1/B) ∂loss/∂ŷ_b`. So that this is
/// PyTorch's `reduction='mean'`, each loss reduces one sample the way PyTorch's mean
/// does per row:
///
/// - [`Mse`], [`Mae`], [`Huber`], [`SmoothL1`], [`Bce`] and [`BceWithLogits`] AVERAGE
///   over the sample's outputs (PyTorch averages over every element of the batch);
/// - [`CrossEntropy`] SUMS over the classes (PyTorch averages over rows only).
///
/// The trait is object safe: `Box<dyn Loss<f32>>` works.
///
/// ```
/// use backprop::{Loss, Mse};
///
/// let mut grad = [0.0];
/// let loss = Mse.gradient(&[0.84], &[0.4], &mut grad);
/// assert_eq!(loss, Mse.value(&[0.84], &[0.4]));
/// assert_eq!(grad, [2.0 * (0.84 - 0.4)]);
/// ```
pub trait Loss<T: Float> {
    /// The loss of `prediction` against `target`.
    ///
    /// # Panics
    ///
    /// May panic if the two slices differ in length (the trainer checks them first).
    fn value(&self, prediction: &[T], target: &[T]) -> T;

    /// Writes `∂loss/∂prediction` into `grad` and returns the loss, in one pass.
    ///
    /// # Panics
    ///
    /// May panic if `prediction`, `target` and `grad` differ in length.
    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T;

    /// Refuses targets outside the loss's domain (a probability above 1, say), before any
    /// work is done. `targets` is a whole row-major batch, already known to be finite.
    ///
    /// The default accepts every finite target.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the first target the loss cannot score.
    fn check_targets(&self, targets: &[T]) -> Result<(), Error> {
        let _ = targets;
        Ok(())
    }

    /// The number of target values per sample for a model of `output_len` outputs.
    ///
    /// The default is `output_len`: a target per output. [`CrossEntropy`] with class-index
    /// targets takes one value per sample, the class.
    fn target_len(&self, output_len: usize) -> usize {
        output_len
    }

    /// [`check_targets`](Self::check_targets) for a model of `output_len` outputs, which
    /// the trainer calls: a loss whose targets' domain depends on the number of outputs
    /// (class indices below it) checks that here. The default calls `check_targets`.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the first target the loss cannot score.
    fn check_targets_for(&self, targets: &[T], output_len: usize) -> Result<(), Error> {
        let _ = output_len;
        self.check_targets(targets)
    }

    /// The weight of a sample in the batch's mean, for a loss that weighs samples by
    /// their target: the trainer then divides the sum of the losses by the sum of these
    /// weights instead of by the row count (PyTorch's weighted mean, as
    /// `CrossEntropyLoss(weight=w)` with class indices divides by `Σ_b w[y_b]`). The
    /// loss and gradient of the sample must then include the weight.
    ///
    /// The default, `None`, is a weight of 1 for every sample: the plain mean.
    fn sample_weight(&self, target: &[T]) -> Option<T> {
        let _ = target;
        None
    }

    /// Refuses hyper-parameters outside their valid range (a negative `delta`, say).
    ///
    /// [`Trainer::new`](crate::Trainer::new) calls it once, so setters can just store.
    /// The default accepts everything: a loss without hyper-parameters has nothing to check.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first hyper-parameter refused, by its
    /// PyTorch name.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// The mean of `loss` over the rows of a batch, and its gradient: each row's `∂L/∂ŷ`
/// scaled by the mean's `1/B` (docs/math.md, section 5), or by `1/Σ_b w_b` for a loss
/// that weighs its samples ([`Loss::sample_weight`]).
///
/// ```text
/// L = (1/B) Σ_b loss(ŷ_b, y_b)      ∂L/∂ŷ_b = (1/B) ∂loss/∂ŷ_b
/// ```
///
/// Summed in row order. One unweighted row's loss and gradient are the loss's own
/// (adding to 0 and scaling by 1 change nothing), so a single sample skips the divisions.
#[inline]
pub(crate) fn mean_loss_and_gradient<T: Float, L: Loss<T> + ?Sized>(
    loss: &L,
    outputs: &[T],
    targets: &[T],
    output_grads: &mut [T],
    width: usize,
) -> T {
    if outputs.len() == width && loss.sample_weight(targets).is_none() {
        return loss.gradient(outputs, targets, output_grads);
    }
    mean_over_batch(loss, outputs, targets, output_grads, width)
}

/// [`mean_loss_and_gradient`] over several rows (or weighted ones), out of line: the
/// one-sample step inlines only the case above.
#[inline(never)]
fn mean_over_batch<T: Float, L: Loss<T> + ?Sized>(
    loss: &L,
    outputs: &[T],
    targets: &[T],
    output_grads: &mut [T],
    width: usize,
) -> T {
    let target_width = loss.target_len(width);
    let mut total = T::zero();
    let row_grads = output_grads.chunks_exact_mut(width);
    for ((p, y), g) in outputs
        .chunks_exact(width)
        .zip(targets.chunks_exact(target_width))
        .zip(row_grads)
    {
        total = total + loss.gradient(p, y, g);
    }
    let denominator = mean_denominator(loss, targets, target_width);
    let scale = T::one() / denominator;
    output_grads.iter_mut().for_each(|g| *g = *g * scale);
    total / denominator
}

/// `B`, or `Σ_b w_b` for a loss that weighs its samples.
fn mean_denominator<T: Float, L: Loss<T> + ?Sized>(loss: &L, targets: &[T], width: usize) -> T {
    let rows = targets.chunks_exact(width);
    let mut weighted = false;
    let sum = rows
        .clone()
        .fold(T::zero(), |sum, y| match loss.sample_weight(y) {
            Some(w) => {
                weighted = true;
                sum + w
            }
            None => sum + T::one(),
        });
    if weighted {
        sum
    } else {
        cast(rows.len())
    }
}

/// The mean of `loss` over the rows of a batch, from the outputs of a forward pass:
/// `(1/B) Σ_rows loss(ŷ_b, y_b)` (or the weighted mean), summed in row order as the
/// trainer does.
pub(crate) fn mean_over_rows<T: Float, L: Loss<T> + ?Sized>(
    loss: &L,
    outputs: &[T],
    targets: &[T],
    output_len: usize,
) -> T {
    let target_width = loss.target_len(output_len);
    let total = outputs
        .chunks_exact(output_len)
        .zip(targets.chunks_exact(target_width))
        .fold(T::zero(), |sum, (p, y)| sum + loss.value(p, y));
    total / mean_denominator(loss, targets, target_width)
}

/// Refuses the first target outside `[0, 1]`: the domain of probabilities.
pub(crate) fn check_probabilities<T: Float>(targets: &[T]) -> Result<(), Error> {
    match targets
        .iter()
        .position(|&y| !(y >= T::zero() && y <= T::one()))
    {
        None => Ok(()),
        Some(index) => Err(Error::InvalidTarget {
            index,
            value: targets[index].to_f64().unwrap_or(f64::NAN),
        }),
    }
}
