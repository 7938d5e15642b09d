//! What several benchmark binaries share: W3/W4's network and data, and the baselines'
//! dot product. Each binary uses a part of it, hence `dead_code` allowed here.
#![allow(dead_code)]

use backprop::{Activation, Network};

/// Inputs of W3/W4's network.
pub const INPUTS: usize = 16;
/// Units of each of its two hidden layers.
pub const HIDDEN: usize = 64;

/// W3/W4's network: 16 → 64 tanh → 64 tanh → 1 identity, biases, seed 7.
pub fn network() -> Network<f32> {
    Network::builder(INPUTS)
        .dense(HIDDEN, Activation::Tanh)
        .dense(HIDDEN, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(7)
        .build()
        .unwrap()
}

/// `batch` rows of W3/W4's data: `x = sin(0.37 i)`, `y = cos(0.11 i)`.
pub fn data(batch: usize) -> (Vec<f32>, Vec<f32>) {
    let x = (0..batch * INPUTS)
        .map(|i| (i as f32 * 0.37).sin())
        .collect();
    let y = (0..batch).map(|i| (i as f32 * 0.11).cos()).collect();
    (x, y)
}

/// 6 × batch × Σ in·out per step (2 for the forward product, 4 for the two backward
/// ones), so criterion's "elem/s" reads as FLOP/s.
pub fn flops(batch: usize) -> u64 {
    let multiply_adds = INPUTS * HIDDEN + HIDDEN * HIDDEN + HIDDEN;
    (6 * batch * multiply_adds) as u64
}

/// `w·x` with eight independent partial sums, so the compiler keeps them in vector
/// registers (a single running sum is one dependency chain that cannot vectorize): what
/// an expert writes without intrinsics.
pub fn dot(w: &[f32], x: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (w8, x8) = (w.chunks_exact(8), x.chunks_exact(8));
    let tail: f32 = w8
        .remainder()
        .iter()
        .zip(x8.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (w, x) in w8.zip(x8) {
        for i in 0..8 {
            lanes[i] += w[i] * x[i];
        }
    }
    let [l0, l1, l2, l3, l4, l5, l6, l7] = lanes;
    ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) + tail
}
