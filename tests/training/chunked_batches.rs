//! A large batch runs in chunks whose gradients are summed pairwise, along the halving
//! that hands the chunks to threads: the result is exactly that sum of the chunks'
//! gradients computed as batches of their own.

use backprop::{Activation, Model, Network};

const INPUTS: usize = 5;
const OUTPUTS: usize = 3;

fn network() -> Network<f64> {
    Network::builder(INPUTS)
        .dense(24, Activation::Tanh)
        .dense_no_bias(17, Activation::Sigmoid)
        .dense(OUTPUTS, Activation::Identity)
        .seed(11)
        .build()
        .unwrap()
}

fn inputs(rows: usize) -> Vec<f64> {
    (0..rows * INPUTS)
        .map(|i| (i as f64 * 0.37).sin())
        .collect()
}

/// Outputs and parameter gradient of rows `rows` of `x`, as a batch of their own, with
/// `∂L/∂ŷ` a fixed pattern over the whole batch's outputs.
fn pass(net: &Network<f64>, x: &[f64], rows: core::ops::Range<usize>) -> (Vec<f64>, Vec<f64>) {
    let len = rows.len();
    let x = &x[rows.start * INPUTS..rows.end * INPUTS];
    let mut out = vec![0.0; len * OUTPUTS];
    let mut workspace = vec![0.0; net.workspace_len(len)];
    net.forward(x, &mut out, &mut workspace);
    let mut output_grads: Vec<f64> = (rows.start * OUTPUTS..rows.end * OUTPUTS)
        .map(|i| (i as f64 * 0.13).cos())
        .collect();
    let mut grads = vec![0.0; net.params().len()];
    net.backward(x, &out, &mut output_grads, &mut workspace, &mut grads, None);
    (out, grads)
}

fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a + b).collect()
}

#[test]
fn a_chunked_batch_is_the_sum_of_its_halves() {
    let net = network();
    let x = inputs(300); // two chunks of 150 rows; a batch of 150 is one chunk
    let (out, grads) = pass(&net, &x, 0..300);
    let (out_first, grads_first) = pass(&net, &x, 0..150);
    let (out_second, grads_second) = pass(&net, &x, 150..300);
    assert_eq!(out[..450], out_first[..]);
    assert_eq!(out[450..], out_second[..]);
    assert_eq!(grads, add(&grads_first, &grads_second));
}

/// Four chunks of 128 rows: `(g₀ + g₁) + (g₂ + g₃)`, not `((g₀ + g₁) + g₂) + g₃`.
#[test]
fn four_chunks_are_summed_in_pairs() {
    let net = network();
    let x = inputs(512);
    let (_, grads) = pass(&net, &x, 0..512);
    let g: Vec<Vec<f64>> = (0..4)
        .map(|c| pass(&net, &x, c * 128..(c + 1) * 128).1)
        .collect();
    let pairs = add(&add(&g[0], &g[1]), &add(&g[2], &g[3]));
    assert_eq!(grads, pairs);
    let in_order = add(&add(&add(&g[0], &g[1]), &g[2]), &g[3]);
    assert_ne!(in_order, pairs, "the two orders round differently here");
}
