//! Each optimizer's `step` over 100 000 f32 parameters, beside a hand-written loop of the
//! same update in the same order of operations.
//!
//! An update streams its parameters, gradients and state through memory once, so the
//! throughput is reported in bytes: what the update must read and write (parameters read
//! and written, gradients read, each state buffer read and written). Criterion prints it
//! as GB/s. Figures: docs/performance.md.

use backprop::{Adagrad, Adam, AdamW, Momentum, Optimizer, RmsProp, Sgd, UpdateRule};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const LEN: usize = 100_000;
const LR: f32 = 1e-3;

/// Fixed, varied parameters and gradients in [−1, 1].
fn data() -> (Vec<f32>, Vec<f32>) {
    let params = (0..LEN).map(|i| (i as f32 * 0.37).sin()).collect();
    let grads = (0..LEN).map(|i| (i as f32 * 0.11).cos()).collect();
    (params, grads)
}

/// Bytes one update moves: params read + written, grads read, each state buffer read +
/// written.
fn bytes(state_buffers: u64) -> Throughput {
    Throughput::Bytes((3 + 2 * state_buffers) * LEN as u64 * 4)
}

/// Times `optimizer.step` (after one warm-up step, so the state is in use) and
/// `by_hand(params, grads, state, t)` in one group.
fn compare<R: UpdateRule<f32>>(
    c: &mut Criterion,
    name: &str,
    state_buffers: u64,
    mut optimizer: Optimizer<f32, R>,
    by_hand: impl Fn(&mut [f32], &[f32], &mut [Vec<f32>], u64),
) {
    let (params, grads) = data();
    let mut group = c.benchmark_group(format!("optimizer_{name}"));
    group.throughput(bytes(state_buffers));
    group.bench_function("backprop", |b| {
        let mut params = params.clone();
        optimizer.step(&mut params, &grads).unwrap();
        b.iter(|| optimizer.step(black_box(&mut params), black_box(&grads)))
    });
    group.bench_function("hand_written", |b| {
        let mut params = params.clone();
        let mut state = vec![vec![0.0; LEN]; state_buffers as usize];
        let mut t = 0;
        b.iter(|| {
            t += 1;
            by_hand(black_box(&mut params), black_box(&grads), &mut state, t)
        })
    });
    group.finish();
}

/// ATen's lerp, as PyTorch's Adam updates its first moment.
fn lerp(start: f32, end: f32, weight: f32) -> f32 {
    if weight.abs() < 0.5 {
        start + weight * (end - start)
    } else {
        end - (end - start) * (1.0 - weight)
    }
}

/// Adam's (and AdamW's) update by hand, PyTorch's defaults; `shrink` is AdamW's
/// `1 − lr·λ`.
fn adam_by_hand(p: &mut [f32], g: &[f32], state: &mut [Vec<f32>], t: u64, shrink: Option<f32>) {
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-8f32);
    let t = t as f32;
    let neg_step_size = -(LR / (1.0 - beta1.powf(t)));
    let bias_correction2_sqrt = (1.0 - beta2.powf(t)).powf(0.5);
    let (m, v) = state.split_at_mut(1);
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(&mut m[0]).zip(&mut v[0]) {
        if let Some(shrink) = shrink {
            *p *= shrink;
        }
        *m = lerp(*m, g, 1.0 - beta1);
        *v = *v * beta2 + (1.0 - beta2) * g * g;
        let denom = v.sqrt() / bias_correction2_sqrt + eps;
        *p += neg_step_size * *m / denom;
    }
}

fn benches(c: &mut Criterion) {
    compare(c, "sgd", 0, Sgd::new(LR), |p, g, _, _| {
        for (p, &g) in p.iter_mut().zip(g) {
            *p -= LR * g;
        }
    });
    compare(
        c,
        "sgd_momentum",
        1,
        Sgd::new(LR).momentum(Momentum::Classic(0.9)),
        |p, g, s, _| {
            for ((p, &g), b) in p.iter_mut().zip(g).zip(&mut s[0]) {
                *b = *b * 0.9 + g;
                *p -= LR * *b;
            }
        },
    );
    compare(c, "adam", 2, Adam::new(LR), |p, g, s, t| {
        adam_by_hand(p, g, s, t, None)
    });
    compare(c, "adamw", 2, AdamW::new(LR), |p, g, s, t| {
        adam_by_hand(p, g, s, t, Some(1.0 - LR * 0.01))
    });
    compare(c, "rmsprop", 1, RmsProp::new(LR), |p, g, s, _| {
        let (alpha, eps) = (0.99f32, 1e-8f32);
        for ((p, &g), v) in p.iter_mut().zip(g).zip(&mut s[0]) {
            *v = *v * alpha + (1.0 - alpha) * g * g;
            *p -= LR * g / (v.sqrt() + eps);
        }
    });
    compare(c, "adagrad", 1, Adagrad::new(LR), |p, g, s, _| {
        let eps = 1e-10f32;
        for ((p, &g), sum) in p.iter_mut().zip(g).zip(&mut s[0]) {
            *sum += g * g;
            *p -= LR * g / (sum.sqrt() + eps);
        }
    });
}

criterion_group!(optimizers, benches);
criterion_main!(optimizers);
