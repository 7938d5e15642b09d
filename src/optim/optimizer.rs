//! What every optimizer shares: the learning rate, the step count and the state.

use alloc::vec::Vec;
use num_traits::Float;

use super::UpdateRule;
use crate::error::{check_non_negative, check_positive, Error, Quantity};
use crate::finite::first_non_finite;

/// An [`UpdateRule`] with its learning rate, its step count and its state.
///
/// The built-in rules' constructors return one ([`Sgd::new`](crate::Sgd::new),
/// [`Adam::new`](crate::Adam::new), …) with builder methods for their hyper-parameters;
/// [`Optimizer::new`] runs a rule of your own. The state (momentum, moments) is one flat
/// buffer of [`UpdateRule::state_len`] values, zeros before the first step. A
/// [`Trainer`](crate::Trainer) owns the optimizer, undoes any update that would leave a
/// parameter or a state value non-finite, and checkpoints all of it.
///
/// ```
/// use backprop::{Momentum, Optimizer, Sgd};
///
/// let mut sgd = Sgd::new(0.1).momentum(Momentum::Classic(0.9));
/// sgd.validate()?;
/// let mut w = [1.0];
/// sgd.step(&mut w, &[1.0])?; // b = g = 1
/// sgd.step(&mut w, &[1.0])?; // b = 0.9·1 + 1
/// assert_eq!(w, [1.0 - 0.1 * 1.0 - 0.1 * 1.9]);
/// assert_eq!((sgd.step_count(), sgd.state()), (2, &[1.9][..]));
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Optimizer<T, R> {
    /// The formula and its hyper-parameters.
    pub(crate) rule: R,
    /// The learning rate in force.
    lr: T,
    /// Updates applied since creation or the last reset.
    steps: u64,
    /// The rule's state: meaningful only once `steps > 0`.
    state: Vec<T>,
}

impl<T: Float, R: UpdateRule<T>> Optimizer<T, R> {
    /// Runs `rule` at learning rate `lr`, from step 0 with no state yet.
    ///
    /// Nothing is checked here; [`validate`](Self::validate) (which
    /// [`Trainer::new`](crate::Trainer::new) calls) checks everything once.
    pub fn new(rule: R, lr: T) -> Self {
        Self {
            rule,
            lr,
            steps: 0,
            state: Vec::new(),
        }
    }

    /// The update rule, with its hyper-parameters.
    pub fn rule(&self) -> &R {
        &self.rule
    }

    /// The learning rate in force.
    pub fn learning_rate(&self) -> T {
        self.lr
    }

    /// Sets the learning rate (schedules do, between steps); zero is allowed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] named `lr` for a negative or non-finite rate; the
    /// old rate stays.
    pub fn set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        check_non_negative("lr", lr)?;
        self.lr = lr;
        Ok(())
    }

    /// How many updates were applied since creation or the last [`reset`](Self::reset).
    pub fn step_count(&self) -> u64 {
        self.steps
    }

    /// The rule's state, in the layout the rule documents (Adam: `[m…, v…]`); empty
    /// before the first step.
    pub fn state(&self) -> &[T] {
        &self.state
    }

    /// Forgets the state, as if no step had been taken; the learning rate stays.
    pub fn reset(&mut self) {
        self.state.clear();
        self.steps = 0;
    }

    /// Checks the learning rate and the rule's hyper-parameters, as PyTorch's
    /// constructors do (a little more strictly: see each rule's `# Errors`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] named `lr` for a rate that is not positive and
    /// finite (PyTorch refuses only negative rates; a zero initial rate never learns, so
    /// it is refused as the mistake it almost always is, while a schedule may still bring
    /// the rate to zero), then whatever [`UpdateRule::validate`] refuses.
    pub fn validate(&self) -> Result<(), Error> {
        check_positive("lr", self.lr)?;
        self.rule.validate()
    }

    /// Applies one update to `params` from `grads`, outside any trainer.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `grads` is not as long as `params`
    /// ([`Quantity::Gradient`]), or if the optimizer has stepped on another number of
    /// parameters ([`Quantity::OptimizerState`]; [`reset`](Self::reset) it first).
    /// Nothing changes then. Unlike a trainer's step, the update is not checked for
    /// non-finite results.
    pub fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        if grads.len() != params.len() {
            return Err(Error::LengthMismatch {
                what: Quantity::Gradient,
                expected: params.len(),
                actual: grads.len(),
            });
        }
        self.fit_state(params.len())?;
        self.apply(params, grads);
        Ok(())
    }

    /// Makes the state fit `param_len` parameters: zeros of the rule's length before the
    /// first step; after it, the state must already have that length.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] on [`Quantity::OptimizerState`] for a stepped state of
    /// another length; nothing changes. [`Error::TooLarge`] if the allocator refuses the
    /// state (it is then empty, as before a first step).
    pub(crate) fn fit_state(&mut self, param_len: usize) -> Result<(), Error> {
        let expected = self.rule.state_len(param_len);
        if self.steps == 0 {
            self.state.clear();
            self.state
                .try_reserve_exact(expected)
                .map_err(|_| Error::TooLarge {
                    what: Quantity::OptimizerState,
                })?;
            self.state.resize(expected, T::zero());
        } else if self.state.len() != expected {
            return Err(Error::LengthMismatch {
                what: Quantity::OptimizerState,
                expected,
                actual: self.state.len(),
            });
        }
        Ok(())
    }

    /// The update itself, on a state that fits (see [`fit_state`](Self::fit_state)).
    fn apply(&mut self, params: &mut [T], grads: &[T]) {
        let t = self.steps.saturating_add(1); // a restored count may be u64::MAX
        self.rule.update(t, self.lr, params, grads, &mut self.state);
        self.steps = t;
    }

    /// The update, or none at all: if it leaves a parameter or a state value non-finite,
    /// the parameters, the state and the step count are put back from copies taken in
    /// `undo` (whose capacity is kept, so after the first step this allocates nothing),
    /// and the quantity that diverged is returned.
    pub(crate) fn step_or_undo(
        &mut self,
        params: &mut [T],
        grads: &[T],
        undo: &mut Vec<T>,
    ) -> Result<(), Quantity> {
        undo.clear();
        undo.extend_from_slice(params);
        undo.extend_from_slice(&self.state);
        let steps = self.steps;
        self.apply(params, grads);
        let diverged = if first_non_finite(params).is_some() {
            Quantity::Parameters
        } else if first_non_finite(&self.state).is_some() {
            Quantity::OptimizerState
        } else {
            return Ok(());
        };
        let (saved_params, saved_state) = undo.split_at(params.len());
        params.copy_from_slice(saved_params);
        self.state.copy_from_slice(saved_state);
        self.steps = steps;
        Err(diverged)
    }
}
