//! Either of the crate's scalers behind one interface. Shared by
//! `tests/bad_input/hostile_prepare_and_metrics.rs` and `tests/fuzzing/checks.rs`.

use backprop::prepare::{MinMax, Standardize};

/// A fitted `Standardize` or `MinMax`.
pub enum Scaler {
    Standardize(Standardize<f64>),
    MinMax(MinMax<f64>),
}

impl Scaler {
    /// Both scalers fitted on `rows`, each `None` where fitting is refused.
    pub fn both(rows: &[f64], width: usize) -> [Option<Self>; 2] {
        [
            Standardize::fit(rows, width).ok().map(Self::Standardize),
            MinMax::fit(rows, width).ok().map(Self::MinMax),
        ]
    }

    pub fn transform(&self, x: &mut [f64]) -> Result<(), backprop::Error> {
        match self {
            Self::Standardize(s) => s.transform(x),
            Self::MinMax(m) => m.transform(x),
        }
    }

    pub fn inverse_transform(&self, x: &mut [f64]) -> Result<(), backprop::Error> {
        match self {
            Self::Standardize(s) => s.inverse_transform(x),
            Self::MinMax(m) => m.inverse_transform(x),
        }
    }
}
