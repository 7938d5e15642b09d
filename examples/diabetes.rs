//! Diabetes: regression of disease progression from ten raw measurements.
//!
//! 80/20 split (seed 42), inputs and target standardized with the training rows'
//! statistics, a 10-16-1 tanh network (seed 1), Adam (lr 1e-3), batches of 32 (shuffle
//! seed 7), 200 epochs, mean squared error: the training of examples/shared/diabetes.rs.
//! Result: test R² 0.4442 on 89 rows; scikit-learn's `LinearRegression` on the same
//! split: 0.4041 (tools/reference_diabetes.py).
//!
//! Run with `cargo run --release --example diabetes --features datasets`.

#[path = "shared/diabetes.rs"]
mod diabetes;

fn main() -> Result<(), backprop::Error> {
    let outcome = diabetes::train_and_test()?;
    println!("test R² {:.4} on {} rows", outcome.r2, outcome.test_rows);
    Ok(())
}
