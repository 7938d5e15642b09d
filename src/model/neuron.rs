//! A single neuron: the lecture's model and the smallest dense layer.

use alloc::vec;
use alloc::vec::Vec;
use num_traits::Float;

use super::dense::DenseShape;
use super::single_output;
use super::Model;
use crate::activation::{Activation, ActivationFunction};
use crate::error::Error;
use crate::kernel::on_widest_vectors;

/// One neuron: `a = f(Σᵢ wᵢ xᵢ + b)` with any number of inputs, an optional bias `b` and
/// an activation `f`.
///
/// It is a dense layer with one output: a matrix–vector product (see
/// `src/model/single_output.rs`), with the dense layer's results.
///
/// # Parameter layout
///
/// `params()` is `[w₀, w₁, …, wₙ₋₁, b]`, the bias last and only if there is one: the layout
/// of a PyTorch `nn.Linear(n, 1)`'s weight followed by its bias.
///
/// # Math
///
/// ```text
/// z = Σᵢ wᵢ xᵢ + b      a = f(z)
/// ∂L/∂z  = ∂L/∂a · f'(z)
/// ∂L/∂wᵢ = ∂L/∂z · xᵢ     ∂L/∂b = ∂L/∂z     ∂L/∂xᵢ = ∂L/∂z · wᵢ
/// ```
///
/// The lecture's neuron has one weight, no bias and no non-linearity, so this is
/// `dloss/dw = dloss/da · da/dw` with `da/dw = x`.
///
/// ```
/// use backprop::{Activation, Model, Neuron};
///
/// let lecture = Neuron::new(0.7);
/// assert_eq!(lecture.params(), &[0.7]);
///
/// let wider = Neuron::from_weights(vec![0.5, -0.25]).with_bias(0.1).with_activation(Activation::Tanh);
/// assert_eq!(wider.params(), &[0.5, -0.25, 0.1]);
/// assert_eq!(wider.bias(), Some(0.1));
/// assert_eq!(wider.predict(&[2.0, 4.0])?, [0.1f64.tanh()]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Neuron<T, A = Activation<T>> {
    params: Vec<T>,
    shape: DenseShape,
    activation: A,
}

impl<T: Float> Neuron<T> {
    /// The lecture's neuron: one input with weight `w`, no bias, identity activation.
    pub fn new(w: T) -> Self {
        Self::from_weights(vec![w])
    }

    /// A neuron with one input per weight, no bias, identity activation.
    ///
    /// A neuron without weights has no inputs; a [`Trainer`](crate::Trainer) refuses it.
    pub fn from_weights(weights: Vec<T>) -> Self {
        let shape = DenseShape {
            inputs: weights.len(),
            outputs: 1,
            bias: false,
        };
        Self {
            params: weights,
            shape,
            activation: Activation::Identity,
        }
    }
}

impl<T: Float, A> Neuron<T, A> {
    /// Adds a bias `b`, or sets it if there is one already.
    pub fn with_bias(mut self, b: T) -> Self {
        if self.shape.bias {
            self.params[self.shape.inputs] = b;
        } else {
            self.params.push(b);
            self.shape.bias = true;
        }
        self
    }

    /// Replaces the activation, built-in or your own.
    pub fn with_activation<B: ActivationFunction<T>>(self, activation: B) -> Neuron<T, B> {
        Neuron {
            params: self.params,
            shape: self.shape,
            activation,
        }
    }

    /// The weights, one per input.
    pub fn weights(&self) -> &[T] {
        &self.params[..self.shape.inputs]
    }

    /// The bias, if the neuron has one.
    pub fn bias(&self) -> Option<T> {
        self.shape.bias.then(|| self.params[self.shape.inputs])
    }

    /// The activation function.
    pub fn activation(&self) -> &A {
        &self.activation
    }
}

/// The [`Model`] calls a user reaches for first, without importing the trait.
impl<T: Float, A: ActivationFunction<T>> Neuron<T, A> {
    /// The outputs for a batch of inputs, in a new vector: [`Model::predict`].
    ///
    /// # Errors
    ///
    /// As [`Model::predict`].
    pub fn predict(&self, inputs: &[T]) -> Result<Vec<T>, Error> {
        Model::predict(self, inputs)
    }

    /// All parameters, `[w₀, …, wₙ₋₁, b]`: [`Model::params`].
    pub fn params(&self) -> &[T] {
        &self.params
    }
}

impl<T: Float> Neuron<T> {
    /// The same neuron in another number type, each parameter converted by `convert`
    /// (to dual numbers, for derivatives beyond the gradient).
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] if the converted parameters cannot be allocated.
    pub(crate) fn lift<D: Float>(&self, convert: impl Fn(T) -> D) -> Result<Neuron<D>, Error> {
        Ok(Neuron {
            params: crate::model::map_values(&self.params, &convert)?,
            shape: self.shape,
            activation: self.activation.map(convert),
        })
    }
}

impl<T: Float, A: ActivationFunction<T>> Model<T> for Neuron<T, A> {
    fn input_len(&self) -> usize {
        self.shape.inputs
    }

    fn output_len(&self) -> usize {
        1
    }

    fn params(&self) -> &[T] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [T] {
        &mut self.params
    }

    /// One pre-activation per sample.
    fn workspace_len(&self, batch: usize) -> usize {
        batch
    }

    #[inline]
    fn forward(&self, inputs: &[T], outputs: &mut [T], workspace: &mut [T]) {
        let pre = &mut workspace[..outputs.len()];
        assert_eq!(
            inputs.len(),
            outputs.len() * self.shape.inputs,
            "batch shape"
        );
        let (weights, bias) = self.params.split_at(self.shape.inputs);
        // A wide neuron's products run in the widest vectors; one weight stays inline.
        on_widest_vectors(
            inputs.len(),
            #[inline(always)]
            || {
                let (bias, activation) = (bias.first().copied(), &self.activation);
                single_output::forward(weights, bias, activation, inputs, pre, outputs);
            },
        );
    }

    #[inline]
    fn backward(
        &self,
        inputs: &[T],
        outputs: &[T],
        output_grads: &mut [T],
        workspace: &mut [T],
        grads: &mut [T],
        input_grads: Option<&mut [T]>,
    ) {
        let pre = &workspace[..outputs.len()];
        assert_eq!(
            inputs.len(),
            outputs.len() * self.shape.inputs,
            "batch shape"
        );
        assert_eq!(grads.len(), self.params.len(), "gradient length");
        if let Some(input_grads) = &input_grads {
            assert_eq!(input_grads.len(), inputs.len(), "input gradient length");
        }
        let (activation, bias) = (&self.activation, self.shape.bias);
        on_widest_vectors(
            inputs.len(),
            #[inline(always)]
            || {
                let io = (inputs, pre, outputs);
                single_output::backward_params(activation, io, output_grads, grads, bias);
                if let Some(input_grads) = input_grads {
                    let delta = &output_grads[..outputs.len()]; // now ∂L/∂z
                    single_output::backward_inputs(self.weights(), delta, input_grads);
                }
            },
        );
    }
}
