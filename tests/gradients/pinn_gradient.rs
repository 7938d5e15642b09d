//! The physics-informed loss of examples/pinn.rs: its gradient in the parameters, taken
//! by `InputJets` (forward mode in the input, reverse mode in the parameters), against
//! central differences of the loss itself.
//!
//! `h = ∛ε · max(1, |θᵢ|)`; the loss is a few units, so truncation and rounding errors
//! are about 1e-10: every parameter must satisfy `|analytic − numeric| ≤ 1e-8 +
//! 1e-6·|numeric|`.

#[allow(dead_code)] // its `main` is not ours
#[path = "../../examples/pinn.rs"]
mod pinn;

use backprop::derivatives::{InputJets, Jet};
use backprop::{Activation, Model, Network};

fn loss_and_gradient(net: &Network<f64>, xs: &[f64]) -> (f64, Vec<f64>) {
    let mut jets = InputJets::new(net, xs.len()).unwrap();
    let mut dl = vec![Jet::default(); xs.len()];
    let mut grads = vec![f64::NAN; net.params().len()];
    let loss = pinn::loss_and_gradient(net, &mut jets, xs, &mut dl, &mut grads).unwrap();
    (loss, grads)
}

#[test]
fn the_pinn_loss_gradient_matches_central_differences() {
    let xs = pinn::points(7);
    for (seed, activation) in [(1, Activation::Tanh), (2, Activation::Sigmoid)] {
        let net = Network::builder(1)
            .dense(5, activation)
            .dense(4, Activation::Tanh)
            .dense(1, Activation::Identity)
            .seed(seed)
            .build()
            .unwrap();
        let (_, analytic) = loss_and_gradient(&net, &xs);
        for (i, &a) in analytic.iter().enumerate() {
            let theta = net.params()[i];
            let h = f64::EPSILON.cbrt() * theta.abs().max(1.0);
            let at = |t: f64| {
                let mut moved = net.clone();
                moved.params_mut()[i] = t;
                loss_and_gradient(&moved, &xs).0
            };
            let numeric = (at(theta + h) - at(theta - h)) / (2.0 * h);
            assert!(
                (a - numeric).abs() <= 1e-8 + 1e-6 * numeric.abs(),
                "seed {seed}, θ[{i}]: jets {a:e}, central difference {numeric:e}"
            );
        }
    }
}
