//! A physics-informed network: solves u″(x) = −π² sin(πx) on [0, 1] with u(0) = u(1) = 0,
//! whose exact solution is u = sin(πx), without ever seeing it.
//!
//! The loss is the mean squared residual `u″ + π² sin(πx)` at collocation points plus
//! the boundary terms `u(0)² + u(1)²`. `u″` comes from the network by forward mode in the
//! input (nested dual numbers), the loss's gradient in the parameters by reverse mode
//! through the same pass (`InputJets`; docs/math.md, section 11). Adam only: L-BFGS is not
//! in the crate yet.
//!
//! `cargo run --release --example pinn` trains and prints the maximum error on 101
//! points; `cargo run --release --example pinn_plot` draws docs/pinn.svg.

use std::f64::consts::PI;

use backprop::derivatives::{InputJets, Jet};
use backprop::{Activation, Adam, Error, Model, Network};

/// Interior collocation points, then the two boundary points 0 and 1.
pub fn points(interior: usize) -> Vec<f64> {
    let mut xs: Vec<f64> = (1..=interior)
        .map(|k| k as f64 / (interior + 1) as f64)
        .collect();
    xs.extend([0.0, 1.0]);
    xs
}

/// The loss at `xs` (from [`points`]) and, into `grads`, its gradient in the parameters.
pub fn loss_and_gradient(
    net: &Network<f64>,
    jets: &mut InputJets<f64, Network<f64>>,
    xs: &[f64],
    dl: &mut [Jet<f64>],
    grads: &mut [f64],
) -> Result<f64, Error> {
    let interior = xs.len() - 2;
    let scale = 1.0 / interior as f64;
    let mut loss = 0.0;
    for (k, (u, &x)) in jets.forward(net, xs, &[1.0])?.iter().zip(xs).enumerate() {
        if k < interior {
            let residual = u.second + PI * PI * (PI * x).sin(); // u″ + π² sin πx
            loss += scale * residual * residual;
            dl[k] = Jet::new(0.0, 0.0, 2.0 * scale * residual); // ∂L/∂u″
        } else {
            loss += u.value * u.value; // u(0)², u(1)²
            dl[k] = Jet::new(2.0 * u.value, 0.0, 0.0); // ∂L/∂u
        }
    }
    jets.backward(dl, grads)?;
    Ok(loss)
}

/// Trains a 1-16-16-1 tanh network for `steps` Adam steps, the rate decaying tenfold twice.
pub fn train(steps: usize) -> Result<Network<f64>, Error> {
    let mut net = Network::builder(1)
        .dense(16, Activation::Tanh)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(7)
        .build()?;
    let xs = points(64);
    let mut jets = InputJets::new(&net, xs.len())?;
    let mut dl = vec![Jet::default(); xs.len()];
    let mut grads = vec![0.0; net.params().len()];
    let mut adam = Adam::new(0.01);
    for step in 0..steps {
        adam.set_learning_rate(0.01 * 0.1f64.powf(2.0 * step as f64 / steps as f64))?;
        loss_and_gradient(&net, &mut jets, &xs, &mut dl, &mut grads)?;
        adam.step(net.params_mut(), &grads)?;
    }
    Ok(net)
}

/// The largest `|u(x) − sin πx|` on 101 evenly spaced points of [0, 1].
pub fn max_error(net: &Network<f64>) -> Result<f64, Error> {
    let xs: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
    let u = net.predict(&xs)?;
    Ok(u.iter()
        .zip(&xs)
        .map(|(u, x)| (u - (PI * x).sin()).abs())
        .fold(0.0, f64::max))
}

fn main() -> Result<(), Error> {
    let net = train(STEPS)?;
    println!("max |u − sin πx| on 101 points: {:.2e}", max_error(&net)?);
    Ok(())
}

/// Adam steps of the example.
pub const STEPS: usize = 5_000;
