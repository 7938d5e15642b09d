//! Property test: a network's backpropagated gradient equals central finite differences,
//! for random architectures, activations, parameters and batches.
//!
//! Architectures: 1–3 layers, widths 1–8, every built-in activation, each layer with or
//! without a bias; parameters in [−1, 1], inputs in [−2, 2], targets in [−1, 1], batches
//! of 1–4 rows, loss Mse averaged over the batch.
//!
//! Finite differences (backprop::gradcheck): h = ∛ε · max(1, |θ|) ≈ 6.1e-6 for f64, so the
//! truncation error is O(h²) ≈ 4e-11 and the rounding error O(ε/h) ≈ 4e-11 of the loss.
//! Every parameter must satisfy |analytic − numeric| ≤ 1e-8 + 1e-6 · |numeric|.
//! ReLU and leaky ReLU have a kink at 0: cases with a pre-activation |z| < 1e-3 are
//! rejected, far beyond what a step of h can move z by.
//!
//! The forward pass is also recomputed here from the documented parameter layout, so the
//! layout and the kernel are checked against an independent implementation.
//!
//! Against `Dual<f64>` (forward mode, no step size): every partial `∂L/∂θᵢ` is the
//! tangent of the mean loss with θᵢ's tangent seeded 1 and all others 0. Both sides
//! compute the same sums of products in other orders, and the backward pass takes
//! sigmoid's and tanh's derivatives from the rounded outputs (`(1 − a)·a`, `1 − a²`), so
//! they agree to rounding: `|backprop − dual| ≤ 32 ε · (1 + max_j |∂L/∂θ_j|)`, a few
//! ulps of the gradient's scale (observed: within 2 ε) where finite differences need
//! 1e-8. Comparisons on duals look at values
//! only, so both sides take the same side of a ReLU kink and no case is rejected.

use backprop::{gradcheck, Activation, ActivationFunction, Dual, Loss, Mse, Network};
use proptest::prelude::*;

const KINK_MARGIN: f64 = 1e-3;

