//! A 2-4-1 network learns XOR.
//!
//! Hidden layer: 4 tanh units; output: one sigmoid unit; loss: mean squared error; plain
//! SGD (lr 0.5) on shuffled mini-batches of 2 of the four rows. Everything is seeded, so
//! every run prints the same numbers. tests/exact/examples_converge.rs runs `train` too.

use backprop::{Activation, Epochs, Error, Mse, Network, Sgd, Trainer};

/// The four XOR rows and their targets.
pub const INPUTS: [f64; 8] = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
/// `x₀ XOR x₁`.
pub const TARGETS: [f64; 4] = [0.0, 1.0, 1.0, 0.0];
/// Epochs of training.
pub const EPOCHS: usize = 2000;
/// How often `main` prints the loss.
pub const REPORT_EVERY: usize = 250;

/// Trains the network; returns it with the loss of every epoch.
pub fn train() -> Result<(Network<f64>, Vec<f64>), Error> {
    let net = Network::builder(2)
        .dense(4, Activation::Tanh)
        .dense(1, Activation::Sigmoid)
        .seed(2024)
        .build()?;
    let mut trainer = Trainer::new(net, Mse, Sgd::new(0.5))?;
    let mut epochs = Epochs::new(2).shuffle(7);
    let losses = (0..EPOCHS)
        .map(|_| epochs.run(&mut trainer, &INPUTS, &TARGETS))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((trainer.into_model(), losses))
}

fn main() -> Result<(), Error> {
    let (net, losses) = train()?;
    for (epoch, loss) in losses.iter().enumerate().step_by(REPORT_EVERY) {
        println!("epoch {epoch:5}  loss {loss:.6}");
    }
    println!("epoch {:5}  loss {:.6}", EPOCHS - 1, losses[EPOCHS - 1]);
    let predictions = net.predict(&INPUTS)?;
    for ((x, y), p) in INPUTS.chunks(2).zip(TARGETS).zip(predictions) {
        println!("{} XOR {} = {y}  predicted {p:.4}", x[0], x[1]);
    }
    Ok(())
}
