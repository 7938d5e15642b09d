//! Hessian-vector products of the loss in the parameters, by forward-over-reverse.

use alloc::vec::Vec;
use num_traits::Float;

use super::lifted::LiftedPass;
use super::{check_direction, check_output_len, filled, Lift};
use crate::error::{Error, Quantity};
use crate::loss::{mean_loss_and_gradient, Loss};
use crate::model::check_batch;
use crate::verify::Dual;

/// `H v` for the mean loss over a batch, where `H = ∇²_θ L` is the Hessian in the
/// parameters: PyTorch's `torch.autograd.functional.hvp`.
///
/// Allocates a [`HessianVectorProduct`] for one call; keep one to compute many products
/// without allocating.
///
/// # Math
///
/// See [`HessianVectorProduct`].
///
/// # Errors
///
/// As [`HessianVectorProduct::compute`].
///
/// ```
/// use backprop::derivatives::hessian_vector_product;
/// use backprop::{Mse, Neuron};
///
/// // L = (w x − y)²: H = 2x², so H·v = 2x²·v.
/// let hv = hessian_vector_product(&Neuron::new(0.7), &Mse, &[1.5], &[0.4], &[3.0])?;
/// assert_eq!(hv, [2.0 * 1.5 * 1.5 * 3.0]);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn hessian_vector_product<T, M, L>(
    model: &M,
    loss: &L,
    inputs: &[T],
    targets: &[T],
    v: &[T],
) -> Result<Vec<T>, Error>
where
    T: Float + Send + Sync + 'static,
    M: Lift<T>,
    L: Loss<T> + Loss<Dual<T>>,
{
    let mut hvp = HessianVectorProduct::new(model, inputs.len() / model.input_len().max(1))?;
    let mut hv = filled(model.params().len(), T::zero(), Quantity::Gradient)?;
    hvp.compute(model, loss, inputs, targets, v, &mut hv)?;
    Ok(hv)
}

/// The buffers of a Hessian-vector product: the model lifted to [`Dual<T>`] and its
/// workspace, allocated once, so that [`compute`](Self::compute) allocates nothing.
///
/// # Math
///
/// The gradient `g(θ) = ∇_θ L(θ)` is what the backward pass computes. Run the forward
/// pass, the loss and the backward pass in dual numbers with the parameters seeded
/// `θ + v·ε` (inputs and targets constants), and every operation carries its derivative
/// along `v`, so the gradient comes out as
///
/// ```text
/// g(θ + v·ε) = g(θ) + (∇_θ g · v)·ε = ∇L(θ) + (H v)·ε
/// ```
///
/// exactly to rounding: forward-mode differentiation of the reverse-mode gradient
/// (forward-over-reverse; docs/math.md, equations 34–35). One product costs a few
/// gradients (dual arithmetic), whatever the number of parameters.
///
/// ```
/// use backprop::derivatives::HessianVectorProduct;
/// use backprop::{Activation, Model, Mse, Network};
///
/// let net = Network::builder(1).dense(4, Activation::Tanh).dense(1, Activation::Identity).seed(2).build()?;
/// let (x, y) = ([0.3, -0.8], [0.5, 0.1]);
/// let mut hvp = HessianVectorProduct::new(&net, 2)?;
/// let v = vec![1.0; net.params().len()];
/// let mut hv = vec![0.0f64; net.params().len()];
/// let loss = hvp.compute(&net, &Mse, &x, &y, &v, &mut hv)?; // no allocation
/// assert!(loss > 0.0 && hv.iter().all(|h| h.is_finite()));
/// # Ok::<(), backprop::Error>(())
/// ```
pub struct HessianVectorProduct<T, M>
where
    T: Float + Send + Sync + 'static,
    M: Lift<T>,
{
    pass: LiftedPass<Dual<T>, M::Lifted<Dual<T>>>,
    targets: Vec<Dual<T>>,
}

impl<T, M> HessianVectorProduct<T, M>
where
    T: Float + Send + Sync + 'static,
    M: Lift<T>,
{
    /// The buffers for batches of `batch` rows of `model` (another batch size works too,
    /// after one reallocation).
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] if the buffers cannot be allocated.
    pub fn new(model: &M, batch: usize) -> Result<Self, Error> {
        let pass = LiftedPass::new(model.lift(Dual::constant)?, batch)?;
        let zero = Dual::constant(T::zero());
        Ok(Self {
            targets: filled(pass.outputs.len(), zero, Quantity::Target)?,
            pass,
        })
    }

    /// Writes `H v` into `hv` and returns the mean loss, for the model's current
    /// parameters on this batch. `model` is the one the buffers were made for, or one of
    /// the same architecture (its parameters are read anew on every call).
    ///
    /// # Errors
    ///
    /// As a training step: [`Error::EmptyBatch`], [`Error::LengthMismatch`] for inputs
    /// that are not whole rows or targets that do not match them, [`Error::NonFinite`]
    /// for a NaN or infinite input or target, [`Error::InvalidTarget`] for a target the
    /// loss cannot score; then [`Error::LengthMismatch`] or [`Error::NonFinite`] with
    /// [`Quantity::Direction`] for a `v` that is not one finite value per parameter,
    /// [`Error::LengthMismatch`] with [`Quantity::Gradient`] for an `hv` of another
    /// length, [`Error::TooLarge`] if a new batch size needs buffers that cannot be
    /// allocated. The model is only read.
    pub fn compute<L>(
        &mut self,
        model: &M,
        loss: &L,
        inputs: &[T],
        targets: &[T],
        v: &[T],
        hv: &mut [T],
    ) -> Result<T, Error>
    where
        L: Loss<T> + Loss<Dual<T>>,
    {
        let rows = check_batch(model, loss, inputs, targets)?;
        let params = model.params();
        check_direction(v, params.len())?;
        check_output_len(hv, params.len(), Quantity::Gradient)?;
        if !self.pass.fits(inputs.len(), params.len()) {
            *self = Self::new(model, rows)?;
        }
        let seeded = params.iter().zip(v).map(|(&theta, &v)| Dual::new(theta, v));
        self.pass.set_params(seeded);
        constants(inputs, &mut self.pass.inputs);
        constants(targets, &mut self.targets);
        self.pass.forward();
        let pass = &mut self.pass;
        let width = model.output_len();
        let (outputs, output_grads) = (&pass.outputs, &mut pass.output_grads);
        let mean = mean_loss_and_gradient(loss, outputs, &self.targets, output_grads, width);
        self.pass.backward();
        for (h, g) in hv.iter_mut().zip(&self.pass.grads) {
            *h = g.derivative(); // (35): the tangent of ∇L(θ + v·ε) is H v
        }
        Ok(mean.value())
    }
}

/// `dual[i] = values[i] + 0·ε`.
fn constants<T: Float>(values: &[T], dual: &mut [Dual<T>]) {
    for (d, &v) in dual.iter_mut().zip(values) {
        *d = Dual::constant(v);
    }
}
