//! The examples' training runs converge: the same code as `cargo run --example xor` and
//! `cargo run --example sine`, included from examples/, and the physics-informed network
//! of `cargo run --example pinn` (its full run on request, see `pinn_solves_its_equation`).

#[allow(dead_code)] // `main` is the example's, not the test's
#[path = "../../examples/xor.rs"]
mod xor;

#[allow(dead_code)]
#[path = "../../examples/sine.rs"]
mod sine;

#[test]
fn xor_is_learned() {
    let (net, losses) = xor::train().unwrap();
    // A network that has not learned XOR (the best linear fit predicts 0.5 everywhere)
    // has MSE 0.25; this one is two orders of magnitude below it.
    assert!(losses[0] > 0.2, "starts untrained: {}", losses[0]);
    assert!(
        losses[xor::EPOCHS - 1] < 1e-3,
        "final loss {}",
        losses[xor::EPOCHS - 1]
    );
    let predictions = net.predict(&xor::INPUTS).unwrap();
    for (p, y) in predictions.iter().zip(xor::TARGETS) {
        assert!((p - y).abs() < 0.05, "predicted {p} for {y}");
    }
}

#[test]
fn sine_is_fitted() {
    let (net, losses) = sine::train().unwrap();
    // sin has mean square 1/2 on [−π, π]; the fit must be over 500 times better.
    assert!(losses[0] > 0.05, "starts untrained: {}", losses[0]);
    let mse = sine::mse(&net).unwrap();
    assert!(mse < 1e-3, "final MSE {mse}");
}

#[allow(dead_code)]
#[path = "../../examples/pinn.rs"]
mod pinn;

/// The physics-informed network of examples/pinn.rs reaches the bound, max
/// |u − sin πx| ≤ 1e-3 on 101 points. Its 5000 steps of nested duals take about 6 s in
/// release and minutes in debug, so it runs on request:
/// `cargo test --release --test exact -- --ignored pinn`.
#[test]
#[ignore = "minutes in debug: cargo test --release --test exact -- --ignored pinn"]
fn pinn_solves_its_equation() {
    let net = pinn::train(pinn::STEPS).unwrap();
    let error = pinn::max_error(&net).unwrap();
    assert!(error <= 1e-3, "max error {error:e}");
}

/// What runs in CI (4 s in debug): the same training in 600 steps brings the maximum
/// error from about 1 (an untrained network) under 0.1 (observed: 0.032).
#[test]
fn pinn_training_starts_to_converge() {
    let net = pinn::train(600).unwrap();
    let error = pinn::max_error(&net).unwrap();
    assert!(error < 0.1, "max error {error:e} after 600 steps");
}
