//! `Model::backward`'s input gradients `∂L/∂X` (PyTorch's `x.grad`) for `Neuron` and
//! `Network`, under every built-in activation, against two references that know nothing
//! of backpropagation. The loss is `Mse` averaged over the batch, as the trainer computes
//! it; inputs lie in [−1.5, 1.5], parameters in [−1, 1], targets in [−1, 1].
//!
//! Central differences: `h = ∛ε · max(1, |x|)`, so truncation and rounding errors are
//! both `O(ε^(2/3)) ≈ 4e-11` of the loss; every input must satisfy
//! `|analytic − numeric| ≤ 1e-8 + 1e-6·|numeric|`. A row with a pre-activation within
//! 1e-3 of a ReLU kink is not differenced (a step of `h` moves `z` by about 1e-5, but the
//! two sides of a kink disagree); rows are independent, so the others still are.
//!
//! `Dual<f64>`: the same model over dual numbers, with input `x_bi` seeded with tangent
//! 1 and everything else constant, gives `∂L/∂x_bi` as the mean loss's tangent, without
//! a step size. Both sides sum the same products in other orders, and a `Network` in f64
//! runs a vectorised tanh and sigmoid a few ulp from `std`'s (the dual numbers run the
//! plain ones), from whose rounded outputs the backward pass takes the derivatives
//! (`1 − a²`, `(1 − a)·a`). So they agree to a few ulps of the size of the terms summed,
//! not of each entry (paths through the network can cancel). With weights in [−1, 1] and
//! a few units per layer those terms are of the order of the output gradient, so
//! `|analytic − dual| ≤ 1e-12 · s`, `s` the largest `|∂L/∂x|` or `|∂L/∂ŷ|` of the case
//! (observed: within 3e-14 · s over 64 000 cases).
//!
//! Batches of 1 and 3 rows run in one piece; a network's batches of 300 and 520 rows run
//! in 2 and 4 chunks, each writing its own rows of `∂L/∂X`. Every case also checks that
//! `∂L/∂X` overwrites its buffer (filled with NaN beforehand) and that asking for it
//! leaves the outputs and `∂L/∂θ` bit for bit as they are without it.

use core::ops::Range;

use backprop::{
    Activation, ActivationFunction, Adam, Dual, Error, Loss, Model, Mse, Network, Neuron, Quantity,
    Trainer,
};
use num_traits::Float;
use proptest::prelude::*;

type D = Dual<f64>;

/// How close to a ReLU kink a pre-activation may be for central differences.
const KINK_MARGIN: f64 = 1e-3;

/// `(units, activation, bias)` of one layer.
type LayerSpec = (usize, Activation<f64>, bool);

/// A model with its parameters, a batch and its targets.
#[derive(Debug, Clone)]
struct Case {
    /// Build a `Neuron` (one layer of one unit) rather than a `Network`.
    neuron: bool,
    input_len: usize,
    layers: Vec<LayerSpec>,
    /// In the documented layout: each layer's weights row-major, then its bias.
    params: Vec<f64>,
    /// Row-major, `rows × input_len`.
    inputs: Vec<f64>,
    targets: Vec<f64>,
}

impl Case {
    fn output_len(&self) -> usize {
        self.layers.last().map_or(0, |layer| layer.0)
    }

    fn rows(&self) -> usize {
        self.inputs.len() / self.input_len
    }

    /// The model over `T`, its parameters and activations mapped by `lift`.
    fn build<T>(&self, lift: fn(f64) -> T) -> Box<dyn Model<T>>
    where
        T: Float + Send + Sync + 'static,
    {
        let params: Vec<T> = self.params.iter().map(|&p| lift(p)).collect();
        if self.neuron {
            let (_, activation, bias) = self.layers[0];
            let (weights, bias_value) = params.split_at(self.input_len);
            let mut neuron = Neuron::from_weights(weights.to_vec());
            if bias {
                neuron = neuron.with_bias(bias_value[0]);
            }
            return Box::new(neuron.with_activation(lift_activation(activation, lift)));
        }
        let mut builder = Network::builder(self.input_len);
        for &(units, activation, bias) in &self.layers {
            let activation = lift_activation(activation, lift);
            builder = if bias {
                builder.dense(units, activation)
            } else {
                builder.dense_no_bias(units, activation)
            };
        }
        Box::new(builder.build_with_params(&params).expect("valid network"))
    }

