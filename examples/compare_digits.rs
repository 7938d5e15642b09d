//! The crate's side of tools/compare.py: a 64-64-10 ReLU network, Adam (lr 1e-3, no
//! weight decay), batches of 32, on the digits split (stratified 80/20, seed 42, pixels
//! / 16); prints the split, the test accuracy and the wall time per epoch as JSON.
//!
//! Run with `cargo run --release --example compare_digits --features datasets -- EPOCHS
//! [f64|f32]` (f64 unless told).

use std::time::Instant;

use backprop::metrics::accuracy_score;
use backprop::prepare::{stratified_train_test_split, take_rows};
use backprop::{Activation, Adam, CrossEntropy, Epochs, Fit, Network, Trainer};
use num_traits::Float;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let epochs: usize = std::env::args().nth(1).map_or(Ok(60), |a| a.parse())?;
    match std::env::args().nth(2).as_deref() {
        None | Some("f64") => run::<f64>(epochs),
        Some("f32") => run::<f32>(epochs),
        Some(other) => Err(format!("expected f64 or f32, got {other}").into()),
    }
}

fn run<T: Float + Send + Sync + 'static>(epochs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let data = backprop::datasets::digits::<T>();
    let (train, test) = stratified_train_test_split(data.targets(), 0.2, 42)?;
    let sixteen = T::from(16.0).ok_or("16 as T")?;
    let x: Vec<T> = data.inputs().iter().map(|&p| p / sixteen).collect();
    let (train_x, test_x) = (take_rows(&x, 64, &train)?, take_rows(&x, 64, &test)?);
    let (train_y, test_y) = (
        take_rows(data.targets(), 1, &train)?,
        take_rows(data.targets(), 1, &test)?,
    );
    let net = Network::builder(64)
        .dense(64, Activation::Relu)
        .dense(10, Activation::Identity);
    let mut trainer = Trainer::new(
        net.seed(2).build()?,
        CrossEntropy::class_indices(),
        Adam::new(T::from(1e-3).ok_or("lr as T")?),
    )?;
    let start = Instant::now();
    trainer.fit(
        &mut Fit::new(Epochs::new(32).shuffle(7), epochs),
        &train_x,
        &train_y,
    )?;
    let per_epoch = start.elapsed().as_secs_f64() / epochs as f64;
    let accuracy = accuracy_score(&test_y, &trainer.predict_classes(&test_x)?)?;
    let accuracy = accuracy.to_f64().ok_or("accuracy as f64")?;
    println!(
        "{{\"train\": {train:?}, \"test\": {test:?}, \"accuracy\": {accuracy}, \"seconds_per_epoch\": {per_epoch}}}"
    );
    Ok(())
}
