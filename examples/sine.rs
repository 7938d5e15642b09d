//! A 1-16-16-1 tanh network fits sin(x) on [−π, π].
//!
//! 64 evenly spaced samples; two hidden layers of 16 tanh units and an identity output;
//! mean squared error; SGD (lr 0.02) on shuffled mini-batches of 4. Seeded, so every run
//! prints the same numbers. tests/exact/examples_converge.rs runs `train` too.

use core::f64::consts::PI;

use backprop::{Activation, Epochs, Error, Mse, Network, Sgd, Trainer};

/// Samples on [−π, π].
pub const SAMPLES: usize = 64;
/// Epochs of training.
pub const EPOCHS: usize = 800;

/// The inputs (evenly spaced on [−π, π]) and targets sin(x).
pub fn data() -> (Vec<f64>, Vec<f64>) {
    let xs: Vec<f64> = (0..SAMPLES)
        .map(|i| -PI + 2.0 * PI * i as f64 / (SAMPLES - 1) as f64)
        .collect();
    let ys = xs.iter().map(|x| x.sin()).collect();
    (xs, ys)
}

/// The 1-16-16-1 tanh network, seeded: the same initial weights in every example.
pub fn network() -> Result<Network<f64>, Error> {
    Network::builder(1)
        .dense(16, Activation::Tanh)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(1)
        .build()
}

/// Trains the network; returns it with the loss of every epoch.
pub fn train() -> Result<(Network<f64>, Vec<f64>), Error> {
    let (xs, ys) = data();
    let net = network()?;
    let mut trainer = Trainer::new(net, Mse, Sgd::new(0.02))?;
    let mut epochs = Epochs::new(4).shuffle(2);
    let losses = (0..EPOCHS)
        .map(|_| epochs.run(&mut trainer, &xs, &ys))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((trainer.into_model(), losses))
}

/// The mean squared error of `net` over the samples.
pub fn mse(net: &Network<f64>) -> Result<f64, Error> {
    let (xs, ys) = data();
    let predictions = net.predict(&xs)?;
    let sum: f64 = predictions
        .iter()
        .zip(&ys)
        .map(|(p, y)| (p - y).powi(2))
        .sum();
    Ok(sum / SAMPLES as f64)
}

fn main() -> Result<(), Error> {
    let (net, losses) = train()?;
    for (epoch, loss) in losses.iter().enumerate().step_by(EPOCHS / 5) {
        println!("epoch {epoch:5}  epoch loss {loss:.3e}");
    }
    println!("final MSE on the 64 samples: {:.3e}", mse(&net)?);
    Ok(())
}
