//! The one-sample step of a model with one parameter (the lecture's neuron) runs in
//! local values, apart from the general step (src/trainer/in_registers.rs). It must give
//! the general step's results bit for bit: the loss, the updated weight, the prediction,
//! the gradient, the trainer's and the optimizer's step counts, and the same refusals.
//!
//! The reference is the same neuron behind a wrapper that asks for one more workspace
//! value, which keeps it on the general path and changes nothing else.

use backprop::{
    Activation, Bce, BceWithLogits, Error, Huber, Loss, Mae, Model, Mse, Neuron, Optimizer,
    Quantity, Sgd, SmoothL1, Step, Trainer, UpdateRule, WeightDecay,
};
use num_traits::Float;

/// A model that forwards to `M` but wants one more workspace value per batch: the
/// trainer's one-parameter path declines it.
struct GeneralPath<M>(M);

impl<T: Float, M: Model<T>> Model<T> for GeneralPath<M> {
    fn input_len(&self) -> usize {
        self.0.input_len()
    }
    fn output_len(&self) -> usize {
        self.0.output_len()
    }
    fn params(&self) -> &[T] {
        self.0.params()
    }
    fn params_mut(&mut self) -> &mut [T] {
        self.0.params_mut()
    }
    fn workspace_len(&self, batch: usize) -> usize {
        self.0.workspace_len(batch) + 1
    }
    fn forward(&self, inputs: &[T], outputs: &mut [T], workspace: &mut [T]) {
        self.0.forward(inputs, outputs, workspace)
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
        self.0
            .backward(inputs, outputs, output_grads, workspace, grads, input_grads)
    }
}

/// SGD as a user would write it: only `update`, so the optimizer updates a copy.
#[derive(Debug, Clone, Copy, PartialEq)]
struct UserSgd;

impl<T: Float> UpdateRule<T> for UserSgd {
    fn update(&self, _t: u64, lr: T, params: &mut [T], grads: &[T], _state: &mut [T]) {
        for (p, &g) in params.iter_mut().zip(grads) {
            *p = *p - lr * g;
        }
    }
}

fn bits<T: Float>(v: T) -> u64 {
    v.to_f64().expect("as f64").to_bits()
}

/// Everything a step leaves observable, as bits.
fn observed<T, M, L, R>(trainer: &Trainer<M, L, R, T>, step: &Result<Step<T>, Error>) -> String
where
    T: Float,
    M: Model<T>,
    L: Loss<T>,
    R: UpdateRule<T>,
{
    let step = step.as_ref().map(|s| (bits(s.loss), s.evaluations));
    let all = |v: &[T]| v.iter().map(|&x| bits(x)).collect::<Vec<_>>();
    format!(
        "{step:?} params {:?} prediction {:?} gradient {:?} steps {} and {}",
        all(trainer.model().params()),
        all(trainer.prediction()),
        all(trainer.gradients()),
        trainer.steps(),
        trainer.optimizer().step_count()
    )
}

/// Trains `neuron` both ways on samples `(x, y)` and compares after every step.
fn both_ways<T, L, R>(neuron: Neuron<T>, loss: L, optimizer: Optimizer<T, R>, samples: &[(T, T)])
where
    T: Float,
    L: Loss<T> + Clone,
    R: UpdateRule<T> + Clone,
{
    let general = GeneralPath(neuron.clone());
    let mut fast = Trainer::new(neuron, loss.clone(), optimizer.clone()).expect("fast");
    let mut reference = Trainer::new(general, loss, optimizer).expect("reference");
    for (i, &(x, y)) in samples.iter().enumerate() {
        let got = fast.step(&[x], &[y]);
        let expected = reference.step(&[x], &[y]);
        assert_eq!(
            observed(&fast, &got),
            observed(&reference, &expected),
            "step {i} ({:?}, {:?})",
            x.to_f64(),
            y.to_f64()
        );
    }
}

fn samples<T: Float>(count: usize) -> Vec<(T, T)> {
    (0..count)
        .map(|i| {
            let i = i as f64;
            let x = T::from((i * 0.731).sin() * 2.0).expect("x");
            let y = T::from(((i * 0.377).cos() + 1.0) / 2.1).expect("y in (0, 1)");
            (x, y)
        })
        .collect()
}

fn every_activation<T: Float>() -> [Activation<T>; 5] {
    let slope = T::from(0.01).expect("slope");
    [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(slope),
    ]
}

fn every_case<T: Float>() {
    let lr = T::from(0.1).expect("lr");
    let decay = WeightDecay::L2(T::from(0.01).expect("decay"));
    let data = samples::<T>(40);
    for activation in every_activation::<T>() {
        let neuron = Neuron::new(T::from(0.7).expect("w")).with_activation(activation);
        let neuron: Neuron<T> = neuron;
        both_ways(neuron.clone(), Mse, Sgd::new(lr), &data);
        both_ways(neuron.clone(), Mae, Sgd::new(lr), &data);
        both_ways(neuron.clone(), Huber::new(T::one()), Sgd::new(lr), &data);
        both_ways(neuron.clone(), SmoothL1::new(T::one()), Sgd::new(lr), &data);
        both_ways(neuron.clone(), BceWithLogits, Sgd::new(lr), &data);
        both_ways(neuron.clone(), Mse, Sgd::new(lr).weight_decay(decay), &data);
        both_ways(neuron.clone(), Mse, Sgd::new(lr).maximize(true), &data);
        both_ways(neuron.clone(), Mse, Optimizer::new(UserSgd, lr), &data);
    }
    let sigmoid = Neuron::new(T::from(0.7).expect("w")).with_activation(Activation::Sigmoid);
    both_ways(sigmoid, Bce, Sgd::new(lr), &data);
}

#[test]
fn the_one_parameter_step_gives_the_general_steps_bits() {
    every_case::<f64>();
    every_case::<f32>();
}

/// A step whose update leaves the finite numbers is refused the same way on both paths,
/// and neither the weight nor the step count moves.
#[test]
fn the_one_parameter_step_refuses_as_the_general_step() {
    let huge = Sgd::new(f64::MAX);
    let samples = [(1.2, 0.4), (1e300, -1e300), (1.2, 0.4)];
    both_ways(Neuron::new(0.7), Mse, huge, &samples);
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(f64::MAX)).expect("trainer");
    let refused = trainer.step(&[1.2], &[0.4]);
    assert!(matches!(
        refused,
        Err(Error::Diverged {
            step: 0,
            what: Quantity::Parameters
        })
    ));
    assert_eq!(
        (trainer.model().weights(), trainer.steps()),
        (&[0.7][..], 0)
    );
}
