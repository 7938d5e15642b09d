//! What a rule that evaluates the loss again during its update (L-BFGS) is given.

use num_traits::Float;

use crate::error::Error;

/// An evaluation of the loss: writes `∂L/∂θ` at `params` (the first argument) into
/// `grads` (the second, as long) and returns `L`, as PyTorch's `closure` does.
pub type Evaluate<'a, T> = dyn FnMut(&[T], &mut [T]) -> Result<T, Error> + 'a;

/// The loss being minimized: its value at the parameters the update starts from, and an
/// evaluation of loss and gradient at any other parameters (PyTorch's `closure`).
///
/// The [`Trainer`](crate::Trainer) builds one per step on the step's batch, evaluating in
/// its own buffers; [`Optimizer::step_with`](crate::Optimizer::step_with) builds one
/// from a closure of yours. It counts the evaluations, the first one (which gave
/// [`loss`](Self::loss) and the rule's `grads`) included.
///
/// ```
/// use backprop::Objective;
///
/// // L(θ) = θ², ∂L/∂θ = 2θ
/// let mut square = |p: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * p[0];
///     Ok(p[0] * p[0])
/// };
/// let mut objective = Objective::new(9.0, &mut square); // L(3) = 9, already evaluated
/// let mut gradient = [0.0];
/// assert_eq!(objective.evaluate(&[0.5], &mut gradient)?, 0.25);
/// assert_eq!((gradient, objective.evaluations()), ([1.0], 2));
/// # Ok::<(), backprop::Error>(())
/// ```
pub struct Objective<'a, T> {
    loss: T,
    evaluate: &'a mut Evaluate<'a, T>,
    evaluations: usize,
}

impl<'a, T: Float> Objective<'a, T> {
    /// The objective whose value at the update's starting parameters is `loss` (one
    /// evaluation made), and which `evaluate(params, grads)` evaluates elsewhere: it
    /// writes `∂L/∂θ` at `params` into `grads` and returns `L`.
    pub fn new(loss: T, evaluate: &'a mut Evaluate<'a, T>) -> Self {
        Self {
            loss,
            evaluate,
            evaluations: 1,
        }
    }

    /// The loss at the parameters the update starts from.
    pub fn loss(&self) -> T {
        self.loss
    }

    /// The loss at `params`, with its gradient written into `grads` (as long as
    /// `params`).
    ///
    /// # Errors
    ///
    /// Whatever the evaluation refuses; the trainer's refuses a loss or gradient that is
    /// not finite with [`Error::Diverged`], and the step is then undone.
    pub fn evaluate(&mut self, params: &[T], grads: &mut [T]) -> Result<T, Error> {
        self.evaluations += 1;
        (self.evaluate)(params, grads)
    }

    /// How many evaluations were made, the first one included.
    pub fn evaluations(&self) -> usize {
        self.evaluations
    }
}
