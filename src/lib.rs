//! Train small neural networks by backpropagation and gradient descent, exactly.
//!
//! `backprop` starts where a first lecture on backpropagation starts, one neuron with one
//! weight trained on one sample, and reproduces that lecture's numbers to the last digit.
//! Everything is generic over the number type (`f32`, `f64`, or any
//! [`num_traits::Float`]), parameters live in one flat buffer, and a training step
//! allocates nothing once it has warmed up.
//!
//! # Quick start: the lecture
//!
//! ```
//! use backprop::{Mse, Neuron, Sgd, Trainer};
//!
//! // a = x·w, loss = (a − y)², w ← w − 0.1 · dloss/dw
//! let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
//! for _ in 0..11 {
//!     let step = trainer.step(&[1.2], &[0.4])?;
//!     println!("Loss {} Weight {}", step.loss, trainer.model().weights()[0]);
//! }
//! assert_eq!(trainer.model().weights(), &[0.3420741369012173]); // → 0.4 / 1.2
//! # Ok::<(), backprop::Error>(())
//! ```
//!
//! # A tour
//!
//! ## A network, Adam and a learning-rate schedule
//!
//! A [`Network`] stacks dense layers (PyTorch's `nn.Sequential` of `nn.Linear` and
//! activations); [`Epochs`] walks a data set in shuffled mini-batches; a schedule sets the
//! learning rate at each [`Trainer::end_epoch`].
//!
//! ```
//! use backprop::{Activation, Adam, CosineAnnealingLr, Epochs, Model, Mse, Network, Trainer};
//!
//! // y = x₀ − 2·x₁ on a grid of 25 points
//! let (mut xs, mut ys) = (vec![], vec![]);
//! for i in 0..25 {
//!     let (a, b) = ((i % 5) as f64 / 4.0, (i / 5) as f64 / 4.0);
//!     xs.extend([a, b]);
//!     ys.push(a - 2.0 * b);
//! }
//! let net = Network::builder(2)
//!     .dense(8, Activation::Tanh)
//!     .dense(1, Activation::Identity)
//!     .seed(1)
//!     .build()?;
//! let mut trainer = Trainer::new(net, Mse, Adam::new(0.02))?
//!     .schedule(CosineAnnealingLr::new(300, 0.0))?;
//! let mut epochs = Epochs::new(5).shuffle(42);
//! let first = epochs.run(&mut trainer, &xs, &ys)?;
//! trainer.end_epoch(None)?;
//! let mut last = first;
//! for _ in 1..300 {
//!     last = epochs.run(&mut trainer, &xs, &ys)?;
//!     trainer.end_epoch(None)?;
//! }
//! assert!(last < first / 100.0, "{first} → {last}");
//! let y = trainer.model().predict(&[0.5, 0.5])?;
//! assert!((y[0] - (-0.5)).abs() < 0.05);
//! # Ok::<(), backprop::Error>(())
//! ```
//!
//! ## The whole loop in one call, with early stopping
//!
//! [`Trainer::fit`] runs the epochs, evaluates a validation set, stops early
//! ([`EarlyStopping`]) and reports every step and epoch to a closure, which can stop
//! training too ([`Control::Stop`]).
//!
//! ```
//! use backprop::{Activation, Control, EarlyStopping, Epochs, Event, Fit, Momentum, Mse, Network, Sgd, Trainer};
//!
//! let net = Network::builder(1).dense(1, Activation::Identity).seed(3).build()?;
//! let mut trainer = Trainer::new(net, Mse, Sgd::new(0.1).momentum(Momentum::Classic(0.5)))?;
//! let (xs, ys) = ([0.0, 0.5, 1.0, 1.5, 2.0], [1.0, 2.0, 3.0, 4.0, 5.0]); // y = 2x + 1
//! let (val_x, val_y) = ([0.25, 1.75], [1.5, 4.5]);
//! let mut fit = Fit::new(Epochs::new(2).shuffle(7), 500)
//!     .validation(&val_x, &val_y)
//!     .early_stopping(EarlyStopping::new(10).min_delta(1e-9).restore_best(true));
//! let summary = trainer.fit_observed(&mut fit, &xs, &ys, |event| {
//!     if let Event::Epoch { epoch, loss, .. } = *event {
//!         let _ = (epoch, loss); // a progress bar would move here
//!     }
//!     Control::Continue
//! })?;
//! assert!(summary.best_validation_loss.unwrap() < 1e-8);
//! println!("{} epochs, stopped by {:?}", summary.epochs, summary.stopped);
//! # Ok::<(), backprop::Error>(())
//! ```
//!
//! ## A loss of your own, checked by finite differences
//!
//! Implement [`Loss`] (the value and `∂loss/∂prediction` of one sample); [`gradcheck`]
//! compares the backward pass through any model with central differences before you
//! trust it.
//!
//! ```
//! use backprop::{gradcheck, Activation, Loss, Network, Sgd, Trainer};
//!
//! /// log-cosh: loss = (1/n) Σ ln cosh(ŷ − y),  ∂loss/∂ŷ = tanh(ŷ − y) / n.
//! struct LogCosh;
//!
//! impl Loss<f64> for LogCosh {
//!     fn value(&self, p: &[f64], y: &[f64]) -> f64 {
//!         p.iter().zip(y).map(|(p, y)| (p - y).cosh().ln()).sum::<f64>() / p.len() as f64
//!     }
//!     fn gradient(&self, p: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
//!         for ((g, pi), yi) in grad.iter_mut().zip(p).zip(y) {
//!             *g = (pi - yi).tanh() / p.len() as f64;
//!         }
//!         self.value(p, y)
//!     }
//! }
//!
//! let mut net = Network::builder(2).dense(3, Activation::Sigmoid).dense(1, Activation::Identity).seed(5).build()?;
//! let report = gradcheck::check(&mut net, &LogCosh, &[0.5, -1.0, 2.0, 0.25], &[0.3, -0.7])?;
//! assert!(report.passes(1e-8, 1e-6), "worst: {:?}", report.worst_abs_error());
//!
//! let mut trainer = Trainer::new(net, LogCosh, Sgd::new(0.5))?; // like any built-in loss
//! trainer.step_batch(&[0.5, -1.0, 2.0, 0.25], &[0.3, -0.7])?;
//! # Ok::<(), backprop::Error>(())
//! ```
//!
//! # Concepts
//!
//! - A [`Model`] maps a row-major batch of inputs to outputs and back-propagates
//!   `∂L/∂output` to `∂L/∂parameters`. [`Neuron`] is the lecture's model; [`Network`]
//!   stacks dense layers, seeded ([`Init`]) or loaded from PyTorch weights.
//! - A [`Loss`] scores one sample and writes its gradient in the same pass ([`Mse`],
//!   [`Mae`], [`Huber`], [`SmoothL1`], [`Bce`], [`BceWithLogits`], [`CrossEntropy`]).
//! - An [`UpdateRule`] is an optimizer's formula ([`Sgd`], [`Adam`] and [`AdamW`],
//!   [`RmsProp`], [`Adagrad`]: PyTorch's rules); an [`Optimizer`] runs one, keeping the
//!   learning rate, the step count and the state. Options are data: [`Momentum`],
//!   [`WeightDecay`]. [`Lbfgs`] evaluates the loss again within a step;
//!   [`Optimizer::group`] gives ranges of the parameters their own rate and rule value.
//! - A [`Trainer`] composes the three, owns the reusable buffers and checks every step:
//!   forward, the mean loss and its gradient, backward, the finite checks, clipping, and
//!   the update (undone if it leaves the finite numbers), in that order in
//!   [`Trainer::step_batch`]. [`Epochs`] runs it over a data set in (shuffled)
//!   mini-batches, [`Trainer::fit`] over many epochs with validation and early stopping;
//!   an [`LrSchedule`] or [`ReduceLrOnPlateau`] sets the learning rate per epoch.
//! - A [`Dataset`] holds row-major inputs with a target per row; [`prepare`] shuffles,
//!   splits (stratified too) and scales ([`prepare::Standardize`], [`prepare::MinMax`])
//!   as scikit-learn does, on a `Dataset` or on plain slices.
//! - [`metrics`] scores predictions as scikit-learn's `sklearn.metrics` does.
//! - [`gradcheck`] verifies any model's and loss's gradient by finite differences;
//!   [`Dual`] numbers give exact derivatives to check against.
//! - [`derivatives`] goes beyond the gradient: Jacobians in the inputs, Hessian-vector
//!   products and Hessians in the parameters, and second derivatives in the inputs
//!   (nested duals) with the parameter gradient of a loss built from them, as a
//!   physics-informed network needs.
//!
//! # Conventions
//!
//! - Parameters are one contiguous `&[T]`; gradients use the same layout. A neuron is
//!   `[w₀, …, wₙ₋₁, b]`, PyTorch's `nn.Linear` weight then bias; a network is its layers
//!   in order, each weight row-major `[out][in]` then bias: `model.parameters()` of the
//!   same `nn.Sequential`.
//! - A batch is a row-major matrix: sample after sample.
//! - A loss works on one sample; the trainer averages over the batch, which is PyTorch's
//!   `reduction='mean'`: losses average over a sample's outputs, except
//!   [`CrossEntropy`], which sums over its classes (see [`Loss`]).
//! - Entry points return `Result<_, Error>` and change nothing when they refuse; no
//!   public function panics on user data.
//!
//! # Features
//!
//! - `std` (default): `std::error::Error` for [`Error`], and num-traits' float functions
//!   from the platform's libm. With `default-features = false` the crate is `no_std` and
//!   needs only `alloc` (floats then come from the `libm` crate); everything but the
//!   `safetensors` feature works unchanged. With std, a [`Network`] in `f32`/`f64` picks
//!   its AVX-512 or AVX2/FMA kernels at run time.
//! - `serde` (off by default, works without std): `Serialize` and `Deserialize` for
//!   [`Neuron`], [`Network`], [`Activation`], every optimizer (hyper-parameters, state and
//!   step count), the schedules, [`ReduceLrOnPlateau`], [`Epochs`] (batch size and
//!   shuffling state) and [`Checkpoint`]. Loading a network or an `Epochs` runs the same
//!   checks as building one.
//! - `safetensors`: `Network::load_safetensors` and `Network::to_safetensors` read and
//!   write parameters under PyTorch `state_dict` names (`StateDictNames`), so weights
//!   trained in PyTorch run here and back. Implies `std`.
//! - `parallel`: a [`Network`] batch of 256 rows or more runs in chunks on rayon's
//!   threads, with results bit-identical for any thread count (the chunks depend on the
//!   batch size alone, their gradients are summed in order). Implies `std`; the model's
//!   types must then be `Send + Sync`.
//! - `datasets`: five classic data sets compiled in (`datasets::iris`, `wine`,
//!   `breast_cancer`, `digits`, `diabetes`), each a [`Dataset`]: scikit-learn's copies (BSD-3-Clause),
//!   parsed exactly, no file read at run time. Works without std (adds `miniz_oxide`).
//!
//! # Checkpoints
//!
//! [`Trainer::checkpoint`] takes the trainer's state (model, optimizer with its state and
//! step count, step count, schedule progress) and [`Trainer::restore`] puts it back after
//! checking it, so training resumes bit for bit; a checkpoint that does not fit the
//! trainer or holds non-finite values is refused with [`Error::InvalidCheckpoint`] and
//! changes nothing. It also refuses a checkpoint of another optimizer configuration or
//! schedule, and an optimizer state no run could produce. With `serde` and `std`,
//! `Trainer::save` and `Trainer::load` keep checkpoints in files that a crash never
//! leaves half-written (magic header, version, CRC-32; written beside the target, synced,
//! renamed over it). `docs/reliability.md` lists every guarantee with the test proving it.
//!
//! # Should I use this crate?
//!
//! Yes for small dense networks on the CPU where you want every number explained and
//! reproducible, few dependencies, no allocation in the training loop, or a number type
//! of your own. No for GPUs, convolutions or attention, automatic differentiation of
//! arbitrary graphs, or models with millions of parameters: use PyTorch, candle or burn.
//!
//! The derivation behind every formula is in `docs/math.md` of the repository.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]
// Only src/kernel/ may use `unsafe` (gemm.rs and simd.rs: the SIMD matrix kernels, and
// blocked.rs passing their contract on; transpose.rs: the AVX copy of `Wᵀ`); each block
// says why it is sound.
#![deny(unsafe_code)]

