//! A multi-layer network: dense layers in a row, trained by backpropagation.

use alloc::vec::Vec;
use core::marker::PhantomData;
use core::ops::Range;
use num_traits::Float;

mod chunks;
mod passes;

use super::dense::{Dense, DenseShape};
use super::init::{self, Init, WeightInit};
use super::{ensure_finite, zeros, Model};
use crate::activation::{Activation, ActivationFunction};
use crate::error::{Error, Quantity};
use crate::kernel::Kernels;
use crate::rng;
use chunks::Chunks;

/// A stack of dense layers: PyTorch's `nn.Sequential(nn.Linear, activation, nn.Linear, …)`.
///
/// Build one with [`Network::builder`]: layers from the input side, each with its number
/// of units (outputs) and its activation, a bias unless you ask for none, and weights
/// drawn from a seeded stream ([`NetworkBuilder::build`]) or given explicitly
/// ([`NetworkBuilder::build_with_params`], e.g. weights exported from PyTorch).
/// The built-in [`Activation`]s work out of the box; an activation of your own needs
/// [`ActivationFunction`] and [`WeightInit`] (its gain and preferred scheme).
///
/// Its matrix products run a SIMD kernel for `f32` and `f64` (AVX-512 or AVX2/FMA,
/// whichever the CPU has) and a plain loop for every other [`Float`]; the built-in
/// tanh and sigmoid in `f32` and `f64` run a vectorised approximation a few ulp from
/// `std`'s (4 at most over the tested points), so they may differ from
/// [`Activation::value`] in the last bits. Hence its [`Model`] implementation asks
/// `T: 'static` (every number type is) and `A: 'static` (an activation holding no borrowed
/// data). It asks `Send + Sync` of both too, so that the `parallel` feature can share them
/// across threads; the bound holds without the feature as well, so enabling it (anywhere
/// in a dependency graph) never breaks a build. Every float type,
/// [`Dual`](crate::Dual) and the built-in activations have it.
/// A batch of 256 rows or more runs in chunks (up to eight) fixed by its size alone, so
/// the result does not depend on the thread count.
///
/// # Parameter layout
///
/// ONE flat buffer, layer after layer from the input side; for each layer its weight
/// matrix row-major `[out][in]` (row `o` holds the weights of unit `o`), then its bias
/// `[out]` if it has one. This is the order of `model.parameters()` of the equivalent
/// PyTorch `nn.Sequential`, so its flattened tensors load with one `copy_from_slice` into
/// [`params_mut`](Model::params_mut). Gradients use the same layout;
/// [`LayerShape::param_range`] finds one layer's slice in either.
///
/// # Math
///
/// With `A₀ = X` (the batch, one sample per row) and layers `l = 1 … L` (docs/math.md,
/// equations 9–12):
///
/// ```text
/// forward    Z_l = A_{l−1} W_lᵀ + b_l            A_l = f_l(Z_l)          Ŷ = A_L
/// backward   G_L = ∂L/∂Ŷ                                                  (from the loss)
///            Δ_l = f_l'(Z_l) ⊙ G_l                                       δ of layer l
///            ∂L/∂W_l = Δ_lᵀ A_{l−1}      ∂L/∂b_l = Σ_rows Δ_l              its gradient
///            G_{l−1} = Δ_l W_l                                           handed below
/// ```
///
/// so `Δ_l = f_l'(Z_l) ⊙ (Δ_{l+1} W_{l+1})`: each layer's δ is its activation's
/// derivative times the next layer's weights carrying that layer's δ back. The forward
/// pass keeps every `Z_l` and `A_l` in the workspace; the backward pass walks the layers
/// from the output side, each through the same dense kernel as [`Neuron`](crate::Neuron).
/// Below the first layer, `G₀ = Δ₁ W₁ = ∂L/∂X` is the input gradient, computed only when
/// [`backward`](Model::backward) is given a buffer for it.
///
/// # Example: a 2-3-1 network
///
/// ```
/// use backprop::{Activation, Model, Network};
///
/// let net = Network::builder(2)
///     .dense(3, Activation::Tanh)
///     .dense_no_bias(1, Activation::Sigmoid)
///     .seed(42)
///     .build()?;
/// assert_eq!(net.params().len(), 2 * 3 + 3 + 3 * 1); // W₁, b₁, W₂ (no b₂)
/// assert_eq!(net.layer_shapes().nth(1).unwrap().param_range(), 9..12);
/// let out = net.predict(&[0.5, -1.0, /* second sample */ 2.0, 0.0])?;
/// assert_eq!(out.len(), 2);
///
/// // The same seed gives the same weights, bit for bit, on every platform.
/// let again = Network::builder(2)
///     .dense(3, Activation::Tanh)
///     .dense_no_bias(1, Activation::Sigmoid)
///     .seed(42)
///     .build()?;
/// assert_eq!(net, again);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Network<T, A = Activation<T>> {
    params: Vec<T>,
    layers: Vec<Layer<A>>,
}

