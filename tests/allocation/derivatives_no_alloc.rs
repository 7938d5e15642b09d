//! `HessianVectorProduct::compute` and `InputJets::{forward, backward}` allocate nothing
//! once their buffers exist, as the issue asks ("allocation-free when given its
//! buffers"); a physics-informed training loop is one `forward`, one `backward` and one
//! optimizer step.

use allocation_counter::measure;
use backprop::derivatives::{HessianVectorProduct, InputJets, Jet};
use backprop::{Activation, Adam, Model, Mse, Network};

fn net() -> Network<f64> {
    Network::builder(2)
        .dense(8, Activation::Tanh)
        .dense(8, Activation::Sigmoid)
        .dense(1, Activation::Identity)
        .seed(1)
        .build()
        .unwrap()
}

#[test]
fn hessian_vector_products_allocate_nothing_with_their_buffers() {
    let net = net();
    let (x, y) = ([0.1, 0.2, -0.3, 0.4, 0.5, -0.6], [0.0, 1.0, -1.0]);
    let mut hvp = HessianVectorProduct::new(&net, 3).unwrap();
    let v = vec![0.25; net.params().len()];
    let mut hv = vec![0.0; net.params().len()];
    let counted = measure(|| {
        for _ in 0..10 {
            hvp.compute(&net, &Mse, &x, &y, &v, &mut hv).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
    assert!(hv.iter().any(|h| *h != 0.0));
}

#[test]
fn a_physics_informed_step_allocates_nothing_with_its_buffers() {
    let mut net = net();
    let x = [0.1, 0.2, -0.3, 0.4];
    let mut jets = InputJets::new(&net, 2).unwrap();
    let mut adam = Adam::new(0.01);
    let mut grads = vec![0.0; net.params().len()];
    let mut dl = [Jet::default(); 2];
    adam.step(net.params_mut(), &grads).unwrap(); // the optimizer's state, once
    let counted = measure(|| {
        for _ in 0..10 {
            for (g, u) in dl
                .iter_mut()
                .zip(jets.forward(&net, &x, &[1.0, 0.5]).unwrap())
            {
                *g = Jet::new(2.0 * u.value, 0.0, 2.0 * u.second);
            }
            jets.backward(&dl, &mut grads).unwrap();
            adam.step(net.params_mut(), &grads).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}
