//! Gradients: the backward pass against central finite differences and forward-mode
//! dual numbers, for neurons, networks and every loss, and `Dual<f64>` itself against
//! its closed forms and finite differences.
//!
//! - `gradients`: a neuron's backward pass against finite differences of the loss.
//! - `network_gradients`: a network's gradient against finite differences and
//!   `Dual<f64>`, for random architectures (property test).
//! - `dual_gradients`: a neuron's backpropagated gradient against dual numbers.
//! - `loss_gradients`: every loss's gradient against finite differences and dual numbers.
//! - `dual`: `Dual<f64>`'s arithmetic and elementary functions (property tests).
//! - `input_gradients`: `∂L/∂inputs` from `Model::backward` against finite differences
//!   and `Dual<f64>`, for neurons and networks with every activation.
//! - `hessian_vector_products`: `H v` against central differences of the gradient, in
//!   f64 and f32, and the Hessian's columns and symmetry.
//! - `second_derivatives`: `Dual<Dual<f64>>` through every activation (closed forms) and
//!   networks (`InputJets`, against central differences of the reverse-mode first
//!   derivative).
//! - `pinn_gradient`: the physics-informed loss of examples/pinn.rs, its gradient
//!   in the parameters against central differences.

mod dual;
mod dual_gradients;
mod gradients;
mod hessian_vector_products;
mod input_gradients;
mod loss_gradients;
mod network_gradients;
mod pinn_gradient;
mod second_derivatives;