/// One layer: its shape, activation and where it sits in the flat buffers.
#[derive(Debug, Clone, PartialEq)]
struct Layer<A> {
    shape: DenseShape,
    activation: A,
    /// Index of its first parameter in `params`.
    param_offset: usize,
    /// Units of the layers before it: its `Z` and `A` start at `batch · unit_offset`.
    unit_offset: usize,
}

/// The shape of one layer of a [`Network`] and where its parameters are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerShape {
    shape: DenseShape,
    param_offset: usize,
}

impl LayerShape {
    /// The number of inputs of the layer (the previous layer's units).
    pub fn inputs(&self) -> usize {
        self.shape.inputs
    }

    /// The number of units (outputs) of the layer.
    pub fn outputs(&self) -> usize {
        self.shape.outputs
    }

    /// Whether the layer adds a bias.
    pub fn has_bias(&self) -> bool {
        self.shape.bias
    }

    /// Where the layer's parameters are in [`Model::params`] (and its gradient in a
    /// gradient buffer): the weights, `outputs × inputs` row-major, then the bias.
    pub fn param_range(&self) -> Range<usize> {
        self.param_offset..self.param_offset + self.shape.param_len()
    }

    /// Where the layer's weights are in [`Model::params`]: the start of
    /// [`param_range`](Self::param_range), `outputs × inputs` values.
    pub fn weight_range(&self) -> Range<usize> {
        self.param_offset..self.param_offset + self.shape.inputs * self.shape.outputs
    }

    /// Where the layer's bias is in [`Model::params`]: the end of
    /// [`param_range`](Self::param_range), `outputs` values; empty without a bias.
    pub fn bias_range(&self) -> Range<usize> {
        self.weight_range().end..self.param_range().end
    }
}

impl<T: Float, A> Network<T, A> {
    /// Starts a network whose samples have `input_len` values; add layers to it.
    ///
    /// The number type comes from the data or the optimizer the network meets later;
    /// where nothing fixes it yet (a network built and used on its own), name it on the
    /// builder: `Network::<f64>::builder(4)`.
    pub fn builder(input_len: usize) -> NetworkBuilder<T, A> {
        NetworkBuilder {
            input_len,
            layers: Vec::new(),
            seed: 0,
            init: Init::Recommended,
            scalar: PhantomData,
        }
    }

