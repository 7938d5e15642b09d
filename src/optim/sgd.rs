//! Stochastic gradient descent.

use num_traits::Float;

use super::{check_initial_learning_rate, check_learning_rate, Optimizer};
use crate::error::Error;

/// Plain gradient descent (PyTorch's `torch.optim.SGD` with its defaults).
///
/// # Math
///
/// ```text
/// θ ← θ − lr · g
/// ```
///
/// the lecture's `w ← w − lr · dloss/dw`, computed as `w - lr * g` so f64 matches it
/// bit for bit.
///
/// ```
/// use backprop::{Optimizer, Sgd};
///
/// let mut sgd = Sgd::new(0.1);
/// let mut w = [0.7];
/// let gradient = 2.0 * (1.2 * 0.7 - 0.4) * 1.2; // dL/dw = 2(a − y)·x
/// sgd.step(&mut w, &[gradient]);
/// assert_eq!(w, [0.5943999999999999]); // the lecture's first updated weight
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd<T> {
    lr: T,
}

impl<T: Float> Sgd<T> {
    /// Gradient descent with learning rate `lr` (checked by [`Optimizer::validate`],
    /// which [`Trainer::new`](crate::Trainer::new) calls).
    pub fn new(lr: T) -> Self {
        Self { lr }
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), grads.len(), "parameters and gradients");
        for (p, &g) in params.iter_mut().zip(grads) {
            *p = *p - self.lr * g;
        }
    }

    fn learning_rate(&self) -> T {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        check_learning_rate(lr)?;
        self.lr = lr;
        Ok(())
    }

    fn validate(&self) -> Result<(), Error> {
        check_initial_learning_rate(self.lr)
    }

    fn reset(&mut self) {}
}