    /// Every pre-activation of row `x` in a kinked layer, by the documented layout.
    fn kinked_pre_activations(&self, x: &[f64]) -> Vec<f64> {
        let (mut a, mut kinked, mut offset) = (x.to_vec(), Vec::new(), 0);
        for &(units, activation, bias) in &self.layers {
            let fan_in = a.len();
            let weights = &self.params[offset..][..units * fan_in];
            let biases = &self.params[offset + units * fan_in..];
            let z: Vec<f64> = (0..units)
                .map(|o| {
                    let row = &weights[o * fan_in..][..fan_in];
                    let dot: f64 = row.iter().zip(&a).map(|(w, x)| w * x).sum();
                    dot + if bias { biases[o] } else { 0.0 }
                })
                .collect();
            offset += units * fan_in + if bias { units } else { 0 };
            if matches!(activation, Activation::Relu | Activation::LeakyRelu(_)) {
                kinked.extend(&z);
            }
            a = z.iter().map(|&z| activation.value(z)).collect();
        }
        kinked
    }

    fn clear_of_kinks(&self, row: usize) -> bool {
        let x = &self.inputs[row * self.input_len..][..self.input_len];
        let pre = self.kinked_pre_activations(x);
        pre.iter().all(|z| z.abs() > KINK_MARGIN)
    }
}

/// The same activation over another number type (a leaky slope is a constant).
fn lift_activation<T: Float>(activation: Activation<f64>, lift: fn(f64) -> T) -> Activation<T> {
    match activation {
        Activation::Identity => Activation::Identity,
        Activation::Sigmoid => Activation::Sigmoid,
        Activation::Tanh => Activation::Tanh,
        Activation::Relu => Activation::Relu,
        Activation::LeakyRelu(slope) => Activation::LeakyRelu(lift(slope)),
    }
}

/// `L = (1/B) Σ_b Mse(ŷ_b, y_b)`, the trainer's loss, in any number type.
fn mean_loss<T: Float>(model: &dyn Model<T>, inputs: &[T], targets: &[T]) -> T {
    let outputs = model.predict(inputs).expect("finite inputs");
    let n = model.output_len();
    let total = outputs
        .chunks_exact(n)
        .zip(targets.chunks_exact(n))
        .fold(T::zero(), |sum, (p, y)| sum + Mse.value(p, y));
    total / T::from(targets.len() / n).expect("a row count")
}

/// What one backward pass writes: the parameter gradient and, if asked, `∂L/∂X`; and
/// the largest `|∂L/∂ŷ|` it started from.
struct Backward {
    outputs: Vec<f64>,
    grads: Vec<f64>,
    input_grads: Option<Vec<f64>>,
    largest_output_grad: f64,
}

/// Forward, `∂L/∂ŷ` of the mean loss (per-row `Mse` gradient over `B`), backward.
fn backward(case: &Case, with_input_grads: bool) -> Backward {
    let model = case.build(|p| p);
    let (rows, n) = (case.rows(), case.output_len());
    let mut outputs = vec![0.0; rows * n];
    let mut workspace = vec![0.0; model.workspace_len(rows)];
    model.forward(&case.inputs, &mut outputs, &mut workspace);
    let mut output_grads = vec![0.0; rows * n];
    for ((p, y), g) in outputs
        .chunks_exact(n)
        .zip(case.targets.chunks_exact(n))
        .zip(output_grads.chunks_exact_mut(n))
    {
        Mse.gradient(p, y, g);
    }
    output_grads.iter_mut().for_each(|g| *g /= rows as f64);
    let largest_output_grad = largest(output_grads.iter().copied());
    let mut grads = vec![0.0; model.params().len()];
    // NaN: every entry must be written, none accumulated into.
    let mut input_grads = with_input_grads.then(|| vec![f64::NAN; case.inputs.len()]);
    model.backward(
        &case.inputs,
        &outputs,
        &mut output_grads,
        &mut workspace,
        &mut grads,
        input_grads.as_deref_mut(),
    );
    Backward {
        outputs,
        grads,
        input_grads,
        largest_output_grad,
    }
}

