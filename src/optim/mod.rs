//! Optimizers: how a gradient becomes a change of the parameters.
//!
//! An optimizer is an update rule ([`UpdateRule`]: the formula, written once) run by an
//! [`Optimizer`], which owns what every rule shares: the learning rate, the step count
//! and the flat state buffer (momentum, moments), with their validation, reset and
//! checkpointing. A rule of your own is one method, plus four with defaults.
//!
//! Every built-in rule follows PyTorch's `torch.optim` class of the same name: the same
//! update in the same order of operations (its single-tensor, `foreach=False` code path),
//! the same defaults and the same hyper-parameter names, checked against trajectories
//! PyTorch produced (`tools/reference_optimizers.py`, `tests/pytorch/`). In f64 they
//! agree to 1e-12 relative or better.
//!
//! | rule        | PyTorch                | state, per parameter                    |
//! |-------------|------------------------|-----------------------------------------|
//! | [`Sgd`]     | `torch.optim.SGD`      | momentum buffer (with [`Momentum`])     |
//! | [`Adam`]    | `torch.optim.Adam`     | m, v, and v_max (if amsgrad)            |
//! | [`AdamW`]   | `torch.optim.AdamW`    | [`Adam`] with [`WeightDecay::Decoupled`] |
//! | [`RmsProp`] | `torch.optim.RMSprop`  | v, momentum buffer, gradient average    |
//! | [`Adagrad`] | `torch.optim.Adagrad`  | sum of squared gradients                |
//! | [`Lbfgs`]   | `torch.optim.LBFGS`    | `2·history_size` vectors, and a few more |
//!
//! # Rules that evaluate again, and parameter groups
//!
//! - **L-BFGS** ([`Lbfgs`]) evaluates the loss and gradient several times per step. Its
//!   update receives an [`Objective`] (a closure running forward, loss and backward at
//!   given parameters) through [`UpdateRule::update_with`], whose default calls
//!   [`update`](UpdateRule::update) once, so rules written before stay valid. Its
//!   history (`2·history_size` vectors and a few scalars) is state like any other, so
//!   the [`Optimizer`] sizes, undoes and checkpoints it unchanged.
//! - **Parameter groups** ([`Optimizer::group`]; another learning rate or weight decay
//!   for ranges of the parameters, such as no decay on biases) are ranges of the flat
//!   buffer, each group with its own rule value and learning rate. The [`Optimizer`]
//!   calls [`update`](UpdateRule::update) once per range on the sub-slices of the
//!   parameters, the gradient and the state, which is why a rule sees only slices and
//!   must not assume they are the whole model.
//!
//! # Where other libraries differ
//!
//! The same name does not mean the same rule elsewhere; porting hyper-parameters from
//! optax or TensorFlow/Keras needs care:
//!
//! - **eps inside or outside the root.** PyTorch (and so this crate) divides by
//!   `√v + eps` in RMSprop and Adagrad. TensorFlow's RMSprop puts eps inside the root,
//!   `√(v + eps)` (PyTorch's own docs note that TensorFlow interchanges the two), and so
//!   do optax's `rmsprop`/`scale_by_rms` and `adagrad` by default.
//! - **Adam's eps and bias correction.** PyTorch adds eps after the bias-corrected
//!   root: `m̂ / (√v̂ + eps)` with `v̂ = v / (1 − β₂ᵗ)`; optax's `adam` does the same
//!   (its `eps_root`, inside the root, defaults to 0). TensorFlow/Keras use the paper's
//!   "epsilon hat" form, `lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε̂)`, which adds eps
//!   *before* the bias correction: the same as PyTorch only with
//!   `eps = ε̂ / √(1 − β₂ᵗ)`, which changes with t. Keras's default ε̂ is 1e-7, PyTorch's
//!   eps 1e-8.
//! - **Momentum.** PyTorch's SGD starts its buffer at the first gradient itself (no
//!   dampening on step 1) and keeps the learning rate out of it (`b ← μb + (1 − τ)g`,
//!   `θ ← θ − lr·b`); TensorFlow/Keras accumulate `lr·g` in the buffer (Sutskever et
//!   al.'s form), so the two differ as soon as the learning rate changes. optax's
//!   `trace` starts at zero, which matches PyTorch only without dampening (optax has
//!   none).
//! - **Decoupled weight decay.** PyTorch's AdamW shrinks by `lr·weight_decay`
//!   (`θ ← θ·(1 − lr·λ)`), default λ = 0.01; optax's `adamw` also scales by the learning
//!   rate (default 1e-4), Keras's AdamW defaults to 0.004. L2 weight decay is added to
//!   the gradient, `g ← g + λθ`, as in PyTorch.
//! - **Defaults.** RMSprop: PyTorch `alpha = 0.99`, `eps = 1e-8`, `lr = 0.01`;
//!   Keras `rho = 0.9`, `epsilon = 1e-7`; optax `decay = 0.9`. Adagrad: PyTorch
//!   `initial_accumulator_value = 0`, `eps = 1e-10`; Keras and optax start the
//!   accumulator at 0.1 with eps 1e-7.
//!
//! # Deviations from PyTorch
//!
//! Hyper-parameters are checked a little more strictly than PyTorch does (see each
//! rule's `# Errors`): non-finite values are refused everywhere, the initial `lr` must be
//! positive, `eps` must be positive, momentum and RMSprop's `alpha` must lie in `[0, 1)`
//! and SGD's `dampening` in `[0, 1]`. [`WeightDecay::Decoupled`] is accepted by every
//! rule (PyTorch offers it as AdamW only; for SGD it is Loshchilov and Hutter's SGDW).

