//! What every optimizer shares: the learning rate, the step count and the state.

use alloc::vec::Vec;
use core::ops::Range;
use num_traits::Float;

use super::group::{check_ranges, Group, Segments};
use super::{Evaluate, Objective, OneParameter, OutOfPlace, Undo, UpdateRule};
use crate::error::{check_non_negative, check_positive, CheckpointFault, Error, Quantity};
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
    /// Parameter groups, each with its own rule value and rate; the rest of the
    /// parameters take `rule` and `lr`.
    groups: Vec<Group<T, R>>,
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
            groups: Vec::new(),
        }
    }

    /// The update rule, with its hyper-parameters.
    pub fn rule(&self) -> &R {
        &self.rule
    }

    /// The parameter groups, in the order they were added.
    pub fn groups(&self) -> &[Group<T, R>] {
        &self.groups
    }

    /// Gives the parameters in `ranges` their own rule value and learning rate, as a
    /// PyTorch `param_group` does: `change` receives this optimizer's rule and rate
    /// (without groups) and returns them changed, by the same builder methods.
    /// Parameters in no group keep this optimizer's own rule and rate, as they would in
    /// PyTorch had they been put in a group with the optimizer's defaults.
    ///
    /// Each range of a group is updated on its own slices of the parameters, the
    /// gradient and the state, so the rule must update each parameter from its own
    /// values only, as every built-in rule but [`Lbfgs`](crate::Lbfgs) does (which,
    /// as in PyTorch, refuses groups). Schedules scale every group's rate (each group's
    /// rate is the schedule applied to that group's rate when it was attached);
    /// clipping stays global.
    ///
    /// # Errors
    ///
    /// Nothing is checked here. [`Trainer::new`](crate::Trainer::new) refuses, with
    /// [`Error::InvalidGroup`], a range that is empty, ends beyond the model's
    /// parameters or overlaps another group's range, and, as [`validate`](Self::validate)
    /// does, a group's rate or rule value out of range.
    ///
    /// ```
    /// use backprop::{Activation, Momentum, Mse, Network, Sgd, Trainer, WeightDecay};
    ///
    /// let net = Network::builder(2).dense(3, Activation::Tanh).dense(1, Activation::Identity).build()?;
    /// // weight decay on the weights only, and half the rate for the last layer's
    /// let sgd = Sgd::new(0.1)
    ///     .momentum(Momentum::Classic(0.9))
    ///     .group(net.weights(0), |g| g.weight_decay(WeightDecay::L2(1e-4)))
    ///     .group(net.weights(1), |g| g.weight_decay(WeightDecay::L2(1e-4)).lr(0.05));
    /// let mut trainer = Trainer::new(net, Mse, sgd)?;
    /// trainer.step(&[0.5, -1.0], &[0.3])?;
    /// assert_eq!(trainer.optimizer().groups()[1].learning_rate(), 0.05);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn group<I>(mut self, ranges: I, change: impl FnOnce(Self) -> Self) -> Self
    where
        I: IntoIterator<Item = Range<usize>>,
        R: Clone,
    {
        let changed = change(Self::new(self.rule.clone(), self.lr));
        self.groups.push(Group {
            ranges: ranges.into_iter().collect(),
            rule: changed.rule,
            lr: changed.lr,
            initial_lr: changed.lr,
        });
        self
    }

    /// Sets the learning rate, by value: for a group's `change` in
    /// [`group`](Self::group) (PyTorch's `lr` key of a `param_group`).
    pub fn lr(mut self, lr: T) -> Self {
        self.lr = lr;
        self
    }

    /// Makes every group's rate in force the one a schedule scales from now on.
    pub(crate) fn anchor_group_rates(&mut self) {
        for group in &mut self.groups {
            group.initial_lr = group.lr;
        }
    }

    /// Sets this optimizer's rate to `lr` and every group's to `rate(initial, current)`
    /// of its own, or (for any rate negative or not finite) nothing at all.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] named `lr` for the first refused rate.
    pub(crate) fn set_all_rates(&mut self, lr: T, rate: impl Fn(T, T) -> T) -> Result<(), Error> {
        check_non_negative("lr", lr)?;
        for group in &self.groups {
            check_non_negative("lr", rate(group.initial_lr, group.lr))?;
        }
        for group in &mut self.groups {
            group.lr = rate(group.initial_lr, group.lr);
        }
        self.lr = lr;
        Ok(())
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
        self.rule.validate()?;
        if self.rule.evaluates() && !self.groups.is_empty() {
            // as PyTorch's LBFGS: its history spans all parameters at once
            return Err(Error::IncompatibleHyperparameters {
                name: "param_groups",
                conflicts_with: "evaluating rule",
            });
        }
        for group in &self.groups {
            check_positive("lr", group.lr)?;
            group.rule.validate()?;
        }
        Ok(())
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
        check_gradient_len(params, grads)?;
        self.fit_state(params.len())?;
        self.apply(params, grads);
        Ok(())
    }

    /// Applies one update of a rule that evaluates the objective again ([`Lbfgs`]),
    /// outside any trainer: `loss` and `grads` are the objective at `params`, and
    /// `evaluate(params, grads)` writes the gradient at other parameters and returns the
    /// loss there. Returns how many evaluations the update made, the first (`loss`)
    /// included. For any other rule this is [`step`](Self::step), one evaluation.
    ///
    /// # Errors
    ///
    /// As [`step`](Self::step), and whatever `evaluate` returns, or
    /// [`Error::Diverged`] if the update would leave a parameter or a state value NaN or
    /// infinite; the parameters, the state and the step count are then put back (from a
    /// copy this call allocates).
    ///
    /// [`Lbfgs`]: crate::Lbfgs
    pub fn step_with(
        &mut self,
        params: &mut [T],
        grads: &[T],
        loss: T,
        evaluate: &mut Evaluate<'_, T>,
    ) -> Result<usize, Error> {
        check_gradient_len(params, grads)?;
        self.fit_state(params.len())?;
        let mut objective = Objective::new(loss, evaluate);
        let step = self.steps;
        self.step_with_or_undo(params, grads, &mut objective, &mut Undo::new(), step)
    }

    /// Makes the state fit `param_len` parameters: zeros of the rule's length before the
    /// first step; after it, the state must already have that length.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] on [`Quantity::OptimizerState`] for a stepped state of
    /// another length; nothing changes. [`Error::TooLarge`] if the allocator refuses the
    /// state (it is then empty, as before a first step).
    #[inline]
    pub(crate) fn fit_state(&mut self, param_len: usize) -> Result<(), Error> {
        if self.state_fits(param_len) {
            return Ok(());
        }
        self.fit_state_afresh(param_len)
    }

    /// Whether the state already fits `param_len` parameters, as
    /// [`fit_state`](Self::fit_state) would leave it: a stepped state of the rule's
    /// length, without groups to check (what every step after the first asks).
    #[inline]
    pub(crate) fn state_fits(&self, param_len: usize) -> bool {
        self.steps > 0
            && param_len > 0
            && self.groups.is_empty()
            && self.state.len() == self.rule.state_len(param_len)
    }

    /// [`fit_state`](Self::fit_state) the long way: groups checked, the state sized.
    #[inline(never)]
    fn fit_state_afresh(&mut self, param_len: usize) -> Result<(), Error> {
        check_ranges(&self.groups, param_len)?;
        let expected = self.segments(param_len).fold(0usize, |sum, s| {
            sum.saturating_add(s.rule.state_len(s.range.len()))
        });
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
    /// Each group's ranges, and the parameters in none, get their own rule's update on
    /// their slices of the parameters, the gradient and the state (laid out segment after
    /// segment, in the order of the parameters).
    #[inline]
    fn apply(&mut self, params: &mut [T], grads: &[T]) {
        let t = self.steps.saturating_add(1); // a restored count may be u64::MAX
        if self.groups.is_empty() && !params.is_empty() {
            // one segment, all of it: no walk over groups
            self.rule.update(t, self.lr, params, grads, &mut self.state);
            self.steps = t;
            return;
        }
        let segments = Segments {
            groups: &self.groups,
            rule: &self.rule,
            lr: self.lr,
            position: 0,
            len: params.len(),
        };
        let mut offset = 0;
        for segment in segments {
            let range = segment.range;
            let state_len = segment.rule.state_len(range.len());
            let state = &mut self.state[offset..offset + state_len];
            segment.rule.update(
                t,
                segment.lr,
                &mut params[range.clone()],
                &grads[range],
                state,
            );
            offset += state_len;
        }
        self.steps = t;
    }

    /// Asks each group's rule (and the optimizer's own, for parameters in no group)
    /// whether its part of the state is one its updates can produce, for `param_len`
    /// parameters; the fault's index is into the whole state.
    pub(crate) fn check_state(&self, param_len: usize) -> Result<(), CheckpointFault> {
        let mut offset = 0;
        for segment in self.segments(param_len) {
            let state_len = segment.rule.state_len(segment.range.len());
            let state = &self.state[offset..offset + state_len];
            segment
                .rule
                .check_state(state)
                .map_err(|fault| match fault {
                    CheckpointFault::ImpossibleState { what, index } => {
                        CheckpointFault::ImpossibleState {
                            what,
                            index: offset + index,
                        }
                    }
                    other => other,
                })?;
            offset += state_len;
        }
        Ok(())
    }

    /// The parameters `0..len` cut into groups' ranges and stretches in no group.
    fn segments(&self, len: usize) -> Segments<'_, T, R> {
        Segments {
            groups: &self.groups,
            rule: &self.rule,
            lr: self.lr,
            position: 0,
            len,
        }
    }

    /// Whether [`step_one`](Self::step_one) can update: no state and no groups.
    #[inline(always)]
    pub(crate) fn steps_one(&self) -> bool {
        self.groups.is_empty() && self.state.is_empty()
    }

    /// The update of a single parameter `param` with gradient `grad`, written back only
    /// if it is finite (else the quantity that diverged, and nothing changed). For an
    /// optimizer that [`steps_one`](Self::steps_one); the same arithmetic as
    /// [`step_or_undo`](Self::step_or_undo).
    #[inline(always)]
    pub(crate) fn step_one(&mut self, param: &mut T, grad: T) -> Result<(), Quantity> {
        debug_assert!(self.steps_one(), "a stateless optimizer without groups");
        let t = self.steps.saturating_add(1); // a restored count may be u64::MAX
        let (lr, old) = (self.lr, *param);
        let one = OneParameter {
            t,
            lr,
            param: old,
            grad,
        };
        let updated = self.rule.update_one(one).unwrap_or_else(|| {
            let mut copy = [old];
            self.rule.update(t, lr, &mut copy, &[grad], &mut []);
            copy[0]
        });
        if !updated.is_finite() {
            return Err(Quantity::Parameters);
        }
        *param = updated;
        self.steps = t;
        Ok(())
    }

    /// The update, or none at all: if it leaves a parameter or a state value non-finite,
    /// the parameters, the state and the step count are put back from copies taken in
    /// `undo` (whose capacity is kept, so after the first step this allocates nothing),
    /// and the quantity that diverged is returned.
    #[inline]
    pub(crate) fn step_or_undo(
        &mut self,
        params: &mut [T],
        grads: &[T],
        undo: &mut Undo<T>,
    ) -> Result<(), Quantity> {
        if self.groups.is_empty() {
            if let Some(outcome) = self.step_out_of_place(params, grads, undo) {
                return outcome;
            }
        }
        let steps = self.save(params, undo);
        self.apply(params, grads);
        if let Some(diverged) = non_finite(params, &self.state) {
            self.restore(params, undo, steps);
            return Err(diverged);
        }
        Ok(())
    }

    /// [`step_or_undo`](Self::step_or_undo) by a rule that updates out of place (see
    /// [`UpdateRule::update_out_of_place`]), or `None`, having changed nothing, if the
    /// rule declines or `undo` is not sized for it. The rule copies the parameters into
    /// `undo.params` as it updates them and writes the new state into `undo.state`, which
    /// becomes the state if the step stands.
    #[inline]
    fn step_out_of_place(
        &mut self,
        params: &mut [T],
        grads: &[T],
        undo: &mut Undo<T>,
    ) -> Option<Result<(), Quantity>> {
        // sized by the trainer; a rule that declines leaves all this to the compiler to
        // remove, as it has no effect
        if !undo.fits(params.len(), self.state.len()) {
            return None;
        }
        let t = self.steps.saturating_add(1); // a restored count may be u64::MAX
        let update = OutOfPlace {
            t,
            lr: self.lr,
            params,
            saved_params: &mut undo.params,
            grads,
            state: &self.state,
            new_state: &mut undo.state,
        };
        if !self.rule.update_out_of_place(update) {
            return None;
        }
        if let Some(diverged) = non_finite(params, &undo.state) {
            params.copy_from_slice(&undo.params);
            return Some(Err(diverged));
        }
        core::mem::swap(&mut self.state, &mut undo.state);
        self.steps = t;
        Some(Ok(()))
    }

    /// The update of a rule that evaluates the objective (L-BFGS), or none at all: if an
    /// evaluation fails or the update leaves a parameter or a state value non-finite
    /// (then [`Error::Diverged`] at trainer step `step`), everything is put back from
    /// `undo`. Returns the number of evaluations, the first included.
    pub(crate) fn step_with_or_undo(
        &mut self,
        params: &mut [T],
        grads: &[T],
        objective: &mut Objective<'_, T>,
        undo: &mut Undo<T>,
        step: u64,
    ) -> Result<usize, Error> {
        let steps = self.save(params, undo);
        let t = steps.saturating_add(1); // a restored count may be u64::MAX
        let (lr, state) = (self.lr, &mut self.state);
        let outcome = self
            .rule
            .update_with(t, lr, params, grads, state, objective)
            .and_then(|()| match non_finite(params, &self.state) {
                Some(what) => Err(Error::Diverged { step, what }),
                None => Ok(objective.evaluations()),
            });
        match outcome {
            Ok(_) => self.steps = t,
            Err(_) => self.restore(params, undo, steps),
        }
        outcome
    }

    /// Copies the parameters and the state into `undo`; returns the step count.
    #[inline]
    fn save(&self, params: &[T], undo: &mut Undo<T>) -> u64 {
        undo.take(params, &self.state);
        self.steps
    }

    /// Puts back what [`save`](Self::save) copied, and the step count.
    #[cold]
    #[inline(never)]
    fn restore(&mut self, params: &mut [T], undo: &Undo<T>, steps: u64) {
        params.copy_from_slice(&undo.params);
        self.state.copy_from_slice(&undo.state);
        self.steps = steps;
    }
}

/// Refuses a gradient that is not as long as the parameters.
fn check_gradient_len<T>(params: &[T], grads: &[T]) -> Result<(), Error> {
    if grads.len() == params.len() {
        return Ok(());
    }
    Err(Error::LengthMismatch {
        what: Quantity::Gradient,
        expected: params.len(),
        actual: grads.len(),
    })
}

/// Which of the parameters and the state holds a NaN or an infinity, if any.
#[inline]
fn non_finite<T: Float>(params: &[T], state: &[T]) -> Option<Quantity> {
    if first_non_finite(params).is_some() {
        Some(Quantity::Parameters)
    } else if first_non_finite(state).is_some() {
        Some(Quantity::OptimizerState)
    } else {
        None
    }
}
