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

/// Independent partial sums in `w·x`: four SSE registers of four, enough to hide the
/// addition's latency (a single running sum is one dependency chain that cannot
/// vectorize). What an expert writes without intrinsics.
const DOT_LANES: usize = 16;

/// `w·x` in [`DOT_LANES`] partial sums.
pub fn dot(w: &[f32], x: &[f32]) -> f32 {
    let mut lanes = [0.0f32; DOT_LANES];
    let (w_blocks, w_tail) = w.as_chunks::<DOT_LANES>();
    let (x_blocks, x_tail) = x.as_chunks::<DOT_LANES>();
    let tail: f32 = w_tail.iter().zip(x_tail).map(|(a, b)| a * b).sum();
    for (w, x) in w_blocks.iter().zip(x_blocks) {
        for i in 0..DOT_LANES {
            lanes[i] += w[i] * x[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}