mod adagrad;
mod adam;
mod group;
mod lbfgs;
mod objective;
mod one_parameter;
mod optimizer;
mod options;
mod out_of_place;
mod rmsprop;
mod sgd;
mod strong_wolfe;
mod undo;

pub use adagrad::Adagrad;
pub use adam::{Adam, AdamW};
pub use group::Group;
pub use lbfgs::{Lbfgs, LineSearch};
pub use objective::{Evaluate, Objective};
pub use optimizer::Optimizer;
pub use options::{Momentum, WeightDecay};
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

use one_parameter::OneParameter;
use out_of_place::OutOfPlace;
pub(crate) use undo::Undo;

use alloc::boxed::Box;
use num_traits::Float;

use crate::error::{CheckpointFault, Error};

/// One optimizer's formula: how step `t` changes the parameters, given the gradient and
/// the rule's own state.
///
/// Implement it for an optimizer of your own and run it with [`Optimizer::new`]; the
/// [`Optimizer`] keeps the learning rate, the step count and the state, and the
/// [`Trainer`](crate::Trainer) refuses (and undoes) any update that leaves a parameter
/// or a state value non-finite. The trait is object safe.
///
/// ```
/// use backprop::{Float, Mse, Neuron, Optimizer, Trainer, UpdateRule};
///
/// /// sign-SGD: θ ← θ − lr·sign(g)
/// struct SignSgd;
///
/// impl<T: Float> UpdateRule<T> for SignSgd {
///     fn update(&self, _t: u64, lr: T, params: &mut [T], grads: &[T], _state: &mut [T]) {
///         for (p, g) in params.iter_mut().zip(grads) {
///             *p = *p - lr * g.signum();
///         }
///     }
/// }
///
/// let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Optimizer::new(SignSgd, 0.1))?;
/// trainer.step(&[1.2], &[0.4])?;
/// assert_eq!(trainer.model().weights(), &[0.6]); // 0.7 − 0.1·sign(1.056)
/// # Ok::<(), backprop::Error>(())
/// ```
pub trait UpdateRule<T: Float> {
    /// How many state values the rule keeps for `params` parameters (default: none).
    ///
    /// Built-in rules keep whole blocks per parameter (Adam: `[m…, v…]`, so `2·params`);
    /// any length is allowed.
    fn state_len(&self, params: usize) -> usize {
        let _ = params;
        0
    }

