//! A classifier's predictions: probabilities and classes from the model's logits.

use alloc::vec::Vec;
use num_traits::Float;

use super::Trainer;
use crate::error::Error;
use crate::loss::Probabilities;
use crate::model::Model;
use crate::optim::UpdateRule;

impl<M, L, R, T> Trainer<M, L, R, T>
where
    T: Float,
    M: Model<T>,
    L: Probabilities<T>,
    R: UpdateRule<T>,
{
    /// The class probabilities for a batch of inputs, row-major like the outputs
    /// (scikit-learn's `predict_proba`): the softmax of each row for
    /// [`CrossEntropy`](crate::CrossEntropy), the sigmoid of each output for
    /// [`BceWithLogits`](crate::BceWithLogits).
    ///
    /// # Errors
    ///
    /// As [`predict`](Self::predict).
    ///
    /// ```
    /// use backprop::{Activation, CrossEntropy, Network, Sgd, Trainer};
    ///
    /// let net = Network::builder(2).dense(3, Activation::Identity).seed(1).build()?;
    /// let trainer = Trainer::new(net, CrossEntropy::class_indices(), Sgd::new(0.1))?;
    /// let p = trainer.predict_proba(&[0.5, -1.0, 2.0, 0.0])?;
    /// assert!(p.chunks(3).all(|row| (row.iter().sum::<f64>() - 1.0).abs() < 1e-15));
    /// assert_eq!(trainer.predict_classes(&[0.5, -1.0, 2.0, 0.0])?.len(), 2);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn predict_proba(&self, inputs: &[T]) -> Result<Vec<T>, Error> {
        let outputs = self.predict(inputs)?;
        let mut probabilities = alloc::vec![T::zero(); outputs.len()];
        let width = self.model().output_len();
        for (out, p) in outputs
            .chunks_exact(width)
            .zip(probabilities.chunks_exact_mut(width))
        {
            self.loss().probabilities(out, p);
        }
        Ok(probabilities)
    }

    /// The predicted class of each row of a batch of inputs, as whole numbers of `T`
    /// (scikit-learn's `predict`), ready for [`metrics`](crate::metrics).
    ///
    /// # Errors
    ///
    /// As [`predict`](Self::predict).
    pub fn predict_classes(&self, inputs: &[T]) -> Result<Vec<T>, Error> {
        let outputs = self.predict(inputs)?;
        let width = self.model().output_len();
        Ok(outputs
            .chunks_exact(width)
            .map(|out| self.loss().class(out))
            .collect())
    }
}
