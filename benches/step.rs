//! `Trainer::step` and `Trainer::step_batch` beside hand-written loops doing the same
//! arithmetic.
//!
//! Each group times the trainer and its baseline in one run, so their ratio is read
//! directly. The baselines are what a competent engineer writes without a framework: one
//! allocation-free pass, plain iterator loops, no checks. Figures: docs/performance.md.
//!
//! - W1 `w1_lecture_{f64,f32}`: the lecture's neuron, `Trainer::step`, called as code does,
//!   `step(&[x], &[y])`, with `x` and `y` hidden from the compiler exactly as the
//!   baseline's are (`black_box` on the values). `benches/step_opaque.rs` hides the
//!   slices too. `hand_written_staged` is the loop with the trainer's three hand-overs
//!   between stages made through memory: what they cost alone.
//! - W2 `w2_wide_batch_f32`: one neuron with 256 inputs and a bias, identity, a batch of
//!   64 rows, MSE, SGD lr 0.01, `Trainer::step_batch`; as a `Neuron` (`trainer`) and as a
//!   one-layer `Network` 256 → 1 (`network`). Throughput in FLOP/s: 4 × 256 × 64 per step
//!   (the products `Xw` and `Δᵀ X`).

mod lecture;
mod shared;

use backprop::{Activation, Mse, Network, Neuron, Sgd, Trainer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use num_traits::Float;
use shared::dot;
use std::hint::black_box;

/// W1: the lecture's neuron.
fn lecture_neuron<T: Float + 'static>(c: &mut Criterion, name: &str) {
    let (x, y, lr) = lecture::numbers::<T>();
    let mut group = c.benchmark_group(format!("w1_lecture_{name}"));
    group.bench_function("trainer", |b| {
        let mut trainer = lecture::trainer(lr);
        b.iter(|| trainer.step(&[black_box(x)], &[black_box(y)]).unwrap().loss)
    });
    lecture::hand_written(&mut group, x, y, lr);
    lecture::hand_written_staged(&mut group, x, y, lr);
    group.finish();
}

const W2_INPUTS: usize = 256;
const W2_BATCH: usize = 64;
const W2_LR: f32 = 0.01;

/// W2 by hand: per row `z = w·x + b`, `d = z − y`; the mean squared error's gradient
/// `(2/B)·d` accumulated into the weight and bias gradients; then `θ ← θ − lr·g`.
fn wide_batch_by_hand(params: &mut [f32], grads: &mut [f32], x: &[f32], y: &[f32]) -> f32 {
    let n = params.len() - 1;
    let scale = 2.0 / y.len() as f32;
    grads.fill(0.0);
    let (grad_w, grad_b) = grads.split_at_mut(n);
    let (w, b) = params.split_at(n);
    let mut loss = 0.0;
    for (row, &target) in x.chunks_exact(n).zip(y) {
        let z = dot(w, row) + b[0];
        let d = z - target;
        loss += d * d;
        let dz = scale * d;
        for (g, xi) in grad_w.iter_mut().zip(row) {
            *g += dz * xi;
        }
        grad_b[0] += dz;
    }
    for (p, g) in params.iter_mut().zip(grads.iter()) {
        *p -= W2_LR * g;
    }
    loss / y.len() as f32
}

/// A fixed, well-conditioned batch for W2 (the weights stay small over many steps).
fn wide_batch_data() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let x = (0..W2_INPUTS * W2_BATCH)
        .map(|i| (i as f32 * 0.37).sin() * 0.1)
        .collect();
    let y = (0..W2_BATCH).map(|i| (i as f32 * 0.21).cos()).collect();
    let mut params: Vec<f32> = (0..W2_INPUTS)
        .map(|i| (i as f32 * 0.11).cos() * 0.01)
        .collect();
    params.push(0.0);
    (x, y, params)
}

/// W2: one wide neuron on a batch.
fn wide_batch(c: &mut Criterion) {
    let (x, y, params) = wide_batch_data();
    let mut group = c.benchmark_group("w2_wide_batch_f32");
    group.throughput(Throughput::Elements((4 * W2_INPUTS * W2_BATCH) as u64));
    let id = format!("{W2_INPUTS}x{W2_BATCH}");
    group.bench_with_input(BenchmarkId::new("trainer", &id), &x, |b, x| {
        let neuron = Neuron::from_weights(params[..W2_INPUTS].to_vec()).with_bias(0.0);
        let mut trainer = Trainer::new(neuron, Mse, Sgd::new(W2_LR)).unwrap();
        b.iter(|| {
            trainer
                .step_batch(black_box(x), black_box(&y))
                .unwrap()
                .loss
        })
    });
    group.bench_with_input(BenchmarkId::new("network", &id), &x, |b, x| {
        let network: Network<f32> = Network::builder(W2_INPUTS)
            .dense(1, Activation::Identity)
            .build_with_params(&params)
            .unwrap();
        let mut trainer = Trainer::new(network, Mse, Sgd::new(W2_LR)).unwrap();
        b.iter(|| {
            trainer
                .step_batch(black_box(x), black_box(&y))
                .unwrap()
                .loss
        })
    });
    group.bench_with_input(BenchmarkId::new("hand_written", &id), &x, |b, x| {
        let mut params = params.clone();
        let mut grads = vec![0.0; W2_INPUTS + 1];
        b.iter(|| wide_batch_by_hand(&mut params, &mut grads, black_box(x), black_box(&y)))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    lecture_neuron::<f64>(c, "f64");
    lecture_neuron::<f32>(c, "f32");
    wide_batch(c);
}

criterion_group!(step, benches);
criterion_main!(step);
