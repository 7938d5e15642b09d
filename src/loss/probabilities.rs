//! From a classifier's outputs (logits) to probabilities and predicted classes.

use num_traits::Float;

use super::{BceWithLogits, CrossEntropy, Loss};
use crate::cast::cast;

/// A loss on logits whose model outputs read as class probabilities: scikit-learn's
/// `predict_proba` and `predict` for a network trained with it
/// ([`Trainer::predict_proba`](crate::Trainer::predict_proba),
/// [`Trainer::predict_classes`](crate::Trainer::predict_classes)).
///
/// - [`CrossEntropy`]: the softmax of a sample's outputs; its class is the output of
///   the largest logit (the first of equal ones, as NumPy's `argmax`).
/// - [`BceWithLogits`]: the sigmoid of each output; a single output's class is 1 when
///   its logit is above 0 (probability above ½), else 0; with several outputs, the output
///   of the largest logit (one-vs-rest).
///
/// ```
/// use backprop::{CrossEntropy, Probabilities};
///
/// let mut p = [0.0; 2];
/// CrossEntropy::<f64>::new().probabilities(&[0.0, 2.0f64.ln()], &mut p);
/// assert!((p[0] - 1.0 / 3.0).abs() < 1e-15 && (p[1] - 2.0 / 3.0).abs() < 1e-15);
/// assert_eq!(CrossEntropy::<f64>::new().class(&[0.0, 2.0f64.ln()]), 1.0);
/// ```
pub trait Probabilities<T: Float>: Loss<T> {
    /// Writes the probabilities for one sample's `outputs` into `probabilities` (as
    /// long).
    ///
    /// # Panics
    ///
    /// May panic if the two slices differ in length.
    fn probabilities(&self, outputs: &[T], probabilities: &mut [T]);

    /// The predicted class of one sample, as a whole number of `T`.
    fn class(&self, outputs: &[T]) -> T {
        argmax(outputs)
    }
}

/// The position of the largest value, the first of equal ones.
fn argmax<T: Float>(values: &[T]) -> T {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    cast(best)
}

impl<T: Float> Probabilities<T> for CrossEntropy<T> {
    /// `pᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m)`, `m` the largest logit.
    fn probabilities(&self, outputs: &[T], probabilities: &mut [T]) {
        assert_eq!(
            outputs.len(),
            probabilities.len(),
            "outputs and probabilities"
        );
        let m = outputs.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
        let mut sum = T::zero();
        for (p, &x) in probabilities.iter_mut().zip(outputs) {
            *p = (x - m).exp();
            sum = sum + *p;
        }
        probabilities.iter_mut().for_each(|p| *p = *p / sum);
    }
}

impl<T: Float> Probabilities<T> for BceWithLogits {
    /// `pᵢ = 1 / (1 + e^(−xᵢ))`.
    fn probabilities(&self, outputs: &[T], probabilities: &mut [T]) {
        assert_eq!(
            outputs.len(),
            probabilities.len(),
            "outputs and probabilities"
        );
        for (p, &x) in probabilities.iter_mut().zip(outputs) {
            *p = T::one() / (T::one() + (-x).exp());
        }
    }

    fn class(&self, outputs: &[T]) -> T {
        match outputs {
            [x] if *x > T::zero() => T::one(),
            [_] => T::zero(),
            _ => argmax(outputs),
        }
    }
}