fn largest(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |max, v| max.max(v.abs()))
}

/// `∂L/∂x_k` by central differences of the mean loss.
fn central_difference(model: &dyn Model<f64>, case: &Case, k: usize) -> f64 {
    let mut inputs = case.inputs.clone();
    let x = inputs[k];
    let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
    let (up, down) = (x + h, x - h);
    inputs[k] = up;
    let loss_up = mean_loss(model, &inputs, &case.targets);
    inputs[k] = down;
    let loss_down = mean_loss(model, &inputs, &case.targets);
    (loss_up - loss_down) / (up - down)
}

/// `∂L/∂x_k` as the tangent of the mean loss over dual numbers, `x_k` seeded with 1.
fn dual_derivative(model: &dyn Model<D>, case: &Case, k: usize) -> f64 {
    let mut inputs: Vec<D> = case.inputs.iter().map(|&x| D::constant(x)).collect();
    inputs[k] = D::new(case.inputs[k], 1.0);
    let targets: Vec<D> = case.targets.iter().map(|&y| D::constant(y)).collect();
    mean_loss(model, &inputs, &targets).derivative()
}

/// The input gradient of `case`, checked against both references on the rows `checked`
/// allows; asking for it must leave the outputs and the parameter gradient as they are
/// without it, bit for bit.
fn assert_input_gradients_match(case: &Case, checked: impl Fn(usize) -> bool) {
    let plain = backward(case, false);
    let with = backward(case, true);
    assert_eq!(bits(&with.outputs), bits(&plain.outputs), "ŷ in {case:?}");
    assert_eq!(bits(&with.grads), bits(&plain.grads), "∂L/∂θ in {case:?}");
    let analytic = with.input_grads.expect("asked for");
    let rows: Vec<usize> = (0..case.rows()).filter(|&row| checked(row)).collect();
    assert_central_differences_agree(case, &analytic, &rows);
    assert_dual_numbers_agree(case, &analytic, &rows, with.largest_output_grad);
}

/// The inputs of row `row`, as indices into the batch.
fn inputs_of(case: &Case, row: usize) -> Range<usize> {
    row * case.input_len..(row + 1) * case.input_len
}

fn assert_central_differences_agree(case: &Case, analytic: &[f64], rows: &[usize]) {
    let model = case.build(|p| p);
    for &row in rows.iter().filter(|&&row| case.clear_of_kinks(row)) {
        for k in inputs_of(case, row) {
            let numeric = central_difference(&*model, case, k);
            let tolerance = 1e-8 + 1e-6 * numeric.abs();
            assert!(
                (analytic[k] - numeric).abs() <= tolerance,
                "∂L/∂x{k}: backprop {} vs central difference {numeric} in {case:?}",
                analytic[k]
            );
        }
    }
}

