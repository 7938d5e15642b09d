//! A large batch runs in chunks whose gradients are summed in chunk order: the result is
//! exactly the sum of the chunks' gradients computed as batches of their own.

use backprop::{Activation, Model, Network};

fn network() -> Network<f64> {
    Network::builder(5)
        .dense(24, Activation::Tanh)
        .dense_no_bias(17, Activation::Sigmoid)
        .dense(3, Activation::Identity)
        .seed(11)
        .build()
        .unwrap()
}

/// Outputs and parameter gradient of `rows` rows, with `∂L/∂ŷ` = a fixed pattern.
fn pass(net: &Network<f64>, x: &[f64], rows: usize) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0.0; rows * 3];
    let mut workspace = vec![0.0; net.workspace_len(rows)];
    net.forward(x, &mut out, &mut workspace);
    let mut output_grads: Vec<f64> = (0..rows * 3).map(|i| (i as f64 * 0.13).cos()).collect();
    let mut grads = vec![0.0; net.params().len()];
    net.backward(x, &out, &mut output_grads, &mut workspace, &mut grads, None);
    (out, grads)
}

#[test]
fn a_chunked_batch_is_the_sum_of_its_halves() {
    let net = network();
    let rows = 300; // two chunks of 150 rows; a batch of 150 is one chunk
    let x: Vec<f64> = (0..rows * 5).map(|i| (i as f64 * 0.37).sin()).collect();
    let (out, grads) = pass(&net, &x, rows);
    let (out_first, grads_first) = pass(&net, &x[..150 * 5], 150);
    // The output-gradient pattern restarts in the second half; shift it to match.
    let mut out_second = vec![0.0; 150 * 3];
    let mut workspace = vec![0.0; net.workspace_len(150)];
    net.forward(&x[150 * 5..], &mut out_second, &mut workspace);
    let mut output_grads: Vec<f64> = (150 * 3..rows * 3)
        .map(|i| (i as f64 * 0.13).cos())
        .collect();
    let mut grads_second = vec![0.0; net.params().len()];
    net.backward(
        &x[150 * 5..],
        &out_second,
        &mut output_grads,
        &mut workspace,
        &mut grads_second,
        None,
    );
    assert_eq!(out[..450], out_first[..]);
    assert_eq!(out[450..], out_second[..]);
    let summed: Vec<f64> = grads_first
        .iter()
        .zip(&grads_second)
        .map(|(a, b)| a + b)
        .collect();
    assert_eq!(grads, summed);
}
