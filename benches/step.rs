//! `Trainer::step` beside a hand-written loop doing the same arithmetic.
//!
//! Each group times the trainer and its baseline in one run, so their ratio is read
//! directly. Figures: docs/performance.md.

use backprop::{Mse, Neuron, Sgd, Trainer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use num_traits::Float;
use std::hint::black_box;

/// The lecture's step by hand: a = x·w, d = a − y, g = 2d·x, w ← w − lr·g.
fn lecture_by_hand<T: Float>(w: &mut T, x: T, y: T, lr: T) -> T {
    let a = x * *w;
    let d = a - y;
    let loss = d * d;
    let two = T::one() + T::one();
    *w = *w - lr * ((two * d) * x);
    loss
}

fn lecture_neuron<T: Float + 'static>(c: &mut Criterion, name: &str) {
    let cast = |v: f64| T::from(v).unwrap();
    let (x, y, lr) = (cast(1.2), cast(0.4), cast(0.1));
    let mut group = c.benchmark_group(format!("lecture_neuron_{name}"));
    group.bench_function("trainer", |b| {
        let mut trainer = Trainer::new(Neuron::new(cast(0.7)), Mse, Sgd::new(lr)).unwrap();
        b.iter(|| trainer.step(black_box(&[x]), black_box(&[y])).unwrap().loss)
    });
    group.bench_function("hand_written", |b| {
        let mut w = cast(0.7);
        b.iter(|| lecture_by_hand(&mut w, black_box(x), black_box(y), lr))
    });
    group.finish();
}

/// One sample through a 256-input neuron with bias, identity, MSE and SGD, by hand.
fn wide_by_hand(params: &mut [f32], grads: &mut [f32], x: &[f32], y: f32, lr: f32) -> f32 {
    let n = x.len();
    let z = params[..n]
        .iter()
        .zip(x)
        .fold(0.0, |acc, (w, xi)| acc + w * xi)
        + params[n];
    let d = z - y;
    let g = 2.0 * d;
    for (gw, xi) in grads[..n].iter_mut().zip(x) {
        *gw = g * xi;
    }
    grads[n] = g;
    for (p, gi) in params.iter_mut().zip(grads.iter()) {
        *p -= lr * gi;
    }
    d * d
}

fn wide_neuron(c: &mut Criterion) {
    const INPUTS: usize = 256;
    let x: Vec<f32> = (0..INPUTS).map(|i| (i as f32 * 0.37).sin()).collect();
    let weights: Vec<f32> = (0..INPUTS)
        .map(|i| (i as f32 * 0.11).cos() * 0.01)
        .collect();
    let mut group = c.benchmark_group("wide_neuron_f32");
    group.bench_with_input(BenchmarkId::new("trainer", INPUTS), &x, |b, x| {
        let neuron = Neuron::from_weights(weights.clone()).with_bias(0.0);
        let mut trainer = Trainer::new(neuron, Mse, Sgd::new(1e-4)).unwrap();
        b.iter(|| trainer.step(black_box(x), black_box(&[0.5])).unwrap().loss)
    });
    group.bench_with_input(BenchmarkId::new("hand_written", INPUTS), &x, |b, x| {
        let mut params = weights.clone();
        params.push(0.0);
        let mut grads = vec![0.0; INPUTS + 1];
        b.iter(|| wide_by_hand(&mut params, &mut grads, black_box(x), black_box(0.5), 1e-4))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    lecture_neuron::<f64>(c, "f64");
    lecture_neuron::<f32>(c, "f32");
    wide_neuron(c);
}

criterion_group!(step, benches);
criterion_main!(step);