extern crate alloc;

mod activation;
mod cast;
pub mod datasets;
pub mod derivatives;
mod error;
mod fallible;
mod finite;
mod kernel;
mod loss;
pub mod metrics;
mod model;
mod optim;
pub mod prepare;
mod rng;
#[cfg(feature = "safetensors")]
mod safetensors;
mod schedule;
#[cfg(feature = "serde")]
mod serialize;
mod trainer;
mod verify;

#[cfg(feature = "safetensors")]
pub use crate::safetensors::{Precision, SafetensorsError, StateDictNames};
pub use activation::{Activation, ActivationFunction};
pub use datasets::Dataset;
pub use error::{CheckpointFault, Error, Quantity};
pub use loss::{
    Bce, BceWithLogits, CrossEntropy, CrossEntropyTargets, Huber, Loss, Mae, Mse, Probabilities,
    SmoothL1,
};
pub use model::{Init, LayerShape, Network, NetworkBuilder, WeightInit};
pub use model::{Model, Neuron};
/// The number traits the crate is generic over, so that a loss, an activation or an
/// update rule of your own can be written with this crate alone.
pub use num_traits;
pub use num_traits::Float;
pub use optim::{Adagrad, Adam, AdamW, Momentum, Optimizer, RmsProp, Sgd, UpdateRule, WeightDecay};
pub use optim::{Evaluate, Group, Lbfgs, LineSearch, Objective};
pub use schedule::{
    CosineAnnealingLr, ExponentialLr, LinearLr, LrSchedule, PlateauMode, ReduceLrOnPlateau, StepLr,
    ThresholdMode,
};
pub use trainer::{clip_grad_norm, clip_grad_value, Checkpoint, Epochs};
pub use trainer::{Control, EarlyStopping, Event, Fit, FitSummary, Metric, StopReason, Verdict};
pub use trainer::{Step, Trainer};
pub use verify::{gradcheck, Dual};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
