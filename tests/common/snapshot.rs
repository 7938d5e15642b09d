//! A trainer's values, bit for bit: what a refused call must leave as it was. Shared by
//! `tests/bad_input/` and `tests/fuzzing/checks.rs` (and through it the fuzz targets).

use backprop::{Loss, Model, Trainer, UpdateRule};

/// Parameters, optimizer state, both step counts and the learning rate, as bits.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub params: Vec<u64>,
    state: Vec<u64>,
    optimizer_steps: u64,
    steps: u64,
    lr: u64,
}

pub fn snapshot<M: Model<f64>, L: Loss<f64>, O: UpdateRule<f64>>(
    t: &Trainer<M, L, O, f64>,
) -> Snapshot {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect();
    Snapshot {
        params: bits(t.model().params()),
        state: bits(t.optimizer().state()),
        optimizer_steps: t.optimizer().step_count(),
        steps: t.steps(),
        lr: t.optimizer().learning_rate().to_bits(),
    }
}