fn assert_dual_numbers_agree(case: &Case, analytic: &[f64], rows: &[usize], output_grad: f64) {
    let model = case.build(D::constant);
    let dual: Vec<(usize, f64)> = rows
        .iter()
        .flat_map(|&row| inputs_of(case, row))
        .map(|k| (k, dual_derivative(&*model, case, k)))
        .collect();
    let scale = largest(dual.iter().map(|&(_, d)| d)).max(output_grad);
    for (k, d) in dual {
        let g = analytic[k];
        assert!(
            (g - d).abs() <= 1e-12 * scale,
            "∂L/∂x{k}: backprop {g} vs dual {d} (scale {scale:e}) in {case:?}"
        );
    }
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

fn activation() -> impl Strategy<Value = Activation<f64>> {
    prop_oneof![
        Just(Activation::Identity),
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        (0.01..0.5f64).prop_map(Activation::LeakyRelu),
    ]
}

fn param_len(input_len: usize, layers: &[LayerSpec]) -> usize {
    let mut fan_in = input_len;
    let mut len = 0;
    for &(units, _, bias) in layers {
        len += units * fan_in + if bias { units } else { 0 };
        fan_in = units;
    }
    len
}

/// Random parameters, a batch of `rows` rows and its targets for the given architecture.
fn case(
    neuron: bool,
    input_len: usize,
    layers: Vec<LayerSpec>,
    rows: usize,
) -> impl Strategy<Value = Case> {
    let output_len = layers.last().map_or(0, |layer| layer.0);
    (
        prop::collection::vec(-1.0..1.0f64, param_len(input_len, &layers)),
        prop::collection::vec(-1.5..1.5f64, rows * input_len),
        prop::collection::vec(-1.0..1.0f64, rows * output_len),
    )
        .prop_map(move |(params, inputs, targets)| Case {
            neuron,
            input_len,
            layers: layers.clone(),
            params,
            inputs,
            targets,
        })
}

/// A neuron of 1 or 3 inputs, with or without a bias, on 1 or 3 rows.
fn neuron_case() -> impl Strategy<Value = Case> {
    let shape = (
        prop_oneof![Just(1usize), Just(3)],
        any::<bool>(),
        activation(),
        prop_oneof![Just(1usize), Just(3)],
    );
    shape.prop_flat_map(|(input_len, bias, activation, rows)| {
        case(true, input_len, vec![(1, activation, bias)], rows)
    })
}

/// A network of 2 or 3 layers of 1–4 units (the last 1–2), each with any activation and
/// with or without a bias, on 1 or 3 rows.
fn network_case() -> impl Strategy<Value = Case> {
    let layer = |units| (units, activation(), any::<bool>());
    let shape = (
        1..=3usize,
        prop::collection::vec(layer(1..=4usize), 1..=2),
        layer(1..=2usize),
        prop_oneof![Just(1usize), Just(3)],
    );
    shape.prop_flat_map(|(input_len, mut layers, last, rows)| {
        layers.push(last);
        case(false, input_len, layers, rows)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_neurons_input_gradient_matches_differences_and_dual_numbers(case in neuron_case()) {
        assert_input_gradients_match(&case, |_| true);
    }

    #[test]
    fn a_networks_input_gradient_matches_differences_and_dual_numbers(case in network_case()) {
        assert_input_gradients_match(&case, |_| true);
    }
}

/// Deterministic, varied values in [−scale, scale].
fn pattern(len: usize, seed: f64, scale: f64) -> Vec<f64> {
    (0..len)
        .map(|i| scale * (i as f64 * 0.618 + seed).sin())
        .collect()
}

/// Batches large enough to run in chunks (300 rows: 2, 520 rows: 4), for every activation,
/// 2 and 3 layers, with and without biases: every chunk writes its own rows.
#[test]
fn input_gradients_of_a_chunked_batch_match_differences_and_dual_numbers() {
    let activations = [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.1),
    ];
    for activation in activations {
        for (depth, bias, rows) in [(2, true, 300), (3, false, 300), (2, false, 520)] {
            let mut layers = vec![(3, activation, bias); depth - 1];
            // Two inputs, one output: a row of ∂L/∂X is wider than a row of Ŷ.
            layers.push((1, activation, bias));
            let input_len = 2;
            let case = Case {
                neuron: false,
                input_len,
                params: pattern(param_len(input_len, &layers), 0.3, 1.0),
                layers,
                inputs: pattern(rows * input_len, 1.1, 1.5),
                targets: pattern(rows, 2.9, 1.0),
            };
            // Both sides of every chunk boundary (multiples of 10 here), and every tenth
            // row: each reference needs a pass over the whole batch per input.
            assert_input_gradients_match(&case, |row| matches!(row % 10, 0 | 9));
        }
    }
}

/// `backward` on one row of two inputs, given an input gradient buffer of `len` values.
fn backward_with_input_grads_of_len(model: &dyn Model<f64>, len: usize) {
    let x = [1.0, 2.0];
    let (mut output, mut workspace) = ([0.0], vec![0.0; model.workspace_len(1)]);
    model.forward(&x, &mut output, &mut workspace);
    let (mut grads, mut input_grads) = (vec![0.0; model.params().len()], vec![0.0; len]);
    let input_grads = Some(&mut input_grads[..]);
    model.backward(
        &x,
        &output,
        &mut [1.0],
        &mut workspace,
        &mut grads,
        input_grads,
    );
}

fn neuron() -> Neuron<f64> {
    Neuron::from_weights(vec![0.5, -0.25])
}

fn network() -> Network<f64> {
    let builder = Network::builder(2).dense(1, Activation::Tanh);
    builder
        .build_with_params(&[0.5, -0.25, 0.1])
        .expect("valid network")
}

#[test]
fn an_input_gradient_buffer_as_long_as_the_inputs_is_accepted() {
    backward_with_input_grads_of_len(&neuron(), 2);
    backward_with_input_grads_of_len(&network(), 2);
}

#[test]
#[should_panic(expected = "input gradient")]
fn a_neuron_refuses_an_input_gradient_buffer_of_the_wrong_length() {
    backward_with_input_grads_of_len(&neuron(), 1);
}

#[test]
#[should_panic(expected = "input gradient")]
fn a_network_refuses_an_input_gradient_buffer_of_the_wrong_length() {
    backward_with_input_grads_of_len(&network(), 3);
}

/// `Trainer::input_gradients` is the model's `∂L/∂X` of the trainer's mean loss (checked
/// against central differences and dual numbers above), and changes no parameter, no
/// optimizer state and no step count; a malformed batch is refused.
#[test]
fn the_trainers_input_gradients_are_the_models_and_change_nothing() {
    let layers = vec![(4, Activation::Tanh, true), (2, Activation::Sigmoid, true)];
    let case = Case {
        neuron: false,
        input_len: 3,
        params: pattern(param_len(3, &layers), 0.7, 1.0),
        layers,
        inputs: pattern(3 * 5, 0.2, 1.5),
        targets: pattern(2 * 5, 1.3, 1.0),
    };
    let expected = backward(&case, true);

    let net = Network::builder(3)
        .dense(4, Activation::Tanh)
        .dense(2, Activation::Sigmoid)
        .build_with_params(&case.params)
        .unwrap();
    let mut trainer = Trainer::new(net, Mse, Adam::new(0.1)).unwrap();
    trainer.step_batch(&case.inputs, &case.targets).unwrap(); // the optimizer has state
    let stepped = trainer.model().params().to_vec();
    let optimizer = trainer.optimizer().clone();
    let mut at_stepped = case.clone();
    at_stepped.params = stepped.clone();
    assert_input_gradients_match(&at_stepped, |_| true);
    let expected_now = backward(&at_stepped, true);

    // The trainer scales ∂L/∂ŷ by 1/B where `backward` above divides by B: a few ulps.
    let close = |got: &[f64], expected: &[f64]| {
        let scale = largest(expected.iter().copied());
        got.iter()
            .zip(expected)
            .all(|(g, e)| (g - e).abs() <= 1e-14 * scale)
    };
    let got = trainer
        .input_gradients(&case.inputs, &case.targets)
        .unwrap();
    let expected_input_grads = expected_now.input_grads.as_ref().unwrap();
    assert!(close(got, expected_input_grads), "{got:?}");
    assert!(close(trainer.gradients(), &expected_now.grads));
    assert_eq!(trainer.model().params(), stepped.as_slice());
    assert_eq!(trainer.optimizer(), &optimizer);
    assert_eq!(trainer.steps(), 1);
    assert_ne!(
        bits(&expected.grads),
        bits(&expected_now.grads),
        "the step moved θ"
    );

    let ragged = trainer.input_gradients(&case.inputs[..4], &case.targets);
    let expected_error = Error::LengthMismatch {
        what: Quantity::Input,
        expected: 3,
        actual: 4,
    };
    assert_eq!(ragged.unwrap_err(), expected_error);
    assert_eq!(trainer.model().params(), stepped.as_slice());
}