    /// Applies step `t` (1 for the first step, 2 for the next, …) at learning rate `lr`:
    /// updates `params` in place from `grads` and the rule's `state`.
    ///
    /// `params` and `grads` have the same length `n`, and `state` holds
    /// [`state_len(n)`](Self::state_len) values: zeros at `t = 1`, afterwards what the
    /// previous update left there.
    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]);

    /// Whether [`update_with`](Self::update_with) evaluates the objective at other
    /// parameters (default: no). A [`Trainer`](crate::Trainer) then runs the update on
    /// a copy of the parameters, since each evaluation loads its point into the model.
    fn evaluates(&self) -> bool {
        false
    }

    /// Applies step `t` as [`update`](Self::update) does, with the objective at hand: its
    /// loss at `params` (whose gradient is `grads`) and evaluations at other parameters,
    /// for rules that search along a direction (L-BFGS). The default ignores it and
    /// calls [`update`](Self::update) once.
    ///
    /// # Errors
    ///
    /// Whatever an evaluation returns (the trainer's: [`Error::Diverged`] for a loss or
    /// gradient that is not finite); the [`Optimizer`] then puts the parameters, the
    /// state and the step count back.
    fn update_with(
        &self,
        t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        objective: &mut Objective<'_, T>,
    ) -> Result<(), Error> {
        let _ = objective;
        self.update(t, lr, params, grads, state);
        Ok(())
    }

    /// Checks every hyper-parameter (default: accepts all). The [`Optimizer`] checks the
    /// learning rate itself.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first hyper-parameter out of range,
    /// or [`Error::IncompatibleHyperparameters`] for values valid alone but not together.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Checks a restored `state` (of a rule that has stepped) for values the rule can
    /// never produce, such as a negative second moment (default: accepts all; optional,
    /// but without it a damaged checkpoint may restore and only fail steps later).
    ///
    /// [`Trainer::restore`](crate::Trainer::restore) calls it on a checkpoint's state,
    /// after checking that its length is [`state_len`](Self::state_len) and every value
    /// finite.
    ///
    /// # Errors
    ///
    /// [`CheckpointFault::ImpossibleState`] naming the first impossible value.
    fn check_state(&self, state: &[T]) -> Result<(), CheckpointFault> {
        let _ = state;
        Ok(())
    }

    /// The first hyper-parameter in which `other` differs from `self`, by PyTorch's name,
    /// or `None` if they are the same rule. [`Trainer::restore`](crate::Trainer::restore)
    /// refuses a checkpoint whose rule differs and names this.
    ///
    /// The default compares whole rules and names the difference `rule`; the built-in
    /// rules name the hyper-parameter.
    fn difference(&self, other: &Self) -> Option<&'static str>
    where
        Self: Sized + PartialEq,
    {
        (self != other).then_some("rule")
    }

    /// Not part of the API: the built-in rules' update out of place (see the private
    /// `out_of_place` module), which spares the [`Optimizer`] copying the state before
    /// each step. Its argument's type cannot be named outside this crate, so this method
    /// can be neither called nor implemented there. Returns whether it updated: the
    /// default declines, changing nothing, and the [`Optimizer`] updates in place.
    #[doc(hidden)]
    fn update_out_of_place(&self, update: OutOfPlace<'_, T>) -> bool {
        let _ = update;
        false
    }

    /// Not part of the API: a stateless rule's update of a single parameter, returned
    /// (see the private `one_parameter` module), or `None` where the rule has no such
    /// shortcut; the [`Optimizer`] then runs [`update`](Self::update) on a copy. Like
    /// `update_out_of_place`, it can be neither called nor implemented outside the crate.
    #[doc(hidden)]
    fn update_one(&self, one: OneParameter<T>) -> Option<T> {
        let _ = one;
        None
    }
}

/// The name of the first comparison that found a difference, for
/// [`UpdateRule::difference`]: `(differs, name)` pairs in the rule's order.
pub(crate) fn first_difference<const N: usize>(
    comparisons: [(bool, &'static str); N],
) -> Option<&'static str> {
    comparisons
        .into_iter()
        .find_map(|(differs, name)| differs.then_some(name))
}

/// Refuses a `block` of state values below `floor` (a sum of squares below 0, Adagrad's
/// sum below its initial value): `offset` is the block's start in the flat state.
pub(crate) fn check_floor<T: Float>(
    block: &[T],
    floor: T,
    what: &'static str,
    offset: usize,
) -> Result<(), CheckpointFault> {
    match block.iter().position(|v| *v < floor) {
        Some(i) => Err(CheckpointFault::ImpossibleState {
            what,
            index: offset + i,
        }),
        None => Ok(()),
    }
}

/// A boxed rule is a rule, so an optimizer can run one chosen at run time:
/// `Optimizer<T, Box<dyn UpdateRule<T>>>`.
impl<T: Float, R: UpdateRule<T> + ?Sized> UpdateRule<T> for Box<R> {
    fn state_len(&self, params: usize) -> usize {
        (**self).state_len(params)
    }

    fn update(&self, t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        (**self).update(t, lr, params, grads, state);
    }

    fn evaluates(&self) -> bool {
        (**self).evaluates()
    }

    fn update_with(
        &self,
        t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        objective: &mut Objective<'_, T>,
    ) -> Result<(), Error> {
        (**self).update_with(t, lr, params, grads, state, objective)
    }

    fn validate(&self) -> Result<(), Error> {
        (**self).validate()
    }

    fn check_state(&self, state: &[T]) -> Result<(), CheckpointFault> {
        (**self).check_state(state)
    }

    fn update_out_of_place(&self, update: OutOfPlace<'_, T>) -> bool {
        (**self).update_out_of_place(update)
    }

    fn update_one(&self, one: OneParameter<T>) -> Option<T> {
        (**self).update_one(one)
    }
}
