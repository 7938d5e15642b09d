//! Second derivatives in the inputs, by nested dual numbers, and the parameter gradient
//! of a loss built from them (physics-informed networks).

use alloc::vec::Vec;
use num_traits::Float;

use super::lifted::LiftedPass;
use super::{check_direction, check_output_len, filled, Lift};
use crate::error::{Error, Quantity};
use crate::model::{batch_len, ensure_finite};
use crate::verify::Dual;

/// A number carrying its first and second derivative: `Dual<Dual<T>>`.
type Nested<T> = Dual<Dual<T>>;

/// One output `u` of a row along an input direction `d`: `u(x + t·d) = value + first·t +
/// second·t²/2 + O(t³)`, so `first = ∇u·d` and `second = dᵀ∇²u d`.
///
/// For a one-input network and `d = 1` these are `u`, `u′` and `u″`. The same struct
/// carries a loss's gradient with respect to the three numbers into
/// [`InputJets::backward`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Jet<T> {
    /// `u(x)` (or `∂L/∂u`).
    pub value: T,
    /// The first directional derivative `∇u·d` (or `∂L/∂(∇u·d)`).
    pub first: T,
    /// The second directional derivative `dᵀ∇²u d` (or `∂L/∂(dᵀ∇²u d)`).
    pub second: T,
}

impl<T> Jet<T> {
    /// The jet `(value, first, second)`.
    pub fn new(value: T, first: T, second: T) -> Self {
        Self {
            value,
            first,
            second,
        }
    }
}

/// The value, first and second derivative of every output along an input direction, for
/// every row: [`InputJets::forward`] in a new buffer.
///
/// # Errors
///
/// As [`InputJets::forward`].
///
/// ```
/// use backprop::derivatives::input_jets;
/// use backprop::{Activation, Neuron};
///
/// // u = tanh(2x): u′ = 2(1 − u²), u″ = −8u(1 − u²)
/// let neuron = Neuron::new(2.0).with_activation(Activation::Tanh);
/// let jets = input_jets(&neuron, &[0.3], &[1.0])?;
/// let u = 0.6f64.tanh();
/// assert!((jets[0].value - u).abs() < 1e-15);
/// assert!((jets[0].first - 2.0 * (1.0 - u * u)).abs() < 1e-15);
/// assert!((jets[0].second - -8.0 * u * (1.0 - u * u)).abs() < 1e-15);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn input_jets<T, M>(model: &M, inputs: &[T], direction: &[T]) -> Result<Vec<Jet<T>>, Error>
where
    T: Float + Send + Sync + 'static,
    M: Lift<T>,
{
    let rows = batch_len(inputs, model.input_len(), Quantity::Input)?;
    let mut jets = InputJets::new(model, rows)?;
    jets.forward(model, inputs, direction)?;
    Ok(jets.jets)
}

/// Second derivatives of a model's outputs in its inputs, and the gradient in the
/// parameters of a loss built from them: the model lifted to `Dual<Dual<T>>` with its
/// buffers, allocated once (then [`forward`](Self::forward) and
/// [`backward`](Self::backward) allocate nothing for batches of the same size).
///
/// # Math
///
/// Forward mode in the input: seed every input `xᵢ + dᵢ·ε₁ + dᵢ·ε₂` (with `ε₁² = ε₂² =
/// 0`) and the network's output is `u + u′ε₁ + u′ε₂ + u″ε₁ε₂`, where `u′ = ∇u·d` and
/// `u″ = dᵀ∇²u d` (docs/math.md, equation 37).
///
/// Reverse mode in the parameters: a loss `L(u, u′, u″)` has `∂L/∂θ = L_u ∂u/∂θ + L_u′
/// ∂u′/∂θ + L_u″ ∂u″/∂θ`. The backward pass, run in the same nested duals from the
/// output gradient `g = L_u″ + 0·ε₁ + L_u′·ε₂ + L_u·ε₁ε₂`, computes `g · ∂y/∂θ`, whose
/// `ε₁ε₂` part is exactly that sum (equations 38–39).
///
/// # Example: the gradient of a residual
///
/// ```
/// use backprop::derivatives::{InputJets, Jet};
/// use backprop::{Activation, Model, Network};
///
/// let net = Network::builder(1).dense(8, Activation::Tanh).dense(1, Activation::Identity).seed(3).build()?;
/// let x = [0.25, 0.5, 0.75];
/// let mut jets = InputJets::new(&net, x.len())?;
/// // L = (1/3) Σ (u″ + u)²
/// let residuals: Vec<f64> = jets.forward(&net, &x, &[1.0])?.iter().map(|j| j.second + j.value).collect();
/// let dl: Vec<Jet<f64>> = residuals.iter().map(|r| Jet::new(2.0 * r / 3.0, 0.0, 2.0 * r / 3.0)).collect();
/// let mut grads = vec![0.0; net.params().len()];
/// jets.backward(&dl, &mut grads)?;
/// assert!(grads.iter().any(|g| *g != 0.0));
/// # Ok::<(), backprop::Error>(())
/// ```
pub struct InputJets<T, M>
where
    T: Float + Send + Sync + 'static,
    M: Lift<T>,
{
    pass: LiftedPass<Nested<T>, M::Lifted<Nested<T>>>,
    jets: Vec<Jet<T>>,
}

