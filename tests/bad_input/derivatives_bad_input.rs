//! `backprop::derivatives` refuses bad input with the trainer's typed errors, a Hessian
//! too large to hold with `Error::TooLarge`, and changes nothing: the model, the
//! optimizer and the trainer are only read.

use backprop::derivatives::{hessian, hessian_vector_product, jacobian, HessianVectorProduct};
use backprop::derivatives::{input_jets, InputJets, Jet};
use backprop::{Activation, Adam, Error, Mse, Network, Quantity, Trainer};

fn net() -> Network<f64> {
    Network::builder(2)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(5)
        .build()
        .unwrap()
}

fn mismatch(what: Quantity, expected: usize, actual: usize) -> Error {
    Error::LengthMismatch {
        what,
        expected,
        actual,
    }
}

fn non_finite(what: Quantity, index: usize) -> Error {
    Error::NonFinite { what, index }
}

const X: [f64; 4] = [0.5, -1.0, 0.25, 2.0];
const Y: [f64; 2] = [0.1, -0.3];

#[test]
fn jacobians_refuse_bad_inputs() {
    let net = net();
    assert_eq!(jacobian(&net, &[]), Err(Error::EmptyBatch));
    assert_eq!(
        jacobian(&net, &[1.0; 3]),
        Err(mismatch(Quantity::Input, 2, 3))
    );
    assert_eq!(
        jacobian(&net, &[1.0, f64::NAN]),
        Err(non_finite(Quantity::Input, 1))
    );
}

#[test]
fn hessian_vector_products_refuse_bad_batches_and_directions() {
    let net = net();
    let n = net.params().len();
    let v = vec![1.0; n];
    let hvp = |x: &[f64], y: &[f64], v: &[f64]| hessian_vector_product(&net, &Mse, x, y, v);
    assert_eq!(hvp(&[], &[], &v), Err(Error::EmptyBatch));
    assert_eq!(hvp(&X[..3], &Y, &v), Err(mismatch(Quantity::Input, 2, 3)));
    assert_eq!(hvp(&X, &Y[..1], &v), Err(mismatch(Quantity::Target, 2, 1)));
    assert_eq!(
        hvp(&[f64::INFINITY, 0.0], &Y[..1], &v),
        Err(non_finite(Quantity::Input, 0))
    );
    assert_eq!(
        hvp(&X, &[0.0, f64::NAN], &v),
        Err(non_finite(Quantity::Target, 1))
    );
    assert_eq!(
        hvp(&X, &Y, &v[1..]),
        Err(mismatch(Quantity::Direction, n, n - 1))
    );
    let mut bad = v.clone();
    bad[3] = f64::NAN;
    assert_eq!(hvp(&X, &Y, &bad), Err(non_finite(Quantity::Direction, 3)));

    let mut buffers = HessianVectorProduct::new(&net, 2).unwrap();
    let mut short = vec![0.0; n - 1];
    assert_eq!(
        buffers.compute(&net, &Mse, &X, &Y, &v, &mut short),
        Err(mismatch(Quantity::Gradient, n, n - 1))
    );
}

#[test]
fn hessians_refuse_bad_batches() {
    let net = net();
    assert_eq!(hessian(&net, &Mse, &[], &[]), Err(Error::EmptyBatch));
    assert_eq!(
        hessian(&net, &Mse, &X, &Y[..1]),
        Err(mismatch(Quantity::Target, 2, 1))
    );
    assert_eq!(
        hessian(&net, &Mse, &[f64::NAN; 2], &Y[..1]),
        Err(non_finite(Quantity::Input, 0))
    );
}

#[test]
fn a_hessian_beyond_memory_is_too_large_not_an_abort() {
    // 1 049 600 parameters: n² · 8 bytes is 8.8 TB, which no allocator grants.
    let wide = Network::builder(1024)
        .dense(1024, Activation::Identity)
        .build()
        .unwrap();
    let (x, y) = (vec![0.5; 1024], vec![0.0; 1024]);
    let refused = hessian(&wide, &Mse, &x, &y);
    assert_eq!(
        refused,
        Err(Error::TooLarge {
            what: Quantity::Hessian
        })
    );
}

#[test]
fn input_jets_refuse_bad_inputs_directions_and_gradients() {
    let net = net();
    assert_eq!(input_jets(&net, &[], &[1.0, 0.0]), Err(Error::EmptyBatch));
    assert_eq!(
        input_jets(&net, &X[..3], &[1.0, 0.0]),
        Err(mismatch(Quantity::Input, 2, 3))
    );
    assert_eq!(
        input_jets(&net, &[0.0, f64::NAN], &[1.0, 0.0]),
        Err(non_finite(Quantity::Input, 1))
    );
    assert_eq!(
        input_jets(&net, &X, &[1.0]),
        Err(mismatch(Quantity::Direction, 2, 1))
    );
    assert_eq!(
        input_jets(&net, &X, &[1.0, f64::INFINITY]),
        Err(non_finite(Quantity::Direction, 1))
    );

    let n = net.params().len();
    let mut jets = InputJets::new(&net, 2).unwrap();
    let mut grads = vec![0.0; n];
    let one = Jet::new(1.0, 0.0, 0.0);
    // Before any forward pass there are no jets to differentiate.
    assert_eq!(
        jets.backward(&[one; 2], &mut grads),
        Err(mismatch(Quantity::Gradient, 0, 2))
    );
    jets.forward(&net, &X, &[1.0, 0.0]).unwrap();
    assert_eq!(jets.backward(&[], &mut grads), Err(Error::EmptyBatch));
    assert_eq!(
        jets.backward(&[one; 3], &mut grads),
        Err(mismatch(Quantity::Gradient, 2, 3))
    );
    let nan = Jet::new(0.0, f64::NAN, 0.0);
    assert_eq!(
        jets.backward(&[one, nan], &mut grads),
        Err(non_finite(Quantity::Gradient, 1))
    );
    assert_eq!(
        jets.backward(&[one; 2], &mut grads[1..]),
        Err(mismatch(Quantity::Gradient, n, n - 1))
    );
    assert_eq!(grads, vec![0.0; n], "refused calls write nothing");
}

#[test]
fn derivatives_leave_the_model_optimizer_and_trainer_unchanged() {
    let mut trainer = Trainer::new(net(), Mse, Adam::new(0.01)).unwrap();
    trainer.step_batch(&X, &Y).unwrap();
    let before = trainer.checkpoint();
    let model = trainer.model();
    let v = vec![0.5; model.params().len()];
    jacobian(model, &X).unwrap();
    hessian_vector_product(model, &Mse, &X, &Y, &v).unwrap();
    hessian(model, &Mse, &X, &Y).unwrap();
    input_jets(model, &X, &[1.0, -1.0]).unwrap();
    let _ = hessian_vector_product(model, &Mse, &X, &Y, &v[1..]);
    assert_eq!(trainer.checkpoint(), before);
}