    /// The layers' shapes, from the input side.
    pub fn layer_shapes(&self) -> impl ExactSizeIterator<Item = LayerShape> + '_ {
        self.layers.iter().map(|layer| LayerShape {
            shape: layer.shape,
            param_offset: layer.param_offset,
        })
    }

    /// Where the weights of layer `index` are in [`Model::params`] (`None` past the last
    /// layer): a range to give its own learning rate or weight decay with
    /// [`Optimizer::group`](crate::Optimizer::group).
    pub fn weights(&self, index: usize) -> Option<Range<usize>> {
        self.layer_shapes().nth(index).map(|l| l.weight_range())
    }

    /// Where the bias of layer `index` is in [`Model::params`]; `None` past the last
    /// layer or for a layer without a bias.
    pub fn bias(&self, index: usize) -> Option<Range<usize>> {
        let layer = self.layer_shapes().nth(index)?;
        layer.has_bias().then(|| layer.bias_range())
    }

    /// The weights of every layer, one range per layer, in order.
    ///
    /// ```
    /// use backprop::{Activation, Network};
    ///
    /// let net = Network::<f64>::builder(2).dense(3, Activation::Tanh).dense(1, Activation::Identity).build()?;
    /// assert_eq!(net.all_weights().collect::<Vec<_>>(), [0..6, 9..12]);
    /// assert_eq!(net.all_biases().collect::<Vec<_>>(), [6..9, 12..13]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn all_weights(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.layer_shapes().map(|l| l.weight_range())
    }

    /// The biases of every layer that has one, one range per layer, in order.
    pub fn all_biases(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.layer_shapes()
            .filter(|l| l.has_bias())
            .map(|l| l.bias_range())
    }

    /// The parameters of layer `index` (0 is nearest the input), or `None` past the last.
    pub fn layer_params(&self, index: usize) -> Option<&[T]> {
        let layer = self.layers.get(index)?;
        Some(&self.params[layer.param_offset..][..layer.shape.param_len()])
    }

    /// The parameters of layer `index`, mutable, or `None` past the last.
    pub fn layer_params_mut(&mut self, index: usize) -> Option<&mut [T]> {
        let layer = self.layers.get(index)?;
        Some(&mut self.params[layer.param_offset..][..layer.shape.param_len()])
    }

    /// The activation of layer `index`, or `None` past the last.
    pub fn activation(&self, index: usize) -> Option<&A> {
        self.layers.get(index).map(|layer| &layer.activation)
    }

    /// Units over all layers: the width of `Z` (and of `A`) for one sample.
    fn total_units(&self) -> usize {
        self.layers.iter().map(|l| l.shape.outputs).sum()
    }

    /// Units of the hidden layers (all but the last), whose outputs the workspace keeps.
    fn hidden_units(&self) -> usize {
        self.total_units() - self.output_len_of_last()
    }

    /// The widest hidden layer: the size of one δ buffer, per sample.
    fn widest_hidden(&self) -> usize {
        let hidden = &self.layers[..self.layers.len() - 1];
        hidden.iter().map(|l| l.shape.outputs).max().unwrap_or(0)
    }

    fn input_len_of_first(&self) -> usize {
        self.layers[0].shape.inputs
    }

    fn output_len_of_last(&self) -> usize {
        self.layers.last().map_or(0, |l| l.shape.outputs)
    }

    fn params_of(&self, layer: &Layer<A>) -> &[T] {
        &self.params[layer.param_offset..][..layer.shape.param_len()]
    }
}

impl<T: Float> Network<T> {
    /// The same network in another number type, each parameter converted by `convert`
    /// (to dual numbers, for derivatives beyond the gradient): the layers, their layout
    /// and activations are unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] if the converted parameters cannot be allocated.
    pub(crate) fn lift<D: Float>(&self, convert: impl Fn(T) -> D) -> Result<Network<D>, Error> {
        let lift_layer = |layer: &Layer<Activation<T>>| Layer {
            shape: layer.shape,
            activation: layer.activation.map(&convert),
            param_offset: layer.param_offset,
            unit_offset: layer.unit_offset,
        };
        Ok(Network {
            params: super::map_values(&self.params, &convert)?,
            layers: self.layers.iter().map(lift_layer).collect(),
        })
    }
}

impl<T: Float + 'static, A: ActivationFunction<T> + 'static> Network<T, A> {
    /// A layer with the fast kernels (blocked products, vectorised tanh and sigmoid).
    fn dense<'a>(&self, layer: &'a Layer<A>) -> Dense<'a, T, A> {
        Dense {
            shape: layer.shape,
            activation: &layer.activation,
            kernels: Kernels::fast(),
        }
    }

    /// The batch's chunks, checking the shapes the [`Model`] contract demands.
    fn chunks_of(&self, inputs: &[T], outputs: &[T], workspace: &[T]) -> Chunks {
        let batch = outputs.len() / self.output_len_of_last();
        assert_eq!(outputs.len(), batch * self.output_len_of_last(), "outputs");
        assert_eq!(inputs.len(), batch * self.input_len_of_first(), "inputs");
        let plan = Chunks::new(self, batch);
        assert!(workspace.len() >= plan.workspace_len(), "workspace");
        plan
    }
}