impl<T, M> InputJets<T, M>
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
        let pass = LiftedPass::new(model.lift(constant)?, batch)?;
        let none = Jet::new(T::zero(), T::zero(), T::zero());
        let mut jets = filled(pass.outputs.len(), none, Quantity::Input)?;
        jets.clear(); // none until a forward pass: `backward` refuses to run before one
        Ok(Self { pass, jets })
    }

    /// The jet of every output of every row along `direction` (one value per input, the
    /// same for every row), row-major like the outputs, for the model's current
    /// parameters. `model` is the one the buffers were made for, or one of the same
    /// architecture (its parameters are read anew on every call).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`], [`Error::LengthMismatch`] for inputs that are not whole
    /// rows, [`Error::NonFinite`] for a NaN or infinite input; [`Error::LengthMismatch`]
    /// or [`Error::NonFinite`] with [`Quantity::Direction`] for a direction that is not
    /// one finite value per input; [`Error::TooLarge`] if a new batch size needs buffers
    /// that cannot be allocated. The model is only read.
    pub fn forward(
        &mut self,
        model: &M,
        inputs: &[T],
        direction: &[T],
    ) -> Result<&[Jet<T>], Error> {
        let rows = batch_len(inputs, model.input_len(), Quantity::Input)?;
        ensure_finite(inputs, Quantity::Input)?;
        check_direction(direction, model.input_len())?;
        if !self.pass.fits(inputs.len(), model.params().len()) {
            *self = Self::new(model, rows)?;
        }
        self.pass
            .set_params(model.params().iter().map(|&theta| constant(theta)));
        let seeds = inputs.iter().zip(direction.iter().cycle());
        for (seeded, (&x, &d)) in self.pass.inputs.iter_mut().zip(seeds) {
            // (37): x + d·ε₁ + d·ε₂
            *seeded = Dual::new(Dual::new(x, d), Dual::new(d, T::zero()));
        }
        self.pass.forward();
        let none = Jet::new(T::zero(), T::zero(), T::zero());
        self.jets.resize(self.pass.outputs.len(), none); // within its capacity
        for (jet, y) in self.jets.iter_mut().zip(&self.pass.outputs) {
            let (value, tangent) = (y.value(), y.derivative());
            *jet = Jet::new(value.value(), value.derivative(), tangent.derivative());
        }
        Ok(&self.jets)
    }

    /// Writes `∂L/∂θ` into `grads` for a loss `L` of the jets of the last
    /// [`forward`](Self::forward), given `∂L/∂value`, `∂L/∂first` and `∂L/∂second` of
    /// every jet in `jet_grads` (in the layout of the jets).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`] for no jet gradients, [`Error::LengthMismatch`] with
    /// [`Quantity::Gradient`] if `jet_grads` does not match the last forward pass's jets
    /// or `grads` the parameters, [`Error::NonFinite`] with [`Quantity::Gradient`] for a
    /// NaN or infinite jet gradient.
    pub fn backward(&mut self, jet_grads: &[Jet<T>], grads: &mut [T]) -> Result<(), Error> {
        if jet_grads.is_empty() {
            return Err(Error::EmptyBatch);
        }
        check_output_len(jet_grads, self.jets.len(), Quantity::Gradient)?;
        check_output_len(grads, self.pass.grads.len(), Quantity::Gradient)?;
        let finite =
            |j: &Jet<T>| j.value.is_finite() && j.first.is_finite() && j.second.is_finite();
        if let Some(index) = jet_grads.iter().position(|j| !finite(j)) {
            return Err(Error::NonFinite {
                what: Quantity::Gradient,
                index,
            });
        }
        for (g, dl) in self.pass.output_grads.iter_mut().zip(jet_grads) {
            // (38)–(39): the ε₁ε₂ part of g · ∂y/∂θ pairs each of g's parts with its mirror.
            *g = Dual::new(
                Dual::new(dl.second, T::zero()),
                Dual::new(dl.first, dl.value),
            );
        }
        self.pass.backward();
        for (g, nested) in grads.iter_mut().zip(&self.pass.grads) {
            *g = nested.derivative().derivative(); // (39)
        }
        Ok(())
    }
}

/// A constant (a parameter) as a nested dual: no `ε₁`, `ε₂` or `ε₁ε₂` part.
fn constant<T: Float>(value: T) -> Nested<T> {
    Dual::constant(Dual::constant(value))
}
