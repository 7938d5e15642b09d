//! A network's training step and an epoch allocate nothing once warmed up.

use allocation_counter::measure;
use backprop::{Activation, Epochs, Mse, Network, Sgd, Trainer};

fn trainer() -> Trainer<Network<f64>, Mse, Sgd<f64>, f64> {
    let net = Network::builder(3)
        .dense(8, Activation::Tanh)
        .dense_no_bias(5, Activation::Relu)
        .dense(2, Activation::Identity)
        .seed(4)
        .build()
        .unwrap();
    Trainer::new(net, Mse, Sgd::new(0.01)).unwrap()
}

fn data(rows: usize) -> (Vec<f64>, Vec<f64>) {
    let x = (0..3 * rows).map(|i| (i as f64 * 0.7).sin()).collect();
    let y = (0..2 * rows).map(|i| (i as f64 * 0.3).cos()).collect();
    (x, y)
}

#[test]
fn network_steps_allocate_nothing_after_warm_up() {
    let mut trainer = trainer();
    let (x, y) = data(16);
    trainer.step_batch(&x, &y).unwrap();
    let mut outputs = vec![0.0; y.len()];
    trainer.predict_into(&x, &mut outputs).unwrap(); // sizes the workspace
    let counted = measure(|| {
        for rows in [16, 1, 9, 16] {
            trainer.step_batch(&x[..3 * rows], &y[..2 * rows]).unwrap();
            trainer
                .predict_into(&x[..3 * rows], &mut outputs[..2 * rows])
                .unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}

#[test]
fn shuffled_epochs_allocate_nothing_after_the_first() {
    let mut trainer = trainer();
    let (x, y) = data(23);
    let mut epochs = Epochs::new(5).shuffle(1);
    epochs.run(&mut trainer, &x, &y).unwrap();
    let counted = measure(|| {
        for _ in 0..3 {
            epochs.run(&mut trainer, &x, &y).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}

/// The fast path too: an f32 network large enough for the blocked kernel, the vectorised
/// tanh and a batch split into chunks (and, with `parallel`, run on rayon's threads).
#[test]
fn blocked_kernels_and_chunked_batches_allocate_nothing_after_warm_up() {
    let net = Network::<f32>::builder(16)
        .dense(64, Activation::Tanh)
        .dense(64, Activation::Sigmoid)
        .dense(1, Activation::Identity)
        .seed(5)
        .build()
        .unwrap();
    let mut trainer = Trainer::new(net, Mse, Sgd::new(0.01)).unwrap();
    let rows = 300; // two chunks of 150
    let x: Vec<f32> = (0..16 * rows).map(|i| (i as f32 * 0.7).sin()).collect();
    let y: Vec<f32> = (0..rows).map(|i| (i as f32 * 0.3).cos()).collect();
    trainer.step_batch(&x, &y).unwrap();
    let mut outputs = vec![0.0; rows];
    trainer.predict_into(&x, &mut outputs).unwrap();
    let counted = measure(|| {
        for rows in [300, 64, 299] {
            trainer.step_batch(&x[..16 * rows], &y[..rows]).unwrap();
            trainer
                .predict_into(&x[..16 * rows], &mut outputs[..rows])
                .unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}
