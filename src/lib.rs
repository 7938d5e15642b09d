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
//! # Concepts
//!
//! - A [`Model`] maps a row-major batch of inputs to outputs and back-propagates
//!   `∂L/∂output` to `∂L/∂parameters`. [`Neuron`] is the lecture's model; [`Network`]
//!   stacks dense layers, seeded ([`Init`]) or loaded from PyTorch weights.
//! - A [`Loss`] scores one sample and writes its gradient in the same pass ([`Mse`],
//!   [`Mae`], [`Huber`], [`SmoothL1`], [`Bce`], [`BceWithLogits`], [`CrossEntropy`]).
//! - An [`Optimizer`] turns the gradient into an update of the flat parameters ([`Sgd`]).
//! - A [`Trainer`] composes the three, owns the reusable buffers and checks every step;
//!   [`Epochs`] runs it over a data set in (shuffled) mini-batches.
//! - [`gradcheck`] verifies any model's and loss's gradient by finite differences.
//!
//! # Conventions
//!
//! - Parameters are one contiguous `&[T]`; gradients use the same layout. A neuron is
//!   `[w₀, …, wₙ₋₁, b]`, PyTorch's `nn.Linear` weight then bias.
//! - A batch is a row-major matrix: sample after sample.
//! - A loss works on one sample; the trainer averages over the batch, which is PyTorch's
//!   `reduction='mean'`: losses average over a sample's outputs, except
//!   [`CrossEntropy`], which sums over its classes (see [`Loss`]).
//!
//! # Features
//!
//! - `std` (default): `std::error::Error` for [`Error`]. Without it the crate is
//!   `no_std` and needs only `alloc`.
//!
//! The derivation behind every formula is in `docs/math.md` of the repository.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

mod activation;
mod clip;
mod dual;
mod epoch;
mod error;
mod finite;
pub mod gradcheck;
mod loss;
mod model;
mod optim;
mod rng;
mod schedule;
mod trainer;

pub use activation::{Activation, ActivationFunction};
pub use clip::{clip_grad_norm, clip_grad_value};
pub use dual::Dual;
pub use epoch::Epochs;
pub use error::{Error, Quantity};
pub use loss::{Bce, BceWithLogits, CrossEntropy, Huber, Loss, Mae, Mse, SmoothL1};
pub use model::{Init, LayerShape, Network, NetworkBuilder, WeightInit};
pub use model::{Model, Neuron};
pub use optim::{Adagrad, Adam, AdamW, Optimizer, RmsProp, Sgd};
pub use schedule::{
    CosineAnnealingLr, ExponentialLr, LinearLr, LrSchedule, PlateauMode, ReduceLrOnPlateau, StepLr,
    ThresholdMode,
};
pub use trainer::{Step, Trainer};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
