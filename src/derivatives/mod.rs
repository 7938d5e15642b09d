//! Derivatives beyond the gradient: Jacobians in the inputs, Hessian-vector products and
//! Hessians in the parameters, and second derivatives in the inputs.
//!
//! The gradient `∂L/∂θ` is what training needs, and [`Model::backward`] computes it (and
//! `∂L/∂x` on request). Scientific uses need more, and the crate's number types give it
//! exactly (docs/math.md, section 11):
//!
//! - [`jacobian()`]: `∂ŷ/∂x` for every row, by one backward pass per output.
//! - [`hessian_vector_product`] and [`HessianVectorProduct`]: `H v = ∇²L(θ) v`, by
//!   forward-over-reverse: the backward pass run in [`Dual<T>`](crate::Dual) with the
//!   parameters' tangents set to `v`. [`hessian()`] stacks `n` of them.
//! - [`InputJets`] and [`input_jets`]: the value, first and second derivative of every
//!   output along a direction in the inputs, in one forward pass in nested duals
//!   (`Dual<Dual<T>>`), and the gradient in the parameters of any loss built from them
//!   (a physics-informed network's residual) by one backward pass.
//!
//! All of them read the model only: its parameters, and any optimizer or trainer around
//! it, are unchanged, whether they succeed or refuse.
//!
//! ```
//! use backprop::derivatives::{hessian, hessian_vector_product, jacobian};
//! use backprop::{Activation, Mse, Network};
//!
//! let net = Network::builder(2).dense(3, Activation::Tanh).dense(2, Activation::Identity).seed(1).build()?;
//! let (x, y) = ([0.5, -1.0], [0.2, 0.1]);
//! let j = jacobian(&net, &x)?; // [batch][outputs][inputs]
//! assert_eq!(j.len(), 1 * 2 * 2);
//! let n = 2 * 3 + 3 + 3 * 2 + 2;
//! let h: Vec<f64> = hessian(&net, &Mse, &x, &y)?; // n × n, row-major
//! let mut v = vec![0.0; n];
//! v[4] = 1.0;
//! let hv = hessian_vector_product(&net, &Mse, &x, &y, &v)?;
//! for i in 0..n {
//!     assert!((hv[i] - h[i * n + 4]).abs() < 1e-15); // H e₄ is column 4
//! }
//! # Ok::<(), backprop::Error>(())
//! ```

mod hessian;
mod hvp;
mod jacobian;
mod jets;
mod lifted;

pub use hessian::hessian;
pub use hvp::{hessian_vector_product, HessianVectorProduct};
pub use jacobian::jacobian;
pub use jets::{input_jets, InputJets, Jet};

use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::fallible::{filled, product};
use crate::model::{Model, Network, Neuron};

/// A model that can be rebuilt in another number type: the same architecture with every
/// parameter converted, as forward-mode derivatives need (`Dual<T>` for Hessian-vector
/// products, `Dual<Dual<T>>` for second derivatives in the inputs).
///
/// [`Network`] and [`Neuron`] with the built-in [`Activation`](crate::Activation)s implement it; implement
/// it for a model of your own to use this module's functions with it.
///
/// ```
/// use backprop::derivatives::Lift;
/// use backprop::{Dual, Model, Neuron};
///
/// let neuron = Neuron::new(0.7);
/// let dual = neuron.lift(Dual::constant)?;
/// assert_eq!(dual.params()[0].value(), 0.7);
/// # Ok::<(), backprop::Error>(())
/// ```
pub trait Lift<T: Float>: Model<T> {
    /// The model in number type `D`.
    type Lifted<D: Float + Send + Sync + 'static>: Model<D>;

    /// The model with every parameter (and parameter of an activation) converted by
    /// `convert`; the architecture and the parameter layout are unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] if the converted parameters cannot be allocated.
    fn lift<D: Float + Send + Sync + 'static>(
        &self,
        convert: impl Fn(T) -> D,
    ) -> Result<Self::Lifted<D>, Error>;
}

impl<T: Float + Send + Sync + 'static> Lift<T> for Network<T> {
    type Lifted<D: Float + Send + Sync + 'static> = Network<D>;

    fn lift<D: Float + Send + Sync + 'static>(
        &self,
        convert: impl Fn(T) -> D,
    ) -> Result<Network<D>, Error> {
        Network::lift(self, convert)
    }
}

impl<T: Float> Lift<T> for Neuron<T> {
    type Lifted<D: Float + Send + Sync + 'static> = Neuron<D>;

    fn lift<D: Float + Send + Sync + 'static>(
        &self,
        convert: impl Fn(T) -> D,
    ) -> Result<Neuron<D>, Error> {
        Neuron::lift(self, convert)
    }
}

/// Refuses a direction of the wrong length or with a NaN or infinite entry.
fn check_direction<T: Float>(direction: &[T], expected: usize) -> Result<(), Error> {
    if direction.len() != expected {
        return Err(Error::LengthMismatch {
            what: Quantity::Direction,
            expected,
            actual: direction.len(),
        });
    }
    crate::model::ensure_finite(direction, Quantity::Direction)
}

/// Refuses an output buffer that does not hold exactly `expected` values.
fn check_output_len<T>(buffer: &[T], expected: usize, what: Quantity) -> Result<(), Error> {
    if buffer.len() == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            actual: buffer.len(),
        })
    }
}
