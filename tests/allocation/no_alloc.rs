//! After its first step (the warm-up that sizes the buffers), a training step allocates
//! nothing: counted with a counting global allocator.

use allocation_counter::measure;
use backprop::{Activation, Mse, Neuron, Sgd, Trainer};

#[test]
fn a_lecture_step_allocates_nothing_after_warm_up() {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    trainer.step(&[1.2], &[0.4]).unwrap();
    let counted = measure(|| {
        for _ in 0..100 {
            trainer.step(&[1.2], &[0.4]).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}

#[test]
fn batches_up_to_the_largest_seen_allocate_nothing() {
    let neuron = Neuron::from_weights(vec![0.1; 8])
        .with_bias(0.0)
        .with_activation(Activation::Tanh);
    let mut trainer = Trainer::new(neuron, Mse, Sgd::new(0.01)).unwrap();
    let inputs: Vec<f32> = (0..8 * 16).map(|i| (i as f32 * 0.1).sin()).collect();
    let targets: Vec<f32> = (0..16).map(|i| (i as f32 * 0.3).cos()).collect();
    trainer.step_batch(&inputs, &targets).unwrap();
    let mut outputs = vec![0.0; 16];
    trainer.predict_into(&inputs, &mut outputs).unwrap();
    let counted = measure(|| {
        for rows in [16, 1, 7, 16] {
            trainer
                .step_batch(&inputs[..8 * rows], &targets[..rows])
                .unwrap();
            trainer
                .predict_into(&inputs[..8 * rows], &mut outputs[..rows])
                .unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}
