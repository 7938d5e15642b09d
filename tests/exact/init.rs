//! Seeded initialisation: reproducible, and distributed as PyTorch's torch.nn.init says.
//!
//! Xavier uniform: U(−a, a), a = gain·√(6/(fan_in + fan_out)); Kaiming uniform (fan_in):
//! a = gain·√(3/fan_in); gains from calculate_gain (tanh 5/3, ReLU √2, leaky ReLU
//! √(2/(1 + s²)), identity and sigmoid 1). A U(−a, a) sample has variance a²/3.

use backprop::{Activation, Init, Network};
use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One layer `fan_in → fan_out` with the given activation and init, seeded.
fn layer(
    fan_in: usize,
    fan_out: usize,
    act: Activation<f64>,
    init: Init,
    seed: u64,
) -> Network<f64> {
    Network::builder(fan_in)
        .dense(fan_out, act)
        .init(init)
        .seed(seed)
        .build()
        .unwrap()
}

fn weights(net: &Network<f64>) -> &[f64] {
    let shape = net.layer_shapes().next().unwrap();
    &net.params()[..shape.inputs() * shape.outputs()]
}

/// Checks that `w` looks like U(−a, a): inside the bounds, reaching near them, with mean
/// 0 and variance a²/3. With n ≥ 40 000 draws the sample variance has a relative standard
/// deviation √(0.8/n) ≤ 0.45 %, so 3 % is about 7 standard deviations, while the nearest
/// wrong scheme in these tests is 25 % away in variance.
fn assert_uniform(w: &[f64], a: f64) {
    let n = w.len() as f64;
    assert!(w.iter().all(|x| (-a..a).contains(x)), "outside ±{a}");
    let max = w.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(max > 0.999 * a, "max |w| = {max}, bound {a}");
    let mean = w.iter().sum::<f64>() / n;
    assert!(mean.abs() < 6.0 * a / (3.0 * n).sqrt(), "mean {mean}");
    let var = w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let expected = a * a / 3.0;
    assert!(
        (var / expected - 1.0).abs() < 0.03,
        "variance {var}, expected {expected}"
    );
}

#[test]
fn xavier_uniform_for_tanh_sigmoid_and_identity() {
    let (fan_in, fan_out) = (200, 300);
    let xavier = (6.0 / (fan_in + fan_out) as f64).sqrt();
    for (act, gain) in [
        (Activation::Tanh, 5.0 / 3.0),
        (Activation::Sigmoid, 1.0),
        (Activation::Identity, 1.0),
    ] {
        let net = layer(fan_in, fan_out, act, Init::Recommended, 1);
        assert_uniform(weights(&net), gain * xavier);
    }
}

#[test]
fn kaiming_uniform_for_relu_and_leaky_relu() {
    let (fan_in, fan_out) = (200, 300);
    let kaiming = (3.0 / fan_in as f64).sqrt();
    let relu = layer(fan_in, fan_out, Activation::Relu, Init::Recommended, 2);
    assert_uniform(weights(&relu), 2f64.sqrt() * kaiming);
    let leaky = layer(
        fan_in,
        fan_out,
        Activation::LeakyRelu(0.2),
        Init::Recommended,
        3,
    );
    assert_uniform(weights(&leaky), (2.0 / 1.04f64).sqrt() * kaiming);
}

#[test]
fn the_scheme_can_be_forced() {
    let (fan_in, fan_out) = (200, 300);
    let xavier_relu = layer(fan_in, fan_out, Activation::Relu, Init::XavierUniform, 4);
    assert_uniform(weights(&xavier_relu), 2f64.sqrt() * (6.0 / 500.0f64).sqrt());
    let kaiming_tanh = layer(fan_in, fan_out, Activation::Tanh, Init::KaimingUniform, 5);
    assert_uniform(weights(&kaiming_tanh), 5.0 / 3.0 * (3.0 / 200.0f64).sqrt());
}

#[test]
fn biases_start_at_zero_and_every_layer_has_its_own_bound() {
    let net = Network::builder(300)
        .dense(200, Activation::Relu)
        .dense(150, Activation::Tanh)
        .seed(6)
        .build()
        .unwrap();
    let shapes: Vec<_> = net.layer_shapes().collect();
    let first = &net.params()[shapes[0].param_range()];
    let second = &net.params()[shapes[1].param_range()];
    assert_uniform(&first[..60_000], (6.0 / 300.0f64).sqrt());
    assert_uniform(&second[..30_000], 5.0 / 3.0 * (6.0 / 350.0f64).sqrt());
    assert!(first[60_000..]
        .iter()
        .chain(&second[30_000..])
        .all(|&b| b == 0.0));
}

fn small(seed: u64) -> Network<f64> {
    Network::builder(4)
        .dense(6, Activation::Tanh)
        .dense(3, Activation::Relu)
        .seed(seed)
        .build()
        .unwrap()
}

#[test]
fn the_same_seed_gives_the_same_weights_and_different_seeds_differ() {
    assert_eq!(small(17).params(), small(17).params());
    let (a, b) = (small(17), small(18));
    assert!(
        a.params()
            .iter()
            .zip(b.params())
            .filter(|(x, y)| x != y)
            .count()
            >= 24 + 18
    );
}

#[test]
fn the_weights_follow_the_documented_recipe_exactly() {
    // Layer 1 (4 → 6, tanh, Xavier) takes the first 24 draws, layer 2 (6 → 3, ReLU,
    // Kaiming) the next 18; each draw x gives a·(2·(x >> 11)·2⁻⁵³ − 1).
    let mut stream = Xoshiro256PlusPlus::seed_from_u64(17);
    let mut draw =
        |a: f64| a * (2.0 * ((stream.next_u64() >> 11) as f64 / 9007199254740992.0) - 1.0);
    let a1 = 5.0 / 3.0 * (6.0 / 10.0f64).sqrt();
    let a2 = 2f64.sqrt() * (3.0 / 6.0f64).sqrt();
    let mut expected: Vec<f64> = (0..24).map(|_| draw(a1)).collect();
    expected.extend([0.0; 6]);
    expected.extend((0..18).map(|_| draw(a2)));
    expected.extend([0.0; 3]);
    assert_eq!(small(17).params(), &expected[..]);
}

#[test]
fn f32_weights_are_the_f64_weights_rounded() {
    let wide: Network<f64> = small(21);
    let narrow: Network<f32> = Network::builder(4)
        .dense(6, Activation::Tanh)
        .dense(3, Activation::Relu)
        .seed(21)
        .build()
        .unwrap();
    let rounded: Vec<f32> = wide.params().iter().map(|&w| w as f32).collect();
    assert_eq!(narrow.params(), &rounded[..]);
}