/// The [`Model`] calls a user reaches for first, without importing the trait.
impl<T, A> Network<T, A>
where
    T: Float + Send + Sync + 'static,
    A: ActivationFunction<T> + Send + Sync + 'static,
{
    /// The outputs for a batch of inputs, in a new vector: [`Model::predict`].
    ///
    /// # Errors
    ///
    /// As [`Model::predict`].
    pub fn predict(&self, inputs: &[T]) -> Result<Vec<T>, Error> {
        Model::predict(self, inputs)
    }

    /// All parameters in the documented layout: [`Model::params`].
    pub fn params(&self) -> &[T] {
        &self.params
    }
}

impl<T, A> Model<T> for Network<T, A>
where
    T: Float + Send + Sync + 'static,
    A: ActivationFunction<T> + Send + Sync + 'static,
{
    fn input_len(&self) -> usize {
        self.input_len_of_first()
    }

    fn output_len(&self) -> usize {
        self.output_len_of_last()
    }

    fn params(&self) -> &[T] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [T] {
        &mut self.params
    }

    /// Per sample: every layer's `Z`, every hidden layer's `A`, and two δ buffers as wide
    /// as the widest hidden layer (the output layer's `A` is the outputs, its δ the
    /// output gradient). For each chunk of the batch after the first, its own gradient,
    /// with a cache line between chunks' parts; and every layer's `Wᵀ` (as many values
    /// as the parameters), with `parallel` twice if there is more than one chunk, a
    /// cache line apart (a copy for each half of the batch).
    fn workspace_len(&self, batch: usize) -> usize {
        Chunks::new(self, batch).workspace_len()
    }

    fn forward(&self, inputs: &[T], outputs: &mut [T], workspace: &mut [T]) {
        let plan = self.chunks_of(inputs, outputs, workspace);
        self.forward_chunks(&plan, inputs, outputs, workspace);
    }

    fn backward(
        &self,
        inputs: &[T],
        outputs: &[T],
        output_grads: &mut [T],
        workspace: &mut [T],
        grads: &mut [T],
        input_grads: Option<&mut [T]>,
    ) {
        let plan = self.chunks_of(inputs, outputs, workspace);
        assert_eq!(grads.len(), self.params.len(), "gradient length");
        assert_eq!(output_grads.len(), outputs.len(), "output gradients");
        if let Some(input_grads) = &input_grads {
            assert_eq!(input_grads.len(), inputs.len(), "input gradients");
        }
        let io = (inputs, outputs);
        self.backward_chunks(&plan, io, output_grads, workspace, grads, input_grads);
    }
}

/// Collects the layers of a [`Network`], then builds it with seeded or given parameters.
///
/// Setters only store; [`build`](Self::build) and
/// [`build_with_params`](Self::build_with_params) check everything once.
#[derive(Debug, Clone)]
pub struct NetworkBuilder<T, A> {
    input_len: usize,
    layers: Vec<(usize, bool, A)>,
    seed: u64,
    init: Init,
    scalar: PhantomData<T>,
}

impl<T: Float, A> NetworkBuilder<T, A> {
    /// Adds a layer of `units` outputs with a bias, followed by `activation`
    /// (PyTorch: `nn.Linear(previous, units)` then the activation).
    pub fn dense(mut self, units: usize, activation: A) -> Self {
        self.layers.push((units, true, activation));
        self
    }

    /// Adds a layer of `units` outputs WITHOUT a bias (PyTorch: `bias=False`): it has
    /// only its weight matrix in the parameter buffer.
    pub fn dense_no_bias(mut self, units: usize, activation: A) -> Self {
        self.layers.push((units, false, activation));
        self
    }

    /// The seed of the weight stream (default 0: an unseeded build is reproducible too).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The weight initialisation (default [`Init::Recommended`]).
    pub fn init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }
}

