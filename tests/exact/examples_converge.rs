//! The examples' training runs converge: the same code as `cargo run --example xor` and
//! `cargo run --example sine`, included from examples/.

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
