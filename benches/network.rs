//! `Trainer::step_batch` on a dense network beside a hand-written loop doing the same
//! arithmetic: 16 → 64 tanh → 64 tanh → 1 identity, biases, MSE, SGD (lr 0.01), f32.
//!
//! Each group times the trainer and its baseline in one run, so their ratio is read
//! directly. The throughput is in floating-point operations: 6 × batch × Σ in·out per
//! step (2 for the forward product, 4 for the two backward ones), so criterion's
//! "elem/s" reads as FLOP/s. Figures: docs/performance.md.
//!
//! `w4_mlp_batch1024_f64` times the trainer alone on the same network in f64, for the
//! f64 GFLOP/s beside f32's (no f64 baseline: it makes no claim against a limit).
//!
//! The baseline, `ByHand`, is what an expert writes for the default target in safe Rust:
//! register-tiled products, a branch-free `tanh`, no allocation in the step. Before any
//! timing, `check_tanh` bounds its `tanh` and `check_baseline` asserts that its step
//! updates the parameters as the trainer's does, so it cannot silently do less work.

mod shared;

use backprop::{Activation, Mse, Network, Sgd, Trainer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared::{data, dot, flops, network, HIDDEN, INPUTS};
use std::hint::black_box;

const LEARNING_RATE: f32 = 0.01;

/// Rows × columns of the output tile a product keeps in registers: 4 × 8 f32 accumulators
/// are eight SSE2 registers, leaving room for the row of `B` and the broadcast value of
/// `A`, so nothing spills on the default target (a 4 × 16 tile needs all sixteen for its
/// sums and keeps four of them on the stack in the inner loop: seen in the assembly).
const TILE_ROWS: usize = 4;
const TILE_COLS: usize = 8;

/// The left operand `A` (m × k) of a product, read in place.
#[derive(Clone, Copy)]
enum Lhs<'a> {
    /// Row-major with `k` values per row: `X` or `Δ`.
    Rows(&'a [f32]),
    /// `Δᵀ` for a row-major `Δ` (k × m): column `p` of `A` is row `p` of `Δ`, so no copy.
    Transposed(&'a [f32]),
}

/// `C = init + A·B`: `C` is m × n, `B` k × n, both row-major; `init` is a row added to
/// every row of `C` (the bias) or zero.
///
/// Full 4 × 8 tiles run in [`tile`]; the few rows and columns left over take an axpy
/// loop over `C`'s row, which vectorizes too.
fn matmul(
    a: Lhs,
    b: &[f32],
    c: &mut [f32],
    (m, n, k): (usize, usize, usize),
    init: Option<&[f32]>,
) {
    let full_rows = m - m % TILE_ROWS;
    let full_cols = n - n % TILE_COLS;
    for i0 in (0..full_rows).step_by(TILE_ROWS) {
        for j0 in (0..full_cols).step_by(TILE_COLS) {
            let mut start = [0.0; TILE_COLS];
            if let Some(init) = init {
                start.copy_from_slice(&init[j0..j0 + TILE_COLS]);
            }
            let acc = match a {
                Lhs::Rows(a) => {
                    let rows: [&[f32]; TILE_ROWS] =
                        std::array::from_fn(|r| &a[(i0 + r) * k..][..k]);
                    tile(b, n, k, j0, start, |p| std::array::from_fn(|r| rows[r][p]))
                }
                Lhs::Transposed(a) => tile(b, n, k, j0, start, |p| {
                    a[p * m + i0..][..TILE_ROWS].try_into().unwrap()
                }),
            };
            for (r, acc_row) in acc.iter().enumerate() {
                c[(i0 + r) * n + j0..][..TILE_COLS].copy_from_slice(acc_row);
            }
        }
    }
    let at = |i: usize, p: usize| match a {
        Lhs::Rows(a) => a[i * k + p],
        Lhs::Transposed(a) => a[p * m + i],
    };
    let leftover = |i: usize, cols: std::ops::Range<usize>, c: &mut [f32]| {
        let c_row = &mut c[i * n..][cols.clone()];
        match init {
            Some(init) => c_row.copy_from_slice(&init[cols.clone()]),
            None => c_row.fill(0.0),
        }
        for p in 0..k {
            let a_ip = at(i, p);
            for (c, b) in c_row.iter_mut().zip(&b[p * n..][cols.clone()]) {
                *c += a_ip * b;
            }
        }
    };
    for i in 0..full_rows {
        leftover(i, full_cols..n, c);
    }
    for i in full_rows..m {
        leftover(i, 0..n, c);
    }
}

/// One 4 × 8 tile of `start + A·B` at columns `j0..j0 + 8`: `a_col(p)` gives the tile's
/// four values of `A`'s column `p`. The 32 sums are independent accumulators and the
/// column loop has no carried sum, so it compiles to packed `mulps`/`addps`.
#[inline(always)]
fn tile(
    b: &[f32],
    n: usize,
    k: usize,
    j0: usize,
    start: [f32; TILE_COLS],
    a_col: impl Fn(usize) -> [f32; TILE_ROWS],
) -> [[f32; TILE_COLS]; TILE_ROWS] {
    let mut acc = [start; TILE_ROWS];
    for p in 0..k {
        let b_row: &[f32; TILE_COLS] = b[p * n + j0..][..TILE_COLS].try_into().unwrap();
        for (acc_row, a_ip) in acc.iter_mut().zip(a_col(p)) {
            for (s, b) in acc_row.iter_mut().zip(b_row) {
                *s += a_ip * b;
            }
        }
    }
    acc
}

/// The largest absolute error of [`tanh_approx`] against `f32::tanh`: over every f32 in
/// [−10, 10] it is 4.77e-7 (at x ≈ 5.90, where tanh is 1 − 1.5e-5), measured once by an
/// exhaustive scan; at the clamp it returns 1 + 1.2e-7. `check_tanh` rechecks a sample.
const TANH_MAX_ERROR: f32 = 4.8e-7;

/// `tanh(x)` as a 13/6-degree odd/even rational function of `x` on [−9, 9] (Eigen's and
/// XLA's f32 coefficients), clamped outside, where tanh is ±1 in f32. No branch and no
/// call, so a loop of it vectorizes; `f32::tanh` is a libm call per value.
fn tanh_approx(x: f32) -> f32 {
    const ALPHA: [f32; 7] = [
        -2.760_768_5e-16,
        2.000_188e-13,
        -8.604_672e-11,
        5.122_297e-8,
        1.485_722_4e-5,
        6.372_619_3e-4,
        4.893_524_6e-3,
    ];
    const BETA: [f32; 4] = [1.198_258_4e-6, 1.185_347_1e-4, 2.268_434_6e-3, 4.893_525e-3];
    let x = x.clamp(-9.0, 9.0);
    let x2 = x * x;
    let p = ALPHA.iter().fold(0.0, |p, &c| p * x2 + c);
    let q = BETA.iter().fold(0.0, |q, &c| q * x2 + c);
    x * p / q
}

/// One dense layer's parameters and buffers, laid out as the crate lays them out, plus
/// a transposed copy of the weights for the forward pass.
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

    fn batch(&self) -> usize {
        self.out.len() / self.outputs
    }

    /// `A = f(X Wᵀ + b)`: a tiled product over `Wᵀ` with the bias as its starting value,
    /// then `f` over the whole output; a one-output layer is a dot product per row.
    fn forward(&mut self, x: &[f32], tanh: bool) {
        if self.outputs == 1 {
            for (a, x_row) in self.out.iter_mut().zip(x.chunks_exact(self.inputs)) {
                *a = dot(&self.weights, x_row) + self.bias[0];
            }
        } else {
            for (o, w_row) in self.weights.chunks_exact(self.inputs).enumerate() {
                for (i, w) in w_row.iter().enumerate() {
                    self.weights_t[i * self.outputs + o] = *w;
                }
            }
            let shape = (self.batch(), self.outputs, self.inputs);
            matmul(
                Lhs::Rows(x),
                &self.weights_t,
                &mut self.out,
                shape,
                Some(&self.bias),
            );
        }
        if tanh {
            for a in self.out.iter_mut() {
                *a = tanh_approx(*a);
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
        let (batch, inputs, outputs) = (self.batch(), self.inputs, self.outputs);
        let grad_w_shape = (outputs, inputs, batch);
        matmul(
            Lhs::Transposed(&self.delta),
            x,
            &mut self.grad_w,
            grad_w_shape,
            None,
        );
        self.grad_b.fill(0.0);
        for d_row in self.delta.chunks_exact(outputs) {
            for (g, d) in self.grad_b.iter_mut().zip(d_row) {
                *g += d;
            }
        }
        if let Some(gx) = input_grads {
            let shape = (batch, inputs, outputs);
            matmul(Lhs::Rows(&self.delta), &self.weights, gx, shape, None);
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

/// The largest difference allowed between the trainer's and the baseline's parameter
/// updates, relative to the largest update: they differ in summation order, in `tanh` and
/// in fused multiply-adds (the crate's AVX2 kernel), not in the work done. Measured: the
/// largest difference is 3e-8 (one rounding of a parameter), 2.3e-6 and 4.9e-6 of the
/// largest update at batches 10 and 32; a bias gradient 0.1 % off fails the check.
const UPDATE_TOLERANCE: f32 = 1e-4;

/// The baseline must do the trainer's arithmetic: one step of each from the same weights
/// gives nearly the same loss and the same parameter updates. Batches of 10 (a tile's
/// leftover rows) and 32.
fn check_baseline() {
    for batch in [10, 32] {
        let (x, y) = data(batch);
        let start = network().params().to_vec();
        let mut trainer = Trainer::new(network(), Mse, Sgd::new(LEARNING_RATE)).unwrap();
        let mut by_hand = ByHand::new(&network(), batch);
        let loss = trainer.step_batch(&x, &y).unwrap().loss;
        let hand_loss = by_hand.step(&x, &y);
        assert!((loss - hand_loss).abs() <= 1e-5 * loss.abs().max(1.0));
        let hand = by_hand
            .layers
            .iter()
            .flat_map(|l| l.weights.iter().chain(&l.bias).copied());
        let updates: Vec<(f32, f32)> = trainer
            .model()
            .params()
            .iter()
            .zip(hand)
            .zip(&start)
            .map(|((p, h), s)| (p - s, h - s))
            .collect();
        assert_eq!(updates.len(), start.len());
        let largest = updates.iter().fold(0.0f32, |m, (u, _)| m.max(u.abs()));
        let worst = updates
            .iter()
            .fold(0.0f32, |m, (u, v)| m.max((u - v).abs()));
        assert!(
            worst <= UPDATE_TOLERANCE * largest,
            "batch {batch}: updates differ by {worst:e}, largest update {largest:e}"
        );
    }
}

/// `tanh_approx` against `f32::tanh` on every 64th f32 in [−10, 10] (about 33 million
/// values) and at the clamp: the largest absolute error must stay within
/// [`TANH_MAX_ERROR`].
fn check_tanh() {
    let (low, high) = ((-10.0f32).to_bits(), 10.0f32.to_bits());
    let positive = (0..=high).step_by(64).map(f32::from_bits);
    let negative = (1u32 << 31..=low).step_by(64).map(f32::from_bits);
    let worst = positive
        .chain(negative)
        .chain([9.0, -9.0, 8.999, 0.0])
        .map(|x| (tanh_approx(x) - x.tanh()).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= TANH_MAX_ERROR, "tanh_approx is off by {worst:e}");
}

/// W4 in f64: the same network, data and step, the trainer alone.
fn dense_network_f64(c: &mut Criterion, batch: usize) {
    let network: Network<f64> = Network::builder(INPUTS)
        .dense(HIDDEN, Activation::Tanh)
        .dense(HIDDEN, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(7)
        .build()
        .unwrap();
    let (x, y) = data(batch);
    let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    let mut group = c.benchmark_group(format!("w4_mlp_batch{batch}_f64"));
    group.throughput(Throughput::Elements(flops(batch)));
    group.bench_with_input(BenchmarkId::new("trainer", batch), &x, |b, x| {
        let mut trainer = Trainer::new(network.clone(), Mse, Sgd::new(0.01)).unwrap();
        b.iter(|| {
            trainer
                .step_batch(black_box(x), black_box(&y))
                .unwrap()
                .loss
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    check_tanh();
    check_baseline();
    dense_network(c, "w3_mlp_batch32_f32", 32);
    dense_network(c, "w4_mlp_batch1024_f32", 1024);
    dense_network_f64(c, 1024);
}

criterion_group!(network_benches, benches);
criterion_main!(network_benches);
