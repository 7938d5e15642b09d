//! The lecture, step by step: one neuron, one weight, one sample.
//!
//! x = 1.2, initial weight w = 0.7, target y = 0.4, learning rate 0.1, in f64. Each line
//! shows the loss and the output computed before the update and the weight after it,
//! exactly as the lecture prints them.

use backprop::{Error, Mse, Neuron, Sgd, Trainer};

fn main() -> Result<(), Error> {
    let (x, y) = (1.2, 0.4);
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
    for _ in 0..11 {
        let step = trainer.step(&[x], &[y])?;
        let weight = trainer.model().weights()[0];
        let output = trainer.prediction()[0];
        println!("Loss {} Weight {} Output {}", step.loss, weight, output);
    }
    Ok(())
}
