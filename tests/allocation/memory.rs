//! `Trainer::memory_bytes` against the layout worked out by hand for the workloads of
//! docs/performance.md: W3 (16 → 64 tanh → 64 tanh → 1, biases, batch 32, f32) and
//! W4 (the same network, batch 1024).

use backprop::{Activation, Adam, Lbfgs, Model, Mse, Network, Sgd, Trainer};

fn w3_network() -> Network<f32> {
    Network::builder(16)
        .dense(64, Activation::Tanh)
        .dense(64, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(3)
        .build()
        .unwrap()
}

/// Parameters by hand: W₁ 64×16 + b₁ 64, W₂ 64×64 + b₂ 64, W₃ 1×64 + b₃ 1.
const PARAMS: usize = 64 * 16 + 64 + 64 * 64 + 64 + 64 + 1;

fn batch(rows: usize) -> (Vec<f32>, Vec<f32>) {
    let x = (0..16 * rows).map(|i| (i as f32 * 0.3).sin()).collect();
    let y = (0..rows).map(|i| (i as f32 * 0.2).cos()).collect();
    (x, y)
}

/// Bytes by the documented formula: P + P + S + W(B) + 2·B·out + U, in f32.
fn expected(rows: usize, state: usize, undo: usize) -> usize {
    let workspace = w3_network().workspace_len(rows);
    4 * (PARAMS + PARAMS + state + workspace + 2 * rows + undo)
}

#[test]
fn sgd_holds_parameters_gradient_workspace_outputs_and_the_undo_copy() {
    assert_eq!(w3_network().params().len(), PARAMS);
    for rows in [32, 1024] {
        let mut trainer = Trainer::new(w3_network(), Mse, Sgd::new(0.01)).unwrap();
        let (x, y) = batch(rows);
        trainer.step_batch(&x, &y).unwrap();
        // no state; the undo copy holds the parameters
        let peak = expected(rows, 0, PARAMS);
        assert_eq!(trainer.memory_bytes(), peak, "batch {rows}");
        // smaller batches afterwards keep the peak's workspace
        trainer.step_batch(&x[..16], &y[..1]).unwrap();
        let outputs_shrunk = 4 * 2 * (rows - 1);
        assert_eq!(trainer.memory_bytes(), peak - outputs_shrunk);
    }
}

#[test]
fn adam_adds_two_moments_and_the_undo_copies() {
    let mut trainer = Trainer::new(w3_network(), Mse, Adam::new(0.01)).unwrap();
    let (x, y) = batch(32);
    trainer.step_batch(&x, &y).unwrap();
    let state = 2 * PARAMS;
    assert_eq!(trainer.memory_bytes(), expected(32, state, PARAMS + state));
}

#[test]
fn lbfgs_adds_its_history_and_a_working_copy_of_the_parameters() {
    let (m, rows) = (5, 32);
    let lbfgs = Lbfgs::new(0.1f32).history_size(m).max_iter(2);
    let mut trainer = Trainer::new(w3_network(), Mse, lbfgs).unwrap();
    let (x, y) = batch(rows);
    trainer.step_batch(&x, &y).unwrap();
    // (2m + 7)·P + 2m + 6 state values (docs of Lbfgs); the undo copies P + S; E = P
    let state = (2 * m + 7) * PARAMS + 2 * m + 6;
    assert_eq!(trainer.optimizer().state().len(), state);
    let working_copy = PARAMS;
    let peak = expected(rows, state, PARAMS + state + working_copy);
    assert_eq!(trainer.memory_bytes(), peak);
}
