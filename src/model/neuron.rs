//! A single neuron: the lecture's model and the smallest dense layer.

use alloc::vec;
use alloc::vec::Vec;
use num_traits::Float;

use super::dense::DenseShape;
use super::single_output;
use super::{passes_in_turn, Model, StepBuffers, StepHooks};
use crate::activation::{Activation, ActivationFunction};

/// One neuron: `a = f(Σᵢ wᵢ xᵢ + b)` with any number of inputs, an optional bias `b` and
/// an activation `f`.
///
/// It is a dense layer with one output: a matrix–vector product, which it computes with a
/// kernel of its own that gives the dense layer's results (see `src/model/single_output.rs`)
/// without its per-call overhead, so that a one-sample step stays near the cost of its
/// arithmetic.
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

impl<T: Float, A: ActivationFunction<T>> Neuron<T, A> {
    /// [`Model::train_step`] for anything but one sample of one input: the passes in turn,
    /// out of line so that the one-sample step around it keeps its registers. The buffers
    /// come as their parts, not as the struct, which would then be built in memory on
    /// every step, the one-sample ones included.
    #[inline(never)]
    fn passes_out_of_line<H: StepHooks<T>>(
        &mut self,
        inputs: &[T],
        buffers: [&mut [T]; 4],
        hooks: H,
    ) -> H::Output {
        passes_in_turn(self, inputs, buffers, hooks)
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
        single_output::forward(
            weights,
            bias.first().copied(),
            &self.activation,
            inputs,
            pre,
            outputs,
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
        single_output::backward_params(
            &self.activation,
            inputs,
            pre,
            outputs,
            output_grads,
            grads,
            self.shape.bias,
        );
        if let Some(input_grads) = input_grads {
            let delta = &output_grads[..outputs.len()]; // now ∂L/∂z
            single_output::backward_inputs(self.weights(), delta, input_grads);
        }
    }

    /// A one-input neuron's sample (the lecture's step) goes from its input to the update
    /// in registers: the buffers receive the output and the gradient but are not read
    /// back, and the update follows the gradient's store in straight-line code, so the
    /// compiler hands it the value in a register instead of through memory (a
    /// store-to-load round trip on the step's critical path). The arithmetic is
    /// `forward`'s and `backward`'s, so the values are theirs bit for bit. Everything else
    /// takes the passes in turn, out of line, so that no other path shares (and merges
    /// with) this one's update.
    ///
    /// Always inlined: called out of line, the step would build the trainer's hooks in
    /// memory to pass them.
    #[inline(always)]
    fn train_step<H: StepHooks<T>>(
        &mut self,
        inputs: &[T],
        buffers: StepBuffers<'_, T>,
        mut hooks: H,
    ) -> H::Output {
        let [outputs, output_grads, workspace, grads] = buffers.into_parts();
        let one_sample = self.shape.inputs == 1 && grads.len() == self.params.len();
        let ([output], [x], true) = (&mut *outputs, inputs, one_sample) else {
            let buffers = [outputs, output_grads, workspace, grads];
            return self.passes_out_of_line(inputs, buffers, hooks);
        };
        let (w, bias) = (self.params[0], self.params.get(1).copied());
        let z = single_output::pre_activation(&[w], bias, &[*x]);
        let a = self.activation.value(z);
        *output = a;
        let mut upstream = [T::zero()];
        let loss = hooks.loss(&[a], &mut upstream);
        let delta = self.activation.backward(z, a, upstream[0]);
        if grads.len() == 1 {
            // No bias (the lecture's neuron): the gradient is known to be one value, so
            // its checks in the update need no loop either.
            grads[0] = delta * *x;
            return hooks.update(loss, &mut self.params, grads);
        }
        let (grad_w, grad_b) = grads.split_at_mut(1);
        single_output::store_gradient(&[*x], delta, grad_w, grad_b);
        hooks.update(loss, &mut self.params, grads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{Loss, Mse};
    use alloc::vec;

    /// Mean squared error against fixed targets, then `θ ← θ − 0.1·g`.
    struct MseThenDescent<'a> {
        targets: &'a [f64],
    }

    impl StepHooks<f64> for MseThenDescent<'_> {
        type Output = f64;
        fn loss(&mut self, outputs: &[f64], output_grads: &mut [f64]) -> f64 {
            Mse.gradient(outputs, self.targets, output_grads)
        }
        fn update(self, loss: f64, params: &mut [f64], grads: &mut [f64]) -> f64 {
            for (p, g) in params.iter_mut().zip(grads.iter()) {
                *p -= 0.1 * g;
            }
            loss
        }
    }

    /// The outputs, the gradient, the updated parameters and the loss, as bits.
    type Trace = (Vec<u64>, Vec<u64>, Vec<u64>, u64);

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    fn trace(neuron: &mut Neuron<f64>, inputs: &[f64], targets: &[f64], fused: bool) -> Trace {
        let rows = targets.len();
        let (mut outputs, mut output_grads) = (vec![0.0; rows], vec![0.0; rows]);
        let mut workspace = vec![0.0; neuron.workspace_len(rows)];
        let mut grads = vec![0.0; neuron.params().len()];
        let buffers = StepBuffers {
            outputs: &mut outputs,
            output_grads: &mut output_grads,
            workspace: &mut workspace,
            grads: &mut grads,
        };
        let hooks = MseThenDescent { targets };
        let loss = if fused {
            neuron.train_step(inputs, buffers, hooks)
        } else {
            passes_in_turn(neuron, inputs, buffers.into_parts(), hooks)
        };
        (
            bits(&outputs),
            bits(&grads),
            bits(neuron.params()),
            loss.to_bits(),
        )
    }

    #[test]
    fn the_fused_step_gives_the_passes_values_bit_for_bit() {
        let activations = [
            Activation::Identity,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::LeakyRelu(0.1),
        ];
        let value = |i: usize| (i as f64 * 0.618 + 0.3).sin();
        for activation in activations {
            for (inputs, bias) in [(1, false), (1, true), (3, false), (3, true)] {
                for rows in [1, 2] {
                    let weights = (0..inputs).map(value).collect();
                    let mut neuron = Neuron::from_weights(weights).with_activation(activation);
                    if bias {
                        neuron = neuron.with_bias(-0.2);
                    }
                    let x: Vec<f64> = (0..inputs * rows).map(|i| value(i + 7)).collect();
                    let y: Vec<f64> = (0..rows).map(|i| value(i + 13)).collect();
                    let fused = trace(&mut neuron.clone(), &x, &y, true);
                    let in_turn = trace(&mut neuron, &x, &y, false);
                    assert_eq!(
                        fused, in_turn,
                        "{activation:?}, {inputs} inputs, bias {bias}"
                    );
                }
            }
        }
    }
}
