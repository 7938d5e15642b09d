//! Cross-entropy on logits, with the softmax folded in.

use num_traits::Float;

use alloc::vec::Vec;

use super::{check_probabilities, Loss};
use crate::cast::cast;
use crate::datasets::check_class_indices;
use crate::error::{check_fraction, check_non_negative, Error, Quantity};

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
/// pᵢ        = e^(xᵢ − m) / Σⱼ e^(xⱼ − m)                      (softmax)
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
#[derive(Debug, Clone, PartialEq)]
pub struct CrossEntropy<T> {
    label_smoothing: T,
    targets: CrossEntropyTargets,
    weight: Option<Vec<T>>,
}

/// What a [`CrossEntropy`] target is: PyTorch's two kinds of `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CrossEntropyTargets {
    /// One probability per class (PyTorch's probability targets); the default.
    #[default]
    Probabilities,
    /// One value per sample, the class index: a whole number below the number of
    /// classes (PyTorch's class-index targets).
    ClassIndices,
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
            targets: CrossEntropyTargets::Probabilities,
            weight: None,
        }
    }

    /// Cross-entropy on class-index targets: one value per sample, its class, as
    /// PyTorch's `CrossEntropyLoss` with a class-index `target` (so
    /// [`Trainer::step_batch`](crate::Trainer::step_batch) takes `batch` targets, not
    /// `batch × classes`).
    ///
    /// ```
    /// use backprop::{CrossEntropy, Loss};
    ///
    /// let ce = CrossEntropy::class_indices();
    /// let mut grad = [0.0; 2];
    /// assert_eq!(ce.gradient(&[0.0, 0.0], &[0.0], &mut grad), 2.0f64.ln());
    /// assert_eq!(grad, [-0.5, 0.5]);
    /// ```
    pub fn class_indices() -> Self {
        Self::new().targets(CrossEntropyTargets::ClassIndices)
    }

    /// Chooses the kind of target (class indices, or probabilities per class).
    pub fn targets(mut self, targets: CrossEntropyTargets) -> Self {
        self.targets = targets;
        self
    }

    /// Weighs each class's term by `weight[c]`, one weight per class (PyTorch's
    /// `weight=`). With class indices, the batch's loss is then PyTorch's weighted mean,
    /// `Σ_b w[y_b] loss_b / Σ_b w[y_b]` (the trainer divides by the weights'
    /// sum, see [`Loss::sample_weight`]); with probabilities it stays the mean over rows,
    /// as in PyTorch.
    ///
    /// This only stores the weights; the trainer refuses a weight that is negative or
    /// not finite ([`Trainer::new`](crate::Trainer::new)), and weights whose count is not
    /// the model's output count at the first step.
    pub fn weight(mut self, weight: Vec<T>) -> Self {
        self.weight = Some(weight);
        self
    }

    /// The kind of target.
    pub fn target_kind(&self) -> CrossEntropyTargets {
        self.targets
    }

    /// The class weights, if any.
    pub fn class_weights(&self) -> Option<&[T]> {
        self.weight.as_deref()
    }

    /// Mixes the target with the uniform distribution: `y' = (1 − s) y + s / C`.
    ///
    /// This only stores `s`; [`Trainer::new`](crate::Trainer::new) refuses an `s` outside
    /// `[0, 1]` or NaN. PyTorch refuses `s > 1` too, but silently treats a negative `s`
    /// as 0; here it is an error.
    pub fn label_smoothing(self, label_smoothing: T) -> Self {
        Self {
            label_smoothing,
            ..self
        }
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
    /// - [`Error::InvalidClass`] for the first class index that is not below
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
            return Err(Error::InvalidClass {
                what: Quantity::Target,
                index,
                value: classes[index] as f64,
                classes: Some(n_classes),
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

impl<T: Float> CrossEntropy<T> {
    /// The loss of one sample, and its gradient into `grad` when given:
    ///
    /// ```text
    /// ℓ = −Σᵢ wᵢ y'ᵢ log pᵢ        ∂ℓ/∂xᵢ = pᵢ Σⱼ wⱼ y'ⱼ − wᵢ y'ᵢ
    /// ```
    ///
    /// with `y'` the smoothed target distribution (for a class index `k`, the one-hot
    /// row of `k`) and `w = 1` without weights.
    fn loss_and_gradient(&self, prediction: &[T], target: &[T], mut grad: Option<&mut [T]>) -> T {
        let c = cast::<T>(prediction.len());
        let class = match self.targets {
            CrossEntropyTargets::Probabilities => None,
            CrossEntropyTargets::ClassIndices => Some(target[0].to_usize().unwrap_or(0)),
        };
        let y = |i: usize| {
            let y = match class {
                None => target[i],
                Some(k) => {
                    if i == k {
                        T::one()
                    } else {
                        T::zero()
                    }
                }
            };
            let y = self.smoothed(y, c);
            self.weight.as_ref().map_or(y, |w| w[i] * y)
        };
        // m = max xⱼ keeps every e^(xᵢ − m) in (0, 1]; `grad` keeps them until Σ is known
        let m = prediction.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
        let mut sum = T::zero();
        for (i, &x) in prediction.iter().enumerate() {
            let e = (x - m).exp();
            sum = sum + e;
            if let Some(grad) = grad.as_deref_mut() {
                grad[i] = e;
            }
        }
        let lse = sum.ln();
        let (mut loss, mut mass) = (T::zero(), T::zero());
        for (i, &x) in prediction.iter().enumerate() {
            let y = y(i);
            loss = loss - y * ((x - m) - lse);
            mass = mass + y;
        }
        if let Some(grad) = grad {
            for (i, g) in grad.iter_mut().enumerate() {
                *g = *g / sum * mass - y(i); // pᵢ Σ w y' − wᵢ y'ᵢ
            }
        }
        loss
    }
}

impl<T: Float> Loss<T> for CrossEntropy<T> {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        assert_eq!(
            target.len(),
            self.target_len(prediction.len()),
            "prediction and target"
        );
        self.loss_and_gradient(prediction, target, None)
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        assert_eq!(
            target.len(),
            self.target_len(prediction.len()),
            "prediction and target"
        );
        assert_eq!(prediction.len(), grad.len(), "prediction and gradient");
        self.loss_and_gradient(prediction, target, Some(grad))
    }

    /// One value per sample for class indices, one per class for probabilities.
    fn target_len(&self, output_len: usize) -> usize {
        match self.targets {
            CrossEntropyTargets::Probabilities => output_len,
            CrossEntropyTargets::ClassIndices => 1,
        }
    }

    /// Refuses a probability outside `[0, 1]` with [`Error::InvalidTarget`].
    fn check_targets(&self, targets: &[T]) -> Result<(), Error> {
        match self.targets {
            CrossEntropyTargets::Probabilities => check_probabilities(targets),
            CrossEntropyTargets::ClassIndices => Ok(()),
        }
    }

    /// Also refuses a class index that is not a whole number below `output_len`
    /// ([`Error::InvalidClass`]), and class weights whose count is not `output_len`
    /// ([`Error::InvalidHyperparameter`], `weight`).
    fn check_targets_for(&self, targets: &[T], output_len: usize) -> Result<(), Error> {
        if let Some(w) = self.weight.as_ref().filter(|w| w.len() != output_len) {
            return Err(Error::InvalidHyperparameter {
                name: "weight",
                value: w.len() as f64,
                expected: "one weight per class: as many as the model has outputs",
            });
        }
        match self.targets {
            CrossEntropyTargets::Probabilities => check_probabilities(targets),
            CrossEntropyTargets::ClassIndices => {
                check_class_indices(targets, Quantity::Target, Some(output_len))
            }
        }
    }

    /// `w[y]` for a class-index target with class weights: PyTorch's weighted mean.
    fn sample_weight(&self, target: &[T]) -> Option<T> {
        match (self.targets, &self.weight) {
            (CrossEntropyTargets::ClassIndices, Some(w)) => {
                target[0].to_usize().and_then(|k| w.get(k).copied())
            }
            _ => None,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        check_fraction("label_smoothing", self.label_smoothing)?;
        for &w in self.weight.iter().flatten() {
            check_non_negative("weight", w)?;
        }
        Ok(())
    }
}
