//! After its first step (the warm-up that sizes the buffers), a training step allocates
//! nothing: counted with a counting global allocator.

use allocation_counter::measure;
use backprop::{
    Activation, Adam, Lbfgs, LineSearch, Mse, Network, Neuron, Sgd, StepLr, Trainer, WeightDecay,
};

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

/// 16 samples of 2 inputs and one target, and a 2-8-1 tanh network.
fn full_batch() -> (Vec<f64>, Vec<f64>, Network<f64>) {
    let inputs: Vec<f64> = (0..2 * 16).map(|i| (i as f64 * 0.37).sin()).collect();
    let targets: Vec<f64> = (0..16).map(|i| (i as f64 * 0.3).cos()).collect();
    let net = Network::builder(2)
        .dense(8, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(1)
        .build()
        .unwrap();
    (inputs, targets, net)
}

#[test]
fn an_lbfgs_step_and_its_evaluations_allocate_nothing_after_warm_up() {
    for line_search in [LineSearch::None, LineSearch::StrongWolfe] {
        let (inputs, targets, net) = full_batch();
        let lbfgs = Lbfgs::new(1.0).history_size(5).line_search(line_search);
        let mut trainer = Trainer::new(net, Mse, lbfgs).unwrap();
        trainer.step_batch(&inputs, &targets).unwrap();
        let mut evaluations = 0;
        let counted = measure(|| {
            for _ in 0..3 {
                evaluations += trainer.step_batch(&inputs, &targets).unwrap().evaluations;
            }
        });
        assert!(evaluations > 3, "{evaluations}"); // several per step
        assert_eq!(counted.count_total, 0);
    }
}

#[test]
fn parameter_groups_and_their_schedule_allocate_nothing_after_warm_up() {
    let (inputs, targets, net) = full_batch();
    let adam = Adam::new(0.01)
        .group(net.all_weights(), |g| {
            g.weight_decay(WeightDecay::Decoupled(0.01))
        })
        .group(net.bias(1), |g| g.lr(0.001));
    let mut trainer = Trainer::new(net, Mse, adam)
        .unwrap()
        .schedule(StepLr::new(2, 0.5))
        .unwrap();
    trainer.step_batch(&inputs, &targets).unwrap();
    let counted = measure(|| {
        for _ in 0..5 {
            trainer.step_batch(&inputs, &targets).unwrap();
            trainer.end_epoch(None).unwrap();
        }
    });
    assert_eq!(counted.count_total, 0);
}
