//! `Trainer::step_batch` on a dense network beside a hand-written loop doing the same
//! arithmetic: 16 → 64 tanh → 64 tanh → 1 identity, biases, MSE, SGD (lr 0.01), f32.
//!
//! Each group times the trainer and its baseline in one run, so their ratio is read
//! directly. The throughput is in floating-point operations: 6 × batch × Σ in·out per
//! step (2 for the forward product, 4 for the two backward ones), so criterion's
//! "elem/s" reads as FLOP/s. Figures: docs/performance.md.

use backprop::{Activation, Mse, Network, Sgd, Trainer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

const INPUTS: usize = 16;
const HIDDEN: usize = 64;
const LEARNING_RATE: f32 = 0.01;

fn network() -> Network<f32> {
    Network::builder(INPUTS)
        .dense(HIDDEN, Activation::Tanh)
        .dense(HIDDEN, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(7)
        .build()
        .unwrap()
}

fn data(batch: usize) -> (Vec<f32>, Vec<f32>) {
    let x = (0..batch * INPUTS)
        .map(|i| (i as f32 * 0.37).sin())
        .collect();
    let y = (0..batch).map(|i| (i as f32 * 0.11).cos()).collect();
    (x, y)
}

fn flops(batch: usize) -> u64 {
    let multiply_adds = INPUTS * HIDDEN + HIDDEN * HIDDEN + HIDDEN;
    (6 * batch * multiply_adds) as u64
}

/// One dense layer's parameters and buffers, laid out as the crate lays them out, plus
/// a transposed copy of the weights for the forward pass.
///
/// Every loop's innermost dimension is contiguous and carries no sum across iterations,
/// so the compiler vectorizes it without reordering any float sum: what a competent
/// engineer writes without SIMD intrinsics or blocking.
struct Layer {
    inputs: usize,
    outputs: usize,
    weights: Vec<f32>,   // outputs × inputs, row-major
    weights_t: Vec<f32>, // inputs × outputs: `weights` transposed, for the forward pass
    bias: Vec<f32>,
    grad_w: Vec<f32>,
    grad_b: Vec<f32>,
    out: Vec<f32>,   // batch × outputs: the activations
    delta: Vec<f32>, // batch × outputs: ∂L/∂Z
}

impl Layer {
    fn new(params: &[f32], inputs: usize, outputs: usize, batch: usize) -> Self {
        let (weights, bias) = params.split_at(inputs * outputs);
        Self {
            inputs,
            outputs,
            weights: weights.to_vec(),
            weights_t: vec![0.0; inputs * outputs],
            bias: bias.to_vec(),
            grad_w: vec![0.0; inputs * outputs],
            grad_b: vec![0.0; outputs],
            out: vec![0.0; batch * outputs],
            delta: vec![0.0; batch * outputs],
        }
    }

    /// `A = f(X Wᵀ + b)`: per row, `z = b + Σᵢ xᵢ · Wᵀ[i, ..]`, outputs innermost.
    fn forward(&mut self, x: &[f32], tanh: bool) {
        for (o, w_row) in self.weights.chunks_exact(self.inputs).enumerate() {
            for (i, w) in w_row.iter().enumerate() {
                self.weights_t[i * self.outputs + o] = *w;
            }
        }
        for (x_row, a_row) in x
            .chunks_exact(self.inputs)
            .zip(self.out.chunks_exact_mut(self.outputs))
        {
            a_row.copy_from_slice(&self.bias);
            for (x, wt_row) in x_row.iter().zip(self.weights_t.chunks_exact(self.outputs)) {
                for (z, w) in a_row.iter_mut().zip(wt_row) {
                    *z += x * w;
                }
            }
            if tanh {
                for a in a_row.iter_mut() {
                    *a = a.tanh();
                }
            }
        }
    }

    /// `Δ = G ⊙ f'(Z)` in place, then `∂W = Δᵀ X`, `∂b = Σ Δ`, and `∂X = Δ W` if wanted.
    fn backward(&mut self, x: &[f32], tanh: bool, input_grads: Option<&mut [f32]>) {
        if tanh {
            for (d, a) in self.delta.iter_mut().zip(&self.out) {
                *d *= 1.0 - a * a;
            }
        }
        self.grad_w.fill(0.0);
        self.grad_b.fill(0.0);
        for (x_row, d_row) in x
            .chunks_exact(self.inputs)
            .zip(self.delta.chunks_exact(self.outputs))
        {
            for (g_row, d) in self.grad_w.chunks_exact_mut(self.inputs).zip(d_row) {
                for (g, x) in g_row.iter_mut().zip(x_row) {
                    *g += d * x;
                }
            }
            for (g, d) in self.grad_b.iter_mut().zip(d_row) {
                *g += d;
            }
        }
        if let Some(gx) = input_grads {
            for (gx_row, d_row) in gx
                .chunks_exact_mut(self.inputs)
                .zip(self.delta.chunks_exact(self.outputs))
            {
                gx_row.fill(0.0);
                for (w_row, d) in self.weights.chunks_exact(self.inputs).zip(d_row) {
                    for (g, w) in gx_row.iter_mut().zip(w_row) {
                        *g += d * w;
                    }
                }
            }
        }
    }

    fn sgd(&mut self) {
        for (p, g) in self.weights.iter_mut().zip(&self.grad_w) {
            *p -= LEARNING_RATE * g;
        }
        for (p, g) in self.bias.iter_mut().zip(&self.grad_b) {
            *p -= LEARNING_RATE * g;
        }
    }
}

/// The W3/W4 network by hand: three layers, MSE, SGD.
struct ByHand {
    layers: [Layer; 3],
}

impl ByHand {
    fn new(net: &Network<f32>, batch: usize) -> Self {
        let layer = |i: usize, inputs, outputs| {
            Layer::new(net.layer_params(i).unwrap(), inputs, outputs, batch)
        };
        Self {
            layers: [
                layer(0, INPUTS, HIDDEN),
                layer(1, HIDDEN, HIDDEN),
                layer(2, HIDDEN, 1),
            ],
        }
    }

    fn step(&mut self, x: &[f32], y: &[f32]) -> f32 {
        let [l1, l2, l3] = &mut self.layers;
        l1.forward(x, true);
        l2.forward(&l1.out, true);
        l3.forward(&l2.out, false);
        let scale = 2.0 / y.len() as f32;
        let mut loss = 0.0;
        for ((d, a), t) in l3.delta.iter_mut().zip(&l3.out).zip(y) {
            let e = a - t;
            loss += e * e;
            *d = scale * e;
        }
        l3.backward(&l2.out, false, Some(&mut l2.delta));
        l2.backward(&l1.out, true, Some(&mut l1.delta));
        l1.backward(x, true, None);
        for layer in self.layers.iter_mut() {
            layer.sgd();
        }
        loss / y.len() as f32
    }
}

fn dense_network(c: &mut Criterion, name: &str, batch: usize) {
    let (x, y) = data(batch);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(flops(batch)));
    group.bench_with_input(BenchmarkId::new("trainer", batch), &x, |b, x| {
        let mut trainer = Trainer::new(network(), Mse, Sgd::new(LEARNING_RATE)).unwrap();
        b.iter(|| {
            trainer
                .step_batch(black_box(x), black_box(&y))
                .unwrap()
                .loss
        })
    });
    group.bench_with_input(BenchmarkId::new("hand_written", batch), &x, |b, x| {
        let mut by_hand = ByHand::new(&network(), batch);
        b.iter(|| by_hand.step(black_box(x), black_box(&y)))
    });
    group.finish();
}

/// The baseline must do the trainer's arithmetic: one step of each from the same weights
/// gives the same loss and nearly the same parameters (the summation orders differ).
fn check_baseline() {
    let batch = 8;
    let (x, y) = data(batch);
    let mut trainer = Trainer::new(network(), Mse, Sgd::new(LEARNING_RATE)).unwrap();
    let mut by_hand = ByHand::new(&network(), batch);
    let loss = trainer.step_batch(&x, &y).unwrap().loss;
    let hand_loss = by_hand.step(&x, &y);
    assert!((loss - hand_loss).abs() <= 1e-5 * loss.abs().max(1.0));
    let hand: Vec<f32> = by_hand
        .layers
        .iter()
        .flat_map(|l| l.weights.iter().chain(&l.bias).copied())
        .collect();
    for (p, h) in trainer.model().params().iter().zip(&hand) {
        assert!((p - h).abs() <= 1e-5, "{p} vs {h}");
    }
}

fn benches(c: &mut Criterion) {
    check_baseline();
    dense_network(c, "w3_mlp_batch32_f32", 32);
    dense_network(c, "w4_mlp_batch1024_f32", 1024);
}

criterion_group!(network_benches, benches);
criterion_main!(network_benches);
