//! Cross-entropy on logits, with the softmax folded in.

use num_traits::Float;

use super::{check_probabilities, Loss};
use crate::cast::cast;
use crate::error::{check_fraction, Error, Quantity};

/// Cross-entropy of a sample's logits against a target distribution over its classes
/// (PyTorch's `nn.CrossEntropyLoss` with probability targets, no `weight`).
///
/// The prediction is one logit per class; the target is one probability per class,
/// each in `[0, 1]` (the trainer refuses others with [`Error::InvalidTarget`]). For
/// class indices, fill one-hot targets with [`CrossEntropy::one_hot`]: the loss is then
/// PyTorch's loss on class indices, label smoothing included.
///
/// Unlike the other losses, this one SUMS over the outputs of a sample (the classes), so
/// the trainer's mean over the batch is PyTorch's `reduction='mean'`, a mean over rows.
///
/// # Math
///
/// For `C` classes, logits `xᵢ`, targets `yᵢ` and `s = label_smoothing`:
///
/// ```text
/// y'ᵢ       = (1 − s) yᵢ + s / C                 (smoothed target)
/// log pᵢ    = (xᵢ − m) − ln Σⱼ e^(xⱼ − m)         m = maxⱼ xⱼ  (log-softmax)
/// L         = −Σᵢ y'ᵢ log pᵢ
/// ∂L/∂xᵢ    = pᵢ Σⱼ y'ⱼ − y'ᵢ                     (= pᵢ − y'ᵢ when Σ y = 1)
/// ```
///
/// Subtracting the largest logit keeps every exponential in `(0, 1]`, so logits of any
/// size give finite, accurate results. Targets need not sum to 1 (PyTorch does not ask
/// it either); the gradient above is exact for any targets.
///
/// ```
/// use backprop::{CrossEntropy, Loss};
///
/// let ce = CrossEntropy::new();
/// let mut grad = [0.0; 2];
/// let loss = ce.gradient(&[0.0, 0.0], &[1.0, 0.0], &mut grad);
/// assert_eq!(loss, 2.0f64.ln()); // p = (½, ½)
/// assert_eq!(grad, [-0.5, 0.5]);
///
/// let smoothed = CrossEntropy::new().label_smoothing(0.5); // y' = (0.75, 0.25)
/// assert_eq!(smoothed.gradient(&[0.0, 0.0], &[1.0, 0.0], &mut grad), 2.0f64.ln());
/// assert_eq!(grad, [-0.25, 0.25]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossEntropy<T> {
    label_smoothing: T,
}

impl<T: Float> Default for CrossEntropy<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> CrossEntropy<T> {
    /// Cross-entropy without label smoothing (PyTorch's default, `label_smoothing = 0`).
    ///
    /// Its number type comes from the trainer it is given to; on its own, name it:
    /// `CrossEntropy::<f64>::new()`.
    pub fn new() -> Self {
        Self {
            label_smoothing: T::zero(),
        }
    }

    /// Mixes the target with the uniform distribution: `y' = (1 − s) y + s / C`.
    ///
    /// This only stores `s`; [`Trainer::new`](crate::Trainer::new) refuses an `s` outside
    /// `[0, 1]` or NaN. PyTorch refuses `s > 1` too, but silently treats a negative `s`
    /// as 0; here it is an error.
    pub fn label_smoothing(self, label_smoothing: T) -> Self {
        Self { label_smoothing }
    }

    /// The label smoothing `s` in use.
    pub fn smoothing(&self) -> T {
        self.label_smoothing
    }

    /// Fills `out`, row-major `classes.len() × n_classes`, with one-hot targets: row `b`
    /// is 1 at column `classes[b]` and 0 elsewhere.
    ///
    /// With these targets the loss equals PyTorch's cross-entropy on the class indices
    /// `classes`, with or without label smoothing.
    ///
    /// # Errors
    ///
    /// Nothing is written when this returns an error:
    /// - [`Error::LengthMismatch`] (for [`Quantity::Target`]) if `out.len()` is not
    ///   `classes.len() · n_classes`;
    /// - [`Error::InvalidTarget`] for the first class index that is not below
    ///   `n_classes`, with `index` its position in `classes` and `value` the class.
    ///
    /// ```
    /// use backprop::CrossEntropy;
    ///
    /// let mut targets = [0.0; 6];
    /// CrossEntropy::one_hot(&[2, 0], 3, &mut targets)?;
    /// assert_eq!(targets, [0.0, 0.0, 1.0, /* row 2 */ 1.0, 0.0, 0.0]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn one_hot(classes: &[usize], n_classes: usize, out: &mut [T]) -> Result<(), Error> {
        let expected = classes.len().saturating_mul(n_classes);
        if out.len() != expected || (n_classes == 0 && !classes.is_empty()) {
            return Err(Error::LengthMismatch {
                what: Quantity::Target,
                expected,
                actual: out.len(),
            });
        }
        if let Some(index) = classes.iter().position(|&c| c >= n_classes) {
            return Err(Error::InvalidTarget {
                index,
                value: classes[index] as f64,
            });
        }
        if classes.is_empty() {
            return Ok(()); // nothing to write, and no zero-width rows to split `out` into
        }
        for (row, &class) in out.chunks_exact_mut(n_classes).zip(classes) {
            row.fill(T::zero());
            row[class] = T::one();
        }
        Ok(())
    }

    /// `y'ᵢ` for a class count `c`.
    fn smoothed(&self, y: T, c: T) -> T {
        (T::one() - self.label_smoothing) * y + self.label_smoothing / c
    }
}

/// `(m, ln Σⱼ e^(xⱼ − m))` with `m` the largest logit: log-softmax is `(xᵢ − m) − lse`.
fn shifted_log_sum_exp<T: Float>(logits: &[T]) -> (T, T) {
    let m = logits.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
    let sum = logits.iter().fold(T::zero(), |acc, &x| acc + (x - m).exp());
    (m, sum.ln())
}

impl<T: Float> Loss<T> for CrossEntropy<T> {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        assert_eq!(prediction.len(), target.len(), "prediction and target");
        let c = cast::<T>(prediction.len());
        let (m, lse) = shifted_log_sum_exp(prediction);
        prediction
            .iter()
            .zip(target)
            .fold(T::zero(), |acc, (&x, &y)| {
                acc - self.smoothed(y, c) * ((x - m) - lse)
            })
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        assert_eq!(prediction.len(), target.len(), "prediction and target");
        assert_eq!(prediction.len(), grad.len(), "prediction and gradient");
        let c = cast::<T>(prediction.len());
        let (m, lse) = shifted_log_sum_exp(prediction);
        let mut loss = T::zero();
        let mut mass = T::zero();
        for ((g, &x), &y) in grad.iter_mut().zip(prediction).zip(target) {
            let y = self.smoothed(y, c);
            let log_p = (x - m) - lse;
            loss = loss - y * log_p;
            mass = mass + y;
            *g = log_p; // kept until the target mass Σ y' is known
        }
        for (g, &y) in grad.iter_mut().zip(target) {
            *g = g.exp() * mass - self.smoothed(y, c);
        }
        loss
    }

    /// Refuses a target outside `[0, 1]` with [`Error::InvalidTarget`].
    fn check_targets(&self, targets: &[T]) -> Result<(), Error> {
        check_probabilities(targets)
    }

    fn validate(&self) -> Result<(), Error> {
        check_fraction("label_smoothing", self.label_smoothing)
    }
}