impl<T: Float, A: ActivationFunction<T> + WeightInit<T>> NetworkBuilder<T, A> {
    /// Builds the network with weights drawn from the seeded stream and zero biases.
    ///
    /// # Math
    ///
    /// One stream `Xoshiro256PlusPlus::seed_from_u64(seed)` serves all layers in order,
    /// each weight in layout order. A draw `x: u64` becomes `u = (x >> 11) · 2⁻⁵³`,
    /// uniform in `[0, 1)`, and the weight is `a · (2u − 1)` in f64, then `T::from`; `a` is
    /// the layer's bound (see [`Init`]). Only exact or correctly rounded f64 operations are
    /// involved, so a seed gives the same weights on every platform.
    ///
    /// # Errors
    ///
    /// [`Error::NoInputs`] for `input_len == 0`, [`Error::NoLayers`],
    /// [`Error::ZeroUnits`], [`Error::InvalidHyperparameter`] for an activation with
    /// invalid parameters (a non-finite leaky-ReLU slope), and [`Error::TooLarge`] for
    /// layers whose parameter count overflows `usize` or cannot be allocated.
    pub fn build(self) -> Result<Network<T, A>, Error> {
        let init = self.init;
        let seed = self.seed;
        let (layers, param_len) = self.assemble()?;
        let mut network = Network {
            params: zeros(param_len, Quantity::Parameters)?,
            layers,
        };
        let mut stream = rng::stream(seed);
        for layer in &network.layers {
            let scheme = match init {
                Init::Recommended => layer.activation.recommended(),
                other => other,
            };
            let (fan_in, fan_out) = (layer.shape.inputs, layer.shape.outputs);
            let bound = init::bound(scheme, layer.activation.gain()?, fan_in, fan_out);
            let weights = &mut network.params[layer.param_offset..][..fan_in * fan_out];
            init::fill(&mut stream, bound, weights);
        }
        Ok(network)
    }

    /// Builds the network with the given parameters, in the documented layout.
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build), plus [`Error::LengthMismatch`] if `params` does not
    /// hold exactly the network's parameter count and [`Error::NonFinite`] for a NaN or
    /// infinite parameter.
    ///
    /// ```
    /// use backprop::{Activation, Model, Network};
    ///
    /// // nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()) with weight [[1, -1]], bias [0.5]
    /// let net = Network::builder(2)
    ///     .dense(1, Activation::Sigmoid)
    ///     .build_with_params(&[1.0, -1.0, 0.5])?;
    /// assert_eq!(net.predict(&[2.0, 2.5])?, [0.5]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn build_with_params(self, params: &[T]) -> Result<Network<T, A>, Error> {
        // Compared before anything is allocated: a corrupted saved network may claim
        // layers far larger than the parameters it carries.
        let (layers, param_len) = self.assemble()?;
        if params.len() != param_len {
            return Err(Error::LengthMismatch {
                what: Quantity::Parameters,
                expected: param_len,
                actual: params.len(),
            });
        }
        ensure_finite(params, Quantity::Parameters)?;
        Ok(Network {
            params: params.to_vec(),
            layers,
        })
    }

    /// Checks the architecture and lays it out: the layers and the parameter count.
    fn assemble(self) -> Result<(Vec<Layer<A>>, usize), Error> {
        if self.input_len == 0 {
            return Err(Error::NoInputs);
        }
        if self.layers.is_empty() {
            return Err(Error::NoLayers);
        }
        let mut layers = Vec::with_capacity(self.layers.len());
        let (mut inputs, mut param_offset, mut unit_offset) = (self.input_len, 0, 0);
        for (index, (units, bias, activation)) in self.layers.into_iter().enumerate() {
            if units == 0 {
                return Err(Error::ZeroUnits { layer: index });
            }
            activation.gain()?;
            let shape = DenseShape {
                inputs,
                outputs: units,
                bias,
            };
            layers.push(Layer {
                shape,
                activation,
                param_offset,
                unit_offset,
            });
            inputs = units;
            param_offset = checked_param_len(shape)
                .and_then(|len| param_offset.checked_add(len))
                .ok_or(Error::TooLarge {
                    what: Quantity::Parameters,
                })?;
            // Units never exceed parameters (every layer has at least one input), so this
            // cannot overflow once the parameter count did not.
            unit_offset += units;
        }
        let bytes = param_offset.checked_mul(core::mem::size_of::<T>());
        if bytes.is_none_or(|b| b > isize::MAX as usize) {
            // More than any allocation may hold, whether or not it is asked for.
            return Err(Error::TooLarge {
                what: Quantity::Parameters,
            });
        }
        Ok((layers, param_offset))
    }
}