#[derive(Debug, Clone)]
struct Spec {
    input_len: usize,
    layers: Vec<(usize, Activation<f64>, bool)>,
    params: Vec<f64>,
    inputs: Vec<f64>,
    targets: Vec<f64>,
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

fn param_count(input_len: usize, layers: &[(usize, Activation<f64>, bool)]) -> usize {
    let mut fan_in = input_len;
    let mut count = 0;
    for &(units, _, bias) in layers {
        count += units * fan_in + if bias { units } else { 0 };
        fan_in = units;
    }
    count
}

fn spec() -> impl Strategy<Value = Spec> {
    let layers = prop::collection::vec((1..=8usize, activation(), any::<bool>()), 1..=3);
    (1..=8usize, layers, 1..=4usize).prop_flat_map(|(input_len, layers, batch)| {
        let n_params = param_count(input_len, &layers);
        let out = layers.last().unwrap().0;
        (
            prop::collection::vec(-1.0..1.0f64, n_params),
            prop::collection::vec(-2.0..2.0f64, batch * input_len),
            prop::collection::vec(-1.0..1.0f64, batch * out),
        )
            .prop_map(move |(params, inputs, targets)| Spec {
                input_len,
                layers: layers.clone(),
                params,
                inputs,
                targets,
            })
    })
}

fn build(spec: &Spec) -> Network<f64> {
    let mut builder = Network::builder(spec.input_len);
    for &(units, act, bias) in &spec.layers {
        builder = if bias {
            builder.dense(units, act)
        } else {
            builder.dense_no_bias(units, act)
        };
    }
    builder.build_with_params(&spec.params).unwrap()
}

/// The forward pass from the documented layout: per layer W [out][in], then b [out].
/// Returns the outputs and the smallest |z| of a ReLU-like layer.
fn reference_forward(spec: &Spec) -> (Vec<f64>, f64) {
    let mut rows: Vec<Vec<f64>> = spec
        .inputs
        .chunks(spec.input_len)
        .map(<[f64]>::to_vec)
        .collect();
    let mut offset = 0;
    let mut nearest_kink = f64::INFINITY;
    for &(units, act, bias) in &spec.layers {
        let fan_in = rows[0].len();
        let weights = &spec.params[offset..offset + units * fan_in];
        offset += units * fan_in;
        let biases = if bias {
            &spec.params[offset..offset + units]
        } else {
            &[][..]
        };
        offset += biases.len();
        for row in &mut rows {
            let next: Vec<f64> = (0..units)
                .map(|o| {
                    let w = &weights[o * fan_in..(o + 1) * fan_in];
                    let mut z: f64 = w.iter().zip(row.iter()).map(|(w, x)| w * x).sum();
                    z += biases.get(o).copied().unwrap_or(0.0);
                    if matches!(act, Activation::Relu | Activation::LeakyRelu(_)) {
                        nearest_kink = nearest_kink.min(z.abs());
                    }
                    act.value(z)
                })
                .collect();
            *row = next;
        }
    }
    (rows.concat(), nearest_kink)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn backprop_matches_central_differences(spec in spec()) {
        let (expected, nearest_kink) = reference_forward(&spec);
        prop_assume!(nearest_kink > KINK_MARGIN);
        let mut net = build(&spec);
        let outputs = net.predict(&spec.inputs).unwrap();
        for (a, e) in outputs.iter().zip(&expected) {
            prop_assert!((a - e).abs() <= 1e-12 * (1.0 + e.abs()), "{} vs {}", a, e);
        }
        let report = gradcheck::check(&mut net, &Mse, &spec.inputs, &spec.targets).unwrap();
        prop_assert!(
            report.passes(1e-8, 1e-6),
            "worst {:?}", report.worst_abs_error()
        );
        prop_assert_eq!(net.params(), &spec.params[..]); // restored bit for bit
    }
}

/// The f32 gradient of a step, for the same network and data converted from f64.
fn f32_gradient(spec: &Spec) -> Vec<f32> {
    let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let mut builder = Network::builder(spec.input_len);
    for &(units, act, bias) in &spec.layers {
        let act = match act {
            Activation::LeakyRelu(s) => Activation::LeakyRelu(s as f32),
            Activation::Identity => Activation::Identity,
            Activation::Sigmoid => Activation::Sigmoid,
            Activation::Tanh => Activation::Tanh,
            _ => Activation::Relu,
        };
        builder = if bias {
            builder.dense(units, act)
        } else {
            builder.dense_no_bias(units, act)
        };
    }
    let net = builder.build_with_params(&to32(&spec.params)).unwrap();
    let mut trainer = backprop::Trainer::new(net, Mse, backprop::Sgd::new(1e-3f32)).unwrap();
    trainer
        .step_batch(&to32(&spec.inputs), &to32(&spec.targets))
        .unwrap();
    trainer.gradients().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// f32 runs the same code as f64: its gradient agrees to f32 precision, measured
    /// against the gradient's largest entry (f32 rounds at 6e-8; a few layers of width ≤ 8
    /// accumulate well under 1e-4 of it).
    #[test]
    fn f32_gradients_agree_with_f64(spec in spec()) {
        let (_, nearest_kink) = reference_forward(&spec);
        prop_assume!(nearest_kink > KINK_MARGIN);
        let mut trainer = backprop::Trainer::new(build(&spec), Mse, backprop::Sgd::new(1e-3)).unwrap();
        trainer.step_batch(&spec.inputs, &spec.targets).unwrap();
        let g64 = trainer.gradients();
        let scale = 1.0 + g64.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for (i, (&g32, &g)) in f32_gradient(&spec).iter().zip(g64).enumerate() {
            prop_assert!((f64::from(g32) - g).abs() <= 1e-4 * scale, "[{}] {} vs {}", i, g32, g);
        }
    }
}

type D = Dual<f64>;

/// The same activation over dual numbers (a leaky slope is a constant).
fn dual_activation(act: Activation<f64>) -> Activation<D> {
    match act {
        Activation::Identity => Activation::Identity,
        Activation::Sigmoid => Activation::Sigmoid,
        Activation::Tanh => Activation::Tanh,
        Activation::Relu => Activation::Relu,
        Activation::LeakyRelu(s) => Activation::LeakyRelu(D::constant(s)),
    }
}

/// `∂L/∂θᵢ` for every `i`: one forward pass in `Dual<f64>` per parameter.
fn dual_gradient(spec: &Spec) -> Vec<f64> {
    let inputs: Vec<D> = spec.inputs.iter().map(|&x| D::constant(x)).collect();
    let targets: Vec<D> = spec.targets.iter().map(|&y| D::constant(y)).collect();
    let out = spec.layers.last().unwrap().0;
    let rows = D::constant((spec.targets.len() / out) as f64);
    (0..spec.params.len())
        .map(|i| {
            let seeded: Vec<D> = spec
                .params
                .iter()
                .enumerate()
                .map(|(j, &p)| D::new(p, if i == j { 1.0 } else { 0.0 }))
                .collect();
            let mut builder = Network::builder(spec.input_len);
            for &(units, act, bias) in &spec.layers {
                let act = dual_activation(act);
                builder = if bias {
                    builder.dense(units, act)
                } else {
                    builder.dense_no_bias(units, act)
                };
            }
            let net = builder.build_with_params(&seeded).unwrap();
            let predictions = net.predict(&inputs).unwrap();
            let total = predictions
                .chunks(out)
                .zip(targets.chunks(out))
                .fold(D::constant(0.0), |acc, (p, y)| acc + Mse.value(p, y));
            (total / rows).derivative()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn backprop_matches_dual_numbers_to_rounding(spec in spec()) {
        let mut trainer = backprop::Trainer::new(build(&spec), Mse, backprop::Sgd::new(1e-3)).unwrap();
        trainer.step_batch(&spec.inputs, &spec.targets).unwrap();
        let backprop = trainer.gradients();
        let largest = backprop.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        let tolerance = 32.0 * f64::EPSILON * (1.0 + largest);
        for (i, (&g, d)) in backprop.iter().zip(dual_gradient(&spec)).enumerate() {
            prop_assert!((g - d).abs() <= tolerance, "[{}] backprop {} dual {}", i, g, d);
        }
    }
}