/// A layer's parameter count, `None` if it overflows `usize`.
fn checked_param_len(shape: DenseShape) -> Option<usize> {
    let weights = shape.inputs.checked_mul(shape.outputs)?;
    weights.checked_add(if shape.bias { shape.outputs } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// y = w₂ · tanh(w₁ x + b₁): the chain rule by hand, for a batch of two samples, down
    /// to the parameters and to the inputs.
    #[test]
    fn backward_is_the_chain_rule_by_hand() {
        let (w1, b1, w2) = (0.3, -0.2, 1.7);
        let net = Network::builder(1)
            .dense(1, Activation::Tanh)
            .dense_no_bias(1, Activation::Identity)
            .build_with_params(&[w1, b1, w2])
            .unwrap();
        let xs = [0.9, -1.4];
        let mut out = [0.0; 2];
        let mut workspace = vec![0.0; net.workspace_len(2)];
        net.forward(&xs, &mut out, &mut workspace);
        let mut expected = [0.0; 3];
        for (i, &x) in xs.iter().enumerate() {
            let h = (w1 * x + b1).tanh();
            // The network's tanh is a vectorised approximation, a few ulp from std's.
            approx::assert_relative_eq!(out[i], w2 * h, max_relative = 1e-15);
            expected[0] += w2 * (1.0 - h * h) * x; // ∂y/∂w₁
            expected[1] += w2 * (1.0 - h * h); // ∂y/∂b₁
            expected[2] += h; // ∂y/∂w₂
        }
        let (mut grads, mut input_grads) = ([0.0; 3], [0.0; 2]);
        let ones = &mut [1.0, 1.0];
        net.backward(
            &xs,
            &out,
            ones,
            &mut workspace,
            &mut grads,
            Some(&mut input_grads),
        );
        for (g, e) in grads.iter().zip(expected) {
            approx::assert_relative_eq!(*g, e, max_relative = 1e-15);
        }
        for (g, &x) in input_grads.iter().zip(&xs) {
            let h = (w1 * x + b1).tanh();
            approx::assert_relative_eq!(*g, w2 * (1.0 - h * h) * w1, max_relative = 1e-15);
        }
    }

    #[test]
    fn bad_architectures_are_refused() {
        let relu = Activation::<f64>::Relu;
        let none = Network::<f64>::builder(2).build();
        assert_eq!(none.unwrap_err(), Error::NoLayers);
        let zero = Network::builder(2).dense(3, relu).dense(0, relu).build();
        assert_eq!(zero.unwrap_err(), Error::ZeroUnits { layer: 1 });
        let no_inputs = Network::builder(0).dense(3, relu).build();
        assert_eq!(no_inputs.unwrap_err(), Error::NoInputs);
        let slope = Network::builder(2)
            .dense(3, Activation::LeakyRelu(f64::NAN))
            .build();
        assert!(matches!(
            slope.unwrap_err(),
            Error::InvalidHyperparameter {
                name: "negative_slope",
                ..
            }
        ));
        let short = Network::builder(2)
            .dense(1, relu)
            .build_with_params(&[1.0, 2.0]);
        assert_eq!(
            short.unwrap_err(),
            Error::LengthMismatch {
                what: Quantity::Parameters,
                expected: 3,
                actual: 2
            }
        );
        let nan = Network::builder(2)
            .dense(1, relu)
            .build_with_params(&[1.0, f64::NAN, 0.0]);
        assert_eq!(
            nan.unwrap_err(),
            Error::NonFinite {
                what: Quantity::Parameters,
                index: 1
            }
        );
    }
}
